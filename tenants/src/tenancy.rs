use crate::keyring::{FieldCipher, Keyring, KeyringError};
use crate::resolver::TenantResolver;
use crate::{DbNaming, Hostname};
use sqlx::PgPool;
use std::sync::Arc;

/// Everything the tenancy layer needs, in one cheap-to-share value: the two pools, how
/// database objects are named, the keyring, the Host resolver and the base domain.
#[derive(Clone)]
pub struct Tenancy {
    /// The serving role's pool: requests, and reads of the control plane.
    pub(crate) pool: PgPool,
    /// The owner's pool: provisioning, deletion, status, domains, keys, migrations.
    pub(crate) owner_pool: PgPool,
    /// The serving role, made a member of each new tenant role (`None`: nobody but the owner
    /// serves, as in the command line's one-shot commands that need no serving role).
    pub(crate) serving_role: Option<String>,
    pub(crate) naming: DbNaming,
    pub(crate) keyring: Arc<Keyring>,
    pub(crate) resolver: Arc<TenantResolver>,
    pub(crate) base_domain: Hostname,
    /// Whether our database user is a superuser. A non-superuser must be made a member of
    /// each tenant role to `SET ROLE` to it.
    pub(crate) superuser: bool,
}

impl Tenancy {
    /// `pool` serves requests as `serving_role`; `owner_pool` connects as the owner. Where
    /// only the owner works (the command line), both are the owner's pool.
    pub async fn new(
        pool: PgPool,
        owner_pool: PgPool,
        serving_role: Option<String>,
        naming: DbNaming,
        keyring: Arc<Keyring>,
        resolver: Arc<TenantResolver>,
        base_domain: Hostname,
    ) -> Result<Self, sqlx::Error> {
        let superuser: bool = sqlx::query_scalar("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            .fetch_one(&owner_pool)
            .await?;
        Ok(Self {
            pool,
            owner_pool,
            serving_role,
            naming,
            keyring,
            resolver,
            base_domain,
            superuser,
        })
    }

    /// The serving role's pool.
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// The owner's pool: for what operators and migrations do, never for a tenant's request.
    pub fn owner_pool(&self) -> &PgPool {
        &self.owner_pool
    }

    /// A tenant's field cipher for serving its requests: its keys, cached, loaded through the
    /// serving pool when they are not. Call it before opening the request's transaction: a
    /// cold cache takes a connection of that pool.
    pub async fn field_cipher(&self, tenant: crate::TenantId) -> Result<FieldCipher, KeyringError> {
        self.keyring.cipher(&self.pool, tenant).await
    }

    /// A tenant's field cipher for operators' work (rotation, rewrapping, key destruction),
    /// loaded through the owner's pool.
    pub async fn owner_field_cipher(&self, tenant: crate::TenantId) -> Result<FieldCipher, KeyringError> {
        self.keyring.cipher(&self.owner_pool, tenant).await
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
