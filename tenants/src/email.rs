use crate::Error;
use serde::Serialize;
use std::fmt;

/// An e-mail address as people type it: trimmed, one `@`, something on both sides, a dot in
/// the domain, no spaces or control characters, at most 254 bytes. Compared case-insensitively
/// by the database (unique indexes on `lower(email)`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Email(String);

impl Email {
    pub fn parse(input: &str) -> Result<Self, Error> {
        let value = input.trim();
        let invalid = || Error::Invalid {
            field: "email",
            reason: "not an e-mail address".into(),
        };
        if value.len() > 254 || value.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(invalid());
        }
        let (local, domain) = value.split_once('@').ok_or_else(invalid)?;
        if local.is_empty()
            || domain.contains('@')
            || !domain.contains('.')
            || domain.starts_with('.')
            || domain.ends_with('.')
        {
            return Err(invalid());
        }
        Ok(Self(value.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_addresses_and_refuses_junk() {
        assert!(Email::parse(" Admin@Clinic.example ").is_ok());
        for bad in ["", "a", "@x.y", "a@", "a@b", "a@@b.c", "a b@c.d", "a@.c", "a@c."] {
            assert!(Email::parse(bad).is_err(), "{bad:?}");
        }
    }
}
