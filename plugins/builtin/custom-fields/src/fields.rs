//! Walking field groups: checking a submitted `acf` object (conditional logic, required,
//! types, defaults), storing it in post meta with ACF's naming, and reading it back.
//!
//! Meta naming, as ACF: a field's value under its `name`, and `_name` holding the field's
//! key. A group's sub field under `{group}_{sub}`; a repeater's row count under its name and
//! each row's sub field under `{name}_{i}_{sub}`; a flexible content field's layout names (a
//! list) under its name and rows as a repeater's.

use crate::conditional;
use crate::model::{Config, Field};
use crate::types::{self, is_empty};
use serde_json::{Map, Value};
use std::borrow::Cow;

/// How deep clones may nest (a clone of a clone...), so a cycle ends.
const MAX_CLONE_DEPTH: usize = 4;

/// Problems found, by `acf.`-path.
pub type Problems = Vec<(String, String)>;

/// Seals sensitive values with the tenant's key (the host's crypto), and opens them.
pub trait Sealer {
    fn seal(&self, context: &str, plaintext: &str) -> Result<String, String>;
    fn open(&self, context: &str, sealed: &str) -> Result<String, String>;
}

/// Marks a sealed meta value.
pub const SEALED_PREFIX: &str = "sealed:v1:";

/// The fields of a level with clones resolved: a clone without `prefix_name` stands for the
/// fields it clones; with it, for a group of them under its own name.
pub fn effective<'a>(config: &'a Config, fields: &'a [Field]) -> Vec<Cow<'a, Field>> {
    expand(config, fields, 0)
}

fn expand<'a>(config: &'a Config, fields: &'a [Field], depth: usize) -> Vec<Cow<'a, Field>> {
    let mut out = Vec::with_capacity(fields.len());
    for field in fields {
        if field.field_type != "clone" {
            out.push(Cow::Borrowed(field));
            continue;
        }
        if depth >= MAX_CLONE_DEPTH {
            continue;
        }
        let mut cloned: Vec<Cow<'a, Field>> = Vec::new();
        for key in &field.clone {
            if let Some(group) = config.group_by_key(key) {
                cloned.extend(expand(config, &group.fields, depth + 1));
            } else if let Some(found) = config.field_by_key(key) {
                cloned.extend(expand(config, std::slice::from_ref(found), depth + 1));
            }
        }
        if field.prefix_name {
            let mut group = field.clone();
            group.field_type = "group".into();
            group.sub_fields = cloned.into_iter().map(Cow::into_owned).collect();
            out.push(Cow::Owned(group));
        } else {
            out.extend(cloned);
        }
    }
    out
}

/// What checking a level needs to know.
pub struct Check<'a> {
    pub config: &'a Config,
    /// A new post: absent fields take their default.
    pub creating: bool,
    /// The post's meta as stored, for `required` fields not submitted in an update.
    pub stored: &'a Map<String, Value>,
}

/// Checks one level of submitted values. Returns the normalised values to store (absent
/// fields absent, cleared ones `null`).
pub fn check_level(
    check: &Check<'_>,
    fields: &[Field],
    input: &Map<String, Value>,
    meta_prefix: &str,
    path: &str,
    whole: bool,
    problems: &mut Problems,
) -> Map<String, Value> {
    let fields = effective(check.config, fields);
    let mut out = Map::new();
    for field in &fields {
        if field.name.is_empty() {
            continue;
        }
        let value_of = |key: &str| {
            fields
                .iter()
                .find(|f| f.key == key)
                .and_then(|f| input.get(&f.name).or(f.default_value.as_ref()))
        };
        if !conditional::shown(&field.conditional_logic, value_of) {
            continue;
        }
        let field_path = format!("{path}.{}", field.name);
        let meta_key = format!("{meta_prefix}{}", field.name);
        match input.get(&field.name) {
            None => {
                // A new post or a submitted row: the default, else required fails. An update
                // leaves a stored value alone.
                if check.creating || whole {
                    if let Some(default) = field.default_value.as_ref().filter(|d| !is_empty(d))
                        && let Ok(value) = check_value(check, field, default, &meta_key, &field_path, &mut Vec::new())
                    {
                        out.insert(field.name.clone(), value);
                        continue;
                    }
                    if field.required {
                        problems.push((field_path, "is required".into()));
                    }
                } else if field.required && !check.stored.contains_key(&meta_key) && !is_container(field) {
                    problems.push((field_path, "is required".into()));
                }
            }
            Some(value) if is_empty(value) && !is_container(field) => {
                if field.required {
                    problems.push((field_path, "is required".into()));
                } else {
                    out.insert(field.name.clone(), Value::Null);
                }
            }
            Some(value) => {
                if let Ok(value) = check_value(check, field, value, &meta_key, &field_path, problems) {
                    out.insert(field.name.clone(), value);
                }
            }
        }
    }
    for key in input.keys() {
        if !fields.iter().any(|f| f.name == *key) {
            problems.push((format!("{path}.{key}"), "is not a field here".into()));
        }
    }
    out
}

fn is_container(field: &Field) -> bool {
    matches!(field.field_type.as_str(), "group" | "repeater" | "flexible_content")
}

fn rows<'v>(field: &Field, value: &'v Value, path: &str) -> Result<&'v Vec<Value>, String> {
    let rows = value
        .as_array()
        .ok_or_else(|| format!("{path}: must be a list of rows"))?;
    if field.required && rows.is_empty() {
        return Err(format!("{path}: is required"));
    }
    if let Some(min) = field.min
        && (rows.len() as f64) < min
    {
        return Err(format!("{path}: at least {min} rows"));
    }
    if let Some(max) = field.max.filter(|m| *m > 0.0)
        && rows.len() as f64 > max
    {
        return Err(format!("{path}: at most {max} rows"));
    }
    Ok(rows)
}

fn split(message: String) -> (String, String) {
    match message.split_once(": ") {
        Some((path, text)) => (path.to_owned(), text.to_owned()),
        None => (String::new(), message),
    }
}

fn check_value(
    check: &Check<'_>,
    field: &Field,
    value: &Value,
    meta_key: &str,
    path: &str,
    problems: &mut Problems,
) -> Result<Value, ()> {
    let before = problems.len();
    let checked = match field.field_type.as_str() {
        "group" => match value.as_object() {
            Some(input) => Value::Object(check_level(
                check,
                &field.sub_fields,
                input,
                &format!("{meta_key}_"),
                path,
                true,
                problems,
            )),
            None => {
                problems.push((path.to_owned(), "must be an object of its sub fields".into()));
                return Err(());
            }
        },
        "repeater" => {
            let rows = rows(field, value, path).map_err(|m| problems.push(split(m)))?;
            let mut out = Vec::with_capacity(rows.len());
            for (i, row) in rows.iter().enumerate() {
                let row_path = format!("{path}.{i}");
                match row.as_object() {
                    Some(input) => out.push(Value::Object(check_level(
                        check,
                        &field.sub_fields,
                        input,
                        &format!("{meta_key}_{i}_"),
                        &row_path,
                        true,
                        problems,
                    ))),
                    None => problems.push((row_path, "must be an object of its sub fields".into())),
                }
            }
            Value::Array(out)
        }
        "flexible_content" => {
            let rows = rows(field, value, path).map_err(|m| problems.push(split(m)))?;
            let mut out = Vec::with_capacity(rows.len());
            for (i, row) in rows.iter().enumerate() {
                let row_path = format!("{path}.{i}");
                let Some(input) = row.as_object() else {
                    problems.push((row_path, "must be an object with acf_fc_layout".into()));
                    continue;
                };
                let name = input.get("acf_fc_layout").and_then(Value::as_str).unwrap_or("");
                let Some(layout) = field.layouts.iter().find(|l| l.name == name) else {
                    problems.push((
                        format!("{row_path}.acf_fc_layout"),
                        format!("{name:?} is not a layout of this field"),
                    ));
                    continue;
                };
                let mut subs = input.clone();
                subs.remove("acf_fc_layout");
                let mut row_out = check_level(
                    check,
                    &layout.sub_fields,
                    &subs,
                    &format!("{meta_key}_{i}_"),
                    &row_path,
                    true,
                    problems,
                );
                row_out.insert("acf_fc_layout".into(), Value::String(layout.name.clone()));
                out.push(Value::Object(row_out));
            }
            for layout in &field.layouts {
                let n = out
                    .iter()
                    .filter(|r| r["acf_fc_layout"] == layout.name.as_str())
                    .count() as f64;
                if layout.min.is_some_and(|min| n < min) || layout.max.is_some_and(|max| max > 0.0 && n > max) {
                    problems.push((
                        path.to_owned(),
                        format!("the layout {} is used {n} times, outside its limits", layout.name),
                    ));
                }
            }
            Value::Array(out)
        }
        _ => match types::check(field, value) {
            Ok(value) => value,
            Err(message) => {
                problems.push((path.to_owned(), message));
                return Err(());
            }
        },
    };
    if problems.len() > before { Err(()) } else { Ok(checked) }
}

/// What storing values needs.
pub struct Store<'a> {
    pub config: &'a Config,
    pub sealer: &'a dyn Sealer,
    pub post_id: &'a str,
    /// The post's meta as stored, to remove rows a repeater no longer has.
    pub stored: &'a Map<String, Value>,
}

/// Writes checked values to meta with ACF's naming. Rows past a repeater's new length are
/// removed (`null`), so a shorter repeater leaves nothing behind.
pub fn store_level(
    store: &Store<'_>,
    fields: &[Field],
    values: &Map<String, Value>,
    prefix: &str,
    meta: &mut Map<String, Value>,
) -> Result<(), String> {
    let Store {
        config,
        sealer,
        post_id,
        stored,
    } = *store;
    for field in effective(config, fields).iter() {
        let Some(value) = values.get(&field.name) else { continue };
        let key = format!("{prefix}{}", field.name);
        let reference = Value::String(field.key.clone());
        if value.is_null() {
            meta.insert(key.clone(), Value::Null);
            meta.insert(format!("_{key}"), Value::Null);
            continue;
        }
        match field.field_type.as_str() {
            "group" => {
                meta.insert(key.clone(), Value::String(String::new()));
                let sub = value.as_object().cloned().unwrap_or_default();
                store_level(store, &field.sub_fields, &sub, &format!("{key}_"), meta)?;
            }
            "repeater" | "flexible_content" => {
                let rows = value.as_array().cloned().unwrap_or_default();
                if field.field_type == "repeater" {
                    meta.insert(key.clone(), Value::from(rows.len()));
                } else {
                    let layouts: Vec<Value> = rows.iter().map(|r| r["acf_fc_layout"].clone()).collect();
                    meta.insert(key.clone(), Value::Array(layouts));
                }
                for (i, row) in rows.iter().enumerate() {
                    let sub = row.as_object().cloned().unwrap_or_default();
                    let sub_fields = match field.field_type.as_str() {
                        "repeater" => &field.sub_fields,
                        _ => match field.layouts.iter().find(|l| row["acf_fc_layout"] == l.name.as_str()) {
                            Some(layout) => &layout.sub_fields,
                            None => continue,
                        },
                    };
                    store_level(store, sub_fields, &sub, &format!("{key}_{i}_"), meta)?;
                }
                remove_rows_from(&key, rows.len(), stored, meta);
            }
            _ if field.sensitive => {
                let sealed = sealer.seal(&format!("{post_id}/{key}"), &value.to_string())?;
                meta.insert(key.clone(), Value::String(format!("{SEALED_PREFIX}{sealed}")));
            }
            _ => {
                meta.insert(key.clone(), value.clone());
            }
        }
        meta.insert(format!("_{key}"), reference);
    }
    Ok(())
}

/// Removes stored `{key}_{i}_...` (and `_{key}_{i}_...`) for rows `i >= from`.
fn remove_rows_from(key: &str, from: usize, stored: &Map<String, Value>, meta: &mut Map<String, Value>) {
    let row_of = |name: &str| -> Option<usize> {
        let rest = name.strip_prefix(key)?.strip_prefix('_')?;
        let (index, _) = rest.split_once('_')?;
        index.parse().ok()
    };
    for name in stored.keys() {
        let bare = name.strip_prefix('_').unwrap_or(name);
        if row_of(bare).is_some_and(|i| i >= from) && !meta.contains_key(name) {
            meta.insert(name.clone(), Value::Null);
        }
    }
}

/// Reads a level's values from meta. Sensitive values are opened only when `reveal` (the
/// reader may edit the post); otherwise they are left out.
pub fn read_level(
    config: &Config,
    fields: &[Field],
    meta: &Map<String, Value>,
    prefix: &str,
    reveal: Option<(&dyn Sealer, &str)>,
    out: &mut Map<String, Value>,
) {
    for field in effective(config, fields).iter() {
        if field.name.is_empty() {
            continue;
        }
        let key = format!("{prefix}{}", field.name);
        let value = match field.field_type.as_str() {
            "group" => {
                let mut sub = Map::new();
                read_level(config, &field.sub_fields, meta, &format!("{key}_"), reveal, &mut sub);
                Value::Object(sub)
            }
            "repeater" => {
                let count = meta.get(&key).and_then(Value::as_u64).unwrap_or(0).min(10_000) as usize;
                let rows = (0..count)
                    .map(|i| {
                        let mut row = Map::new();
                        read_level(
                            config,
                            &field.sub_fields,
                            meta,
                            &format!("{key}_{i}_"),
                            reveal,
                            &mut row,
                        );
                        Value::Object(row)
                    })
                    .collect();
                Value::Array(rows)
            }
            "flexible_content" => {
                let layouts = meta.get(&key).and_then(Value::as_array).cloned().unwrap_or_default();
                let rows = layouts
                    .iter()
                    .enumerate()
                    .filter_map(|(i, name)| {
                        let layout = field.layouts.iter().find(|l| *name == l.name.as_str())?;
                        let mut row = Map::new();
                        row.insert("acf_fc_layout".into(), name.clone());
                        read_level(
                            config,
                            &layout.sub_fields,
                            meta,
                            &format!("{key}_{i}_"),
                            reveal,
                            &mut row,
                        );
                        Some(Value::Object(row))
                    })
                    .collect();
                Value::Array(rows)
            }
            _ => match meta.get(&key) {
                Some(Value::String(sealed)) if sealed.starts_with(SEALED_PREFIX) => match reveal {
                    Some((sealer, post_id)) => sealer
                        .open(&format!("{post_id}/{key}"), &sealed[SEALED_PREFIX.len()..])
                        .ok()
                        .and_then(|text| serde_json::from_str(&text).ok())
                        .unwrap_or(Value::Null),
                    None => continue,
                },
                _ if field.sensitive && reveal.is_none() => continue,
                Some(value) => value.clone(),
                None => Value::Null,
            },
        };
        out.insert(field.name.clone(), value);
    }
}
