//! Connection pools that never hand a connection to its next user inside a transaction or
//! running as another role.
//!
//! sqlx counts a transaction only once `BEGIN` has answered (upstream sqlx#4393), so a begin
//! future dropped during that round trip (a client hanging up, a timeout) returns its
//! connection to the pool with the server still inside the transaction; a `BEGIN` whose
//! `SET LOCAL ROLE` failed returns it aborted (25P02). `TenantScope::begin` closes such
//! connections itself; this check on release is the net under every other path (a plain
//! `pool.begin()`, a session-level `SET ROLE` that should never have run).

use sqlx::PgConnection;
use sqlx::postgres::PgPoolOptions;

/// One round trip on release, in the simple protocol so that the statement is its own
/// transaction when none is open: then its transaction and statement start at the same
/// instant. Inside a leftover transaction they differ, and inside an aborted one the query
/// fails; either way the connection is closed rather than reused.
const CLEAN_SESSION: &str =
    "SELECT pg_catalog.transaction_timestamp() = pg_catalog.statement_timestamp() AND current_user = session_user";

/// Pool options with the release check. Every pool of the platform starts from these.
pub fn pool_options() -> PgPoolOptions {
    PgPoolOptions::new().after_release(|conn, _meta| Box::pin(is_clean(conn)))
}

async fn is_clean(conn: &mut PgConnection) -> Result<bool, sqlx::Error> {
    use sqlx::{Executor as _, Row as _};
    let clean = match conn.fetch_one(sqlx::raw_sql(CLEAN_SESSION)).await {
        Ok(row) => row.try_get::<bool, _>(0).unwrap_or(false),
        Err(error) => {
            tracing::warn!(%error, "a released connection failed its session check; closing it");
            return Ok(false);
        }
    };
    if !clean {
        tracing::warn!("a connection came back inside a transaction or as another role; closing it");
    }
    Ok(clean)
}

/// Whether a database error is one a retry may not meet: the connection lost (or cut while
/// it was being opened, which shows as a protocol error), the server restarting or shutting
/// down, refusing connections, out of connections, or a transaction that lost a
/// serialization conflict or a deadlock and was rolled back.
pub fn is_transient(err: &sqlx::Error) -> bool {
    match err {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::Protocol(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(db) => db.code().is_some_and(|code| {
            code.starts_with("08") // connection exception
                || matches!(
                    code.as_ref(),
                    "57P01" // admin_shutdown: the server is restarting
                        | "57P02" // crash_shutdown
                        | "57P03" // cannot_connect_now: starting up
                        | "53300" // too_many_connections
                        | "40001" // serialization_failure
                        | "40P01" // deadlock_detected
                )
        }),
        _ => false,
    }
}
