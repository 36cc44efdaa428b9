//! An installed, enabled plugin as a hook subscriber: the dispatcher's calls become sandboxed
//! calls with the tenant's limits and grants.

use crate::hooks::{FilterError, Hook, HookContext, Subscriber};
use crate::http::FieldError;
use futures_util::future::BoxFuture;
use plugins::{CallContext, CallSetup, Compiled, Runtime};
use serde_json::Value;
use std::sync::Arc;

/// One plugin enabled in one tenant, ready to call.
pub struct ActivePlugin {
    pub name: String,
    pub compiled: Arc<Compiled>,
    pub setup: CallSetup,
}

pub struct PluginSubscriber {
    pub runtime: Runtime,
    pub plugin: Arc<ActivePlugin>,
    pub priority: i32,
}

fn call_context(ctx: &HookContext) -> CallContext {
    CallContext {
        user_id: ctx.user.map(|u| u.to_string()),
        user_roles: ctx.user_roles.clone(),
        request_id: ctx.request_id.clone(),
    }
}

impl Subscriber for PluginSubscriber {
    fn name(&self) -> &str {
        &self.plugin.name
    }

    fn priority(&self) -> i32 {
        self.priority
    }

    fn filter<'a>(
        &'a self,
        ctx: &'a HookContext,
        hook: Hook,
        payload: Value,
    ) -> BoxFuture<'a, Result<Value, FilterError>> {
        Box::pin(async move {
            let plugin = &self.plugin;
            let failed = |error: String| FilterError::Failed {
                subscriber: plugin.name.clone(),
                error,
            };
            let outcome = self
                .runtime
                .filter(
                    &plugin.compiled,
                    &plugin.setup,
                    call_context(ctx),
                    hook.name(),
                    payload.to_string(),
                )
                .await
                .map_err(|e| failed(e.to_string()))?;
            match outcome {
                Ok(text) => serde_json::from_str(&text)
                    .map_err(|e| failed(format!("it returned something that is not JSON: {e}"))),
                Err(rejection) => Err(FilterError::Rejected {
                    subscriber: plugin.name.clone(),
                    message: rejection.message,
                    fields: rejection
                        .fields
                        .into_iter()
                        .map(|f| FieldError {
                            field: f.field,
                            message: f.message,
                        })
                        .collect(),
                }),
            }
        })
    }

    fn action<'a>(&'a self, ctx: &'a HookContext, hook: Hook, event: Value) -> BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(async move {
            let plugin = &self.plugin;
            match self
                .runtime
                .action(
                    &plugin.compiled,
                    &plugin.setup,
                    call_context(ctx),
                    hook.name(),
                    event.to_string(),
                )
                .await
            {
                Ok(Ok(())) => Ok(()),
                Ok(Err(message)) => Err(anyhow::anyhow!("plugin {} failed: {message}", plugin.name)),
                Err(error) => Err(error.into()),
            }
        })
    }
}
