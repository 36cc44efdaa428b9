//! A media item as stored and as shown (WordPress's attachment shape), and who may see it.

use super::kind::{self, MediaType};
use crate::access::Principal;
use crate::content::ids::{MediaId, PostId};
use crate::content::post_type::PostType;
use crate::content::record::find;
use crate::content::viewer::Viewer;
use crate::http::{ApiError, ApiResult};
use crate::media::codes::MediaCode;
use chrono::{DateTime, Utc};
use serde::Serialize;
use tenants::{TenantTx, UserId};
use utoipa::ToSchema;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MediaRow {
    pub id: MediaId,
    pub author_id: UserId,
    pub post_id: Option<PostId>,
    pub title: String,
    pub alt_text: String,
    pub caption: String,
    pub filename: String,
    pub mime_type: String,
    pub size_bytes: i64,
    pub width: Option<i32>,
    pub height: Option<i32>,
    pub sha256: Vec<u8>,
    pub created_at: DateTime<Utc>,
    pub modified_gmt: DateTime<Utc>,
}

pub const MEDIA_SELECT: &str = "SELECT id, author_id, post_id, title, alt_text, caption, filename, mime_type, \
    size_bytes, width, height, sha256, created_at, modified_gmt FROM media";

pub async fn fetch(tx: &mut TenantTx, id: MediaId, for_update: bool) -> Result<Option<MediaRow>, sqlx::Error> {
    let lock = if for_update { "FOR UPDATE" } else { "" };
    sqlx::query_as(&format!("{MEDIA_SELECT} WHERE id = $1 {lock}"))
        .bind(id)
        .fetch_optional(&mut **tx)
        .await
}

pub fn not_found() -> ApiError {
    ApiError::of(MediaCode::MediaNotFound, "there is no such media here")
}

/// Sizes and checksum, as WordPress's `media_details`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MediaDetails {
    pub filesize: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub width: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub height: Option<i32>,
    /// SHA-256 of the file, hex; also the download's ETag.
    pub sha256: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MediaView {
    pub id: MediaId,
    pub date_gmt: DateTime<Utc>,
    pub modified_gmt: DateTime<Utc>,
    pub title: String,
    #[schema(value_type = String, format = Uuid)]
    pub author: UserId,
    pub alt_text: String,
    pub caption: String,
    pub media_type: MediaType,
    pub mime_type: String,
    /// The cleaned file name it was uploaded as.
    pub filename: String,
    pub media_details: MediaDetails,
    /// The post it belongs to.
    pub post: Option<PostId>,
    /// The metadata in this API.
    pub link: String,
    /// The file, through the platform (with the same access checks).
    pub source_url: String,
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl From<MediaRow> for MediaView {
    fn from(row: MediaRow) -> Self {
        let media_type = kind::by_mime(&row.mime_type).map_or(MediaType::File, |k| k.media_type);
        Self {
            link: format!("/api/v1/media/{}", row.id),
            source_url: format!("/api/v1/media/{}/file", row.id),
            id: row.id,
            date_gmt: row.created_at,
            modified_gmt: row.modified_gmt,
            title: row.title,
            author: row.author_id,
            alt_text: row.alt_text,
            caption: row.caption,
            media_type,
            mime_type: row.mime_type,
            filename: row.filename,
            media_details: MediaDetails {
                filesize: row.size_bytes,
                width: row.width,
                height: row.height,
                sha256: hex(&row.sha256),
            },
            post: row.post_id,
        }
    }
}

/// May the uploader change or delete it: their own with `upload_files`, anyone's with
/// `edit_others_posts` (WordPress maps attachments to the post capabilities the same way).
pub fn can_manage(me: &Principal, row: &MediaRow) -> bool {
    (row.author_id == me.user_id && me.has("upload_files")) || me.has("edit_others_posts")
}

/// Who may see a media item and download it: those who manage the library
/// (`upload_files`); readers of the post it belongs to; and everybody when it is the
/// featured image of a published post. Unattached uploads are not public. A file that
/// belongs to a post holding PHI is readable only as that post is, PHI rules included.
pub async fn readable(tx: &mut TenantTx, viewer: &Viewer, row: &MediaRow) -> ApiResult<Readable> {
    let post = match row.post_id {
        Some(id) => find(tx, id, false).await?,
        None => None,
    };
    let through_post = match post {
        Some(post) => {
            let post_type = PostType::load(tx, &post.post_type).await?;
            let readable = viewer.can_read(&post, &post_type);
            if crate::content::phi::is_phi(&post) {
                return Ok(if readable {
                    Readable::ThroughPost(Box::new(post))
                } else {
                    Readable::No
                });
            }
            readable.then(|| Readable::ThroughPost(Box::new(post)))
        }
        None => None,
    };
    if let Viewer::User(me) = viewer
        && me.has("upload_files")
    {
        return Ok(Readable::Yes);
    }
    if let Some(readable) = through_post {
        return Ok(readable);
    }
    let featured: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM posts WHERE featured_media = $1 AND status = 'publish')")
            .bind(row.id)
            .fetch_one(&mut **tx)
            .await?;
    Ok(if featured { Readable::Yes } else { Readable::No })
}

pub enum Readable {
    Yes,
    /// Readable because its post is: the post's PHI rules apply to the read.
    ThroughPost(Box<crate::content::record::PostRow>),
    No,
}
