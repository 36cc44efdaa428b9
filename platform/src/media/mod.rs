//! The media library: files in object storage under the tenant's prefix, sealed with the
//! tenant's key, served through the platform with access checks.

pub mod codes;
pub mod deps;
pub mod kind;
pub mod library;
pub mod limits;
pub mod objects;
pub mod record;
pub mod routes;
pub mod stored_ahead;
pub mod upload;
pub mod upload_extract;

pub use limits::MediaLimits;
