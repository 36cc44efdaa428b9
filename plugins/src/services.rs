//! What the platform provides to a plugin call, already bound to one tenant and one plugin: the
//! sandbox cannot name another scope, because it never holds one.

use futures_util::future::BoxFuture;

/// Why a storage or crypto call failed, as the guest will see it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ServiceError {
    #[error("quota exceeded: {0}")]
    QuotaExceeded(String),
    #[error("too large")]
    TooLarge,
    #[error("not valid here")]
    Invalid,
    #[error("unavailable")]
    Unavailable,
}

/// Host services for one (tenant, plugin). Implemented by the platform over the tenant's
/// schema and keyring.
pub trait Services: Send + Sync {
    fn kv_get<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<Option<Vec<u8>>, ServiceError>>;
    fn kv_set<'a>(&'a self, key: &'a str, value: &'a [u8]) -> BoxFuture<'a, Result<(), ServiceError>>;
    fn kv_delete<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<bool, ServiceError>>;
    fn kv_list<'a>(&'a self, prefix: &'a str, limit: u32) -> BoxFuture<'a, Result<Vec<String>, ServiceError>>;
    /// The tenant's configuration of the plugin, as JSON text.
    fn config(&self) -> &str;
    fn seal<'a>(&'a self, context: &'a str, plaintext: &'a [u8]) -> BoxFuture<'a, Result<String, ServiceError>>;
    fn open<'a>(&'a self, context: &'a str, sealed: &'a str) -> BoxFuture<'a, Result<Vec<u8>, ServiceError>>;
}

/// Services for calls that must not touch tenant state (`describe` at upload): storage and
/// crypto are unavailable and the configuration is empty.
pub struct NoServices;

impl Services for NoServices {
    fn kv_get<'a>(&'a self, _: &'a str) -> BoxFuture<'a, Result<Option<Vec<u8>>, ServiceError>> {
        Box::pin(async { Err(ServiceError::Unavailable) })
    }
    fn kv_set<'a>(&'a self, _: &'a str, _: &'a [u8]) -> BoxFuture<'a, Result<(), ServiceError>> {
        Box::pin(async { Err(ServiceError::Unavailable) })
    }
    fn kv_delete<'a>(&'a self, _: &'a str) -> BoxFuture<'a, Result<bool, ServiceError>> {
        Box::pin(async { Err(ServiceError::Unavailable) })
    }
    fn kv_list<'a>(&'a self, _: &'a str, _: u32) -> BoxFuture<'a, Result<Vec<String>, ServiceError>> {
        Box::pin(async { Err(ServiceError::Unavailable) })
    }
    fn config(&self) -> &str {
        "{}"
    }
    fn seal<'a>(&'a self, _: &'a str, _: &'a [u8]) -> BoxFuture<'a, Result<String, ServiceError>> {
        Box::pin(async { Err(ServiceError::Unavailable) })
    }
    fn open<'a>(&'a self, _: &'a str, _: &'a str) -> BoxFuture<'a, Result<Vec<u8>, ServiceError>> {
        Box::pin(async { Err(ServiceError::Unavailable) })
    }
}
