//! The running application: its shared state, and the router that serves every host.

use crate::config::Config;
use crate::http::{fallback, request_id, site};
use crate::{audit, auth, content, health, hooks, media, ops, roles, settings, users};
use anyhow::Context as _;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware::{from_fn, from_fn_with_state};
use axum::response::IntoResponse as _;
use metrics_exporter_prometheus::PrometheusHandle;
use secrecy::SecretString;
use sqlx::PgPool;
use std::ops::Deref;
use std::sync::Arc;
use tenants::keyring::{Keyring, LocalKek};
use tenants::migrate::platform_migrations;
use tenants::{DbNaming, Tenancy, TenantResolver};
use tower_http::catch_panic::CatchPanicLayer;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub struct Inner {
    pub tenancy: Tenancy,
    pub tokens: Arc<auth::tokens::TokenService>,
    pub redis: Option<redis::Client>,
    pub metrics: PrometheusHandle,
    pub metrics_token: Option<SecretString>,
    pub max_body_bytes: usize,
    /// Proxies in front of us that append to X-Forwarded-For (`PLATFORM_TRUSTED_PROXY_HOPS`).
    pub trusted_proxy_hops: usize,
    pub session_limits: auth::sessions::SessionLimits,
    pub cors: crate::http::cors::CorsCache,
    pub limiter: crate::limits::RateLimiter,
    pub trust: crate::access::trust::DecisionCache,
    pub checkpoints: Arc<crate::audit::checkpoint::Checkpoints>,
    /// The hook dispatcher; plugins are its subscribers.
    pub hooks: Arc<hooks::Hooks>,
    /// Object storage (media, audit checkpoints); every key under `tenants/{tenant id}/`.
    pub objects: Arc<dyn object_store::ObjectStore>,
    pub media: crate::media::MediaLimits,
    /// Anonymous reads of published content, kept until the tenant's content changes.
    pub public_cache: Arc<content::public_cache::PublicCache>,
    /// The plugin runtime and each tenant's enabled plugins; the hook dispatcher's source.
    pub plugins: Arc<crate::plugins::PluginHost>,
}

#[derive(Clone)]
pub struct AppState(Arc<Inner>);

impl Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

/// The serving role's pool (`PLATFORM_APP_DATABASE_URL`): every request.
pub async fn connect_serving_pool(config: &Config) -> anyhow::Result<PgPool> {
    tenants::pool_options()
        .max_connections(config.database.max_connections)
        .acquire_timeout(config.database.acquire_timeout)
        // JIT compilation pays off for long analytical queries, not for ours: a plan that
        // looks costly (a table not yet analysed, say) spent a second compiling a 2 ms query.
        .connect_with(config.database.serve_connect.clone().options([("jit", "off")]))
        .await
        .context(
            "cannot connect to PostgreSQL as the serving role (PLATFORM_APP_DATABASE_URL; \
             `platform migrate` creates the role)",
        )
}

/// How many connections the owner's pool keeps in `serve`: operators' changes and
/// background upkeep only, never a tenant's request.
const OWNER_CONNECTIONS: u32 = 4;

/// The owner's pool (`DATABASE_URL`): migrations, provisioning, operators' changes.
pub async fn connect_owner_pool(config: &Config) -> anyhow::Result<PgPool> {
    tenants::pool_options()
        .max_connections(OWNER_CONNECTIONS)
        .acquire_timeout(config.database.acquire_timeout)
        .connect_with(config.database.connect.clone().options([("jit", "off")]))
        .await
        .context("cannot connect to PostgreSQL (DATABASE_URL)")
}

/// The tenancy layer: keyring from the master key, resolver, naming. `pool` serves requests
/// (the command line, which serves none, passes the owner's pool twice).
pub async fn tenancy(config: &Config, pool: PgPool, owner_pool: PgPool) -> anyhow::Result<Tenancy> {
    let kek = LocalKek::load(&config.master_key).context("cannot load the master key")?;
    let keyring = Arc::new(Keyring::new(Arc::new(kek)));
    let resolver = Arc::new(TenantResolver::new(pool.clone(), config.http.tenant_cache_ttl));
    let naming = DbNaming::new(&config.database.role_prefix).context("PLATFORM_DB_ROLE_PREFIX")?;
    let serving_role = Some(config.database.serve_connect.get_username().to_owned());
    Ok(Tenancy::new(
        pool,
        owner_pool,
        serving_role,
        naming,
        keyring,
        resolver,
        config.http.base_domain.clone(),
    )
    .await?)
}

/// Refuses to serve a control plane older than this build (newer is fine: expand/contract).
pub async fn ensure_migrated(pool: &PgPool) -> anyhow::Result<()> {
    let latest = platform_migrations().last().map_or(0, |m| m.version);
    let applied: Option<i32> = sqlx::query_scalar("SELECT max(version) FROM platform.schema_migrations")
        .fetch_one(pool)
        .await
        .unwrap_or(None);
    if applied.unwrap_or(0) < latest {
        anyhow::bail!(
            "the control plane is not migrated (at {}, need {latest}): run `platform migrate`",
            applied.unwrap_or(0)
        );
    }
    Ok(())
}

impl AppState {
    /// Everything `serve` needs, from configuration. Starts the invalidation listener.
    pub async fn build(config: &Config) -> anyhow::Result<Self> {
        let owner_pool = connect_owner_pool(config).await?;
        ensure_migrated(&owner_pool).await?;
        let pool = connect_serving_pool(config).await?;
        tenants::check_serving_role(&pool).await?;
        let tenancy = tenancy(config, pool.clone(), owner_pool.clone()).await?;
        // Signing keys are created and rotated by the owner (whose pool also serves the rare
        // reload an unknown key id triggers): the serving role cannot write them.
        let tokens = Arc::new(
            auth::tokens::TokenService::load(&owner_pool, tenancy.keyring().kek_shared(), &config.tokens).await?,
        );
        if let Some(operator) = &config.bootstrap_operator {
            ops::operators::bootstrap(&owner_pool, operator).await?;
        }
        let redis = match &config.redis_url {
            Some(url) => Some(redis::Client::open(url.as_str()).context("REDIS_URL is not a Redis URL")?),
            None => {
                tracing::warn!("REDIS_URL is not set: running as a single instance with in-process state");
                None
            }
        };
        let redis_for_limits = redis.clone();
        let objects = crate::media::objects::open(&config.object_store)?;
        let audit_keys = auth::signing_keys::KeySet::load_or_create(
            &owner_pool,
            tenancy.keyring().kek(),
            auth::signing_keys::Purpose::Audit,
        )
        .await?;
        let checkpoints = Arc::new(crate::audit::checkpoint::Checkpoints::new(objects.clone(), audit_keys));
        crate::audit::checkpoint::spawn_periodic(checkpoints.clone(), tenancy.clone(), config.audit_checkpoint_every);
        let reload_keys = tokens.clone();
        let on_signing_keys: tenants::invalidation::OnSigningKeys = Arc::new(move || {
            let tokens = reload_keys.clone();
            tokio::spawn(async move {
                if let Err(error) = tokens.reload().await {
                    tracing::warn!(%error, "could not reload the signing keys");
                }
            });
        });
        let public_cache = Arc::new(content::public_cache::PublicCache::new(
            config.public_cache_bytes,
            content::public_cache::TIME_TO_LIVE,
        ));
        // A pool of its own: plugin storage runs inside writes that hold a main-pool connection.
        let plugin_pool = tenants::pool_options()
            .max_connections(config.plugins.db_connections)
            .acquire_timeout(config.database.acquire_timeout)
            .connect_lazy_with(config.database.serve_connect.clone().options([("jit", "off")]));
        let plugins = Arc::new(crate::plugins::PluginHost::new(
            tenancy.clone(),
            plugin_pool,
            objects.clone(),
            config.plugins.clone(),
        )?);
        let hooks = Arc::new(hooks::Hooks::default());
        hooks.set_source(plugins.clone());
        let content_cache = public_cache.clone();
        let cache = public_cache.clone();
        let host = plugins.clone();
        let handlers = tenants::invalidation::Handlers {
            signing_keys: on_signing_keys,
            content: Arc::new(move |tenant| content_cache.changed(tenant)),
            // What plugins add shows in content responses: those are dropped too.
            plugins: Arc::new(move |tenant| {
                cache.changed(tenant);
                let host = host.clone();
                match tenant {
                    Some(tenant) => {
                        tokio::spawn(async move { host.changed(tenant).await });
                    }
                    None => host.changed_all(),
                }
            }),
        };
        // The listener keeps its connection for good: one of its own, not one requests share.
        let listener_pool = tenants::pool_options()
            .max_connections(1)
            .acquire_timeout(config.database.acquire_timeout)
            .connect_lazy_with(config.database.serve_connect.clone());
        tenants::invalidation::spawn_listener(
            listener_pool,
            tenancy.resolver().clone(),
            tenancy.keyring().clone(),
            handlers,
        );
        let state = Self(Arc::new(Inner {
            tenancy,
            tokens,
            redis,
            metrics: crate::telemetry::metrics_handle(),
            metrics_token: config.http.metrics_token.clone(),
            max_body_bytes: config.http.max_body_bytes,
            trusted_proxy_hops: config.http.trusted_proxy_hops,
            session_limits: config.tokens.session_limits,
            cors: Default::default(),
            trust: Default::default(),
            checkpoints,
            hooks,
            plugins,
            objects,
            media: crate::media::MediaLimits::new(config.media),
            public_cache,
            limiter: crate::limits::RateLimiter::new(redis_for_limits, &config.redis_prefix, config.http.limits),
        }));
        crate::jobs::spawn(state.clone(), config.jobs_poll_every);
        Ok(state)
    }
}

/// Routes served on every host, whatever it is.
fn infrastructure_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(health::health))
        .routes(routes!(health::ready))
        .routes(routes!(health::metrics))
        .routes(routes!(health::openapi_json))
}

/// Operator routes (base domain only) and tenant routes (tenant hosts only).
fn site_routes() -> OpenApiRouter<AppState> {
    let ops = ops::routes().route_layer(from_fn(site::require_ops));
    let tenant = auth::routes()
        .merge(settings::routes())
        .merge(audit::routes())
        .merge(users::routes())
        .merge(roles::routes())
        .merge(content::routes())
        .merge(media::routes())
        .merge(crate::plugins::routes::routes())
        .routes(routes!(hooks::routes::catalogue))
        .route_layer(from_fn(site::require_tenant));
    ops.merge(tenant)
}

/// Every documented route, for the OpenAPI document.
pub fn documented_routes() -> OpenApiRouter<AppState> {
    infrastructure_routes().merge(site_routes())
}

/// Serves the app on a bound listener until `shutdown` resolves, with the peer address
/// available to handlers (for the audit trail's client IP).
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app).with_graceful_shutdown(shutdown).await
}

pub fn router(state: AppState) -> Router {
    let (infrastructure, _) = infrastructure_routes().split_for_parts();
    let infrastructure = infrastructure.method_not_allowed_fallback(fallback::method_not_allowed);
    let (sites, _) = site_routes().split_for_parts();
    // The 405 fallback is set before the layers, so that site resolution and CORS (a
    // preflight is an OPTIONS request no route declares) run before it.
    let sites = sites
        .method_not_allowed_fallback(fallback::method_not_allowed)
        .fallback(fallback::not_found)
        .layer(from_fn_with_state(state.clone(), crate::audit::deferred::middleware))
        .layer(from_fn_with_state(state.clone(), crate::http::rate_limit::middleware))
        .layer(from_fn_with_state(state.clone(), crate::http::cors::middleware))
        .layer(from_fn_with_state(state.clone(), site::resolve));
    Router::new()
        .merge(infrastructure)
        .merge(sites)
        .layer(from_fn(crate::http::metrics::middleware))
        .layer(DefaultBodyLimit::max(state.max_body_bytes))
        .layer(from_fn(crate::http::timeout::middleware))
        .layer(CatchPanicLayer::custom(|_| {
            crate::http::ApiError::internal(anyhow::anyhow!("a handler panicked")).into_response()
        }))
        .layer(from_fn(crate::http::security_headers::middleware))
        .layer(from_fn(request_id::middleware))
        .with_state(state)
}
