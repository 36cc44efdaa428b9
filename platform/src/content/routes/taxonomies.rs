//! The taxonomy routes: `/api/v1/taxonomies`, public to read; registering and unregistering
//! need `manage_options`.

use super::transaction::{as_user, in_tenant};
use crate::audit::ClientContext;
use crate::auth::tenant_user::{MaybeTenantUser, TenantUser};
use crate::content::taxonomy::Taxonomy;
use crate::content::taxonomy_registry::{self, NewTaxonomy, TaxonomyInput};
use crate::http::extract::{Json, Path};
use crate::http::{ApiResult, Problem};
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;

/// List the taxonomies: built-in and registered.
#[utoipa::path(
    get, path = "/api/v1/taxonomies", tag = "terms",
    security((), ("tenant_token" = [])),
    responses((status = 200, description = "Every taxonomy", body = [Taxonomy]))
)]
pub async fn list_taxonomies(
    State(state): State<AppState>,
    who: MaybeTenantUser,
) -> ApiResult<axum::Json<Vec<Taxonomy>>> {
    let all = in_tenant(&state, &who.tenant, async |tx| Taxonomy::all(tx).await).await?;
    Ok(axum::Json(all))
}

/// Read a taxonomy.
#[utoipa::path(
    get, path = "/api/v1/taxonomies/{name}", tag = "terms",
    security((), ("tenant_token" = [])),
    params(("name" = String, Path, description = "Taxonomy name")),
    responses(
        (status = 200, description = "The taxonomy", body = Taxonomy),
        (status = 404, description = "No such taxonomy", body = Problem),
    )
)]
pub async fn get_taxonomy(
    State(state): State<AppState>,
    who: MaybeTenantUser,
    Path(name): Path<String>,
) -> ApiResult<axum::Json<Taxonomy>> {
    let found = in_tenant(&state, &who.tenant, async |tx| Taxonomy::load(tx, &name).await).await?;
    Ok(axum::Json(found))
}

/// Register a taxonomy (`manage_options`). Its terms are served at
/// `/api/v1/taxonomies/{name}/terms` and set on posts through `terms: {"{name}": [ids]}`.
#[utoipa::path(
    post, path = "/api/v1/taxonomies", tag = "terms",
    security(("tenant_token" = [])),
    request_body = TaxonomyInput,
    responses(
        (status = 201, description = "Registered", body = Taxonomy),
        (status = 403, description = "Needs manage_options", body = Problem),
        (status = 409, description = "The name is taken or reserved", body = Problem),
        (status = 422, description = "Invalid fields or an unknown post type", body = Problem),
    )
)]
pub async fn register_taxonomy(
    State(state): State<AppState>,
    user: TenantUser,
    client: ClientContext,
    Json(input): Json<TaxonomyInput>,
) -> ApiResult<(StatusCode, axum::Json<Taxonomy>)> {
    let new = NewTaxonomy::try_from(input)?;
    let registered = as_user(&state, &user, &client, async |tx, me| {
        taxonomy_registry::register_taxonomy(tx, me, new).await
    })
    .await?;
    Ok((StatusCode::CREATED, axum::Json(registered)))
}

/// Unregister a taxonomy (`manage_options`) that has no terms left.
#[utoipa::path(
    delete, path = "/api/v1/taxonomies/{name}", tag = "terms",
    security(("tenant_token" = [])),
    params(("name" = String, Path, description = "Taxonomy name")),
    responses(
        (status = 204, description = "Unregistered"),
        (status = 403, description = "Needs manage_options", body = Problem),
        (status = 404, description = "No such taxonomy", body = Problem),
        (status = 409, description = "A core taxonomy, or one with terms", body = Problem),
    )
)]
pub async fn unregister_taxonomy(
    State(state): State<AppState>,
    user: TenantUser,
    client: ClientContext,
    Path(name): Path<String>,
) -> ApiResult<StatusCode> {
    as_user(&state, &user, &client, async |tx, me| {
        taxonomy_registry::unregister_taxonomy(tx, me, &name).await
    })
    .await?;
    Ok(StatusCode::NO_CONTENT)
}
