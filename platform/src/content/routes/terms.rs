//! Routes for terms, as WordPress lays them out: `/api/v1/categories`, `/api/v1/tags`, and
//! `/api/v1/taxonomies/{taxonomy}/terms` for registered taxonomies.

use super::headers::{located, paging};
use super::term_params::TermListParams;
use super::transaction::{as_user, in_tenant};
use crate::audit::ClientContext;
use crate::auth::tenant_user::{MaybeTenantUser, TenantUser};
use crate::content::ids::TermId;
use crate::content::term_changes;
use crate::content::terms::{self, DeletedTerm, NewTerm, Term, TermInput};
use crate::http::extract::{Json, Path, Query};
use crate::http::pagination::{Page, PageParams};
use crate::http::{ApiResult, Problem};
use crate::state::AppState;
use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};

async fn list_of(
    state: AppState,
    who: MaybeTenantUser,
    taxonomy: &str,
    params: PageParams,
    filter: TermListParams,
    uri: Uri,
) -> ApiResult<Response> {
    let page = Page::try_from(&params)?;
    let filter = filter.filter()?;
    let listed = in_tenant(&state, &who.tenant, async |tx| {
        terms::list(tx, taxonomy, page, &filter).await
    })
    .await?;
    Ok((paging(&listed, &uri), axum::Json(listed.items)).into_response())
}

async fn one_of(state: AppState, who: MaybeTenantUser, taxonomy: &str, id: TermId) -> ApiResult<axum::Json<Term>> {
    let term = in_tenant(&state, &who.tenant, async |tx| terms::one(tx, taxonomy, id).await).await?;
    Ok(axum::Json(term))
}

async fn create_of(
    state: AppState,
    user: TenantUser,
    client: ClientContext,
    taxonomy: &str,
    input: NewTerm,
) -> ApiResult<Response> {
    let term = as_user(&state, &user, &client, async |tx, me| {
        term_changes::create(tx, me, taxonomy, input.into()).await
    })
    .await?;
    let mut response = (StatusCode::CREATED, axum::Json(&term)).into_response();
    located(&mut response, &term.link);
    Ok(response)
}

async fn update_of(
    state: AppState,
    user: TenantUser,
    client: ClientContext,
    taxonomy: &str,
    id: TermId,
    input: TermInput,
) -> ApiResult<axum::Json<Term>> {
    let term = as_user(&state, &user, &client, async |tx, me| {
        term_changes::update(tx, me, taxonomy, id, input).await
    })
    .await?;
    Ok(axum::Json(term))
}

async fn delete_of(
    state: AppState,
    user: TenantUser,
    client: ClientContext,
    taxonomy: &str,
    id: TermId,
) -> ApiResult<axum::Json<DeletedTerm>> {
    let deleted = as_user(&state, &user, &client, async |tx, me| {
        term_changes::delete(tx, me, taxonomy, id).await
    })
    .await?;
    Ok(axum::Json(deleted))
}

/// The five term handlers of a built-in taxonomy with its own path.
macro_rules! fixed_taxonomy_routes {
    ($taxonomy:literal, $tag:literal, $list:ident, $create:ident, $get:ident, $update:ident, $delete:ident,
     $path:literal, $item_path:literal) => {
        /// List terms (public). Paged (`X-Total-Count`, `Link`), searched and ordered.
        #[utoipa::path(
            get, path = $path, tag = $tag,
            security((), ("tenant_token" = [])),
            params(PageParams, TermListParams),
            responses(
                (status = 200, description = "One page of terms", body = [Term]),
                (status = 400, description = "Malformed filter or paging", body = Problem),
            )
        )]
        pub async fn $list(
            State(state): State<AppState>,
            who: MaybeTenantUser,
            Query(params): Query<PageParams>,
            Query(filter): Query<TermListParams>,
            uri: Uri,
        ) -> ApiResult<Response> {
            list_of(state, who, $taxonomy, params, filter, uri).await
        }

        /// Create a term (`manage_categories`).
        #[utoipa::path(
            post, path = $path, tag = $tag,
            security(("tenant_token" = [])),
            request_body = NewTerm,
            responses(
                (status = 201, description = "Created; Location header", body = Term),
                (status = 403, description = "Needs manage_categories", body = Problem),
                (status = 409, description = "The slug is taken in this taxonomy", body = Problem),
                (status = 422, description = "Invalid fields", body = Problem),
            )
        )]
        pub async fn $create(
            State(state): State<AppState>,
            user: TenantUser,
            client: ClientContext,
            Json(input): Json<NewTerm>,
        ) -> ApiResult<Response> {
            create_of(state, user, client, $taxonomy, input).await
        }

        /// Read a term (public).
        #[utoipa::path(
            get, path = $item_path, tag = $tag,
            security((), ("tenant_token" = [])),
            params(("id" = String, Path, format = Uuid, description = "Term id")),
            responses(
                (status = 200, description = "The term", body = Term),
                (status = 404, description = "No such term here", body = Problem),
            )
        )]
        pub async fn $get(
            State(state): State<AppState>,
            who: MaybeTenantUser,
            Path(id): Path<TermId>,
        ) -> ApiResult<axum::Json<Term>> {
            one_of(state, who, $taxonomy, id).await
        }

        /// Change a term's fields (`manage_categories`).
        #[utoipa::path(
            patch, path = $item_path, tag = $tag,
            security(("tenant_token" = [])),
            params(("id" = String, Path, format = Uuid, description = "Term id")),
            request_body = TermInput,
            responses(
                (status = 200, description = "Saved", body = Term),
                (status = 403, description = "Needs manage_categories", body = Problem),
                (status = 404, description = "No such term here", body = Problem),
                (status = 409, description = "The slug is taken in this taxonomy", body = Problem),
                (status = 422, description = "Invalid fields, or a parent that would make a cycle", body = Problem),
            )
        )]
        pub async fn $update(
            State(state): State<AppState>,
            user: TenantUser,
            client: ClientContext,
            Path(id): Path<TermId>,
            Json(input): Json<TermInput>,
        ) -> ApiResult<axum::Json<Term>> {
            update_of(state, user, client, $taxonomy, id, input).await
        }

        /// Delete a term for good (`manage_categories`; terms have no trash). Children move
        /// up to its parent; posts left without a category get the default one.
        #[utoipa::path(
            delete, path = $item_path, tag = $tag,
            security(("tenant_token" = [])),
            params(("id" = String, Path, format = Uuid, description = "Term id")),
            responses(
                (status = 200, description = "Deleted", body = DeletedTerm),
                (status = 403, description = "Needs manage_categories", body = Problem),
                (status = 404, description = "No such term here", body = Problem),
                (status = 409, description = "The default category", body = Problem),
            )
        )]
        pub async fn $delete(
            State(state): State<AppState>,
            user: TenantUser,
            client: ClientContext,
            Path(id): Path<TermId>,
        ) -> ApiResult<axum::Json<DeletedTerm>> {
            delete_of(state, user, client, $taxonomy, id).await
        }
    };
}

fixed_taxonomy_routes!(
    "category",
    "terms",
    list_categories,
    create_category,
    get_category,
    update_category,
    delete_category,
    "/api/v1/categories",
    "/api/v1/categories/{id}"
);

fixed_taxonomy_routes!(
    "post_tag",
    "terms",
    list_tags,
    create_tag,
    get_tag,
    update_tag,
    delete_tag,
    "/api/v1/tags",
    "/api/v1/tags/{id}"
);

/// List terms of any taxonomy (public). Paged, searched and ordered.
#[utoipa::path(
    get, path = "/api/v1/taxonomies/{taxonomy}/terms", tag = "terms",
    security((), ("tenant_token" = [])),
    params(("taxonomy" = String, Path, description = "Taxonomy name"), PageParams, TermListParams),
    responses(
        (status = 200, description = "One page of terms", body = [Term]),
        (status = 400, description = "Malformed filter or paging", body = Problem),
        (status = 404, description = "Unknown taxonomy", body = Problem),
    )
)]
pub async fn list_terms(
    State(state): State<AppState>,
    who: MaybeTenantUser,
    Path(taxonomy): Path<String>,
    Query(params): Query<PageParams>,
    Query(filter): Query<TermListParams>,
    uri: Uri,
) -> ApiResult<Response> {
    list_of(state, who, &taxonomy, params, filter, uri).await
}

/// Create a term of any taxonomy (`manage_categories`).
#[utoipa::path(
    post, path = "/api/v1/taxonomies/{taxonomy}/terms", tag = "terms",
    security(("tenant_token" = [])),
    params(("taxonomy" = String, Path, description = "Taxonomy name")),
    request_body = NewTerm,
    responses(
        (status = 201, description = "Created; Location header", body = Term),
        (status = 403, description = "Needs manage_categories", body = Problem),
        (status = 404, description = "Unknown taxonomy", body = Problem),
        (status = 409, description = "The slug is taken in this taxonomy", body = Problem),
        (status = 422, description = "Invalid fields", body = Problem),
    )
)]
pub async fn create_term(
    State(state): State<AppState>,
    user: TenantUser,
    client: ClientContext,
    Path(taxonomy): Path<String>,
    Json(input): Json<NewTerm>,
) -> ApiResult<Response> {
    create_of(state, user, client, &taxonomy, input).await
}

/// Read a term of any taxonomy (public).
#[utoipa::path(
    get, path = "/api/v1/taxonomies/{taxonomy}/terms/{id}", tag = "terms",
    security((), ("tenant_token" = [])),
    params(("taxonomy" = String, Path, description = "Taxonomy name"), ("id" = String, Path, format = Uuid, description = "Term id")),
    responses(
        (status = 200, description = "The term", body = Term),
        (status = 404, description = "No such taxonomy or term here", body = Problem),
    )
)]
pub async fn get_term(
    State(state): State<AppState>,
    who: MaybeTenantUser,
    Path((taxonomy, id)): Path<(String, TermId)>,
) -> ApiResult<axum::Json<Term>> {
    one_of(state, who, &taxonomy, id).await
}

/// Change a term of any taxonomy (`manage_categories`).
#[utoipa::path(
    patch, path = "/api/v1/taxonomies/{taxonomy}/terms/{id}", tag = "terms",
    security(("tenant_token" = [])),
    params(("taxonomy" = String, Path, description = "Taxonomy name"), ("id" = String, Path, format = Uuid, description = "Term id")),
    request_body = TermInput,
    responses(
        (status = 200, description = "Saved", body = Term),
        (status = 403, description = "Needs manage_categories", body = Problem),
        (status = 404, description = "No such taxonomy or term here", body = Problem),
        (status = 409, description = "The slug is taken in this taxonomy", body = Problem),
        (status = 422, description = "Invalid fields, or a parent that would make a cycle", body = Problem),
    )
)]
pub async fn update_term(
    State(state): State<AppState>,
    user: TenantUser,
    client: ClientContext,
    Path((taxonomy, id)): Path<(String, TermId)>,
    Json(input): Json<TermInput>,
) -> ApiResult<axum::Json<Term>> {
    update_of(state, user, client, &taxonomy, id, input).await
}

/// Delete a term of any taxonomy for good (`manage_categories`).
#[utoipa::path(
    delete, path = "/api/v1/taxonomies/{taxonomy}/terms/{id}", tag = "terms",
    security(("tenant_token" = [])),
    params(("taxonomy" = String, Path, description = "Taxonomy name"), ("id" = String, Path, format = Uuid, description = "Term id")),
    responses(
        (status = 200, description = "Deleted", body = DeletedTerm),
        (status = 403, description = "Needs manage_categories", body = Problem),
        (status = 404, description = "No such taxonomy or term here", body = Problem),
        (status = 409, description = "The default category", body = Problem),
    )
)]
pub async fn delete_term(
    State(state): State<AppState>,
    user: TenantUser,
    client: ClientContext,
    Path((taxonomy, id)): Path<(String, TermId)>,
) -> ApiResult<axum::Json<DeletedTerm>> {
    delete_of(state, user, client, &taxonomy, id).await
}
