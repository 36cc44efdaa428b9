use crate::Error;
use serde::Serialize;
use std::fmt;

/// A normalised host name: port stripped, lower-cased, trailing dot removed, checked to be a
/// DNS name (labels of `a-z 0-9 -`, 1 to 63 bytes, at most 253 in all). `localhost`-style
/// single labels are allowed because `PLATFORM_BASE_DOMAIN` defaults to `localhost`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct Hostname(String);

impl Hostname {
    /// Parses the value of a `Host` header (or URI authority): `Acme.Example.com.:8443`
    /// becomes `acme.example.com`.
    pub fn from_header(value: &str) -> Result<Self, Error> {
        let without_port = match value.rsplit_once(':') {
            Some((host, port)) if port.bytes().all(|b| b.is_ascii_digit()) => host,
            _ => value,
        };
        Self::parse(without_port)
    }

    /// Parses a bare host name (no port).
    pub fn parse(value: &str) -> Result<Self, Error> {
        let host = value.trim_end_matches('.').to_ascii_lowercase();
        let invalid = || Error::InvalidHost(value.chars().take(80).collect());
        if host.is_empty() || host.len() > 253 {
            return Err(invalid());
        }
        for label in host.split('.') {
            let ok = !label.is_empty()
                && label.len() <= 63
                && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !label.starts_with('-')
                && !label.ends_with('-');
            if !ok {
                return Err(invalid());
            }
        }
        // An IP address is never a tenant's domain.
        if host.split('.').all(|label| label.bytes().all(|b| b.is_ascii_digit())) {
            return Err(invalid());
        }
        Ok(Self(host))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `acme` when this is `acme.{base}`; `None` for the base itself or any other name.
    pub fn subdomain_of(&self, base: &Hostname) -> Option<&str> {
        let rest = self.0.strip_suffix(base.as_str())?;
        let label = rest.strip_suffix('.')?;
        (!label.is_empty()).then_some(label)
    }

    /// True when this is the base domain or any name under it.
    pub fn is_within(&self, base: &Hostname) -> bool {
        self == base || self.0.ends_with(&format!(".{}", base.0))
    }

    pub(crate) fn from_db(value: String) -> Self {
        Self(value)
    }
}

impl fmt::Display for Hostname {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host(s: &str) -> Hostname {
        Hostname::from_header(s).expect(s)
    }

    #[test]
    fn normalises_port_case_and_trailing_dot() {
        assert_eq!(host("Acme.LocalHost.:8080").as_str(), "acme.localhost");
        assert_eq!(host("clinic.example.org").as_str(), "clinic.example.org");
        assert_eq!(host("localhost:8080").as_str(), "localhost");
    }

    #[test]
    fn refuses_what_is_not_a_dns_name() {
        for bad in [
            "",
            ":80",
            "a..b",
            "-a.b",
            "a_b.c",
            "127.0.0.1",
            "[::1]:80",
            "a b",
            "a/b",
            "é.com",
        ] {
            assert!(Hostname::from_header(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn finds_the_tenant_label_under_the_base() {
        let base = host("localhost");
        assert_eq!(host("acme.localhost").subdomain_of(&base), Some("acme"));
        assert_eq!(host("localhost").subdomain_of(&base), None);
        assert_eq!(host("evillocalhost").subdomain_of(&base), None);
        assert!(host("a.b.localhost").is_within(&base));
        assert!(!host("notlocalhost").is_within(&base));
    }
}
