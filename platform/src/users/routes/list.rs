use crate::access::Principal;
use crate::auth::tenant_user::TenantUser;
use crate::http::codes::RequestCode;
use crate::http::extract::Query;
use crate::http::pagination::{self, Page, PageParams};
use crate::http::{ApiError, ApiResult, Problem};
use crate::state::AppState;
use crate::users::model::{USER_COLUMNS, UserRow, UserView};
use axum::extract::State;
use axum::http::HeaderMap;
use serde::Deserialize;
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

const FILTER: &str = "($1::text IS NULL OR email ILIKE $1 ESCAPE '\\' OR display_name ILIKE $1 ESCAPE '\\') \
     AND ($2::text IS NULL OR $2 = ANY(roles)) AND ($3::text IS NULL OR status = $3)";

/// `%text%` for ILIKE, with the user's own wildcards taken literally.
fn contains_pattern(text: &str) -> String {
    let escaped = text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    format!("%{escaped}%")
}

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
    let search = filter.search.as_deref().map(contains_pattern);
    let mut tx = user.tenant.scope().begin(state.tenancy.pool()).await?;
    Principal::load(&mut tx, user.subject()).await?.require("list_users")?;
    let rows: Vec<UserRow> = sqlx::query_as(&format!(
        "SELECT {USER_COLUMNS} FROM users WHERE {FILTER} ORDER BY lower(email) LIMIT $4 OFFSET $5"
    ))
    .bind(&search)
    .bind(&filter.role)
    .bind(&filter.status)
    .bind(i64::from(page.per_page))
    .bind(i64::from(page.page - 1) * i64::from(page.per_page))
    .fetch_all(&mut *tx)
    .await?;
    let total: i64 = sqlx::query_scalar(&format!("SELECT count(*) FROM users WHERE {FILTER}"))
        .bind(&search)
        .bind(&filter.role)
        .bind(&filter.status)
        .fetch_one(&mut *tx)
        .await?;
    tx.commit().await?;
    let headers = pagination::headers(page, total, "/api/v1/users", "");
    Ok((headers, axum::Json(rows.into_iter().map(UserView::from).collect())))
}

#[cfg(test)]
mod tests {
    #[test]
    fn wildcards_in_searches_are_literal() {
        assert_eq!(super::contains_pattern("50%_a\\b"), "%50\\%\\_a\\\\b%");
    }
}
