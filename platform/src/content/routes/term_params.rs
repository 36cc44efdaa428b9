//! The query parameters of the term lists as they come, and their parsing into what the
//! service takes: every malformed one is a 400 `invalid_query` naming it.

use super::params::{bad, search};
use crate::content::ids::{PostId, TermId};
use crate::content::list_query::Direction;
use crate::content::term_query::{ParentFilter, TermFilter, TermOrderBy};
use crate::http::ApiResult;
use crate::http::pagination::Order;
use crate::openapi::string_schema::pattern_schema;
use serde::Deserialize;
use utoipa::IntoParams;

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
    #[param(value_type = Option<Order>, inline)]
    pub order: Option<String>,
}

pattern_schema!(
    /// A term id, or `0`.
    TermParent = r"^(0|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$"
);

impl TermListParams {
    /// The filters as the list service takes them, checked in the order of the parameters.
    pub fn filter(&self) -> ApiResult<TermFilter> {
        let direction = match self.order.as_deref() {
            None | Some("asc") => Direction::Ascending,
            Some("desc") => Direction::Descending,
            Some(_) => return Err(bad("order is asc or desc")),
        };
        let order_by = TermOrderBy::parse(self.orderby.as_deref().unwrap_or("name"))
            .ok_or_else(|| bad("orderby is name, slug, count or id"))?;
        let parent = match self.parent.as_deref() {
            None => None,
            Some("0") => Some(ParentFilter::TopLevel),
            Some(id) => Some(ParentFilter::ChildrenOf(
                id.parse::<TermId>()
                    .map_err(|_| bad("parent is a term id, or 0 for top-level terms"))?,
            )),
        };
        Ok(TermFilter {
            search: search(self.search.as_deref())?,
            slugs: (self.slug.as_ref()).map(|s| s.split(',').map(|s| s.trim().to_owned()).collect()),
            parent,
            post: self.post,
            hide_empty: self.hide_empty.unwrap_or(false),
            order_by,
            direction,
        })
    }
}
