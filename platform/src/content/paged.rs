//! One page of a list, and how many there are in all: what the HTTP face turns into
//! `X-Total-Count` and `Link`.

use super::after_commit::Answer;
use super::view::PostView;
use crate::http::pagination::Page;

#[derive(Debug, Clone)]
pub struct Paged<T> {
    pub items: Vec<T>,
    /// The page asked for.
    pub page: Page,
    /// Everything the filters match, on every page.
    pub total: i64,
}

impl<T> Paged<T> {
    /// How many pages there are (at least one, empty or not).
    pub fn pages(&self) -> u32 {
        let total = u64::try_from(self.total).unwrap_or(0);
        u32::try_from(total.div_ceil(u64::from(self.page.per_page)).max(1)).unwrap_or(u32::MAX)
    }
}

impl Answer for Paged<PostView> {
    fn posts_mut(&mut self) -> &mut [PostView] {
        &mut self.items
    }
}
