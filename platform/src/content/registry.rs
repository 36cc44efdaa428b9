//! Registering post types and taxonomies (`manage_options`), as a tenant's administrator
//! does in WordPress with a custom-post-type plugin. Plugins register theirs through the
//! same tables (`registered_by = plugin:{name}`).

use super::input::Problems;
use super::post_type::{self, CapabilityType, PostType};
use super::taxonomy::{self, Taxonomy};
use crate::access::Principal;
use crate::audit::{self, ClientContext};
use crate::auth::extract::{MaybeTenantUser, TenantUser};
use crate::http::extract::{Json, Path};
use crate::http::{ApiError, ApiResult, Problem};
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;

const MANAGE_OPTIONS: &str = "manage_options";

/// A post type to register.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PostTypeInput {
    /// a-z first, then a-z, 0-9, `_` or `-`; at most 20 characters.
    #[schema(pattern = "^[a-z][a-z0-9_-]{0,19}$")]
    pub name: String,
    /// 1 to 100 characters, not only spaces.
    #[schema(min_length = 1, max_length = 100, pattern = r"\S")]
    pub label: String,
    /// Posts may have a parent of the same type (as pages). Default false.
    pub hierarchical: Option<bool>,
    /// `post` (default: edit_posts, publish_posts...) or `page` (edit_pages...).
    #[schema(value_type = Option<String>, pattern = "^(post|page)$")]
    pub capability_type: Option<String>,
    /// Revisions kept per post, 0 to 1000 (default 25).
    #[schema(minimum = 0, maximum = 1000)]
    pub revisions_to_keep: Option<i32>,
}

/// A taxonomy to register.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TaxonomyInput {
    /// a-z first, then a-z, 0-9, `_` or `-`; at most 32 characters.
    #[schema(pattern = "^[a-z][a-z0-9_-]{0,31}$")]
    pub name: String,
    /// 1 to 100 characters, not only spaces.
    #[schema(min_length = 1, max_length = 100, pattern = r"\S")]
    pub label: String,
    /// Terms may have parents (as categories). Default false.
    pub hierarchical: Option<bool>,
    /// The post types it classifies (1 to 50; each must exist).
    #[schema(min_items = 1, max_items = 50)]
    pub types: Vec<String>,
}

fn valid_name(name: &str, max: usize) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && name.len() <= max
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
}

fn check_label(label: &str, problems: &mut Problems) {
    if label.trim().is_empty() || label.chars().count() > 100 {
        problems.add("label", "1 to 100 characters");
    }
}

/// Read a post type.
#[utoipa::path(
    get, path = "/api/v1/types/{name}", tag = "content",
    security((), ("tenant_token" = [])),
    params(("name" = String, Path, description = "Post type name")),
    responses(
        (status = 200, description = "The post type", body = PostType),
        (status = 404, description = "No such type", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_type(
    State(state): State<AppState>,
    who: MaybeTenantUser,
    Path(name): Path<String>,
) -> ApiResult<axum::Json<PostType>> {
    let mut tx = who.tenant.scope().begin(state.tenancy.pool()).await?;
    let found = PostType::load(&mut tx, &name).await?;
    tx.commit().await?;
    Ok(axum::Json(found))
}

/// Register a post type (`manage_options`). Its posts are served at `/api/v1/content/{name}`.
#[utoipa::path(
    post, path = "/api/v1/types", tag = "content",
    security(("tenant_token" = [])),
    request_body = PostTypeInput,
    responses(
        (status = 201, description = "Registered", body = PostType),
        (status = 403, description = "Needs manage_options", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The name is taken or reserved", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn register_type(
    State(state): State<AppState>,
    user: TenantUser,
    client: ClientContext,
    Json(input): Json<PostTypeInput>,
) -> ApiResult<(StatusCode, axum::Json<PostType>)> {
    let mut problems = Problems::default();
    if !valid_name(&input.name, 20) {
        problems.add("name", "a-z first, then a-z, 0-9, _ or -; at most 20 characters");
    }
    check_label(&input.label, &mut problems);
    let capability_type = input.capability_type.as_deref().unwrap_or("post");
    if CapabilityType::parse(capability_type).is_none() {
        problems.add("capability_type", "post or page");
    }
    let keep = input.revisions_to_keep.unwrap_or(25);
    if !(0..=1000).contains(&keep) {
        problems.add("revisions_to_keep", "0 to 1000");
    }
    if !problems.0.is_empty() {
        return Err(ApiError::invalid(problems.0));
    }
    if post_type::RESERVED.contains(&input.name.as_str()) {
        return Err(ApiError::conflict(
            "type_exists",
            "that name is reserved by WordPress's core types",
        ));
    }
    let mut tx = user.tenant.scope().begin(state.tenancy.pool()).await?;
    let me = Principal::load(&mut tx, &user.subject).await?;
    me.require(MANAGE_OPTIONS)?;
    let inserted = sqlx::query(
        "INSERT INTO post_types (name, label, hierarchical, capability_type, revisions_to_keep) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (name) DO NOTHING",
    )
    .bind(&input.name)
    .bind(input.label.trim())
    .bind(input.hierarchical.unwrap_or(false))
    .bind(capability_type)
    .bind(keep)
    .execute(&mut *tx)
    .await?;
    if inserted.rows_affected() == 0 {
        return Err(ApiError::conflict(
            "type_exists",
            "a post type of that name is registered",
        ));
    }
    audit::user_action(
        &mut tx,
        me.user_id,
        &client,
        "content.type_register",
        ("post_type", &input.name),
        serde_json::json!({}),
    )
    .await?;
    let registered = PostType::load(&mut tx, &input.name).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, axum::Json(registered)))
}

/// Unregister a post type (`manage_options`) that has no posts left.
#[utoipa::path(
    delete, path = "/api/v1/types/{name}", tag = "content",
    security(("tenant_token" = [])),
    params(("name" = String, Path, description = "Post type name")),
    responses(
        (status = 204, description = "Unregistered"),
        (status = 403, description = "Needs manage_options", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such type", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "A core type, one with posts, or one a taxonomy still names", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn unregister_type(
    State(state): State<AppState>,
    user: TenantUser,
    client: ClientContext,
    Path(name): Path<String>,
) -> ApiResult<StatusCode> {
    let mut tx = user.tenant.scope().begin(state.tenancy.pool()).await?;
    let me = Principal::load(&mut tx, &user.subject).await?;
    me.require(MANAGE_OPTIONS)?;
    if PostType::builtin(&name).is_some() {
        return Err(ApiError::conflict("core_type", "post and page are built in"));
    }
    let (exists, posts, named_by): (bool, bool, bool) = sqlx::query_as(
        "SELECT EXISTS (SELECT 1 FROM post_types WHERE name = $1 FOR UPDATE), \
                EXISTS (SELECT 1 FROM posts WHERE type = $1), \
                EXISTS (SELECT 1 FROM taxonomies WHERE $1 = ANY(object_types))",
    )
    .bind(&name)
    .fetch_one(&mut *tx)
    .await?;
    if !exists {
        return Err(post_type::unknown(&name));
    }
    if posts {
        return Err(ApiError::conflict("type_in_use", "delete its posts first (force=true)"));
    }
    if named_by {
        return Err(ApiError::conflict(
            "type_in_use",
            "a taxonomy still classifies this type; unregister it first",
        ));
    }
    sqlx::query("DELETE FROM post_types WHERE name = $1")
        .bind(&name)
        .execute(&mut *tx)
        .await?;
    audit::user_action(
        &mut tx,
        me.user_id,
        &client,
        "content.type_unregister",
        ("post_type", &name),
        serde_json::json!({}),
    )
    .await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

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
    let mut tx = who.tenant.scope().begin(state.tenancy.pool()).await?;
    let all = Taxonomy::all(&mut tx).await?;
    tx.commit().await?;
    Ok(axum::Json(all))
}

/// Read a taxonomy.
#[utoipa::path(
    get, path = "/api/v1/taxonomies/{name}", tag = "terms",
    security((), ("tenant_token" = [])),
    params(("name" = String, Path, description = "Taxonomy name")),
    responses(
        (status = 200, description = "The taxonomy", body = Taxonomy),
        (status = 404, description = "No such taxonomy", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_taxonomy(
    State(state): State<AppState>,
    who: MaybeTenantUser,
    Path(name): Path<String>,
) -> ApiResult<axum::Json<Taxonomy>> {
    let mut tx = who.tenant.scope().begin(state.tenancy.pool()).await?;
    let found = Taxonomy::load(&mut tx, &name).await?;
    tx.commit().await?;
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
        (status = 403, description = "Needs manage_options", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The name is taken or reserved", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields or an unknown post type", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn register_taxonomy(
    State(state): State<AppState>,
    user: TenantUser,
    client: ClientContext,
    Json(input): Json<TaxonomyInput>,
) -> ApiResult<(StatusCode, axum::Json<Taxonomy>)> {
    let mut problems = Problems::default();
    if !valid_name(&input.name, 32) {
        problems.add("name", "a-z first, then a-z, 0-9, _ or -; at most 32 characters");
    }
    check_label(&input.label, &mut problems);
    if input.types.is_empty() || input.types.len() > 50 {
        problems.add("types", "1 to 50 post types");
    }
    if !problems.0.is_empty() {
        return Err(ApiError::invalid(problems.0));
    }
    if taxonomy::RESERVED.contains(&input.name.as_str()) {
        return Err(ApiError::conflict(
            "taxonomy_exists",
            "that name is reserved by WordPress's core taxonomies",
        ));
    }
    let mut tx = user.tenant.scope().begin(state.tenancy.pool()).await?;
    let me = Principal::load(&mut tx, &user.subject).await?;
    me.require(MANAGE_OPTIONS)?;
    for name in &input.types {
        if PostType::load(&mut tx, name).await.is_err() {
            return Err(ApiError::invalid_field(
                "types",
                format!("there is no post type {name:?}"),
            ));
        }
    }
    let mut types = input.types.clone();
    types.sort();
    types.dedup();
    let inserted = sqlx::query(
        "INSERT INTO taxonomies (name, label, hierarchical, object_types) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (name) DO NOTHING",
    )
    .bind(&input.name)
    .bind(input.label.trim())
    .bind(input.hierarchical.unwrap_or(false))
    .bind(&types)
    .execute(&mut *tx)
    .await?;
    if inserted.rows_affected() == 0 {
        return Err(ApiError::conflict(
            "taxonomy_exists",
            "a taxonomy of that name is registered",
        ));
    }
    audit::user_action(
        &mut tx,
        me.user_id,
        &client,
        "content.taxonomy_register",
        ("taxonomy", &input.name),
        serde_json::json!({}),
    )
    .await?;
    let registered = Taxonomy::load(&mut tx, &input.name).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, axum::Json(registered)))
}

/// Unregister a taxonomy (`manage_options`) that has no terms left.
#[utoipa::path(
    delete, path = "/api/v1/taxonomies/{name}", tag = "terms",
    security(("tenant_token" = [])),
    params(("name" = String, Path, description = "Taxonomy name")),
    responses(
        (status = 204, description = "Unregistered"),
        (status = 403, description = "Needs manage_options", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such taxonomy", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "A core taxonomy, or one with terms", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn unregister_taxonomy(
    State(state): State<AppState>,
    user: TenantUser,
    client: ClientContext,
    Path(name): Path<String>,
) -> ApiResult<StatusCode> {
    let mut tx = user.tenant.scope().begin(state.tenancy.pool()).await?;
    let me = Principal::load(&mut tx, &user.subject).await?;
    me.require(MANAGE_OPTIONS)?;
    if Taxonomy::builtin(&name).is_some() {
        return Err(ApiError::conflict(
            "core_taxonomy",
            "category and post_tag are built in",
        ));
    }
    let (exists, terms): (bool, bool) = sqlx::query_as(
        "SELECT EXISTS (SELECT 1 FROM taxonomies WHERE name = $1 FOR UPDATE), \
                EXISTS (SELECT 1 FROM terms WHERE taxonomy = $1)",
    )
    .bind(&name)
    .fetch_one(&mut *tx)
    .await?;
    if !exists {
        return Err(taxonomy::unknown(&name));
    }
    if terms {
        return Err(ApiError::conflict("taxonomy_in_use", "delete its terms first"));
    }
    sqlx::query("DELETE FROM taxonomies WHERE name = $1")
        .bind(&name)
        .execute(&mut *tx)
        .await?;
    audit::user_action(
        &mut tx,
        me.user_id,
        &client,
        "content.taxonomy_unregister",
        ("taxonomy", &name),
        serde_json::json!({}),
    )
    .await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
