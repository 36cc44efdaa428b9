//! Finding one user as the caller may see them.

use super::model::{UserView, find};
use crate::access::Principal;
use crate::http::{ApiError, ApiResult};
use crate::users::codes::UserCode;
use tenants::{TenantTx, UserId};

pub fn not_found() -> ApiError {
    ApiError::of(UserCode::UserNotFound, "no such user")
}

/// Reads one user: themselves, or anyone with list_users. Others get 404, not 403, so ids
/// cannot be probed.
pub async fn visible(tx: &mut TenantTx, me: &Principal, id: UserId) -> ApiResult<UserView> {
    if id != me.user_id && !me.has("list_users") {
        return Err(not_found());
    }
    find(tx, id).await?.ok_or_else(not_found)
}
