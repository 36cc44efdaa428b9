//! Field groups as ACF writes them in its local JSON: the plugin's tenant configuration is
//! `{"field_groups": [...]}` in exactly that shape, so ACF exports import as they are.

use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value};

/// The plugin's configuration.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Config {
    #[serde(default)]
    pub field_groups: Vec<FieldGroup>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct FieldGroup {
    pub key: String,
    pub title: String,
    #[serde(default)]
    pub fields: Vec<Field>,
    /// OR of ANDs.
    #[serde(default)]
    pub location: Vec<Vec<Rule>>,
    #[serde(default)]
    pub menu_order: i64,
    #[serde(default = "yes", deserialize_with = "flag")]
    pub active: bool,
    #[serde(default, deserialize_with = "flag")]
    pub show_in_rest: bool,
}

/// One location rule: `{param, operator, value}`.
#[derive(Debug, Clone, Deserialize)]
pub struct Rule {
    pub param: String,
    pub operator: String,
    #[serde(default, deserialize_with = "text")]
    pub value: String,
}

/// One conditional-logic rule: the field (by key) whose value decides, and how.
#[derive(Debug, Clone, Deserialize)]
pub struct Condition {
    pub field: String,
    pub operator: String,
    #[serde(default, deserialize_with = "text")]
    pub value: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Layout {
    #[serde(default)]
    pub key: String,
    pub name: String,
    #[serde(default)]
    pub label: String,
    #[serde(default)]
    pub sub_fields: Vec<Field>,
    #[serde(default, deserialize_with = "number")]
    pub min: Option<f64>,
    #[serde(default, deserialize_with = "number")]
    pub max: Option<f64>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Field {
    pub key: String,
    #[serde(default)]
    pub label: String,
    #[serde(default)]
    pub name: String,
    #[serde(rename = "type")]
    pub field_type: String,
    #[serde(default, deserialize_with = "flag")]
    pub required: bool,
    #[serde(default)]
    pub default_value: Option<Value>,
    #[serde(default, deserialize_with = "number")]
    pub min: Option<f64>,
    #[serde(default, deserialize_with = "number")]
    pub max: Option<f64>,
    #[serde(default, deserialize_with = "number")]
    pub step: Option<f64>,
    #[serde(default, deserialize_with = "number")]
    pub maxlength: Option<f64>,
    /// `{"value": "Label"}` or `["value", ...]`.
    #[serde(default, deserialize_with = "choices")]
    pub choices: Vec<String>,
    #[serde(default, deserialize_with = "flag")]
    pub multiple: bool,
    #[serde(default, deserialize_with = "flag")]
    pub allow_null: bool,
    /// OR of ANDs; `0`/`false` for none.
    #[serde(default, deserialize_with = "conditions")]
    pub conditional_logic: Vec<Vec<Condition>>,
    /// group, repeater.
    #[serde(default)]
    pub sub_fields: Vec<Field>,
    /// flexible_content: a list, or (as ACF exports) an object keyed by layout key.
    #[serde(default, deserialize_with = "layouts")]
    pub layouts: Vec<Layout>,
    /// clone: keys of fields or of field groups.
    #[serde(default)]
    pub clone: Vec<String>,
    /// clone: nest the cloned fields under this field's name (`name_{sub}`), as a group.
    #[serde(default, deserialize_with = "flag")]
    pub prefix_name: bool,
    /// Our addition: stored sealed with the tenant's key, returned only to editors.
    #[serde(default, deserialize_with = "flag")]
    pub sensitive: bool,
}

fn yes() -> bool {
    true
}

/// ACF writes booleans as `1`/`0`, `"1"`/`"0"` or `true`/`false`.
fn flag<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Bool(b) => b,
        Value::Number(n) => n.as_f64().is_some_and(|n| n != 0.0),
        Value::String(s) => matches!(s.as_str(), "1" | "true" | "yes"),
        _ => false,
    })
}

/// Numbers ACF may write as strings, or as `""` for none.
fn number<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    })
}

fn text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::String(s) => s,
        Value::Null => String::new(),
        other => other.to_string(),
    })
}

fn choices<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Object(map) => map.into_iter().map(|(k, _)| k).collect(),
        Value::Array(items) => items
            .into_iter()
            .map(|v| match v {
                Value::String(s) => s,
                other => other.to_string(),
            })
            .collect(),
        _ => Vec::new(),
    })
}

fn layouts<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Layout>, D::Error> {
    let items = match Value::deserialize(d)? {
        Value::Object(map) => map.into_iter().map(|(_, v)| v).collect(),
        Value::Array(items) => items,
        _ => Vec::new(),
    };
    items
        .into_iter()
        .map(|v| serde_json::from_value(v).map_err(serde::de::Error::custom))
        .collect()
}

fn conditions<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Vec<Condition>>, D::Error> {
    match Value::deserialize(d)? {
        value @ Value::Array(_) => serde_json::from_value(value).map_err(serde::de::Error::custom),
        _ => Ok(Vec::new()),
    }
}

impl Config {
    pub fn parse(value: &Value) -> Result<Self, String> {
        Config::deserialize(value).map_err(|e| format!("the field groups cannot be read: {e}"))
    }

    /// Every field of every group by key, for clone fields.
    pub fn field_by_key(&self, key: &str) -> Option<&Field> {
        fn find<'a>(fields: &'a [Field], key: &str) -> Option<&'a Field> {
            fields.iter().find_map(|f| {
                if f.key == key {
                    Some(f)
                } else {
                    find(&f.sub_fields, key).or_else(|| f.layouts.iter().find_map(|l| find(&l.sub_fields, key)))
                }
            })
        }
        self.field_groups.iter().find_map(|g| find(&g.fields, key))
    }

    pub fn group_by_key(&self, key: &str) -> Option<&FieldGroup> {
        self.field_groups.iter().find(|g| g.key == key)
    }
}

/// The values a post carries for location rules.
#[derive(Debug, Clone, Default)]
pub struct PostFacts {
    pub post_type: String,
    pub status: String,
    pub template: String,
    pub parent: Option<String>,
    /// `taxonomy:term_id` for every term of the post.
    pub terms: Vec<String>,
    pub roles: Vec<String>,
}

impl PostFacts {
    /// From a post as the hooks carry it (`PostRecord` or `PostView`).
    pub fn of(post: &Map<String, Value>, roles: &[String]) -> Self {
        let text = |key: &str| post.get(key).and_then(Value::as_str).unwrap_or("").to_owned();
        let mut terms = Vec::new();
        if let Some(map) = post.get("terms").and_then(Value::as_object) {
            for (taxonomy, ids) in map {
                for id in ids.as_array().into_iter().flatten() {
                    if let Some(id) = id.as_str() {
                        terms.push(format!("{taxonomy}:{id}"));
                    }
                }
            }
        }
        Self {
            post_type: text("type"),
            status: text("status"),
            template: text("template"),
            parent: post.get("parent").and_then(Value::as_str).map(str::to_owned),
            terms,
            roles: roles.to_vec(),
        }
    }
}
