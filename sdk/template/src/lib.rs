//! A plugin to copy: published posts must have an excerpt of at least `min_excerpt` characters
//! (configurable per tenant, default 20). See `sdk/GUIDE.md`.

use platform_plugin_sdk::prelude::*;

struct ExcerptRequired;

impl Plugin for ExcerptRequired {
    fn describe() -> Info {
        Info::new("excerpt-required", "1.0.0", "Published posts need an excerpt")
            .filter(hooks::PRE_PUBLISH, 10)
            .config_schema(json!({
                "type": "object",
                "properties": {"min_excerpt": {"type": "integer", "minimum": 1, "maximum": 1000}},
                "additionalProperties": false
            }))
    }

    fn filter(_ctx: &Context, _hook: &str, payload: Payload) -> Result<Payload, Rejection> {
        let min = config::get()["min_excerpt"].as_u64().unwrap_or(20) as usize;
        let excerpt = payload.post().and_then(|p| p["excerpt"].as_str()).unwrap_or("");
        if excerpt.trim().chars().count() < min {
            return Err(Rejection::new("published posts need an excerpt")
                .field("excerpt", format!("must have at least {min} characters")));
        }
        Ok(payload)
    }
}

export_plugin!(ExcerptRequired);
