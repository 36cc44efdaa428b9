use super::{DataKey, KeyringError};
use aes_gcm_siv::aead::{Aead, KeyInit, Payload};
use aes_gcm_siv::{Aes256GcmSiv, Nonce};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use futures_util::future::BoxFuture;
use rand::RngCore;
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// Wraps and unwraps data keys. The local implementation holds a master key in memory; a KMS
/// or Vault transit implementation can take its place without touching anything else.
pub trait KeyEncryptionKey: Send + Sync + 'static {
    /// A stable name for this KEK, stored beside every key it wraps, so a wrong master key is
    /// reported as such rather than as corrupt data.
    fn id(&self) -> &str;
    fn wrap<'a>(&'a self, aad: &'a [u8], key: &'a DataKey) -> BoxFuture<'a, Result<Vec<u8>, KeyringError>>;
    fn unwrap<'a>(&'a self, aad: &'a [u8], wrapped: &'a [u8]) -> BoxFuture<'a, Result<DataKey, KeyringError>>;
}

/// Where the master key comes from.
#[derive(Debug)]
pub enum MasterKeySource {
    /// `PLATFORM_MASTER_KEY`: base64 of 32 bytes.
    Inline(SecretString),
    /// `PLATFORM_MASTER_KEY_FILE`: a file holding base64 of 32 bytes (or the 32 raw bytes).
    File(PathBuf),
    /// Local development only: `{data dir}/master.key`, generated on first use.
    GeneratedIn(PathBuf),
}

/// A KEK held in process memory, using AES-256-GCM-SIV (misuse-resistant if a nonce ever
/// repeats).
pub struct LocalKek {
    id: String,
    cipher: Aes256GcmSiv,
}

const NONCE_LEN: usize = 12;

impl LocalKek {
    pub fn new(key: &DataKey) -> Self {
        let fingerprint = Sha256::digest([b"platform.kek.id".as_slice(), key.as_bytes()].concat());
        let id = format!("local:{}", hex_prefix(&fingerprint, 8));
        Self {
            id,
            cipher: Aes256GcmSiv::new(key.as_bytes().into()),
        }
    }

    /// Loads the master key. `GeneratedIn` creates `master.key` (mode 0600) when missing and
    /// logs a loud warning: such a key lives beside the data it protects.
    pub fn load(source: &MasterKeySource) -> Result<Self, KeyringError> {
        let key = match source {
            MasterKeySource::Inline(value) => decode_key(value.expose_secret().trim())?,
            MasterKeySource::File(path) => read_key_file(path)?,
            MasterKeySource::GeneratedIn(dir) => {
                let path = dir.join("master.key");
                if !path.exists() {
                    generate_key_file(&path)?;
                    tracing::warn!(
                        path = %path.display(),
                        "GENERATED A DEVELOPMENT MASTER KEY. It sits next to the data it protects: \
                         set PLATFORM_MASTER_KEY or PLATFORM_MASTER_KEY_FILE in production"
                    );
                } else {
                    tracing::info!(path = %path.display(), "using the development master key from the data directory");
                }
                read_key_file(&path)?
            }
        };
        Ok(Self::new(&key))
    }
}

fn hex_prefix(bytes: &[u8], n: usize) -> String {
    bytes.iter().take(n).map(|b| format!("{b:02x}")).collect()
}

fn decode_key(text: &str) -> Result<DataKey, KeyringError> {
    let bytes = BASE64
        .decode(text)
        .map_err(|_| KeyringError::MasterKey("not valid base64".into()))?;
    DataKey::from_slice(&bytes)
        .ok_or_else(|| KeyringError::MasterKey(format!("decodes to {} bytes, 32 are needed", bytes.len())))
}

fn read_key_file(path: &Path) -> Result<DataKey, KeyringError> {
    let bytes =
        std::fs::read(path).map_err(|e| KeyringError::MasterKey(format!("cannot read {}: {e}", path.display())))?;
    if let Some(raw) = DataKey::from_slice(&bytes) {
        return Ok(raw);
    }
    let text = std::str::from_utf8(&bytes)
        .map_err(|_| KeyringError::MasterKey(format!("{} is neither 32 raw bytes nor base64", path.display())))?;
    decode_key(text.trim())
}

fn generate_key_file(path: &Path) -> Result<(), KeyringError> {
    use std::io::Write as _;
    use std::os::unix::fs::OpenOptionsExt as _;
    let fail = |e: std::io::Error| KeyringError::MasterKey(format!("cannot create {}: {e}", path.display()));
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(fail)?;
    }
    let key = DataKey::generate();
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(fail)?;
    file.write_all(BASE64.encode(key.as_bytes()).as_bytes()).map_err(fail)?;
    file.sync_all().map_err(fail)
}

impl KeyEncryptionKey for LocalKek {
    fn id(&self) -> &str {
        &self.id
    }

    fn wrap<'a>(&'a self, aad: &'a [u8], key: &'a DataKey) -> BoxFuture<'a, Result<Vec<u8>, KeyringError>> {
        Box::pin(async move {
            let mut nonce = [0u8; NONCE_LEN];
            rand::rngs::OsRng.fill_bytes(&mut nonce);
            let sealed = self
                .cipher
                .encrypt(
                    Nonce::from_slice(&nonce),
                    Payload {
                        msg: key.as_bytes(),
                        aad,
                    },
                )
                .map_err(|_| KeyringError::Decrypt)?;
            Ok([nonce.as_slice(), &sealed].concat())
        })
    }

    fn unwrap<'a>(&'a self, aad: &'a [u8], wrapped: &'a [u8]) -> BoxFuture<'a, Result<DataKey, KeyringError>> {
        Box::pin(async move {
            if wrapped.len() <= NONCE_LEN {
                return Err(KeyringError::Malformed);
            }
            let (nonce, sealed) = wrapped.split_at(NONCE_LEN);
            let plain = zeroize::Zeroizing::new(
                self.cipher
                    .decrypt(Nonce::from_slice(nonce), Payload { msg: sealed, aad })
                    .map_err(|_| KeyringError::Decrypt)?,
            );
            DataKey::from_slice(&plain).ok_or(KeyringError::Malformed)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn wrapped_keys_only_unwrap_with_the_same_binding() {
        let kek = LocalKek::new(&DataKey::generate());
        let dek = DataKey::generate();
        let wrapped = kek.wrap(b"tenant-a|v1", &dek).await.expect("wrap");
        let back = kek.unwrap(b"tenant-a|v1", &wrapped).await.expect("unwrap");
        assert_eq!(back.as_bytes(), dek.as_bytes());
        assert!(matches!(
            kek.unwrap(b"tenant-b|v1", &wrapped).await,
            Err(KeyringError::Decrypt)
        ));
        let other = LocalKek::new(&DataKey::generate());
        assert!(matches!(
            other.unwrap(b"tenant-a|v1", &wrapped).await,
            Err(KeyringError::Decrypt)
        ));
        assert_ne!(kek.id(), other.id());
    }

    #[test]
    fn development_key_is_generated_private_and_then_reused() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = std::env::temp_dir().join(format!("platform-kek-test-{}", uuid::Uuid::new_v4()));
        let first = LocalKek::load(&MasterKeySource::GeneratedIn(dir.clone())).expect("generated");
        let mode = std::fs::metadata(dir.join("master.key"))
            .expect("key file")
            .permissions()
            .mode();
        let again = LocalKek::load(&MasterKeySource::GeneratedIn(dir.clone())).expect("reused");
        let from_file = LocalKek::load(&MasterKeySource::File(dir.join("master.key"))).expect("as a key file");
        std::fs::remove_dir_all(&dir).expect("clean up");
        assert_eq!(mode & 0o777, 0o600);
        assert_eq!(first.id(), again.id());
        assert_eq!(first.id(), from_file.id());
    }

    #[test]
    fn master_key_must_be_32_bytes_of_base64() {
        let short = MasterKeySource::Inline(SecretString::from(BASE64.encode([0u8; 16])));
        assert!(LocalKek::load(&short).is_err());
        let junk = MasterKeySource::Inline(SecretString::from("not base64!"));
        assert!(LocalKek::load(&junk).is_err());
        let good = MasterKeySource::Inline(SecretString::from(BASE64.encode([7u8; 32])));
        assert!(LocalKek::load(&good).is_ok());
    }
}
