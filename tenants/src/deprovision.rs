use crate::invalidation::{Invalidation, notify};
use crate::naming::quote_ident;
use crate::{Error, Tenancy, TenantId};
use futures_util::future::BoxFuture;

#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct Deprovisioned {
    pub keys_destroyed: u64,
    /// Objects removed from object storage by the purge.
    pub objects_deleted: u64,
}

/// Removes what the tenant keeps outside the database (its objects under `tenants/{id}/`),
/// returning how many went. Run after its keys are shredded, before its schema is dropped;
/// it must be idempotent, as an interrupted deletion runs it again.
pub type Purge<'a> = &'a (dyn Fn(TenantId) -> BoxFuture<'static, Result<u64, String>> + Sync);

impl Tenancy {
    /// Offboards a tenant for good, in an order that fails safe:
    /// 1. mark it `deleting` (it stops routing at once, on every instance);
    /// 2. destroy its wrapped data keys and commit: from here its ciphertexts, wherever they
    ///    were copied, are noise (crypto-shredding);
    /// 3. drop its schema and role and remove it from the control plane.
    ///
    /// A crash anywhere leaves a `deleting` tenant, and running the deletion again finishes it.
    pub async fn delete(&self, id: TenantId) -> Result<Deprovisioned, Error> {
        self.delete_with(id, &|_| Box::pin(async { Ok(0) })).await
    }

    /// [`Self::delete`], with what the tenant keeps elsewhere removed by `purge` once its keys
    /// are shredded (so whatever a purge misses is already unreadable), before the schema
    /// goes. A failed purge leaves the tenant `deleting`; deleting again finishes.
    pub async fn delete_with(&self, id: TenantId, purge: Purge<'_>) -> Result<Deprovisioned, Error> {
        let mut tx = self.owner_pool.begin().await?;
        let names: Option<(String, String)> = sqlx::query_as(
            "UPDATE platform.tenants SET status = 'deleting', updated_at = now() WHERE id = $1 \
             RETURNING schema_name, role_name",
        )
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((schema, role)) = names else {
            return Err(Error::TenantNotFound);
        };
        notify(&mut tx, Invalidation::Tenant(id)).await?;
        tx.commit().await?;
        self.resolver.invalidate_tenant(id);

        let keys_destroyed = self.keyring.shred(&self.owner_pool, id).await?;
        let objects_deleted = purge(id).await.map_err(Error::Purge)?;

        let mut tx = self.owner_pool.begin().await?;
        crate::run_script(&mut tx, "SET LOCAL lock_timeout = '30s'").await?;
        crate::run_script(
            &mut tx,
            &format!("DROP SCHEMA IF EXISTS {} CASCADE", quote_ident(&schema)),
        )
        .await?;
        let role_exists: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)")
            .bind(&role)
            .fetch_one(&mut *tx)
            .await?;
        if role_exists {
            let r = quote_ident(&role);
            // DROP OWNED revokes what the role was granted (default privileges included).
            crate::run_script(&mut tx, &format!("DROP OWNED BY {r}; DROP ROLE {r}")).await?;
        }
        sqlx::query("DELETE FROM platform.tenants WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        notify(&mut tx, Invalidation::Tenant(id)).await?;
        tx.commit().await?;
        self.resolver.invalidate_tenant(id);
        self.keyring.invalidate(id);
        tracing::info!(tenant.id = %id, keys.destroyed = keys_destroyed, objects.deleted = objects_deleted, "tenant deleted");
        Ok(Deprovisioned {
            keys_destroyed,
            objects_deleted,
        })
    }
}
