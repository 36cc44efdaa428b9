//! Plugin benchmarks: the fixed cost of a call (a no-op filter, instantiation included), the
//! custom-fields plugin's validation of a 20-field group in WebAssembly against the same Rust
//! natively, and creating posts through the API with that group at concurrency 32.
//!
//!   cargo bench -p e2e --bench plugins            # every section
//!   cargo bench -p e2e --bench plugins -- create  # sections whose name contains `create`
//!
//! Sections: `noop`, `ratio`, `create`, `spread`.
//!
//! Results are printed as Markdown rows for docs/benchmarks.md.

use custom_fields::fields::Sealer;
use custom_fields::model::Config;
use e2e::TestApp;
use e2e::bench::{percentile, summary};
use futures_util::StreamExt as _;
use futures_util::future::BoxFuture;
use plugins::{CallContext, CallSetup, Capabilities, Limits, Runtime, ServiceError, Services};
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Configuration only: what the custom-fields plugin reads.
struct ConfigOnly(String);

impl Services for ConfigOnly {
    fn kv_get<'a>(&'a self, _: &'a str) -> BoxFuture<'a, Result<Option<Vec<u8>>, ServiceError>> {
        Box::pin(async { Ok(None) })
    }
    fn kv_set<'a>(&'a self, _: &'a str, _: &'a [u8]) -> BoxFuture<'a, Result<(), ServiceError>> {
        Box::pin(async { Ok(()) })
    }
    fn kv_delete<'a>(&'a self, _: &'a str) -> BoxFuture<'a, Result<bool, ServiceError>> {
        Box::pin(async { Ok(false) })
    }
    fn kv_list<'a>(&'a self, _: &'a str, _: u32) -> BoxFuture<'a, Result<Vec<String>, ServiceError>> {
        Box::pin(async { Ok(Vec::new()) })
    }
    fn config(&self) -> &str {
        &self.0
    }
    fn seal<'a>(&'a self, _: &'a str, _: &'a [u8]) -> BoxFuture<'a, Result<String, ServiceError>> {
        Box::pin(async { Err(ServiceError::Unavailable) })
    }
    fn open<'a>(&'a self, _: &'a str, _: &'a str) -> BoxFuture<'a, Result<Vec<u8>, ServiceError>> {
        Box::pin(async { Err(ServiceError::Unavailable) })
    }
}

struct NoSealing;

impl Sealer for NoSealing {
    fn seal(&self, _: &str, _: &str) -> Result<String, String> {
        Err("no sealing here".into())
    }
    fn open(&self, _: &str, _: &str) -> Result<String, String> {
        Err("no sealing here".into())
    }
}

fn context() -> CallContext {
    CallContext {
        user_id: Some("0190a0b0-0000-7000-8000-000000000009".into()),
        user_roles: vec!["administrator".into()],
        request_id: None,
    }
}

fn setup(config: &str) -> CallSetup {
    CallSetup {
        limits: Limits::default(),
        grants: Capabilities::new(),
        services: Arc::new(ConfigOnly(config.to_owned())),
    }
}

/// A group of 20 fields of the common types, and a valid submission for it.
fn twenty_fields() -> (Value, Value) {
    let mut fields = Vec::new();
    let mut acf = serde_json::Map::new();
    let kinds: [(&str, Value, Value); 10] = [
        ("text", json!({"maxlength": 200}), json!("Amoxicillin 500 mg")),
        ("number", json!({"min": 0, "max": 5000, "step": 0.5}), json!(250.5)),
        ("email", json!({}), json!("pharmacy@hospital.example")),
        ("url", json!({}), json!("https://example.org/leaflet")),
        (
            "select",
            json!({"choices": {"oral": "Oral", "iv": "IV", "im": "IM"}}),
            json!("oral"),
        ),
        (
            "checkbox",
            json!({"choices": {"am": "AM", "pm": "PM", "night": "Night"}}),
            json!(["am", "pm"]),
        ),
        ("true_false", json!({}), json!(true)),
        ("date_picker", json!({}), json!("2026-11-23")),
        (
            "textarea",
            json!({"maxlength": 2000}),
            json!("Take with food.\nAvoid alcohol."),
        ),
        ("color_picker", json!({}), json!("#aa0011")),
    ];
    for i in 0..20 {
        let (kind, settings, value) = &kinds[i % kinds.len()];
        let name = format!("f{i}_{kind}");
        let mut field = json!({"key": format!("field_{i}"), "name": name, "label": name, "type": kind, "required": 1});
        if let (Some(field), Some(settings)) = (field.as_object_mut(), settings.as_object()) {
            field.extend(settings.clone());
        }
        fields.push(field);
        acf.insert(name, value.clone());
    }
    let config = json!({"field_groups": [{
        "key": "group_bench", "title": "Prescription", "show_in_rest": 1,
        "location": [[{"param": "post_type", "operator": "==", "value": "post"}]],
        "fields": fields
    }]});
    (config, Value::Object(acf))
}

fn pre_save_payload(acf: &Value) -> String {
    json!({
        "post": {"id": "0190a0b0-0000-7000-8000-000000000001", "type": "post", "status": "draft",
                 "title": "Prescription", "content": "<p>Details.</p>", "template": "", "parent": null,
                 "meta": {}, "terms": {}},
        "previous": null,
        "acf": acf,
    })
    .to_string()
}

async fn noop_call(runtime: &Runtime) {
    let compiled = runtime
        .load(std::fs::read(e2e::guests::NOOP).expect("noop built").into())
        .await
        .expect("noop loads");
    let setup = setup("{}");
    for (label, payload) in [
        ("`{}`", "{}".to_owned()),
        (
            "a 1 KiB post",
            json!({"post": {"title": "t", "content": "x".repeat(1000)}}).to_string(),
        ),
    ] {
        for _ in 0..500 {
            runtime
                .filter(&compiled, &setup, context(), "content.pre_save", payload.clone())
                .await
                .expect("warm")
                .expect("accepted");
        }
        let mut samples = Vec::with_capacity(10_000);
        for _ in 0..10_000 {
            let started = Instant::now();
            let out = runtime
                .filter(&compiled, &setup, context(), "content.pre_save", payload.clone())
                .await;
            samples.push(started.elapsed());
            out.expect("call").expect("accepted");
        }
        samples.sort_unstable();
        println!(
            "| no-op filter, instantiation included, payload {label}, sequential | p50 {:.1} µs, p99 {:.1} µs, max {:.1} µs (n = 10,000) |",
            percentile(&samples, 0.5).as_secs_f64() * 1e6,
            percentile(&samples, 0.99).as_secs_f64() * 1e6,
            samples.last().expect("samples").as_secs_f64() * 1e6,
        );
    }
}

async fn validation_ratio(runtime: &Runtime) {
    let (config, acf) = twenty_fields();
    let config_text = config.to_string();
    let payload = pre_save_payload(&acf);
    let bytes = platform::plugins::builtin::BUILTIN[0].1;
    let started = Instant::now();
    let compiled = runtime.load(bytes.to_vec().into()).await.expect("custom-fields loads");
    println!(
        "| compile and check custom-fields ({} KiB), first load in a process | {:.0} ms |",
        bytes.len() / 1024,
        started.elapsed().as_secs_f64() * 1000.0
    );
    let setup = setup(&config_text);

    let mut wasm = Vec::new();
    for i in 0..5_500 {
        let started = Instant::now();
        let out = runtime
            .filter(&compiled, &setup, context(), "content.pre_save", payload.clone())
            .await;
        if i >= 500 {
            wasm.push(started.elapsed());
        }
        let out: Value = serde_json::from_str(&out.expect("call").expect("valid")).expect("json");
        assert_eq!(out["post"]["meta"]["f1_number"], 250.5);
    }

    // The same work natively: read the configuration and the payload, check, write meta, answer.
    let roles = vec!["administrator".to_owned()];
    let mut native = Vec::new();
    for i in 0..5_500 {
        let started = Instant::now();
        let config = Config::parse(&serde_json::from_str(&config_text).expect("json")).expect("config");
        let mut payload: Value = serde_json::from_str(&payload).expect("json");
        let acf = payload.as_object_mut().and_then(|o| o.remove("acf"));
        let empty = serde_json::Map::new();
        let post = payload["post"].as_object().expect("post");
        let changes = custom_fields::submit(
            &config,
            post,
            &roles,
            acf.as_ref().and_then(Value::as_object),
            &empty,
            true,
            &NoSealing,
        )
        .expect("valid");
        if let Some(meta) = payload["post"]["meta"].as_object_mut() {
            meta.extend(changes);
        }
        let answer = payload.to_string();
        if i >= 500 {
            native.push(started.elapsed());
        }
        assert!(answer.contains("f1_number"));
    }
    wasm.sort_unstable();
    native.sort_unstable();
    let (w, n) = (percentile(&wasm, 0.5), percentile(&native, 0.5));
    println!(
        "| custom-fields, 20-field group validated and stored, in WebAssembly (instantiation included) | p50 {:.1} µs, p99 {:.1} µs |",
        w.as_secs_f64() * 1e6,
        percentile(&wasm, 0.99).as_secs_f64() * 1e6
    );
    println!(
        "| the same logic natively (config and payload parsed, checked, answer serialised) | p50 {:.1} µs, p99 {:.1} µs |",
        n.as_secs_f64() * 1e6,
        percentile(&native, 0.99).as_secs_f64() * 1e6
    );
    println!(
        "| ratio WebAssembly / native (p50) | {:.2}x |",
        w.as_secs_f64() / n.as_secs_f64()
    );
}

async fn create_through_api() {
    let app = TestApp::unlimited().await;
    let slug = "bench-acf";
    app.create_tenant(slug).await;
    let site = app.open_trust(slug).await;
    let token = app.admin_token(slug).await;
    let (config, acf) = twenty_fields();
    let reply = site
        .post(
            "/api/v1/plugins",
            &json!({"catalogue": "custom-fields", "enable": true, "config": config}),
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    let with_acf = json!({"title": "Prescription", "content": "<p>Details.</p>", "acf": acf});
    let plain = json!({"title": "Prescription", "content": "<p>Details.</p>"});
    let (app, token) = (&app, &token);

    // `n` creates of `body`, `concurrency` at a time: latencies and creates per second.
    let create = |body: &Value, n: usize, concurrency: usize| {
        let body = body.clone();
        async move {
            let body = &body;
            let started = Instant::now();
            let samples: Vec<Duration> = futures_util::stream::iter(0..n)
                .map(|i| async move {
                    // Distinct titles: the same title 2,000 times measures slug suffixing.
                    let mut body = body.clone();
                    body["title"] = json!(format!("Prescription {i} {}", rand_suffix()));
                    let t = Instant::now();
                    let reply = app.tenant(slug).token(token).post("/api/v1/posts", &body).await;
                    assert_eq!(reply.status, 201, "{}", reply.text);
                    t.elapsed()
                })
                .buffer_unordered(concurrency)
                .collect()
                .await;
            (samples, n as f64 / started.elapsed().as_secs_f64())
        }
    };
    create(&with_acf, 200, 32).await;
    let (samples, rate) = create(&with_acf, 2_000, 32).await;
    println!(
        "| create a post with a 20-field group through the plugin, concurrency 32 | {} ; {rate:.0} req/s |",
        summary(samples)
    );
    let (samples, _) = create(&with_acf, 500, 1).await;
    println!("| the same, sequential | {} |", summary(samples));
    let (samples, _) = create(&plain, 500, 1).await;
    println!(
        "| a post without acf, plugin enabled, sequential | {} |",
        summary(samples)
    );
    // The same load without the plugin, to tell its cost from the write's.
    let reply = site.post_empty("/api/v1/plugins/custom-fields/disable").await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let (samples, rate) = create(&plain, 2_000, 32).await;
    println!(
        "| create a post, plugin disabled, concurrency 32 | {} ; {rate:.0} req/s |",
        summary(samples)
    );
}

fn rand_suffix() -> u64 {
    rand::random()
}

#[tokio::main]
async fn main() {
    let hooks = ["content.pre_save", "content.prepare_response"]
        .map(String::from)
        .to_vec();
    let runtime = Runtime::new(Default::default(), hooks).expect("engine");
    // `cargo bench` passes `--bench`; any other argument picks sections by name.
    let wanted: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    let run = |section: &str| wanted.is_empty() || wanted.iter().any(|w| section.contains(w.as_str()));
    println!("| what | result |\n|---|---|");
    if run("noop") {
        noop_call(&runtime).await;
    }
    if run("ratio") {
        validation_ratio(&runtime).await;
    }
    if run("create") {
        create_through_api().await;
    }
    if run("spread") {
        spread_over_tenants().await;
    }
}

/// Concurrency 32 spread over 8 tenants (4 writers each), without plugins: whether creates
/// are bound per tenant (the audit chain) or by the machine.
async fn spread_over_tenants() {
    let app = TestApp::unlimited().await;
    let mut sites = Vec::new();
    for t in 0..8 {
        let slug = format!("spread-{t}");
        app.create_tenant(&slug).await;
        sites.push(app.open_trust(&slug).await);
    }
    let sites = &sites;
    let run = |n: usize| async move {
        let started = Instant::now();
        let samples: Vec<Duration> = futures_util::stream::iter(0..n)
            .map(|i| async move {
                let body = json!({"title": format!("Spread {i} {}", rand_suffix()), "content": "<p>x</p>"});
                let t = Instant::now();
                let reply = sites[i % sites.len()].post("/api/v1/posts", &body).await;
                assert_eq!(reply.status, 201, "{}", reply.text);
                t.elapsed()
            })
            .buffer_unordered(32)
            .collect()
            .await;
        (samples, n as f64 / started.elapsed().as_secs_f64())
    };
    run(200).await;
    let (samples, rate) = run(2_000).await;
    println!(
        "| create a post, no plugin, concurrency 32 spread over 8 tenants | {} ; {rate:.0} req/s |",
        summary(samples)
    );
}
