//! Starting up: connecting to PostgreSQL, checking the control plane, and building the
//! application's state with its background tasks (the invalidation listener, audit
//! checkpoints, the job worker).

use crate::config::Config;
use crate::state::{AppState, Inner};
use crate::{auth, hooks, ops};
use anyhow::Context as _;
use sqlx::PgPool;
use std::sync::Arc;
use tenants::keyring::{Keyring, LocalKek};
use tenants::migrate::platform_migrations;
use tenants::{DbNaming, Tenancy, TenantResolver};

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
        let public_cache = Arc::new(crate::http::public_cache::PublicCache::new(
            config.public_cache_bytes,
            crate::http::public_cache::TIME_TO_LIVE,
        ));
        // A pool of its own: plugin storage runs inside writes that hold a main-pool connection.
        let plugin_pool = tenants::pool_options()
            .max_connections(config.plugins.db_connections)
            .acquire_timeout(config.database.acquire_timeout)
            .connect_lazy_with(config.database.serve_connect.clone().options([("jit", "off")]));
        let plugins = Arc::new(crate::plugins::PluginService::new(
            tenancy.clone(),
            plugin_pool,
            objects.clone(),
            config.plugins.clone(),
        )?);
        let hooks = Arc::new(hooks::Hooks::default());
        hooks.set_source(plugins.clone());
        spawn_invalidation_listener(config, &tenancy, &tokens, &public_cache, &plugins);
        let state = Self::new(Inner {
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
        });
        crate::jobs::spawn(state.clone(), config.jobs_poll_every);
        Ok(state)
    }
}

/// Listens for other instances' changes (signing keys, tenants' content and plugins) and
/// drops what this instance keeps of them. The listener keeps its connection for good: one
/// of its own, not one requests share.
fn spawn_invalidation_listener(
    config: &Config,
    tenancy: &Tenancy,
    tokens: &Arc<auth::tokens::TokenService>,
    public_cache: &Arc<crate::http::public_cache::PublicCache>,
    plugins: &Arc<crate::plugins::PluginService>,
) {
    let reload_keys = tokens.clone();
    let on_signing_keys: tenants::invalidation::OnSigningKeys = Arc::new(move || {
        let tokens = reload_keys.clone();
        tokio::spawn(async move {
            if let Err(error) = tokens.reload().await {
                tracing::warn!(%error, "could not reload the signing keys");
            }
        });
    });
    let content_cache = public_cache.clone();
    let cache = public_cache.clone();
    let service = plugins.clone();
    let handlers = tenants::invalidation::Handlers {
        signing_keys: on_signing_keys,
        content: Arc::new(move |tenant| content_cache.changed(tenant)),
        // What plugins add shows in content responses: those are dropped too.
        plugins: Arc::new(move |tenant| {
            cache.changed(tenant);
            let service = service.clone();
            match tenant {
                Some(tenant) => {
                    tokio::spawn(async move { service.changed(tenant).await });
                }
                None => service.changed_all(),
            }
        }),
    };
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
}
