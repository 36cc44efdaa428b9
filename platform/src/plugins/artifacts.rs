//! Artifacts: checked and compiled by the runtime, kept content-addressed in object storage
//! (`plugins/sha256/{digest}.wasm`) and recorded in `platform.plugin_artifacts`. Code, not
//! tenant data, so it lives outside `tenants/{id}/`: one artifact serves every tenant that
//! installs it, and no tenant can read another's bytes through it (nothing serves them).

use super::PluginService;
use crate::http::ApiError;
use crate::plugins::codes::PluginCode;
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore as _, PutPayload};
use plugins::{ArtifactError, Compiled, Digest};
use std::sync::Arc;

pub fn object_key(digest: Digest) -> ObjectPath {
    ObjectPath::from(format!("plugins/sha256/{digest}.wasm"))
}

/// An artifact refused, as a problem: 413 when too large, 422 otherwise, saying why.
pub fn artifact_problem(error: ArtifactError) -> ApiError {
    match error {
        ArtifactError::TooLarge { .. } => ApiError::of(PluginCode::PluginTooLarge, error.to_string()),
        _ => ApiError::of(PluginCode::InvalidPlugin, error.to_string()),
    }
}

impl PluginService {
    /// Checks and compiles an uploaded artifact, then keeps it. Idempotent: the same bytes
    /// twice are one artifact.
    pub async fn register_artifact(&self, bytes: Vec<u8>) -> Result<Arc<Compiled>, ApiError> {
        let bytes: Arc<[u8]> = bytes.into();
        let compiled = self.runtime.load(bytes.clone()).await.map_err(artifact_problem)?;
        let key = object_key(compiled.digest);
        if self.objects.head(&key).await.is_err() {
            self.objects
                .put(&key, PutPayload::from(bytes.to_vec()))
                .await
                .map_err(ApiError::internal)?;
        }
        let info = serde_json::to_value(&compiled.info).map_err(ApiError::internal)?;
        sqlx::query(
            "INSERT INTO platform.plugin_artifacts (digest, name, version, size_bytes, info) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (digest) DO NOTHING",
        )
        .bind(compiled.digest.to_hex())
        .bind(&compiled.info.name)
        .bind(compiled.info.version.to_string())
        .bind(i32::try_from(compiled.size).unwrap_or(i32::MAX))
        .bind(info)
        .execute(&self.pool)
        .await?;
        Ok(compiled)
    }

    /// The compiled plugin of a digest: from this process's cache, else from object storage.
    pub async fn compiled(&self, digest: Digest) -> anyhow::Result<Arc<Compiled>> {
        if let Some(compiled) = self.runtime.cached(digest).await {
            return Ok(compiled);
        }
        let bytes = self.objects.get(&object_key(digest)).await?.bytes().await?;
        if Digest::of(&bytes) != digest {
            anyhow::bail!("the stored artifact {digest} does not match its digest");
        }
        self.runtime
            .load(bytes.to_vec().into())
            .await
            .map_err(|e| anyhow::anyhow!("the stored artifact {digest} no longer loads: {e}"))
    }
}
