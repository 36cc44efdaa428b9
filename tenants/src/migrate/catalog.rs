use sha2::{Digest, Sha256};

/// One SQL file. Its version is the number its file name starts with.
#[derive(Clone, Copy, Debug)]
pub struct Migration {
    pub version: i32,
    pub name: &'static str,
    pub sql: &'static str,
}

impl Migration {
    /// Lets tests and benchmarks run migrations that are not part of the build.
    pub const fn new(version: i32, name: &'static str, sql: &'static str) -> Self {
        Self { version, name, sql }
    }

    /// Detects a migration edited after it was applied somewhere.
    pub fn checksum(&self) -> String {
        Sha256::digest(self.sql.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

include!(concat!(env!("OUT_DIR"), "/migrations.rs"));

/// `migrations/platform/*.sql`, in version order.
pub fn platform_migrations() -> &'static [Migration] {
    PLATFORM
}

/// `migrations/tenant/*.sql`, in version order.
pub fn tenant_migrations() -> &'static [Migration] {
    TENANT
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_build_embeds_both_migration_sets_in_order() {
        for set in [platform_migrations(), tenant_migrations()] {
            assert!(!set.is_empty());
            assert!(set.windows(2).all(|w| w[0].version < w[1].version));
        }
    }
}
