//! Who manages users, from where, in which tenant: what the user-management services take
//! beside the transaction.

use crate::access::Principal;
use crate::access::trust::DecisionCache;
use crate::audit::ClientContext;
use tenants::TenantScope;

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
