//! You, as the users API shows you to yourself.

use super::lookup::not_found;
use super::model::{UserView, find};
use crate::access::Principal;
use crate::http::ApiResult;
use serde::Serialize;
use tenants::TenantTx;
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    #[serde(flatten)]
    pub user: UserView,
    /// Every capability your roles give you, sorted.
    pub capabilities: Vec<String>,
    /// The tenant requires MFA for your role and this session has none: enrol first.
    pub mfa_enrolment_required: bool,
}

/// `me` (loaded as during enrolment, so that one who must enrol first sees why) with their
/// capabilities.
pub async fn read(tx: &mut TenantTx, me: &Principal) -> ApiResult<Me> {
    let view = find(tx, me.user_id).await?.ok_or_else(not_found)?;
    let mut capabilities: Vec<String> = me.capabilities().map(str::to_owned).collect();
    capabilities.sort();
    Ok(Me {
        user: view,
        capabilities,
        mfa_enrolment_required: me.mfa_required_by_policy && !me.mfa,
    })
}
