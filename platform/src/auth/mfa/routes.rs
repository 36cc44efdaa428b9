use super::factor::{self, pending_field, secret_field};
use super::{backup_codes, totp};
use crate::access::Principal;
use crate::audit::{self, Actor, AuditEvent, ClientContext, Outcome};
use crate::auth::brute_force;
use crate::auth::codes::AuthCode;
use crate::auth::tenant_user::TenantUser;
use crate::http::extract::Json;
use crate::http::{ApiError, ApiResult, Problem};
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};
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

/// Start TOTP enrolment: a new secret, not active until confirmed with a code.
///
/// Where the organisation requires MFA for your role and you have none, the password alone
/// does not let anyone bind an authenticator: send the enrolment token an administrator
/// issued you (`POST /api/v1/users/{id}/mfa/reset`). It is used up here.
#[utoipa::path(
    post, path = "/api/v1/auth/mfa/totp", tag = "auth",
    security(("tenant_token" = [])),
    request_body(content = Option<EnrolRequest>, description = "Optional: only needed where MFA is required", content_type = "application/json"),
    responses(
        (status = 200, description = "Scan it, then confirm with a code", body = Enrolment),
        (status = 403, description = "MFA is required for your role: an administrator's enrolment token is needed, and this one is missing, wrong, used or expired", body = Problem),
        (status = 409, description = "TOTP is already on; turn it off first", body = Problem),
    )
)]
pub async fn enrol(
    State(state): State<AppState>,
    user: TenantUser,
    body: Option<Json<EnrolRequest>>,
) -> ApiResult<axum::Json<Enrolment>> {
    let request = body.map(|Json(request)| request).unwrap_or_default();
    let cipher = state.tenancy.field_cipher(user.tenant.id).await?;
    let mut tx = user.tenant.scope().begin(state.tenancy.pool()).await?;
    let me = Principal::load_during_enrolment(&mut tx, user.subject()).await?;
    let (email, enabled): (String, bool) =
        sqlx::query_as("SELECT email, mfa_enabled_at IS NOT NULL FROM users WHERE id = $1 FOR UPDATE")
            .bind(me.user_id)
            .fetch_one(&mut *tx)
            .await?;
    if enabled {
        return Err(ApiError::of(
            AuthCode::MfaAlreadyEnabled,
            "TOTP is already on; turn it off first",
        ));
    }
    if me.mfa_required_by_policy {
        let Some(given) = request.enrolment_token else {
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
        .bind(me.user_id)
        .bind(given)
        .execute(&mut *tx)
        .await?;
        if consumed.rows_affected() != 1 {
            return Err(ApiError::of(
                AuthCode::InvalidEnrolmentToken,
                "the enrolment token is wrong, used or expired: ask an administrator for a new one",
            ));
        }
    }
    let secret = totp::new_secret();
    let id = me.user_id.to_string();
    let sealed = cipher
        .encrypt(pending_field(&id), &secret)
        .map_err(ApiError::internal)?;
    sqlx::query("UPDATE users SET mfa_pending_secret = $2 WHERE id = $1")
        .bind(me.user_id)
        .bind(sealed)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    let (otpauth_uri, secret) = totp::enrolment(&secret, &user.tenant.name, &email).map_err(ApiError::internal)?;
    Ok(axum::Json(Enrolment { otpauth_uri, secret }))
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

/// Confirm TOTP enrolment with a code: TOTP is on, and this session counts as MFA.
#[utoipa::path(
    post, path = "/api/v1/auth/mfa/totp/confirm", tag = "auth",
    security(("tenant_token" = [])),
    request_body = Code,
    responses(
        (status = 200, description = "On; keep the backup codes", body = BackupCodes),
        (status = 409, description = "No enrolment in progress", body = Problem),
        (status = 422, description = "Wrong code", body = Problem),
    )
)]
pub async fn confirm(
    State(state): State<AppState>,
    user: TenantUser,
    client: ClientContext,
    Json(body): Json<Code>,
) -> ApiResult<axum::Json<BackupCodes>> {
    let cipher = state.tenancy.field_cipher(user.tenant.id).await?;
    let mut tx = user.tenant.scope().begin(state.tenancy.pool()).await?;
    let me = Principal::load_during_enrolment(&mut tx, user.subject()).await?;
    let pending: Option<Vec<u8>> = sqlx::query_scalar("SELECT mfa_pending_secret FROM users WHERE id = $1")
        .bind(me.user_id)
        .fetch_one(&mut *tx)
        .await?;
    let Some(pending) = pending else {
        return Err(ApiError::of(
            AuthCode::NoMfaEnrolment,
            "start with POST /api/v1/auth/mfa/totp",
        ));
    };
    let id = me.user_id.to_string();
    let secret = cipher
        .decrypt(pending_field(&id), &pending)
        .map_err(ApiError::internal)?;
    let email: String = sqlx::query_scalar("SELECT email FROM users WHERE id = $1")
        .bind(me.user_id)
        .fetch_one(&mut *tx)
        .await?;
    let charged = brute_force::before_secret_check(&state.limiter, &user.tenant, &email).await?;
    let Some(step) = totp::accept(&secret, &body.code, None, totp::unix_now()) else {
        return Err(ApiError::invalid_field(
            "code",
            "the code does not match; check the device's clock",
        ));
    };
    charged.refund(&state.limiter).await;
    let sealed = cipher.encrypt(secret_field(&id), &secret).map_err(ApiError::internal)?;
    sqlx::query(
        "UPDATE users SET mfa_secret = $2, mfa_pending_secret = NULL, mfa_enabled_at = now(), totp_last_step = $3 \
         WHERE id = $1",
    )
    .bind(me.user_id)
    .bind(sealed)
    .bind(step)
    .execute(&mut *tx)
    .await?;
    sqlx::query("UPDATE sessions SET mfa = true WHERE id = $1")
        .bind(me.session_id)
        .execute(&mut *tx)
        .await?;
    let codes = backup_codes::generate();
    backup_codes::store(&mut tx, me.user_id, &codes).await?;
    let event = AuditEvent::new("mfa.enrol", Outcome::Success, Actor::User(*me.user_id.as_uuid()));
    audit::append(&mut tx, &event, &client).await?;
    tx.commit().await?;
    Ok(axum::Json(BackupCodes { backup_codes: codes }))
}

/// Turn TOTP off (with a current code or a backup code). Backup codes go with it.
#[utoipa::path(
    delete, path = "/api/v1/auth/mfa/totp", tag = "auth",
    security(("tenant_token" = [])),
    request_body = Code,
    responses(
        (status = 204, description = "Off"),
        (status = 403, description = "A tenant policy requires MFA for one of your roles", body = Problem),
        (status = 422, description = "Wrong code", body = Problem),
    )
)]
pub async fn disable(
    State(state): State<AppState>,
    user: TenantUser,
    client: ClientContext,
    Json(body): Json<Code>,
) -> ApiResult<StatusCode> {
    let cipher = state.tenancy.field_cipher(user.tenant.id).await?;
    let mut tx = user.tenant.scope().begin(state.tenancy.pool()).await?;
    let me = Principal::load(&mut tx, user.subject()).await?;
    if me.mfa_required_by_policy {
        return Err(ApiError::of(
            AuthCode::MfaRequiredByPolicy,
            "your organisation requires MFA for one of your roles",
        ));
    }
    let email: String = sqlx::query_scalar("SELECT email FROM users WHERE id = $1")
        .bind(me.user_id)
        .fetch_one(&mut *tx)
        .await?;
    let charged = brute_force::before_secret_check(&state.limiter, &user.tenant, &email).await?;
    let Some(used) = factor::check(&mut tx, &cipher, me.user_id, &body.code).await? else {
        return Err(ApiError::invalid_field("code", "the code is not valid"));
    };
    charged.refund(&state.limiter).await;
    sqlx::query("UPDATE users SET mfa_secret = NULL, mfa_enabled_at = NULL, totp_last_step = NULL WHERE id = $1")
        .bind(me.user_id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM mfa_backup_codes WHERE user_id = $1")
        .bind(me.user_id)
        .execute(&mut *tx)
        .await?;
    let event = AuditEvent::new("mfa.disable", Outcome::Success, Actor::User(*me.user_id.as_uuid()))
        .details(serde_json::json!({"factor": used.as_str()}));
    audit::append(&mut tx, &event, &client).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
