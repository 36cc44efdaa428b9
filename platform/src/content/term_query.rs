//! What a list of terms asks for, parsed, and the query that answers it: the page and the
//! total in one statement.

use super::ids::{PostId, TermId};
use super::list_query::Direction;
use super::taxonomy::Taxonomy;
use crate::http::pagination::contains_pattern;
use sqlx::{Postgres, QueryBuilder};

/// A term with the count of published posts that have it.
pub(super) const TERM_SELECT: &str = "SELECT t.id, t.taxonomy, t.name, t.slug, t.description, t.parent_id AS parent, \
    (SELECT count(*) FROM post_terms pt JOIN posts p ON p.id = pt.post_id \
      WHERE pt.term_id = t.id AND p.status = 'publish') AS count FROM terms t";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, utoipa::ToSchema)]
#[schema(rename_all = "snake_case")]
// What a list of terms can be ordered by. (No doc comment: the document shows none.)
pub enum TermOrderBy {
    #[default]
    Name,
    Slug,
    Count,
    Id,
}

impl TermOrderBy {
    pub const ALL: [Self; 4] = [Self::Name, Self::Slug, Self::Count, Self::Id];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Name => "name",
            Self::Slug => "slug",
            Self::Count => "count",
            Self::Id => "id",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|o| o.as_str() == text)
    }

    fn column(self) -> &'static str {
        match self {
            Self::Name => "lower(name)",
            Self::Slug => "slug",
            Self::Count => "count",
            Self::Id => "id",
        }
    }
}

/// Which terms by their parent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParentFilter {
    TopLevel,
    ChildrenOf(TermId),
}

/// A list's filters, search and order, as WordPress's `/wp/v2/categories` takes them.
#[derive(Debug, Clone)]
pub struct TermFilter {
    /// Names containing this text, in any case: trimmed, not empty, at most 200 characters.
    pub search: Option<String>,
    pub slugs: Option<Vec<String>>,
    pub parent: Option<ParentFilter>,
    /// Terms of this post (published posts only: terms are as visible as their posts).
    pub post: Option<PostId>,
    /// Leave out terms no published post has.
    pub hide_empty: bool,
    pub order_by: TermOrderBy,
    pub direction: Direction,
}

impl Default for TermFilter {
    fn default() -> Self {
        Self {
            search: None,
            slugs: None,
            parent: None,
            post: None,
            hide_empty: false,
            order_by: TermOrderBy::Name,
            direction: Direction::Ascending,
        }
    }
}

impl TermFilter {
    /// The page of `taxonomy`'s terms at `limit` and `offset`, each with the total.
    pub fn page_query<'q>(&'q self, taxonomy: &'q Taxonomy, limit: i64, offset: i64) -> QueryBuilder<'q, Postgres> {
        let mut qb = QueryBuilder::new(format!(
            "SELECT *, count(*) OVER () AS total FROM ({TERM_SELECT} WHERE t.taxonomy = "
        ));
        qb.push_bind(&taxonomy.name);
        if let Some(search) = &self.search {
            qb.push(" AND t.name ILIKE ").push_bind(contains_pattern(search));
        }
        if let Some(slugs) = &self.slugs {
            qb.push(" AND t.slug = ANY(").push_bind(slugs).push(")");
        }
        match self.parent {
            None => {}
            Some(ParentFilter::TopLevel) => {
                qb.push(" AND t.parent_id IS NULL");
            }
            Some(ParentFilter::ChildrenOf(parent)) => {
                qb.push(" AND t.parent_id = ").push_bind(parent);
            }
        }
        if let Some(post) = self.post {
            qb.push(
                " AND EXISTS (SELECT 1 FROM post_terms pt JOIN posts p ON p.id = pt.post_id \
                   WHERE pt.term_id = t.id AND p.status = 'publish' AND p.id = ",
            )
            .push_bind(post)
            .push(")");
        }
        qb.push(") listed");
        if self.hide_empty {
            qb.push(" WHERE count > 0");
        }
        let (column, direction) = (self.order_by.column(), self.direction.sql());
        qb.push(format!(" ORDER BY {column} {direction}, id {direction} LIMIT "))
            .push_bind(limit)
            .push(" OFFSET ")
            .push_bind(offset);
        qb
    }
}
