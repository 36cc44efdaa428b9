use crate::KeyVersion;

/// Every way a key can fail. All of them fail closed: no plaintext comes out.
#[derive(Debug, thiserror::Error)]
pub enum KeyringError {
    #[error("the master key is unusable: {0}")]
    MasterKey(String),
    #[error("tenant keys were wrapped by key-encryption key {stored}, but {configured} is configured")]
    WrongKek { stored: String, configured: String },
    #[error("the tenant has no data keys")]
    NoKeys,
    #[error("the tenant's data keys were destroyed")]
    Destroyed,
    #[error("no data key {0} for this tenant")]
    UnknownVersion(KeyVersion),
    /// Only versions retired by a rotation can be destroyed; the primary seals new data.
    #[error("data key {0} is the tenant's primary key; rotate first")]
    IsPrimary(KeyVersion),
    /// Retired too recently: something may still be sealing under it.
    #[error("data key {0} was retired too recently to be destroyed")]
    RecentlyRetired(KeyVersion),
    #[error("the ciphertext is malformed")]
    Malformed,
    /// Wrong key, wrong tenant/table/column/row binding, or tampered bytes: AEAD cannot say
    /// which, and neither do we.
    #[error("decryption failed")]
    Decrypt,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}
