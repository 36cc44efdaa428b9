//! Revisions: a copy of a post's text (title, content, excerpt, meta) as each save left it,
//! kept per the post type's policy; listed and read by those who may edit the post, as in
//! WordPress. Restoring one is a save: `revision_restore.rs`.

use super::caller::Caller;
use super::deps::ContentDeps;
use super::error::{ContentError, ContentResult};
use super::ids::{PostId, RevisionId};
use super::paged::Paged;
use super::phi;
use super::post_type::{PostRef, PostType};
use super::record::{PostRecord, PostRow, find};
use super::viewer::{Viewer, facts};
use crate::access::MetaCap;
use crate::http::pagination::Page;
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use tenants::{TenantTx, UserId};
use utoipa::ToSchema;

/// Saves the post's text as a revision and drops the oldest beyond `keep`.
pub async fn save(tx: &mut TenantTx, post: &PostRecord, author: UserId, keep: i32) -> Result<(), sqlx::Error> {
    sqlx::query(
        "WITH saved AS (INSERT INTO post_revisions (id, post_id, post_version, author_id, title, content, excerpt, meta) \
           VALUES ($1, $2, (SELECT version FROM posts WHERE id = $2), $3, $4, $5, $6, $7)) \
         DELETE FROM post_revisions WHERE post_id = $2 AND id IN \
           (SELECT id FROM post_revisions WHERE post_id = $2 ORDER BY post_version DESC OFFSET $8)",
    )
    .bind(RevisionId::new())
    .bind(post.id)
    .bind(author)
    .bind(&post.title)
    .bind(&post.content)
    .bind(&post.excerpt)
    .bind(Value::Object(post.meta.clone()))
    // The new revision is not visible to this statement's DELETE: keep one fewer of the old.
    .bind(i64::from(keep - 1).max(0))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A post's text as one save left it.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct Revision {
    pub id: RevisionId,
    /// The post this is a revision of.
    #[sqlx(rename = "post_id")]
    pub parent: PostId,
    /// The post's version (its ETag) this revision was saved as.
    pub post_version: i64,
    /// Who saved it.
    #[sqlx(rename = "author_id")]
    #[schema(value_type = String, format = Uuid)]
    pub author: UserId,
    pub date_gmt: DateTime<Utc>,
    pub title: String,
    pub content: String,
    pub excerpt: String,
    pub meta: Value,
}

const REVISION_SELECT: &str = "SELECT id, post_id, post_version, author_id, created_at AS date_gmt, title, content, \
    excerpt, meta FROM post_revisions";

/// The post a revision request names, if this user may edit it (not found when they may not
/// read it, 403 when they may read but not edit it). PHI posts need `read_phi`, audited.
async fn parent(
    tx: &mut TenantTx,
    deps: &ContentDeps<'_>,
    who: Caller<'_>,
    post_type: &PostType,
    id: PostId,
) -> ContentResult<PostRow> {
    let viewer = Viewer::User(who.who.clone());
    let row = find(tx, id, false)
        .await?
        .filter(|row| row.post_type == post_type.name && viewer.can_read(row, post_type))
        .ok_or(ContentError::PostNotFound)?;
    who.who.require_meta(MetaCap::EditPost(facts(&row, post_type)))?;
    phi::record_reads(deps.trust, tx, who.scope, &viewer, who.client, std::iter::once(&row)).await?;
    Ok(row)
}

#[derive(sqlx::FromRow)]
struct Listed {
    #[sqlx(flatten)]
    revision: Revision,
    total: i64,
}

/// A post's revisions, newest first, paged.
pub async fn list(
    tx: &mut TenantTx,
    deps: &ContentDeps<'_>,
    who: Caller<'_>,
    post: PostRef,
    page: Page,
) -> ContentResult<Paged<Revision>> {
    let post_type = PostType::load(tx, &post.post_type).await?;
    parent(tx, deps, who, &post_type, post.id).await?;
    let rows: Vec<Listed> = sqlx::query_as(&format!(
        "SELECT r.*, count(*) OVER () AS total FROM ({REVISION_SELECT} WHERE post_id = $1) r \
         ORDER BY post_version DESC LIMIT $2 OFFSET $3"
    ))
    .bind(post.id)
    .bind(i64::from(page.per_page))
    .bind(page.offset())
    .fetch_all(&mut **tx)
    .await?;
    let total = match rows.first() {
        Some(first) => first.total,
        None => {
            sqlx::query_scalar("SELECT count(*) FROM post_revisions WHERE post_id = $1")
                .bind(post.id)
                .fetch_one(&mut **tx)
                .await?
        }
    };
    let items = rows.into_iter().map(|r| r.revision).collect();
    Ok(Paged { items, page, total })
}

/// One revision of a post, as stored.
pub async fn fetch(tx: &mut TenantTx, post: PostId, revision: RevisionId) -> ContentResult<Revision> {
    sqlx::query_as(&format!("{REVISION_SELECT} WHERE id = $1 AND post_id = $2"))
        .bind(revision)
        .bind(post)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(ContentError::RevisionNotFound)
}

/// One revision of a post.
pub async fn one(
    tx: &mut TenantTx,
    deps: &ContentDeps<'_>,
    who: Caller<'_>,
    post: PostRef,
    revision: RevisionId,
) -> ContentResult<Revision> {
    let post_type = PostType::load(tx, &post.post_type).await?;
    parent(tx, deps, who, &post_type, post.id).await?;
    fetch(tx, post.id, revision).await
}
