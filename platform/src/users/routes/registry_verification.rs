use crate::access::Principal;
use crate::access::builtin_roles::MANAGE_COMPLIANCE;
use crate::audit::{self, Actor, AuditEvent, ClientContext, Outcome};
use crate::auth::tenant_user::TenantUser;
use crate::http::extract::{Json, Path};
use crate::http::{ApiError, ApiResult, Problem};
use crate::state::AppState;
use crate::users::codes::UserCode;
use crate::users::lookup::not_found;
use crate::users::model::{UserView, find};
use axum::extract::State;
use serde::Deserialize;
use tenants::UserId;
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegistryVerdict {
    /// True: checked against the council's register. False: withdraw the verification.
    pub verified: bool,
}

/// Record that a user's professional registration was checked (manage_compliance).
#[utoipa::path(
    post, path = "/api/v1/users/{id}/registry/verify", tag = "users",
    security(("tenant_token" = [])),
    params(("id" = String, Path, format = Uuid)),
    request_body = RegistryVerdict,
    responses(
        (status = 200, description = "Recorded", body = UserView),
        (status = 403, description = "Needs manage_compliance", body = Problem),
        (status = 404, description = "No such user", body = Problem),
        (status = 409, description = "The user has no registration", body = Problem),
    )
)]
pub async fn verify(
    State(state): State<AppState>,
    user: TenantUser,
    client: ClientContext,
    Path(id): Path<UserId>,
    Json(body): Json<RegistryVerdict>,
) -> ApiResult<axum::Json<UserView>> {
    let mut tx = user.tenant.scope().begin(state.tenancy.pool()).await?;
    let me = Principal::load(&mut tx, user.subject()).await?;
    me.require(MANAGE_COMPLIANCE)?;
    crate::access::trust::engine::enforce_manage_users(&state.trust, &mut tx, &user.tenant.scope(), &me, &client)
        .await?;
    let current = find(&mut tx, id).await?.ok_or_else(not_found)?;
    let Some(registry) = current.registry else {
        return Err(ApiError::of(
            UserCode::NoRegistry,
            "this user has no professional registration to verify",
        ));
    };
    sqlx::query(
        "UPDATE users SET registry_verified = $2, registry_verified_at = CASE WHEN $2 THEN now() END, \
         updated_at = now() WHERE id = $1",
    )
    .bind(id)
    .bind(body.verified)
    .execute(&mut *tx)
    .await?;
    let event = AuditEvent::new(
        "user.registry_verify",
        Outcome::Success,
        Actor::User(*me.user_id.as_uuid()),
    )
    .resource("user", id)
    .details(serde_json::json!({
        "verified": body.verified,
        "registry": format!("{} {}/{}", registry.kind, registry.number, registry.state),
    }));
    audit::append(&mut tx, &event, &client).await?;
    let view = find(&mut tx, id).await?.ok_or_else(not_found)?;
    tx.commit().await?;
    Ok(axum::Json(view))
}
