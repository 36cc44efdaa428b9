//! The media library: uploading into object storage (sniffed, allow-listed, size-limited,
//! sealed with the tenant's key), listing, reading, downloading with access checks,
//! describing and deleting. Uploads, changes and deletions are audited.

use super::deps::MediaDeps;
use super::kind::{self, MediaType};
use super::objects::{media_field, media_key};
use super::record::{MediaRow, MediaView, Readable, can_manage, fetch, hex, not_found, readable};
use super::stored_ahead::StoredAhead;
use super::upload::{Upload, UploadFields};
use crate::access::codes::AccessCode;
use crate::access::trust::{Action, enforce};
use crate::access::{MetaCap, Principal};
use crate::audit::{self, ClientContext};
use crate::auth::tenant_user::{MaybeTenantUser, TenantUser};
use crate::content::ids::{MediaId, PostId};
use crate::content::input::Problems;
use crate::content::post_type::PostType;
use crate::content::record::find;
use crate::content::viewer::{Viewer, facts};
use crate::http::codes::RequestCode;
use crate::http::pagination::{self, Page};
use crate::http::{ApiError, ApiResult};
use crate::media::codes::MediaCode;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use tenants::{TenantTx, UserId};
use utoipa::{IntoParams, ToSchema};

pub const MAX_TITLE_CHARS: usize = 1_000;
pub const MAX_ALT_CHARS: usize = 1_000;
pub const MAX_CAPTION_CHARS: usize = 10_000;

fn check_texts(title: Option<&str>, alt: Option<&str>, caption: Option<&str>) -> ApiResult<()> {
    let mut problems = Problems::default();
    for (field, value, max) in [
        ("title", title, MAX_TITLE_CHARS),
        ("alt_text", alt, MAX_ALT_CHARS),
        ("caption", caption, MAX_CAPTION_CHARS),
    ] {
        if value.is_some_and(|v| v.chars().count() > max) {
            problems.add(field, format!("at most {max} characters"));
        }
    }
    if problems.0.is_empty() {
        Ok(())
    } else {
        Err(ApiError::invalid(problems.0))
    }
}

/// A post a file is attached to must be one the uploader may edit.
async fn check_post(tx: &mut TenantTx, me: &Principal, post: PostId) -> ApiResult<()> {
    let row = find(tx, post, false).await?;
    let Some(row) = row else {
        return Err(ApiError::invalid_field("post", "no such post"));
    };
    let post_type = PostType::load(tx, &row.post_type).await?;
    if !Viewer::User(me.clone()).can_read(&row, &post_type) {
        return Err(ApiError::invalid_field("post", "no such post"));
    }
    me.require_meta(MetaCap::EditPost(facts(&row, &post_type)))
}

/// What the audit trail keeps of a file: never its bytes.
fn summary(row: &MediaRow) -> serde_json::Value {
    serde_json::json!({
        "filename": row.filename, "mime_type": row.mime_type, "size_bytes": row.size_bytes,
        "sha256": hex(&row.sha256), "post": row.post_id, "author": row.author_id,
    })
}

/// What an upload turned out to be.
struct Inspected {
    kind: &'static kind::Kind,
    filename: String,
    width: Option<i32>,
    height: Option<i32>,
}

/// What the file is (by its bytes, not its name), its cleaned name, and an image's size;
/// with the descriptive fields checked.
fn inspect(bytes: &[u8], filename: &str, fields: &UploadFields) -> ApiResult<Inspected> {
    let kind = kind::sniff(bytes)?;
    let filename = kind::clean_filename(filename);
    kind::check_extension(kind, &filename)?;
    let (width, height) = if kind.media_type == MediaType::Image {
        let size = imagesize::blob_size(bytes).map_err(|_| {
            ApiError::of(
                MediaCode::UnreadableImage,
                format!("the file starts as {} but its size cannot be read", kind.mime),
            )
        })?;
        (i32::try_from(size.width).ok(), i32::try_from(size.height).ok())
    } else {
        (None, None)
    };
    check_texts(
        fields.title.as_deref(),
        fields.alt_text.as_deref(),
        fields.caption.as_deref(),
    )?;
    Ok(Inspected {
        kind,
        filename,
        width,
        height,
    })
}

/// Stores an upload (`upload_files`; attaching it to a post needs the right to edit the post).
pub async fn upload(
    deps: MediaDeps<'_>,
    user: TenantUser,
    client: ClientContext,
    upload: Upload,
) -> ApiResult<MediaView> {
    let Upload {
        filename,
        bytes,
        fields,
    } = upload;
    let found = inspect(&bytes, &filename, &fields)?;
    let (kind, filename) = (found.kind, found.filename);

    // Before the transaction: loading the key may need a connection of the same pool.
    let cipher = deps.tenancy.field_cipher(user.tenant.id).await?;
    let mut tx = user.tenant.scope().begin(deps.tenancy.pool()).await?;
    let me = Principal::load(&mut tx, user.subject()).await?;
    me.require("upload_files")?;
    if let Some(post) = fields.post {
        check_post(&mut tx, &me, post).await?;
    }
    enforce_change(deps, &mut tx, &user, &me, &client).await?;

    let id = MediaId::new();
    let key = media_key(user.tenant.id, id);
    let sealed = cipher
        .encrypt(media_field(&id.to_string()), &bytes)
        .map_err(ApiError::internal)?;
    let title = fields.title.unwrap_or_else(|| title_of(&filename));
    // Guarded from before the put: a request dropped while the store writes leaves nothing.
    let stored = StoredAhead::new(deps.objects.clone(), key.clone(), id);
    if let Err(error) = deps.objects.put(&key, sealed.into()).await {
        drop(tx);
        stored.take_back().await;
        return Err(ApiError::internal(error));
    }
    let row = MediaInsert {
        id,
        author: me.user_id,
        post: fields.post,
        title: &title,
        alt_text: fields.alt_text.as_deref().unwrap_or_default(),
        caption: fields.caption.as_deref().unwrap_or_default(),
        filename: &filename,
        mime: kind.mime,
        bytes: &bytes,
        width: found.width,
        height: found.height,
        storage_key: key.as_ref(),
        key_version: cipher.primary_version().to_db(),
    }
    .insert(&mut tx, &client)
    .await;
    let row = match row {
        Ok(row) => row,
        Err(error) => {
            drop(tx);
            stored.take_back().await;
            return Err(error);
        }
    };
    stored.commit(tx).await?;
    Ok(row.into())
}

/// A media row as an upload writes it.
struct MediaInsert<'a> {
    id: MediaId,
    author: UserId,
    post: Option<PostId>,
    title: &'a str,
    alt_text: &'a str,
    caption: &'a str,
    filename: &'a str,
    mime: &'a str,
    bytes: &'a [u8],
    width: Option<i32>,
    height: Option<i32>,
    storage_key: &'a str,
    key_version: i32,
}

impl MediaInsert<'_> {
    /// Inserts the row and its audit record; the caller commits.
    async fn insert(self, tx: &mut TenantTx, client: &ClientContext) -> ApiResult<MediaRow> {
        // `storage_key` is written for instances of earlier versions only; the key is always
        // derived from (tenant, media id) when read (a later migration drops the column).
        sqlx::query(
            "INSERT INTO media (id, author_id, post_id, title, alt_text, caption, filename, mime_type, size_bytes, \
               width, height, sha256, storage_key, key_version) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
        )
        .bind(self.id)
        .bind(self.author)
        .bind(self.post)
        .bind(self.title)
        .bind(self.alt_text)
        .bind(self.caption)
        .bind(self.filename)
        .bind(self.mime)
        .bind(i64::try_from(self.bytes.len()).unwrap_or(i64::MAX))
        .bind(self.width)
        .bind(self.height)
        .bind(Sha256::digest(self.bytes).to_vec())
        .bind(self.storage_key)
        .bind(self.key_version)
        .execute(&mut **tx)
        .await?;
        let row = fetch(tx, self.id, false).await?.ok_or_else(not_found)?;
        audit::user_action(
            tx,
            self.author,
            client,
            "media.upload",
            ("media", &self.id.to_string()),
            serde_json::json!({ "after": summary(&row) }),
        )
        .await?;
        Ok(row)
    }
}

/// An upload's default title: its file name without the extension, dashes as spaces.
fn title_of(filename: &str) -> String {
    filename
        .rsplit_once('.')
        .map_or(filename, |(stem, _)| stem)
        .replace('-', " ")
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MediaListParams {
    /// `image`, `video`, `audio` or `file`.
    #[param(pattern = "^(image|video|audio|file)$")]
    pub media_type: Option<String>,
    /// An exact MIME type (`image/png`).
    pub mime_type: Option<String>,
    /// Files of this post.
    #[param(value_type = Option<String>, format = Uuid)]
    pub parent: Option<PostId>,
    /// Files uploaded by this user.
    #[param(value_type = Option<String>, format = Uuid)]
    pub author: Option<UserId>,
    /// Matches titles and file names containing this text (any case).
    #[param(max_length = 200)]
    pub search: Option<String>,
}

#[derive(sqlx::FromRow)]
struct Listed {
    #[sqlx(flatten)]
    row: MediaRow,
    total: i64,
}

impl pagination::WithTotal for Listed {
    fn total(&self) -> i64 {
        self.total
    }
}

/// The library, newest first (`upload_files`). Files of posts holding PHI are left out of
/// lists; they are read by id, under the post's PHI rules.
pub async fn list(
    deps: MediaDeps<'_>,
    user: TenantUser,
    page: Page,
    params: MediaListParams,
) -> ApiResult<(Vec<MediaView>, i64)> {
    let bad = |detail: &'static str| ApiError::of(RequestCode::InvalidQuery, detail);
    let mimes: Option<Vec<&str>> = match params.media_type.as_deref() {
        None => None,
        Some(wanted) => {
            let mimes: Vec<&str> = kind::ALLOWED
                .iter()
                .filter(|k| k.media_type.as_str() == wanted)
                .map(|k| k.mime)
                .collect();
            if mimes.is_empty() {
                return Err(bad("media_type is image, video, audio or file"));
            }
            Some(mimes)
        }
    };
    let search = params.search.as_deref().map(str::trim).filter(|s| !s.is_empty());
    if search.is_some_and(|s| s.chars().count() > 200) {
        return Err(bad("search is at most 200 characters"));
    }
    let mut tx = user.tenant.scope().begin(deps.tenancy.pool()).await?;
    let me = Principal::load(&mut tx, user.subject()).await?;
    me.require("upload_files")?;
    let pattern = search.map(pagination::contains_pattern);
    // The page and its total in one query; past the last page, the same query's first row
    // carries the total.
    let build = |limit: i64, offset: i64| {
        let mut qb = sqlx::QueryBuilder::new(format!(
            "SELECT m.*, count(*) OVER () AS total FROM ({}) m WHERE NOT EXISTS (SELECT 1 FROM posts p \
               WHERE p.id = m.post_id AND p.contains_patient_data AND NOT p.anonymization_applied \
                 AND NOT p.consent_for_publication)",
            super::record::MEDIA_SELECT
        ));
        if let Some(mimes) = &mimes {
            qb.push(" AND m.mime_type = ANY(").push_bind(mimes.clone()).push(")");
        }
        if let Some(mime) = &params.mime_type {
            qb.push(" AND m.mime_type = ").push_bind(mime.clone());
        }
        if let Some(parent) = params.parent {
            qb.push(" AND m.post_id = ").push_bind(parent);
        }
        if let Some(author) = params.author {
            qb.push(" AND m.author_id = ").push_bind(author);
        }
        if let Some(pattern) = &pattern {
            qb.push(" AND (m.title ILIKE ")
                .push_bind(pattern.clone())
                .push(" OR m.filename ILIKE ")
                .push_bind(pattern.clone())
                .push(")");
        }
        qb.push(" ORDER BY m.created_at DESC, m.id DESC LIMIT ")
            .push_bind(limit)
            .push(" OFFSET ")
            .push_bind(offset);
        qb
    };
    let (rows, total): (Vec<Listed>, i64) = pagination::fetch_page(&mut tx, page, build).await?;
    tx.commit().await?;
    Ok((rows.into_iter().map(|r| r.row.into()).collect(), total))
}

/// A media item the viewer may read, with PHI reads enforced and recorded; 404 otherwise.
async fn visible(
    deps: MediaDeps<'_>,
    tx: &mut TenantTx,
    who: &MaybeTenantUser,
    client: &ClientContext,
    id: MediaId,
) -> ApiResult<MediaRow> {
    let viewer = Viewer::load(tx, who.subject()).await?;
    let row = fetch(tx, id, false).await?.ok_or_else(not_found)?;
    match readable(tx, &viewer, &row).await? {
        Readable::No => Err(not_found()),
        Readable::Yes => Ok(row),
        Readable::ThroughPost(post) => {
            crate::content::phi::record_reads(
                deps.trust,
                tx,
                &who.tenant.scope(),
                &viewer,
                client,
                std::iter::once(&*post),
            )
            .await?;
            Ok(row)
        }
    }
}

/// One media item's metadata.
pub async fn one(
    deps: MediaDeps<'_>,
    who: MaybeTenantUser,
    client: &ClientContext,
    id: MediaId,
) -> ApiResult<MediaView> {
    let mut tx = who.tenant.scope().begin(deps.tenancy.pool()).await?;
    let row = visible(deps, &mut tx, &who, client, id).await?;
    tx.commit().await?;
    Ok(row.into())
}

/// A file to send: its metadata and, unless the client has it (`If-None-Match`), its bytes.
pub struct Download {
    pub row: MediaRow,
    pub bytes: Option<Vec<u8>>,
}

pub async fn download(
    deps: MediaDeps<'_>,
    who: MaybeTenantUser,
    client: &ClientContext,
    id: MediaId,
    if_none_match: Option<&str>,
) -> ApiResult<Download> {
    let mut tx = who.tenant.scope().begin(deps.tenancy.pool()).await?;
    let row = visible(deps, &mut tx, &who, client, id).await?;
    tx.commit().await?;
    let etag = format!("\"{}\"", hex(&row.sha256));
    if if_none_match.is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*")) {
        return Ok(Download { row, bytes: None });
    }
    // Derived from (tenant, media id), never read from the row: the tenant's role can write
    // its rows, and must not be able to point them at another object.
    let key = media_key(who.tenant.id, row.id);
    let sealed = deps
        .objects
        .get(&key)
        .await
        .map_err(ApiError::internal)?
        .bytes()
        .await
        .map_err(ApiError::internal)?;
    let cipher = deps.tenancy.field_cipher(who.tenant.id).await?;
    let plain = cipher
        .decrypt(media_field(&row.id.to_string()), &sealed)
        .map_err(ApiError::internal)?;
    Ok(Download {
        row,
        bytes: Some(plain.to_vec()),
    })
}

/// The fields of a media item to change.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MediaInput {
    pub title: Option<String>,
    pub alt_text: Option<String>,
    pub caption: Option<String>,
    /// Attach to a post you may edit; `null` detaches.
    #[serde(default, deserialize_with = "crate::content::input::some")]
    #[schema(value_type = Option<String>, format = Uuid)]
    pub post: Option<Option<PostId>>,
}

async fn managed(tx: &mut TenantTx, me: &Principal, id: MediaId) -> ApiResult<MediaRow> {
    let row = fetch(tx, id, true).await?.ok_or_else(not_found)?;
    if can_manage(me, &row) {
        return Ok(row);
    }
    let viewer = Viewer::User(me.clone());
    match readable(tx, &viewer, &row).await? {
        Readable::No => Err(not_found()),
        _ => Err(ApiError::of(
            AccessCode::MissingCapability,
            "only its uploader (with upload_files) or an editor (edit_others_posts) may change it",
        )),
    }
}

/// Changes a media item's description or post (its uploader, or `edit_others_posts`).
pub async fn update(
    deps: MediaDeps<'_>,
    user: TenantUser,
    client: ClientContext,
    id: MediaId,
    input: MediaInput,
) -> ApiResult<MediaView> {
    check_texts(
        input.title.as_deref(),
        input.alt_text.as_deref(),
        input.caption.as_deref(),
    )?;
    let mut tx = user.tenant.scope().begin(deps.tenancy.pool()).await?;
    let me = Principal::load(&mut tx, user.subject()).await?;
    let before = managed(&mut tx, &me, id).await?;
    if let Some(Some(post)) = input.post {
        check_post(&mut tx, &me, post).await?;
    }
    enforce_change(deps, &mut tx, &user, &me, &client).await?;
    sqlx::query(
        "UPDATE media SET title = coalesce($2, title), alt_text = coalesce($3, alt_text), \
           caption = coalesce($4, caption), post_id = CASE WHEN $5 THEN $6 ELSE post_id END, modified_gmt = now() \
         WHERE id = $1",
    )
    .bind(id)
    .bind(input.title)
    .bind(input.alt_text)
    .bind(input.caption)
    .bind(input.post.is_some())
    .bind(input.post.flatten())
    .execute(&mut *tx)
    .await?;
    let after = fetch(&mut tx, id, false).await?.ok_or_else(not_found)?;
    let details = serde_json::json!({ "before": summary(&before), "after": summary(&after) });
    audit::user_action(
        &mut tx,
        me.user_id,
        &client,
        "media.update",
        ("media", &id.to_string()),
        details,
    )
    .await?;
    tx.commit().await?;
    Ok(after.into())
}

/// Deletes a media item and its object for good (media have no trash, as in WordPress:
/// `force=true` is required). Posts that featured it lose their featured image.
pub async fn delete(
    deps: MediaDeps<'_>,
    user: TenantUser,
    client: ClientContext,
    id: MediaId,
    force: bool,
) -> ApiResult<MediaView> {
    let mut tx = user.tenant.scope().begin(deps.tenancy.pool()).await?;
    let me = Principal::load(&mut tx, user.subject()).await?;
    let row = managed(&mut tx, &me, id).await?;
    if !force {
        return Err(ApiError::of(
            MediaCode::TrashNotSupported,
            "media have no trash: delete with force=true",
        ));
    }
    enforce_change(deps, &mut tx, &user, &me, &client).await?;
    sqlx::query(
        "WITH unfeatured AS (UPDATE posts SET featured_media = NULL, version = version + 1, modified_gmt = now() \
           WHERE featured_media = $1) \
         DELETE FROM media WHERE id = $1",
    )
    .bind(id)
    .execute(&mut *tx)
    .await?;
    audit::user_action(
        &mut tx,
        me.user_id,
        &client,
        "media.delete",
        ("media", &id.to_string()),
        serde_json::json!({ "before": summary(&row) }),
    )
    .await?;
    tx.commit().await?;
    let key = media_key(user.tenant.id, row.id);
    if let Err(error) = deps.objects.delete(&key).await {
        // The row is gone, so nothing serves the object; it is only storage to reclaim.
        tracing::warn!(%error, media.id = %id, "could not remove a deleted media item's object");
    }
    Ok(row.into())
}

/// Uploading, changing or deleting a media item asks the trust of a draft save.
async fn enforce_change(
    deps: MediaDeps<'_>,
    tx: &mut TenantTx,
    user: &TenantUser,
    me: &Principal,
    client: &ClientContext,
) -> ApiResult<()> {
    enforce(deps.trust, tx, &user.tenant.scope(), me, Action::CreateDraft, client).await?;
    Ok(())
}
