//! The plugin's entry points, over the SDK.

use crate::fields::Sealer;
use crate::model::Config;
use platform_plugin_sdk::prelude::*;
use serde_json::Map;

struct CustomFields;

/// Sealing with the tenant's key through the host (needs the `crypto` grant).
struct HostSealer;

impl Sealer for HostSealer {
    fn seal(&self, context: &str, plaintext: &str) -> Result<String, String> {
        crypto::seal(context, plaintext.as_bytes())
            .map_err(|e| format!("sensitive fields need the crypto capability granted to custom-fields ({e:?})"))
    }

    fn open(&self, context: &str, sealed: &str) -> Result<String, String> {
        let bytes = crypto::open(context, sealed).map_err(|e| format!("{e:?}"))?;
        String::from_utf8(bytes).map_err(|e| e.to_string())
    }
}

fn config() -> Result<Config, Rejection> {
    Config::parse(&config::get()).map_err(Rejection::new)
}

fn rejection(problems: Vec<(String, String)>) -> Rejection {
    let summary = match problems.len() {
        1 => "1 custom field is not valid".to_owned(),
        n => format!("{n} custom fields are not valid"),
    };
    problems
        .into_iter()
        .fold(Rejection::new(summary), |r, (field, message)| r.field(field, message))
}

impl Plugin for CustomFields {
    fn describe() -> Info {
        Info::new(
            "custom-fields",
            "1.0.0",
            "Advanced Custom Fields: field groups, location rules, 28 field types",
        )
        .filter(hooks::PRE_SAVE, 10)
        .filter(hooks::PREPARE_RESPONSE, 10)
        .capability(Capability::Crypto)
        .config_schema(crate::schema::config_schema())
    }

    fn filter(ctx: &Context, hook: &str, mut payload: Payload) -> Result<Payload, Rejection> {
        match hook {
            hooks::PRE_SAVE => {
                let config = config()?;
                let acf = match payload.0.as_object_mut().and_then(|o| o.remove("acf")) {
                    None | Some(Value::Null) => None,
                    Some(Value::Object(acf)) => Some(acf),
                    Some(_) => return Err(Rejection::new("acf must be an object of field names to values")),
                };
                let empty = Map::new();
                let changes = {
                    let creating = payload.0["previous"].is_null();
                    let stored = payload.0["previous"]["meta"].as_object().unwrap_or(&empty);
                    let post = payload.post().unwrap_or(&empty);
                    crate::submit(
                        &config,
                        post,
                        &ctx.user_roles,
                        acf.as_ref(),
                        stored,
                        creating,
                        &HostSealer,
                    )
                    .map_err(rejection)?
                };
                if let Some(meta) = payload
                    .post_mut()
                    .and_then(|p| p.get_mut("meta"))
                    .and_then(Value::as_object_mut)
                {
                    meta.extend(changes);
                }
                Ok(payload)
            }
            hooks::PREPARE_RESPONSE => {
                let config = config()?;
                if config.field_groups.is_empty() {
                    return Ok(payload);
                }
                let reveal = payload.0["context"] == "edit";
                let sealer = HostSealer;
                for post in payload.0["posts"].as_array_mut().into_iter().flatten() {
                    let Some(object) = post.as_object_mut() else { continue };
                    let values = crate::values(&config, object, &ctx.user_roles, reveal.then_some(&sealer as _));
                    if let Some(values) = values {
                        object.insert("acf".into(), Value::Object(values));
                    }
                }
                Ok(payload)
            }
            _ => Ok(payload),
        }
    }
}

export_plugin!(CustomFields);
