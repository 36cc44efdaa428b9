//! The post routes of the built-in types, as WordPress's REST API lays them out:
//! `/api/v1/posts` and `/api/v1/pages` (the five handlers of each, made by one macro), and
//! what every post handler does: paging, the public cache, the ETag, If-Match.

use super::headers::{paging, with_etag};
use super::params::{self, DeleteParams, ListParams, ReadParams, WriteParams};
use super::public_cache::{Cached, Key};
use super::transaction::{as_reader, as_user, deps};
use crate::audit::ClientContext;
use crate::auth::extract::{MaybeTenantUser, TenantUser};
use crate::content::ids::PostId;
use crate::content::input::PostInput;
use crate::content::post_type::PostRef;
use crate::content::read::{self, ListPosts, ReadPost};
use crate::content::view::{Context, PostView};
use crate::content::write::{self, DeletePost, Deleted, NewPost, UpdatePost};
use crate::http::etag::{etag, if_match, require_if_match};
use crate::http::extract::{Json, Path, Query};
use crate::http::pagination::{Page, PageParams};
use crate::http::{ApiError, ApiResult, Problem};
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::header::{CONTENT_TYPE, ETAG};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};

/// A read: the state it reaches, the reader (anonymous or not), from where.
pub(super) struct ReaderRequest {
    pub state: AppState,
    pub who: MaybeTenantUser,
    pub client: ClientContext,
}

/// A change: the state it reaches, the signed-in user, from where.
pub(super) struct UserRequest {
    pub state: AppState,
    pub user: TenantUser,
    pub client: ClientContext,
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

/// The public cache's key for an anonymous read in the view context; `None` for the rest.
fn public_key(request: &ReaderRequest, public: bool, uri: &Uri) -> Option<Key> {
    let public = public && request.who.user.is_none();
    public.then(|| request.state.public_cache.key(request.who.tenant.id, target(uri)))
}

pub(super) async fn list_of(
    request: ReaderRequest,
    type_name: &str,
    params: PageParams,
    filter: ListParams,
    uri: Uri,
) -> ApiResult<Response> {
    let page = Page::try_from(&params)?;
    // Anonymous readers see published content only, the same for all of them.
    let key = public_key(&request, filter.context.unwrap_or_default() == Context::View, &uri);
    if let Some(hit) = key.as_ref().and_then(|k| request.state.public_cache.get(k)) {
        return Ok(cached_response(&hit));
    }
    let filter_parsed = filter.filter()?;
    let query = ListPosts {
        post_type: params::post_type(type_name)?,
        page,
        filter: filter_parsed,
        context: filter.context.unwrap_or_default(),
    };
    let ReaderRequest { state, who, client } = request;
    let deps = deps(&state);
    let listed = as_reader(&state, &who, &client, async |tx, reader| {
        read::list(tx, &deps, reader, query).await
    })
    .await?;
    let listed = listed.finish(&state.hooks).await;
    let (headers, body) = json_parts(paging(&listed, &uri), &listed.items)?;
    Ok(keep_public(&state, key, headers, body))
}

pub(super) async fn one_of(
    request: ReaderRequest,
    type_name: &str,
    id: PostId,
    params: ReadParams,
    uri: Uri,
) -> ApiResult<Response> {
    let context = params.context.unwrap_or_default();
    let key = public_key(&request, context == Context::View && params.password.is_none(), &uri);
    if let Some(hit) = key.as_ref().and_then(|k| request.state.public_cache.get(k)) {
        return Ok(cached_response(&hit));
    }
    let post = ReadPost {
        post_type: params::post_type(type_name)?,
        id,
        context,
        password: params.password,
    };
    let ReaderRequest { state, who, client } = request;
    let deps = deps(&state);
    let read = as_reader(&state, &who, &client, async |tx, reader| {
        read::one(tx, &deps, reader, post).await
    })
    .await?;
    let view = read.finish(&state.hooks).await;
    let mut headers = HeaderMap::new();
    headers.insert(ETAG, etag(view.version));
    let (headers, body) = json_parts(headers, &view)?;
    Ok(keep_public(&state, key, headers, body))
}

pub(super) async fn create_of(
    request: UserRequest,
    type_name: &str,
    params: WriteParams,
    input: PostInput,
) -> ApiResult<Response> {
    let UserRequest { state, user, client } = request;
    let new = NewPost {
        post_type: params::post_type(type_name)?,
        input,
        on_slug_conflict: params.on_slug_conflict.unwrap_or_default(),
    };
    let deps = deps(&state);
    let created = as_user(&state, &user, &client, async |tx, me| {
        write::create(tx, &deps, me, new).await
    })
    .await?;
    Ok(with_etag(StatusCode::CREATED, created.finish(&state.hooks).await))
}

pub(super) async fn update_of(
    request: UserRequest,
    type_name: &str,
    id: PostId,
    headers: HeaderMap,
    params: WriteParams,
    input: PostInput,
) -> ApiResult<Response> {
    let expected_version = require_if_match(&headers)?;
    let UserRequest { state, user, client } = request;
    let change = UpdatePost {
        post: PostRef {
            post_type: params::post_type(type_name)?,
            id,
        },
        expected_version,
        input,
        on_slug_conflict: params.on_slug_conflict.unwrap_or_default(),
    };
    let deps = deps(&state);
    let updated = as_user(&state, &user, &client, async |tx, me| {
        write::update(tx, &deps, me, change).await
    })
    .await?;
    Ok(with_etag(StatusCode::OK, updated.finish(&state.hooks).await))
}

pub(super) async fn delete_of(
    request: UserRequest,
    type_name: &str,
    id: PostId,
    headers: HeaderMap,
    params: DeleteParams,
) -> ApiResult<Response> {
    let expected_version = if_match(&headers)?;
    let UserRequest { state, user, client } = request;
    let delete = DeletePost {
        post: PostRef {
            post_type: params::post_type(type_name)?,
            id,
        },
        expected_version,
        force: params.force.unwrap_or(false),
    };
    let deps = deps(&state);
    let deleted = as_user(&state, &user, &client, async |tx, me| {
        write::delete(tx, &deps, me, delete).await
    })
    .await?;
    let deleted = deleted.finish(&state.hooks).await;
    Ok((StatusCode::OK, axum::Json::<Deleted>(deleted)).into_response())
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
            list_of(ReaderRequest { state, who, client }, $type_name, params, filter, uri).await
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
            create_of(UserRequest { state, user, client }, $type_name, params, input).await
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
            one_of(ReaderRequest { state, who, client }, $type_name, id, params, uri).await
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
            update_of(UserRequest { state, user, client }, $type_name, id, headers, params, input).await
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
            delete_of(UserRequest { state, user, client }, $type_name, id, headers, params).await
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
