//! Per-tenant encryption keys: a key-encryption key (KEK) wraps versioned data keys (DEKs);
//! data keys encrypt fields with associated data that binds tenant, table, column and row.

mod data_key;
mod error;
mod field;
mod kek;
mod rewrap;
mod store;

pub use data_key::DataKey;
pub use error::KeyringError;
pub use field::{FieldCipher, FieldRef};
pub use kek::{KeyEncryptionKey, LocalKek, MasterKeySource};
pub use rewrap::{ENCRYPTED_COLUMNS, EncryptedColumn, RewrapReport, remaining_under, rewrap_tenant};
pub use store::{KeyChange, Keyring};
