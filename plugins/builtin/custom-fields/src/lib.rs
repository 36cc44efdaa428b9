//! Advanced Custom Fields for the platform, as a plugin like any other: it uses only the
//! public plugin interface (hooks, its tenant configuration, the tenant's crypto).
//!
//! - Field groups are the plugin's configuration (`{"field_groups": [...]}`, ACF's local JSON),
//!   set with `PUT /api/v1/plugins/custom-fields/config`.
//! - On `content.pre_save` the request's `acf` object is checked against the groups whose
//!   location matches the post, and stored in post meta with ACF's naming.
//! - On `content.prepare_response` posts get their `acf` object back, for groups with
//!   `show_in_rest`.
//!
//! The logic is plain Rust ([`submit`], [`values`]), so it runs natively too (the benchmark
//! compares the two).

pub mod conditional;
pub mod fields;
pub mod location;
pub mod model;
pub mod plugin;
pub mod schema;
pub mod types;

use fields::{Check, Problems, Sealer};
use model::{Config, Field, PostFacts};
use serde_json::{Map, Value};
use std::borrow::Cow;

/// The fields of every group matching the post, in menu order (borrowed when one group
/// matches, the usual case).
fn matching_fields<'a>(config: &'a Config, facts: &PostFacts, rest_only: bool) -> Cow<'a, [Field]> {
    let groups: Vec<_> = location::matching(&config.field_groups, facts)
        .into_iter()
        .filter(|g| !rest_only || g.show_in_rest)
        .collect();
    match groups.as_slice() {
        [] => Cow::Borrowed(&[]),
        [one] => Cow::Borrowed(&one.fields),
        many => Cow::Owned(many.iter().flat_map(|g| g.fields.iter().cloned()).collect()),
    }
}

/// Checks a submitted `acf` object for a post and returns the meta changes to make (`null`
/// removes a key). Without a submission, a new post still gets its fields' defaults.
pub fn submit(
    config: &Config,
    post: &Map<String, Value>,
    roles: &[String],
    acf: Option<&Map<String, Value>>,
    stored: &Map<String, Value>,
    creating: bool,
    sealer: &dyn Sealer,
) -> Result<Map<String, Value>, Problems> {
    let facts = PostFacts::of(post, roles);
    let fields = matching_fields(config, &facts, false);
    let empty = Map::new();
    let input = match acf {
        Some(acf) => acf,
        None if creating => &empty,
        None => return Ok(Map::new()),
    };
    let check = Check {
        config,
        creating,
        stored,
    };
    let mut problems = Problems::new();
    let values = fields::check_level(&check, &fields, input, "", "acf", false, &mut problems);
    if acf.is_none() {
        // Defaults only: a post saved without `acf` is not refused for fields it never sent.
        problems.clear();
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let post_id = post.get("id").and_then(Value::as_str).unwrap_or("");
    let mut meta = Map::new();
    let store = fields::Store {
        config,
        sealer,
        post_id,
        stored,
    };
    fields::store_level(&store, &fields, &values, "", &mut meta).map_err(|e| vec![("acf".to_owned(), e)])?;
    Ok(meta)
}

/// The `acf` object of a post (as the API returns it), or none when no group with
/// `show_in_rest` applies. Sensitive values are opened only with `reveal`.
pub fn values(
    config: &Config,
    post: &Map<String, Value>,
    roles: &[String],
    reveal: Option<&dyn Sealer>,
) -> Option<Map<String, Value>> {
    let facts = PostFacts::of(post, roles);
    let fields = matching_fields(config, &facts, true);
    if fields.is_empty() {
        return None;
    }
    let meta = post.get("meta").and_then(Value::as_object).cloned().unwrap_or_default();
    let post_id = post.get("id").and_then(Value::as_str).unwrap_or("");
    let mut out = Map::new();
    fields::read_level(config, &fields, &meta, "", reveal.map(|s| (s, post_id)), &mut out);
    Some(out)
}
