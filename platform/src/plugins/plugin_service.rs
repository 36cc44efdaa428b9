//! The platform's plugin service: the runtime, where artifacts live, and each tenant's
//! enabled plugins, which it hands to the hook dispatcher as subscribers.

use super::subscriber::{ActivePlugin, PluginSubscriber};
use super::{installs, services};
use crate::config::PluginConfig;
use crate::hooks::{Hook, Subscriber, SubscriberSource};
use futures_util::future::BoxFuture;
use object_store::ObjectStore;
use plugins::{CallSetup, Capabilities, Capability, Digest, Runtime};
use sqlx::PgPool;
use std::sync::Arc;
use std::time::Duration;
use tenants::{Tenancy, TenantId};

/// How long a tenant's enabled plugins are kept without hearing of a change. Changes announce
/// themselves (the installs table's trigger), so this only bounds a missed notification.
const ACTIVE_TTL: Duration = Duration::from_secs(300);

/// The plugins of one tenant that run, in no particular order (the dispatcher orders them).
struct TenantPlugins {
    active: Vec<Arc<ActivePlugin>>,
}

/// The platform's plugin service: the runtime, where artifacts live, and each tenant's
/// enabled plugins, loaded on first use and kept until they change.
pub struct PluginService {
    pub runtime: Runtime,
    pub(super) pool: PgPool,
    pub(super) tenancy: Tenancy,
    pub(super) objects: Arc<dyn ObjectStore>,
    pub(super) config: PluginConfig,
    tenants: moka::future::Cache<TenantId, Arc<TenantPlugins>>,
    /// Set once the first-party plugins are in the catalogue.
    pub(super) builtins: tokio::sync::OnceCell<()>,
}

impl PluginService {
    /// The plugin quota of a tenant plan.
    pub fn quota_for(&self, plan: &str) -> crate::config::PluginQuota {
        self.config.quota_for(plan)
    }

    /// `pool` is the service's own (see `PluginConfig::db_connections`).
    pub fn new(
        tenancy: Tenancy,
        pool: PgPool,
        objects: Arc<dyn ObjectStore>,
        config: PluginConfig,
    ) -> anyhow::Result<Self> {
        let hooks = Hook::ALL.iter().map(|h| h.name().to_owned()).collect();
        Ok(Self {
            runtime: Runtime::new(config.engine, hooks)?,
            pool,
            tenancy,
            objects,
            config,
            tenants: moka::future::Cache::builder()
                .max_capacity(10_000)
                .time_to_live(ACTIVE_TTL)
                .build(),
            builtins: tokio::sync::OnceCell::new(),
        })
    }

    /// Forgets a tenant's enabled plugins; the next hook reloads them.
    pub async fn changed(&self, tenant: TenantId) {
        self.tenants.invalidate(&tenant).await;
    }

    /// Forgets every tenant's (after the invalidation listener reconnected).
    pub fn changed_all(&self) {
        self.tenants.invalidate_all();
    }

    async fn tenant_plugins(&self, tenant: TenantId) -> anyhow::Result<Arc<TenantPlugins>> {
        self.tenants
            .try_get_with(tenant, async { self.load_tenant(tenant).await.map(Arc::new) })
            .await
            .map_err(|e| anyhow::anyhow!("{e:#}"))
    }

    async fn load_tenant(&self, id: TenantId) -> anyhow::Result<TenantPlugins> {
        // Loads follow install changes only; a rate tracking writes would mean a wrong trigger.
        metrics::counter!("plugin_tenant_loads_total").increment(1);
        let tenant = self.tenancy.get_on(&self.pool, id).await?;
        let scope = tenant.scope();
        let mut tx = scope.begin(&self.pool).await?;
        let rows = installs::enabled(&mut tx).await?;
        tx.commit().await?;
        let limits = self.config.limits_for(&tenant.plan);
        let mut active = Vec::with_capacity(rows.len());
        for row in rows {
            let digest = Digest::parse(&row.digest).ok_or_else(|| anyhow::anyhow!("bad digest {}", row.digest))?;
            let compiled = self.compiled(digest).await?;
            // Only what was both asked for and granted.
            let grants: Capabilities = row
                .granted
                .iter()
                .filter_map(|name| Capability::parse(name))
                .filter(|c| compiled.info.capabilities.contains(c))
                .collect();
            let services = services::TenantServices {
                pool: self.pool.clone(),
                scope: scope.clone(),
                keyring: self.tenancy.keyring().clone(),
                plugin: row.name.clone(),
                config: row.config.to_string(),
            };
            active.push(Arc::new(ActivePlugin {
                name: row.name,
                compiled,
                setup: CallSetup {
                    limits,
                    grants,
                    services: Arc::new(services),
                },
            }));
        }
        Ok(TenantPlugins { active })
    }
}

impl SubscriberSource for PluginService {
    fn subscribers<'a>(
        &'a self,
        tenant: TenantId,
        hook: Hook,
    ) -> BoxFuture<'a, anyhow::Result<Vec<Arc<dyn Subscriber>>>> {
        Box::pin(async move {
            let plugins = self.tenant_plugins(tenant).await?;
            Ok(plugins
                .active
                .iter()
                .filter_map(|plugin| {
                    let priority = plugin.compiled.info.priority(hook.name())?;
                    Some(Arc::new(PluginSubscriber {
                        runtime: self.runtime.clone(),
                        plugin: plugin.clone(),
                        priority,
                    }) as Arc<dyn Subscriber>)
                })
                .collect())
        })
    }
}
