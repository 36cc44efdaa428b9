//! Scoped transactions: the only way to reach a tenant's tables.

use crate::TenantId;
use crate::naming::quote_ident;
use sqlx::{PgConnection, PgPool, Postgres, Transaction};
use std::ops::{Deref, DerefMut};
use std::sync::Arc;

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
        let begin_sql = format!(
            "BEGIN; SET LOCAL ROLE {role}; SET LOCAL search_path TO {schema}",
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

    /// Opens a transaction that runs as the tenant's role with the tenant's schema as its only
    /// search path. Both are `SET LOCAL`, sent in the same round trip as `BEGIN`: they end with
    /// the transaction, so a pooled connection carries nothing to its next user (also behind
    /// PgBouncer in transaction mode). A query that names another tenant's schema fails with
    /// `permission denied`, whatever the code above forgot.
    pub async fn begin(&self, pool: &PgPool) -> Result<TenantTx, sqlx::Error> {
        let tx = pool.begin_with(self.begin_sql.to_string()).await?;
        Ok(TenantTx {
            tenant_id: self.tenant_id,
            tx,
        })
    }
}

/// An open transaction inside one tenant. Dropping it without `commit` rolls it back.
#[derive(Debug)]
pub struct TenantTx {
    tenant_id: TenantId,
    tx: Transaction<'static, Postgres>,
}

impl TenantTx {
    pub fn tenant_id(&self) -> TenantId {
        self.tenant_id
    }

    pub async fn commit(self) -> Result<(), sqlx::Error> {
        self.tx.commit().await
    }

    pub async fn rollback(self) -> Result<(), sqlx::Error> {
        self.tx.rollback().await
    }
}

impl Deref for TenantTx {
    type Target = PgConnection;
    fn deref(&self) -> &PgConnection {
        &self.tx
    }
}

impl DerefMut for TenantTx {
    fn deref_mut(&mut self) -> &mut PgConnection {
        &mut self.tx
    }
}
