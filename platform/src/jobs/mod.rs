//! Background work: a PostgreSQL-backed queue (`platform.jobs`) that every instance's worker
//! claims from. Jobs are idempotent by design: one may run twice (a worker that died after
//! doing the work but before deleting the job).

pub mod publish_scheduled;
pub mod queue;
pub mod worker;

pub use worker::spawn;
