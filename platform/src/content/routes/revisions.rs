//! Routes for revisions, as WordPress lays them out: `/{posts|pages}/{id}/revisions`,
//! `/revisions/{revision}`, and `/revisions/{revision}/restore`, and the same under
//! `/content/{type}/{id}` for registered types.

use super::params::post_type;
use super::transaction::{as_user, deps};
use crate::audit::ClientContext;
use crate::auth::tenant_user::TenantUser;
use crate::content::ids::{PostId, RevisionId};
use crate::content::post_type::PostRef;
use crate::content::revision_restore::{self, RestoreRevision};
use crate::content::revisions::{self, Revision};
use crate::content::view::PostView;
use crate::http::etag::{etag, require_if_match};
use crate::http::extract::{Path, Query};
use crate::http::pagination::{self, Page, PageParams};
use crate::http::{ApiResult, Problem};
use crate::state::AppState;
use axum::extract::State;
use axum::http::header::ETAG;
use axum::http::{HeaderMap, Uri};
use axum::response::{IntoResponse, Response};

fn post_ref(type_name: &str, id: PostId) -> ApiResult<PostRef> {
    Ok(PostRef {
        post_type: post_type(type_name)?,
        id,
    })
}

async fn list_of(
    state: AppState,
    user: TenantUser,
    client: ClientContext,
    type_name: &str,
    id: PostId,
    params: PageParams,
    uri: Uri,
) -> ApiResult<Response> {
    let page = Page::try_from(&params)?;
    let post = post_ref(type_name, id)?;
    let deps = deps(&state);
    let listed = as_user(&state, &user, &client, async |tx, me| {
        revisions::list(tx, &deps, me, post, page).await
    })
    .await?;
    // The links keep no other parameter: a post's revisions take none.
    let headers = pagination::headers(listed.page, listed.total, uri.path(), "");
    Ok((headers, axum::Json(listed.items)).into_response())
}

async fn one_of(
    state: AppState,
    user: TenantUser,
    client: ClientContext,
    type_name: &str,
    id: PostId,
    revision: RevisionId,
) -> ApiResult<axum::Json<Revision>> {
    let post = post_ref(type_name, id)?;
    let deps = deps(&state);
    let found = as_user(&state, &user, &client, async |tx, me| {
        revisions::one(tx, &deps, me, post, revision).await
    })
    .await?;
    Ok(axum::Json(found))
}

async fn restore_of(
    state: AppState,
    user: TenantUser,
    client: ClientContext,
    type_name: &str,
    id: PostId,
    revision: RevisionId,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let expected_version = require_if_match(&headers)?;
    let restore = RestoreRevision {
        post: post_ref(type_name, id)?,
        revision,
        expected_version,
    };
    let deps = deps(&state);
    let restored = as_user(&state, &user, &client, async |tx, me| {
        revision_restore::restore(tx, &deps, me, restore).await
    })
    .await?;
    let view = restored.finish(&state.hooks).await;
    Ok(([(ETAG, etag(view.version))], axum::Json::<PostView>(view)).into_response())
}

/// The three revision handlers of a built-in type with its own path (`posts`, `pages`).
macro_rules! fixed_type_routes {
    ($type_name:literal, $tag:literal, $list:ident, $one:ident, $restore:ident,
     $list_path:literal, $one_path:literal, $restore_path:literal) => {
        /// List a post's revisions, newest first (needs the right to edit the post).
        #[utoipa::path(
            get, path = $list_path, tag = $tag,
            security(("tenant_token" = [])),
            params(("id" = String, Path, format = Uuid, description = "Post id"), PageParams),
            responses(
                (status = 200, description = "One page of revisions; X-Total-Count and Link headers", body = [Revision]),
                (status = 403, description = "The caller may read the post but not edit it", body = Problem),
                (status = 404, description = "No such post here", body = Problem),
            )
        )]
        pub async fn $list(
            State(state): State<AppState>,
            user: TenantUser,
            client: ClientContext,
            Path(id): Path<PostId>,
            Query(params): Query<PageParams>,
            uri: Uri,
        ) -> ApiResult<Response> {
            list_of(state, user, client, $type_name, id, params, uri).await
        }

        /// Read one revision of a post.
        #[utoipa::path(
            get, path = $one_path, tag = $tag,
            security(("tenant_token" = [])),
            params(("id" = String, Path, format = Uuid, description = "Post id"), ("revision" = String, Path, format = Uuid, description = "Revision id")),
            responses(
                (status = 200, description = "The revision", body = Revision),
                (status = 403, description = "The caller may read the post but not edit it", body = Problem),
                (status = 404, description = "No such post or revision here", body = Problem),
            )
        )]
        pub async fn $one(
            State(state): State<AppState>,
            user: TenantUser,
            client: ClientContext,
            Path((id, revision)): Path<(PostId, RevisionId)>,
        ) -> ApiResult<axum::Json<Revision>> {
            one_of(state, user, client, $type_name, id, revision).await
        }

        /// Restore a revision: its title, content, excerpt and meta become the post's, as a
        /// save of its own (rules, trust, hooks and audit apply). Send `If-Match` with the
        /// post's ETag.
        #[utoipa::path(
            post, path = $restore_path, tag = $tag,
            security(("tenant_token" = [])),
            params(("id" = String, Path, format = Uuid, description = "Post id"), ("revision" = String, Path, format = Uuid, description = "Revision id"),
                   ("If-Match" = String, Header, description = "The post's ETag")),
            responses(
                (status = 200, description = "Restored; the post and its new ETag", body = PostView),
                (status = 403, description = "Missing capability or trust", body = Problem),
                (status = 404, description = "No such post or revision here", body = Problem),
                (status = 409, description = "The post is in the trash", body = Problem),
                (status = 412, description = "The post changed since your read", body = Problem),
                (status = 422, description = "A healthcare rule or a plugin's rejection", body = Problem),
                (status = 428, description = "If-Match missing", body = Problem),
            )
        )]
        pub async fn $restore(
            State(state): State<AppState>,
            user: TenantUser,
            client: ClientContext,
            Path((id, revision)): Path<(PostId, RevisionId)>,
            headers: HeaderMap,
        ) -> ApiResult<Response> {
            restore_of(state, user, client, $type_name, id, revision, headers).await
        }
    };
}

fixed_type_routes!(
    "post",
    "posts",
    list_post_revisions,
    get_post_revision,
    restore_post_revision,
    "/api/v1/posts/{id}/revisions",
    "/api/v1/posts/{id}/revisions/{revision}",
    "/api/v1/posts/{id}/revisions/{revision}/restore"
);

fixed_type_routes!(
    "page",
    "pages",
    list_page_revisions,
    get_page_revision,
    restore_page_revision,
    "/api/v1/pages/{id}/revisions",
    "/api/v1/pages/{id}/revisions/{revision}",
    "/api/v1/pages/{id}/revisions/{revision}/restore"
);

/// List revisions of a post of a registered type, newest first.
#[utoipa::path(
    get, path = "/api/v1/content/{type}/{id}/revisions", tag = "content",
    security(("tenant_token" = [])),
    params(("type" = String, Path, description = "Post type name"), ("id" = String, Path, format = Uuid, description = "Post id"), PageParams),
    responses(
        (status = 200, description = "One page of revisions; X-Total-Count and Link headers", body = [Revision]),
        (status = 403, description = "The caller may read the post but not edit it", body = Problem),
        (status = 404, description = "No such type or post here", body = Problem),
    )
)]
pub async fn list_content_revisions(
    State(state): State<AppState>,
    user: TenantUser,
    client: ClientContext,
    Path((type_name, id)): Path<(String, PostId)>,
    Query(params): Query<PageParams>,
    uri: Uri,
) -> ApiResult<Response> {
    list_of(state, user, client, &type_name, id, params, uri).await
}

/// Read one revision of a post of a registered type.
#[utoipa::path(
    get, path = "/api/v1/content/{type}/{id}/revisions/{revision}", tag = "content",
    security(("tenant_token" = [])),
    params(("type" = String, Path, description = "Post type name"), ("id" = String, Path, format = Uuid, description = "Post id"),
           ("revision" = String, Path, format = Uuid, description = "Revision id")),
    responses(
        (status = 200, description = "The revision", body = Revision),
        (status = 403, description = "The caller may read the post but not edit it", body = Problem),
        (status = 404, description = "No such type, post or revision here", body = Problem),
    )
)]
pub async fn get_content_revision(
    State(state): State<AppState>,
    user: TenantUser,
    client: ClientContext,
    Path((type_name, id, revision)): Path<(String, PostId, RevisionId)>,
) -> ApiResult<axum::Json<Revision>> {
    one_of(state, user, client, &type_name, id, revision).await
}

/// Restore a revision of a post of a registered type. Send `If-Match` with the post's ETag.
#[utoipa::path(
    post, path = "/api/v1/content/{type}/{id}/revisions/{revision}/restore", tag = "content",
    security(("tenant_token" = [])),
    params(("type" = String, Path, description = "Post type name"), ("id" = String, Path, format = Uuid, description = "Post id"),
           ("revision" = String, Path, format = Uuid, description = "Revision id"), ("If-Match" = String, Header, description = "The post's ETag")),
    responses(
        (status = 200, description = "Restored; the post and its new ETag", body = PostView),
        (status = 403, description = "Missing capability or trust", body = Problem),
        (status = 404, description = "No such type, post or revision here", body = Problem),
        (status = 409, description = "The post is in the trash", body = Problem),
        (status = 412, description = "The post changed since your read", body = Problem),
        (status = 422, description = "A healthcare rule or a plugin's rejection", body = Problem),
        (status = 428, description = "If-Match missing", body = Problem),
    )
)]
pub async fn restore_content_revision(
    State(state): State<AppState>,
    user: TenantUser,
    client: ClientContext,
    Path((type_name, id, revision)): Path<(String, PostId, RevisionId)>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    restore_of(state, user, client, &type_name, id, revision, headers).await
}
