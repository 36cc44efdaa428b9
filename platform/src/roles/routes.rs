//! The roles API: the definitions are checked here, the rest is `definitions.rs`.

use super::definitions::{self, CheckedRole, RoleView, valid_name};
use crate::access::Principal;
use crate::access::builtin_roles::builtin_role;
use crate::access::trust::engine::enforce_manage_users;
use crate::audit::ClientContext;
use crate::auth::tenant_user::TenantUser;
use crate::http::extract::{Json, Path};
use crate::http::{ApiError, ApiResult, Problem};
use crate::roles::codes::RoleCode;
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use tenants::TenantTx;
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoleDefinition {
    /// The role's name, if given, must be the one in the path: roles are not renamed.
    #[schema(pattern = "^[a-z][a-z0-9_]{0,63}$")]
    pub name: Option<String>,
    /// 1 to 100 characters, not only spaces.
    #[schema(min_length = 1, max_length = 100, pattern = r"\S")]
    pub display_name: String,
    /// Capability names (1 to 64 of a-z, 0-9 and _, starting with a letter), at most 200.
    #[schema(max_items = 200, inline, value_type = Vec<crate::roles::routes::CapabilityName>)]
    pub capabilities: Vec<String>,
}

/// A custom role to define.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRole {
    /// 1 to 64 of a-z, 0-9 and _, starting with a letter.
    #[schema(pattern = "^[a-z][a-z0-9_]{0,63}$")]
    pub name: String,
    /// 1 to 100 characters, not only spaces.
    #[schema(min_length = 1, max_length = 100, pattern = r"\S")]
    pub display_name: String,
    /// Capability names (1 to 64 of a-z, 0-9 and _, starting with a letter), at most 200.
    #[schema(max_items = 200, inline, value_type = Vec<crate::roles::routes::CapabilityName>)]
    pub capabilities: Vec<String>,
}

impl From<NewRole> for RoleDefinition {
    fn from(role: NewRole) -> Self {
        Self {
            name: Some(role.name),
            display_name: role.display_name,
            capabilities: role.capabilities,
        }
    }
}

crate::openapi::string_schema::pattern_schema!(
    /// A capability name: 1 to 64 of a-z, 0-9 and _, starting with a letter.
    CapabilityName = "^[a-z][a-z0-9_]{0,63}$"
);

/// Roles are managed with `manage_options`, as WordPress plugins that edit roles do.
const MANAGE_OPTIONS: &str = "manage_options";

/// Checks a definition of the role `name`.
fn validate(name: &str, body: &RoleDefinition) -> ApiResult<CheckedRole> {
    CheckedRole::check(name, &body.display_name, &body.capabilities)
}

/// Opens the transaction of a change to the role definitions, for a user who may make it:
/// `manage_options`, and the trust that managing users asks (a role grants capabilities).
async fn begin_managing(
    state: &AppState,
    user: &TenantUser,
    client: &ClientContext,
) -> ApiResult<(TenantTx, Principal)> {
    let mut tx = user.tenant.scope().begin(state.tenancy.pool()).await?;
    let me = Principal::load(&mut tx, user.subject()).await?;
    me.require(MANAGE_OPTIONS)?;
    enforce_manage_users(&state.trust, &mut tx, &user.tenant.scope(), &me, client).await?;
    Ok((tx, me))
}

fn builtin_is_fixed(name: &str) -> ApiError {
    ApiError::of(
        RoleCode::BuiltinRole,
        format!("{name} is a built-in role; define a custom role instead"),
    )
}

/// List every role: the built-in ones, then the tenant's own (list_users).
#[utoipa::path(
    get, path = "/api/v1/roles", tag = "users",
    security(("tenant_token" = [])),
    responses(
        (status = 200, description = "All roles", body = [RoleView]),
        (status = 403, description = "Needs list_users", body = Problem),
    )
)]
pub async fn list(State(state): State<AppState>, user: TenantUser) -> ApiResult<axum::Json<Vec<RoleView>>> {
    let mut tx = user.tenant.scope().begin(state.tenancy.pool()).await?;
    Principal::load(&mut tx, user.subject()).await?.require("list_users")?;
    let roles = definitions::all(&mut tx).await?;
    tx.commit().await?;
    Ok(axum::Json(roles))
}

/// Define a custom role (manage_options; only capabilities you hold).
#[utoipa::path(
    post, path = "/api/v1/roles", tag = "users",
    security(("tenant_token" = [])),
    request_body = NewRole,
    responses(
        (status = 201, description = "Defined", body = RoleView),
        (status = 403, description = "Needs manage_options, and only capabilities you hold", body = Problem),
        (status = 409, description = "The name is taken (built-in or custom)", body = Problem),
        (status = 422, description = "Invalid definition", body = Problem),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    user: TenantUser,
    client: ClientContext,
    Json(body): Json<NewRole>,
) -> ApiResult<(StatusCode, axum::Json<RoleView>)> {
    let body = RoleDefinition::from(body);
    let name = body.name.clone().unwrap_or_default();
    if !valid_name(&name) {
        return Err(ApiError::invalid_field(
            "name",
            "1 to 64 of a-z, 0-9 and _, starting with a letter",
        ));
    }
    let role = validate(&name, &body)?;
    if builtin_role(&name).is_some() {
        return Err(builtin_is_fixed(&name));
    }
    let (mut tx, me) = begin_managing(&state, &user, &client).await?;
    let view = definitions::define(&mut tx, &me, &client, role).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, axum::Json(view)))
}

/// Redefine a custom role (manage_options; you must hold every capability it has or gets).
#[utoipa::path(
    put, path = "/api/v1/roles/{name}", tag = "users",
    security(("tenant_token" = [])),
    params(("name" = String, Path)),
    request_body = RoleDefinition,
    responses(
        (status = 200, description = "Redefined; takes effect on its holders' next request", body = RoleView),
        (status = 403, description = "Needs manage_options, and only capabilities you hold", body = Problem),
        (status = 404, description = "No such custom role", body = Problem),
        (status = 409, description = "Built-in roles cannot change", body = Problem),
    )
)]
pub async fn update(
    State(state): State<AppState>,
    user: TenantUser,
    client: ClientContext,
    Path(name): Path<String>,
    Json(body): Json<RoleDefinition>,
) -> ApiResult<axum::Json<RoleView>> {
    if builtin_role(&name).is_some() {
        return Err(builtin_is_fixed(&name));
    }
    if body.name.as_deref().is_some_and(|n| n != name) {
        return Err(ApiError::invalid_field("name", "a role cannot be renamed"));
    }
    let role = validate(&name, &body)?;
    let (mut tx, me) = begin_managing(&state, &user, &client).await?;
    let view = definitions::redefine(&mut tx, &me, &client, role).await?;
    tx.commit().await?;
    Ok(axum::Json(view))
}

/// Delete a custom role nobody holds (manage_options).
#[utoipa::path(
    delete, path = "/api/v1/roles/{name}", tag = "users",
    security(("tenant_token" = [])),
    params(("name" = String, Path)),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such custom role", body = Problem),
        (status = 409, description = "Built-in, or still held by users", body = Problem),
    )
)]
pub async fn delete(
    State(state): State<AppState>,
    user: TenantUser,
    client: ClientContext,
    Path(name): Path<String>,
) -> ApiResult<StatusCode> {
    if builtin_role(&name).is_some() {
        return Err(builtin_is_fixed(&name));
    }
    let (mut tx, me) = begin_managing(&state, &user, &client).await?;
    definitions::remove(&mut tx, &me, &client, &name).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
