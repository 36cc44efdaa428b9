//! The body of a create or update, with WordPress's field names, and how it is applied to a
//! post record. Every problem is collected and answered together (422, one entry per field).

use super::ids::{PostId, TermId};
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
    pub(super) fn into_string(self) -> String {
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
}
