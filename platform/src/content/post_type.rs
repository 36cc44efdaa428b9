//! Post types: `post` and `page` built in (as in WordPress core), more registered by the
//! tenant or by plugins (rows of `post_types`).

use crate::http::{ApiError, ApiResult};
use serde::Serialize;
use tenants::TenantTx;
use utoipa::ToSchema;

/// Which family of capabilities guards a type: `edit_posts`, `publish_posts`, ... or
/// `edit_pages`, `publish_pages`, ... (WordPress's `capability_type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CapabilityType {
    Post,
    Page,
}

impl CapabilityType {
    /// `posts` or `pages`, as in `edit_others_posts`.
    pub fn plural(self) -> &'static str {
        match self {
            Self::Post => "posts",
            Self::Page => "pages",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "post" => Some(Self::Post),
            "page" => Some(Self::Page),
            _ => None,
        }
    }

    /// `{verb}_{plural}`: `cap("publish")` is `publish_posts` for posts.
    pub fn cap(self, verb: &str) -> String {
        format!("{verb}_{}", self.plural())
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PostType {
    /// `post`, `page`, or a registered name (a-z, 0-9, _ and -, at most 20).
    pub name: String,
    pub label: String,
    /// Pages are: a post of a hierarchical type may have a parent of the same type.
    pub hierarchical: bool,
    pub capability_type: CapabilityType,
    /// How many revisions a post keeps (the oldest go first); 0 keeps none.
    pub revisions_to_keep: i32,
    /// `core`, `tenant` or `plugin:{name}`.
    pub registered_by: String,
    /// Where its posts are served: `/api/v1/posts`, `/api/v1/pages`, `/api/v1/content/{name}`.
    pub rest_path: String,
}

/// Revisions kept per post of the built-in types (WordPress keeps all by default; a cap
/// keeps the table bounded).
pub const BUILTIN_REVISIONS: i32 = 100;
/// Names no registered type may take: WordPress's own internal types.
pub const RESERVED: [&str; 8] = [
    "post",
    "page",
    "attachment",
    "revision",
    "nav_menu_item",
    "custom_css",
    "customize_changeset",
    "wp_block",
];

impl PostType {
    pub fn builtin(name: &str) -> Option<Self> {
        let (label, hierarchical, capability_type, rest_path) = match name {
            "post" => ("Posts", false, CapabilityType::Post, "/api/v1/posts"),
            "page" => ("Pages", true, CapabilityType::Page, "/api/v1/pages"),
            _ => return None,
        };
        Some(Self {
            name: name.to_owned(),
            label: label.to_owned(),
            hierarchical,
            capability_type,
            revisions_to_keep: BUILTIN_REVISIONS,
            registered_by: "core".into(),
            rest_path: rest_path.into(),
        })
    }

    /// The type, or 404 `unknown_post_type`.
    pub async fn load(tx: &mut TenantTx, name: &str) -> ApiResult<Self> {
        if let Some(builtin) = Self::builtin(name) {
            return Ok(builtin);
        }
        let row: Option<(String, String, bool, String, i32, String)> = sqlx::query_as(
            "SELECT name, label, hierarchical, capability_type, revisions_to_keep, registered_by \
             FROM post_types WHERE name = $1",
        )
        .bind(name)
        .fetch_optional(&mut **tx)
        .await?;
        row.map(Self::from_row).ok_or_else(|| unknown(name))
    }

    /// Every type: the built-in ones first, then the registered ones by name.
    pub async fn all(tx: &mut TenantTx) -> ApiResult<Vec<Self>> {
        let rows: Vec<(String, String, bool, String, i32, String)> = sqlx::query_as(
            "SELECT name, label, hierarchical, capability_type, revisions_to_keep, registered_by \
             FROM post_types ORDER BY name",
        )
        .fetch_all(&mut **tx)
        .await?;
        let builtins = ["post", "page"].into_iter().filter_map(Self::builtin);
        Ok(builtins.chain(rows.into_iter().map(Self::from_row)).collect())
    }

    fn from_row(
        (name, label, hierarchical, capability_type, revisions_to_keep, registered_by): (
            String,
            String,
            bool,
            String,
            i32,
            String,
        ),
    ) -> Self {
        Self {
            rest_path: format!("/api/v1/content/{name}"),
            name,
            label,
            hierarchical,
            capability_type: CapabilityType::parse(&capability_type).unwrap_or(CapabilityType::Post),
            revisions_to_keep,
            registered_by,
        }
    }

    pub fn cap(&self, verb: &str) -> String {
        self.capability_type.cap(verb)
    }
}

pub fn unknown(name: &str) -> ApiError {
    ApiError::not_found(
        "unknown_post_type",
        format!(
            "there is no post type {:?}; GET /api/v1/types lists them",
            name.chars().take(40).collect::<String>()
        ),
    )
}
