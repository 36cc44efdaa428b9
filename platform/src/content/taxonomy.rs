//! Taxonomies: `category` (hierarchical) and `post_tag` built in, for posts, as in WordPress
//! core; more registered by the tenant or by plugins (rows of `taxonomies`), each naming the
//! post types it classifies.

use super::error::{ContentError, ContentResult};
use serde::Serialize;
use tenants::TenantTx;
use utoipa::ToSchema;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Taxonomy {
    /// `category`, `post_tag`, or a registered name (a-z, 0-9, _ and -, at most 32).
    pub name: String,
    pub label: String,
    /// Categories are: a term may have a parent term of the same taxonomy.
    pub hierarchical: bool,
    /// The post types whose posts take its terms.
    pub types: Vec<String>,
    /// `core`, `tenant` or `plugin:{name}`.
    pub registered_by: String,
    /// Where its terms are served: `/api/v1/categories`, `/api/v1/tags`,
    /// `/api/v1/taxonomies/{name}/terms`.
    pub rest_path: String,
}

/// Names no registered taxonomy may take: WordPress's own.
pub const RESERVED: [&str; 5] = ["category", "post_tag", "nav_menu", "link_category", "post_format"];

type Row = (String, String, bool, Vec<String>, String);

impl Taxonomy {
    pub fn builtin(name: &str) -> Option<Self> {
        let (label, hierarchical, rest_path) = match name {
            "category" => ("Categories", true, "/api/v1/categories"),
            "post_tag" => ("Tags", false, "/api/v1/tags"),
            _ => return None,
        };
        Some(Self {
            name: name.to_owned(),
            label: label.to_owned(),
            hierarchical,
            types: vec!["post".into()],
            registered_by: "core".into(),
            rest_path: rest_path.into(),
        })
    }

    /// The taxonomy, or [`ContentError::UnknownTaxonomy`].
    pub async fn load(tx: &mut TenantTx, name: &str) -> ContentResult<Self> {
        if let Some(builtin) = Self::builtin(name) {
            return Ok(builtin);
        }
        let row: Option<Row> = sqlx::query_as(
            "SELECT name, label, hierarchical, object_types, registered_by FROM taxonomies WHERE name = $1",
        )
        .bind(name)
        .fetch_optional(&mut **tx)
        .await?;
        row.map(Self::from_row)
            .ok_or_else(|| ContentError::UnknownTaxonomy(name.to_owned()))
    }

    /// Every taxonomy: the built-in ones first, then the registered ones by name.
    pub async fn all(tx: &mut TenantTx) -> ContentResult<Vec<Self>> {
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT name, label, hierarchical, object_types, registered_by FROM taxonomies ORDER BY name",
        )
        .fetch_all(&mut **tx)
        .await?;
        let builtins = ["category", "post_tag"].into_iter().filter_map(Self::builtin);
        Ok(builtins.chain(rows.into_iter().map(Self::from_row)).collect())
    }

    fn from_row((name, label, hierarchical, types, registered_by): Row) -> Self {
        Self {
            rest_path: format!("/api/v1/taxonomies/{name}/terms"),
            name,
            label,
            hierarchical,
            types,
            registered_by,
        }
    }
}
