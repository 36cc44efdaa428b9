//! Registering taxonomies (`manage_options`), each naming the post types it classifies.

use super::caller::Caller;
use super::capability::MANAGE_OPTIONS;
use super::error::{Conflict, ContentError, ContentResult};
use super::input::Problems;
use super::post_type::{PostType, PostTypeName, is_name};
use super::taxonomy::{self, Taxonomy};
use super::type_registry::check_label;
use serde::Deserialize;
use tenants::TenantTx;
use utoipa::ToSchema;

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

/// A taxonomy checked for registering (its types are checked against the tenant's when it is
/// registered).
#[derive(Debug, Clone)]
pub struct NewTaxonomy {
    pub name: String,
    /// Trimmed.
    pub label: String,
    pub hierarchical: bool,
    pub types: Vec<String>,
}

/// Taxonomy names: as post type names, up to 32 characters.
const MAX_NAME_CHARS: usize = 32;

impl TryFrom<TaxonomyInput> for NewTaxonomy {
    type Error = ContentError;

    /// Every field's problem at once (422); then a name WordPress reserves (409).
    fn try_from(input: TaxonomyInput) -> ContentResult<Self> {
        let mut problems = Problems::default();
        if !is_name(&input.name, MAX_NAME_CHARS) {
            problems.add("name", "a-z first, then a-z, 0-9, _ or -; at most 32 characters");
        }
        check_label(&input.label, &mut problems);
        if input.types.is_empty() || input.types.len() > 50 {
            problems.add("types", "1 to 50 post types");
        }
        if !problems.0.is_empty() {
            return Err(ContentError::Invalid(problems.0));
        }
        if taxonomy::RESERVED.contains(&input.name.as_str()) {
            return Err(Conflict::TaxonomyExists { reserved: true }.into());
        }
        Ok(Self {
            label: input.label.trim().to_owned(),
            name: input.name,
            hierarchical: input.hierarchical.unwrap_or(false),
            types: input.types,
        })
    }
}

async fn type_exists(tx: &mut TenantTx, name: &str) -> bool {
    match PostTypeName::parse(name) {
        Ok(name) => PostType::load(tx, &name).await.is_ok(),
        Err(_) => false,
    }
}

/// Registers a taxonomy: its terms are served at `/api/v1/taxonomies/{name}/terms` and set on
/// posts through `terms: {"{name}": [ids]}`.
pub async fn register_taxonomy(tx: &mut TenantTx, who: Caller<'_>, new: NewTaxonomy) -> ContentResult<Taxonomy> {
    let me = who.who;
    me.require(MANAGE_OPTIONS)?;
    for name in &new.types {
        if !type_exists(tx, name).await {
            return Err(ContentError::invalid_field(
                "types",
                format!("there is no post type {name:?}"),
            ));
        }
    }
    let mut types = new.types.clone();
    types.sort();
    types.dedup();
    let inserted = sqlx::query(
        "INSERT INTO taxonomies (name, label, hierarchical, object_types) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (name) DO NOTHING",
    )
    .bind(&new.name)
    .bind(&new.label)
    .bind(new.hierarchical)
    .bind(&types)
    .execute(&mut **tx)
    .await?;
    if inserted.rows_affected() == 0 {
        return Err(Conflict::TaxonomyExists { reserved: false }.into());
    }
    who.record(
        tx,
        "content.taxonomy_register",
        ("taxonomy", &new.name),
        serde_json::json!({}),
    )
    .await?;
    Taxonomy::load(tx, &new.name).await
}

/// Unregisters a taxonomy that has no terms left.
pub async fn unregister_taxonomy(tx: &mut TenantTx, who: Caller<'_>, name: &str) -> ContentResult<()> {
    let me = who.who;
    me.require(MANAGE_OPTIONS)?;
    if Taxonomy::builtin(name).is_some() {
        return Err(Conflict::CoreTaxonomy.into());
    }
    let (exists, terms): (bool, bool) = sqlx::query_as(
        "SELECT EXISTS (SELECT 1 FROM taxonomies WHERE name = $1 FOR UPDATE), \
                EXISTS (SELECT 1 FROM terms WHERE taxonomy = $1)",
    )
    .bind(name)
    .fetch_one(&mut **tx)
    .await?;
    if !exists {
        return Err(ContentError::UnknownTaxonomy(name.to_owned()));
    }
    if terms {
        return Err(Conflict::TaxonomyInUse.into());
    }
    sqlx::query("DELETE FROM taxonomies WHERE name = $1")
        .bind(name)
        .execute(&mut **tx)
        .await?;
    who.record(
        tx,
        "content.taxonomy_unregister",
        ("taxonomy", name),
        serde_json::json!({}),
    )
    .await?;
    Ok(())
}
