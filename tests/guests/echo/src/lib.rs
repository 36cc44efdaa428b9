//! A well-behaved plugin for the ordering and isolation tests: on `content.pre_save` it appends
//! ` [echo]` to the title (priority 20, after the probe's 10), and with `kv-set`/`kv-get`
//! titles it uses its own KV, as the probe does, to show the two never meet.

use platform_plugin_sdk::prelude::*;

struct Echo;

impl Plugin for Echo {
    fn describe() -> Info {
        Info::new("echo", "1.0.0", "Appends [echo] to titles")
            .filter(hooks::PRE_SAVE, 20)
            .capability(Capability::Kv)
    }

    fn filter(_ctx: &Context, _hook: &str, mut payload: Payload) -> Result<Payload, Rejection> {
        let post = payload.post_mut().ok_or_else(|| Rejection::new("no post"))?;
        let title = post.get("title").and_then(Value::as_str).unwrap_or("").to_owned();
        let mut words = title.split(' ');
        let report = match (words.next(), words.next()) {
            (Some("kv-get"), Some(key)) => Some(match kv::get(key) {
                Ok(Some(bytes)) => format!("value {}", String::from_utf8_lossy(&bytes)),
                Ok(None) => "none".to_owned(),
                Err(e) => format!("{e:?}"),
            }),
            _ => None,
        };
        if let Some(report) = report
            && let Some(meta) = post.get_mut("meta").and_then(Value::as_object_mut)
        {
            meta.insert("echo_kv".into(), json!(report));
        }
        post.insert("title".into(), json!(format!("{title} [echo]")));
        Ok(payload)
    }
}

export_plugin!(Echo);
