//! Who acts, from where, in which tenant: what capability rules, trust decisions, hooks and
//! the audit trail need to know of a request.

use super::viewer::Viewer;
use crate::access::Principal;
use crate::audit::{self, Actor, ClientContext};
use crate::hooks::HookContext;
use tenants::{TenantScope, TenantTx};

/// A signed-in [`Principal`] for changes; a [`Viewer`], who may be anonymous, for reads.
pub struct Caller<'a, W = Principal> {
    pub who: &'a W,
    pub client: &'a ClientContext,
    /// The tenant the transaction is in: a trust denial is recorded in a transaction of its own.
    pub scope: &'a TenantScope,
}

impl<W> Clone for Caller<'_, W> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<W> Copy for Caller<'_, W> {}

impl<'a, W> Caller<'a, W> {
    pub fn new(who: &'a W, client: &'a ClientContext, scope: &'a TenantScope) -> Self {
        Self { who, client, scope }
    }
}

impl Caller<'_> {
    /// Who a hook on this user's behalf runs for.
    pub fn hook_context(&self) -> HookContext {
        HookContext {
            tenant: self.scope.tenant_id(),
            user: Some(self.who.user_id),
            user_roles: self.who.roles.clone(),
            request_id: self.client.request_id.clone(),
        }
    }

    /// The user, as the audit trail names them.
    pub fn actor(&self) -> Actor {
        Actor::User(*self.who.user_id.as_uuid())
    }

    /// Records a change this user made, in the transaction that makes it.
    pub async fn record(
        &self,
        tx: &mut TenantTx,
        action: &str,
        resource: (&str, &str),
        details: serde_json::Value,
    ) -> Result<(), sqlx::Error> {
        audit::user_action(tx, self.who.user_id, self.client, action, resource, details).await?;
        Ok(())
    }
}

impl Caller<'_, Viewer> {
    /// Who a hook on this reader's behalf runs for.
    pub fn hook_context(&self) -> HookContext {
        self.who
            .hook_context(self.scope.tenant_id(), self.client.request_id.clone())
    }
}
