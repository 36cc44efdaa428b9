//! A plugin that misbehaves on request, for the sandbox tests. What it does on
//! `content.pre_save` depends on the post's title:
//!
//! | title starts with | it |
//! |---|---|
//! | `loop` | loops forever |
//! | `grow` | allocates until something stops it |
//! | `recurse` | recurses without end |
//! | `panic` | panics |
//! | `big` | returns a payload of 2 MiB |
//! | `reject` | rejects, with two field errors |
//! | `kv-set K V` / `kv-get K` / `kv-list P` | uses KV, and reports in meta `probe_kv` |
//! | `kv-big K N` | stores N KiB under K, reporting in meta `probe_kv` |
//! | `seal T` | seals T and opens it again, reporting in meta `probe_crypto` |
//! | `config` | copies its configuration into meta `probe_config` |
//! | `clock` | reports the wall clock in meta `probe_clock` |
//! | `log N` | logs N lines of 1 KiB |
//! | anything else | appends ` [probe]` to the title and sets meta `probe_seen` |

use platform_plugin_sdk::prelude::*;
use std::hint::black_box;

struct Probe;

fn recurse(n: u64) -> u64 {
    if black_box(n) == u64::MAX {
        0
    } else {
        recurse(black_box(n + 1)) + 1
    }
}

impl Plugin for Probe {
    fn describe() -> Info {
        Info::new("probe", "1.0.0", "Misbehaves on request, for tests")
            .filter(hooks::PRE_SAVE, 10)
            .action(hooks::SAVED, 10)
            .capability(Capability::Kv)
            .capability(Capability::Crypto)
            .capability(Capability::Clock)
            .config_schema(json!({
                "type": "object",
                "properties": {"greeting": {"type": "string", "maxLength": 20}},
                "additionalProperties": false
            }))
    }

    fn filter(_ctx: &Context, _hook: &str, mut payload: Payload) -> Result<Payload, Rejection> {
        let title = payload
            .post()
            .and_then(|p| p["title"].as_str())
            .unwrap_or("")
            .to_owned();
        let mut words = title.split(' ');
        let command = words.next().unwrap_or("");
        let args: Vec<&str> = words.collect();
        let post = payload.post_mut().ok_or_else(|| Rejection::new("no post"))?;
        let mut report = |key: &str, value: Value| {
            if let Some(meta) = post.get_mut("meta").and_then(Value::as_object_mut) {
                meta.insert(key.to_owned(), value);
            }
        };
        match command {
            "loop" => {
                let mut n = 0u64;
                loop {
                    n = black_box(n.wrapping_add(1));
                }
            }
            "grow" => {
                let mut chunks: Vec<Vec<u8>> = Vec::new();
                loop {
                    chunks.push(black_box(vec![1u8; 1 << 20]));
                }
            }
            "recurse" => {
                report("probe_depth", json!(recurse(0)));
            }
            "panic" => panic!("the probe was asked to panic"),
            "big" => report("probe_big", json!("x".repeat(2 << 20))),
            "reject" => {
                return Err(Rejection::new("the probe refuses this post")
                    .field("acf.first", "is wrong")
                    .field("acf.second", "is missing"));
            }
            "kv-set" => {
                let result = kv::set(
                    args.first().copied().unwrap_or(""),
                    args.get(1).unwrap_or(&"").as_bytes(),
                );
                report("probe_kv", json!(format!("{result:?}")));
            }
            "kv-big" => {
                let kib: usize = args.get(1).and_then(|n| n.parse().ok()).unwrap_or(1);
                let result = kv::set(args.first().copied().unwrap_or(""), &vec![b'k'; kib << 10]);
                report("probe_kv", json!(format!("{result:?}")));
            }
            "kv-get" => {
                let result = kv::get(args.first().copied().unwrap_or(""));
                let shown = match result {
                    Ok(Some(bytes)) => format!("value {}", String::from_utf8_lossy(&bytes)),
                    Ok(None) => "none".to_owned(),
                    Err(e) => format!("{e:?}"),
                };
                report("probe_kv", json!(shown));
            }
            "kv-list" => {
                let result = kv::list_keys(args.first().copied().unwrap_or(""), 100);
                report("probe_kv", json!(format!("{result:?}")));
            }
            "seal" => {
                let text = args.first().copied().unwrap_or("");
                let outcome = crypto::seal("probe", text.as_bytes()).and_then(|sealed| {
                    let opened = crypto::open("probe", &sealed)?;
                    let other_context = crypto::open("elsewhere", &sealed);
                    Ok(json!({
                        "sealed": sealed,
                        "opened": String::from_utf8_lossy(&opened),
                        "other_context": format!("{other_context:?}"),
                    }))
                });
                report("probe_crypto", outcome.unwrap_or_else(|e| json!(format!("{e:?}"))));
            }
            "open" => {
                let outcome = crypto::open("probe", args.first().copied().unwrap_or(""));
                report("probe_crypto", json!(format!("{outcome:?}")));
            }
            "config" => report("probe_config", config::get()),
            "clock" => {
                let wasi_now = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.as_secs())
                    .unwrap_or(0);
                report(
                    "probe_clock",
                    json!({"host": platform_plugin_sdk::host::clock::now_millis(), "wasi_secs": wasi_now}),
                );
            }
            "log" => {
                let lines: usize = args.first().and_then(|n| n.parse().ok()).unwrap_or(1);
                let line = "l".repeat(1024);
                for _ in 0..lines {
                    log::info(&line);
                    eprintln!("{line}");
                }
                report("probe_logged", json!(lines));
            }
            _ => {
                report("probe_seen", json!(true));
                post.insert("title".into(), json!(format!("{title} [probe]")));
            }
        }
        Ok(payload)
    }

    fn action(_ctx: &Context, hook: &str, event: Payload) -> Result<(), String> {
        let id = event.post().and_then(|p| p.get("id")).cloned().unwrap_or(Value::Null);
        kv::set(&format!("saved:{id}"), hook.as_bytes()).map_err(|e| format!("{e:?}"))
    }
}

export_plugin!(Probe);
