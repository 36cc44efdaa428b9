use crate::access::Principal;
use crate::access::builtin_roles::{BUILTIN_ROLES, builtin_role};
use crate::access::trust::engine::enforce_manage_users;
use crate::audit::{self, Actor, AuditEvent, ClientContext, Outcome};
use crate::auth::tenant_user::TenantUser;
use crate::http::extract::{Json, Path};
use crate::http::{ApiError, ApiResult, FieldError, Problem};
use crate::roles::codes::RoleCode;
use crate::state::AppState;
use crate::users::roles_check::ensure_grantable;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use tenants::TenantTx;
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
pub struct RoleView {
    pub name: String,
    pub display_name: String,
    pub capabilities: Vec<String>,
    /// Defined by the platform; cannot be changed or deleted.
    pub builtin: bool,
}

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

const MANAGE_ROLES: &str = "manage_options";
const MAX_CAPABILITIES: usize = 200;

fn valid_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// Checks a definition; returns its capabilities sorted and without repeats.
fn validate(body: &RoleDefinition) -> ApiResult<Vec<String>> {
    let mut errors = Vec::new();
    let chars = body.display_name.trim().chars().count();
    if !(1..=100).contains(&chars) {
        errors.push(FieldError {
            field: "display_name".into(),
            message: "1 to 100 characters".into(),
        });
    }
    if body.capabilities.len() > MAX_CAPABILITIES {
        errors.push(FieldError {
            field: "capabilities".into(),
            message: "at most 200".into(),
        });
    }
    for (i, cap) in body.capabilities.iter().enumerate() {
        if !valid_name(cap) {
            errors.push(FieldError {
                field: format!("capabilities/{i}"),
                message: "1 to 64 of a-z, 0-9 and _".into(),
            });
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    let mut caps = body.capabilities.clone();
    caps.sort();
    caps.dedup();
    Ok(caps)
}

async fn custom_role(tx: &mut TenantTx, name: &str) -> ApiResult<Option<RoleView>> {
    let row: Option<(String, String, Vec<String>)> =
        sqlx::query_as("SELECT name, display_name, capabilities FROM roles WHERE name = $1")
            .bind(name)
            .fetch_optional(&mut **tx)
            .await?;
    Ok(row.map(|(name, display_name, capabilities)| RoleView {
        name,
        display_name,
        capabilities,
        builtin: false,
    }))
}

/// Opens the transaction of a change to the role definitions, for a user who may make it:
/// `manage_roles`, and the trust that managing users asks (a role grants capabilities).
async fn begin_managing(
    state: &AppState,
    user: &TenantUser,
    client: &ClientContext,
) -> ApiResult<(TenantTx, Principal)> {
    let mut tx = user.tenant.scope().begin(state.tenancy.pool()).await?;
    let me = Principal::load(&mut tx, user.subject()).await?;
    me.require(MANAGE_ROLES)?;
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
    let custom: Vec<(String, String, Vec<String>)> =
        sqlx::query_as("SELECT name, display_name, capabilities FROM roles ORDER BY name")
            .fetch_all(&mut *tx)
            .await?;
    tx.commit().await?;
    let mut roles: Vec<RoleView> = BUILTIN_ROLES
        .iter()
        .map(|r| RoleView {
            name: r.name.into(),
            display_name: r.display_name.into(),
            capabilities: r.capabilities.iter().map(|c| (*c).to_owned()).collect(),
            builtin: true,
        })
        .collect();
    roles.extend(custom.into_iter().map(|(name, display_name, capabilities)| RoleView {
        name,
        display_name,
        capabilities,
        builtin: false,
    }));
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
    let caps = validate(&body)?;
    if builtin_role(&name).is_some() {
        return Err(builtin_is_fixed(&name));
    }
    let (mut tx, me) = begin_managing(&state, &user, &client).await?;
    ensure_grantable(&me, &caps)?;
    let inserted = sqlx::query("INSERT INTO roles (name, display_name, capabilities) VALUES ($1, $2, $3)")
        .bind(&name)
        .bind(body.display_name.trim())
        .bind(&caps)
        .execute(&mut *tx)
        .await;
    if let Err(e) = &inserted
        && e.as_database_error().and_then(|d| d.constraint()) == Some("roles_pkey")
    {
        return Err(ApiError::of(
            RoleCode::RoleExists,
            format!("a role named {name} already exists"),
        ));
    }
    inserted?;
    let event = AuditEvent::new("role.create", Outcome::Success, Actor::User(*me.user_id.as_uuid()))
        .resource("role", &name)
        .details(serde_json::json!({"capabilities": caps}));
    audit::append(&mut tx, &event, &client).await?;
    tx.commit().await?;
    let view = RoleView {
        name,
        display_name: body.display_name.trim().to_owned(),
        capabilities: caps,
        builtin: false,
    };
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
    let caps = validate(&body)?;
    let (mut tx, me) = begin_managing(&state, &user, &client).await?;
    let current = custom_role(&mut tx, &name).await?.ok_or_else(not_found)?;
    ensure_grantable(&me, &caps)?;
    ensure_grantable(&me, &current.capabilities)?;
    sqlx::query("UPDATE roles SET display_name = $2, capabilities = $3, updated_at = now() WHERE name = $1")
        .bind(&name)
        .bind(body.display_name.trim())
        .bind(&caps)
        .execute(&mut *tx)
        .await?;
    let event = AuditEvent::new("role.update", Outcome::Success, Actor::User(*me.user_id.as_uuid()))
        .resource("role", &name)
        .details(serde_json::json!({"from": current.capabilities, "to": caps}));
    audit::append(&mut tx, &event, &client).await?;
    tx.commit().await?;
    Ok(axum::Json(RoleView {
        name,
        display_name: body.display_name.trim().to_owned(),
        capabilities: caps,
        builtin: false,
    }))
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
    let current = custom_role(&mut tx, &name).await?.ok_or_else(not_found)?;
    ensure_grantable(&me, &current.capabilities)?;
    let holders: i64 = sqlx::query_scalar("SELECT count(*) FROM users WHERE $1 = ANY(roles)")
        .bind(&name)
        .fetch_one(&mut *tx)
        .await?;
    if holders > 0 {
        return Err(ApiError::of(
            RoleCode::RoleInUse,
            format!("{holders} user(s) hold this role; reassign them first"),
        ));
    }
    sqlx::query("DELETE FROM roles WHERE name = $1")
        .bind(&name)
        .execute(&mut *tx)
        .await?;
    let event =
        AuditEvent::new("role.delete", Outcome::Success, Actor::User(*me.user_id.as_uuid())).resource("role", &name);
    audit::append(&mut tx, &event, &client).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

fn not_found() -> ApiError {
    ApiError::of(RoleCode::RoleNotFound, "no custom role with this name")
}
