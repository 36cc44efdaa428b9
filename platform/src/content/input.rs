//! The body of a create or update, with WordPress's field names, and how it is applied to a
//! post record. Every problem is collected and answered together (422, one entry per field).

use super::ids::{PostId, TermId};
use super::record::PostRecord;
use super::status::PostStatus;
use crate::http::FieldError;
use chrono::{DateTime, NaiveDateTime, TimeZone as _, Utc};
use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use tenants::UserId;
use utoipa::ToSchema;

/// Text fields accept a string or WordPress's `{"raw": "..."}`.
#[derive(Debug, Clone, PartialEq, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum TextInput {
    Plain(String),
    Raw { raw: String },
}

impl TextInput {
    fn into_string(self) -> String {
        match self {
            Self::Plain(text) | Self::Raw { raw: text } => text,
        }
    }
}

/// Present-and-null is not absent: `"parent": null` removes the parent.
pub(crate) fn some<'de, T: Deserialize<'de>, D: Deserializer<'de>>(d: D) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// A post to create, or the fields of one to change (absent fields stay as they are).
#[derive(Debug, Clone, Default, PartialEq, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PostInput {
    /// At most 1,000 characters.
    #[schema(schema_with = title_schema)]
    pub title: Option<TextInput>,
    pub content: Option<TextInput>,
    /// At most 10,000 characters.
    #[schema(schema_with = excerpt_schema)]
    pub excerpt: Option<TextInput>,
    /// `draft` (default), `pending`, `publish`, `future`, `private`, `trash`; `auto-draft` on create.
    #[schema(value_type = Option<super::status::PostStatus>)]
    pub status: Option<String>,
    /// Made URL-safe; suffixed (`-2`, `-3`...) when taken, unless `on_slug_conflict=error`.
    pub slug: Option<String>,
    #[serde(default, deserialize_with = "some")]
    pub parent: Option<Option<PostId>>,
    pub menu_order: Option<i32>,
    /// Another user as author needs `edit_others_{posts|pages}`.
    #[schema(value_type = Option<String>, format = Uuid)]
    pub author: Option<UserId>,
    #[schema(value_type = Option<OpenClosed>)]
    pub comment_status: Option<String>,
    #[schema(value_type = Option<OpenClosed>)]
    pub ping_status: Option<String>,
    #[schema(max_length = 255)]
    pub password: Option<String>,
    pub sticky: Option<bool>,
    #[schema(max_length = 100)]
    pub template: Option<String>,
    #[schema(value_type = Option<PostFormat>)]
    pub format: Option<String>,
    #[serde(default, deserialize_with = "some")]
    pub featured_media: Option<Option<uuid::Uuid>>,
    /// In the tenant's time zone (`2026-01-31T09:00:00`), or with an offset. Not with `date_gmt`.
    pub date: Option<String>,
    /// In UTC. Not with `date`.
    pub date_gmt: Option<String>,
    /// Keys to set (1 to 255 of `A-Z a-z 0-9 _ . : -`, not starting with `.`, `:` or `-`;
    /// values at most 64 KiB of JSON); `null` removes a key. At most 200 keys per post.
    pub meta: Option<Map<String, Value>>,
    /// Term ids of `category` (replaces the post's categories).
    #[schema(max_items = 100)]
    pub categories: Option<Vec<TermId>>,
    /// Term ids of `post_tag`.
    #[schema(max_items = 100)]
    pub tags: Option<Vec<TermId>>,
    /// Term ids of other taxonomies, by taxonomy.
    pub terms: Option<BTreeMap<String, Vec<TermId>>>,
    pub medical_content: Option<bool>,
    #[serde(default, deserialize_with = "some")]
    #[schema(max_length = 5000)]
    pub medical_disclaimer: Option<Option<String>>,
    /// `I`, `II`, `III` or `IV`; empty or `null` removes it.
    #[serde(default, deserialize_with = "some")]
    #[schema(value_type = Option<String>, pattern = "^(I|II|III|IV)?$")]
    pub evidence_level: Option<Option<String>>,
    /// At most 100, each at most 4 KiB of JSON.
    #[schema(max_items = 100)]
    pub scientific_references: Option<Vec<Value>>,
    pub professional_review_required: Option<bool>,
    #[serde(default, deserialize_with = "some")]
    #[schema(value_type = Option<String>, format = Uuid)]
    pub professional_reviewer: Option<Option<UserId>>,
    /// `approved` or `rejected` need `approve_medical_content`, and someone other than the author.
    #[schema(value_type = Option<String>, pattern = "^(pending|approved|rejected)$")]
    pub medical_approval_status: Option<String>,
    pub contains_patient_data: Option<bool>,
    pub anonymization_applied: Option<bool>,
    pub consent_for_publication: Option<bool>,
    #[serde(default, deserialize_with = "some")]
    #[schema(max_length = 160)]
    pub seo_title: Option<Option<String>>,
    #[serde(default, deserialize_with = "some")]
    #[schema(max_length = 320)]
    pub seo_description: Option<Option<String>>,
    /// At most 50, each 1 to 100 characters and not only spaces.
    #[schema(max_items = 50, schema_with = keywords_schema)]
    pub medical_keywords: Option<Vec<String>>,
    /// `professionals`, `patients` or `general`; empty or `null` removes it.
    #[serde(default, deserialize_with = "some")]
    #[schema(value_type = Option<String>, pattern = "^(professionals|patients|general)?$")]
    pub target_audience: Option<Option<String>>,
    /// Custom field values by field name, as ACF's REST API takes them. Handled by the
    /// custom-fields plugin (checked against the field groups that apply to the post, stored
    /// in meta); ignored when no plugin handles it.
    pub acf: Option<Map<String, Value>>,
}

/// `open` or `closed` (the document's view of `comment_status` and `ping_status`).
#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum OpenClosed {
    Open,
    Closed,
}

/// WordPress's post formats (the document's view of `format`).
#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum PostFormat {
    Standard,
    Aside,
    Chat,
    Gallery,
    Link,
    Image,
    Quote,
    Status,
    Video,
    Audio,
}

/// A text field of at most `max` characters: a string, or `{"raw": "..."}`.
fn text_schema(max: usize) -> utoipa::openapi::schema::Schema {
    use utoipa::openapi::schema::{ObjectBuilder, OneOfBuilder, Type};
    let text = || ObjectBuilder::new().schema_type(Type::String).max_length(Some(max));
    OneOfBuilder::new()
        .item(text())
        .item(ObjectBuilder::new().property("raw", text()).required("raw"))
        .item(ObjectBuilder::new().schema_type(Type::Null))
        .into()
}

fn title_schema() -> utoipa::openapi::schema::Schema {
    text_schema(MAX_TITLE_CHARS)
}

fn excerpt_schema() -> utoipa::openapi::schema::Schema {
    text_schema(MAX_EXCERPT_CHARS)
}

fn keywords_schema() -> utoipa::openapi::schema::Schema {
    use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Type};
    ArrayBuilder::new()
        .schema_type(utoipa::openapi::schema::SchemaType::from_iter([
            Type::Array,
            Type::Null,
        ]))
        .items(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .min_length(Some(1))
                .max_length(Some(100))
                .pattern(Some(r"\S")),
        )
        .max_items(Some(MAX_KEYWORDS))
        .into()
}

pub const MAX_TITLE_CHARS: usize = 1_000;
pub const MAX_EXCERPT_CHARS: usize = 10_000;
pub const MAX_META_KEYS: usize = 200;
pub const MAX_META_VALUE_BYTES: usize = 65_536;
pub const MAX_TERMS_PER_TAXONOMY: usize = 100;
pub const MAX_REFERENCES: usize = 100;
pub const MAX_KEYWORDS: usize = 50;
const FORMATS: [&str; 10] = [
    "standard", "aside", "chat", "gallery", "link", "image", "quote", "status", "video", "audio",
];

/// Collects field errors.
#[derive(Default)]
pub struct Problems(pub Vec<FieldError>);

impl Problems {
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0.push(FieldError {
            field: field.to_owned(),
            message: message.into(),
        });
    }
}

fn open_closed(value: String, field: &str, problems: &mut Problems) -> Option<String> {
    if value == "open" || value == "closed" {
        Some(value)
    } else {
        problems.add(field, "open or closed");
        None
    }
}

fn bounded(value: Option<String>, max: usize, field: &str, problems: &mut Problems) -> Option<String> {
    let value = value.filter(|v| !v.trim().is_empty())?;
    if value.chars().count() > max {
        problems.add(field, format!("at most {max} characters"));
    }
    Some(value)
}

/// An ILIKE pattern matching text that contains `text`, its wildcards taken literally.
pub fn contains_pattern(text: &str) -> String {
    let escaped = text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    format!("%{escaped}%")
}

/// A date in UTC, from a string with an offset, or a local time read in `zone`.
pub fn parse_date(text: &str, zone: chrono_tz::Tz) -> Option<DateTime<Utc>> {
    if let Ok(with_offset) = DateTime::parse_from_rfc3339(text) {
        return Some(with_offset.with_timezone(&Utc));
    }
    let naive = NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S")
        .or_else(|_| NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S"))
        .ok()?;
    zone.from_local_datetime(&naive)
        .earliest()
        .map(|d| d.with_timezone(&Utc))
}

impl PostInput {
    /// The status asked for, or a 422 entry naming the statuses there are.
    pub fn status(&self, problems: &mut Problems) -> Option<PostStatus> {
        let text = self.status.as_deref()?;
        let status = PostStatus::parse(text);
        if status.is_none() {
            problems.add(
                "status",
                format!("unknown status; one of {}", super::status::names(&PostStatus::ALL)),
            );
        }
        status
    }

    /// Applies every present field except `status`, `author` and `slug` (decided by the
    /// caller, which checks who may set them).
    pub fn apply(mut self, post: &mut PostRecord, zone: chrono_tz::Tz, problems: &mut Problems) {
        self.apply_healthcare(post, problems);
        if let Some(title) = self.title {
            post.title = title.into_string();
            if post.title.chars().count() > MAX_TITLE_CHARS {
                problems.add("title", format!("at most {MAX_TITLE_CHARS} characters"));
            }
        }
        if let Some(content) = self.content {
            post.content = content.into_string();
        }
        if let Some(excerpt) = self.excerpt {
            post.excerpt = excerpt.into_string();
            if post.excerpt.chars().count() > MAX_EXCERPT_CHARS {
                problems.add("excerpt", format!("at most {MAX_EXCERPT_CHARS} characters"));
            }
        }
        if let Some(parent) = self.parent {
            post.parent = parent;
            if parent == Some(post.id) {
                problems.add("parent", "a post cannot be its own parent");
            }
        }
        if let Some(order) = self.menu_order {
            post.menu_order = order;
        }
        if let Some(value) = self
            .comment_status
            .and_then(|v| open_closed(v, "comment_status", problems))
        {
            post.comment_status = value;
        }
        if let Some(value) = self.ping_status.and_then(|v| open_closed(v, "ping_status", problems)) {
            post.ping_status = value;
        }
        if let Some(password) = self.password {
            if password.chars().count() > 255 {
                problems.add("password", "at most 255 characters");
            }
            post.password = password;
        }
        if let Some(sticky) = self.sticky {
            post.sticky = sticky;
        }
        if let Some(template) = self.template {
            if template.chars().count() > 100 {
                problems.add("template", "at most 100 characters");
            }
            post.template = template;
        }
        if let Some(format) = self.format {
            if !FORMATS.contains(&format.as_str()) {
                problems.add("format", format!("one of {}", FORMATS.join(", ")));
            }
            post.format = format;
        }
        if let Some(media) = self.featured_media {
            post.featured_media = media;
        }
        match (self.date, self.date_gmt) {
            (Some(_), Some(_)) => problems.add("date", "give date or date_gmt, not both"),
            (Some(local), None) => match parse_date(&local, zone) {
                Some(date) => post.date_gmt = date,
                None => problems.add("date", "a date such as 2026-01-31T09:00:00 (the site's time zone)"),
            },
            (None, Some(gmt)) => match parse_date(&gmt, chrono_tz::UTC) {
                Some(date) => post.date_gmt = date,
                None => problems.add("date_gmt", "a date such as 2026-01-31T09:00:00 (UTC)"),
            },
            (None, None) => {}
        }
        if let Some(meta) = self.meta {
            apply_meta(&mut post.meta, meta, problems);
        }
        for (taxonomy, ids) in [("category", self.categories), ("post_tag", self.tags)] {
            if let Some(ids) = ids {
                post.terms.insert(taxonomy.to_owned(), ids);
            }
        }
        for (taxonomy, ids) in self.terms.unwrap_or_default() {
            post.terms.insert(taxonomy, ids);
        }
        for (taxonomy, ids) in &mut post.terms {
            ids.sort();
            ids.dedup();
            if ids.len() > MAX_TERMS_PER_TAXONOMY {
                problems.add(
                    &format!("terms/{taxonomy}"),
                    format!("at most {MAX_TERMS_PER_TAXONOMY} terms"),
                );
            }
        }
    }

    fn apply_healthcare(&mut self, post: &mut PostRecord, problems: &mut Problems) {
        if let Some(value) = self.medical_content.take() {
            post.medical_content = value;
        }
        if let Some(value) = self.medical_disclaimer.take() {
            post.medical_disclaimer = bounded(value, 5_000, "medical_disclaimer", problems);
        }
        if let Some(value) = self.evidence_level.take() {
            let value = value.filter(|v| !v.is_empty());
            if let Some(level) = &value
                && !["I", "II", "III", "IV"].contains(&level.as_str())
            {
                problems.add("evidence_level", "I, II, III or IV");
            }
            post.evidence_level = value;
        }
        if let Some(references) = self.scientific_references.take() {
            if references.len() > MAX_REFERENCES {
                problems.add("scientific_references", format!("at most {MAX_REFERENCES}"));
            }
            if references.iter().any(|r| r.to_string().len() > 4_096) {
                problems.add("scientific_references", "each reference at most 4 KiB of JSON");
            }
            post.scientific_references = references;
        }
        if let Some(value) = self.professional_review_required.take() {
            post.professional_review_required = value;
        }
        if let Some(value) = self.professional_reviewer.take() {
            post.professional_reviewer = value;
        }
        if let Some(value) = self.contains_patient_data.take() {
            post.contains_patient_data = value;
        }
        if let Some(value) = self.anonymization_applied.take() {
            post.anonymization_applied = value;
        }
        if let Some(value) = self.consent_for_publication.take() {
            post.consent_for_publication = value;
        }
        if let Some(value) = self.seo_title.take() {
            post.seo_title = bounded(value, 160, "seo_title", problems);
        }
        if let Some(value) = self.seo_description.take() {
            post.seo_description = bounded(value, 320, "seo_description", problems);
        }
        if let Some(keywords) = self.medical_keywords.take() {
            if keywords.len() > MAX_KEYWORDS || keywords.iter().any(|k| k.trim().is_empty() || k.chars().count() > 100)
            {
                problems.add(
                    "medical_keywords",
                    format!("at most {MAX_KEYWORDS} keywords of 1 to 100 characters"),
                );
            }
            post.medical_keywords = keywords;
        }
        if let Some(value) = self.target_audience.take() {
            let value = value.filter(|v| !v.is_empty());
            if let Some(audience) = &value
                && !["professionals", "patients", "general"].contains(&audience.as_str())
            {
                problems.add("target_audience", "professionals, patients or general");
            }
            post.target_audience = value;
        }
    }
}

/// Sets meta keys (`null` removes one), checking keys and sizes.
pub fn apply_meta(meta: &mut Map<String, Value>, changes: Map<String, Value>, problems: &mut Problems) {
    for (key, value) in changes {
        if !valid_meta_key(&key) {
            problems.add(
                &format!("meta/{}", key.chars().take(60).collect::<String>()),
                "a key of 1 to 255 of A-Z a-z 0-9 _ . : -, not starting with . : or -",
            );
            continue;
        }
        if value.is_null() {
            meta.remove(&key);
        } else {
            if value.to_string().len() > MAX_META_VALUE_BYTES {
                problems.add(&format!("meta/{key}"), "at most 64 KiB of JSON");
            }
            meta.insert(key, value);
        }
    }
    if meta.len() > MAX_META_KEYS {
        problems.add("meta", format!("at most {MAX_META_KEYS} keys per post"));
    }
}

pub fn valid_meta_key(key: &str) -> bool {
    let mut bytes = key.bytes();
    let first_ok = bytes.next().is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_');
    first_ok && key.len() <= 255 && bytes.all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b':' | b'-'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_read_offsets_and_local_times_in_the_site_zone() {
        let zone: chrono_tz::Tz = "America/Sao_Paulo".parse().expect("zone");
        let local = parse_date("2026-01-31T09:00:00", zone).expect("local");
        assert_eq!(local.to_rfc3339(), "2026-01-31T12:00:00+00:00");
        let explicit = parse_date("2026-01-31T09:00:00Z", zone).expect("utc");
        assert_eq!(explicit.to_rfc3339(), "2026-01-31T09:00:00+00:00");
        assert!(parse_date("yesterday", zone).is_none());
    }

    #[test]
    fn meta_keys_are_checked_and_null_removes() {
        let mut meta = Map::new();
        let mut problems = Problems::default();
        let changes = serde_json::json!({"color": "red", "_internal": 1, "bad key": 1, "-x": 2});
        apply_meta(&mut meta, changes.as_object().cloned().expect("object"), &mut problems);
        assert_eq!(meta.len(), 2);
        assert_eq!(problems.0.len(), 2);
        let removal = serde_json::json!({"color": null});
        apply_meta(&mut meta, removal.as_object().cloned().expect("object"), &mut problems);
        assert!(!meta.contains_key("color"));
    }
}
