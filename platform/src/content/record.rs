//! A post as stored: the row a read gets from the database, and the record a save writes
//! (and hands to the `content.pre_save` filter).

use super::ids::{PostId, TermId};
use super::medical::MedicalFields;
use super::post_select::{POST_COLUMNS, TIME_ZONE_JOIN};
use super::post_type::PostTypeName;
use super::status::PostStatus;
use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use tenants::UserId;
use utoipa::ToSchema;

/// One post by id, locked for update when `for_update`.
pub async fn find(tx: &mut tenants::TenantTx, id: PostId, for_update: bool) -> Result<Option<PostRow>, sqlx::Error> {
    let lock = if for_update { "FOR UPDATE OF p" } else { "" };
    sqlx::query_as(&format!(
        "SELECT {POST_COLUMNS} FROM posts p {TIME_ZONE_JOIN} WHERE p.id = $1 {lock}"
    ))
    .bind(id)
    .fetch_optional(&mut **tx)
    .await
}

/// A post as [`POST_COLUMNS`] reads it: its columns, its dates in the tenant's time zone,
/// and its meta and term ids.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PostRow {
    pub id: PostId,
    #[sqlx(rename = "type")]
    pub post_type: PostTypeName,
    #[sqlx(try_from = "String")]
    pub status: PostStatus,
    pub title: String,
    pub content: String,
    pub excerpt: String,
    pub slug: String,
    pub parent_id: Option<PostId>,
    pub menu_order: i32,
    pub author_id: UserId,
    pub comment_status: String,
    pub ping_status: String,
    pub password: String,
    pub sticky: bool,
    pub template: String,
    pub format: String,
    pub featured_media: Option<uuid::Uuid>,
    pub date_gmt: DateTime<Utc>,
    pub modified_gmt: DateTime<Utc>,
    pub guid: String,
    pub version: i64,
    pub last_editor_id: Option<UserId>,
    #[sqlx(flatten)]
    pub medical: MedicalFields,
    pub date_local: NaiveDateTime,
    pub modified_local: NaiveDateTime,
    pub meta: Value,
    pub terms: Value,
}

/// The writable state of a post: what a write stores, and what `content.pre_save` filters
/// receive and return. `id`, `type`, `author` and `status` are decided before the filters run
/// and may not be changed by them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PostRecord {
    pub id: PostId,
    #[serde(rename = "type")]
    #[schema(value_type = String)]
    pub post_type: PostTypeName,
    pub status: PostStatus,
    pub title: String,
    pub content: String,
    pub excerpt: String,
    pub slug: String,
    pub parent: Option<PostId>,
    pub menu_order: i32,
    #[schema(value_type = String, format = Uuid)]
    pub author: UserId,
    pub comment_status: String,
    pub ping_status: String,
    pub password: String,
    pub sticky: bool,
    pub template: String,
    pub format: String,
    pub featured_media: Option<uuid::Uuid>,
    pub date_gmt: DateTime<Utc>,
    /// Meta by key (`null` in a filter's output removes the key).
    pub meta: Map<String, Value>,
    /// Term ids by taxonomy (`category`, `post_tag`, ...).
    pub terms: BTreeMap<String, Vec<TermId>>,
    #[serde(flatten)]
    #[schema(inline)]
    pub medical: MedicalFields,
}

impl PostRow {
    pub fn record(&self) -> PostRecord {
        PostRecord {
            id: self.id,
            post_type: self.post_type.clone(),
            status: self.status,
            title: self.title.clone(),
            content: self.content.clone(),
            excerpt: self.excerpt.clone(),
            slug: self.slug.clone(),
            parent: self.parent_id,
            menu_order: self.menu_order,
            author: self.author_id,
            comment_status: self.comment_status.clone(),
            ping_status: self.ping_status.clone(),
            password: self.password.clone(),
            sticky: self.sticky,
            template: self.template.clone(),
            format: self.format.clone(),
            featured_media: self.featured_media,
            date_gmt: self.date_gmt,
            meta: self.meta.as_object().cloned().unwrap_or_default(),
            terms: self.term_ids(),
            medical: self.medical.clone(),
        }
    }

    pub fn term_ids(&self) -> BTreeMap<String, Vec<TermId>> {
        serde_json::from_value(self.terms.clone()).unwrap_or_default()
    }
}

impl PostRecord {
    /// A new post's starting point, before the request's fields are applied.
    pub fn new(post_type: &PostTypeName, author: UserId, now: DateTime<Utc>) -> Self {
        Self {
            id: PostId::new(),
            post_type: post_type.clone(),
            status: PostStatus::Draft,
            title: String::new(),
            content: String::new(),
            excerpt: String::new(),
            slug: String::new(),
            parent: None,
            menu_order: 0,
            author,
            comment_status: "open".into(),
            ping_status: "open".into(),
            password: String::new(),
            sticky: false,
            template: String::new(),
            format: "standard".into(),
            featured_media: None,
            date_gmt: now,
            meta: Map::new(),
            terms: BTreeMap::new(),
            medical: MedicalFields::default(),
        }
    }

    /// The text a revision keeps changed (WordPress's `_wp_post_revision_fields`, and meta).
    pub fn revisioned_fields_differ(&self, other: &Self) -> bool {
        self.title != other.title
            || self.content != other.content
            || self.excerpt != other.excerpt
            || self.meta != other.meta
    }

    /// What the audit trail keeps of a post: never its text, which may hold patient data.
    pub fn summary(&self) -> Value {
        serde_json::json!({
            "type": self.post_type, "status": self.status, "slug": self.slug,
            "title_chars": self.title.chars().count(), "content_chars": self.content.chars().count(),
            "author": self.author, "parent": self.parent,
            "contains_patient_data": self.medical.contains_patient_data,
            "medical_approval_status": self.medical.medical_approval_status,
        })
    }
}
