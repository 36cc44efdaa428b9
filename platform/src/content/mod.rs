//! Content with WordPress parity: posts, pages and registered types, their statuses,
//! revisions, meta and terms, and the healthcare extensions of the seed's design.

pub mod checks;
pub mod codes;
pub mod extend;
pub mod ids;
pub mod input;
pub mod phi;
pub mod post_type;
pub mod public_cache;
pub mod read;
pub mod record;
pub mod registry;
pub mod revision_routes;
pub mod revisions;
pub mod routes;
pub mod slug;
pub mod status;
pub mod store;
pub mod taxonomy;
pub mod term_routes;
pub mod terms;
pub mod view;
pub mod viewer;
pub mod write;
