//! Terms of a taxonomy, as WordPress's `/wp/v2/categories` and `/wp/v2/tags` serve them:
//! public to read; created, renamed and deleted with `manage_categories` (`term_changes.rs`).

use super::error::{ContentError, ContentResult};
use super::ids::TermId;
use super::paged::Paged;
use super::taxonomy::Taxonomy;
use super::term_query::{TERM_SELECT, TermFilter};
use crate::http::pagination::{self, Page};
use serde::{Deserialize, Serialize};
use tenants::TenantTx;
use utoipa::ToSchema;

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

/// The answer to a delete: the term as it was.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeletedTerm {
    pub deleted: bool,
    pub previous: Term,
}

pub const MAX_NAME_CHARS: usize = 200;
pub const MAX_DESCRIPTION_CHARS: usize = 10_000;

pub(super) fn linked(mut term: Term, taxonomy: &Taxonomy) -> Term {
    term.link = format!("{}/{}", taxonomy.rest_path, term.id);
    term
}

pub(super) async fn fetch(tx: &mut TenantTx, taxonomy: &Taxonomy, id: TermId, lock: bool) -> ContentResult<Term> {
    let lock = if lock { "FOR UPDATE OF t" } else { "" };
    let term: Option<Term> = sqlx::query_as(&format!("{TERM_SELECT} WHERE t.id = $1 AND t.taxonomy = $2 {lock}"))
        .bind(id)
        .bind(&taxonomy.name)
        .fetch_optional(&mut **tx)
        .await?;
    term.map(|t| linked(t, taxonomy)).ok_or(ContentError::TermNotFound)
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
pub async fn list(tx: &mut TenantTx, taxonomy: &str, page: Page, filter: &TermFilter) -> ContentResult<Paged<Term>> {
    let taxonomy = Taxonomy::load(tx, taxonomy).await?;
    // The page and its total in one query; past the last page, the same query's first row
    // carries the total.
    let build = |limit, offset| filter.page_query(&taxonomy, limit, offset);
    let (rows, total): (Vec<Listed>, i64) = pagination::fetch_page(tx, page, build).await?;
    let items = rows.into_iter().map(|r| linked(r.term, &taxonomy)).collect();
    Ok(Paged { items, page, total })
}

/// One term; anyone may read it.
pub async fn one(tx: &mut TenantTx, taxonomy: &str, id: TermId) -> ContentResult<Term> {
    let taxonomy = Taxonomy::load(tx, taxonomy).await?;
    fetch(tx, &taxonomy, id, false).await
}
