//! Reading posts: one, or a filtered, searched, ordered page of them, as WordPress's
//! `/wp/v2/posts` does. A list is one query: the page, its meta and terms, and the total.

use super::after_commit::AfterCommit;
use super::caller::Caller;
use super::capability::{EDIT_POST, PostCap};
use super::deps::ContentDeps;
use super::error::{ContentError, ContentResult};
use super::ids::PostId;
use super::list_query::PostFilter;
use super::paged::Paged;
use super::phi;
use super::post_type::{PostType, PostTypeName};
use super::record::{PostRow, find};
use super::status::PostStatus;
use super::view::{Context, PostView, Reader};
use super::viewer::Viewer;
use crate::http::pagination::{self, Page};
use tenants::TenantTx;

/// A page of posts of a type.
#[derive(Debug, Clone)]
pub struct ListPosts {
    pub post_type: PostTypeName,
    pub page: Page,
    pub filter: PostFilter,
    pub context: Context,
}

/// One post of a type.
#[derive(Debug, Clone)]
pub struct ReadPost {
    pub post_type: PostTypeName,
    pub id: PostId,
    pub context: Context,
    /// The post's password, to read a protected post's content.
    pub password: Option<String>,
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

/// A page of posts. Statuses other than `publish`, and the edit context, need the right to
/// edit the type's posts.
pub async fn list(
    tx: &mut TenantTx,
    deps: &ContentDeps<'_>,
    who: Caller<'_, Viewer>,
    query: ListPosts,
) -> ContentResult<AfterCommit<Paged<PostView>>> {
    let viewer = who.who;
    let post_type = PostType::load(tx, &query.post_type).await?;
    let unpublished = query
        .filter
        .statuses
        .statuses()
        .into_iter()
        .any(|s| s != PostStatus::Publish);
    if unpublished {
        viewer.require(&post_type.cap(PostCap::Edit))?;
    }
    if query.context == Context::Edit {
        viewer.require(&post_type.cap(PostCap::Edit))?;
    }
    let filter = &query.filter;
    let build = |limit, offset| filter.page_query(&post_type, viewer, limit, offset);
    let (rows, total): (Vec<Listed>, i64) = pagination::fetch_page(tx, query.page, build).await?;
    phi::record_reads(
        deps.trust,
        tx,
        who.scope,
        viewer,
        who.client,
        rows.iter().map(|r| &r.row),
    )
    .await?;
    let context = query.context;
    let items = rows
        .into_iter()
        .map(|listed| {
            let unlocked = viewer.can_edit(&listed.row, &post_type);
            PostView::new(listed.row, &post_type, Reader { context, unlocked })
        })
        .collect();
    let page = Paged {
        items,
        page: query.page,
        total,
    };
    Ok(AfterCommit::new(page, who.hook_context()).responding_in(context))
}

/// One post: [`ContentError::PostNotFound`] when it does not exist, is of another type, or
/// this viewer may not read it (an unreadable draft is not told apart from a missing one).
pub async fn one(
    tx: &mut TenantTx,
    deps: &ContentDeps<'_>,
    who: Caller<'_, Viewer>,
    read: ReadPost,
) -> ContentResult<AfterCommit<PostView>> {
    let viewer = who.who;
    let post_type = PostType::load(tx, &read.post_type).await?;
    let row = find(tx, read.id, false)
        .await?
        .filter(|row| row.post_type == post_type.name && viewer.can_read(row, &post_type))
        .ok_or(ContentError::PostNotFound)?;
    let can_edit = viewer.can_edit(&row, &post_type);
    if read.context == Context::Edit && !can_edit {
        viewer.require(EDIT_POST)?;
    }
    let unlocked = can_edit || read.password.as_deref().is_some_and(|p| p == row.password);
    phi::record_reads(deps.trust, tx, who.scope, viewer, who.client, std::iter::once(&row)).await?;
    let context = read.context;
    let view = PostView::new(row, &post_type, Reader { context, unlocked });
    Ok(AfterCommit::new(view, who.hook_context()).responding_in(context))
}
