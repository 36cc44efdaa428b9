use crate::access::{MetaCap, Principal};
use crate::audit::{self, Actor, AuditEvent, ClientContext, Outcome};
use crate::auth::tenant_user::TenantUser;
use crate::http::extract::{Json, Path};
use crate::http::{ApiResult, Problem};
use crate::state::AppState;
use crate::users::lookup::{not_found, visible};
use crate::users::model::{UserView, find};
use crate::users::roles_check::{ensure_grantable, role_capabilities};
use axum::extract::State;
use serde::Deserialize;
use tenants::UserId;
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoleAssignment {
    /// The user's roles from now on (1 to 16).
    #[schema(min_items = 1, max_items = 16)]
    pub roles: Vec<String>,
}

/// Set a user's roles (promote_user: promote_users, never yourself, and only roles whose
/// capabilities you hold, both the ones given and the ones taken away).
#[utoipa::path(
    put, path = "/api/v1/users/{id}/roles", tag = "users",
    security(("tenant_token" = [])),
    params(("id" = String, Path, format = Uuid)),
    request_body = RoleAssignment,
    responses(
        (status = 200, description = "Roles set", body = UserView),
        (status = 403, description = "Needs promote_users; or it is you; or a capability you lack", body = Problem),
        (status = 404, description = "No such user", body = Problem),
        (status = 422, description = "Unknown role", body = Problem),
    )
)]
pub async fn assign(
    State(state): State<AppState>,
    user: TenantUser,
    client: ClientContext,
    Path(id): Path<UserId>,
    Json(body): Json<RoleAssignment>,
) -> ApiResult<axum::Json<UserView>> {
    let mut tx = user.tenant.scope().begin(state.tenancy.pool()).await?;
    let me = Principal::load(&mut tx, user.subject()).await?;
    let target = visible(&mut tx, &me, id).await?;
    me.require_meta(MetaCap::PromoteUser(id))?;
    let mut roles = body.roles;
    roles.sort();
    roles.dedup();
    let granted = role_capabilities(&mut tx, &roles).await?;
    ensure_grantable(&me, &granted)?;
    // Taking a role away is as powerful as giving it: an editor cannot demote an administrator.
    let current = role_capabilities(&mut tx, &target.roles).await.unwrap_or_default();
    ensure_grantable(&me, &current)?;
    crate::access::trust::engine::enforce_manage_users(&state.trust, &mut tx, &user.tenant.scope(), &me, &client)
        .await?;
    sqlx::query("UPDATE users SET roles = $2, updated_at = now() WHERE id = $1")
        .bind(id)
        .bind(&roles)
        .execute(&mut *tx)
        .await?;
    let event = AuditEvent::new("user.roles", Outcome::Success, Actor::User(*me.user_id.as_uuid()))
        .resource("user", id)
        .details(serde_json::json!({"from": target.roles, "to": roles}));
    audit::append(&mut tx, &event, &client).await?;
    let view = find(&mut tx, id).await?.ok_or_else(not_found)?;
    tx.commit().await?;
    Ok(axum::Json(view))
}
