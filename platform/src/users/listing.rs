//! Listing a tenant's users: one page, filtered, by e-mail.

use super::model::{USER_COLUMNS, UserRow, UserView};
use crate::access::Principal;
use crate::http::codes::RequestCode;
use crate::http::pagination::{Page, contains_pattern};
use crate::http::{ApiError, ApiResult};
use serde::Deserialize;
use tenants::TenantTx;
use utoipa::IntoParams;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserFilter {
    /// Part of the e-mail or display name, case-insensitive; at most 200 characters.
    #[param(max_length = 200)]
    pub search: Option<String>,
    /// Users holding this role.
    pub role: Option<String>,
    /// `active`, `invited` or `disabled`.
    #[param(pattern = "^(active|invited|disabled)$")]
    pub status: Option<String>,
}

/// A [`UserFilter`] whose fields were checked, the search as an ILIKE pattern.
pub struct CheckedFilter {
    search: Option<String>,
    role: Option<String>,
    status: Option<String>,
}

const FILTER: &str = "($1::text IS NULL OR email ILIKE $1 ESCAPE '\\' OR display_name ILIKE $1 ESCAPE '\\') \
     AND ($2::text IS NULL OR $2 = ANY(roles)) AND ($3::text IS NULL OR status = $3)";

/// Checks the filter (400), before any database work.
pub fn check(filter: UserFilter) -> ApiResult<CheckedFilter> {
    if filter.search.as_ref().is_some_and(|s| s.chars().count() > 200) {
        return Err(ApiError::of(
            RequestCode::InvalidQuery,
            "search is at most 200 characters",
        ));
    }
    if let Some(status) = &filter.status
        && !["active", "invited", "disabled"].contains(&status.as_str())
    {
        return Err(ApiError::of(
            RequestCode::InvalidQuery,
            "status is active, invited or disabled",
        ));
    }
    Ok(CheckedFilter {
        search: filter.search.as_deref().map(contains_pattern),
        role: filter.role,
        status: filter.status,
    })
}

/// One page of the users matching `filter`, and how many match in all (list_users).
pub async fn list(
    tx: &mut TenantTx,
    me: &Principal,
    filter: &CheckedFilter,
    page: Page,
) -> ApiResult<(Vec<UserView>, i64)> {
    me.require("list_users")?;
    let rows: Vec<UserRow> = sqlx::query_as(&format!(
        "SELECT {USER_COLUMNS} FROM users WHERE {FILTER} ORDER BY lower(email) LIMIT $4 OFFSET $5"
    ))
    .bind(&filter.search)
    .bind(&filter.role)
    .bind(&filter.status)
    .bind(i64::from(page.per_page))
    .bind(i64::from(page.page - 1) * i64::from(page.per_page))
    .fetch_all(&mut **tx)
    .await?;
    let total: i64 = sqlx::query_scalar(&format!("SELECT count(*) FROM users WHERE {FILTER}"))
        .bind(&filter.search)
        .bind(&filter.role)
        .bind(&filter.status)
        .fetch_one(&mut **tx)
        .await?;
    Ok((rows.into_iter().map(UserView::from).collect(), total))
}
