//! Reading posts: one, or a filtered, searched, ordered page of them, as WordPress's
//! `/wp/v2/posts` does. A list is one query: the page, its meta and terms, and the total.

use super::ids::PostId;
use super::post_type::PostType;
use super::record::{PAGE_SELECT, PostRow, find};
use super::status::PostStatus;
use super::view::{Context, PostView, Reader};
use super::viewer::Viewer;
use crate::audit::ClientContext;
use crate::auth::extract::MaybeTenantUser;
use crate::http::pagination::{self, Page};
use crate::http::{ApiError, ApiResult};
use crate::state::AppState;
use axum::http::HeaderMap;
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
    #[param(value_type = Option<crate::http::pagination::IdList>, inline)]
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
    #[param(value_type = Option<crate::http::pagination::IdList>, inline)]
    pub categories: Option<String>,
    /// Comma-separated term ids of `post_tag`.
    #[param(value_type = Option<crate::http::pagination::IdList>, inline)]
    pub tags: Option<String>,
    /// Comma-separated term ids of any taxonomy (any of them).
    #[param(value_type = Option<crate::http::pagination::IdList>, inline)]
    pub terms: Option<String>,
    pub sticky: Option<bool>,
    /// `date` (default), `modified`, `id`, `title`, `slug`, `menu_order`, `relevance` (only
    /// with `search`: 400 without).
    #[param(value_type = Option<PostOrderBy>, inline)]
    pub orderby: Option<String>,
    /// `desc` (default) or `asc`.
    #[param(value_type = Option<crate::http::pagination::Order>, inline)]
    pub order: Option<String>,
}

/// What a list of posts can be ordered by (the document's view of `orderby`).
#[derive(utoipa::ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum PostOrderBy {
    Date,
    Modified,
    Id,
    Title,
    Slug,
    MenuOrder,
    Relevance,
}

crate::http::pagination::pattern_schema!(
    /// Comma-separated statuses (spaces around each allowed), or `any`.
    StatusList = r"^(any|\s*(draft|pending|publish|future|private|trash|auto-draft)\s*(,\s*(draft|pending|publish|future|private|trash|auto-draft)\s*)*)$"
);

fn bad(detail: impl Into<std::borrow::Cow<'static, str>>) -> ApiError {
    ApiError::bad_request("invalid_query", detail)
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
        .map(|t| super::input::parse_date(t, chrono_tz::UTC).ok_or_else(|| bad(format!("{name} is a date (RFC 3339)"))))
        .transpose()
}

/// The statuses a list asks for, checked against what the viewer may list.
fn statuses(text: Option<&str>, viewer: &Viewer, post_type: &PostType) -> ApiResult<Vec<PostStatus>> {
    let statuses = match text {
        None => vec![PostStatus::Publish],
        Some("any") => PostStatus::ALL
            .into_iter()
            .filter(|s| !matches!(s, PostStatus::Trash | PostStatus::AutoDraft))
            .collect(),
        Some(list) => list
            .split(',')
            .map(|s| {
                PostStatus::parse(s.trim()).ok_or_else(|| {
                    bad(format!(
                        "unknown status {s:?}; one of {}, or any",
                        super::status::names(&PostStatus::ALL)
                    ))
                })
            })
            .collect::<ApiResult<_>>()?,
    };
    if statuses.iter().any(|s| *s != PostStatus::Publish) {
        viewer.require(&post_type.cap("edit"))?;
    }
    Ok(statuses)
}

#[derive(sqlx::FromRow)]
struct Listed {
    #[sqlx(flatten)]
    row: PostRow,
    total: i64,
}

impl pagination::WithTotal for Listed {
    fn total(&self) -> i64 {
        self.total
    }
}

/// A page of posts of `type_name`.
#[expect(
    clippy::too_many_arguments,
    reason = "the request's parts, each used once; a struct would only rename them"
)]
pub async fn list(
    state: &AppState,
    who: MaybeTenantUser,
    client: &ClientContext,
    type_name: &str,
    page: Page,
    params: ListParams,
    path: &str,
    query: Option<&str>,
) -> ApiResult<(HeaderMap, Vec<PostView>)> {
    let authors: Option<Vec<tenants::UserId>> = ids(&params.author, "author")?;
    let categories: Option<Vec<super::ids::TermId>> = ids(&params.categories, "categories")?;
    let tags: Option<Vec<super::ids::TermId>> = ids(&params.tags, "tags")?;
    let any_terms: Option<Vec<super::ids::TermId>> = ids(&params.terms, "terms")?;
    let slugs: Option<Vec<String>> = params
        .slug
        .as_ref()
        .map(|s| s.split(',').map(|s| s.trim().to_owned()).collect());
    let (after, before) = (date(&params.after, "after")?, date(&params.before, "before")?);
    let (modified_after, modified_before) = (
        date(&params.modified_after, "modified_after")?,
        date(&params.modified_before, "modified_before")?,
    );
    let search = params.search.as_deref().map(str::trim).filter(|s| !s.is_empty());
    if search.is_some_and(|s| s.chars().count() > 200) {
        return Err(bad("search is at most 200 characters"));
    }
    let descending = match params.order.as_deref() {
        None | Some("desc") => true,
        Some("asc") => false,
        Some(_) => return Err(bad("order is asc or desc")),
    };
    let order_column = match params.orderby.as_deref().unwrap_or("date") {
        "date" => "p.date_gmt",
        "modified" => "p.modified_gmt",
        "id" => "p.id",
        "title" => "lower(p.title)",
        "slug" => "p.slug",
        "menu_order" => "p.menu_order",
        "relevance" if search.is_some() => "relevance",
        "relevance" => return Err(bad("orderby=relevance needs a search")),
        _ => {
            return Err(bad(
                "orderby is date, modified, id, title, slug, menu_order or relevance",
            ));
        }
    };
    let context = params.context.unwrap_or_default();

    let mut tx = who.tenant.scope().begin(state.tenancy.pool()).await?;
    let viewer = Viewer::load(&mut tx, &who).await?;
    let post_type = PostType::load(&mut tx, type_name).await?;
    let statuses = statuses(params.status.as_deref(), &viewer, &post_type)?;
    if context == Context::Edit {
        viewer.require(&post_type.cap("edit"))?;
    }
    let status_names: Vec<&str> = statuses.iter().map(|s| s.as_str()).collect();

    // One query gives the page and the total (a window count). Past the last page the
    // window has no rows to count on, so the same query is asked for its first row instead.
    let build = |limit: i64, offset: i64| {
        // The page's ids and the total first; meta, terms and local dates only for those.
        let mut qb = sqlx::QueryBuilder::new("WITH page AS (SELECT p.id, count(*) OVER () AS total");
        if let Some(search) = search {
            qb.push(", ts_rank(p.search, websearch_to_tsquery('simple', ")
                .push_bind(search)
                .push(")) AS relevance");
        }
        qb.push(" FROM posts p WHERE p.type = ")
            .push_bind(&post_type.name)
            .push(" AND p.status = ANY(")
            .push_bind(status_names.clone())
            .push(")");
        viewer.push_visibility(&mut qb, &post_type);
        if let Some(search) = search {
            qb.push(" AND p.search @@ websearch_to_tsquery('simple', ")
                .push_bind(search)
                .push(")");
        }
        if let Some(authors) = &authors {
            qb.push(" AND p.author_id = ANY(").push_bind(authors.clone()).push(")");
        }
        if let Some(slugs) = &slugs {
            qb.push(" AND p.slug = ANY(").push_bind(slugs.clone()).push(")");
        }
        if let Some(parent) = params.parent {
            qb.push(" AND p.parent_id = ").push_bind(parent);
        }
        if let Some(sticky) = params.sticky {
            qb.push(" AND p.sticky = ").push_bind(sticky);
        }
        for (column, op, value) in [
            ("date_gmt", ">", after),
            ("date_gmt", "<", before),
            ("modified_gmt", ">", modified_after),
            ("modified_gmt", "<", modified_before),
        ] {
            if let Some(value) = value {
                qb.push(format!(" AND p.{column} {op} ")).push_bind(value);
            }
        }
        for term_ids in [&categories, &tags, &any_terms].into_iter().flatten() {
            qb.push(" AND EXISTS (SELECT 1 FROM post_terms pt WHERE pt.post_id = p.id AND pt.term_id = ANY(")
                .push_bind(term_ids.clone())
                .push("))");
        }
        let direction = if descending { "DESC" } else { "ASC" };
        qb.push(format!(" ORDER BY {order_column} {direction}, p.id {direction} LIMIT "))
            .push_bind(limit)
            .push(" OFFSET ")
            .push_bind(offset);
        let outer_order = if order_column == "relevance" {
            "page.relevance"
        } else {
            order_column
        };
        qb.push(format!(
            "), {PAGE_SELECT} ORDER BY {outer_order} {direction}, p.id {direction}"
        ));
        qb
    };
    let (rows, total): (Vec<Listed>, i64) = pagination::fetch_page(&mut tx, page, build).await?;
    super::phi::record_reads(
        state,
        &mut tx,
        &who.tenant,
        &viewer,
        client,
        rows.iter().map(|r| &r.row),
    )
    .await?;
    tx.commit().await?;
    let mut views: Vec<PostView> = rows
        .into_iter()
        .map(|listed| {
            let unlocked = viewer.can_edit(&listed.row, &post_type);
            PostView::new(listed.row, &post_type, Reader { context, unlocked })
        })
        .collect();
    let hook_context = viewer.hook_context(who.tenant.id, client.request_id.clone());
    super::extend::prepare(&state.hooks, &hook_context, context, &mut views).await;
    Ok((
        pagination::headers(page, total, path, &pagination::other_params(query)),
        views,
    ))
}

/// One post of `type_name`: 404 when it does not exist, is of another type, or this viewer
/// may not read it (an unreadable draft is not told apart from a missing one).
pub async fn one(
    state: &AppState,
    who: MaybeTenantUser,
    client: &ClientContext,
    type_name: &str,
    id: PostId,
    params: ReadParams,
) -> ApiResult<PostView> {
    let context = params.context.unwrap_or_default();
    let mut tx = who.tenant.scope().begin(state.tenancy.pool()).await?;
    let viewer = Viewer::load(&mut tx, &who).await?;
    let post_type = PostType::load(&mut tx, type_name).await?;
    let row = find(&mut tx, id, false)
        .await?
        .filter(|row| row.post_type == post_type.name && viewer.can_read(row, &post_type))
        .ok_or_else(not_found)?;
    let can_edit = viewer.can_edit(&row, &post_type);
    if context == Context::Edit && !can_edit {
        viewer.require("edit_post")?;
    }
    let unlocked = can_edit || params.password.as_deref().is_some_and(|p| p == row.password);
    super::phi::record_reads(state, &mut tx, &who.tenant, &viewer, client, std::iter::once(&row)).await?;
    tx.commit().await?;
    let mut view = [PostView::new(row, &post_type, Reader { context, unlocked })];
    let hook_context = viewer.hook_context(who.tenant.id, client.request_id.clone());
    super::extend::prepare(&state.hooks, &hook_context, context, &mut view).await;
    let [view] = view;
    Ok(view)
}

pub fn not_found() -> ApiError {
    ApiError::not_found("post_not_found", "there is no such post here")
}
