use std::process::ExitCode;

/// A failed command: what to print, and the exit code scripts can branch on.
#[derive(Debug)]
pub struct CliError {
    pub code: u8,
    pub error: anyhow::Error,
}

pub type CliResult<T = ()> = Result<T, CliError>;

impl CliError {
    pub const FAILURE: u8 = 1;
    pub const USAGE: u8 = 2;
    pub const NOT_FOUND: u8 = 3;
    pub const CONFLICT: u8 = 4;
    pub const INVALID: u8 = 5;
    pub const PARTIAL: u8 = 6;

    pub fn new(code: u8, error: impl Into<anyhow::Error>) -> Self {
        Self {
            code,
            error: error.into(),
        }
    }
    pub fn invalid(error: impl Into<anyhow::Error>) -> Self {
        Self::new(Self::INVALID, error)
    }
    pub fn usage(message: &str) -> Self {
        Self::new(Self::USAGE, anyhow::anyhow!(message.to_owned()))
    }

    pub fn exit_code(&self) -> ExitCode {
        ExitCode::from(self.code)
    }
}

impl From<anyhow::Error> for CliError {
    fn from(error: anyhow::Error) -> Self {
        Self::new(Self::FAILURE, error)
    }
}

impl From<tenants::Error> for CliError {
    fn from(error: tenants::Error) -> Self {
        use tenants::Error as E;
        let code = match &error {
            E::InvalidSlug(_) | E::InvalidHost(_) | E::Invalid { .. } => Self::INVALID,
            E::SlugTaken(_) | E::DomainTaken(_) | E::Conflict(_) => Self::CONFLICT,
            E::TenantNotFound | E::DomainNotFound => Self::NOT_FOUND,
            _ => Self::FAILURE,
        };
        Self::new(code, error)
    }
}

impl From<sqlx::Error> for CliError {
    fn from(error: sqlx::Error) -> Self {
        Self::new(Self::FAILURE, error)
    }
}

/// A refusal of the API layer, for commands that share its code: by status.
impl From<crate::http::ApiError> for CliError {
    fn from(error: crate::http::ApiError) -> Self {
        let code = match error.status().as_u16() {
            404 => Self::NOT_FOUND,
            409 => Self::CONFLICT,
            400 | 413 | 415 | 422 => Self::INVALID,
            _ => Self::FAILURE,
        };
        Self::new(code, anyhow::anyhow!("{} ({})", error.detail(), error.code()))
    }
}
