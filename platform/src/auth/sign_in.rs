//! Signing in to a tenant: the password, the second factor of an MFA account, the session it
//! opens, with the brute-force budgets around it (see `brute_force.rs`). Every attempt is on
//! the record; a failure is recorded after the sign-in's transaction is released, since
//! recording it takes a connection of the same pool.

use crate::audit::{self, Actor, AuditEvent, ClientContext, Outcome};
use crate::auth::brute_force;
use crate::auth::codes::AuthCode;
use crate::auth::mfa::factor;
use crate::auth::sessions::{self, SessionLimits};
use crate::http::{ApiError, ApiResult};
use crate::limits::RateLimiter;
use crate::problem_codes::ProblemCode as _;
use tenants::keyring::FieldCipher;
use tenants::password::verify_password;
use tenants::{Tenancy, Tenant, UserId};
use uuid::Uuid;

/// The account signed in to, as the sign-in read it.
#[derive(sqlx::FromRow)]
pub struct Account {
    pub id: UserId,
    pub email: String,
    pub display_name: String,
    password_hash: Option<String>,
    pub roles: Vec<String>,
    status: String,
    mfa_enabled: bool,
}

/// Inputs longer than this are refused before any hashing, so they cost nothing.
const MAX_CREDENTIAL_BYTES: usize = 1024;

/// What sign-in reaches beyond the request.
#[derive(Clone, Copy)]
pub struct SignInDeps<'a> {
    /// The serving pool and the tenant's keys (an MFA secret is sealed).
    pub tenancy: &'a Tenancy,
    /// The per-IP and per-account budgets.
    pub limiter: &'a RateLimiter,
    pub session_limits: SessionLimits,
}

/// What the caller sent.
pub struct Credentials<'a> {
    pub email: &'a str,
    pub password: &'a str,
    /// For MFA accounts: a TOTP code or a backup code.
    pub totp: Option<&'a str>,
}

/// A session opened for `account`.
pub struct SignedIn {
    pub account: Account,
    pub session_id: Uuid,
    pub refresh_token: String,
}

/// Signs in. An unknown e-mail, a wrong password and a disabled account all get the same
/// answer (401 `invalid_credentials`), after the same hashing work; an MFA account without
/// its code, or with a wrong one, 401 `mfa_required` or `invalid_mfa_code`; too many attempts
/// from the IP or on the account, 429 (503 when the limiter cannot be reached).
pub async fn sign_in(
    deps: SignInDeps<'_>,
    tenant: &Tenant,
    client: &ClientContext,
    credentials: Credentials<'_>,
) -> ApiResult<SignedIn> {
    let wrong = || ApiError::of(AuthCode::InvalidCredentials, "the e-mail or password is wrong");
    if credentials.email.len() > MAX_CREDENTIAL_BYTES || credentials.password.len() > MAX_CREDENTIAL_BYTES {
        return Err(wrong());
    }
    let charged =
        brute_force::before_attempt(deps.limiter, deps.tenancy.pool(), tenant, client, credentials.email).await?;
    // Before the transaction: loading the key may need a connection of the same pool.
    let cipher = deps.tenancy.field_cipher(tenant.id).await?;
    let mut tx = tenant.scope().begin(deps.tenancy.pool()).await?;
    let account: Option<Account> = sqlx::query_as(
        "SELECT id, email, display_name, password_hash, roles, status, mfa_enabled_at IS NOT NULL AS mfa_enabled \
         FROM users WHERE lower(email) = lower($1)",
    )
    .bind(credentials.email.trim())
    .fetch_optional(&mut *tx)
    .await?;
    let stored = account.as_ref().and_then(|a| a.password_hash.clone());
    let verified = verify_password(stored, credentials.password).await;
    let account = match account {
        Some(account) if verified && account.status == "active" => account,
        other => {
            drop(tx);
            let (user, event) = failed_sign_in(other.as_ref(), credentials.email);
            brute_force::after_failure(deps.tenancy.pool(), tenant, client, user, &event).await?;
            return Err(wrong());
        }
    };
    sqlx::query("UPDATE users SET last_login_at = now(), failed_attempts = 0, locked_until = NULL WHERE id = $1")
        .bind(account.id)
        .execute(&mut *tx)
        .await?;
    let factor = match second_factor(&mut tx, &cipher, &account, credentials.totp).await? {
        Ok(factor) => factor,
        Err((code, detail)) => {
            drop(tx);
            let event = AuditEvent::new("auth.login", Outcome::Failure, Actor::User(*account.id.as_uuid()))
                .details(serde_json::json!({"reason": code.code()}));
            brute_force::after_failure(deps.tenancy.pool(), tenant, client, Some(account.id), &event).await?;
            return Err(ApiError::of(code, detail));
        }
    };
    let (session_id, refresh_token) =
        sessions::open(&mut tx, account.id, deps.session_limits, client, factor.is_some()).await?;
    let event = AuditEvent::new("auth.login", Outcome::Success, Actor::User(*account.id.as_uuid()))
        .resource("session", session_id)
        .details(serde_json::json!({"mfa": factor.map(|f| f.as_str())}));
    audit::append(&mut tx, &event, client).await?;
    tx.commit().await?;
    // The secrets were right: this attempt does not count against the account.
    charged.refund(deps.limiter).await;
    Ok(SignedIn {
        account,
        session_id,
        refresh_token,
    })
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
