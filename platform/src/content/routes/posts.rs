//! The post routes of the built-in types, as WordPress's REST API lays them out:
//! `/api/v1/posts` and `/api/v1/pages`, the five handlers of each made by one macro.

use super::params::{DeleteParams, ListParams, ReadParams, WriteParams};
use super::post_requests::{ReaderRequest, UserRequest, create_of, delete_of, list_of, one_of, update_of};
use crate::audit::ClientContext;
use crate::auth::tenant_user::{MaybeTenantUser, TenantUser};
use crate::content::ids::PostId;
use crate::content::input::PostInput;
use crate::content::view::PostView;
use crate::content::write::Deleted;
use crate::http::extract::{Json, Path, Query};
use crate::http::pagination::PageParams;
use crate::http::{ApiResult, Problem};
use crate::state::AppState;
use axum::extract::State;
use axum::http::{HeaderMap, Uri};
use axum::response::Response;

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
                (status = 400, description = "Malformed filter or paging", body = Problem),
                (status = 401, description = "Unpublished statuses or the edit context without a token", body = Problem),
                (status = 403, description = "Unpublished statuses or the edit context without the capability", body = Problem),
                (status = 404, description = "Unknown post type", body = Problem),
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
                (status = 403, description = "Missing capability, or a trust score below the tenant's threshold", body = Problem),
                (status = 404, description = "Unknown post type", body = Problem),
                (status = 409, description = "The slug is taken (with on_slug_conflict=error)", body = Problem),
                (status = 422, description = "Invalid fields, a rule of the healthcare extensions, or a plugin's rejection", body = Problem),
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
                (status = 403, description = "The edit context without the right to edit", body = Problem),
                (status = 404, description = "No such post here", body = Problem),
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
                (status = 403, description = "Missing capability or trust", body = Problem),
                (status = 404, description = "No such post here", body = Problem),
                (status = 409, description = "An illegal status change (the allowed ones are named), a trashed post, or a taken slug", body = Problem),
                (status = 412, description = "Changed since your read", body = Problem),
                (status = 422, description = "Invalid fields, a healthcare rule, or a plugin's rejection", body = Problem),
                (status = 428, description = "If-Match missing", body = Problem),
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
                (status = 403, description = "Missing capability or trust", body = Problem),
                (status = 404, description = "No such post here", body = Problem),
                (status = 410, description = "Already in the trash (use force=true)", body = Problem),
                (status = 412, description = "Changed since your read", body = Problem),
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
