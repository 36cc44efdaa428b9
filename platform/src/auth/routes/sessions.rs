use crate::access::Principal;
use crate::audit::ClientContext;
use crate::auth::sessions::{self, SessionView};
use crate::auth::tenant_user::TenantUser;
use crate::http::extract::Path;
use crate::http::{ApiResult, Problem};
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use uuid::Uuid;

/// Sign out: end this session. Its access and refresh tokens stop working at once.
#[utoipa::path(
    post, path = "/api/v1/auth/logout", tag = "auth",
    security(("tenant_token" = [])),
    responses(
        (status = 204, description = "Signed out"),
        (status = 401, description = "No valid token, or the session already ended", body = Problem),
    )
)]
pub async fn logout(State(state): State<AppState>, user: TenantUser, client: ClientContext) -> ApiResult<StatusCode> {
    let mut tx = user.tenant.scope().begin(state.tenancy.pool()).await?;
    let me = Principal::load_during_enrolment(&mut tx, user.subject()).await?;
    sessions::logout(&mut tx, me.user_id, me.session_id, &client).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// List your live sessions, most recently used first.
#[utoipa::path(
    get, path = "/api/v1/auth/sessions", tag = "auth",
    security(("tenant_token" = [])),
    responses(
        (status = 200, description = "Live sessions; `current` marks this one", body = [SessionView]),
        (status = 401, description = "No valid token", body = Problem),
    )
)]
pub async fn list(State(state): State<AppState>, user: TenantUser) -> ApiResult<axum::Json<Vec<SessionView>>> {
    let mut tx = user.tenant.scope().begin(state.tenancy.pool()).await?;
    let me = Principal::load(&mut tx, user.subject()).await?;
    let live = sessions::list_live(&mut tx, me.user_id, me.session_id, state.session_limits).await?;
    tx.commit().await?;
    Ok(axum::Json(live))
}

/// End one of your sessions (a lost phone, say).
#[utoipa::path(
    delete, path = "/api/v1/auth/sessions/{id}", tag = "auth",
    security(("tenant_token" = [])),
    params(("id" = String, Path, format = Uuid)),
    responses(
        (status = 204, description = "Ended"),
        (status = 404, description = "No live session of yours with this id", body = Problem),
    )
)]
pub async fn revoke(
    State(state): State<AppState>,
    user: TenantUser,
    client: ClientContext,
    Path(id): Path<Uuid>,
) -> ApiResult<StatusCode> {
    let mut tx = user.tenant.scope().begin(state.tenancy.pool()).await?;
    let me = Principal::load(&mut tx, user.subject()).await?;
    sessions::revoke_own(&mut tx, me.user_id, &client, id).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
