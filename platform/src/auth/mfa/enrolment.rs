//! TOTP enrolment in a session: starting it (a new secret, pending until confirmed),
//! confirming it with a code (TOTP on, backup codes issued, the session counts as MFA), and
//! turning it off. Each runs in the caller's transaction; the tenant's field cipher is loaded
//! by the caller before that transaction begins.

use super::factor::{self, pending_field, secret_field};
use super::{backup_codes, totp};
use crate::access::Principal;
use crate::audit::{self, Actor, AuditEvent, ClientContext, Outcome};
use crate::auth::brute_force;
use crate::auth::codes::AuthCode;
use crate::http::{ApiError, ApiResult};
use crate::limits::RateLimiter;
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};
use tenants::keyring::FieldCipher;
use tenants::{Tenant, TenantTx, UserId};
use utoipa::ToSchema;

/// The body of an enrolment request: empty, or this.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EnrolRequest {
    /// Needed when your organisation requires MFA for your role and you have none: the
    /// one-time token an administrator issued (`POST /api/v1/users/{id}/mfa/reset`).
    pub enrolment_token: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Enrolment {
    /// Scan this in an authenticator app.
    pub otpauth_uri: String,
    /// Or type this in (base32).
    pub secret: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Code {
    /// A 6-digit code from the authenticator (or, to turn TOTP off, a backup code).
    pub code: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BackupCodes {
    /// Ten single-use codes for when the authenticator is lost. Shown this once.
    pub backup_codes: Vec<String>,
}

/// What checking a code in a session needs: the tenant's field cipher (loaded before the
/// transaction began) and the account budget the check is charged to.
pub struct CodeCheckDeps<'a> {
    pub cipher: &'a FieldCipher,
    pub limiter: &'a RateLimiter,
    pub tenant: &'a Tenant,
}

/// An enrolment begun and stored as pending. Revealed ([`PendingEnrolment::reveal`]) once
/// the caller's transaction has committed: a secret shown for a change that rolled back
/// would never work.
#[must_use = "commit the transaction, then reveal the enrolment"]
pub struct PendingEnrolment {
    secret: Vec<u8>,
    email: String,
}

impl PendingEnrolment {
    /// What the authenticator app needs, labelled with `issuer` (the tenant's name) and the
    /// user's e-mail.
    pub fn reveal(self, issuer: &str) -> ApiResult<Enrolment> {
        let (otpauth_uri, secret) = totp::enrolment(&self.secret, issuer, &self.email).map_err(ApiError::internal)?;
        Ok(Enrolment { otpauth_uri, secret })
    }
}

/// Starts TOTP enrolment for `me` (loaded as during enrolment): 409 when TOTP is already on;
/// where the policy requires MFA, the administrator's enrolment token is needed and used up.
pub async fn start(
    tx: &mut TenantTx,
    cipher: &FieldCipher,
    me: &Principal,
    request: EnrolRequest,
) -> ApiResult<PendingEnrolment> {
    let (email, enabled): (String, bool) =
        sqlx::query_as("SELECT email, mfa_enabled_at IS NOT NULL FROM users WHERE id = $1 FOR UPDATE")
            .bind(me.user_id)
            .fetch_one(&mut **tx)
            .await?;
    if enabled {
        return Err(ApiError::of(
            AuthCode::MfaAlreadyEnabled,
            "TOTP is already on; turn it off first",
        ));
    }
    if me.mfa_required_by_policy {
        consume_enrolment_token(tx, me.user_id, request.enrolment_token).await?;
    }
    let secret = totp::new_secret();
    let id = me.user_id.to_string();
    let sealed = cipher
        .encrypt(pending_field(&id), &secret)
        .map_err(ApiError::internal)?;
    sqlx::query("UPDATE users SET mfa_pending_secret = $2 WHERE id = $1")
        .bind(me.user_id)
        .bind(sealed)
        .execute(&mut **tx)
        .await?;
    Ok(PendingEnrolment { secret, email })
}

/// Where the organisation requires MFA for the user's role and they have none, the password
/// alone does not let anyone bind an authenticator: the token an administrator issued is
/// needed (403 without it, or when it is wrong, used or expired).
async fn consume_enrolment_token(tx: &mut TenantTx, user: UserId, given: Option<String>) -> ApiResult<()> {
    let Some(given) = given else {
        return Err(ApiError::of(
            AuthCode::EnrolmentTokenRequired,
            "your organisation requires MFA for your role: enrolling needs the token an administrator issues \
             (POST /api/v1/users/{id}/mfa/reset)",
        ));
    };
    // Used up in the same statement that checks it: of two enrolments with one token,
    // one wins.
    let given = Sha256::digest(given.as_bytes()).to_vec();
    let consumed = sqlx::query(
        "UPDATE users SET mfa_enrolment_token_hash = NULL, mfa_enrolment_token_expires_at = NULL \
         WHERE id = $1 AND mfa_enrolment_token_hash = $2 AND mfa_enrolment_token_expires_at > now()",
    )
    .bind(user)
    .bind(given)
    .execute(&mut **tx)
    .await?;
    if consumed.rows_affected() != 1 {
        return Err(ApiError::of(
            AuthCode::InvalidEnrolmentToken,
            "the enrolment token is wrong, used or expired: ask an administrator for a new one",
        ));
    }
    Ok(())
}

/// Confirms the pending enrolment with a code (409 without one, 422 for a wrong code, 429
/// when the account's budget of checks is spent): TOTP is on, this session counts as MFA,
/// and the backup codes are returned, shown this once.
pub async fn confirm(
    tx: &mut TenantTx,
    check: &CodeCheckDeps<'_>,
    me: &Principal,
    client: &ClientContext,
    code: &str,
) -> ApiResult<BackupCodes> {
    let pending: Option<Vec<u8>> = sqlx::query_scalar("SELECT mfa_pending_secret FROM users WHERE id = $1")
        .bind(me.user_id)
        .fetch_one(&mut **tx)
        .await?;
    let Some(pending) = pending else {
        return Err(ApiError::of(
            AuthCode::NoMfaEnrolment,
            "start with POST /api/v1/auth/mfa/totp",
        ));
    };
    let id = me.user_id.to_string();
    let secret = check
        .cipher
        .decrypt(pending_field(&id), &pending)
        .map_err(ApiError::internal)?;
    let email = email_of(tx, me.user_id).await?;
    let charged = brute_force::before_secret_check(check.limiter, check.tenant, &email).await?;
    let Some(step) = totp::accept(&secret, code, None, totp::unix_now()) else {
        return Err(ApiError::invalid_field(
            "code",
            "the code does not match; check the device's clock",
        ));
    };
    charged.refund(check.limiter).await;
    let sealed = check
        .cipher
        .encrypt(secret_field(&id), &secret)
        .map_err(ApiError::internal)?;
    sqlx::query(
        "UPDATE users SET mfa_secret = $2, mfa_pending_secret = NULL, mfa_enabled_at = now(), totp_last_step = $3 \
         WHERE id = $1",
    )
    .bind(me.user_id)
    .bind(sealed)
    .bind(step)
    .execute(&mut **tx)
    .await?;
    sqlx::query("UPDATE sessions SET mfa = true WHERE id = $1")
        .bind(me.session_id)
        .execute(&mut **tx)
        .await?;
    let codes = backup_codes::generate();
    backup_codes::store(tx, me.user_id, &codes).await?;
    let event = AuditEvent::new("mfa.enrol", Outcome::Success, Actor::User(*me.user_id.as_uuid()));
    audit::append(tx, &event, client).await?;
    Ok(BackupCodes { backup_codes: codes })
}

/// Turns TOTP off with a current code or a backup code (422 otherwise, 429 when the account's
/// budget of checks is spent); the backup codes go with it. 403 where a tenant policy
/// requires MFA for one of `me`'s roles.
pub async fn disable(
    tx: &mut TenantTx,
    check: &CodeCheckDeps<'_>,
    me: &Principal,
    client: &ClientContext,
    code: &str,
) -> ApiResult<()> {
    if me.mfa_required_by_policy {
        return Err(ApiError::of(
            AuthCode::MfaRequiredByPolicy,
            "your organisation requires MFA for one of your roles",
        ));
    }
    let email = email_of(tx, me.user_id).await?;
    let charged = brute_force::before_secret_check(check.limiter, check.tenant, &email).await?;
    let Some(used) = factor::check(tx, check.cipher, me.user_id, code).await? else {
        return Err(ApiError::invalid_field("code", "the code is not valid"));
    };
    charged.refund(check.limiter).await;
    sqlx::query("UPDATE users SET mfa_secret = NULL, mfa_enabled_at = NULL, totp_last_step = NULL WHERE id = $1")
        .bind(me.user_id)
        .execute(&mut **tx)
        .await?;
    sqlx::query("DELETE FROM mfa_backup_codes WHERE user_id = $1")
        .bind(me.user_id)
        .execute(&mut **tx)
        .await?;
    let event = AuditEvent::new("mfa.disable", Outcome::Success, Actor::User(*me.user_id.as_uuid()))
        .details(serde_json::json!({"factor": used.as_str()}));
    audit::append(tx, &event, client).await?;
    Ok(())
}

/// The user's e-mail: the key of the account budget a code check is charged to.
async fn email_of(tx: &mut TenantTx, user: UserId) -> ApiResult<String> {
    Ok(sqlx::query_scalar("SELECT email FROM users WHERE id = $1")
        .bind(user)
        .fetch_one(&mut **tx)
        .await?)
}
