use super::model::Settings;
use crate::access::Principal;
use crate::audit::{self, Actor, AuditEvent, ClientContext, Outcome};
use crate::auth::tenant_user::TenantUser;
use crate::http::etag::{etag, if_match, stale};
use crate::http::extract::Json;
use crate::http::{ApiError, ApiResult, Problem};
use crate::state::AppState;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::http::header::ETAG;
use axum::response::IntoResponse;

/// Settings are WordPress's options: they need `manage_options` (administrators). Checked
/// against the database on every request, so a demoted or disabled administrator loses access
/// at once rather than when the token expires.
const MANAGE_OPTIONS: &str = "manage_options";

fn respond(settings: Settings, version: i64) -> impl IntoResponse {
    ([(ETAG, etag(version))], axum::Json(settings))
}

/// Read the tenant's settings.
#[utoipa::path(
    get, path = "/api/v1/settings", tag = "settings",
    security(("tenant_token" = [])),
    responses(
        (status = 200, description = "The settings; the ETag header carries their version", body = Settings),
        (status = 401, description = "No valid token of this tenant", body = Problem),
        (status = 403, description = "Not an administrator", body = Problem),
    )
)]
pub async fn get_settings(State(state): State<AppState>, user: TenantUser) -> ApiResult<impl IntoResponse> {
    let mut tx = user.tenant.scope().begin(state.tenancy.pool()).await?;
    Principal::load(&mut tx, user.subject())
        .await?
        .require(MANAGE_OPTIONS)?;
    let (document, version): (serde_json::Value, i64) = sqlx::query_as("SELECT document, version FROM settings")
        .fetch_one(&mut *tx)
        .await?;
    tx.commit().await?;
    let settings: Settings = serde_json::from_value(document).map_err(ApiError::internal)?;
    Ok(respond(settings, version))
}

/// Replace the tenant's settings.
///
/// Send the whole document. With `If-Match` (the ETag of a read), a concurrent change gives
/// 412 instead of being overwritten silently.
#[utoipa::path(
    put, path = "/api/v1/settings", tag = "settings",
    security(("tenant_token" = [])),
    request_body = Settings,
    params(("If-Match" = Option<String>, Header, description = "ETag from a previous read")),
    responses(
        (status = 200, description = "Saved", body = Settings),
        (status = 401, description = "No valid token of this tenant", body = Problem),
        (status = 403, description = "Not an administrator", body = Problem),
        (status = 412, description = "Changed since the If-Match version", body = Problem),
        (status = 422, description = "Invalid fields", body = Problem),
    )
)]
pub async fn put_settings(
    State(state): State<AppState>,
    user: TenantUser,
    client: ClientContext,
    headers: HeaderMap,
    Json(settings): Json<Settings>,
) -> ApiResult<impl IntoResponse> {
    let errors = settings.validate();
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    let expected = if_match(&headers)?;
    let mut tx = user.tenant.scope().begin(state.tenancy.pool()).await?;
    let me = Principal::load(&mut tx, user.subject()).await?;
    me.require(MANAGE_OPTIONS)?;
    if me.roles.iter().any(|role| settings.mfa_required_roles.contains(role)) {
        // Requiring MFA of your own role without having it would confine you to enrolling,
        // which (the policy then requiring it) needs a token another administrator issues.
        let enrolled: bool = sqlx::query_scalar("SELECT mfa_enabled_at IS NOT NULL FROM users WHERE id = $1")
            .bind(me.user_id)
            .fetch_one(&mut *tx)
            .await?;
        if !enrolled {
            return Err(ApiError::invalid_field(
                "mfa_required_roles",
                "it names a role of yours and you have no MFA: enrol first, or it would lock you out",
            ));
        }
    }
    let document = serde_json::to_value(&settings).map_err(ApiError::internal)?;
    let version: Option<i64> = sqlx::query_scalar(
        "UPDATE settings SET document = $1, version = version + 1, updated_at = now(), updated_by = $2 \
         WHERE $3::bigint IS NULL OR version = $3 RETURNING version",
    )
    .bind(document)
    .bind(me.user_id)
    .bind(expected)
    .fetch_optional(&mut *tx)
    .await?;
    let version = version.ok_or_else(|| stale("settings"))?;
    let event = AuditEvent::new("settings.update", Outcome::Success, Actor::User(*me.user_id.as_uuid()))
        .resource("settings", version);
    audit::append(&mut tx, &event, &client).await?;
    tx.commit().await?;
    state.cors.invalidate(user.tenant.id);
    state.trust.clear();
    Ok(respond(settings, version))
}
