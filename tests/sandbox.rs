//! The plugin sandbox on its own: every limit stops a misbehaving plugin with an error naming
//! it and the limit, and the runtime goes on serving the next call. Guests are built from
//! source by this crate's build script.

use futures_util::future::BoxFuture;
use plugins::{
    CallContext, CallError, CallSetup, Capabilities, Capability, Limit, Limits, Runtime, ServiceError, Services,
};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

/// KV in memory, for calls that need it.
#[derive(Default)]
struct MemoryServices {
    kv: Mutex<BTreeMap<String, Vec<u8>>>,
    config: String,
}

impl Services for MemoryServices {
    fn kv_get<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<Option<Vec<u8>>, ServiceError>> {
        Box::pin(async move { Ok(self.kv.lock().expect("kv lock").get(key).cloned()) })
    }
    fn kv_set<'a>(&'a self, key: &'a str, value: &'a [u8]) -> BoxFuture<'a, Result<(), ServiceError>> {
        Box::pin(async move {
            self.kv.lock().expect("kv lock").insert(key.to_owned(), value.to_vec());
            Ok(())
        })
    }
    fn kv_delete<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<bool, ServiceError>> {
        Box::pin(async move { Ok(self.kv.lock().expect("kv lock").remove(key).is_some()) })
    }
    fn kv_list<'a>(&'a self, prefix: &'a str, limit: u32) -> BoxFuture<'a, Result<Vec<String>, ServiceError>> {
        Box::pin(async move {
            Ok(self
                .kv
                .lock()
                .expect("kv lock")
                .keys()
                .filter(|k| k.starts_with(prefix))
                .take(limit as usize)
                .cloned()
                .collect())
        })
    }
    fn config(&self) -> &str {
        if self.config.is_empty() { "{}" } else { &self.config }
    }
    fn seal<'a>(&'a self, _: &'a str, _: &'a [u8]) -> BoxFuture<'a, Result<String, ServiceError>> {
        Box::pin(async { Err(ServiceError::Unavailable) })
    }
    fn open<'a>(&'a self, _: &'a str, _: &'a str) -> BoxFuture<'a, Result<Vec<u8>, ServiceError>> {
        Box::pin(async { Err(ServiceError::Unavailable) })
    }
}

fn runtime() -> Runtime {
    let hooks = ["content.pre_save", "content.pre_publish", "content.saved"]
        .map(String::from)
        .to_vec();
    Runtime::new(Default::default(), hooks).expect("engine")
}

fn bytes(path: &str) -> Arc<[u8]> {
    std::fs::read(path).expect("guest built by build.rs").into()
}

fn setup(limits: Limits) -> CallSetup {
    CallSetup {
        limits,
        grants: Capabilities::from([Capability::Kv]),
        services: Arc::new(MemoryServices::default()),
    }
}

fn context() -> CallContext {
    CallContext {
        user_id: Some("u1".into()),
        user_roles: vec!["editor".into()],
        request_id: None,
    }
}

fn payload(title: &str) -> String {
    json!({"post": {"type": "post", "status": "draft", "title": title, "content": "", "meta": {}, "terms": {}}, "previous": null})
        .to_string()
}

async fn filter(
    runtime: &Runtime,
    setup: &CallSetup,
    title: &str,
) -> Result<Result<Value, plugins::Rejection>, CallError> {
    let probe = runtime
        .load(bytes(env!("GUEST_GUEST_PROBE")))
        .await
        .expect("probe loads");
    runtime
        .filter(&probe, setup, context(), "content.pre_save", payload(title))
        .await
        .map(|r| r.map(|text| serde_json::from_str(&text).expect("json")))
}

/// After a failure, the same runtime still answers a normal call.
async fn still_serves(runtime: &Runtime) {
    let out = filter(runtime, &setup(Limits::default()), "hello")
        .await
        .expect("call")
        .expect("accepted");
    assert_eq!(out["post"]["title"], "hello [probe]");
}

fn limit_of(error: &CallError) -> Option<Limit> {
    match error {
        CallError::Limit { limit, .. } => Some(*limit),
        _ => None,
    }
}

#[tokio::test]
async fn describe_is_read_and_checked_at_load() {
    let runtime = runtime();
    let probe = runtime.load(bytes(env!("GUEST_GUEST_PROBE"))).await.unwrap();
    assert_eq!(probe.info.name, "probe");
    assert_eq!(probe.info.version.to_string(), "1.0.0");
    assert_eq!(probe.info.priority("content.pre_save"), Some(10));
    assert!(probe.info.capabilities.contains(&Capability::Crypto));
    assert_eq!(probe.info.config_schema["properties"]["greeting"]["maxLength"], 20);
}

#[tokio::test]
async fn a_filter_changes_the_payload() {
    let runtime = runtime();
    still_serves(&runtime).await;
}

#[tokio::test]
async fn a_rejection_carries_its_fields() {
    let runtime = runtime();
    let rejection = filter(&runtime, &setup(Limits::default()), "reject")
        .await
        .unwrap()
        .unwrap_err();
    assert_eq!(rejection.message, "the probe refuses this post");
    assert_eq!(rejection.fields.len(), 2);
    assert_eq!(rejection.fields[0].field, "acf.first");
}

#[tokio::test]
async fn an_infinite_loop_is_stopped_by_the_deadline() {
    let runtime = runtime();
    let limits = Limits {
        fuel: u64::MAX / 2,
        ..Limits::default()
    };
    runtime.load(bytes(env!("GUEST_GUEST_PROBE"))).await.unwrap();
    let started = std::time::Instant::now();
    let error = filter(&runtime, &setup(limits), "loop").await.unwrap_err();
    assert_eq!(limit_of(&error), Some(Limit::Deadline), "{error}");
    let elapsed = started.elapsed();
    assert!(elapsed < std::time::Duration::from_millis(500), "{elapsed:?}");
    assert!(error.to_string().contains("plugin probe"), "{error}");
    assert!(error.to_string().contains("100 ms"), "{error}");
    still_serves(&runtime).await;
}

#[tokio::test]
async fn fuel_runs_out() {
    let runtime = runtime();
    let limits = Limits {
        deadline_ms: 20_000,
        fuel: 5_000_000,
        ..Limits::default()
    };
    let error = filter(&runtime, &setup(limits), "loop").await.unwrap_err();
    assert_eq!(limit_of(&error), Some(Limit::Fuel), "{error}");
    still_serves(&runtime).await;
}

#[tokio::test]
async fn memory_growth_past_the_limit_is_stopped() {
    let runtime = runtime();
    // Growing to the limit takes a while on a loaded machine: the deadline must not be what
    // stops it (it ran out first once under a full test run on two cores).
    let limits = Limits {
        deadline_ms: 5_000,
        ..Limits::default()
    };
    let error = filter(&runtime, &setup(limits), "grow").await.unwrap_err();
    assert_eq!(limit_of(&error), Some(Limit::Memory), "{error}");
    assert!(error.to_string().contains("32 MiB"), "{error}");
    still_serves(&runtime).await;
}

#[tokio::test]
async fn a_stack_overflow_is_stopped() {
    let runtime = runtime();
    let error = filter(&runtime, &setup(Limits::default()), "recurse")
        .await
        .unwrap_err();
    assert_eq!(limit_of(&error), Some(Limit::Stack), "{error}");
    still_serves(&runtime).await;
}

#[tokio::test]
async fn a_panic_is_a_trap_with_its_message() {
    let runtime = runtime();
    let error = filter(&runtime, &setup(Limits::default()), "panic").await.unwrap_err();
    assert!(matches!(error, CallError::Trap { .. }), "{error}");
    assert!(error.to_string().contains("the probe was asked to panic"), "{error}");
    still_serves(&runtime).await;
}

#[tokio::test]
async fn oversized_output_and_input_are_refused() {
    let runtime = runtime();
    // Building and encoding 2 MiB takes more than the standard fuel in this guest.
    let generous = Limits {
        fuel: 2_000_000_000,
        deadline_ms: 20_000,
        ..Limits::default()
    };
    let error = filter(&runtime, &setup(generous), "big").await.unwrap_err();
    assert_eq!(limit_of(&error), Some(Limit::PayloadOut), "{error}");
    let huge = "h".repeat(2 << 20);
    let error = filter(&runtime, &setup(Limits::default()), &huge).await.unwrap_err();
    assert_eq!(limit_of(&error), Some(Limit::PayloadIn), "{error}");
    still_serves(&runtime).await;
}

#[tokio::test]
async fn capabilities_not_granted_are_access_denied() {
    let runtime = runtime();
    let mut no_grants = setup(Limits::default());
    no_grants.grants = Capabilities::new();
    let out = filter(&runtime, &no_grants, "kv-set a b").await.unwrap().unwrap();
    assert_eq!(out["post"]["meta"]["probe_kv"], "Err(KvError::AccessDenied)");
    let out = filter(&runtime, &no_grants, "clock").await.unwrap().unwrap();
    assert_eq!(
        out["post"]["meta"]["probe_clock"],
        json!({"host": null, "wasi_secs": 0})
    );

    let mut granted = setup(Limits::default());
    granted.grants.insert(Capability::Clock);
    let out = filter(&runtime, &granted, "kv-set a b").await.unwrap().unwrap();
    assert_eq!(out["post"]["meta"]["probe_kv"], "Ok(())");
    let out = filter(&runtime, &granted, "kv-get a").await.unwrap().unwrap();
    assert_eq!(out["post"]["meta"]["probe_kv"], "value b");
    let out = filter(&runtime, &granted, "clock").await.unwrap().unwrap();
    assert!(out["post"]["meta"]["probe_clock"]["wasi_secs"].as_u64().unwrap() > 1_700_000_000);
}

#[tokio::test]
async fn logging_past_the_cap_is_dropped_not_fatal() {
    let runtime = runtime();
    let out = filter(&runtime, &setup(Limits::default()), "log 100")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(out["post"]["meta"]["probe_logged"], 100);
}

#[tokio::test]
async fn a_hundred_concurrent_calls() {
    let runtime = runtime();
    let probe = runtime.load(bytes(env!("GUEST_GUEST_PROBE"))).await.unwrap();
    let setup = setup(Limits::default());
    let calls = (0..100).map(|i| {
        let (runtime, probe, setup) = (runtime.clone(), probe.clone(), setup.clone());
        tokio::spawn(async move {
            let out = runtime
                .filter(&probe, &setup, context(), "content.pre_save", payload(&format!("n{i}")))
                .await
                .unwrap()
                .unwrap();
            let out: Value = serde_json::from_str(&out).unwrap();
            assert_eq!(out["post"]["title"], format!("n{i} [probe]"));
        })
    });
    for call in futures_util::future::join_all(calls).await {
        call.unwrap();
    }
}

#[tokio::test]
async fn uploads_that_are_not_our_components_are_refused() {
    let runtime = runtime();
    let refused = |bytes: &[u8]| {
        let runtime = runtime.clone();
        let bytes: Arc<[u8]> = bytes.into();
        async move { runtime.load(bytes).await.unwrap_err().to_string() }
    };
    assert!(refused(b"not wasm").await.contains("not WebAssembly"));
    let core = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
    assert!(refused(&core).await.contains("core WebAssembly module"));
    // A component of another world: the smallest valid component exports nothing.
    let empty_component = [0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00];
    let message = refused(&empty_component).await;
    assert!(message.contains("another world"), "{message}");
    // A truncated component.
    let probe = bytes(env!("GUEST_GUEST_PROBE"));
    let message = refused(&probe[..probe.len() / 2]).await;
    assert!(message.contains("not valid"), "{message}");
}
