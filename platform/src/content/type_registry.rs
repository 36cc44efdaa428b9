//! Registering post types (`manage_options`), as a tenant's administrator does in WordPress
//! with a custom-post-type plugin. Plugins register theirs through the same table
//! (`registered_by = plugin:{name}`).

use super::caller::Caller;
use super::capability::MANAGE_OPTIONS;
use super::error::{Conflict, ContentError, ContentResult};
use super::input::Problems;
use super::post_type::{self, CapabilityType, PostType, PostTypeName};
use serde::Deserialize;
use tenants::TenantTx;
use utoipa::ToSchema;

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

/// A post type checked for registering: a free name, a label, and its policy.
#[derive(Debug, Clone)]
pub struct NewPostType {
    pub name: PostTypeName,
    /// Trimmed.
    pub label: String,
    pub hierarchical: bool,
    pub capability_type: CapabilityType,
    pub revisions_to_keep: i32,
}

/// A label: 1 to 100 characters, not only spaces.
pub(super) fn check_label(label: &str, problems: &mut Problems) {
    if label.trim().is_empty() || label.chars().count() > 100 {
        problems.add("label", "1 to 100 characters");
    }
}

impl TryFrom<PostTypeInput> for NewPostType {
    type Error = ContentError;

    /// Every field's problem at once (422); then a name WordPress reserves (409).
    fn try_from(input: PostTypeInput) -> ContentResult<Self> {
        let mut problems = Problems::default();
        let name = PostTypeName::parse(&input.name);
        if let Err(error) = &name {
            problems.add("name", error.to_string());
        }
        check_label(&input.label, &mut problems);
        let capability_type = CapabilityType::parse(input.capability_type.as_deref().unwrap_or("post"));
        if capability_type.is_none() {
            problems.add("capability_type", "post or page");
        }
        let revisions_to_keep = input.revisions_to_keep.unwrap_or(25);
        if !(0..=1000).contains(&revisions_to_keep) {
            problems.add("revisions_to_keep", "0 to 1000");
        }
        let (Ok(name), Some(capability_type), true) = (name, capability_type, problems.0.is_empty()) else {
            return Err(ContentError::Invalid(problems.0));
        };
        if post_type::RESERVED.contains(&name.as_str()) {
            return Err(Conflict::TypeExists { reserved: true }.into());
        }
        Ok(Self {
            name,
            label: input.label.trim().to_owned(),
            hierarchical: input.hierarchical.unwrap_or(false),
            capability_type,
            revisions_to_keep,
        })
    }
}

/// Registers a post type; its posts are served at `/api/v1/content/{name}`.
pub async fn register_type(tx: &mut TenantTx, who: Caller<'_>, new: NewPostType) -> ContentResult<PostType> {
    let me = who.who;
    me.require(MANAGE_OPTIONS)?;
    let inserted = sqlx::query(
        "INSERT INTO post_types (name, label, hierarchical, capability_type, revisions_to_keep) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (name) DO NOTHING",
    )
    .bind(&new.name)
    .bind(&new.label)
    .bind(new.hierarchical)
    .bind(new.capability_type.as_str())
    .bind(new.revisions_to_keep)
    .execute(&mut **tx)
    .await?;
    if inserted.rows_affected() == 0 {
        return Err(Conflict::TypeExists { reserved: false }.into());
    }
    who.record(
        tx,
        "content.type_register",
        ("post_type", new.name.as_str()),
        serde_json::json!({}),
    )
    .await?;
    PostType::load(tx, &new.name).await
}

/// Unregisters a post type that has no posts left and that no taxonomy classifies.
pub async fn unregister_type(tx: &mut TenantTx, who: Caller<'_>, name: &PostTypeName) -> ContentResult<()> {
    let me = who.who;
    me.require(MANAGE_OPTIONS)?;
    if PostType::builtin(name).is_some() {
        return Err(Conflict::CoreType.into());
    }
    let (exists, posts, named_by): (bool, bool, bool) = sqlx::query_as(
        "SELECT EXISTS (SELECT 1 FROM post_types WHERE name = $1 FOR UPDATE), \
                EXISTS (SELECT 1 FROM posts WHERE type = $1), \
                EXISTS (SELECT 1 FROM taxonomies WHERE $1 = ANY(object_types))",
    )
    .bind(name)
    .fetch_one(&mut **tx)
    .await?;
    if !exists {
        return Err(ContentError::UnknownPostType(name.to_string()));
    }
    if posts || named_by {
        return Err(Conflict::TypeInUse { by_taxonomy: !posts }.into());
    }
    sqlx::query("DELETE FROM post_types WHERE name = $1")
        .bind(name)
        .execute(&mut **tx)
        .await?;
    who.record(
        tx,
        "content.type_unregister",
        ("post_type", name.as_str()),
        serde_json::json!({}),
    )
    .await?;
    Ok(())
}
