use crate::audit::ClientContext;
use crate::auth::sign_in::{self, Credentials, SignInDeps, SignedIn};
use crate::http::extract::Json;
use crate::http::site::CurrentTenant;
use crate::http::{ApiError, ApiResult, Problem};
use crate::state::AppState;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use tenants::UserId;
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    #[schema(example = "admin@acme.example")]
    pub email: String,
    #[schema(example = "correct horse battery staple")]
    pub password: String,
    /// For users with MFA: a 6-digit TOTP code or one of their backup codes.
    pub totp: Option<String>,
}

/// A new pair of tokens.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenPair {
    /// EdDSA JWT for `Authorization: Bearer`, valid for this tenant only.
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: &'static str,
    /// Seconds until the access token expires (at most 900).
    pub expires_in: u64,
    /// Opaque, single use: exchange it at `/api/v1/auth/refresh` for the next pair.
    pub refresh_token: String,
    pub session_id: uuid::Uuid,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LoginResponse {
    #[serde(flatten)]
    pub tokens: TokenPair,
    pub user: SignedInUser,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SignedInUser {
    #[schema(value_type = String, format = Uuid)]
    pub id: UserId,
    pub email: String,
    pub display_name: String,
    pub roles: Vec<String>,
}

/// Sign in to the tenant of this host.
///
/// Opens a session and returns an access token (for this tenant only) and a refresh token.
/// An unknown e-mail, a wrong password and a disabled account all get the same answer, after
/// the same hashing work. Every attempt is recorded in the audit trail.
#[utoipa::path(
    post, path = "/api/v1/auth/login", tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Signed in", body = LoginResponse),
        (status = 401, description = "Wrong e-mail or password", body = Problem),
        (status = 404, description = "Unknown host", body = Problem),
        (status = 415, description = "Not JSON", body = Problem),
    )
)]
pub async fn login(
    State(state): State<AppState>,
    CurrentTenant(tenant): CurrentTenant,
    client: ClientContext,
    Json(request): Json<LoginRequest>,
) -> ApiResult<axum::Json<LoginResponse>> {
    let credentials = Credentials {
        email: &request.email,
        password: &request.password,
        totp: request.totp.as_deref(),
    };
    let deps = SignInDeps {
        tenancy: &state.tenancy,
        limiter: &state.limiter,
        session_limits: state.session_limits,
    };
    let SignedIn {
        account,
        session_id,
        refresh_token,
    } = sign_in::sign_in(deps, &tenant, &client, credentials).await?;
    let issued = state
        .tokens
        .issue_tenant_access(tenant.id, account.id, session_id)
        .map_err(ApiError::internal)?;
    Ok(axum::Json(LoginResponse {
        tokens: TokenPair {
            access_token: issued.token,
            token_type: "Bearer",
            expires_in: issued.expires_in,
            refresh_token,
            session_id,
        },
        user: SignedInUser {
            id: account.id,
            email: account.email,
            display_name: account.display_name,
            roles: account.roles,
        },
    }))
}
