//! The first-party plugins, built from `plugins/builtin/` by this crate's build script and
//! shipped inside the binary. They go into the catalogue like any other plugin (marked
//! built-in), through the same checks; nothing about them is special once loaded.

use super::PluginService;
use super::catalogue;

/// Name and component of each first-party plugin.
pub const BUILTIN: &[(&str, &[u8])] = &[("custom-fields", include_bytes!(env!("BUILTIN_CUSTOM_FIELDS")))];

impl PluginService {
    /// Registers the first-party plugins in the catalogue, once per process: at start in
    /// `serve` (in the background), and before any catalogue read, so the first reader waits
    /// for it instead of missing them.
    pub async fn ensure_builtins(&self) -> anyhow::Result<()> {
        self.builtins
            .get_or_try_init(|| async {
                for (name, bytes) in BUILTIN {
                    let compiled = self
                        .register_artifact(bytes.to_vec())
                        .await
                        .map_err(|e| anyhow::anyhow!("the built-in plugin {name} does not load: {e:?}"))?;
                    // The catalogue is the operators': written by the owner.
                    catalogue::offer(self.tenancy.owner_pool(), &compiled, true).await?;
                }
                anyhow::Ok(())
            })
            .await
            .map(|_| ())
    }
}
