//! The content routes, as WordPress's REST API lays them out: `/api/v1/posts`,
//! `/api/v1/pages`, and `/api/v1/content/{type}` for registered types. Each handler here
//! only picks the type; the work is in `read.rs` and `write.rs`.

use super::ids::PostId;
use super::input::PostInput;
use super::post_type::PostType;
use super::public_cache::{Cached, Key};
use super::read::{self, ListParams, ReadParams};
use super::view::{Context, PostView};
use super::write::{self, DeleteParams, Deleted, WriteParams};
use crate::audit::ClientContext;
use crate::auth::extract::{MaybeTenantUser, TenantUser};
use crate::http::etag::{etag, if_match, require_if_match};
use crate::http::extract::{Json, Path, Query};
use crate::http::pagination::{Page, PageParams};
use crate::http::{ApiError, ApiResult, Problem};
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::header::{CONTENT_TYPE, ETAG, LOCATION};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};

fn with_etag(status: StatusCode, view: PostView) -> Response {
    let mut response = (status, [(ETAG, etag(view.version))], axum::Json(&view)).into_response();
    if status == StatusCode::CREATED
        && let Ok(location) = HeaderValue::from_str(&view.link)
    {
        response.headers_mut().insert(LOCATION, location);
    }
    response
}

/// The request's path and query: what a public response is cached under.
fn target(uri: &Uri) -> &str {
    uri.path_and_query().map_or(uri.path(), |p| p.as_str())
}

fn cached_response(cached: &Cached) -> Response {
    (cached.headers.clone(), cached.body.clone()).into_response()
}

/// A JSON response whose body is kept, for the public cache.
fn json_parts<T: serde::Serialize>(mut headers: HeaderMap, value: &T) -> ApiResult<(HeaderMap, Bytes)> {
    let body = Bytes::from(serde_json::to_vec(value).map_err(ApiError::internal)?);
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    Ok((headers, body))
}

/// Keeps a response for later anonymous readers when `key` says it is public.
fn keep_public(state: &AppState, key: Option<Key>, headers: HeaderMap, body: Bytes) -> Response {
    if let Some(key) = key {
        let cached = Cached {
            headers: headers.clone(),
            body: body.clone(),
        };
        state.public_cache.insert(key, cached);
    }
    (headers, body).into_response()
}

async fn list_of(
    state: AppState,
    who: MaybeTenantUser,
    client: ClientContext,
    type_name: &str,
    params: PageParams,
    filter: ListParams,
    uri: Uri,
) -> ApiResult<Response> {
    let page = Page::try_from(&params)?;
    // Anonymous readers see published content only, the same for all of them.
    let public = who.user.is_none() && filter.context.unwrap_or_default() == Context::View;
    let key = public.then(|| state.public_cache.key(who.tenant.id, target(&uri)));
    if let Some(hit) = key.as_ref().and_then(|k| state.public_cache.get(k)) {
        return Ok(cached_response(&hit));
    }
    let (headers, views) = read::list(&state, who, &client, type_name, page, filter, uri.path(), uri.query()).await?;
    let (headers, body) = json_parts(headers, &views)?;
    Ok(keep_public(&state, key, headers, body))
}

async fn one_of(
    state: AppState,
    who: MaybeTenantUser,
    client: ClientContext,
    type_name: &str,
    id: PostId,
    params: ReadParams,
    uri: Uri,
) -> ApiResult<Response> {
    let public = who.user.is_none() && params.context.unwrap_or_default() == Context::View && params.password.is_none();
    let key = public.then(|| state.public_cache.key(who.tenant.id, target(&uri)));
    if let Some(hit) = key.as_ref().and_then(|k| state.public_cache.get(k)) {
        return Ok(cached_response(&hit));
    }
    let view = read::one(&state, who, &client, type_name, id, params).await?;
    let mut headers = HeaderMap::new();
    headers.insert(ETAG, etag(view.version));
    let (headers, body) = json_parts(headers, &view)?;
    Ok(keep_public(&state, key, headers, body))
}

async fn create_of(
    state: AppState,
    user: TenantUser,
    client: ClientContext,
    type_name: &str,
    params: WriteParams,
    input: PostInput,
) -> ApiResult<Response> {
    let view = write::create(&state, user, client, type_name, params, input).await?;
    Ok(with_etag(StatusCode::CREATED, view))
}

#[expect(clippy::too_many_arguments, reason = "axum extractors, passed through")]
async fn update_of(
    state: AppState,
    user: TenantUser,
    client: ClientContext,
    type_name: &str,
    id: PostId,
    headers: HeaderMap,
    params: WriteParams,
    input: PostInput,
) -> ApiResult<Response> {
    let expected = require_if_match(&headers)?;
    let view = write::update(&state, user, client, type_name, id, expected, params, input).await?;
    Ok(with_etag(StatusCode::OK, view))
}

async fn delete_of(
    state: AppState,
    user: TenantUser,
    client: ClientContext,
    type_name: &str,
    id: PostId,
    headers: HeaderMap,
    params: DeleteParams,
) -> ApiResult<Response> {
    let expected = if_match(&headers)?;
    let (status, deleted) = write::delete(&state, user, client, type_name, id, expected, params).await?;
    Ok((status, axum::Json::<Deleted>(deleted)).into_response())
}

/// The five handlers of a built-in type with its own path (`posts`, `pages`).
macro_rules! fixed_type_routes {
    ($type_name:literal, $tag:literal, $list:ident, $create:ident, $get:ident, $update:ident, $delete:ident,
     $path:literal, $item_path:literal) => {
        /// List posts of this type.
        ///
        /// Published ones for everybody (no token needed); other statuses for those who may edit
        /// them. Paged (`X-Total-Count`, `Link`), filtered, searched and ordered as WordPress's REST API.
        #[utoipa::path(
            get, path = $path, tag = $tag,
            security((), ("tenant_token" = [])),
            params(PageParams, ListParams),
            responses(
                (status = 200, description = "One page of posts", body = [PostView]),
                (status = 400, description = "Malformed filter or paging", body = Problem, content_type = "application/problem+json"),
                (status = 401, description = "Unpublished statuses or the edit context without a token", body = Problem, content_type = "application/problem+json"),
                (status = 403, description = "Unpublished statuses or the edit context without the capability", body = Problem, content_type = "application/problem+json"),
                (status = 404, description = "Unknown post type", body = Problem, content_type = "application/problem+json"),
            )
        )]
        pub async fn $list(
            State(state): State<AppState>,
            who: MaybeTenantUser,
            client: ClientContext,
            Query(params): Query<PageParams>,
            Query(filter): Query<ListParams>,
            uri: Uri,
        ) -> ApiResult<Response> {
            list_of(state, who, client, $type_name, params, filter, uri).await
        }

        /// Create a post of this type.
        ///
        /// `status` decides the capability needed: `edit_{posts|pages}` for draft and pending,
        /// `publish_{posts|pages}` for publish, future and private; and the tenant's trust score
        /// for creating drafts or publishing. The answer carries the post in the edit context and
        /// its ETag.
        #[utoipa::path(
            post, path = $path, tag = $tag,
            security(("tenant_token" = [])),
            params(WriteParams),
            request_body = PostInput,
            responses(
                (status = 201, description = "Created; Location and ETag headers", body = PostView),
                (status = 403, description = "Missing capability, or a trust score below the tenant's threshold", body = Problem, content_type = "application/problem+json"),
                (status = 404, description = "Unknown post type", body = Problem, content_type = "application/problem+json"),
                (status = 409, description = "The slug is taken (with on_slug_conflict=error)", body = Problem, content_type = "application/problem+json"),
                (status = 422, description = "Invalid fields, a rule of the healthcare extensions, or a plugin's rejection", body = Problem, content_type = "application/problem+json"),
            )
        )]
        pub async fn $create(
            State(state): State<AppState>,
            user: TenantUser,
            client: ClientContext,
            Query(params): Query<WriteParams>,
            Json(input): Json<PostInput>,
        ) -> ApiResult<Response> {
            create_of(state, user, client, $type_name, params, input).await
        }

        /// Read a post of this type.
        ///
        /// 404 for posts that do not exist, belong to another type, or that the caller may not read.
        #[utoipa::path(
            get, path = $item_path, tag = $tag,
            security((), ("tenant_token" = [])),
            params(("id" = String, Path, format = Uuid, description = "Post id"), ReadParams),
            responses(
                (status = 200, description = "The post; ETag header", body = PostView),
                (status = 403, description = "The edit context without the right to edit", body = Problem, content_type = "application/problem+json"),
                (status = 404, description = "No such post here", body = Problem, content_type = "application/problem+json"),
            )
        )]
        pub async fn $get(
            State(state): State<AppState>,
            who: MaybeTenantUser,
            client: ClientContext,
            Path(id): Path<PostId>,
            Query(params): Query<ReadParams>,
            uri: Uri,
        ) -> ApiResult<Response> {
            one_of(state, who, client, $type_name, id, params, uri).await
        }

        /// Update a post of this type.
        ///
        /// Send only the fields to change, with `If-Match: "<version>"` from your last read: a
        /// concurrent save answers 412 instead of being overwritten. A trashed post can only be
        /// restored (`{"status": "draft"}`).
        #[utoipa::path(
            patch, path = $item_path, tag = $tag,
            security(("tenant_token" = [])),
            params(("id" = String, Path, format = Uuid, description = "Post id"), ("If-Match" = String, Header, description = "ETag of your last read"), WriteParams),
            request_body = PostInput,
            responses(
                (status = 200, description = "Saved; the new ETag", body = PostView),
                (status = 403, description = "Missing capability or trust", body = Problem, content_type = "application/problem+json"),
                (status = 404, description = "No such post here", body = Problem, content_type = "application/problem+json"),
                (status = 409, description = "An illegal status change (the allowed ones are named), a trashed post, or a taken slug", body = Problem, content_type = "application/problem+json"),
                (status = 412, description = "Changed since your read", body = Problem, content_type = "application/problem+json"),
                (status = 422, description = "Invalid fields, a healthcare rule, or a plugin's rejection", body = Problem, content_type = "application/problem+json"),
                (status = 428, description = "If-Match missing", body = Problem, content_type = "application/problem+json"),
            )
        )]
        pub async fn $update(
            State(state): State<AppState>,
            user: TenantUser,
            client: ClientContext,
            Path(id): Path<PostId>,
            headers: HeaderMap,
            Query(params): Query<WriteParams>,
            Json(input): Json<PostInput>,
        ) -> ApiResult<Response> {
            update_of(state, user, client, $type_name, id, headers, params, input).await
        }

        /// Trash a post of this type, or delete it for good with `force=true`.
        #[utoipa::path(
            delete, path = $item_path, tag = $tag,
            security(("tenant_token" = [])),
            params(("id" = String, Path, format = Uuid, description = "Post id"), ("If-Match" = Option<String>, Header, description = "ETag of your last read"), DeleteParams),
            responses(
                (status = 200, description = "Trashed (`deleted: false`) or deleted", body = Deleted),
                (status = 403, description = "Missing capability or trust", body = Problem, content_type = "application/problem+json"),
                (status = 404, description = "No such post here", body = Problem, content_type = "application/problem+json"),
                (status = 410, description = "Already in the trash (use force=true)", body = Problem, content_type = "application/problem+json"),
                (status = 412, description = "Changed since your read", body = Problem, content_type = "application/problem+json"),
            )
        )]
        pub async fn $delete(
            State(state): State<AppState>,
            user: TenantUser,
            client: ClientContext,
            Path(id): Path<PostId>,
            headers: HeaderMap,
            Query(params): Query<DeleteParams>,
        ) -> ApiResult<Response> {
            delete_of(state, user, client, $type_name, id, headers, params).await
        }

    };
}

fixed_type_routes!(
    "post",
    "posts",
    list_posts,
    create_post,
    get_post,
    update_post,
    delete_post,
    "/api/v1/posts",
    "/api/v1/posts/{id}"
);

fixed_type_routes!(
    "page",
    "pages",
    list_pages,
    create_page,
    get_page,
    update_page,
    delete_page,
    "/api/v1/pages",
    "/api/v1/pages/{id}"
);

/// List posts of a registered type.
///
/// Published ones for everybody (no token needed); other statuses for those who may edit
/// them. Paged (`X-Total-Count`, `Link`), filtered, searched and ordered as WordPress's REST API.
#[utoipa::path(
    get, path = "/api/v1/content/{type}", tag = "content",
    security((), ("tenant_token" = [])),
    params(("type" = String, Path, description = "Post type name"), PageParams, ListParams),
    responses(
        (status = 200, description = "One page of posts", body = [PostView]),
        (status = 400, description = "Malformed filter or paging", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Unpublished statuses or the edit context without a token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Unpublished statuses or the edit context without the capability", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Unknown post type", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_content(
    State(state): State<AppState>,
    who: MaybeTenantUser,
    client: ClientContext,
    Path(type_name): Path<String>,
    Query(params): Query<PageParams>,
    Query(filter): Query<ListParams>,
    uri: Uri,
) -> ApiResult<Response> {
    list_of(state, who, client, &type_name, params, filter, uri).await
}

/// Create a post of the type.
///
/// `status` decides the capability needed: `edit_{posts|pages}` for draft and pending,
/// `publish_{posts|pages}` for publish, future and private; and the tenant's trust score
/// for creating drafts or publishing. The answer carries the post in the edit context and
/// its ETag.
#[utoipa::path(
    post, path = "/api/v1/content/{type}", tag = "content",
    security(("tenant_token" = [])),
    params(("type" = String, Path, description = "Post type name"), WriteParams),
    request_body = PostInput,
    responses(
        (status = 201, description = "Created; Location and ETag headers", body = PostView),
        (status = 403, description = "Missing capability, or a trust score below the tenant's threshold", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Unknown post type", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The slug is taken (with on_slug_conflict=error)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, a rule of the healthcare extensions, or a plugin's rejection", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn create_content(
    State(state): State<AppState>,
    user: TenantUser,
    client: ClientContext,
    Path(type_name): Path<String>,
    Query(params): Query<WriteParams>,
    Json(input): Json<PostInput>,
) -> ApiResult<Response> {
    create_of(state, user, client, &type_name, params, input).await
}

/// Read a post of the type.
///
/// 404 for posts that do not exist, belong to another type, or that the caller may not read.
#[utoipa::path(
    get, path = "/api/v1/content/{type}/{id}", tag = "content",
    security((), ("tenant_token" = [])),
    params(("type" = String, Path, description = "Post type name"), ("id" = String, Path, format = Uuid, description = "Post id"), ReadParams),
    responses(
        (status = 200, description = "The post; ETag header", body = PostView),
        (status = 403, description = "The edit context without the right to edit", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such post here", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_content_item(
    State(state): State<AppState>,
    who: MaybeTenantUser,
    client: ClientContext,
    Path((type_name, id)): Path<(String, PostId)>,
    Query(params): Query<ReadParams>,
    uri: Uri,
) -> ApiResult<Response> {
    one_of(state, who, client, &type_name, id, params, uri).await
}

/// Update a post of the type.
///
/// Send only the fields to change, with `If-Match: "<version>"` from your last read: a
/// concurrent save answers 412 instead of being overwritten. A trashed post can only be
/// restored (`{"status": "draft"}`).
#[utoipa::path(
    patch, path = "/api/v1/content/{type}/{id}", tag = "content",
    security(("tenant_token" = [])),
    params(("type" = String, Path, description = "Post type name"), ("id" = String, Path, format = Uuid, description = "Post id"), ("If-Match" = String, Header, description = "ETag of your last read"), WriteParams),
    request_body = PostInput,
    responses(
        (status = 200, description = "Saved; the new ETag", body = PostView),
        (status = 403, description = "Missing capability or trust", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such post here", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "An illegal status change (the allowed ones are named), a trashed post, or a taken slug", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since your read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, a healthcare rule, or a plugin's rejection", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn update_content(
    State(state): State<AppState>,
    user: TenantUser,
    client: ClientContext,
    Path((type_name, id)): Path<(String, PostId)>,
    headers: HeaderMap,
    Query(params): Query<WriteParams>,
    Json(input): Json<PostInput>,
) -> ApiResult<Response> {
    update_of(state, user, client, &type_name, id, headers, params, input).await
}

/// Trash a post of the type, or delete it for good with `force=true`.
#[utoipa::path(
    delete, path = "/api/v1/content/{type}/{id}", tag = "content",
    security(("tenant_token" = [])),
    params(("type" = String, Path, description = "Post type name"), ("id" = String, Path, format = Uuid, description = "Post id"), ("If-Match" = Option<String>, Header, description = "ETag of your last read"), DeleteParams),
    responses(
        (status = 200, description = "Trashed (`deleted: false`) or deleted", body = Deleted),
        (status = 403, description = "Missing capability or trust", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such post here", body = Problem, content_type = "application/problem+json"),
        (status = 410, description = "Already in the trash (use force=true)", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since your read", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn delete_content(
    State(state): State<AppState>,
    user: TenantUser,
    client: ClientContext,
    Path((type_name, id)): Path<(String, PostId)>,
    headers: HeaderMap,
    Query(params): Query<DeleteParams>,
) -> ApiResult<Response> {
    delete_of(state, user, client, &type_name, id, headers, params).await
}

/// List the post types: built-in and registered.
#[utoipa::path(
    get, path = "/api/v1/types", tag = "content",
    security((), ("tenant_token" = [])),
    responses((status = 200, description = "Every post type", body = [PostType]))
)]
pub async fn list_types(State(state): State<AppState>, who: MaybeTenantUser) -> ApiResult<axum::Json<Vec<PostType>>> {
    let mut tx = who.tenant.scope().begin(state.tenancy.pool()).await?;
    super::viewer::Viewer::load(&mut tx, &who).await?;
    let types = PostType::all(&mut tx).await?;
    tx.commit().await?;
    Ok(axum::Json(types))
}
