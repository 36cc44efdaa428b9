//! Content with WordPress parity: posts, pages and registered types, their statuses,
//! revisions, meta and terms, and the healthcare extensions of the seed's design.
//!
//! `routes/` is the HTTP face; everything else is the service the face, the jobs and other
//! domains call, and names no axum type (it shares the platform's paging, `Page`, and its
//! problem type, which `ContentError` carries for access refusals). A service takes the caller's open transaction,
//! the narrow dependencies it needs ([`deps::ContentDeps`]), who acts ([`caller::Caller`]) and
//! a typed command, and answers with a value or a [`error::ContentError`].

pub mod after_commit;
pub mod caller;
pub mod capability;
pub mod checks;
pub mod codes;
pub mod deps;
pub mod editing;
pub mod error;
pub mod hook_payloads;
pub mod ids;
pub mod input;
pub mod input_apply;
pub mod list_query;
pub mod medical;
pub mod paged;
pub mod phi;
pub mod post_select;
pub mod post_type;
pub mod post_write;
pub mod prepare_response;
pub mod publish_due;
pub mod read;
pub mod record;
pub mod revision_restore;
pub mod revisions;
pub mod routes;
pub mod save_filters;
pub mod schedule;
pub mod slug;
pub mod status;
pub mod store;
pub mod taxonomy;
pub mod taxonomy_registry;
pub mod term_changes;
pub mod term_query;
pub mod terms;
pub mod type_registry;
pub mod view;
pub mod viewer;
pub mod write;
