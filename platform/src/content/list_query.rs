//! What a list of posts asks for, parsed (ids, dates, statuses, order), and the one query
//! that answers it: the page's ids and the total first (a window count), then their columns,
//! meta and terms.

use super::ids::{PostId, TermId};
use super::post_select::PAGE_SELECT;
use super::post_type::PostType;
use super::status::PostStatus;
use super::viewer::Viewer;
use chrono::{DateTime, Utc};
use sqlx::{Postgres, QueryBuilder};
use tenants::UserId;

/// The statuses a list asks for.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum StatusFilter {
    /// Published posts only.
    #[default]
    Published,
    /// Every status but trash and auto-draft.
    Any,
    These(Vec<PostStatus>),
}

impl StatusFilter {
    pub fn statuses(&self) -> Vec<PostStatus> {
        match self {
            Self::Published => vec![PostStatus::Publish],
            Self::Any => PostStatus::ALL
                .into_iter()
                .filter(|s| !matches!(s, PostStatus::Trash | PostStatus::AutoDraft))
                .collect(),
            Self::These(statuses) => statuses.clone(),
        }
    }
}

/// What a list of posts can be ordered by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, utoipa::ToSchema)]
#[schema(
    rename_all = "snake_case",
    description = "What a list of posts can be ordered by (the document's view of `orderby`)."
)]
pub enum PostOrderBy {
    #[default]
    Date,
    Modified,
    Id,
    Title,
    Slug,
    MenuOrder,
    Relevance,
}

impl PostOrderBy {
    pub const ALL: [Self; 7] = [
        Self::Date,
        Self::Modified,
        Self::Id,
        Self::Title,
        Self::Slug,
        Self::MenuOrder,
        Self::Relevance,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Date => "date",
            Self::Modified => "modified",
            Self::Id => "id",
            Self::Title => "title",
            Self::Slug => "slug",
            Self::MenuOrder => "menu_order",
            Self::Relevance => "relevance",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|o| o.as_str() == text)
    }

    /// The expression of `posts p` (or of the page's CTE) it orders by.
    fn column(self) -> &'static str {
        match self {
            Self::Date => "p.date_gmt",
            Self::Modified => "p.modified_gmt",
            Self::Id => "p.id",
            Self::Title => "lower(p.title)",
            Self::Slug => "p.slug",
            Self::MenuOrder => "p.menu_order",
            Self::Relevance => "relevance",
        }
    }
}

/// Which way a list runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Ascending,
    Descending,
}

impl Direction {
    pub fn sql(self) -> &'static str {
        match self {
            Self::Ascending => "ASC",
            Self::Descending => "DESC",
        }
    }
}

/// A list's filters, search and order, as WordPress's `/wp/v2/posts` takes them.
#[derive(Debug, Clone)]
pub struct PostFilter {
    /// Trimmed, not empty, at most 200 characters (PostgreSQL's `websearch` syntax).
    pub search: Option<String>,
    pub statuses: StatusFilter,
    pub authors: Option<Vec<UserId>>,
    pub slugs: Option<Vec<String>>,
    pub parent: Option<PostId>,
    pub sticky: Option<bool>,
    pub after: Option<DateTime<Utc>>,
    pub before: Option<DateTime<Utc>>,
    pub modified_after: Option<DateTime<Utc>>,
    pub modified_before: Option<DateTime<Utc>>,
    /// Posts with any of these categories, and any of these tags, and any of these terms.
    pub categories: Option<Vec<TermId>>,
    pub tags: Option<Vec<TermId>>,
    pub terms: Option<Vec<TermId>>,
    /// [`PostOrderBy::Relevance`] only with a `search` (the HTTP face refuses it without one;
    /// a caller in the code that forgets gets date order, never a query that fails).
    pub order_by: PostOrderBy,
    pub direction: Direction,
}

impl Default for PostFilter {
    fn default() -> Self {
        Self {
            search: None,
            statuses: StatusFilter::Published,
            authors: None,
            slugs: None,
            parent: None,
            sticky: None,
            after: None,
            before: None,
            modified_after: None,
            modified_before: None,
            categories: None,
            tags: None,
            terms: None,
            order_by: PostOrderBy::Date,
            direction: Direction::Descending,
        }
    }
}

impl PostFilter {
    /// The page of posts of `post_type` at `limit` and `offset` that `viewer` may see, each
    /// with the total; meta, terms and local dates only for the page's posts.
    pub fn page_query<'q>(
        &'q self,
        post_type: &'q PostType,
        viewer: &Viewer,
        limit: i64,
        offset: i64,
    ) -> QueryBuilder<'q, Postgres> {
        let mut qb = QueryBuilder::new("WITH page AS (SELECT p.id, count(*) OVER () AS total");
        if let Some(search) = &self.search {
            qb.push(", ts_rank(p.search, websearch_to_tsquery('simple', ")
                .push_bind(search)
                .push(")) AS relevance");
        }
        let statuses: Vec<&str> = self.statuses.statuses().iter().map(|s| s.as_str()).collect();
        qb.push(" FROM posts p WHERE p.type = ")
            .push_bind(&post_type.name)
            .push(" AND p.status = ANY(")
            .push_bind(statuses)
            .push(")");
        viewer.push_visibility(&mut qb, post_type);
        self.push_conditions(&mut qb);
        let order_by = match (self.order_by, &self.search) {
            (PostOrderBy::Relevance, None) => PostOrderBy::Date,
            (order_by, _) => order_by,
        };
        let column = order_by.column();
        let direction = self.direction.sql();
        qb.push(format!(" ORDER BY {column} {direction}, p.id {direction} LIMIT "))
            .push_bind(limit)
            .push(" OFFSET ")
            .push_bind(offset);
        let outer = if order_by == PostOrderBy::Relevance {
            "page.relevance"
        } else {
            column
        };
        qb.push(format!(
            "), {PAGE_SELECT} ORDER BY {outer} {direction}, p.id {direction}"
        ));
        qb
    }

    fn push_conditions<'q>(&'q self, qb: &mut QueryBuilder<'q, Postgres>) {
        if let Some(search) = &self.search {
            qb.push(" AND p.search @@ websearch_to_tsquery('simple', ")
                .push_bind(search)
                .push(")");
        }
        if let Some(authors) = &self.authors {
            qb.push(" AND p.author_id = ANY(").push_bind(authors).push(")");
        }
        if let Some(slugs) = &self.slugs {
            qb.push(" AND p.slug = ANY(").push_bind(slugs).push(")");
        }
        if let Some(parent) = self.parent {
            qb.push(" AND p.parent_id = ").push_bind(parent);
        }
        if let Some(sticky) = self.sticky {
            qb.push(" AND p.sticky = ").push_bind(sticky);
        }
        for (column, op, value) in [
            ("date_gmt", ">", self.after),
            ("date_gmt", "<", self.before),
            ("modified_gmt", ">", self.modified_after),
            ("modified_gmt", "<", self.modified_before),
        ] {
            if let Some(value) = value {
                qb.push(format!(" AND p.{column} {op} ")).push_bind(value);
            }
        }
        for term_ids in [&self.categories, &self.tags, &self.terms].into_iter().flatten() {
            qb.push(" AND EXISTS (SELECT 1 FROM post_terms pt WHERE pt.post_id = p.id AND pt.term_id = ANY(")
                .push_bind(term_ids)
                .push("))");
        }
    }
}
