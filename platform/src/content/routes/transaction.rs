//! The caller's transaction, as every content handler opens it: in the tenant whose host this
//! is, as the signed-in user or the reader; committed when the service succeeds, rolled back
//! (dropped) when it refuses.

use crate::access::Principal;
use crate::audit::ClientContext;
use crate::auth::tenant_user::{MaybeTenantUser, TenantUser};
use crate::content::caller::Caller;
use crate::content::deps::ContentDeps;
use crate::content::error::ContentResult;
use crate::content::viewer::Viewer;
use crate::http::ApiResult;
use crate::state::AppState;
use tenants::{Tenant, TenantTx};

/// What content's services need of the application's state.
pub(super) fn deps(state: &AppState) -> ContentDeps<'_> {
    ContentDeps {
        hooks: &state.hooks,
        trust: &state.trust,
    }
}

/// Runs `work` as the signed-in user (their session, roles and MFA policy checked first).
pub(super) async fn as_user<T>(
    state: &AppState,
    user: &TenantUser,
    client: &ClientContext,
    work: impl AsyncFnOnce(&mut TenantTx, Caller<'_>) -> ContentResult<T>,
) -> ApiResult<T> {
    let scope = user.tenant.scope();
    let mut tx = scope.begin(state.tenancy.pool()).await?;
    let me = Principal::load(&mut tx, user.subject()).await?;
    let done = work(&mut tx, Caller::new(&me, client, &scope)).await?;
    tx.commit().await?;
    Ok(done)
}

/// Runs `work` for the reader: the signed-in user when there is a token, anyone otherwise.
pub(super) async fn as_reader<T>(
    state: &AppState,
    who: &MaybeTenantUser,
    client: &ClientContext,
    work: impl AsyncFnOnce(&mut TenantTx, Caller<'_, Viewer>) -> ContentResult<T>,
) -> ApiResult<T> {
    let scope = who.tenant.scope();
    let mut tx = scope.begin(state.tenancy.pool()).await?;
    let viewer = Viewer::load(&mut tx, who.subject()).await?;
    let done = work(&mut tx, Caller::new(&viewer, client, &scope)).await?;
    tx.commit().await?;
    Ok(done)
}

/// Runs `work` for anyone: what the tenant shows everybody (types, taxonomies, terms).
pub(super) async fn in_tenant<T>(
    state: &AppState,
    tenant: &Tenant,
    work: impl AsyncFnOnce(&mut TenantTx) -> ContentResult<T>,
) -> ApiResult<T> {
    let mut tx = tenant.scope().begin(state.tenancy.pool()).await?;
    let done = work(&mut tx).await?;
    tx.commit().await?;
    Ok(done)
}
