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
