//! What the platform gives a plugin, scoped to the tenant that installed it and to the plugin.

/// Key-value storage private to this plugin in this tenant. Needs [`crate::Capability::Kv`].
pub mod kv {
    use crate::bindings::platform::plugin::kv as raw;
    pub use crate::bindings::platform::plugin::kv::KvError as Error;

    pub fn get(key: &str) -> Result<Option<Vec<u8>>, Error> {
        raw::get(key)
    }
    pub fn set(key: &str, value: &[u8]) -> Result<(), Error> {
        raw::set(key, value)
    }
    /// True when the key existed.
    pub fn delete(key: &str) -> Result<bool, Error> {
        raw::delete(key)
    }
    /// Keys starting with `prefix`, in order, at most `limit` (capped at 1000).
    pub fn list_keys(prefix: &str, limit: u32) -> Result<Vec<String>, Error> {
        raw::list_keys(prefix, limit)
    }
}

/// The tenant's configuration of this plugin, validated by the platform against the schema
/// from [`crate::Info::config_schema`].
pub mod config {
    /// The configuration as JSON (`{}` when the tenant set none).
    pub fn get() -> serde_json::Value {
        match crate::bindings::platform::plugin::config::get() {
            Ok(text) => serde_json::from_str(&text).unwrap_or(serde_json::Value::Null),
            Err(_) => serde_json::Value::Null,
        }
    }

    /// The configuration read into a type.
    pub fn typed<T: for<'de> serde::Deserialize<'de>>() -> Result<T, String> {
        let text = crate::bindings::platform::plugin::config::get().map_err(|_| "access denied".to_owned())?;
        serde_json::from_str(&text).map_err(|e| e.to_string())
    }
}

/// Sealing values with the tenant's data key. Needs [`crate::Capability::Crypto`]. A sealed
/// value opens only in the same tenant, for the same plugin and the same `context`.
pub mod crypto {
    use crate::bindings::platform::plugin::crypto as raw;
    pub use crate::bindings::platform::plugin::crypto::CryptoError as Error;

    pub fn seal(context: &str, plaintext: &[u8]) -> Result<String, Error> {
        raw::seal(context, plaintext)
    }
    pub fn open(context: &str, sealed: &str) -> Result<Vec<u8>, Error> {
        raw::open(context, sealed)
    }
}

/// Logging into the platform's logs, tagged with the tenant and the plugin. Capped per call
/// (16 KiB on the standard plan); past the cap, lines are dropped.
pub mod log {
    use crate::bindings::platform::plugin::log::{Level, log};

    pub fn debug(message: &str) {
        log(Level::Debug, message);
    }
    pub fn info(message: &str) {
        log(Level::Info, message);
    }
    pub fn warn(message: &str) {
        log(Level::Warn, message);
    }
    pub fn error(message: &str) {
        log(Level::Error, message);
    }
}

/// The wall clock. Needs [`crate::Capability::Clock`].
pub mod clock {
    pub fn now_millis() -> Option<i64> {
        crate::bindings::platform::plugin::clock::now_millis().ok()
    }
}
