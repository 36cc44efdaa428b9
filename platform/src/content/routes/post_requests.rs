//! What every post handler does, whatever the type: the public cache for anonymous reads,
//! paging headers, the ETag, If-Match, and the service call in the caller's transaction.

use super::headers::{paging, with_etag};
use super::params::{self, DeleteParams, ListParams, ReadParams, WriteParams};
use super::transaction::{as_reader, as_user, deps};
use crate::audit::ClientContext;
use crate::auth::tenant_user::{MaybeTenantUser, TenantUser};
use crate::content::ids::PostId;
use crate::content::input::PostInput;
use crate::content::post_type::PostRef;
use crate::content::read::{self, ListPosts, ReadPost};
use crate::content::view::Context;
use crate::content::write::{self, DeletePost, Deleted, NewPost, UpdatePost};
use crate::http::etag::{etag, if_match, require_if_match};
use crate::http::pagination::{Page, PageParams};
use crate::http::public_cache::{Cached, Key};
use crate::http::{ApiError, ApiResult};
use crate::state::AppState;
use axum::body::Bytes;
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
