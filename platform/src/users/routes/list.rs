//! Listing the tenant's users.

use crate::access::Principal;
use crate::auth::tenant_user::TenantUser;
use crate::http::extract::Query;
use crate::http::pagination::{self, Page, PageParams};
use crate::http::{ApiResult, Problem};
use crate::state::AppState;
use crate::users::listing::{self, UserFilter};
use crate::users::model::UserView;
use axum::extract::State;
use axum::http::HeaderMap;

/// List the tenant's users (list_users).
#[utoipa::path(
    get, path = "/api/v1/users", tag = "users",
    security(("tenant_token" = [])),
    params(PageParams, UserFilter),
    responses(
        (status = 200, description = "One page, by e-mail; X-Total-Count and Link headers", body = [UserView]),
        (status = 400, description = "Bad filter or paging", body = Problem),
        (status = 403, description = "Needs list_users", body = Problem),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    user: TenantUser,
    Query(params): Query<PageParams>,
    Query(filter): Query<UserFilter>,
) -> ApiResult<(HeaderMap, axum::Json<Vec<UserView>>)> {
    let page = Page::try_from(&params)?;
    let filter = listing::check(filter)?;
    let mut tx = user.tenant.scope().begin(state.tenancy.pool()).await?;
    let me = Principal::load(&mut tx, user.subject()).await?;
    let (users, total) = listing::list(&mut tx, &me, &filter, page).await?;
    tx.commit().await?;
    let headers = pagination::headers(page, total, "/api/v1/users", "");
    Ok((headers, axum::Json(users)))
}
