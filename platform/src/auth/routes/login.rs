use crate::audit::{self, Actor, AuditEvent, ClientContext, Outcome};
use crate::auth::codes::AuthCode;
use crate::auth::mfa::factor;
use crate::auth::{brute_force, sessions};
use crate::http::extract::Json;
use crate::http::site::CurrentTenant;
use crate::http::{ApiError, ApiResult, Problem};
use crate::problem_codes::ProblemCode as _;
use crate::state::AppState;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use tenants::UserId;
use tenants::keyring::FieldCipher;
use tenants::password::verify_password;
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

#[derive(sqlx::FromRow)]
struct Account {
    id: UserId,
    email: String,
    display_name: String,
    password_hash: Option<String>,
    roles: Vec<String>,
    status: String,
    mfa_enabled: bool,
}

/// Inputs longer than this are refused before any hashing, so they cost nothing.
const MAX_CREDENTIAL_BYTES: usize = 1024;

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
    let wrong = || ApiError::of(AuthCode::InvalidCredentials, "the e-mail or password is wrong");
    if request.email.len() > MAX_CREDENTIAL_BYTES || request.password.len() > MAX_CREDENTIAL_BYTES {
        return Err(wrong());
    }
    let charged =
        brute_force::before_attempt(&state.limiter, state.tenancy.pool(), &tenant, &client, &request.email).await?;
    // Before the transaction: loading the key may need a connection of the same pool.
    let cipher = state.tenancy.field_cipher(tenant.id).await?;
    let mut tx = tenant.scope().begin(state.tenancy.pool()).await?;
    let account: Option<Account> = sqlx::query_as(
        "SELECT id, email, display_name, password_hash, roles, status, mfa_enabled_at IS NOT NULL AS mfa_enabled \
         FROM users WHERE lower(email) = lower($1)",
    )
    .bind(request.email.trim())
    .fetch_optional(&mut *tx)
    .await?;
    let stored = account.as_ref().and_then(|a| a.password_hash.clone());
    let verified = verify_password(stored, &request.password).await;
    let account = match account {
        Some(account) if verified && account.status == "active" => account,
        other => {
            drop(tx);
            let (user, event) = failed_sign_in(other.as_ref(), &request.email);
            brute_force::after_failure(state.tenancy.pool(), &tenant, &client, user, &event).await?;
            return Err(wrong());
        }
    };
    sqlx::query("UPDATE users SET last_login_at = now(), failed_attempts = 0, locked_until = NULL WHERE id = $1")
        .bind(account.id)
        .execute(&mut *tx)
        .await?;
    let factor = match second_factor(&mut tx, &cipher, &account, request.totp.as_deref()).await? {
        Ok(factor) => factor,
        Err((code, detail)) => {
            drop(tx);
            let event = AuditEvent::new("auth.login", Outcome::Failure, Actor::User(*account.id.as_uuid()))
                .details(serde_json::json!({"reason": code.code()}));
            brute_force::after_failure(state.tenancy.pool(), &tenant, &client, Some(account.id), &event).await?;
            return Err(ApiError::of(code, detail));
        }
    };
    let (session_id, refresh_token) =
        sessions::open(&mut tx, account.id, state.session_limits, &client, factor.is_some()).await?;
    let event = AuditEvent::new("auth.login", Outcome::Success, Actor::User(*account.id.as_uuid()))
        .resource("session", session_id)
        .details(serde_json::json!({"mfa": factor.map(|f| f.as_str())}));
    audit::append(&mut tx, &event, &client).await?;
    tx.commit().await?;
    // The secrets were right: this attempt does not count against the account.
    charged.refund(&state.limiter).await;
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

/// The audit record of a wrong e-mail, a wrong password or an inactive account, and the
/// account (if any) the failure counts against.
fn failed_sign_in(account: Option<&Account>, email: &str) -> (Option<UserId>, AuditEvent<'static>) {
    let (actor, reason) = match account {
        None => (Actor::Anonymous, "unknown_email"),
        Some(a) if a.status != "active" => (Actor::User(*a.id.as_uuid()), "account_not_active"),
        Some(a) => (Actor::User(*a.id.as_uuid()), "wrong_password"),
    };
    let email: String = email.trim().chars().take(254).collect();
    let event = AuditEvent::new("auth.login", Outcome::Failure, actor)
        .details(serde_json::json!({"email": email, "reason": reason}));
    (account.map(|a| a.id), event)
}

/// The second factor an MFA account must send with its password: the factor used, or the
/// problem code and detail of a missing or wrong code.
async fn second_factor(
    tx: &mut tenants::TenantTx,
    cipher: &FieldCipher,
    account: &Account,
    totp: Option<&str>,
) -> ApiResult<Result<Option<factor::Factor>, (AuthCode, &'static str)>> {
    if !account.mfa_enabled {
        return Ok(Ok(None));
    }
    Ok(match totp {
        None => Err((
            AuthCode::MfaRequired,
            "this account uses MFA: send a code from the authenticator as totp",
        )),
        Some(code) => match factor::check(tx, cipher, account.id, code).await? {
            Some(used) => Ok(Some(used)),
            None => Err((AuthCode::InvalidMfaCode, "the MFA code is wrong or was already used")),
        },
    })
}
