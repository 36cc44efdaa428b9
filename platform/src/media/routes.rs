//! The media routes, as WordPress's `/wp/v2/media`: upload, list, read, download, change,
//! delete.

use super::deps::MediaDeps;
use super::library::{self, MediaInput, MediaListParams};
use super::record::{MediaView, hex};
use super::upload::UploadFields;
use super::upload_extract;
use crate::audit::ClientContext;
use crate::auth::tenant_user::{MaybeTenantUser, TenantUser};
use crate::content::ids::MediaId;
use crate::content::routes::params::DeleteParams;
use crate::http::extract::{Json, Path, Query};
use crate::http::pagination::{self, Page, PageParams};
use crate::http::{ApiError, ApiResult, Problem};
use crate::state::AppState;
use axum::extract::{Request, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE, ETAG, IF_NONE_MATCH, LOCATION};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};

/// Upload a file (`upload_files`).
///
/// Either the raw file as the body with `Content-Disposition: attachment; filename="scan.png"`
/// (descriptive fields in the query), or `multipart/form-data` with a `file` part and optional
/// `title`, `alt_text`, `caption` and `post` parts. The type is sniffed from the bytes and must
/// be on the allow-list and match the file name's extension. The file is stored sealed with
/// the tenant's key under `tenants/{tenant id}/media/`.
#[utoipa::path(
    post, path = "/api/v1/media", tag = "media",
    security(("tenant_token" = [])),
    params(UploadFields),
    params(("Content-Disposition" = Option<String>, Header, description = "For a raw upload: `attachment; filename=\"scan.png\"` (the name's extension must match the file's type)")),
    request_body(
        content(
            (inline(crate::openapi::Binary) = "application/octet-stream"),
            (inline(crate::media::upload_extract::UploadForm) = "multipart/form-data"),
        ),
        description = "The file as the body (with Content-Disposition), or a multipart form with a `file` part"
    ),
    responses(
        (status = 201, description = "Stored; Location header", body = MediaView),
        (status = 400, description = "No file name, or a malformed form", body = Problem),
        (status = 403, description = "Needs upload_files (and the right to edit the post given), or more trust", body = Problem),
        (status = 413, description = "Larger than the limit (PLATFORM_MEDIA_MAX_BYTES)", body = Problem),
        (status = 415, description = "A type not on the allow-list, or a name whose extension does not match", body = Problem),
        (status = 422, description = "Invalid fields, an unknown post, or an image whose size cannot be read", body = Problem),
    )
)]
pub async fn upload_media(
    State(state): State<AppState>,
    user: TenantUser,
    client: ClientContext,
    Query(fields): Query<UploadFields>,
    request: Request,
) -> ApiResult<Response> {
    // Uploads are held in memory: only so many at once.
    let _permit = state
        .media
        .uploads
        .clone()
        .acquire_owned()
        .await
        .map_err(ApiError::internal)?;
    let upload = upload_extract::read(request, &state, state.media.max_bytes, fields).await?;
    let view = library::upload(deps(&state), user, client, upload).await?;
    let mut response = (StatusCode::CREATED, axum::Json(&view)).into_response();
    if let Ok(location) = HeaderValue::from_str(&view.link) {
        response.headers_mut().insert(LOCATION, location);
    }
    Ok(response)
}

/// List the media library, newest first (`upload_files`). Paged (`X-Total-Count`, `Link`).
#[utoipa::path(
    get, path = "/api/v1/media", tag = "media",
    security(("tenant_token" = [])),
    params(PageParams, MediaListParams),
    responses(
        (status = 200, description = "One page of media", body = [MediaView]),
        (status = 400, description = "Malformed filter or paging", body = Problem),
        (status = 403, description = "Needs upload_files", body = Problem),
    )
)]
pub async fn list_media(
    State(state): State<AppState>,
    user: TenantUser,
    Query(params): Query<PageParams>,
    Query(filter): Query<MediaListParams>,
    uri: Uri,
) -> ApiResult<Response> {
    let page = Page::try_from(&params)?;
    let (views, total) = library::list(deps(&state), user, page, filter).await?;
    let headers = pagination::headers(page, total, uri.path(), &pagination::other_params(uri.query()));
    Ok((headers, axum::Json(views)).into_response())
}

/// Read a media item's metadata.
///
/// Readable by those with `upload_files`, by readers of the post it belongs to, and by
/// everybody when it is the featured image of a published post.
#[utoipa::path(
    get, path = "/api/v1/media/{id}", tag = "media",
    security((), ("tenant_token" = [])),
    params(("id" = String, Path, format = Uuid, description = "Media id")),
    responses(
        (status = 200, description = "The media item", body = MediaView),
        (status = 404, description = "No such media here, or not for this reader", body = Problem),
    )
)]
pub async fn get_media(
    State(state): State<AppState>,
    who: MaybeTenantUser,
    client: ClientContext,
    Path(id): Path<MediaId>,
) -> ApiResult<axum::Json<MediaView>> {
    Ok(axum::Json(library::one(deps(&state), who, &client, id).await?))
}

/// Download a file, with the same access rules as its metadata. The ETag is its SHA-256;
/// `If-None-Match` answers 304.
#[utoipa::path(
    get, path = "/api/v1/media/{id}/file", tag = "media",
    security((), ("tenant_token" = [])),
    params(("id" = String, Path, format = Uuid, description = "Media id")),
    responses(
        (status = 200, description = "The file, as the type its bytes were found to be", content(
            (inline(crate::openapi::Binary) = "image/jpeg"),
            (inline(crate::openapi::Binary) = "image/png"),
            (inline(crate::openapi::Binary) = "image/gif"),
            (inline(crate::openapi::Binary) = "image/webp"),
            (inline(crate::openapi::Binary) = "application/pdf"),
            (inline(crate::openapi::Binary) = "video/mp4"),
            (inline(crate::openapi::Binary) = "audio/mpeg"),
            (inline(crate::openapi::Binary) = "audio/x-wav"),
        )),
        (status = 304, description = "Unchanged since the ETag given"),
        (status = 404, description = "No such media here, or not for this reader", body = Problem),
    )
)]
pub async fn download_media(
    State(state): State<AppState>,
    who: MaybeTenantUser,
    client: ClientContext,
    Path(id): Path<MediaId>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let if_none_match = headers.get(IF_NONE_MATCH).and_then(|v| v.to_str().ok());
    let download = library::download(deps(&state), who, &client, id, if_none_match).await?;
    let row = &download.row;
    let etag = HeaderValue::from_str(&format!("\"{}\"", hex(&row.sha256))).map_err(ApiError::internal)?;
    let private = HeaderValue::from_static("private, no-cache");
    let Some(bytes) = download.bytes else {
        return Ok((StatusCode::NOT_MODIFIED, [(ETAG, etag), (CACHE_CONTROL, private)]).into_response());
    };
    let content_type = HeaderValue::from_str(&row.mime_type).map_err(ApiError::internal)?;
    // The stored name is cleaned to [a-z0-9.-], so it needs no quoting beyond the quotes.
    let disposition =
        HeaderValue::from_str(&format!("inline; filename=\"{}\"", row.filename)).map_err(ApiError::internal)?;
    Ok((
        [
            (CONTENT_TYPE, content_type),
            (CONTENT_DISPOSITION, disposition),
            (ETAG, etag),
            (CACHE_CONTROL, private),
        ],
        bytes,
    )
        .into_response())
}

/// Change a media item's title, alternative text, caption or post (its uploader with
/// `upload_files`, or anyone with `edit_others_posts`).
#[utoipa::path(
    patch, path = "/api/v1/media/{id}", tag = "media",
    security(("tenant_token" = [])),
    params(("id" = String, Path, format = Uuid, description = "Media id")),
    request_body = MediaInput,
    responses(
        (status = 200, description = "Saved", body = MediaView),
        (status = 403, description = "Not its uploader, nor an editor", body = Problem),
        (status = 404, description = "No such media here", body = Problem),
        (status = 422, description = "Invalid fields or an unknown post", body = Problem),
    )
)]
pub async fn update_media(
    State(state): State<AppState>,
    user: TenantUser,
    client: ClientContext,
    Path(id): Path<MediaId>,
    Json(input): Json<MediaInput>,
) -> ApiResult<axum::Json<MediaView>> {
    Ok(axum::Json(
        library::update(deps(&state), user, client, id, input).await?,
    ))
}

/// Delete a media item and its file for good (`force=true`; media have no trash).
#[utoipa::path(
    delete, path = "/api/v1/media/{id}", tag = "media",
    security(("tenant_token" = [])),
    params(("id" = String, Path, format = Uuid, description = "Media id"), DeleteParams),
    responses(
        (status = 200, description = "Deleted; the item as it was", body = MediaView),
        (status = 403, description = "Not its uploader, nor an editor", body = Problem),
        (status = 404, description = "No such media here", body = Problem),
        (status = 501, description = "Without force=true: media have no trash", body = Problem),
    )
)]
pub async fn delete_media(
    State(state): State<AppState>,
    user: TenantUser,
    client: ClientContext,
    Path(id): Path<MediaId>,
    Query(params): Query<DeleteParams>,
) -> ApiResult<axum::Json<MediaView>> {
    let force = params.force.unwrap_or(false);
    Ok(axum::Json(
        library::delete(deps(&state), user, client, id, force).await?,
    ))
}

/// The parts of the state the media services take.
fn deps(state: &AppState) -> MediaDeps<'_> {
    MediaDeps {
        tenancy: &state.tenancy,
        trust: &state.trust,
        objects: &state.objects,
    }
}
