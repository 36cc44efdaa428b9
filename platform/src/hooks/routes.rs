use super::catalogue::{Hook, HookPoint};
use crate::http::ApiResult;

/// The hook catalogue: every point a plugin can subscribe to.
#[utoipa::path(
    get, path = "/api/v1/hooks", tag = "plugins",
    responses((status = 200, description = "Every hook point, filters and actions", body = [HookPoint]))
)]
pub async fn catalogue() -> ApiResult<axum::Json<Vec<HookPoint>>> {
    Ok(axum::Json(Hook::ALL.into_iter().map(Hook::point).collect()))
}
