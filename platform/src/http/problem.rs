//! RFC 9457 problem details: the one error type of the HTTP layer.

use crate::http::codes::RequestCode;
use crate::http::codes::TenancyCode;
use crate::problem_codes::ProblemCode;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use std::borrow::Cow;
use utoipa::ToSchema;

/// The body of every error response (`application/problem+json`).
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// `urn:platform:problem:{code}`
    #[serde(rename = "type")]
    pub type_: String,
    /// The HTTP status phrase.
    pub title: &'static str,
    pub status: u16,
    /// What went wrong, for people. Never SQL, a stack trace or another tenant's name.
    pub detail: String,
    /// Stable, for programs: `unknown_host`, `invalid_body`, ...
    pub code: &'static str,
    /// Per-field problems of a 422.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// The request id, also in the `x-request-id` header; quote it to support.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FieldError {
    /// JSON pointer-like path of the field: `cors_allowed_origins/2`.
    pub field: String,
    pub message: String,
}

/// An error on its way to becoming a problem response.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    detail: Cow<'static, str>,
    errors: Vec<FieldError>,
    /// Seconds, for 429 and 503: sent as `Retry-After`.
    retry_after: Option<u64>,
    /// Kept for the log only; never sent.
    source: Option<anyhow::Error>,
    /// An audit record the response carries out, written once the handler has released its
    /// connection (see `audit::deferred`).
    audit: Option<crate::audit::Deferred>,
}

impl ApiError {
    fn new(status: StatusCode, code: &'static str, detail: impl Into<Cow<'static, str>>) -> Self {
        Self {
            status,
            code,
            detail: detail.into(),
            errors: Vec::new(),
            retry_after: None,
            source: None,
            audit: None,
        }
    }
    /// The problem a domain's code names, with its status.
    pub fn of(code: impl ProblemCode, detail: impl Into<Cow<'static, str>>) -> Self {
        let status = StatusCode::from_u16(code.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        Self::new(status, code.code(), detail)
    }
    /// 422 with per-field errors.
    pub fn invalid(errors: Vec<FieldError>) -> Self {
        let detail = errors
            .iter()
            .map(|e| format!("{}: {}", e.field, e.message))
            .collect::<Vec<_>>()
            .join("; ");
        Self {
            errors,
            ..Self::of(RequestCode::ValidationFailed, detail)
        }
    }
    /// Adds per-field problems to any error.
    pub fn with_errors(mut self, errors: Vec<FieldError>) -> Self {
        self.errors.extend(errors);
        self
    }
    /// 422 for one field.
    pub fn invalid_field(field: &str, message: impl Into<String>) -> Self {
        Self::invalid(vec![FieldError {
            field: field.to_owned(),
            message: message.into(),
        }])
    }
    /// 500: logged with its cause chain, answered opaquely. Unless the cause is a database
    /// that is briefly out of reach, wherever in the chain: that is a 503 to retry.
    pub fn internal(source: impl Into<anyhow::Error>) -> Self {
        let source = source.into();
        let database = || source.chain().filter_map(|cause| cause.downcast_ref::<sqlx::Error>());
        if database().any(|e| matches!(e, sqlx::Error::PoolTimedOut)) {
            return sqlx::Error::PoolTimedOut.into();
        }
        if database().any(tenants::is_transient) {
            tracing::warn!(error = format!("{source:#}"), "the database is out of reach");
            return Self::database_unavailable();
        }
        Self {
            source: Some(source),
            ..Self::of(RequestCode::InternalError, "an unexpected error occurred")
        }
    }

    /// 503 `database_unavailable`: the connection was lost or the database is restarting,
    /// shutting down or refusing connections. Nothing was half-written (a transaction that
    /// did not commit leaves nothing); the request may be retried.
    pub fn database_unavailable() -> Self {
        Self::of(RequestCode::DatabaseUnavailable,
            "the database was out of reach for a moment; retry shortly (a change whose answer was lost may have been saved: look before repeating a create)",
        )
        .retry_after(std::time::Duration::from_secs(1))
    }

    /// Tells the client when to come back (`Retry-After`, whole seconds, at least 1).
    pub fn retry_after(mut self, wait: std::time::Duration) -> Self {
        self.retry_after = Some(wait.as_secs_f64().ceil().max(1.0) as u64);
        self
    }

    /// Records `audit` after the response is made, in a transaction of its own: for denials,
    /// whose request's transaction rolls back.
    pub fn recording(mut self, audit: crate::audit::Deferred) -> Self {
        self.audit = Some(audit);
        self
    }

    pub fn status(&self) -> StatusCode {
        self.status
    }

    pub fn code(&self) -> &'static str {
        self.code
    }

    pub fn detail(&self) -> &str {
        &self.detail
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(err: sqlx::Error) -> Self {
        match err {
            sqlx::Error::RowNotFound => Self::of(RequestCode::NotFound, "the resource does not exist"),
            sqlx::Error::PoolTimedOut => Self::of(RequestCode::DatabaseBusy, "the database is busy; retry shortly")
                .retry_after(std::time::Duration::from_secs(1)),
            sqlx::Error::Database(db) if let Some(problem) = rejected_input(db.code().as_deref()) => {
                // A value the edge should have refused: a 4xx for the client, a warning for us.
                tracing::warn!(error = %db, "the database refused a value of the request");
                problem
            }
            other => Self::internal(other),
        }
    }
}

/// The last net for input no check caught: PostgreSQL's data exceptions (SQLSTATE class 22:
/// a NUL in text, a number or date out of range...) and `statement_too_complex` (54001: nested
/// too deeply) are the request's fault, a 400, never a 500. `None` for every other code.
fn rejected_input(sqlstate: Option<&str>) -> Option<ApiError> {
    match sqlstate? {
        "54001" => Some(ApiError::of(
            RequestCode::TooComplex,
            "the request is nested too deeply or is too complex to store",
        )),
        code if code.starts_with("22") => Some(ApiError::of(
            RequestCode::InvalidValue,
            "a value of the request cannot be stored (out of range, or a character text cannot hold)",
        )),
        _ => None,
    }
}

impl From<tenants::keyring::KeyringError> for ApiError {
    fn from(err: tenants::keyring::KeyringError) -> Self {
        match err {
            tenants::keyring::KeyringError::Database(db) => db.into(),
            other => Self::internal(other),
        }
    }
}

impl From<tenants::Error> for ApiError {
    fn from(err: tenants::Error) -> Self {
        use tenants::Error as E;
        match err {
            E::InvalidSlug(reason) => Self::invalid_field("slug", reason),
            E::InvalidHost(reason) => Self::invalid_field("host", format!("not a usable host name: {reason}")),
            E::Invalid { field, reason } => Self::invalid_field(field, reason),
            E::SlugTaken(slug) => Self::of(TenancyCode::SlugTaken, format!("the slug {slug:?} is already taken")),
            E::DomainTaken(host) => Self::of(
                TenancyCode::DomainTaken,
                format!("the domain {host:?} is already in use"),
            ),
            E::Conflict(detail) => Self::of(TenancyCode::Conflict, detail),
            E::TenantNotFound => Self::of(TenancyCode::TenantNotFound, "no such tenant"),
            E::DomainNotFound => Self::of(TenancyCode::DomainNotFound, "the tenant has no such domain"),
            E::Database(db) => db.into(),
            E::Keyring(keyring) => keyring.into(),
            other => Self::internal(other),
        }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.status.as_u16(), self.code, self.detail)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let Some(source) = &self.source {
            tracing::error!(error = format!("{source:#}"), "request failed");
        }
        let problem = Problem {
            type_: format!("urn:platform:problem:{}", self.code),
            title: self.status.canonical_reason().unwrap_or("Error"),
            status: self.status.as_u16(),
            detail: self.detail.into_owned(),
            code: self.code,
            errors: self.errors,
            request_id: super::request_id::current(),
        };
        let body = serde_json::to_vec(&problem).unwrap_or_default();
        let mut response = (self.status, body).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        if let Some(audit) = self.audit {
            response.extensions_mut().insert(audit);
        }
        if self.status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
