use crate::Error;
use serde::Serialize;
use std::fmt;

/// Names that can never be a tenant: they are our own hosts, PostgreSQL's own schemas, or
/// words a customer could use to pose as the platform.
const RESERVED: &[&str] = &[
    "www",
    "api",
    "ops",
    "admin",
    "app",
    "apps",
    "public",
    "platform",
    "information_schema",
    "root",
    "system",
    "postgres",
    "tenant",
    "tenants",
    "mail",
    "smtp",
    "imap",
    "pop",
    "ftp",
    "static",
    "assets",
    "cdn",
    "media",
    "status",
    "docs",
    "help",
    "support",
    "auth",
    "login",
    "sso",
    "oauth",
    "account",
    "accounts",
    "billing",
    "dashboard",
    "console",
    "internal",
    "metrics",
    "health",
    "localhost",
    "test",
    "staging",
    "dev",
    "demo-platform",
];

/// A tenant's slug: 3 to 40 of `a-z 0-9 -`, starting with a letter, not ending with `-`, no
/// `--` (so it is a valid DNS label and never an IDNA `xn--` label), and not reserved.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct TenantSlug(String);

impl TenantSlug {
    pub const MIN_LEN: usize = 3;
    pub const MAX_LEN: usize = 40;

    pub fn parse(input: &str) -> Result<Self, Error> {
        let invalid = |reason: &str| Err(Error::InvalidSlug(reason.to_owned()));
        let len = input.len();
        if !(Self::MIN_LEN..=Self::MAX_LEN).contains(&len) {
            return invalid("a slug has 3 to 40 characters");
        }
        if !input
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            return invalid("a slug uses only lower-case letters a-z, digits and '-'");
        }
        if !input.starts_with(|c: char| c.is_ascii_lowercase()) {
            return invalid("a slug starts with a letter");
        }
        if input.ends_with('-') || input.contains("--") {
            return invalid("a slug does not end with '-' or contain '--'");
        }
        if RESERVED.contains(&input) || input.starts_with("pg-") {
            return invalid("this slug is reserved");
        }
        Ok(Self(input.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Trusted values read back from the control plane, which only ever stores parsed slugs.
    pub(crate) fn from_db(value: String) -> Self {
        Self(value)
    }
}

impl fmt::Display for TenantSlug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_dns_label_slugs() {
        for ok in ["acme", "st-mary-hospital", "a1b", &"a".repeat(40)] {
            assert!(TenantSlug::parse(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn refuses_bad_and_reserved_slugs() {
        let long = "a".repeat(41);
        for bad in [
            "",
            "ab",
            &long,
            "Acme",
            "acme_1",
            "1acme",
            "-acme",
            "acme-",
            "xn--acme",
            "ac me",
            "açme",
            "www",
            "api",
            "ops",
            "admin",
            "app",
            "public",
            "platform",
            "information_schema",
            "pg-toast",
        ] {
            assert!(TenantSlug::parse(bad).is_err(), "{bad:?} should be refused");
        }
    }
}
