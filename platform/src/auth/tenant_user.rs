//! Who a tenant request is from, as the token says: plain values that services take. The
//! extractors that make them from a request are in `extract.rs`.

use super::tokens::TenantSubject;
use std::sync::Arc;
use tenants::Tenant;

/// The bearer of a valid access token of the tenant whose host this is. Whether the user and
/// session are still live is checked by [`crate::access::Principal::load`] inside the
/// request's transaction; the ids stay private so no handler can skip that.
pub struct TenantUser {
    pub tenant: Arc<Tenant>,
    pub(in crate::auth) subject: TenantSubject,
}

impl TenantUser {
    /// Who the token says the caller is; [`crate::access::Principal::load`] checks it.
    pub fn subject(&self) -> &TenantSubject {
        &self.subject
    }
}

/// A tenant user when the request carries a token, or an anonymous reader when it carries
/// none: for what WordPress shows everybody (published content). A token that is present
/// but invalid is still refused (401), never read as anonymous.
pub struct MaybeTenantUser {
    pub tenant: Arc<Tenant>,
    pub user: Option<TenantUser>,
}

impl MaybeTenantUser {
    /// Who the token names, if the request carries one.
    pub fn subject(&self) -> Option<&TenantSubject> {
        self.user.as_ref().map(TenantUser::subject)
    }
}
