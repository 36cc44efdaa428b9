//! The tenant's tamper-evident audit trail: append-only in the database, hash-chained,
//! verifiable through the API.

pub mod append;
pub mod checkpoint;
pub mod context;
pub mod deferred;
pub mod record;
pub mod routes;
pub mod trail;
pub mod verify;

pub use append::{AuditEvent, append, append_on, record, user_action};
pub use context::ClientContext;
pub use deferred::Deferred;
pub use record::{Actor, Outcome};
