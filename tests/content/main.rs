//! Content end to end: posts, revisions, taxonomies and terms, media.

mod common;
mod posts;
mod revisions;
mod terms;
