//! Scoped transactions: the only way to reach a tenant's tables.

use crate::TenantId;
use crate::naming::quote_ident;
use sqlx::pool::PoolConnection;
use sqlx::{PgConnection, PgPool, Postgres, TransactionManager as _};
use std::ops::{Deref, DerefMut};
use std::sync::Arc;

type Manager = <Postgres as sqlx::Database>::TransactionManager;

/// What it takes to open a transaction inside one tenant. Cheap to clone.
#[derive(Clone, Debug)]
pub struct TenantScope {
    tenant_id: TenantId,
    /// `BEGIN; SET LOCAL ROLE ..; SET LOCAL search_path ..`, built once per tenant so a request
    /// pays one round trip and no formatting.
    begin_sql: Arc<str>,
}

impl TenantScope {
    pub(crate) fn new(tenant_id: TenantId, role: &str, schema: &str) -> Self {
        // `pg_temp` last: a temporary table can never shadow one of the tenant's tables.
        let begin_sql = format!(
            "BEGIN; SET LOCAL ROLE {role}; SET LOCAL search_path TO {schema}, pg_temp",
            role = quote_ident(role),
            schema = quote_ident(schema),
        );
        Self {
            tenant_id,
            begin_sql: begin_sql.into(),
        }
    }

    pub fn tenant_id(&self) -> TenantId {
        self.tenant_id
    }

    /// Switches a transaction already open (the owner's, say) to the tenant's role and schema
    /// for the rest of it: for a tenant-side record of a change made to the control plane in
    /// the same transaction.
    pub async fn enter(&self, conn: &mut PgConnection) -> Result<(), sqlx::Error> {
        use sqlx::Executor as _;
        let statements = self.begin_sql.trim_start_matches("BEGIN; ").to_owned();
        conn.execute(statements.as_str()).await.map(|_| ())
    }

    /// Opens a transaction that runs as the tenant's role with the tenant's schema as its only
    /// search path. Both are `SET LOCAL`, sent in the same round trip as `BEGIN`: they end with
    /// the transaction, so a pooled connection carries nothing to its next user (also behind
    /// PgBouncer in transaction mode). A query that names another tenant's schema fails with
    /// `permission denied`, whatever the code above forgot.
    ///
    /// Cancel-safe: until `BEGIN` has answered, sqlx does not know a transaction is open and
    /// would not roll it back. So a connection whose begin was dropped mid-flight, or failed
    /// (a role that no longer exists leaves the transaction aborted), is closed instead of
    /// going back to the pool.
    pub async fn begin(&self, pool: &PgPool) -> Result<TenantTx, sqlx::Error> {
        let mut conn = pool.acquire().await?;
        let opening = Opening(&mut conn);
        Manager::begin(opening.0, Some(self.begin_sql.to_string().into())).await?;
        opening.opened();
        Ok(TenantTx {
            tenant_id: self.tenant_id,
            conn,
            open: true,
        })
    }
}

/// A connection whose transaction is being opened: dropped before [`Opening::opened`] (the
/// begin failed, or its future was dropped), it marks the connection to be closed rather than
/// returned to the pool.
struct Opening<'c>(&'c mut PoolConnection<Postgres>);

impl Opening<'_> {
    fn opened(self) {
        std::mem::forget(self);
    }
}

impl Drop for Opening<'_> {
    fn drop(&mut self) {
        self.0.close_on_drop();
    }
}

/// An open transaction inside one tenant. Dropping it without `commit` rolls it back (the
/// rollback is queued on the connection and sent before it is reused).
#[derive(Debug)]
pub struct TenantTx {
    tenant_id: TenantId,
    conn: PoolConnection<Postgres>,
    open: bool,
}

impl TenantTx {
    pub fn tenant_id(&self) -> TenantId {
        self.tenant_id
    }

    pub async fn commit(mut self) -> Result<(), sqlx::Error> {
        Manager::commit(&mut self.conn).await?;
        self.open = false;
        Ok(())
    }

    pub async fn rollback(mut self) -> Result<(), sqlx::Error> {
        Manager::rollback(&mut self.conn).await?;
        self.open = false;
        Ok(())
    }
}

impl Drop for TenantTx {
    fn drop(&mut self) {
        if self.open {
            Manager::start_rollback(&mut self.conn);
        }
    }
}

impl Deref for TenantTx {
    type Target = PgConnection;
    fn deref(&self) -> &PgConnection {
        &self.conn
    }
}

impl DerefMut for TenantTx {
    fn deref_mut(&mut self) -> &mut PgConnection {
        &mut self.conn
    }
}
