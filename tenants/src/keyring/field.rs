use super::{DataKey, KeyringError};
use crate::{KeyVersion, TenantId};
use aes_gcm_siv::aead::{Aead, KeyInit, Payload};
use aes_gcm_siv::{Aes256GcmSiv, Nonce};
use rand::RngCore;
use std::collections::BTreeMap;
use std::sync::Arc;
use zeroize::Zeroizing;

/// Which value a ciphertext belongs to. All four parts are bound into the associated data, so
/// a ciphertext copied to another row, column, table or tenant does not decrypt.
#[derive(Clone, Copy, Debug)]
pub struct FieldRef<'a> {
    pub table: &'a str,
    pub column: &'a str,
    pub row_id: &'a str,
}

impl<'a> FieldRef<'a> {
    pub fn new(table: &'a str, column: &'a str, row_id: &'a str) -> Self {
        Self { table, column, row_id }
    }
}

/// Ciphertext layout: format (1 byte) | key version (u32, big endian) | nonce (12) | sealed.
const FORMAT_V1: u8 = 1;
const HEADER_LEN: usize = 1 + 4 + 12;

/// A tenant's data keys, unwrapped, as one immutable snapshot.
#[derive(Debug)]
pub(crate) struct TenantKeys {
    pub(crate) tenant_id: TenantId,
    pub(crate) primary: KeyVersion,
    /// Versions still usable. Destroyed versions are absent, so they fail closed.
    pub(crate) keys: BTreeMap<KeyVersion, DataKey>,
}

/// Encrypts and decrypts one tenant's fields.
#[derive(Clone, Debug)]
pub struct FieldCipher {
    keys: Arc<TenantKeys>,
}

impl FieldCipher {
    pub(crate) fn new(keys: Arc<TenantKeys>) -> Self {
        Self { keys }
    }

    pub fn tenant_id(&self) -> TenantId {
        self.keys.tenant_id
    }

    /// The version new ciphertexts are sealed with.
    pub fn primary_version(&self) -> KeyVersion {
        self.keys.primary
    }

    pub fn encrypt(&self, field: FieldRef<'_>, plaintext: &[u8]) -> Result<Vec<u8>, KeyringError> {
        let version = self.keys.primary;
        let key = self
            .keys
            .keys
            .get(&version)
            .ok_or(KeyringError::UnknownVersion(version))?;
        let mut nonce = [0u8; 12];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let aad = self.associated_data(version, field);
        let sealed = Aes256GcmSiv::new(key.as_bytes().into())
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: plaintext,
                    aad: &aad,
                },
            )
            .map_err(|_| KeyringError::Decrypt)?;
        let mut out = Vec::with_capacity(HEADER_LEN + sealed.len());
        out.push(FORMAT_V1);
        out.extend_from_slice(&version.get().to_be_bytes());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        Ok(out)
    }

    pub fn decrypt(&self, field: FieldRef<'_>, ciphertext: &[u8]) -> Result<Zeroizing<Vec<u8>>, KeyringError> {
        let (version, nonce, sealed) = parse(ciphertext)?;
        let key = self
            .keys
            .keys
            .get(&version)
            .ok_or(KeyringError::UnknownVersion(version))?;
        let aad = self.associated_data(version, field);
        Aes256GcmSiv::new(key.as_bytes().into())
            .decrypt(Nonce::from_slice(nonce), Payload { msg: sealed, aad: &aad })
            .map(Zeroizing::new)
            .map_err(|_| KeyringError::Decrypt)
    }

    /// The key version a ciphertext was sealed with.
    pub fn version_of(ciphertext: &[u8]) -> Result<KeyVersion, KeyringError> {
        parse(ciphertext).map(|(version, _, _)| version)
    }

    /// Re-seals a ciphertext under the primary key; `None` when it already is.
    pub fn rewrap(&self, field: FieldRef<'_>, ciphertext: &[u8]) -> Result<Option<Vec<u8>>, KeyringError> {
        if Self::version_of(ciphertext)? == self.keys.primary {
            return Ok(None);
        }
        let plain = self.decrypt(field, ciphertext)?;
        self.encrypt(field, &plain).map(Some)
    }

    /// Domain tag, tenant, format and version, then each name length-prefixed so that
    /// (`ab`, `c`) and (`a`, `bc`) never collide.
    fn associated_data(&self, version: KeyVersion, field: FieldRef<'_>) -> Vec<u8> {
        let mut aad = Vec::with_capacity(64 + field.table.len() + field.column.len() + field.row_id.len());
        aad.extend_from_slice(b"platform.field");
        aad.extend_from_slice(self.keys.tenant_id.as_uuid().as_bytes());
        aad.push(FORMAT_V1);
        aad.extend_from_slice(&version.get().to_be_bytes());
        for part in [field.table, field.column, field.row_id] {
            aad.extend_from_slice(&(part.len() as u32).to_be_bytes());
            aad.extend_from_slice(part.as_bytes());
        }
        aad
    }
}

fn parse(ciphertext: &[u8]) -> Result<(KeyVersion, &[u8], &[u8]), KeyringError> {
    if ciphertext.len() <= HEADER_LEN || ciphertext[0] != FORMAT_V1 {
        return Err(KeyringError::Malformed);
    }
    let version = u32::from_be_bytes([ciphertext[1], ciphertext[2], ciphertext[3], ciphertext[4]]);
    let version = KeyVersion::new(version).ok_or(KeyringError::Malformed)?;
    Ok((version, &ciphertext[5..HEADER_LEN], &ciphertext[HEADER_LEN..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cipher(tenant: TenantId, versions: &[u32], primary: u32) -> FieldCipher {
        let keys = versions
            .iter()
            .map(|v| {
                (
                    KeyVersion::new(*v).expect("version"),
                    DataKey::from_bytes([*v as u8; 32]),
                )
            })
            .collect();
        FieldCipher::new(Arc::new(TenantKeys {
            tenant_id: tenant,
            primary: KeyVersion::new(primary).expect("version"),
            keys,
        }))
    }

    #[test]
    fn round_trips_and_binds_every_part_of_the_field() {
        let tenant = TenantId::new();
        let c = cipher(tenant, &[1], 1);
        let here = FieldRef::new("users", "mfa_secret", "row-1");
        let sealed = c.encrypt(here, b"secret").expect("encrypt");
        assert_eq!(&*c.decrypt(here, &sealed).expect("decrypt"), b"secret");
        for elsewhere in [
            FieldRef::new("users", "mfa_secret", "row-2"),
            FieldRef::new("users", "email", "row-1"),
            FieldRef::new("posts", "mfa_secret", "row-1"),
            FieldRef::new("usersm", "fa_secret", "row-1"),
        ] {
            assert!(
                matches!(c.decrypt(elsewhere, &sealed), Err(KeyringError::Decrypt)),
                "{elsewhere:?}"
            );
        }
        let other_tenant = cipher(TenantId::new(), &[1], 1);
        assert!(matches!(
            other_tenant.decrypt(here, &sealed),
            Err(KeyringError::Decrypt)
        ));
    }

    #[test]
    fn unknown_versions_and_tampering_fail_closed() {
        let tenant = TenantId::new();
        let v2 = cipher(tenant, &[1, 2], 2);
        let only_v1 = cipher(tenant, &[1], 1);
        let here = FieldRef::new("t", "c", "r");
        let sealed = v2.encrypt(here, b"x").expect("encrypt");
        assert!(matches!(
            only_v1.decrypt(here, &sealed),
            Err(KeyringError::UnknownVersion(_))
        ));
        let mut relabelled = sealed.clone();
        relabelled[4] = 1; // claim version 1
        assert!(matches!(v2.decrypt(here, &relabelled), Err(KeyringError::Decrypt)));
        assert!(matches!(v2.decrypt(here, &sealed[..10]), Err(KeyringError::Malformed)));
    }

    #[test]
    fn rewrap_moves_old_ciphertexts_to_the_primary_version() {
        let tenant = TenantId::new();
        let here = FieldRef::new("t", "c", "r");
        let old = cipher(tenant, &[1], 1).encrypt(here, b"x").expect("encrypt");
        let rotated = cipher(tenant, &[1, 2], 2);
        let new = rotated.rewrap(here, &old).expect("rewrap").expect("was old");
        assert_eq!(FieldCipher::version_of(&new).expect("version").get(), 2);
        assert!(rotated.rewrap(here, &new).expect("rewrap").is_none());
        assert_eq!(&*rotated.decrypt(here, &new).expect("decrypt"), b"x");
    }
}
