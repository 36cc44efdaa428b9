//! String schemas with a pattern or a length, for `value_type = ..` in field and parameter
//! attributes: built once here rather than spelled out in each attribute.

/// `string_schema!(Name { pattern(..), max_length(..) })`: a string with those constraints,
/// each one a method of utoipa's `ObjectBuilder`.
macro_rules! string_schema {
    ($(#[$doc:meta])* $name:ident { $($method:ident($value:expr)),* }) => {
        $(#[$doc])*
        pub struct $name;
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::Type::String)
                    $(.$method(Some($value)))*
                    .into()
            }
        }
        impl utoipa::ToSchema for $name {}
    };
}
pub(crate) use string_schema;

/// `pattern_schema!(Name = pattern)`: a string parameter with a pattern
/// (`#[param(value_type = .., inline)]`), the common case of [`string_schema!`].
macro_rules! pattern_schema {
    ($(#[$doc:meta])* $name:ident = $pattern:expr) => {
        $crate::openapi::string_schema::string_schema!($(#[$doc])* $name { pattern($pattern) });
    };
}
pub(crate) use pattern_schema;
