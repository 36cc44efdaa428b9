//! How the body of a create or update is applied to a post record: every present field, each
//! checked, every problem collected (422, one entry per field).

use super::input::{
    MAX_EXCERPT_CHARS, MAX_KEYWORDS, MAX_META_KEYS, MAX_META_VALUE_BYTES, MAX_REFERENCES, MAX_TERMS_PER_TAXONOMY,
    MAX_TITLE_CHARS, PostInput, Problems, parse_date,
};
use super::record::PostRecord;
use serde_json::{Map, Value};

const FORMATS: [&str; 10] = [
    "standard", "aside", "chat", "gallery", "link", "image", "quote", "status", "video", "audio",
];

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

impl PostInput {
    /// Applies every present field except `status`, `author` and `slug` (decided by the
    /// caller, which checks who may set them). Problems are listed in the order of the
    /// fields: healthcare first, then text, settings, date, meta and terms.
    pub fn apply(mut self, post: &mut PostRecord, zone: chrono_tz::Tz, problems: &mut Problems) {
        self.apply_healthcare(post, problems);
        self.apply_text(post, problems);
        self.apply_settings(post, problems);
        match (self.date.take(), self.date_gmt.take()) {
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
        if let Some(meta) = self.meta.take() {
            apply_meta(&mut post.meta, meta, problems);
        }
        self.apply_terms(post, problems);
    }

    fn apply_text(&mut self, post: &mut PostRecord, problems: &mut Problems) {
        if let Some(title) = self.title.take() {
            post.title = title.into_string();
            if post.title.chars().count() > MAX_TITLE_CHARS {
                problems.add("title", format!("at most {MAX_TITLE_CHARS} characters"));
            }
        }
        if let Some(content) = self.content.take() {
            post.content = content.into_string();
        }
        if let Some(excerpt) = self.excerpt.take() {
            post.excerpt = excerpt.into_string();
            if post.excerpt.chars().count() > MAX_EXCERPT_CHARS {
                problems.add("excerpt", format!("at most {MAX_EXCERPT_CHARS} characters"));
            }
        }
    }

    /// Parent, order, discussion, password, stickiness, template, format, featured media.
    fn apply_settings(&mut self, post: &mut PostRecord, problems: &mut Problems) {
        if let Some(parent) = self.parent.take() {
            post.parent = parent;
            if parent == Some(post.id) {
                problems.add("parent", "a post cannot be its own parent");
            }
        }
        if let Some(order) = self.menu_order.take() {
            post.menu_order = order;
        }
        if let Some(value) = self
            .comment_status
            .take()
            .and_then(|v| open_closed(v, "comment_status", problems))
        {
            post.comment_status = value;
        }
        if let Some(value) = self
            .ping_status
            .take()
            .and_then(|v| open_closed(v, "ping_status", problems))
        {
            post.ping_status = value;
        }
        if let Some(password) = self.password.take() {
            if password.chars().count() > 255 {
                problems.add("password", "at most 255 characters");
            }
            post.password = password;
        }
        if let Some(sticky) = self.sticky.take() {
            post.sticky = sticky;
        }
        if let Some(template) = self.template.take() {
            if template.chars().count() > 100 {
                problems.add("template", "at most 100 characters");
            }
            post.template = template;
        }
        if let Some(format) = self.format.take() {
            if !FORMATS.contains(&format.as_str()) {
                problems.add("format", format!("one of {}", FORMATS.join(", ")));
            }
            post.format = format;
        }
        if let Some(media) = self.featured_media.take() {
            post.featured_media = media;
        }
    }

    /// Categories, tags and other taxonomies' terms, each list sorted and without repeats.
    fn apply_terms(&mut self, post: &mut PostRecord, problems: &mut Problems) {
        for (taxonomy, ids) in [("category", self.categories.take()), ("post_tag", self.tags.take())] {
            if let Some(ids) = ids {
                post.terms.insert(taxonomy.to_owned(), ids);
            }
        }
        for (taxonomy, ids) in self.terms.take().unwrap_or_default() {
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
        let medical = &mut post.medical;
        if let Some(value) = self.medical_content.take() {
            medical.medical_content = value;
        }
        if let Some(value) = self.medical_disclaimer.take() {
            medical.medical_disclaimer = bounded(value, 5_000, "medical_disclaimer", problems);
        }
        if let Some(value) = self.evidence_level.take() {
            let value = value.filter(|v| !v.is_empty());
            if let Some(level) = &value
                && !["I", "II", "III", "IV"].contains(&level.as_str())
            {
                problems.add("evidence_level", "I, II, III or IV");
            }
            medical.evidence_level = value;
        }
        if let Some(references) = self.scientific_references.take() {
            if references.len() > MAX_REFERENCES {
                problems.add("scientific_references", format!("at most {MAX_REFERENCES}"));
            }
            if references.iter().any(|r| r.to_string().len() > 4_096) {
                problems.add("scientific_references", "each reference at most 4 KiB of JSON");
            }
            medical.scientific_references = references;
        }
        if let Some(value) = self.professional_review_required.take() {
            medical.professional_review_required = value;
        }
        if let Some(value) = self.professional_reviewer.take() {
            medical.professional_reviewer = value;
        }
        if let Some(value) = self.contains_patient_data.take() {
            medical.contains_patient_data = value;
        }
        if let Some(value) = self.anonymization_applied.take() {
            medical.anonymization_applied = value;
        }
        if let Some(value) = self.consent_for_publication.take() {
            medical.consent_for_publication = value;
        }
        if let Some(value) = self.seo_title.take() {
            medical.seo_title = bounded(value, 160, "seo_title", problems);
        }
        if let Some(value) = self.seo_description.take() {
            medical.seo_description = bounded(value, 320, "seo_description", problems);
        }
        if let Some(keywords) = self.medical_keywords.take() {
            if keywords.len() > MAX_KEYWORDS || keywords.iter().any(|k| k.trim().is_empty() || k.chars().count() > 100)
            {
                problems.add(
                    "medical_keywords",
                    format!("at most {MAX_KEYWORDS} keywords of 1 to 100 characters"),
                );
            }
            medical.medical_keywords = keywords;
        }
        if let Some(value) = self.target_audience.take() {
            let value = value.filter(|v| !v.is_empty());
            if let Some(audience) = &value
                && !["professionals", "patients", "general"].contains(&audience.as_str())
            {
                problems.add("target_audience", "professionals, patients or general");
            }
            medical.target_audience = value;
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
    use serde_json::Map;

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
