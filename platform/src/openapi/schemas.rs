//! Schemas of values the document cannot derive from a Rust type: a file's bytes, and
//! strings with a pattern or a length.

use super::string_schema::string_schema;

/// The bytes of a file, as the body of an upload (`type: string, format: binary`), where
/// `Vec<u8>` would read as an array of numbers.
pub struct Binary;

impl utoipa::PartialSchema for Binary {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::Type::String)
            .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
                utoipa::openapi::KnownFormat::Binary,
            )))
            .into()
    }
}

impl utoipa::ToSchema for Binary {}

/// Characters the e-mail check refuses: whitespace, controls, `@`.
const NOT_IN_EMAIL: &str = r"\s\x00-\x1f\x7f-\x9f@";

string_schema!(
    /// An e-mail address as accepted: something, `@`, a domain with a dot inside it; no
    /// whitespace or control characters; at most 254 bytes; surrounding spaces ignored.
    EmailAddress {
        pattern(format!(
            r"^\s*[^{NOT_IN_EMAIL}]+@[^{NOT_IN_EMAIL}.][^{NOT_IN_EMAIL}]*\.[^{NOT_IN_EMAIL}]*[^{NOT_IN_EMAIL}.]\s*$"
        )),
        max_length(254)
    }
);

string_schema!(
    /// A new password: at least 12 characters, at most 1,024 bytes.
    NewPassword { min_length(12), max_length(1024) }
);
