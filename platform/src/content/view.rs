//! How a post is shown: WordPress's REST shape, in the `view` or `edit` context.

use super::ids::{PostId, TermId};
use super::medical::MedicalFields;
use super::post_type::{PostType, PostTypeName};
use super::record::PostRow;
use super::status::PostStatus;
use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use tenants::UserId;
use utoipa::ToSchema;

/// `view` (default): what readers see. `edit`: raw text, password and protected meta, for
/// those who may edit the post.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Context {
    #[default]
    View,
    Edit,
}

/// A text field: `rendered` always; `raw` in the edit context.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Text {
    pub rendered: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub raw: Option<String>,
    /// For content and excerpt: the post has a password (and this reader did not give it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub protected: Option<bool>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PostView {
    pub id: PostId,
    /// Publication date in the site's time zone.
    #[schema(value_type = String, example = "2026-01-31T09:00:00")]
    pub date: NaiveDateTime,
    #[schema(value_type = String, example = "2026-01-31T12:00:00")]
    pub date_gmt: NaiveDateTime,
    pub guid: Text,
    #[schema(value_type = String)]
    pub modified: NaiveDateTime,
    #[schema(value_type = String)]
    pub modified_gmt: NaiveDateTime,
    pub slug: String,
    pub status: PostStatus,
    #[serde(rename = "type")]
    #[schema(value_type = String)]
    pub post_type: PostTypeName,
    /// The post in this API.
    pub link: String,
    pub title: Text,
    pub content: Text,
    pub excerpt: Text,
    #[schema(value_type = String, format = Uuid)]
    pub author: UserId,
    pub featured_media: Option<uuid::Uuid>,
    pub parent: Option<PostId>,
    pub menu_order: i32,
    pub comment_status: String,
    pub ping_status: String,
    pub sticky: bool,
    pub template: String,
    pub format: String,
    /// Meta by key; keys starting with `_` only in the edit context.
    pub meta: Map<String, Value>,
    pub categories: Vec<TermId>,
    pub tags: Vec<TermId>,
    /// Every taxonomy's term ids, `category` and `post_tag` included.
    pub terms: BTreeMap<String, Vec<TermId>>,
    /// Edit context only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
    /// Counts saves; also the ETag. Send it back in If-Match to update.
    pub version: i64,
    #[serde(flatten)]
    #[schema(schema_with = MedicalFields::as_viewed)]
    pub medical: MedicalFields,
    /// Edit context only.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = Uuid)]
    pub last_editor: Option<UserId>,
    /// Custom field values by field name, when a plugin (custom-fields) supplies them for this
    /// post; absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub acf: Option<Map<String, Value>>,
}

/// What the reader may see of a password-protected post.
#[derive(Debug, Clone, Copy)]
pub struct Reader {
    pub context: Context,
    /// The reader may edit the post, or gave its password.
    pub unlocked: bool,
}

impl PostView {
    pub fn new(row: PostRow, post_type: &PostType, reader: Reader) -> Self {
        let edit = reader.context == Context::Edit;
        let locked = !row.password.is_empty() && !reader.unlocked;
        let text = |value: &str, protectable: bool| Text {
            rendered: if protectable && locked {
                String::new()
            } else {
                value.to_owned()
            },
            raw: edit.then(|| value.to_owned()),
            protected: protectable.then_some(!row.password.is_empty()),
        };
        let mut meta = row.meta.as_object().cloned().unwrap_or_default();
        if !edit {
            meta.retain(|key, _| !key.starts_with('_'));
        }
        let terms = row.term_ids();
        Self {
            id: row.id,
            date: row.date_local,
            date_gmt: row.date_gmt.naive_utc(),
            guid: text(&row.guid, false),
            modified: row.modified_local,
            modified_gmt: row.modified_gmt.naive_utc(),
            slug: row.slug.clone(),
            status: row.status,
            link: format!("{}/{}", post_type.rest_path, row.id),
            title: text(&row.title, false),
            content: text(&row.content, true),
            excerpt: text(&row.excerpt, true),
            post_type: row.post_type,
            author: row.author_id,
            featured_media: row.featured_media,
            parent: row.parent_id,
            menu_order: row.menu_order,
            comment_status: row.comment_status,
            ping_status: row.ping_status,
            sticky: row.sticky,
            template: row.template,
            format: row.format,
            meta,
            categories: terms.get("category").cloned().unwrap_or_default(),
            tags: terms.get("post_tag").cloned().unwrap_or_default(),
            terms,
            password: edit.then_some(row.password),
            version: row.version,
            medical: row.medical,
            last_editor: if edit { row.last_editor_id } else { None },
            acf: None,
        }
    }
}
