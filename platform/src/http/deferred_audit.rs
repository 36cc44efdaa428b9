//! Writes the audit record an error response carries (a denial), once the handler has
//! returned and released its connection: see `audit::deferred` for why.

use crate::audit::Deferred;
use crate::state::AppState;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;

/// The write runs in a task of its own, so a client hanging up cannot cancel it; the response
/// waits for it, so a flood of denials is paced by the pool rather than piling up.
pub async fn middleware(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    if let Some(pending) = response.extensions_mut().remove::<Deferred>() {
        let pool = state.tenancy.pool().clone();
        let written = tokio::spawn(async move { pending.write(&pool).await });
        if let Err(error) = written.await {
            tracing::error!(%error, "recording a denial failed");
        }
    }
    response
}
