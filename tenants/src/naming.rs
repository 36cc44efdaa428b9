//! The only place that turns a tenant into database object names. Domain code never formats
//! a schema or role name into SQL; it asks for a tenant transaction instead.

use crate::{Error, TenantSlug};

/// Names the database objects of tenants. Roles are global to a PostgreSQL cluster while
/// schemas live in one database, so role names carry a prefix that keeps two deployments
/// (or two test databases) on one cluster apart.
#[derive(Clone, Debug, Default)]
pub struct DbNaming {
    role_prefix: String,
}

impl DbNaming {
    /// PostgreSQL truncates identifiers to 63 bytes; `tenant_` (7) + a 40-byte slug leaves 16.
    pub const MAX_PREFIX_LEN: usize = 16;

    pub fn new(role_prefix: &str) -> Result<Self, Error> {
        let valid = role_prefix.len() <= Self::MAX_PREFIX_LEN
            && role_prefix
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
            && !role_prefix.starts_with("pg_");
        if !valid {
            return Err(Error::Invalid {
                field: "role_prefix",
                reason: "at most 16 of a-z 0-9 _, not starting with pg_".into(),
            });
        }
        Ok(Self {
            role_prefix: role_prefix.to_owned(),
        })
    }

    pub fn role_prefix(&self) -> &str {
        &self.role_prefix
    }

    /// `tenant_st_mary` for the slug `st-mary`.
    pub fn schema(&self, slug: &TenantSlug) -> String {
        format!("tenant_{}", slug.as_str().replace('-', "_"))
    }

    /// `{prefix}tenant_st_mary` for the slug `st-mary`.
    pub fn role(&self, slug: &TenantSlug) -> String {
        format!("{}tenant_{}", self.role_prefix, slug.as_str().replace('-', "_"))
    }
}

/// Quotes an identifier for SQL. Names come from parsed slugs, so this is defence in depth.
pub(crate) fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_carry_the_slug_and_fit_postgres_limits() {
        let naming = DbNaming::new("pt0123456789abc_").expect("valid prefix");
        let slug = TenantSlug::parse(&format!("a{}", "-b".repeat(19))).expect("valid slug");
        assert_eq!(
            naming.schema(&TenantSlug::parse("st-mary").expect("slug")),
            "tenant_st_mary"
        );
        assert!(naming.role(&slug).len() <= 63);
        assert!(naming.role(&slug).starts_with("pt0123456789abc_tenant_a_b"));
    }

    #[test]
    fn refuses_prefixes_that_could_escape() {
        for bad in ["Upper", "a-b", "pg_x", "x\"y", "seventeen_chars__"] {
            assert!(DbNaming::new(bad).is_err(), "{bad}");
        }
    }
}
