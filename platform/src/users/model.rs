use crate::http::ApiError;
use crate::users::codes::UserCode;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tenants::UserId;
use utoipa::ToSchema;

/// A professional registration (the seed's `medical_professionals`): council type such as
/// CRM or CRP, number and state, and whether a compliance officer verified it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub struct Registry {
    /// Council: 2 to 10 capital letters (CRM, CRP, CRMV, COREN, ...).
    #[serde(rename = "type")]
    #[schema(pattern = "^[A-Z]{2,10}$")]
    pub kind: String,
    /// 1 to 20 of letters, digits, '.' and '-'.
    #[schema(pattern = "^[A-Za-z0-9.-]{1,20}$")]
    pub number: String,
    /// Two-letter state (SP, RJ, ...).
    #[schema(pattern = "^[A-Z]{2}$")]
    pub state: String,
    #[serde(default)]
    pub verified: bool,
    /// Set by the server when `verified` becomes true.
    #[serde(default)]
    #[schema(read_only)]
    pub verified_at: Option<DateTime<Utc>>,
}

impl Registry {
    pub fn validate(&self) -> Vec<crate::http::FieldError> {
        let mut errors = Vec::new();
        let mut err = |field: &str, message: &str| {
            errors.push(crate::http::FieldError {
                field: format!("registry/{field}"),
                message: message.into(),
            })
        };
        if !((2..=10).contains(&self.kind.len()) && self.kind.bytes().all(|b| b.is_ascii_uppercase())) {
            err("type", "2 to 10 capital letters, such as CRM");
        }
        if !((1..=20).contains(&self.number.len())
            && self
                .number
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-'))
        {
            err("number", "1 to 20 of letters, digits, '.' and '-'");
        }
        if !(self.state.len() == 2 && self.state.bytes().all(|b| b.is_ascii_uppercase())) {
            err("state", "two capital letters, such as SP");
        }
        errors
    }
}

/// A user as the users API shows them. Never the password hash, MFA secret or tokens.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserView {
    #[schema(value_type = String, format = Uuid)]
    pub id: UserId,
    pub email: String,
    pub display_name: String,
    pub roles: Vec<String>,
    /// `active`, `invited` (waiting for a setup token to be used) or `disabled`.
    pub status: String,
    pub mfa_enabled: bool,
    pub registry: Option<Registry>,
    pub created_at: DateTime<Utc>,
    pub last_login_at: Option<DateTime<Utc>>,
}

#[derive(sqlx::FromRow)]
pub struct UserRow {
    pub id: UserId,
    pub email: String,
    pub display_name: String,
    pub roles: Vec<String>,
    pub status: String,
    pub mfa_enabled_at: Option<DateTime<Utc>>,
    pub registry_type: Option<String>,
    pub registry_number: Option<String>,
    pub registry_state: Option<String>,
    pub registry_verified: bool,
    pub registry_verified_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub last_login_at: Option<DateTime<Utc>>,
}

pub const USER_COLUMNS: &str = "id, email, display_name, roles, status, mfa_enabled_at, registry_type, \
     registry_number, registry_state, registry_verified, registry_verified_at, created_at, last_login_at";

impl From<UserRow> for UserView {
    fn from(row: UserRow) -> Self {
        let registry = match (row.registry_type, row.registry_number, row.registry_state) {
            (Some(kind), Some(number), Some(state)) => Some(Registry {
                kind,
                number,
                state,
                verified: row.registry_verified,
                verified_at: row.registry_verified_at,
            }),
            _ => None,
        };
        Self {
            id: row.id,
            email: row.email,
            display_name: row.display_name,
            roles: row.roles,
            status: row.status,
            mfa_enabled: row.mfa_enabled_at.is_some(),
            registry,
            created_at: row.created_at,
            last_login_at: row.last_login_at,
        }
    }
}

pub async fn find(tx: &mut tenants::TenantTx, id: UserId) -> Result<Option<UserView>, sqlx::Error> {
    let row: Option<UserRow> = sqlx::query_as(&format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1"))
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?;
    Ok(row.map(UserView::from))
}

pub fn valid_display_name(name: &str) -> bool {
    (1..=200).contains(&name.trim().chars().count())
}

/// Unique e-mail and registry violations are conflicts, not failures.
pub fn conflicts(err: sqlx::Error) -> ApiError {
    match err.as_database_error().and_then(|e| e.constraint()) {
        Some("users_email_key") => ApiError::of(UserCode::EmailTaken, "a user with this e-mail already exists"),
        Some("users_registry_key") => ApiError::of(
            UserCode::RegistryTaken,
            "another user already has this professional registration",
        ),
        _ => err.into(),
    }
}
