//! Checking an uploaded artifact before anything runs it: a WebAssembly component (not a core
//! module), under the size cap, for our world at a supported version.

use sha2::{Digest as _, Sha256};
use wasmtime::Engine;
use wasmtime::component::Component;
use wasmtime::component::types::ComponentItem;

/// The SHA-256 of an artifact, its content address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Digest([u8; 32]);

impl Digest {
    pub fn of(bytes: &[u8]) -> Self {
        Self(Sha256::digest(bytes).into())
    }

    pub fn to_hex(self) -> String {
        self.0.iter().map(|b| format!("{b:02x}")).collect()
    }

    pub fn parse(hex: &str) -> Option<Self> {
        if hex.len() != 64 {
            return None;
        }
        let mut bytes = [0u8; 32];
        for (i, byte) in bytes.iter_mut().enumerate() {
            *byte = u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok()?;
        }
        Some(Self(bytes))
    }
}

impl std::fmt::Display for Digest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.to_hex())
    }
}

/// The interface versions of `platform:plugin` this host serves. A later `0.2` is added here,
/// beside `0.1`, with its own bindings.
pub const SUPPORTED_VERSIONS: &[&str] = &["0.1"];

/// The export every plugin must have.
pub const GUEST_EXPORT: &str = "platform:plugin/guest@0.1.0";

/// Why an artifact is refused. Each message says what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ArtifactError {
    #[error("the file is {size} bytes; plugins may be at most {limit} bytes")]
    TooLarge { size: usize, limit: usize },
    #[error("the file is not WebAssembly")]
    NotWasm,
    #[error(
        "the file is a core WebAssembly module, not a component: build it with \
         `cargo build --release --target wasm32-wasip2` and the platform SDK"
    )]
    CoreModule,
    #[error("the component is not valid: {0}")]
    Invalid(String),
    #[error(
        "the component does not export `platform:plugin/guest`: it was built for another world \
         (exports: {0})"
    )]
    WrongWorld(String),
    #[error("the component is built for platform:plugin@{found}; this platform serves {supported}")]
    UnsupportedVersion { found: String, supported: String },
    #[error("the component imports `{0}`, which plugins are not given (only platform:plugin and WASI 0.2)")]
    ForbiddenImport(String),
    #[error("the plugin's description is refused: {0}")]
    Describe(String),
}

/// First checks, before compiling: size and kind of binary.
pub fn check_bytes(bytes: &[u8], limit: usize) -> Result<(), ArtifactError> {
    if bytes.len() > limit {
        return Err(ArtifactError::TooLarge {
            size: bytes.len(),
            limit,
        });
    }
    if wasmparser::Parser::is_component(bytes) {
        Ok(())
    } else if wasmparser::Parser::is_core_wasm(bytes) {
        Err(ArtifactError::CoreModule)
    } else {
        Err(ArtifactError::NotWasm)
    }
}

/// Checks a compiled component's imports and exports against our world.
pub fn check_world(engine: &Engine, component: &Component) -> Result<(), ArtifactError> {
    let ty = component.component_type();
    let exports: Vec<String> = ty.exports(engine).map(|(name, _)| name.to_owned()).collect();
    let guest = exports.iter().find(|name| name.starts_with("platform:plugin/guest@"));
    let Some(guest) = guest else {
        return Err(ArtifactError::WrongWorld(if exports.is_empty() {
            "none".into()
        } else {
            exports.join(", ")
        }));
    };
    let version = guest.trim_start_matches("platform:plugin/guest@");
    if !supported(version) {
        return Err(ArtifactError::UnsupportedVersion {
            found: version.to_owned(),
            supported: SUPPORTED_VERSIONS
                .iter()
                .map(|v| format!("{v}.x"))
                .collect::<Vec<_>>()
                .join(", "),
        });
    }
    for (name, item) in ty.imports(engine) {
        let allowed = match name.split_once('@') {
            Some((interface, version)) if interface.starts_with("platform:plugin/") => supported(version),
            Some((interface, version)) if interface.starts_with("wasi:") => version.starts_with("0.2."),
            _ => false,
        };
        if !allowed || !matches!(item.ty, ComponentItem::ComponentInstance(_)) {
            return Err(ArtifactError::ForbiddenImport(name.to_owned()));
        }
    }
    Ok(())
}

fn supported(version: &str) -> bool {
    SUPPORTED_VERSIONS.iter().any(|major_minor| {
        version
            .strip_prefix(major_minor)
            .is_some_and(|rest| rest.starts_with('.'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_round_trip() {
        let digest = Digest::of(b"plugin");
        assert_eq!(Digest::parse(&digest.to_hex()), Some(digest));
        assert_eq!(Digest::parse("zz"), None);
    }

    #[test]
    fn refuses_what_is_not_a_component() {
        assert_eq!(check_bytes(b"hello", 100), Err(ArtifactError::NotWasm));
        let core = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
        assert_eq!(check_bytes(&core, 100), Err(ArtifactError::CoreModule));
        assert!(matches!(
            check_bytes(&[0; 200], 100),
            Err(ArtifactError::TooLarge { .. })
        ));
    }

    #[test]
    fn versions() {
        assert!(supported("0.1.0"));
        assert!(supported("0.1.7"));
        assert!(!supported("0.2.0"));
        assert!(!supported("0.10.0"));
    }
}
