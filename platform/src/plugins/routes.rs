//! `/api/v1/plugins`: a tenant's administrator installs plugins (uploaded or from the
//! catalogue), grants the capabilities they ask for, configures and enables them. As in
//! WordPress: `install_plugins` to install and remove, `activate_plugins` to enable, disable
//! and grant, `manage_options` to configure.

use super::catalogue;
use super::installs::{self, InstalledPlugin, Source};
use super::manage::{self, Action, By, Install, not_installed};
use crate::access::Principal;
use crate::audit::{Actor, ClientContext};
use crate::auth::tenant_user::TenantUser;
use crate::http::codes::RequestCode;
use crate::http::extract::{Json, Path, Query};
use crate::http::{ApiError, ApiResult, Problem};
use crate::plugins::codes::PluginCode;
use crate::state::AppState;
use axum::extract::{FromRequest as _, Request, State};
use axum::http::StatusCode;
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use serde::Deserialize;
use serde_json::Value;
use tenants::TenantTx;
use utoipa::{IntoParams, ToSchema};

const INSTALL: &str = "install_plugins";
const ACTIVATE: &str = "activate_plugins";
const CONFIGURE: &str = "manage_options";

/// Install from the platform's catalogue.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InstallFromCatalogue {
    /// The plugin's name in the catalogue (`custom-fields`).
    pub catalogue: String,
    /// Capabilities to grant now; each must be one the plugin asks for.
    #[serde(default)]
    pub grant: Vec<String>,
    /// Enable at once (default false).
    #[serde(default)]
    pub enable: bool,
    /// Its configuration (default `{}`), checked against the plugin's schema.
    pub config: Option<Value>,
}

/// Options of an upload (`Content-Type: application/wasm`).
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct UploadOptions {
    /// Capabilities to grant, comma-separated (`kv,crypto`).
    pub grant: Option<String>,
    /// Enable at once (default false).
    pub enable: Option<bool>,
}

/// Capabilities to grant (replacing those granted before).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Grants {
    pub capabilities: Vec<String>,
}

async fn principal(state: &AppState, user: &TenantUser, capability: &str) -> ApiResult<(TenantTx, Principal)> {
    let mut tx = user.tenant.scope().begin(state.tenancy.pool()).await?;
    let me = Principal::load(&mut tx, user.subject()).await?;
    me.require(capability)?;
    Ok((tx, me))
}

/// List the installed plugins (`activate_plugins`).
#[utoipa::path(
    get, path = "/api/v1/plugins", tag = "plugins",
    security(("tenant_token" = [])),
    responses(
        (status = 200, description = "Installed plugins, by name", body = [InstalledPlugin]),
        (status = 403, description = "Needs activate_plugins", body = Problem),
    )
)]
pub async fn list(State(state): State<AppState>, user: TenantUser) -> ApiResult<axum::Json<Vec<InstalledPlugin>>> {
    let (mut tx, _) = principal(&state, &user, ACTIVATE).await?;
    let found = installs::list(&mut tx).await?;
    tx.commit().await?;
    Ok(axum::Json(found))
}

/// Read one installed plugin (`activate_plugins`).
#[utoipa::path(
    get, path = "/api/v1/plugins/{name}", tag = "plugins",
    security(("tenant_token" = [])),
    params(("name" = String, Path, description = "Plugin name")),
    responses(
        (status = 200, description = "The plugin", body = InstalledPlugin),
        (status = 403, description = "Needs activate_plugins", body = Problem),
        (status = 404, description = "Not installed", body = Problem),
    )
)]
pub async fn get_one(
    State(state): State<AppState>,
    user: TenantUser,
    Path(name): Path<String>,
) -> ApiResult<axum::Json<InstalledPlugin>> {
    let (mut tx, _) = principal(&state, &user, ACTIVATE).await?;
    let found = installs::get(&mut tx, &name).await?.ok_or_else(not_installed)?;
    tx.commit().await?;
    Ok(axum::Json(found))
}

/// Install a plugin (`install_plugins`): upload a component (`Content-Type: application/wasm`,
/// options in the query) or name one of the catalogue (JSON). The response lists the
/// capabilities it asks for; only those granted work.
#[utoipa::path(
    post, path = "/api/v1/plugins", tag = "plugins",
    security(("tenant_token" = [])),
    params(UploadOptions),
    request_body(
        content(
            (inline(crate::openapi::Binary) = "application/wasm"),
            (InstallFromCatalogue = "application/json"),
        ),
        description = "A WebAssembly component of the world platform:plugin@0.1.0, or a catalogue name"
    ),
    responses(
        (status = 201, description = "Installed", body = InstalledPlugin),
        (status = 403, description = "Needs install_plugins", body = Problem),
        (status = 404, description = "Not in the catalogue", body = Problem),
        (status = 409, description = "A plugin of that name is installed, or the plan's plugin quota (installs, uploaded bytes) is reached", body = Problem),
        (status = 413, description = "The component is too large", body = Problem),
        (status = 429, description = "The plan's compile time for uploads is spent for now; see Retry-After", body = Problem),
        (status = 415, description = "Neither application/wasm nor application/json", body = Problem),
        (status = 422, description = "Not a plugin component (the detail says why), or bad grants or config", body = Problem),
    )
)]
pub async fn install(
    State(state): State<AppState>,
    user: TenantUser,
    client: ClientContext,
    Query(options): Query<UploadOptions>,
    request: Request,
) -> ApiResult<(StatusCode, axum::Json<InstalledPlugin>)> {
    // Permission first: nothing is compiled for a user who may not install.
    let (tx, _) = principal(&state, &user, INSTALL).await?;
    tx.rollback().await?;
    let content_type = request
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let (compiled, source, grant, enable, config) = if content_type.starts_with("application/wasm") {
        let bytes = read_component(&state, request).await?;
        // Nothing is compiled for a tenant that could not keep the result.
        let quota = state.plugins.quota_for(&user.tenant.plan);
        let mut tx = user.tenant.scope().begin(state.tenancy.pool()).await?;
        super::quota::check_installs(&mut tx, quota, bytes.len() as u64).await?;
        tx.rollback().await?;
        super::quota::before_compile(&state.limiter, &user.tenant, quota).await?;
        // Compiled and charged in a task of its own: a client hanging up mid-compile stops
        // neither the compiler nor the charge for it.
        let compiling = {
            let (state, tenant) = (state.clone(), user.tenant.clone());
            tokio::spawn(async move {
                let started = std::time::Instant::now();
                let compiled = state.plugins.register_artifact(bytes).await;
                super::quota::charge_compile(&state.limiter, &tenant, quota, started.elapsed()).await;
                compiled
            })
        };
        let compiled = compiling.await.map_err(ApiError::internal)??;
        let grant: Vec<String> = options
            .grant
            .as_deref()
            .map(|g| {
                g.split(',')
                    .map(|s| s.trim().to_owned())
                    .filter(|s| !s.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        (compiled, Source::Upload, grant, options.enable.unwrap_or(false), None)
    } else if content_type.starts_with("application/json") {
        // The JSON extractor, with the default body limit: uploads are read raw (below), bounded
        // by the engine's artifact limit instead.
        let Json(body) = Json::<InstallFromCatalogue>::from_request(request, &state).await?;
        let compiled = catalogue::compiled(&state.plugins, &body.catalogue).await?;
        (compiled, Source::Catalogue, body.grant, body.enable, body.config)
    } else {
        return Err(ApiError::of(
            RequestCode::UnsupportedMediaType,
            "send a component as application/wasm, or {\"catalogue\": name} as application/json",
        ));
    };
    let (mut tx, me) = principal(&state, &user, INSTALL).await?;
    let adding = match source {
        Source::Upload => compiled.size as u64,
        Source::Catalogue => 0,
    };
    super::quota::check_installs(&mut tx, state.plugins.quota_for(&user.tenant.plan), adding).await?;
    let request = Install {
        compiled,
        source,
        grant,
        enable,
        config,
    };
    let view = manage::install(&mut tx, &by(&me, &client), request).await?;
    tx.commit().await?;
    state.plugins.changed(user.tenant.id).await;
    Ok((StatusCode::CREATED, axum::Json(view)))
}

/// Reads an uploaded component within the engine's size limit (413 past it).
pub(super) async fn read_component(state: &AppState, request: Request) -> ApiResult<Vec<u8>> {
    let max = state.plugins.runtime.limits().max_artifact_bytes;
    let too_large = || {
        ApiError::of(
            PluginCode::PluginTooLarge,
            format!("plugins may be at most {max} bytes"),
        )
    };
    let declared = request
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > max) {
        return Err(too_large());
    }
    let bytes = axum::body::to_bytes(request.into_body(), max)
        .await
        .map_err(|_| too_large())?;
    Ok(bytes.to_vec())
}

/// Uninstall a plugin (`install_plugins`): it stops running and its KV is erased.
#[utoipa::path(
    delete, path = "/api/v1/plugins/{name}", tag = "plugins",
    security(("tenant_token" = [])),
    params(("name" = String, Path, description = "Plugin name")),
    responses(
        (status = 204, description = "Uninstalled, its storage erased"),
        (status = 403, description = "Needs install_plugins", body = Problem),
        (status = 404, description = "Not installed", body = Problem),
    )
)]
pub async fn uninstall(
    State(state): State<AppState>,
    user: TenantUser,
    client: ClientContext,
    Path(name): Path<String>,
) -> ApiResult<StatusCode> {
    let (mut tx, me) = principal(&state, &user, INSTALL).await?;
    manage::uninstall(&mut tx, &by(&me, &client), &name).await?;
    tx.commit().await?;
    state.plugins.changed(user.tenant.id).await;
    Ok(StatusCode::NO_CONTENT)
}

fn by<'a>(me: &Principal, client: &'a ClientContext) -> By<'a> {
    By {
        actor: Actor::User(*me.user_id.as_uuid()),
        user: Some(me.user_id),
        client,
    }
}

/// Applies one change to an install, with the capability it needs.
async fn change(
    state: &AppState,
    user: &TenantUser,
    client: &ClientContext,
    capability: &str,
    name: &str,
    action: Action,
) -> ApiResult<axum::Json<InstalledPlugin>> {
    let (mut tx, me) = principal(state, user, capability).await?;
    let view = manage::change(&mut tx, &by(&me, client), name, action).await?;
    tx.commit().await?;
    state.plugins.changed(user.tenant.id).await;
    Ok(axum::Json(view))
}

/// Enable a plugin (`activate_plugins`): it runs on its hooks from the next request. Its
/// configuration must satisfy its schema.
#[utoipa::path(
    post, path = "/api/v1/plugins/{name}/enable", tag = "plugins",
    security(("tenant_token" = [])),
    params(("name" = String, Path, description = "Plugin name")),
    responses(
        (status = 200, description = "Enabled", body = InstalledPlugin),
        (status = 403, description = "Needs activate_plugins", body = Problem),
        (status = 404, description = "Not installed", body = Problem),
        (status = 422, description = "Its configuration does not satisfy its schema", body = Problem),
    )
)]
pub async fn enable(
    State(state): State<AppState>,
    user: TenantUser,
    client: ClientContext,
    Path(name): Path<String>,
) -> ApiResult<axum::Json<InstalledPlugin>> {
    change(&state, &user, &client, ACTIVATE, &name, Action::Enable).await
}

/// Disable a plugin (`activate_plugins`): it stays installed, configured and keeps its KV.
#[utoipa::path(
    post, path = "/api/v1/plugins/{name}/disable", tag = "plugins",
    security(("tenant_token" = [])),
    params(("name" = String, Path, description = "Plugin name")),
    responses(
        (status = 200, description = "Disabled", body = InstalledPlugin),
        (status = 403, description = "Needs activate_plugins", body = Problem),
        (status = 404, description = "Not installed", body = Problem),
    )
)]
pub async fn disable(
    State(state): State<AppState>,
    user: TenantUser,
    client: ClientContext,
    Path(name): Path<String>,
) -> ApiResult<axum::Json<InstalledPlugin>> {
    change(&state, &user, &client, ACTIVATE, &name, Action::Disable).await
}

/// Read a plugin's configuration (`manage_options`): the same JSON `PUT` takes, so it exports
/// and imports as is.
#[utoipa::path(
    get, path = "/api/v1/plugins/{name}/config", tag = "plugins",
    security(("tenant_token" = [])),
    params(("name" = String, Path, description = "Plugin name")),
    responses(
        (status = 200, description = "The configuration", body = Object),
        (status = 403, description = "Needs manage_options", body = Problem),
        (status = 404, description = "Not installed", body = Problem),
    )
)]
pub async fn get_config(
    State(state): State<AppState>,
    user: TenantUser,
    Path(name): Path<String>,
) -> ApiResult<axum::Json<Value>> {
    let (mut tx, _) = principal(&state, &user, CONFIGURE).await?;
    let found = installs::get(&mut tx, &name).await?.ok_or_else(not_installed)?;
    tx.commit().await?;
    Ok(axum::Json(found.config))
}

/// Replace a plugin's configuration (`manage_options`), checked against the plugin's schema.
#[utoipa::path(
    put, path = "/api/v1/plugins/{name}/config", tag = "plugins",
    security(("tenant_token" = [])),
    params(("name" = String, Path, description = "Plugin name")),
    request_body(content = Object, description = "The configuration, as the plugin's config_schema describes"),
    responses(
        (status = 200, description = "Configured", body = InstalledPlugin),
        (status = 403, description = "Needs manage_options", body = Problem),
        (status = 404, description = "Not installed", body = Problem),
        (status = 422, description = "Does not satisfy the schema; one entry per problem", body = Problem),
    )
)]
pub async fn put_config(
    State(state): State<AppState>,
    user: TenantUser,
    client: ClientContext,
    Path(name): Path<String>,
    Json(config): Json<Value>,
) -> ApiResult<axum::Json<InstalledPlugin>> {
    change(&state, &user, &client, CONFIGURE, &name, Action::Configure(config)).await
}

/// Grant capabilities (`activate_plugins`), replacing the previous grants. Each must be one
/// the plugin asks for.
#[utoipa::path(
    put, path = "/api/v1/plugins/{name}/grants", tag = "plugins",
    security(("tenant_token" = [])),
    params(("name" = String, Path, description = "Plugin name")),
    request_body = Grants,
    responses(
        (status = 200, description = "Granted", body = InstalledPlugin),
        (status = 403, description = "Needs activate_plugins", body = Problem),
        (status = 404, description = "Not installed", body = Problem),
        (status = 422, description = "Unknown or not requested capabilities", body = Problem),
    )
)]
pub async fn put_grants(
    State(state): State<AppState>,
    user: TenantUser,
    client: ClientContext,
    Path(name): Path<String>,
    Json(body): Json<Grants>,
) -> ApiResult<axum::Json<InstalledPlugin>> {
    change(
        &state,
        &user,
        &client,
        ACTIVATE,
        &name,
        Action::Grant(body.capabilities),
    )
    .await
}
