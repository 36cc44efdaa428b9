use super::create::conflicts;
use super::model::{Registry, UserView, find, valid_display_name};
use crate::access::builtin_roles::MANAGE_COMPLIANCE;
use crate::access::{MetaCap, Principal};
use crate::audit::{self, Actor, AuditEvent, ClientContext, Outcome};
use crate::auth::extract::TenantUser;
use crate::http::extract::{Json, Path};
use crate::http::{ApiError, ApiResult, FieldError, Problem};
use crate::state::AppState;
use axum::extract::State;
use serde::Deserialize;
use tenants::{Email, TenantTx, UserId};
use utoipa::ToSchema;

pub fn not_found() -> ApiError {
    ApiError::not_found("user_not_found", "no such user")
}

/// Reads one user: themselves, or anyone with list_users. Others get 404, not 403, so ids
/// cannot be probed.
pub async fn visible(tx: &mut TenantTx, me: &Principal, id: UserId) -> ApiResult<UserView> {
    if id != me.user_id && !me.has("list_users") {
        return Err(not_found());
    }
    find(tx, id).await?.ok_or_else(not_found)
}

/// Show one user.
#[utoipa::path(
    get, path = "/api/v1/users/{id}", tag = "users",
    security(("tenant_token" = [])),
    params(("id" = String, Path, format = Uuid)),
    responses(
        (status = 200, description = "The user", body = UserView),
        (status = 404, description = "No such user (or not visible to you)", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get(
    State(state): State<AppState>,
    user: TenantUser,
    Path(id): Path<UserId>,
) -> ApiResult<axum::Json<UserView>> {
    let mut tx = user.tenant.scope().begin(state.tenancy.pool()).await?;
    let me = Principal::load(&mut tx, &user.subject).await?;
    let view = visible(&mut tx, &me, id).await?;
    tx.commit().await?;
    Ok(axum::Json(view))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserPatch {
    /// 1 to 200 characters, not only spaces.
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    pub display_name: Option<String>,
    #[schema(value_type = Option<crate::openapi::EmailAddress>)]
    pub email: Option<String>,
    /// Set or replace the professional registry; `verified` needs manage_compliance. `null`
    /// removes it.
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<Registry>)]
    pub registry: Option<Option<Registry>>,
}

/// Distinguishes an absent field (leave as is) from `null` (remove).
mod double_option {
    use serde::{Deserialize, Deserializer};
    pub fn deserialize<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<Option<T>>, D::Error> {
        Option::<T>::deserialize(d).map(Some)
    }
}

/// Applies a patch as `me` (edit_user rules are checked by the caller).
pub async fn apply_patch(
    tx: &mut TenantTx,
    me: &Principal,
    id: UserId,
    patch: UserPatch,
    client: &ClientContext,
) -> ApiResult<UserView> {
    let mut errors = Vec::new();
    if patch.display_name.as_deref().is_some_and(|n| !valid_display_name(n)) {
        errors.push(FieldError {
            field: "display_name".into(),
            message: "1 to 200 characters".into(),
        });
    }
    let email = match &patch.email {
        Some(e) => Email::parse(e).map(Some).unwrap_or_else(|err| {
            errors.push(FieldError {
                field: "email".into(),
                message: err.to_string(),
            });
            None
        }),
        None => None,
    };
    if let Some(Some(registry)) = &patch.registry {
        errors.extend(registry.validate());
    }
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    let current = find(tx, id).await?.ok_or_else(not_found)?;
    let (registry_changed, verified) = match &patch.registry {
        None => (false, current.registry.as_ref().is_some_and(|r| r.verified)),
        Some(new) => {
            let same_registration = match (new, &current.registry) {
                (Some(n), Some(c)) => (&n.kind, &n.number, &n.state) == (&c.kind, &c.number, &c.state),
                (None, None) => true,
                _ => false,
            };
            let wants_verified = new.as_ref().is_some_and(|r| r.verified);
            let was_verified = current.registry.as_ref().is_some_and(|r| r.verified);
            // Verifying, or keeping a verification on a changed registration, is a compliance act.
            if wants_verified && (!was_verified || !same_registration) {
                me.require(MANAGE_COMPLIANCE)?;
            }
            (true, wants_verified)
        }
    };
    let registry = patch.registry.clone().flatten();
    sqlx::query(
        "UPDATE users SET display_name = coalesce($2, display_name), email = coalesce($3, email), \
         registry_type = CASE WHEN $4 THEN $5 ELSE registry_type END, \
         registry_number = CASE WHEN $4 THEN $6 ELSE registry_number END, \
         registry_state = CASE WHEN $4 THEN $7 ELSE registry_state END, \
         registry_verified = $8, \
         registry_verified_at = CASE WHEN NOT $8 THEN NULL WHEN $4 AND $8 AND NOT registry_verified THEN now() \
                                     ELSE registry_verified_at END, \
         updated_at = now() WHERE id = $1",
    )
    .bind(id)
    .bind(patch.display_name.as_deref().map(str::trim))
    .bind(email.as_ref().map(Email::as_str))
    .bind(registry_changed)
    .bind(registry.as_ref().map(|r| &r.kind))
    .bind(registry.as_ref().map(|r| &r.number))
    .bind(registry.as_ref().map(|r| &r.state))
    .bind(verified)
    .execute(&mut **tx)
    .await
    .map_err(conflicts)?;
    let changed: Vec<&str> = [
        patch.display_name.as_ref().map(|_| "display_name"),
        patch.email.as_ref().map(|_| "email"),
        patch.registry.as_ref().map(|_| "registry"),
    ]
    .into_iter()
    .flatten()
    .collect();
    let event = AuditEvent::new("user.update", Outcome::Success, Actor::User(*me.user_id.as_uuid()))
        .resource("user", id)
        .details(serde_json::json!({"fields": changed}));
    audit::append(tx, &event, client).await?;
    find(tx, id).await?.ok_or_else(not_found)
}

/// Update a user (edit_user: yourself, or anyone with edit_users).
#[utoipa::path(
    patch, path = "/api/v1/users/{id}", tag = "users",
    security(("tenant_token" = [])),
    params(("id" = String, Path, format = Uuid)),
    request_body = UserPatch,
    responses(
        (status = 200, description = "Updated", body = UserView),
        (status = 403, description = "Needs edit_users (manage_compliance to verify a registry)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such user", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "E-mail or registry already used", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn update(
    State(state): State<AppState>,
    user: TenantUser,
    client: ClientContext,
    Path(id): Path<UserId>,
    Json(patch): Json<UserPatch>,
) -> ApiResult<axum::Json<UserView>> {
    let mut tx = user.tenant.scope().begin(state.tenancy.pool()).await?;
    let me = Principal::load(&mut tx, &user.subject).await?;
    visible(&mut tx, &me, id).await?;
    me.require_meta(MetaCap::EditUser(id))?;
    let view = apply_patch(&mut tx, &me, id, patch, &client).await?;
    tx.commit().await?;
    Ok(axum::Json(view))
}
