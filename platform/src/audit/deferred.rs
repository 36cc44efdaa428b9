//! Records that must outlive the request that made them: a denial is recorded although the
//! request's transaction rolls back. Recording it while that transaction still held its
//! connection took a second connection of the same pool, and with more denials at once
//! than connections, the pool deadlocked for every tenant. So a denial travels with its
//! error response instead, and is written here once the handler has returned, and with it
//! released its connection.

use super::{AuditEvent, ClientContext, record};
use crate::state::AppState;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
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
}

/// Writes the record an error response carries, if any, in a transaction of its own. The
/// write runs in a task of its own, so a client hanging up cannot cancel it; the response
/// waits for it, so a flood of denials is paced by the pool rather than piling up.
pub async fn middleware(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    if let Some(Deferred(pending)) = response.extensions_mut().remove::<Deferred>() {
        let pool = state.tenancy.pool().clone();
        let written = tokio::spawn(async move {
            // A pool busy with the very flood being denied may time out: try again, a little
            // later, before giving up (and saying so).
            for attempt in 1..=ATTEMPTS {
                match record(&pool, &pending.scope, &pending.event, &pending.client).await {
                    Ok(_) => return,
                    Err(error) if attempt < ATTEMPTS && crate::http::problem::is_transient(&error) => {
                        tokio::time::sleep(std::time::Duration::from_millis(100 * u64::from(attempt))).await;
                    }
                    Err(error) => {
                        metrics::counter!("audit_deferred_failures_total").increment(1);
                        tracing::error!(%error, audit.action = pending.event.action, "a denial could not be recorded");
                        return;
                    }
                }
            }
        });
        if let Err(error) = written.await {
            tracing::error!(%error, "recording a denial failed");
        }
    }
    response
}
