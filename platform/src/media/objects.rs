//! The object store, and where a tenant's objects live in it. Every key is under
//! `tenants/{tenant id}/`, and media bytes are sealed with the tenant's data key (bound to
//! the media id), so neither a wrong key nor a copied object reveals another tenant's file.

use crate::config::ObjectStoreLocation;
use crate::content::ids::MediaId;
use anyhow::Context as _;
use object_store::ObjectStore;
use object_store::path::Path;
use std::sync::Arc;
use tenants::TenantId;
use tenants::keyring::FieldRef;

/// Opens the configured store: a local directory (created if missing) or an S3 bucket.
pub fn open(location: &ObjectStoreLocation) -> anyhow::Result<Arc<dyn ObjectStore>> {
    match location {
        ObjectStoreLocation::Local(dir) => {
            std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
            let store =
                object_store::local::LocalFileSystem::new_with_prefix(dir).context("PLATFORM_OBJECT_STORE_DIR")?;
            Ok(Arc::new(store))
        }
        ObjectStoreLocation::S3(url) => {
            let (bucket, prefix) = url
                .trim_start_matches("s3://")
                .split_once('/')
                .map_or((url.trim_start_matches("s3://"), ""), |(b, p)| (b, p.trim_matches('/')));
            let store = object_store::aws::AmazonS3Builder::from_env()
                .with_bucket_name(bucket)
                .build()
                .context("PLATFORM_OBJECT_STORE_URL (and the AWS_* variables)")?;
            if prefix.is_empty() {
                Ok(Arc::new(store))
            } else {
                Ok(Arc::new(object_store::prefix::PrefixStore::new(store, prefix)))
            }
        }
    }
}

/// Deletes every object of the tenant (everything under `tenants/{tenant}/`): media, audit
/// checkpoints. Idempotent. Returns how many were deleted.
pub async fn purge_tenant(store: Arc<dyn ObjectStore>, tenant: TenantId) -> Result<u64, String> {
    use futures_util::{StreamExt as _, TryStreamExt as _};
    let prefix = Path::from(format!("tenants/{tenant}"));
    let locations = store.list(Some(&prefix)).map_ok(|meta| meta.location).boxed();
    let deleted: Vec<Path> = store
        .delete_stream(locations)
        .try_collect()
        .await
        .map_err(|e| format!("object storage: {e}"))?;
    Ok(deleted.len() as u64)
}

/// The purge a tenant deletion runs (see `Tenancy::delete_with`).
pub fn purge(
    store: Arc<dyn ObjectStore>,
) -> impl Fn(TenantId) -> futures_util::future::BoxFuture<'static, Result<u64, String>> + Sync {
    move |tenant| Box::pin(purge_tenant(store.clone(), tenant))
}

/// `tenants/{tenant}/media/{id}`.
pub fn media_key(tenant: TenantId, id: MediaId) -> Path {
    Path::from(format!("tenants/{tenant}/media/{id}"))
}

/// What a media object's ciphertext is bound to.
pub fn media_field(id: &str) -> FieldRef<'_> {
    FieldRef::new("media", "object", id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_s3_url_names_the_bucket_and_a_prefix() {
        // Building connects to nothing: credentials are looked up on first use.
        let store = open(&ObjectStoreLocation::S3("s3://hospital-media".into())).expect("s3 store");
        assert!(store.to_string().contains("hospital-media"), "{store}");
        let prefixed = open(&ObjectStoreLocation::S3("s3://hospital-media/platform/prod/".into())).expect("s3 store");
        assert!(prefixed.to_string().contains("platform/prod"), "the prefix: {prefixed}");
    }

    #[test]
    fn keys_are_under_the_tenant() {
        let tenant = TenantId::new();
        let key = media_key(tenant, MediaId::new());
        assert!(key.as_ref().starts_with(&format!("tenants/{tenant}/media/")));
    }
}
