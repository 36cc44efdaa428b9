use super::problem::ApiError;
use crate::http::codes::RequestCode;
use crate::openapi::string_schema::pattern_schema;
use axum::http::{HeaderMap, HeaderValue};
use serde::Deserialize;
use sqlx::postgres::PgRow;
use sqlx::{PgConnection, Postgres, QueryBuilder};
use utoipa::IntoParams;

const UUID: &str = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}";

pattern_schema!(
    /// A comma-separated list of 1 to 100 ids (UUIDs), as list filters take them.
    IdList = format!(r"^\s*{UUID}\s*(,\s*{UUID}\s*){{0,99}}$")
);

/// `asc` or `desc`: the document's view of the `order` parameter of lists.
#[derive(utoipa::ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum Order {
    Asc,
    Desc,
}

/// `page` (from 1) and `per_page` (1 to 100, default 20).
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// Page number, from 1.
    #[param(minimum = 1, maximum = 1_000_000)]
    pub page: Option<u32>,
    /// Items per page, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<u32>,
}

#[derive(Debug, Clone, Copy)]
pub struct Page {
    pub page: u32,
    pub per_page: u32,
}

impl Page {
    pub const MAX_PER_PAGE: u32 = 100;
    pub const DEFAULT_PER_PAGE: u32 = 20;

    /// Rows before this page.
    pub fn offset(self) -> i64 {
        i64::from(self.page - 1) * i64::from(self.per_page)
    }
}

impl TryFrom<&PageParams> for Page {
    type Error = ApiError;

    fn try_from(params: &PageParams) -> Result<Self, ApiError> {
        let page = params.page.unwrap_or(1);
        let per_page = params.per_page.unwrap_or(Page::DEFAULT_PER_PAGE);
        if page == 0 || page > 1_000_000 {
            return Err(ApiError::of(RequestCode::InvalidQuery, "page counts from 1"));
        }
        if !(1..=Page::MAX_PER_PAGE).contains(&per_page) {
            return Err(ApiError::of(RequestCode::InvalidQuery, "per_page is between 1 and 100"));
        }
        Ok(Self { page, per_page })
    }
}

/// A row of a paged query that carries the filtered set's total (`count(*) OVER ()`).
pub trait WithTotal {
    fn total(&self) -> i64;
}

/// Runs a paged query, `build(limit, offset)`, and returns the page and the total. The total
/// comes with the page's rows; past the last page there are none to carry it, so the same
/// query is asked for its first row instead, and the total still counts what the filters count.
pub async fn fetch_page<'q, T, B>(conn: &mut PgConnection, page: Page, build: B) -> Result<(Vec<T>, i64), sqlx::Error>
where
    T: for<'r> sqlx::FromRow<'r, PgRow> + WithTotal + Send + Unpin,
    B: Fn(i64, i64) -> QueryBuilder<'q, Postgres>,
{
    let rows: Vec<T> = build(i64::from(page.per_page), page.offset())
        .build_query_as()
        .fetch_all(&mut *conn)
        .await?;
    let total = match rows.first() {
        Some(first) => first.total(),
        None if page.page > 1 => {
            let first: Option<T> = build(1, 0).build_query_as().fetch_optional(&mut *conn).await?;
            first.map_or(0, |f| f.total())
        }
        None => 0,
    };
    Ok((rows, total))
}

/// A request's query without its paging, for the `Link` header's URLs to keep the filters.
pub fn other_params(query: Option<&str>) -> String {
    query
        .unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty() && !p.starts_with("page=") && !p.starts_with("per_page="))
        .collect::<Vec<_>>()
        .join("&")
}

/// `X-Total-Count` and a `Link` header with first, prev, next and last pages. `path_and_query`
/// is the request's path plus any other query parameters to keep (`status=active`).
pub fn headers(page: Page, total: i64, path: &str, extra_query: &str) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert("x-total-count", HeaderValue::from(total.max(0)));
    let last = u32::try_from((total.max(0) as u64).div_ceil(u64::from(page.per_page)).max(1)).unwrap_or(u32::MAX);
    let link = |n: u32, rel: &str| {
        let sep = if extra_query.is_empty() { "" } else { "&" };
        format!(
            "<{path}?{extra_query}{sep}page={n}&per_page={}>; rel=\"{rel}\"",
            page.per_page
        )
    };
    let mut links = vec![link(1, "first")];
    if page.page > 1 {
        links.push(link((page.page - 1).min(last), "prev"));
    }
    if page.page < last {
        links.push(link(page.page + 1, "next"));
    }
    links.push(link(last, "last"));
    if let Ok(value) = HeaderValue::from_str(&links.join(", ")) {
        headers.insert("link", value);
    }
    headers
}

/// `%text%` for a list's ILIKE search, with the user's own wildcards taken literally.
pub fn contains_pattern(text: &str) -> String {
    let escaped = text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    format!("%{escaped}%")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_in_searches_are_literal() {
        assert_eq!(contains_pattern("50%_a\\b"), "%50\\%\\_a\\\\b%");
    }

    #[test]
    fn links_cover_first_prev_next_last() {
        let h = headers(Page { page: 2, per_page: 10 }, 35, "/api/ops/v1/tenants", "");
        assert_eq!(h["x-total-count"], "35");
        let link = h["link"].to_str().expect("ascii");
        assert!(link.contains("page=1&per_page=10>; rel=\"first\""));
        assert!(link.contains("page=1&per_page=10>; rel=\"prev\""));
        assert!(link.contains("page=3&per_page=10>; rel=\"next\""));
        assert!(link.contains("page=4&per_page=10>; rel=\"last\""));
    }

    #[test]
    fn out_of_range_parameters_are_refused() {
        for (page, per_page) in [(Some(0), None), (None, Some(0)), (None, Some(101))] {
            assert!(Page::try_from(&PageParams { page, per_page }).is_err());
        }
    }
}
