//! An administrator resets a user's MFA; the rules are in `users::mfa_reset`.

use super::as_manager::as_manager;
use crate::audit::ClientContext;
use crate::auth::tenant_user::TenantUser;
use crate::http::extract::Path;
use crate::http::{ApiResult, Problem};
use crate::state::AppState;
use crate::users::mfa_reset::{self, EnrolmentToken};
use axum::extract::State;
use tenants::UserId;

/// Reset a user's MFA and issue them an enrolment token (edit_users; never yourself).
///
/// Their TOTP secret and backup codes are removed and every session of theirs ends. Where the
/// tenant requires MFA for their role, enrolling again needs the token returned here.
#[utoipa::path(
    post, path = "/api/v1/users/{id}/mfa/reset", tag = "users",
    security(("tenant_token" = [])),
    params(("id" = String, Path, format = Uuid)),
    responses(
        (status = 200, description = "Reset; hand the token to the user", body = EnrolmentToken),
        (status = 403, description = "Needs edit_users; or it is you", body = Problem),
        (status = 404, description = "No such user", body = Problem),
    )
)]
pub async fn reset(
    State(state): State<AppState>,
    user: TenantUser,
    client: ClientContext,
    Path(id): Path<UserId>,
) -> ApiResult<axum::Json<EnrolmentToken>> {
    let token = as_manager(&state, &user, &client, async |tx, by| {
        mfa_reset::reset(tx, by, id).await
    })
    .await?;
    Ok(axum::Json(token))
}
