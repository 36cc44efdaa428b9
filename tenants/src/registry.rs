use crate::invalidation::{Invalidation, notify};
use crate::keyring::{RewrapReport, rewrap_tenant};
use crate::model::{DomainRow, TENANT_COLUMNS, TenantRow};
use crate::{Domain, Error, KeyVersion, Tenancy, Tenant, TenantId, TenantSlug, TenantStatus};

/// One page of tenants and how many there are in all.
#[derive(Debug)]
pub struct TenantPage {
    pub tenants: Vec<Tenant>,
    pub total: i64,
}

#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct Rotated {
    pub version: KeyVersion,
    pub rewrap: RewrapReport,
}

impl Tenancy {
    /// Tenants in creation order. `page` counts from 1.
    pub async fn list(&self, page: u32, per_page: u32, status: Option<TenantStatus>) -> Result<TenantPage, Error> {
        let offset = i64::from(page.saturating_sub(1)) * i64::from(per_page);
        let status = status.map(TenantStatus::as_str);
        let tenants: Vec<TenantRow> = sqlx::query_as(&format!(
            "SELECT {TENANT_COLUMNS} FROM platform.tenants WHERE ($1::text IS NULL OR status = $1) \
             ORDER BY created_at, id LIMIT $2 OFFSET $3"
        ))
        .bind(status)
        .bind(i64::from(per_page))
        .bind(offset)
        .fetch_all(&self.pool)
        .await?;
        let total: i64 =
            sqlx::query_scalar("SELECT count(*) FROM platform.tenants WHERE ($1::text IS NULL OR status = $1)")
                .bind(status)
                .fetch_one(&self.pool)
                .await?;
        Ok(TenantPage {
            tenants: tenants.into_iter().map(Tenant::from).collect(),
            total,
        })
    }

    pub async fn get(&self, id: TenantId) -> Result<Tenant, Error> {
        self.get_on(&self.pool, id).await
    }

    /// [`Self::get`] on another pool (the plugin host's own, say, which must not wait for a
    /// connection of the pool whose transactions call it).
    pub async fn get_on(&self, pool: &sqlx::PgPool, id: TenantId) -> Result<Tenant, Error> {
        let row: Option<TenantRow> =
            sqlx::query_as(&format!("SELECT {TENANT_COLUMNS} FROM platform.tenants WHERE id = $1"))
                .bind(id)
                .fetch_optional(pool)
                .await?;
        row.map(Tenant::from).ok_or(Error::TenantNotFound)
    }

    pub async fn get_by_slug(&self, slug: &TenantSlug) -> Result<Tenant, Error> {
        let row: Option<TenantRow> = sqlx::query_as(&format!(
            "SELECT {TENANT_COLUMNS} FROM platform.tenants WHERE slug = $1"
        ))
        .bind(slug.as_str())
        .fetch_optional(&self.pool)
        .await?;
        row.map(Tenant::from).ok_or(Error::TenantNotFound)
    }

    pub async fn domains(&self, id: TenantId) -> Result<Vec<Domain>, Error> {
        let rows: Vec<DomainRow> = sqlx::query_as(
            "SELECT host, tenant_id, is_primary, verified, created_at FROM platform.domains \
             WHERE tenant_id = $1 ORDER BY is_primary DESC, host",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(Domain::from).collect())
    }

    /// Stops the tenant from serving requests (403 on all its hosts). Idempotent.
    pub async fn suspend(&self, id: TenantId) -> Result<Tenant, Error> {
        self.change_status(
            id,
            &[TenantStatus::Active, TenantStatus::Suspended],
            TenantStatus::Suspended,
        )
        .await
    }

    /// Lets a suspended tenant serve requests again. Idempotent.
    pub async fn resume(&self, id: TenantId) -> Result<Tenant, Error> {
        self.change_status(
            id,
            &[TenantStatus::Suspended, TenantStatus::Active],
            TenantStatus::Active,
        )
        .await
    }

    async fn change_status(&self, id: TenantId, from: &[TenantStatus], to: TenantStatus) -> Result<Tenant, Error> {
        let mut tx = self.owner_pool.begin().await?;
        let current: Option<TenantStatus> =
            sqlx::query_scalar("SELECT status FROM platform.tenants WHERE id = $1 FOR UPDATE")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
        let current = current.ok_or(Error::TenantNotFound)?;
        if !from.contains(&current) {
            return Err(Error::Conflict(format!(
                "the tenant is {}; only {} tenants can become {}",
                current.as_str(),
                from.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(" or "),
                to.as_str()
            )));
        }
        let row: TenantRow = sqlx::query_as(&format!(
            "UPDATE platform.tenants SET status = $2, updated_at = now() WHERE id = $1 RETURNING {TENANT_COLUMNS}"
        ))
        .bind(id)
        .bind(to.as_str())
        .fetch_one(&mut *tx)
        .await?;
        notify(&mut tx, Invalidation::Tenant(id)).await?;
        tx.commit().await?;
        self.resolver.invalidate_tenant(id);
        tracing::info!(tenant.id = %id, tenant.status = to.as_str(), "tenant status changed");
        Ok(row.into())
    }

    /// Makes a new data key the tenant's primary, then rewraps every encrypted field of the
    /// tenant under it. The rewrap is idempotent: if it is interrupted, running the rotation's
    /// rewrap again (or the next rotation) finishes the job.
    pub async fn rotate_key(&self, id: TenantId) -> Result<Rotated, Error> {
        let change = self.begin_key_rotation(id).await?;
        let version = change.commit().await?;
        let rewrap = self.rewrap_columns(id).await?;
        tracing::info!(tenant.id = %id, key.version = version.get(), rewrapped = rewrap.rewrapped, "tenant key rotated");
        Ok(Rotated { version, rewrap })
    }

    /// A new primary data key for the tenant, not yet committed (what must commit with it,
    /// its audit record, runs on the change's connection first); then `rewrap_columns`.
    pub async fn begin_key_rotation(&self, id: TenantId) -> Result<crate::keyring::KeyChange<'_>, Error> {
        let tenant = self.get(id).await?;
        if matches!(tenant.status, TenantStatus::Deleting | TenantStatus::Provisioning) {
            return Err(Error::Conflict(format!("the tenant is {}", tenant.status.as_str())));
        }
        Ok(self.keyring.begin_rotation(&self.owner_pool, id).await?)
    }

    /// Re-seals the tenant's encrypted columns under its primary key (what a rotation does
    /// after adding the key): to finish an interrupted rotation. Idempotent.
    pub async fn rewrap_columns(&self, id: TenantId) -> Result<RewrapReport, Error> {
        let tenant = self.get(id).await?;
        if matches!(tenant.status, TenantStatus::Deleting | TenantStatus::Provisioning) {
            return Err(Error::Conflict(format!("the tenant is {}", tenant.status.as_str())));
        }
        let cipher = self.owner_field_cipher(id).await?;
        Ok(rewrap_tenant(&self.owner_pool, &tenant.scope(), &cipher).await?)
    }

    /// Destroys one retired version of the tenant's data key (see `Keyring::destroy_version`);
    /// the caller checks first that nothing is left sealed under it.
    /// `None` when that version already was destroyed.
    pub async fn begin_key_destruction(
        &self,
        id: TenantId,
        version: KeyVersion,
    ) -> Result<Option<crate::keyring::KeyChange<'_>>, Error> {
        let tenant = self.get(id).await?;
        if matches!(tenant.status, TenantStatus::Deleting | TenantStatus::Provisioning) {
            return Err(Error::Conflict(format!("the tenant is {}", tenant.status.as_str())));
        }
        Ok(self.keyring.begin_destroy(&self.owner_pool, id, version).await?)
    }
}
