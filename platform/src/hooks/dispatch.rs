//! Runs a hook's subscribers: filters in priority order inside the write's transaction, each
//! seeing the previous one's output; actions after commit, whose failures are logged and
//! counted and never fail the request.

use super::catalogue::{Hook, HookKind};
use futures_util::future::BoxFuture;
use serde_json::Value;
use std::sync::{Arc, RwLock};
use tenants::{TenantId, UserId};

/// Who a hook runs for.
#[derive(Debug, Clone)]
pub struct HookContext {
    pub tenant: TenantId,
    /// The signed-in user, or none for the system (a scheduled publication).
    pub user: Option<UserId>,
    /// The user's roles (none for the system).
    pub user_roles: Vec<String>,
    pub request_id: Option<String>,
}

/// Why a filter stopped a write.
#[derive(Debug, thiserror::Error)]
pub enum FilterError {
    /// The subscriber refused the payload: its message is for the user (422).
    #[error("{subscriber} rejected this: {message}")]
    Rejected {
        subscriber: String,
        message: String,
        /// Problems with single fields (`acf.dose_mg`), when the subscriber named them.
        fields: Vec<crate::http::FieldError>,
    },
    /// The subscriber failed (trapped, ran out of a limit, returned something unusable). The
    /// write is refused too: a validating plugin that breaks must not let data through.
    #[error("{subscriber} failed: {error}")]
    Failed { subscriber: String, error: String },
    /// The subscribers could not be found (the database, say).
    #[error("hook subscribers unavailable")]
    Unavailable(#[source] anyhow::Error),
}

/// Something that runs on hooks: a plugin installed by the tenant, for instance.
pub trait Subscriber: Send + Sync {
    /// Names it in errors, logs and metrics.
    fn name(&self) -> &str;
    /// Lower runs first (WordPress's default is 10); equal priorities run by name.
    fn priority(&self) -> i32;
    fn filter<'a>(
        &'a self,
        ctx: &'a HookContext,
        hook: Hook,
        payload: Value,
    ) -> BoxFuture<'a, Result<Value, FilterError>>;
    fn action<'a>(&'a self, ctx: &'a HookContext, hook: Hook, event: Value) -> BoxFuture<'a, anyhow::Result<()>>;
}

/// Where a tenant's subscribers come from.
pub trait SubscriberSource: Send + Sync {
    fn subscribers<'a>(
        &'a self,
        tenant: TenantId,
        hook: Hook,
    ) -> BoxFuture<'a, anyhow::Result<Vec<Arc<dyn Subscriber>>>>;
}

/// The source of a platform without plugins: nobody subscribes.
pub struct NoSubscribers;

impl SubscriberSource for NoSubscribers {
    fn subscribers<'a>(&'a self, _: TenantId, _: Hook) -> BoxFuture<'a, anyhow::Result<Vec<Arc<dyn Subscriber>>>> {
        Box::pin(async { Ok(Vec::new()) })
    }
}

/// The dispatcher. Its source is set once at start (the plugin runtime) or by a test.
pub struct Hooks {
    source: RwLock<Arc<dyn SubscriberSource>>,
}

impl Default for Hooks {
    fn default() -> Self {
        Self {
            source: RwLock::new(Arc::new(NoSubscribers)),
        }
    }
}

impl Hooks {
    pub fn set_source(&self, source: Arc<dyn SubscriberSource>) {
        *self.source.write().unwrap_or_else(|e| e.into_inner()) = source;
    }

    async fn ordered(&self, tenant: TenantId, hook: Hook) -> anyhow::Result<Vec<Arc<dyn Subscriber>>> {
        let source = self.source.read().unwrap_or_else(|e| e.into_inner()).clone();
        let mut subscribers = source.subscribers(tenant, hook).await?;
        subscribers.sort_by(|a, b| a.priority().cmp(&b.priority()).then_with(|| a.name().cmp(b.name())));
        Ok(subscribers)
    }

    /// Whether any subscriber runs on `hook` for this tenant (so callers can skip building a
    /// payload nobody reads).
    pub async fn has_subscribers(&self, tenant: TenantId, hook: Hook) -> anyhow::Result<bool> {
        let source = self.source.read().unwrap_or_else(|e| e.into_inner()).clone();
        Ok(!source.subscribers(tenant, hook).await?.is_empty())
    }

    /// Runs a filter hook: each subscriber gets the previous one's output.
    pub async fn filter(&self, ctx: &HookContext, hook: Hook, payload: Value) -> Result<Value, FilterError> {
        debug_assert_eq!(hook.kind(), HookKind::Filter);
        let subscribers = self.ordered(ctx.tenant, hook).await.map_err(FilterError::Unavailable)?;
        let mut payload = payload;
        for subscriber in subscribers {
            let result = subscriber.filter(ctx, hook, payload).await;
            let outcome = match &result {
                Ok(_) => "ok",
                Err(FilterError::Rejected { .. }) => "rejected",
                Err(_) => "failed",
            };
            metrics::counter!("hook_calls_total", "hook" => hook.name(), "subscriber" => subscriber.name().to_owned(), "outcome" => outcome)
                .increment(1);
            payload = result?;
        }
        Ok(payload)
    }

    /// Runs action hooks after the write committed, in the background and in order. Failures
    /// are logged and counted; the request has already succeeded.
    pub fn after_commit(self: &Arc<Self>, ctx: HookContext, events: Vec<(Hook, Value)>) {
        if events.is_empty() {
            return;
        }
        let hooks = self.clone();
        tokio::spawn(async move {
            for (hook, event) in events {
                hooks.run_actions(&ctx, hook, event).await;
            }
        });
    }

    /// Runs one action hook now (the background task of [`Self::after_commit`], and jobs).
    pub async fn run_actions(&self, ctx: &HookContext, hook: Hook, event: Value) {
        debug_assert_eq!(hook.kind(), HookKind::Action);
        let subscribers = match self.ordered(ctx.tenant, hook).await {
            Ok(subscribers) => subscribers,
            Err(error) => {
                tracing::warn!(
                    hook = hook.name(),
                    error = format!("{error:#}"),
                    "cannot find hook subscribers"
                );
                metrics::counter!("hook_action_failures_total", "hook" => hook.name()).increment(1);
                return;
            }
        };
        for subscriber in subscribers {
            let outcome = match subscriber.action(ctx, hook, event.clone()).await {
                Ok(()) => "ok",
                Err(error) => {
                    tracing::warn!(
                        hook = hook.name(),
                        subscriber = subscriber.name(),
                        tenant.id = %ctx.tenant,
                        error = format!("{error:#}"),
                        "hook action failed"
                    );
                    metrics::counter!("hook_action_failures_total", "hook" => hook.name()).increment(1);
                    "failed"
                }
            };
            metrics::counter!("hook_calls_total", "hook" => hook.name(), "subscriber" => subscriber.name().to_owned(), "outcome" => outcome)
                .increment(1);
        }
    }
}
