//! The shape every user-management handler shares: one transaction, the signed-in user loaded
//! in it (session, roles, MFA policy checked), the service's work, the commit.

use crate::access::Principal;
use crate::audit::ClientContext;
use crate::auth::tenant_user::TenantUser;
use crate::http::ApiResult;
use crate::state::AppState;
use crate::users::manager::Manager;
use tenants::TenantTx;

/// Runs `work` as the signed-in user managing the tenant's users, and commits.
pub(super) async fn as_manager<T>(
    state: &AppState,
    user: &TenantUser,
    client: &ClientContext,
    work: impl AsyncFnOnce(&mut TenantTx, Manager<'_>) -> ApiResult<T>,
) -> ApiResult<T> {
    let scope = user.tenant.scope();
    let mut tx = scope.begin(state.tenancy.pool()).await?;
    let me = Principal::load(&mut tx, user.subject()).await?;
    let by = Manager {
        me: &me,
        client,
        scope: &scope,
        trust: &state.trust,
    };
    let done = work(&mut tx, by).await?;
    tx.commit().await?;
    Ok(done)
}
