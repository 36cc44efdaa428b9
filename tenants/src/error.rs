use crate::TenantId;

/// Everything that can go wrong in the tenancy layer. The HTTP layer maps each variant to a
/// status; the variant docs say which.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// 422: the slug breaks the naming rules or is reserved.
    #[error("invalid slug: {0}")]
    InvalidSlug(String),
    /// 422: a host name that cannot be a domain of ours.
    #[error("invalid host: {0}")]
    InvalidHost(String),
    /// 422: some other field of a request is invalid.
    #[error("invalid {field}: {reason}")]
    Invalid { field: &'static str, reason: String },
    /// 409: the slug belongs to another tenant (or one being created right now).
    #[error("the slug {0:?} is already taken")]
    SlugTaken(String),
    /// 409: the domain already routes somewhere.
    #[error("the domain {0:?} is already in use")]
    DomainTaken(String),
    /// 409: the operation does not fit the tenant's current state.
    #[error("{0}")]
    Conflict(String),
    /// 404
    #[error("tenant not found")]
    TenantNotFound,
    /// 404
    #[error("domain not found")]
    DomainNotFound,
    /// 500 (never shown): a key cannot be used. Data stays sealed: fail closed.
    #[error(transparent)]
    Keyring(#[from] crate::keyring::KeyringError),
    /// 503 when the pool timed out, 500 otherwise.
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    /// 500: a migration failed for this tenant.
    #[error("migration {version} failed for tenant {tenant}: {source}")]
    Migration {
        tenant: TenantId,
        version: i32,
        source: sqlx::Error,
    },
    /// 500: removing a deleted tenant's objects failed; the tenant stays `deleting`, and
    /// deleting it again finishes.
    #[error("removing the tenant's objects failed: {0}")]
    Purge(String),
    /// 500: password hashing failed (out of memory, never bad input).
    #[error("password hashing failed: {0}")]
    PasswordHash(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The SQLSTATE of a database error, if it is one.
pub(crate) fn sqlstate(err: &sqlx::Error) -> Option<String> {
    match err {
        sqlx::Error::Database(db) => db.code().map(|c| c.into_owned()),
        _ => None,
    }
}

/// The name of the constraint a database error violated, if any.
pub(crate) fn constraint(err: &sqlx::Error) -> Option<&str> {
    match err {
        sqlx::Error::Database(db) => db.constraint(),
        _ => None,
    }
}
