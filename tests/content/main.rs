//! Content end to end: posts, revisions, taxonomies and terms, media.

mod common;
mod media;
mod posts;
mod public_cache;
mod revisions;
mod slugs;
mod terms;
mod transitions;
