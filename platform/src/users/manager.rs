//! Who manages users, from where, in which tenant: what the user-management services take
//! beside the transaction.

use crate::access::Principal;
use crate::access::trust::DecisionCache;
use crate::access::trust::engine::enforce_manage_users;
use crate::audit::ClientContext;
use crate::http::ApiResult;
use tenants::{TenantScope, TenantTx};

#[derive(Clone, Copy)]
pub struct Manager<'a> {
    /// The user acting, loaded in the transaction.
    pub me: &'a Principal,
    pub client: &'a ClientContext,
    /// The tenant the transaction is in: a trust denial is recorded in a transaction of its own.
    pub scope: &'a TenantScope,
    /// Trust decisions: managing users asks a high score.
    pub trust: &'a DecisionCache,
}

impl Manager<'_> {
    /// The trust score managing users needs (a denial is recorded in a transaction of its
    /// own, after this one is released).
    pub async fn enforce_trust(&self, tx: &mut TenantTx) -> ApiResult<()> {
        enforce_manage_users(self.trust, tx, self.scope, self.me, self.client).await?;
        Ok(())
    }
}
