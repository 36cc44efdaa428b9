use crate::keyring::Keyring;
use crate::resolver::TenantResolver;
use crate::{DbNaming, Hostname};
use sqlx::PgPool;
use std::sync::Arc;

/// Everything the tenancy layer needs, in one cheap-to-share value: the control-plane pool,
/// how database objects are named, the keyring, the Host resolver and the base domain.
#[derive(Clone)]
pub struct Tenancy {
    pub(crate) pool: PgPool,
    pub(crate) naming: DbNaming,
    pub(crate) keyring: Arc<Keyring>,
    pub(crate) resolver: Arc<TenantResolver>,
    pub(crate) base_domain: Hostname,
    /// Whether our database user is a superuser. A non-superuser must be made a member of
    /// each tenant role to `SET ROLE` to it.
    pub(crate) superuser: bool,
}

impl Tenancy {
    pub async fn new(
        pool: PgPool,
        naming: DbNaming,
        keyring: Arc<Keyring>,
        resolver: Arc<TenantResolver>,
        base_domain: Hostname,
    ) -> Result<Self, sqlx::Error> {
        let superuser: bool = sqlx::query_scalar("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            .fetch_one(&pool)
            .await?;
        Ok(Self {
            pool,
            naming,
            keyring,
            resolver,
            base_domain,
            superuser,
        })
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    pub fn keyring(&self) -> &Arc<Keyring> {
        &self.keyring
    }

    pub fn resolver(&self) -> &Arc<TenantResolver> {
        &self.resolver
    }

    pub fn base_domain(&self) -> &Hostname {
        &self.base_domain
    }

    pub fn naming(&self) -> &DbNaming {
        &self.naming
    }
}
