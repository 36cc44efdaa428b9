//! The HTTP face of TOTP enrolment; the rules are in `enrolment`.

use super::enrolment::{self, BackupCodes, Code, CodeCheckDeps, EnrolRequest, Enrolment};
use crate::access::Principal;
use crate::audit::ClientContext;
use crate::auth::tenant_user::TenantUser;
use crate::http::extract::Json;
use crate::http::{ApiResult, Problem};
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;

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
    let pending = enrolment::start(&mut tx, &cipher, &me, request).await?;
    tx.commit().await?;
    Ok(axum::Json(pending.reveal(&user.tenant.name)?))
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
    let check = CodeCheckDeps {
        cipher: &cipher,
        limiter: &state.limiter,
        tenant: &user.tenant,
    };
    let codes = enrolment::confirm(&mut tx, &check, &me, &client, &body.code).await?;
    tx.commit().await?;
    Ok(axum::Json(codes))
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
    let check = CodeCheckDeps {
        cipher: &cipher,
        limiter: &state.limiter,
        tenant: &user.tenant,
    };
    enrolment::disable(&mut tx, &check, &me, &client, &body.code).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
