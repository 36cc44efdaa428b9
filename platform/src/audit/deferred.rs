//! Records that must outlive the request that made them: a denial is recorded although the
//! request's transaction rolls back. Recording it while that transaction still held its
//! connection took a second connection of the same pool, and with more denials at once
//! than connections, the pool deadlocked for every tenant. So a denial travels with its
//! error response instead, and is written here once the handler has returned, and with it
//! released its connection (`http::deferred_audit`).

use super::{AuditEvent, ClientContext, record};
use sqlx::PgPool;
use std::sync::Arc;
use tenants::TenantScope;

/// Tries at writing a deferred record.
const ATTEMPTS: u32 = 3;

/// An audit record to write after the response is made.
#[derive(Clone, Debug)]
pub struct Deferred(Arc<DeferredRecord>);

#[derive(Debug)]
struct DeferredRecord {
    scope: TenantScope,
    event: AuditEvent<'static>,
    client: ClientContext,
}

impl Deferred {
    pub fn new(scope: TenantScope, event: AuditEvent<'static>, client: ClientContext) -> Self {
        Self(Arc::new(DeferredRecord { scope, event, client }))
    }

    /// Writes the record in a transaction of its own, trying again when the pool is busy
    /// (with the very flood being denied, perhaps), and saying so when it gives up.
    pub async fn write(self, pool: &PgPool) {
        let pending = self.0;
        for attempt in 1..=ATTEMPTS {
            match record(pool, &pending.scope, &pending.event, &pending.client).await {
                Ok(_) => return,
                Err(error) if attempt < ATTEMPTS && tenants::is_transient(&error) => {
                    tokio::time::sleep(std::time::Duration::from_millis(100 * u64::from(attempt))).await;
                }
                Err(error) => {
                    metrics::counter!("audit_deferred_failures_total").increment(1);
                    tracing::error!(%error, audit.action = pending.event.action, "a denial could not be recorded");
                    return;
                }
            }
        }
    }
}
