//! Content's HTTP face: the handlers of the routes `app.rs` assembles (extraction, the API
//! document, statuses and headers). The work is in the services beside this folder.

pub mod content;
pub mod headers;
pub mod params;
pub mod post_requests;
pub mod posts;
pub mod problem;
pub mod revisions;
pub mod taxonomies;
pub mod term_params;
pub mod terms;
pub mod transaction;
pub mod types;
