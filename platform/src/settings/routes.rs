use super::model::Settings;
use super::store;
use crate::access::Principal;
use crate::audit::ClientContext;
use crate::auth::tenant_user::TenantUser;
use crate::http::etag::{etag, if_match};
use crate::http::extract::Json;
use crate::http::{ApiError, ApiResult, Problem};
use crate::state::AppState;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::http::header::ETAG;
use axum::response::IntoResponse;

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
    let me = Principal::load(&mut tx, user.subject()).await?;
    let (settings, version) = store::read(&mut tx, &me).await?;
    tx.commit().await?;
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
    let version = store::replace(&mut tx, &me, &client, &settings, expected).await?;
    tx.commit().await?;
    state.cors.invalidate(user.tenant.id);
    state.trust.clear();
    Ok(respond(settings, version))
}
