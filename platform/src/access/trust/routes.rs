use super::engine::{Action, Decision, evaluate};
use crate::access::Principal;
use crate::audit::ClientContext;
use crate::auth::tenant_user::TenantUser;
use crate::http::extract::Query;
use crate::http::{ApiResult, Problem};
use crate::state::AppState;
use axum::extract::State;
use serde::Deserialize;
use utoipa::IntoParams;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TrustQuery {
    /// `create_draft`, `publish`, `read_phi` or `manage_users`.
    pub action: Action,
}

/// How much this request is trusted for an action, and what would raise it.
///
/// Nothing is recorded: this explains a decision, it does not take one. The same score is
/// what gates the action when it is attempted.
#[utoipa::path(
    get, path = "/api/v1/auth/trust", tag = "auth",
    security(("tenant_token" = [])),
    params(TrustQuery),
    responses(
        (status = 200, description = "The score, each factor, and the verdict", body = Decision),
        (status = 400, description = "Unknown action", body = Problem),
    )
)]
pub async fn explain(
    State(state): State<AppState>,
    user: TenantUser,
    client: ClientContext,
    Query(query): Query<TrustQuery>,
) -> ApiResult<axum::Json<Decision>> {
    let mut tx = user.tenant.scope().begin(state.tenancy.pool()).await?;
    let me = Principal::load(&mut tx, user.subject()).await?;
    let decision = evaluate(&state.trust, &mut tx, &me, query.action, &client).await?;
    tx.commit().await?;
    Ok(axum::Json(decision))
}
