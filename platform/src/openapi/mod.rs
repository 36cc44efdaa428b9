//! The OpenAPI document (`document.rs`), the problem responses every operation shares
//! (`problems.rs`) and the schemas written by hand (`schemas.rs`, `string_schema.rs`).

mod document;
mod problems;
pub mod schemas;
pub mod string_schema;

pub use document::document;
pub use schemas::{Binary, EmailAddress, NewPassword};
