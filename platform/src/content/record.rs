//! A post as stored: the row read from the database, and the record a write works on (and
//! hands to the `content.pre_save` filter).

use super::ids::{PostId, TermId};
use super::status::PostStatus;
use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use tenants::UserId;
use utoipa::ToSchema;

/// The columns of `posts p` a read needs, and its dates in the tenant's time zone (needs
/// [`TIME_ZONE_JOIN`]). A macro so that it can be `concat!`ed into the queries below.
macro_rules! post_fields {
    () => {
        "p.id, p.type, p.status, p.title, p.content, p.excerpt, p.slug, p.parent_id, \
        p.menu_order, p.author_id, p.comment_status, p.ping_status, p.password, p.sticky, p.template, p.format, \
        p.featured_media, p.date_gmt, p.modified_gmt, p.guid, p.version, p.last_editor_id, p.medical_content, \
        p.medical_disclaimer, p.evidence_level, p.scientific_references, p.professional_review_required, \
        p.professional_reviewer_id, p.medical_approval_status, p.medical_approved_at, p.contains_patient_data, \
        p.anonymization_applied, p.consent_for_publication, p.seo_title, p.seo_description, p.medical_keywords, \
        p.target_audience, \
        (p.date_gmt AT TIME ZONE z.tz) AS date_local, (p.modified_gmt AT TIME ZONE z.tz) AS modified_local"
    };
}

/// Every column of one post, its meta and term ids aggregated by subqueries.
pub const POST_COLUMNS: &str = concat!(
    post_fields!(),
    ", coalesce((SELECT jsonb_object_agg(m.key, m.value) FROM post_meta m WHERE m.post_id = p.id), '{}') AS meta, \
    coalesce((SELECT jsonb_object_agg(g.taxonomy, g.ids) FROM (SELECT t.taxonomy, jsonb_agg(t.id ORDER BY t.name) AS ids \
              FROM post_terms pt JOIN terms t ON t.id = pt.term_id WHERE pt.post_id = p.id GROUP BY t.taxonomy) g), \
             '{}') AS terms"
);

/// A page of posts: given a CTE `page (id, total[, relevance])` naming the page's posts,
/// their columns, and their meta and terms aggregated in one pass over all of them (a
/// subquery per post would run the term join once per post).
pub const PAGE_SELECT: &str = concat!(
    "meta AS (SELECT m.post_id, jsonb_object_agg(m.key, m.value) AS meta FROM post_meta m \
       WHERE m.post_id IN (SELECT id FROM page) GROUP BY m.post_id), \
     by_taxonomy AS (SELECT pt.post_id, t.taxonomy, jsonb_agg(t.id ORDER BY t.name) AS ids \
       FROM post_terms pt JOIN terms t ON t.id = pt.term_id WHERE pt.post_id IN (SELECT id FROM page) \
       GROUP BY pt.post_id, t.taxonomy), \
     terms AS (SELECT post_id, jsonb_object_agg(taxonomy, ids) AS terms FROM by_taxonomy GROUP BY post_id) \
     SELECT ",
    post_fields!(),
    ", coalesce(meta.meta, '{}') AS meta, coalesce(terms.terms, '{}') AS terms, page.total \
     FROM page JOIN posts p ON p.id = page.id \
     CROSS JOIN (SELECT coalesce(document->>'timezone', 'UTC') AS tz FROM settings LIMIT 1) z \
     LEFT JOIN meta ON meta.post_id = p.id LEFT JOIN terms ON terms.post_id = p.id"
);

/// The tenant's time zone as `z.tz`, for the local dates. `LIMIT 1` keeps the planner's
/// estimate at one row: `settings` has one, but the planner cannot know it before ANALYZE,
/// and an estimate of hundreds multiplied a page's cost past the JIT threshold.
pub const TIME_ZONE_JOIN: &str =
    "CROSS JOIN (SELECT coalesce(document->>'timezone', 'UTC') AS tz FROM settings LIMIT 1) z";

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

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PostRow {
    pub id: PostId,
    #[sqlx(rename = "type")]
    pub post_type: String,
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
    pub medical_content: bool,
    pub medical_disclaimer: Option<String>,
    pub evidence_level: Option<String>,
    pub scientific_references: Value,
    pub professional_review_required: bool,
    pub professional_reviewer_id: Option<UserId>,
    pub medical_approval_status: String,
    pub medical_approved_at: Option<DateTime<Utc>>,
    pub contains_patient_data: bool,
    pub anonymization_applied: bool,
    pub consent_for_publication: bool,
    pub seo_title: Option<String>,
    pub seo_description: Option<String>,
    pub medical_keywords: Value,
    pub target_audience: Option<String>,
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
    pub post_type: String,
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
    pub medical_content: bool,
    pub medical_disclaimer: Option<String>,
    /// I to IV (evidence-based medicine).
    pub evidence_level: Option<String>,
    pub scientific_references: Vec<Value>,
    pub professional_review_required: bool,
    #[schema(value_type = Option<String>, format = Uuid)]
    pub professional_reviewer: Option<UserId>,
    /// `pending`, `approved` or `rejected`.
    pub medical_approval_status: String,
    pub medical_approved_at: Option<DateTime<Utc>>,
    pub contains_patient_data: bool,
    pub anonymization_applied: bool,
    pub consent_for_publication: bool,
    pub seo_title: Option<String>,
    pub seo_description: Option<String>,
    pub medical_keywords: Vec<String>,
    /// `professionals`, `patients` or `general`.
    pub target_audience: Option<String>,
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
            medical_content: self.medical_content,
            medical_disclaimer: self.medical_disclaimer.clone(),
            evidence_level: self.evidence_level.clone(),
            scientific_references: self.scientific_references.as_array().cloned().unwrap_or_default(),
            professional_review_required: self.professional_review_required,
            professional_reviewer: self.professional_reviewer_id,
            medical_approval_status: self.medical_approval_status.clone(),
            medical_approved_at: self.medical_approved_at,
            contains_patient_data: self.contains_patient_data,
            anonymization_applied: self.anonymization_applied,
            consent_for_publication: self.consent_for_publication,
            seo_title: self.seo_title.clone(),
            seo_description: self.seo_description.clone(),
            medical_keywords: serde_json::from_value(self.medical_keywords.clone()).unwrap_or_default(),
            target_audience: self.target_audience.clone(),
        }
    }

    pub fn term_ids(&self) -> BTreeMap<String, Vec<TermId>> {
        serde_json::from_value(self.terms.clone()).unwrap_or_default()
    }
}

impl PostRecord {
    /// A new post's starting point, before the request's fields are applied.
    pub fn new(post_type: &str, author: UserId, now: DateTime<Utc>) -> Self {
        Self {
            id: PostId::new(),
            post_type: post_type.to_owned(),
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
            medical_content: false,
            medical_disclaimer: None,
            evidence_level: None,
            scientific_references: Vec::new(),
            professional_review_required: false,
            professional_reviewer: None,
            medical_approval_status: "pending".into(),
            medical_approved_at: None,
            contains_patient_data: false,
            anonymization_applied: false,
            consent_for_publication: false,
            seo_title: None,
            seo_description: None,
            medical_keywords: Vec::new(),
            target_audience: None,
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
            "contains_patient_data": self.contains_patient_data,
            "medical_approval_status": self.medical_approval_status,
        })
    }
}

/// Payload of `content.pre_save` and `content.pre_publish`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PreSavePayload {
    pub post: PostRecord,
    /// The post as it was before this write; absent for a new post.
    pub previous: Option<PostRecord>,
    /// The request's `acf` object (custom field values), on `content.pre_save` only, when
    /// the request sent one. Not stored: a plugin turns it into meta.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acf: Option<Map<String, Value>>,
}

/// Payload of `content.prepare_response`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PrepareResponsePayload {
    /// `view` or `edit`.
    pub context: String,
    /// The posts as the reader will get them.
    pub posts: Vec<super::view::PostView>,
}

/// Event of `content.transition`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TransitionEvent {
    pub post: PostId,
    #[serde(rename = "type")]
    pub post_type: String,
    /// Absent for a new post (WordPress's `new`).
    pub old_status: Option<PostStatus>,
    pub new_status: PostStatus,
}

/// Event of `content.saved`, `content.published` and `content.deleted`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SavedEvent {
    pub post: PostRecord,
    /// False for a new post.
    pub update: bool,
}
