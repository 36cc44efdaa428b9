//! Revisions: a copy of a post's text (title, content, excerpt, meta) as each save left it,
//! kept per the post type's policy; listed, read and restored through the API.

use super::ids::RevisionId;
use super::record::PostRecord;
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

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct Revision {
    pub id: RevisionId,
    /// The post this is a revision of.
    #[sqlx(rename = "post_id")]
    pub parent: super::ids::PostId,
    /// The post's version this revision was saved as.
    pub post_version: i64,
    #[sqlx(rename = "author_id")]
    #[schema(value_type = String, format = Uuid)]
    pub author: UserId,
    pub date_gmt: DateTime<Utc>,
    pub title: String,
    pub content: String,
    pub excerpt: String,
    pub meta: Value,
}

pub const REVISION_SELECT: &str = "SELECT id, post_id, post_version, author_id, created_at AS date_gmt, title, content, \
    excerpt, meta FROM post_revisions";
