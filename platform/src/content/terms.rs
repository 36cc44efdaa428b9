//! Terms of a taxonomy, as WordPress's `/wp/v2/categories` and `/wp/v2/tags` serve them:
//! public to read; created, renamed and deleted with `manage_categories`; the default
//! category ("Uncategorized") is kept, and posts left without a category fall back to it.

use super::ids::{PostId, TermId};
use super::input::Problems;
use super::taxonomy::{MANAGE_TERMS, Taxonomy};
use crate::access::Principal;
use crate::audit::{self, ClientContext};
use crate::auth::extract::{MaybeTenantUser, TenantUser};
use crate::http::pagination::{self, Page};
use crate::http::{ApiError, ApiResult};
use crate::state::AppState;
use axum::http::HeaderMap;
use serde::{Deserialize, Serialize};
use tenants::TenantTx;
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct Term {
    pub id: TermId,
    /// Published posts that have the term.
    pub count: i64,
    pub description: String,
    /// The term in this API.
    #[sqlx(skip)]
    pub link: String,
    pub name: String,
    pub slug: String,
    pub taxonomy: String,
    /// The parent term (hierarchical taxonomies only).
    pub parent: Option<TermId>,
}

/// The fields of a term to change.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TermInput {
    /// 1 to 200 characters, not only spaces.
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    pub name: Option<String>,
    /// Made URL-safe; one with no letters or digits left counts as not given (made from the
    /// name), as in WordPress.
    pub slug: Option<String>,
    #[schema(max_length = 10000)]
    pub description: Option<String>,
    /// A term of the same taxonomy (hierarchical taxonomies only); `null` removes it.
    #[serde(default, deserialize_with = "super::input::some")]
    #[schema(value_type = Option<String>, format = Uuid)]
    pub parent: Option<Option<TermId>>,
}

/// A term to create: a [`TermInput`] whose `name` is required.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTerm {
    /// 1 to 200 characters, not only spaces.
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    pub name: String,
    /// Made URL-safe; one with no letters or digits left counts as not given (made from the
    /// name), as in WordPress.
    pub slug: Option<String>,
    #[schema(max_length = 10000)]
    pub description: Option<String>,
    /// A term of the same taxonomy (hierarchical taxonomies only).
    #[schema(value_type = Option<String>, format = Uuid)]
    pub parent: Option<TermId>,
}

impl From<NewTerm> for TermInput {
    fn from(term: NewTerm) -> Self {
        Self {
            name: Some(term.name),
            slug: term.slug,
            description: term.description,
            parent: Some(term.parent),
        }
    }
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TermListParams {
    /// Matches names containing this text (any case).
    #[param(max_length = 200)]
    pub search: Option<String>,
    /// Comma-separated slugs.
    pub slug: Option<String>,
    /// Children of this term; `0` for top-level terms.
    #[param(value_type = Option<TermParent>, inline)]
    pub parent: Option<String>,
    /// Terms of this post.
    #[param(value_type = Option<String>, format = Uuid)]
    pub post: Option<PostId>,
    /// Leave out terms no published post has.
    pub hide_empty: Option<bool>,
    /// `name` (default), `slug`, `count`, `id`.
    #[param(value_type = Option<TermOrderBy>, inline)]
    pub orderby: Option<String>,
    /// `asc` (default) or `desc`.
    #[param(value_type = Option<crate::http::pagination::Order>, inline)]
    pub order: Option<String>,
}

#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum TermOrderBy {
    Name,
    Slug,
    Count,
    Id,
}

crate::http::pagination::pattern_schema!(
    /// A term id, or `0`.
    TermParent = r"^(0|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$"
);

/// The answer to a delete: the term as it was.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeletedTerm {
    pub deleted: bool,
    pub previous: Term,
}

pub const MAX_NAME_CHARS: usize = 200;
pub const MAX_DESCRIPTION_CHARS: usize = 10_000;

const TERM_SELECT: &str = "SELECT t.id, t.taxonomy, t.name, t.slug, t.description, t.parent_id AS parent, \
    (SELECT count(*) FROM post_terms pt JOIN posts p ON p.id = pt.post_id \
      WHERE pt.term_id = t.id AND p.status = 'publish') AS count FROM terms t";

pub fn not_found() -> ApiError {
    ApiError::not_found("term_not_found", "there is no such term here")
}

fn bad(detail: impl Into<std::borrow::Cow<'static, str>>) -> ApiError {
    ApiError::bad_request("invalid_query", detail)
}

fn linked(mut term: Term, taxonomy: &Taxonomy) -> Term {
    term.link = format!("{}/{}", taxonomy.rest_path, term.id);
    term
}

async fn fetch(tx: &mut TenantTx, taxonomy: &Taxonomy, id: TermId, lock: bool) -> ApiResult<Term> {
    let lock = if lock { "FOR UPDATE OF t" } else { "" };
    let term: Option<Term> = sqlx::query_as(&format!("{TERM_SELECT} WHERE t.id = $1 AND t.taxonomy = $2 {lock}"))
        .bind(id)
        .bind(&taxonomy.name)
        .fetch_optional(&mut **tx)
        .await?;
    term.map(|t| linked(t, taxonomy)).ok_or_else(not_found)
}

#[derive(sqlx::FromRow)]
struct Listed {
    #[sqlx(flatten)]
    term: Term,
    total: i64,
}

impl pagination::WithTotal for Listed {
    fn total(&self) -> i64 {
        self.total
    }
}

/// A page of a taxonomy's terms; anyone may read them.
pub async fn list(
    state: &AppState,
    who: MaybeTenantUser,
    taxonomy_name: &str,
    page: Page,
    params: TermListParams,
    path: &str,
    query: Option<&str>,
) -> ApiResult<(HeaderMap, Vec<Term>)> {
    let ascending = match params.order.as_deref() {
        None | Some("asc") => true,
        Some("desc") => false,
        Some(_) => return Err(bad("order is asc or desc")),
    };
    let order_column = match params.orderby.as_deref().unwrap_or("name") {
        "name" => "lower(name)",
        "slug" => "slug",
        "count" => "count",
        "id" => "id",
        _ => return Err(bad("orderby is name, slug, count or id")),
    };
    let parent = match params.parent.as_deref() {
        None => None,
        Some("0") => Some(None),
        Some(id) => Some(Some(
            id.parse::<TermId>()
                .map_err(|_| bad("parent is a term id, or 0 for top-level terms"))?,
        )),
    };
    let search = params.search.as_deref().map(str::trim).filter(|s| !s.is_empty());
    if search.is_some_and(|s| s.chars().count() > 200) {
        return Err(bad("search is at most 200 characters"));
    }
    let slugs: Option<Vec<String>> = params
        .slug
        .as_ref()
        .map(|s| s.split(',').map(|s| s.trim().to_owned()).collect());

    let mut tx = who.tenant.scope().begin(state.tenancy.pool()).await?;
    let taxonomy = Taxonomy::load(&mut tx, taxonomy_name).await?;
    let pattern = search.map(super::input::contains_pattern);
    // The page and its total in one query; past the last page, the same query's first row
    // carries the total.
    let build = |limit: i64, offset: i64| {
        let mut qb = sqlx::QueryBuilder::new(format!(
            "SELECT *, count(*) OVER () AS total FROM ({TERM_SELECT} WHERE t.taxonomy = "
        ));
        qb.push_bind(&taxonomy.name);
        if let Some(pattern) = &pattern {
            qb.push(" AND t.name ILIKE ").push_bind(pattern.clone());
        }
        if let Some(slugs) = &slugs {
            qb.push(" AND t.slug = ANY(").push_bind(slugs.clone()).push(")");
        }
        match parent {
            None => {}
            Some(None) => {
                qb.push(" AND t.parent_id IS NULL");
            }
            Some(Some(parent)) => {
                qb.push(" AND t.parent_id = ").push_bind(parent);
            }
        }
        if let Some(post) = params.post {
            // Terms of a post are as visible as the post: only published ones here.
            qb.push(
                " AND EXISTS (SELECT 1 FROM post_terms pt JOIN posts p ON p.id = pt.post_id \
                   WHERE pt.term_id = t.id AND p.status = 'publish' AND p.id = ",
            )
            .push_bind(post)
            .push(")");
        }
        qb.push(") listed");
        if params.hide_empty.unwrap_or(false) {
            qb.push(" WHERE count > 0");
        }
        let direction = if ascending { "ASC" } else { "DESC" };
        qb.push(format!(" ORDER BY {order_column} {direction}, id {direction} LIMIT "))
            .push_bind(limit)
            .push(" OFFSET ")
            .push_bind(offset);
        qb
    };
    let (rows, total): (Vec<Listed>, i64) = pagination::fetch_page(&mut tx, page, build).await?;
    tx.commit().await?;
    let terms = rows.into_iter().map(|r| linked(r.term, &taxonomy)).collect();
    Ok((
        pagination::headers(page, total, path, &pagination::other_params(query)),
        terms,
    ))
}

/// One term; anyone may read it.
pub async fn one(state: &AppState, who: MaybeTenantUser, taxonomy_name: &str, id: TermId) -> ApiResult<Term> {
    let mut tx = who.tenant.scope().begin(state.tenancy.pool()).await?;
    let taxonomy = Taxonomy::load(&mut tx, taxonomy_name).await?;
    let term = fetch(&mut tx, &taxonomy, id, false).await?;
    tx.commit().await?;
    Ok(term)
}

/// The checked fields of an input; `name` is required when `creating`.
struct Checked {
    name: Option<String>,
    slug: Option<String>,
    description: Option<String>,
    parent: Option<Option<TermId>>,
}

fn check(input: TermInput, taxonomy: &Taxonomy, creating: bool) -> ApiResult<Checked> {
    let mut problems = Problems::default();
    let name = input.name.map(|n| n.trim().to_owned());
    match &name {
        None if creating => problems.add("name", "required"),
        Some(n) if n.is_empty() || n.chars().count() > MAX_NAME_CHARS => {
            problems.add("name", format!("1 to {MAX_NAME_CHARS} characters"));
        }
        _ => {}
    }
    // Nothing URL-safe left: as if no slug was given (WordPress makes one from the name).
    let slug = input
        .slug
        .map(|s| super::slug::sanitize(&s))
        .filter(|clean| !clean.is_empty());
    if input
        .description
        .as_ref()
        .is_some_and(|d| d.chars().count() > MAX_DESCRIPTION_CHARS)
    {
        problems.add("description", format!("at most {MAX_DESCRIPTION_CHARS} characters"));
    }
    if input.parent.flatten().is_some() && !taxonomy.hierarchical {
        problems.add("parent", format!("{} terms have no parents", taxonomy.name));
    }
    if !problems.0.is_empty() {
        return Err(ApiError::invalid(problems.0));
    }
    Ok(Checked {
        name,
        slug,
        description: input.description,
        parent: input.parent,
    })
}

/// The parent must be a term of the same taxonomy, and (for an existing term) neither the
/// term itself nor one of its descendants.
async fn check_parent(tx: &mut TenantTx, taxonomy: &Taxonomy, parent: TermId, child: Option<TermId>) -> ApiResult<()> {
    let same_taxonomy: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM terms WHERE id = $1 AND taxonomy = $2)")
        .bind(parent)
        .bind(&taxonomy.name)
        .fetch_one(&mut **tx)
        .await?;
    if !same_taxonomy {
        return Err(ApiError::invalid_field(
            "parent",
            format!("no term of {} has that id", taxonomy.name),
        ));
    }
    let Some(child) = child else { return Ok(()) };
    let cycle: bool = sqlx::query_scalar(
        "WITH RECURSIVE up(id) AS (SELECT $1::uuid UNION SELECT t.parent_id FROM terms t JOIN up ON t.id = up.id \
           WHERE t.parent_id IS NOT NULL) \
         SELECT EXISTS (SELECT 1 FROM up WHERE id = $2)",
    )
    .bind(parent)
    .bind(child)
    .fetch_one(&mut **tx)
    .await?;
    if cycle {
        return Err(ApiError::invalid_field("parent", "a term cannot be its own ancestor"));
    }
    Ok(())
}

fn constraint_problem(error: sqlx::Error) -> ApiError {
    match error.as_database_error().and_then(|e| e.constraint()) {
        Some("terms_slug_key") => ApiError::conflict("term_exists", "a term of this taxonomy has that slug"),
        _ => error.into(),
    }
}

fn summary(term: &Term) -> serde_json::Value {
    serde_json::json!({ "taxonomy": term.taxonomy, "name": term.name, "slug": term.slug, "parent": term.parent })
}

/// Creates a term (`manage_categories`).
pub async fn create(
    state: &AppState,
    user: TenantUser,
    client: ClientContext,
    taxonomy_name: &str,
    input: TermInput,
) -> ApiResult<Term> {
    let mut tx = user.tenant.scope().begin(state.tenancy.pool()).await?;
    let me = Principal::load(&mut tx, &user.subject).await?;
    let taxonomy = Taxonomy::load(&mut tx, taxonomy_name).await?;
    me.require(MANAGE_TERMS)?;
    let checked = check(input, &taxonomy, true)?;
    let name = checked.name.unwrap_or_default();
    let id = TermId::new();
    // A name with nothing URL-safe in it (`€`, `中`) gets a slug from the term's id, as a
    // post without a title does.
    let slug = checked
        .slug
        .or_else(|| Some(super::slug::sanitize(&name)).filter(|s| !s.is_empty()))
        .unwrap_or_else(|| format!("{}-{}", taxonomy.name.replace('_', "-"), &id.to_string()[..8]));
    let parent = checked.parent.flatten();
    if let Some(parent) = parent {
        check_parent(&mut tx, &taxonomy, parent, None).await?;
    }
    sqlx::query("INSERT INTO terms (id, taxonomy, name, slug, description, parent_id) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(id)
        .bind(&taxonomy.name)
        .bind(&name)
        .bind(&slug)
        .bind(checked.description.unwrap_or_default())
        .bind(parent)
        .execute(&mut *tx)
        .await
        .map_err(constraint_problem)?;
    let term = fetch(&mut tx, &taxonomy, id, false).await?;
    audit::user_action(
        &mut tx,
        me.user_id,
        &client,
        "term.create",
        ("term", &id.to_string()),
        serde_json::json!({ "after": summary(&term) }),
    )
    .await?;
    tx.commit().await?;
    Ok(term)
}

/// Changes a term's fields (`manage_categories`).
pub async fn update(
    state: &AppState,
    user: TenantUser,
    client: ClientContext,
    taxonomy_name: &str,
    id: TermId,
    input: TermInput,
) -> ApiResult<Term> {
    let mut tx = user.tenant.scope().begin(state.tenancy.pool()).await?;
    let me = Principal::load(&mut tx, &user.subject).await?;
    let taxonomy = Taxonomy::load(&mut tx, taxonomy_name).await?;
    me.require(MANAGE_TERMS)?;
    let before = fetch(&mut tx, &taxonomy, id, true).await?;
    let checked = check(input, &taxonomy, false)?;
    if let Some(Some(parent)) = checked.parent {
        check_parent(&mut tx, &taxonomy, parent, Some(id)).await?;
    }
    sqlx::query(
        "UPDATE terms SET name = coalesce($2, name), slug = coalesce($3, slug), \
           description = coalesce($4, description), parent_id = CASE WHEN $5 THEN $6 ELSE parent_id END \
         WHERE id = $1",
    )
    .bind(id)
    .bind(checked.name)
    .bind(checked.slug)
    .bind(checked.description)
    .bind(checked.parent.is_some())
    .bind(checked.parent.flatten())
    .execute(&mut *tx)
    .await
    .map_err(constraint_problem)?;
    let term = fetch(&mut tx, &taxonomy, id, false).await?;
    let details = serde_json::json!({ "before": summary(&before), "after": summary(&term) });
    audit::user_action(
        &mut tx,
        me.user_id,
        &client,
        "term.update",
        ("term", &id.to_string()),
        details,
    )
    .await?;
    tx.commit().await?;
    Ok(term)
}

/// Deletes a term (`manage_categories`; terms have no trash). Its children move up to its
/// parent; posts it leaves without a category get the default one. The default category
/// itself cannot be deleted.
pub async fn delete(
    state: &AppState,
    user: TenantUser,
    client: ClientContext,
    taxonomy_name: &str,
    id: TermId,
) -> ApiResult<DeletedTerm> {
    let mut tx = user.tenant.scope().begin(state.tenancy.pool()).await?;
    let me = Principal::load(&mut tx, &user.subject).await?;
    let taxonomy = Taxonomy::load(&mut tx, taxonomy_name).await?;
    me.require(MANAGE_TERMS)?;
    let term = fetch(&mut tx, &taxonomy, id, true).await?;
    if taxonomy.name == "category" && term.slug == "uncategorized" {
        return Err(ApiError::conflict(
            "default_term",
            "the default category cannot be deleted; rename it instead",
        ));
    }
    sqlx::query(
        "WITH moved AS (UPDATE terms SET parent_id = $2 WHERE parent_id = $1), \
         orphaned AS (SELECT pt.post_id FROM post_terms pt WHERE pt.term_id = $1 AND $3 AND NOT EXISTS \
           (SELECT 1 FROM post_terms o JOIN terms c ON c.id = o.term_id \
             WHERE o.post_id = pt.post_id AND c.taxonomy = 'category' AND c.id <> $1)) \
         INSERT INTO post_terms (post_id, term_id) \
           SELECT o.post_id, d.id FROM orphaned o, terms d WHERE d.taxonomy = 'category' AND d.slug = 'uncategorized' \
         ON CONFLICT DO NOTHING",
    )
    .bind(id)
    .bind(term.parent)
    .bind(taxonomy.name == "category")
    .execute(&mut *tx)
    .await?;
    sqlx::query("DELETE FROM terms WHERE id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    audit::user_action(
        &mut tx,
        me.user_id,
        &client,
        "term.delete",
        ("term", &id.to_string()),
        serde_json::json!({ "before": summary(&term) }),
    )
    .await?;
    tx.commit().await?;
    Ok(DeletedTerm {
        deleted: true,
        previous: term,
    })
}
