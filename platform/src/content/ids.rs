//! Typed ids of content, so a term id cannot be passed where a post id belongs.

tenants::decl_id!(
    /// A post of any type.
    PostId
);
tenants::decl_id!(
    /// A term of any taxonomy.
    TermId
);
tenants::decl_id!(
    /// A saved copy of a post.
    RevisionId
);
tenants::decl_id!(
    /// A file in the media library.
    MediaId
);

/// In the API document each id is a UUID string.
macro_rules! uuid_schema {
    ($($id:ty),*) => {$(
        impl utoipa::PartialSchema for $id {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::Type::String)
                    .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(utoipa::openapi::KnownFormat::Uuid)))
                    .into()
            }
        }
        impl utoipa::ToSchema for $id {}
    )*};
}

uuid_schema!(PostId, TermId, RevisionId, MediaId);
