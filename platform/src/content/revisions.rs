//! Revisions: a copy of a post's text (title, content, excerpt, meta) as each save left it,
//! kept per the post type's policy; listed, read and restored through the API. As in
//! WordPress, reading a post's revisions needs the right to edit the post.

use super::ids::{PostId, RevisionId};
use super::post_type::PostType;
use super::read::not_found;
use super::record::{PostRecord, PostRow, find};
use super::status::PostStatus;
use super::store::store;
use super::view::PostView;
use super::viewer::{Viewer, facts};
use super::write::{authorise, hook_context, load_for_change, user_write};
use crate::access::{MetaCap, Principal};
use crate::audit::ClientContext;
use crate::auth::extract::TenantUser;
use crate::http::pagination::{self, Page};
use crate::http::{ApiError, ApiResult};
use crate::state::AppState;
use axum::http::HeaderMap;
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

fn revision_not_found() -> ApiError {
    ApiError::not_found("revision_not_found", "the post has no such revision")
}

/// The post a revision request names, if this user may edit it (404 when they may not
/// read it, 403 when they may read but not edit). PHI posts need `read_phi`, audited.
async fn parent(
    state: &AppState,
    tx: &mut TenantTx,
    user: &TenantUser,
    client: &ClientContext,
    post_type: &PostType,
    id: PostId,
) -> ApiResult<PostRow> {
    let me = Principal::load(tx, &user.subject).await?;
    let viewer = Viewer::User(me.clone());
    let row = find(tx, id, false)
        .await?
        .filter(|row| row.post_type == post_type.name && viewer.can_read(row, post_type))
        .ok_or_else(not_found)?;
    me.require_meta(MetaCap::EditPost(facts(&row, post_type)))?;
    super::phi::record_reads(state, tx, &user.tenant, &viewer, client, std::iter::once(&row)).await?;
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
    state: &AppState,
    user: TenantUser,
    client: &ClientContext,
    type_name: &str,
    id: PostId,
    page: Page,
    path: &str,
) -> ApiResult<(HeaderMap, Vec<Revision>)> {
    let mut tx = user.tenant.scope().begin(state.tenancy.pool()).await?;
    let post_type = PostType::load(&mut tx, type_name).await?;
    parent(state, &mut tx, &user, client, &post_type, id).await?;
    let rows: Vec<Listed> = sqlx::query_as(&format!(
        "SELECT r.*, count(*) OVER () AS total FROM ({REVISION_SELECT} WHERE post_id = $1) r \
         ORDER BY post_version DESC LIMIT $2 OFFSET $3"
    ))
    .bind(id)
    .bind(i64::from(page.per_page))
    .bind(i64::from(page.page - 1) * i64::from(page.per_page))
    .fetch_all(&mut *tx)
    .await?;
    let total = match rows.first() {
        Some(first) => first.total,
        None => {
            sqlx::query_scalar("SELECT count(*) FROM post_revisions WHERE post_id = $1")
                .bind(id)
                .fetch_one(&mut *tx)
                .await?
        }
    };
    tx.commit().await?;
    let revisions = rows.into_iter().map(|r| r.revision).collect();
    Ok((pagination::headers(page, total, path, ""), revisions))
}

async fn fetch(tx: &mut TenantTx, post: PostId, revision: RevisionId) -> ApiResult<Revision> {
    sqlx::query_as(&format!("{REVISION_SELECT} WHERE id = $1 AND post_id = $2"))
        .bind(revision)
        .bind(post)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or_else(revision_not_found)
}

/// One revision of a post.
pub async fn one(
    state: &AppState,
    user: TenantUser,
    client: &ClientContext,
    type_name: &str,
    id: PostId,
    revision: RevisionId,
) -> ApiResult<Revision> {
    let mut tx = user.tenant.scope().begin(state.tenancy.pool()).await?;
    let post_type = PostType::load(&mut tx, type_name).await?;
    parent(state, &mut tx, &user, client, &post_type, id).await?;
    let revision = fetch(&mut tx, id, revision).await?;
    tx.commit().await?;
    Ok(revision)
}

/// Puts a revision's title, content, excerpt and meta back into the post, as a save of its
/// own: the filters, rules, trust and audit of any update apply, and the restored text
/// becomes the newest revision. If-Match names the post version the restore is based on.
pub async fn restore(
    state: &AppState,
    user: TenantUser,
    client: ClientContext,
    type_name: &str,
    id: PostId,
    revision: RevisionId,
    expected: i64,
) -> ApiResult<PostView> {
    let mut tx = user.tenant.scope().begin(state.tenancy.pool()).await?;
    let me = Principal::load(&mut tx, &user.subject).await?;
    let post_type = PostType::load(&mut tx, type_name).await?;
    let row = load_for_change(&mut tx, &me, &post_type, id, Some(expected)).await?;
    me.require_meta(MetaCap::EditPost(facts(&row, &post_type)))?;
    if row.status == PostStatus::Trash {
        return Err(ApiError::conflict(
            "post_trashed",
            "restore the post from the trash (status draft) before restoring a revision",
        ));
    }
    let saved = fetch(&mut tx, id, revision).await?;
    let previous = row.record();
    let mut post = previous.clone();
    post.title = saved.title;
    post.content = saved.content;
    post.excerpt = saved.excerpt;
    post.meta = match saved.meta {
        Value::Object(meta) => meta,
        _ => Default::default(),
    };
    authorise(state, &mut tx, &user, &me, &client, &post_type, Some(&previous), &post).await?;
    super::checks::medical_approval(&me, &mut post, Some(&previous), None, Utc::now())?;
    let context = hook_context(&user, &me, &client);
    let write = super::store::Write {
        audit_note: Some(
            serde_json::json!({ "restored_revision": revision, "revision_of_version": saved.post_version }),
        ),
        ..user_write(state, &context, &post_type, Some(&previous), &me, &client)
    };
    let stored = store(&mut tx, write, post).await?;
    tx.commit().await?;
    let view = super::write::prepared(state, &context, stored.view).await;
    state.hooks.after_commit(context, stored.actions);
    Ok(view)
}
