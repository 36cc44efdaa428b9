//! The query parameters of the post routes as they come (strings, as WordPress's REST API
//! takes them), and their parsing into what the services take: every malformed one is a 400
//! `invalid_query` naming it, before anything is read.

use crate::content::error::ContentError;
use crate::content::ids::{PostId, TermId};
use crate::content::input::parse_date;
use crate::content::list_query::{Direction, PostFilter, PostOrderBy, StatusFilter};
use crate::content::post_type::PostTypeName;
use crate::content::slug::OnConflict;
use crate::content::status::{self, PostStatus};
use crate::content::view::Context;
use crate::http::codes::RequestCode;
use crate::http::pagination::{IdList, Order};
use crate::http::{ApiError, ApiResult};
use crate::openapi::string_schema::pattern_schema;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use utoipa::IntoParams;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReadParams {
    /// `view` (default) or `edit` (needs the right to edit the post).
    pub context: Option<Context>,
    /// The post's password, to read a protected post's content.
    pub password: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    pub context: Option<Context>,
    /// Full-text search over title, excerpt and content (PostgreSQL, `websearch` syntax).
    #[param(max_length = 200)]
    pub search: Option<String>,
    /// Comma-separated statuses, or `any` (all but trash and auto-draft). Default `publish`;
    /// others need `edit_{posts|pages}`.
    #[param(value_type = Option<StatusList>, inline)]
    pub status: Option<String>,
    /// Comma-separated author ids.
    #[param(value_type = Option<IdList>, inline)]
    pub author: Option<String>,
    /// Published after / before (RFC 3339).
    #[param(value_type = Option<String>, format = DateTime)]
    pub after: Option<String>,
    #[param(value_type = Option<String>, format = DateTime)]
    pub before: Option<String>,
    #[param(value_type = Option<String>, format = DateTime)]
    pub modified_after: Option<String>,
    #[param(value_type = Option<String>, format = DateTime)]
    pub modified_before: Option<String>,
    /// Comma-separated slugs.
    pub slug: Option<String>,
    /// Parent post id (hierarchical types).
    pub parent: Option<PostId>,
    /// Comma-separated term ids of `category` (any of them).
    #[param(value_type = Option<IdList>, inline)]
    pub categories: Option<String>,
    /// Comma-separated term ids of `post_tag`.
    #[param(value_type = Option<IdList>, inline)]
    pub tags: Option<String>,
    /// Comma-separated term ids of any taxonomy (any of them).
    #[param(value_type = Option<IdList>, inline)]
    pub terms: Option<String>,
    pub sticky: Option<bool>,
    /// `date` (default), `modified`, `id`, `title`, `slug`, `menu_order`, `relevance` (only
    /// with `search`: 400 without).
    #[param(value_type = Option<PostOrderBy>, inline)]
    pub orderby: Option<String>,
    /// `desc` (default) or `asc`.
    #[param(value_type = Option<Order>, inline)]
    pub order: Option<String>,
}

pattern_schema!(
    /// Comma-separated statuses (spaces around each allowed), or `any`.
    StatusList = r"^(any|\s*(draft|pending|publish|future|private|trash|auto-draft)\s*(,\s*(draft|pending|publish|future|private|trash|auto-draft)\s*)*)$"
);

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WriteParams {
    /// `suffix` (default): a taken slug gets `-2`, `-3`...; `error`: 409 `slug_taken`.
    pub on_slug_conflict: Option<OnConflict>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeleteParams {
    /// `true` deletes for good; otherwise the post goes to the trash.
    pub force: Option<bool>,
}

pub(super) fn bad(detail: impl Into<std::borrow::Cow<'static, str>>) -> ApiError {
    ApiError::of(RequestCode::InvalidQuery, detail)
}

/// A post type named in a path; one that cannot exist is not found, as an unknown one is.
pub(super) fn post_type(name: &str) -> ApiResult<PostTypeName> {
    PostTypeName::parse(name).map_err(|_| ContentError::UnknownPostType(name.to_owned()).into())
}

fn ids<T: std::str::FromStr>(text: &Option<String>, name: &str) -> ApiResult<Option<Vec<T>>> {
    let Some(text) = text else { return Ok(None) };
    let parsed: Result<Vec<T>, _> = text.split(',').map(|s| s.trim().parse()).collect();
    let parsed = parsed.map_err(|_| bad(format!("{name} is a comma-separated list of ids")))?;
    if parsed.len() > 100 {
        return Err(bad(format!("{name}: at most 100 ids")));
    }
    Ok(Some(parsed))
}

fn date(text: &Option<String>, name: &str) -> ApiResult<Option<DateTime<Utc>>> {
    text.as_deref()
        .map(|t| parse_date(t, chrono_tz::UTC).ok_or_else(|| bad(format!("{name} is a date (RFC 3339)"))))
        .transpose()
}

/// Trimmed; an empty one is none; at most 200 characters.
pub(super) fn search(text: Option<&str>) -> ApiResult<Option<String>> {
    let search = text.map(str::trim).filter(|s| !s.is_empty());
    if search.is_some_and(|s| s.chars().count() > 200) {
        return Err(bad("search is at most 200 characters"));
    }
    Ok(search.map(str::to_owned))
}

fn statuses(text: Option<&str>) -> ApiResult<StatusFilter> {
    Ok(match text {
        None => StatusFilter::Published,
        Some("any") => StatusFilter::Any,
        Some(list) => StatusFilter::These(
            list.split(',')
                .map(|s| {
                    PostStatus::parse(s.trim()).ok_or_else(|| {
                        bad(format!(
                            "unknown status {s:?}; one of {}, or any",
                            status::names(&PostStatus::ALL)
                        ))
                    })
                })
                .collect::<ApiResult<_>>()?,
        ),
    })
}

fn order_by(text: Option<&str>, searching: bool) -> ApiResult<PostOrderBy> {
    match PostOrderBy::parse(text.unwrap_or("date")) {
        Some(PostOrderBy::Relevance) if !searching => Err(bad("orderby=relevance needs a search")),
        Some(order_by) => Ok(order_by),
        None => Err(bad(
            "orderby is date, modified, id, title, slug, menu_order or relevance",
        )),
    }
}

impl ListParams {
    /// The filters as the list service takes them, checked in the order of the parameters.
    pub fn filter(&self) -> ApiResult<PostFilter> {
        let authors = ids(&self.author, "author")?;
        let categories = ids(&self.categories, "categories")?;
        let tags = ids::<TermId>(&self.tags, "tags")?;
        let terms = ids(&self.terms, "terms")?;
        let (after, before) = (date(&self.after, "after")?, date(&self.before, "before")?);
        let (modified_after, modified_before) = (
            date(&self.modified_after, "modified_after")?,
            date(&self.modified_before, "modified_before")?,
        );
        let search = search(self.search.as_deref())?;
        let direction = match self.order.as_deref() {
            None | Some("desc") => Direction::Descending,
            Some("asc") => Direction::Ascending,
            Some(_) => return Err(bad("order is asc or desc")),
        };
        let order_by = order_by(self.orderby.as_deref(), search.is_some())?;
        Ok(PostFilter {
            statuses: statuses(self.status.as_deref())?,
            slugs: (self.slug.as_ref()).map(|s| s.split(',').map(|s| s.trim().to_owned()).collect()),
            search,
            authors,
            parent: self.parent,
            sticky: self.sticky,
            after,
            before,
            modified_after,
            modified_before,
            categories,
            tags,
            terms,
            order_by,
            direction,
        })
    }
}
