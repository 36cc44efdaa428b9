//! The post type routes: `/api/v1/types`, public to read; registering and unregistering
//! need `manage_options`.

use super::params::post_type;
use super::transaction::{as_reader, as_user, in_tenant};
use crate::audit::ClientContext;
use crate::auth::tenant_user::{MaybeTenantUser, TenantUser};
use crate::content::post_type::PostType;
use crate::content::type_registry::{self, NewPostType, PostTypeInput};
use crate::http::extract::{Json, Path};
use crate::http::{ApiResult, Problem};
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;

/// List the post types: built-in and registered.
#[utoipa::path(
    get, path = "/api/v1/types", tag = "content",
    security((), ("tenant_token" = [])),
    responses((status = 200, description = "Every post type", body = [PostType]))
)]
pub async fn list_types(State(state): State<AppState>, who: MaybeTenantUser) -> ApiResult<axum::Json<Vec<PostType>>> {
    // The reader's session is checked (an ended one is refused), though anyone may list.
    let client = ClientContext::default();
    let types = as_reader(&state, &who, &client, async |tx, _| PostType::all(tx).await).await?;
    Ok(axum::Json(types))
}

/// Read a post type.
#[utoipa::path(
    get, path = "/api/v1/types/{name}", tag = "content",
    security((), ("tenant_token" = [])),
    params(("name" = String, Path, description = "Post type name")),
    responses(
        (status = 200, description = "The post type", body = PostType),
        (status = 404, description = "No such type", body = Problem),
    )
)]
pub async fn get_type(
    State(state): State<AppState>,
    who: MaybeTenantUser,
    Path(name): Path<String>,
) -> ApiResult<axum::Json<PostType>> {
    let name = post_type(&name)?;
    let found = in_tenant(&state, &who.tenant, async |tx| PostType::load(tx, &name).await).await?;
    Ok(axum::Json(found))
}

/// Register a post type (`manage_options`). Its posts are served at `/api/v1/content/{name}`.
#[utoipa::path(
    post, path = "/api/v1/types", tag = "content",
    security(("tenant_token" = [])),
    request_body = PostTypeInput,
    responses(
        (status = 201, description = "Registered", body = PostType),
        (status = 403, description = "Needs manage_options", body = Problem),
        (status = 409, description = "The name is taken or reserved", body = Problem),
        (status = 422, description = "Invalid fields", body = Problem),
    )
)]
pub async fn register_type(
    State(state): State<AppState>,
    user: TenantUser,
    client: ClientContext,
    Json(input): Json<PostTypeInput>,
) -> ApiResult<(StatusCode, axum::Json<PostType>)> {
    let new = NewPostType::try_from(input)?;
    let registered = as_user(&state, &user, &client, async |tx, me| {
        type_registry::register_type(tx, me, new).await
    })
    .await?;
    Ok((StatusCode::CREATED, axum::Json(registered)))
}

/// Unregister a post type (`manage_options`) that has no posts left.
#[utoipa::path(
    delete, path = "/api/v1/types/{name}", tag = "content",
    security(("tenant_token" = [])),
    params(("name" = String, Path, description = "Post type name")),
    responses(
        (status = 204, description = "Unregistered"),
        (status = 403, description = "Needs manage_options", body = Problem),
        (status = 404, description = "No such type", body = Problem),
        (status = 409, description = "A core type, one with posts, or one a taxonomy still names", body = Problem),
    )
)]
pub async fn unregister_type(
    State(state): State<AppState>,
    user: TenantUser,
    client: ClientContext,
    Path(name): Path<String>,
) -> ApiResult<StatusCode> {
    let name = post_type(&name)?;
    as_user(&state, &user, &client, async |tx, me| {
        type_registry::unregister_type(tx, me, &name).await
    })
    .await?;
    Ok(StatusCode::NO_CONTENT)
}
