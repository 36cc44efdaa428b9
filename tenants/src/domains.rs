use crate::error::constraint;
use crate::invalidation::{Invalidation, notify};
use crate::model::DomainRow;
use crate::{Domain, Error, Hostname, Tenancy, TenantId};

impl Tenancy {
    /// Adds a custom domain. Operators vouch for the domains they add, so it is verified and
    /// routes at once. Names under the base domain are reserved for tenant subdomains.
    pub async fn add_domain(&self, id: TenantId, host: Hostname, primary: bool) -> Result<Domain, Error> {
        if host.is_within(&self.base_domain) {
            return Err(Error::InvalidHost(format!(
                "{host} is under the platform's base domain; only {{slug}}.{} names are used there",
                self.base_domain
            )));
        }
        let mut tx = self.owner_pool.begin().await?;
        self.lock_live_tenant(&mut tx, id).await?;
        if primary {
            sqlx::query("UPDATE platform.domains SET is_primary = false WHERE tenant_id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        let row: DomainRow = sqlx::query_as(
            "INSERT INTO platform.domains (host, tenant_id, is_primary, verified) VALUES ($1, $2, $3, true) \
             RETURNING host, tenant_id, is_primary, verified, created_at",
        )
        .bind(host.as_str())
        .bind(id)
        .bind(primary)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| match constraint(&e) {
            Some("domains_pkey") => Error::DomainTaken(host.to_string()),
            _ => e.into(),
        })?;
        notify(&mut tx, Invalidation::Tenant(id)).await?;
        tx.commit().await?;
        self.resolver.invalidate_tenant(id);
        Ok(row.into())
    }

    /// Removes a custom domain. The tenant's own `{slug}.{base}` name cannot be removed; if
    /// the removed domain was primary, that name becomes primary again.
    pub async fn remove_domain(&self, id: TenantId, host: &Hostname) -> Result<(), Error> {
        if host.is_within(&self.base_domain) {
            return Err(Error::Conflict(
                "the tenant's platform subdomain cannot be removed".into(),
            ));
        }
        let mut tx = self.owner_pool.begin().await?;
        self.lock_live_tenant(&mut tx, id).await?;
        let was_primary: Option<bool> =
            sqlx::query_scalar("DELETE FROM platform.domains WHERE host = $1 AND tenant_id = $2 RETURNING is_primary")
                .bind(host.as_str())
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
        match was_primary {
            None => return Err(Error::DomainNotFound),
            Some(true) => {
                sqlx::query(
                    "UPDATE platform.domains SET is_primary = true WHERE tenant_id = $1 AND host = \
                     (SELECT slug || '.' || $2 FROM platform.tenants WHERE id = $1)",
                )
                .bind(id)
                .bind(self.base_domain.as_str())
                .execute(&mut *tx)
                .await?;
            }
            Some(false) => {}
        }
        notify(&mut tx, Invalidation::Tenant(id)).await?;
        tx.commit().await?;
        self.resolver.invalidate_tenant(id);
        Ok(())
    }

    async fn lock_live_tenant(&self, tx: &mut sqlx::PgConnection, id: TenantId) -> Result<(), Error> {
        let status: Option<String> = sqlx::query_scalar("SELECT status FROM platform.tenants WHERE id = $1 FOR UPDATE")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
        match status.as_deref() {
            None => Err(Error::TenantNotFound),
            Some("deleting") | Some("provisioning") => {
                Err(Error::Conflict("the tenant is being created or deleted".into()))
            }
            Some(_) => Ok(()),
        }
    }
}
