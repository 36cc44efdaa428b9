//! Post types: `post` and `page` built in (as in WordPress core), more registered by the
//! tenant or by plugins (rows of `post_types`).

use super::capability::PostCap;
use super::error::{ContentError, ContentResult};
use serde::{Deserialize, Serialize};
use tenants::TenantTx;
use utoipa::ToSchema;

/// The name of a post type: `post`, `page`, or a registered one. Checked once, where it comes
/// in; names read from the database are taken as they are.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, sqlx::Type)]
#[serde(try_from = "String", into = "String")]
#[sqlx(transparent)]
pub struct PostTypeName(String);

/// A post as the API names it: by its type (a post of another type is not found) and its id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostRef {
    pub post_type: PostTypeName,
    pub id: super::ids::PostId,
}

/// A string that cannot name a post type.
#[derive(Debug, Clone, thiserror::Error)]
#[error("a-z first, then a-z, 0-9, _ or -; at most {max} characters", max = PostTypeName::MAX_CHARS)]
pub struct NotAPostTypeName;

impl PostTypeName {
    pub const MAX_CHARS: usize = 20;

    /// a-z first, then a-z, 0-9, `_` or `-`; at most [`Self::MAX_CHARS`] characters (the built-in
    /// names are of this form too).
    pub fn parse(name: &str) -> Result<Self, NotAPostTypeName> {
        if is_name(name, Self::MAX_CHARS) {
            Ok(Self(name.to_owned()))
        } else {
            Err(NotAPostTypeName)
        }
    }

    pub fn post() -> Self {
        Self("post".into())
    }

    pub fn page() -> Self {
        Self("page".into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The rule of type and taxonomy names: a-z first, then a-z, 0-9, `_` or `-`; at most `max`.
pub fn is_name(name: &str, max: usize) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && name.len() <= max
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
}

impl TryFrom<String> for PostTypeName {
    type Error = NotAPostTypeName;
    fn try_from(name: String) -> Result<Self, NotAPostTypeName> {
        Self::parse(&name)
    }
}

impl From<PostTypeName> for String {
    fn from(name: PostTypeName) -> Self {
        name.0
    }
}

impl std::fmt::Display for PostTypeName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

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

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Post => "post",
            Self::Page => "page",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "post" => Some(Self::Post),
            "page" => Some(Self::Page),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PostType {
    /// `post`, `page`, or a registered name (a-z, 0-9, _ and -, at most 20).
    #[schema(value_type = String)]
    pub name: PostTypeName,
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

type Row = (PostTypeName, String, bool, String, i32, String);

impl PostType {
    pub fn builtin(name: &PostTypeName) -> Option<Self> {
        let (label, hierarchical, capability_type, rest_path) = match name.as_str() {
            "post" => ("Posts", false, CapabilityType::Post, "/api/v1/posts"),
            "page" => ("Pages", true, CapabilityType::Page, "/api/v1/pages"),
            _ => return None,
        };
        Some(Self {
            name: name.clone(),
            label: label.to_owned(),
            hierarchical,
            capability_type,
            revisions_to_keep: BUILTIN_REVISIONS,
            registered_by: "core".into(),
            rest_path: rest_path.into(),
        })
    }

    /// The type, or [`ContentError::UnknownPostType`].
    pub async fn load(tx: &mut TenantTx, name: &PostTypeName) -> ContentResult<Self> {
        if let Some(builtin) = Self::builtin(name) {
            return Ok(builtin);
        }
        let row: Option<Row> = sqlx::query_as(
            "SELECT name, label, hierarchical, capability_type, revisions_to_keep, registered_by \
             FROM post_types WHERE name = $1",
        )
        .bind(name)
        .fetch_optional(&mut **tx)
        .await?;
        row.map(Self::from_row)
            .ok_or_else(|| ContentError::UnknownPostType(name.to_string()))
    }

    /// Every type: the built-in ones first, then the registered ones by name.
    pub async fn all(tx: &mut TenantTx) -> ContentResult<Vec<Self>> {
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT name, label, hierarchical, capability_type, revisions_to_keep, registered_by \
             FROM post_types ORDER BY name",
        )
        .fetch_all(&mut **tx)
        .await?;
        let builtins = [PostTypeName::post(), PostTypeName::page()];
        let builtins = builtins.iter().filter_map(Self::builtin);
        Ok(builtins.chain(rows.into_iter().map(Self::from_row)).collect())
    }

    fn from_row((name, label, hierarchical, capability_type, revisions_to_keep, registered_by): Row) -> Self {
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

    /// The capability of this type's family: `cap(PostCap::Publish)` is `publish_posts` for
    /// posts, `publish_pages` for pages.
    pub fn cap(&self, cap: PostCap) -> String {
        format!("{}_{}", cap.verb(), self.capability_type.plural())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_names_are_checked_once() {
        assert!(PostTypeName::parse("post").is_ok());
        assert!(PostTypeName::parse("case-study_2").is_ok());
        for bad in ["", "Post", "2post", "a".repeat(21).as_str(), "post type"] {
            assert!(PostTypeName::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn capabilities_follow_the_capability_type() {
        let page = PostType::builtin(&PostTypeName::page()).expect("page");
        assert_eq!(page.cap(PostCap::EditOthers), "edit_others_pages");
        let post = PostType::builtin(&PostTypeName::post()).expect("post");
        assert_eq!(post.cap(PostCap::Publish), "publish_posts");
    }
}
