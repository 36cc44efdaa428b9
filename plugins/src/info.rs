//! What a plugin says about itself (`describe`), checked once when it is uploaded.

use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// A host capability a plugin may ask for. Without the tenant's grant, the matching host
/// calls answer `access-denied`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Capability {
    /// Key-value storage private to the plugin in the tenant.
    Kv,
    /// Sealing and opening values with the tenant's data key.
    Crypto,
    /// The wall clock (WASI's clocks read zero without it).
    Clock,
}

impl Capability {
    pub const ALL: [Capability; 3] = [Self::Kv, Self::Crypto, Self::Clock];

    pub fn name(self) -> &'static str {
        match self {
            Self::Kv => "kv",
            Self::Crypto => "crypto",
            Self::Clock => "clock",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.name() == name)
    }
}

/// A set of capabilities (requested or granted).
pub type Capabilities = BTreeSet<Capability>;

/// One hook a plugin subscribes to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subscription {
    pub hook: String,
    pub priority: i32,
}

/// A plugin's description, checked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PluginInfo {
    pub name: String,
    pub version: semver::Version,
    pub description: String,
    pub hooks: Vec<Subscription>,
    pub capabilities: Capabilities,
    /// JSON Schema of the tenant configuration.
    pub config_schema: serde_json::Value,
}

/// Why a description is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InfoError {
    #[error("the plugin name {0:?} is not 2 to 64 lower-case letters, digits and hyphens")]
    Name(String),
    #[error("the plugin version {0:?} is not a semantic version (1.2.3)")]
    Version(String),
    #[error("the plugin asks for the capability {0:?}, which does not exist (known: kv, crypto, clock)")]
    Capability(String),
    #[error("the plugin subscribes to {0:?}, which is not a hook of this platform")]
    Hook(String),
    #[error("the plugin subscribes to {0:?} twice")]
    DuplicateHook(String),
    #[error("the plugin's config schema is not a JSON object: {0}")]
    ConfigSchema(String),
    #[error("the plugin's description is longer than 1000 characters")]
    Description,
}

/// The largest config schema a plugin may declare.
const MAX_SCHEMA_BYTES: usize = 256 << 10;

impl PluginInfo {
    /// Checks what `describe` returned. `is_hook` says which hook names exist.
    pub fn check(
        raw: crate::bindings::platform::plugin::types::PluginInfo,
        is_hook: impl Fn(&str) -> bool,
    ) -> Result<Self, InfoError> {
        if !is_plugin_name(&raw.name) {
            return Err(InfoError::Name(raw.name));
        }
        let version = semver::Version::parse(&raw.version).map_err(|_| InfoError::Version(raw.version.clone()))?;
        if raw.description.chars().count() > 1000 {
            return Err(InfoError::Description);
        }
        let capabilities = raw
            .capabilities
            .iter()
            .map(|name| Capability::parse(name).ok_or_else(|| InfoError::Capability(name.clone())))
            .collect::<Result<Capabilities, _>>()?;
        let mut hooks = Vec::with_capacity(raw.hooks.len());
        for subscription in raw.hooks {
            if !is_hook(&subscription.hook) {
                return Err(InfoError::Hook(subscription.hook));
            }
            if hooks.iter().any(|h: &Subscription| h.hook == subscription.hook) {
                return Err(InfoError::DuplicateHook(subscription.hook));
            }
            hooks.push(Subscription {
                hook: subscription.hook,
                priority: subscription.priority,
            });
        }
        if raw.config_schema.len() > MAX_SCHEMA_BYTES {
            return Err(InfoError::ConfigSchema("larger than 256 KiB".into()));
        }
        let config_schema: serde_json::Value = if raw.config_schema.trim().is_empty() {
            serde_json::json!({"type": "object"})
        } else {
            serde_json::from_str(&raw.config_schema).map_err(|e| InfoError::ConfigSchema(e.to_string()))?
        };
        if !config_schema.is_object() {
            return Err(InfoError::ConfigSchema("not an object".into()));
        }
        Ok(Self {
            name: raw.name,
            version,
            description: raw.description,
            hooks,
            capabilities,
            config_schema,
        })
    }

    /// The priority of this plugin on a hook, if it subscribes to it.
    pub fn priority(&self, hook: &str) -> Option<i32> {
        self.hooks.iter().find(|h| h.hook == hook).map(|h| h.priority)
    }
}

/// Lower-case letters, digits and single hyphens, 2 to 64 characters, starting with a letter.
pub fn is_plugin_name(name: &str) -> bool {
    (2..=64).contains(&name.len())
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && !name.ends_with('-')
        && !name.contains("--")
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plugin_names() {
        for good in ["custom-fields", "ab", "lgpd2"] {
            assert!(is_plugin_name(good), "{good}");
        }
        for bad in ["a", "Custom", "-x", "x-", "a--b", "2fa", "a_b", &"a".repeat(65)] {
            assert!(!is_plugin_name(bad), "{bad}");
        }
    }
}
