use super::*;

#[tokio::test]
async fn upload_shows_requested_capabilities_and_grants_only_what_is_asked() {
    let app = TestApp::spawn().await;
    let site = tenant(&app, "plug-api").await;
    let reply = upload(&site, PROBE, "").await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    assert_eq!(reply.body["name"], "probe");
    assert_eq!(reply.body["version"], "1.0.0");
    assert_eq!(reply.body["enabled"], false);
    assert_eq!(reply.body["requested"], json!(["kv", "crypto", "clock"]));
    assert_eq!(reply.body["granted"], json!([]));
    assert_eq!(
        reply.body["hooks"][0],
        json!({"hook": "content.pre_save", "priority": 10})
    );
    assert_eq!(reply.body["digest"].as_str().unwrap().len(), 64);

    // The template asks for nothing: granting kv is refused.
    let reply = upload(&site, TEMPLATE, "?grant=kv").await;
    let problem = reply.assert_problem(422, "validation_failed");
    assert!(
        problem["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("does not ask for")
    );

    let reply = site
        .put(
            "/api/v1/plugins/probe/grants",
            &json!({"capabilities": ["kv", "teleport"]}),
        )
        .await;
    reply.assert_problem(422, "validation_failed");
    let reply = site
        .put("/api/v1/plugins/probe/grants", &json!({"capabilities": ["kv"]}))
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.body["granted"], json!(["kv"]));

    // Installing the same name again is a conflict.
    upload(&site, PROBE, "").await.assert_problem(409, "plugin_installed");

    let list = site.get("/api/v1/plugins").await;
    assert_eq!(list.body.as_array().unwrap().len(), 1);

    // Audited.
    let audit = site.get("/api/v1/audit?action=plugin.install").await;
    assert_eq!(audit.status, 200, "{}", audit.text);
    assert_eq!(audit.body.as_array().map(Vec::len), Some(1), "{}", audit.text);
}

#[tokio::test]
async fn refused_uploads_say_why() {
    let app = TestApp::spawn().await;
    let site = tenant(&app, "plug-refused").await;
    let reply = upload_bytes(&site, b"MZ not wasm".to_vec(), "").await;
    let problem = reply.assert_problem(422, "invalid_plugin");
    assert!(problem["detail"].as_str().unwrap().contains("not WebAssembly"));

    let core = vec![0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
    let problem = upload_bytes(&site, core, "")
        .await
        .assert_problem(422, "invalid_plugin")
        .clone();
    assert!(
        problem["detail"].as_str().unwrap().contains("wasm32-wasip2"),
        "{problem}"
    );

    let empty_component = vec![0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00];
    let problem = upload_bytes(&site, empty_component, "")
        .await
        .assert_problem(422, "invalid_plugin")
        .clone();
    assert!(
        problem["detail"].as_str().unwrap().contains("another world"),
        "{problem}"
    );

    let huge = vec![0u8; 17 << 20];
    upload_bytes(&site, huge, "")
        .await
        .assert_problem(413, "plugin_too_large");

    let reply = HostClient::send(
        site.request(reqwest::Method::POST, "/api/v1/plugins")
            .header("content-type", "text/plain")
            .body("hello"),
    )
    .await;
    reply.assert_problem(415, "unsupported_media_type");

    assert_eq!(site.get("/api/v1/plugins").await.body, json!([]));
}

#[tokio::test]
async fn only_administrators_manage_plugins() {
    let app = TestApp::spawn().await;
    let site = tenant(&app, "plug-roles").await;
    let (_, editor) = app.add_user("plug-roles", "ed@example.com", &["editor"]).await;
    let editor = app.tenant("plug-roles").token(&editor);
    upload(&editor, PROBE, "")
        .await
        .assert_problem(403, "missing_capability");
    editor
        .get("/api/v1/plugins")
        .await
        .assert_problem(403, "missing_capability");
    upload(&site, PROBE, "").await;
    editor
        .post_empty("/api/v1/plugins/probe/enable")
        .await
        .assert_problem(403, "missing_capability");
    editor
        .put("/api/v1/plugins/probe/config", &json!({}))
        .await
        .assert_problem(403, "missing_capability");
    editor
        .delete("/api/v1/plugins/probe")
        .await
        .assert_problem(403, "missing_capability");
    app.tenant("plug-roles")
        .get("/api/v1/plugins")
        .await
        .assert_problem(401, "missing_token");
}

#[tokio::test]
async fn configuration_is_checked_against_the_plugin_schema() {
    let app = TestApp::spawn().await;
    let site = tenant(&app, "plug-config").await;
    install_probe(&site).await;
    let reply = site
        .put(
            "/api/v1/plugins/probe/config",
            &json!({"greeting": "x".repeat(30), "other": 1}),
        )
        .await;
    let problem = reply.assert_problem(422, "validation_failed");
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert!(fields.contains(&"config/greeting"), "{fields:?}");

    let reply = site
        .put("/api/v1/plugins/probe/config", &json!({"greeting": "olá"}))
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(
        site.get("/api/v1/plugins/probe/config").await.body,
        json!({"greeting": "olá"})
    );
    // The plugin reads it on its next call.
    let post = create(&site, "config").await;
    assert_eq!(meta(&post, "probe_config"), &json!({"greeting": "olá"}));
}

#[tokio::test]
async fn disable_enable_and_uninstall() {
    let app = TestApp::spawn().await;
    let site = tenant(&app, "plug-life").await;
    install_probe(&site).await;
    assert_eq!(create(&site, "a").await.body["title"]["raw"], "a [probe]");
    let reply = site.post_empty("/api/v1/plugins/probe/disable").await;
    assert_eq!(reply.body["enabled"], false);
    assert_eq!(create(&site, "b").await.body["title"]["raw"], "b");
    site.post_empty("/api/v1/plugins/probe/enable").await;
    assert_eq!(create(&site, "kv-set k v").await.status, 201);
    assert_eq!(site.delete("/api/v1/plugins/probe").await.status, 204);
    assert_eq!(create(&site, "c").await.body["title"]["raw"], "c");
    site.get("/api/v1/plugins/probe")
        .await
        .assert_problem(404, "plugin_not_found");
    // Reinstalled, its storage starts empty: uninstall erased it.
    install_probe(&site).await;
    assert_eq!(meta(&create(&site, "kv-get k").await, "probe_kv"), "none");
}

#[tokio::test]
async fn the_operator_catalogue() {
    let app = TestApp::spawn().await;
    let site = tenant(&app, "plug-cat").await;
    let ops = app.ops().token(&app.operator_token().await);
    let bytes = std::fs::read(TEMPLATE).unwrap();
    let reply = HostClient::send(
        ops.request(reqwest::Method::POST, "/api/ops/v1/plugins")
            .header("content-type", "application/wasm")
            .body(bytes),
    )
    .await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    assert_eq!(reply.body["name"], "excerpt-required");
    let listed = ops.get("/api/ops/v1/plugins").await;
    assert!(
        listed
            .body
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["name"] == "excerpt-required")
    );
    let available = site.get("/api/v1/plugin-catalogue").await;
    assert!(
        available
            .body
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["name"] == "excerpt-required")
    );

    site.post("/api/v1/plugins", &json!({"catalogue": "nope"}))
        .await
        .assert_problem(404, "plugin_not_in_catalogue");
    let reply = site
        .post(
            "/api/v1/plugins",
            &json!({"catalogue": "excerpt-required", "enable": true, "config": {"min_excerpt": 5}}),
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    assert_eq!(reply.body["source"], "catalogue");

    // The template refuses to publish without an excerpt, and says which field.
    let reply = site
        .post(
            "/api/v1/posts",
            &json!({"title": "t", "status": "publish", "content": "c"}),
        )
        .await;
    let problem = reply.assert_problem(422, "rejected_by_plugin");
    assert_eq!(problem["errors"][0]["field"], "excerpt");
    let reply = site
        .post(
            "/api/v1/posts",
            &json!({"title": "t", "status": "publish", "content": "c", "excerpt": "long enough"}),
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text);

    assert_eq!(ops.delete("/api/ops/v1/plugins/excerpt-required").await.status, 204);
    ops.delete("/api/ops/v1/plugins/excerpt-required")
        .await
        .assert_problem(404, "plugin_not_in_catalogue");
    // Installed tenants keep it.
    assert_eq!(site.get("/api/v1/plugins/excerpt-required").await.status, 200);
}

#[tokio::test]
async fn json_bodies_keep_their_limits_and_problems() {
    let app = TestApp::spawn().await;
    let site = tenant(&app, "plug-json").await;
    upload(&site, PROBE, "").await;
    let huge = json!({"greeting": "x".repeat(2 << 20)});
    site.put("/api/v1/plugins/probe/config", &huge)
        .await
        .assert_problem(413, "body_too_large");
    site.post("/api/v1/plugins", &json!({"catalogue": "x".repeat(2 << 20)}))
        .await
        .assert_problem(413, "body_too_large");
    let reply = HostClient::send(
        site.request(reqwest::Method::POST, "/api/v1/plugins")
            .header("content-type", "application/json")
            .body("{not json"),
    )
    .await;
    reply.assert_problem(400, "malformed_json");
    site.post("/api/v1/plugins", &json!({"catalogue": 7}))
        .await
        .assert_problem(422, "invalid_body");
    site.post("/api/v1/plugins?enable=maybe", &json!({"catalogue": "custom-fields"}))
        .await
        .assert_problem(400, "invalid_query");
}

/// Components over the default 1 MiB body limit (custom-fields is 1.7 MiB) upload, to tenants
/// and to the catalogue, up to the 16 MiB artifact limit.
#[tokio::test]
async fn components_larger_than_the_default_body_limit_upload() {
    let app = TestApp::spawn().await;
    let site = tenant(&app, "plug-large").await;
    let bytes = platform::plugins::builtin::BUILTIN[0].1.to_vec();
    assert!(bytes.len() > 1 << 20, "the test needs a component over 1 MiB");
    let reply = upload_bytes(&site, bytes.clone(), "").await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    assert_eq!(reply.body["source"], "upload");
    let ops = app.ops().token(&app.operator_token().await);
    let reply = HostClient::send(
        ops.request(reqwest::Method::POST, "/api/ops/v1/plugins")
            .header("content-type", "application/wasm")
            .body(bytes),
    )
    .await;
    // Read whole and checked: only then does the name turn out to be a built-in's.
    reply.assert_problem(409, "plugin_builtin");
}

/// Install changes reach every instance through the database's notification at commit; saving
/// content does not make any instance read the tenant's plugins again.
#[tokio::test]
async fn install_changes_reach_every_instance_and_content_saves_reload_nothing() {
    let app = TestApp::spawn().await;
    let peer = app.spawn_peer().await;
    let site = tenant(&app, "plug-peers").await;
    let on_peer = peer
        .on("plug-peers.localhost")
        .token(&app.admin_token("plug-peers").await);
    install_probe(&site).await;
    assert_eq!(create(&on_peer, "a").await.body["title"]["raw"], "a [probe]");

    assert_eq!(site.post_empty("/api/v1/plugins/probe/disable").await.status, 200);
    e2e::eventually("the peer stops running the disabled plugin", || async {
        create(&on_peer, "b").await.body["title"]["raw"] == "b"
    })
    .await;
    assert_eq!(site.post_empty("/api/v1/plugins/probe/enable").await.status, 200);
    e2e::eventually("the peer runs the enabled plugin again", || async {
        create(&on_peer, "c").await.body["title"]["raw"] == "c [probe]"
    })
    .await;

    // Both instances share this process's metrics; this one reloads on its next hook.
    assert_eq!(create(&site, "warm").await.body["title"]["raw"], "warm [probe]");
    let loads = || async {
        let metrics = app.on("localhost").get("/metrics").await.text;
        metrics
            .lines()
            .find_map(|l| l.strip_prefix("plugin_tenant_loads_total "))
            .map_or(0.0, |n| n.trim().parse::<f64>().expect("a count"))
    };
    let before = loads().await;
    assert!(before >= 4.0, "loaded after install and after each change: {before}");
    for title in ["d", "e", "f"] {
        assert_eq!(create(&site, title).await.status, 201);
        assert_eq!(create(&on_peer, title).await.status, 201);
    }
    // Give the six saves' notifications time to arrive before counting.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(create(&on_peer, "g").await.body["title"]["raw"], "g [probe]");
    assert_eq!(loads().await, before, "saving posts reloaded the plugins");
}

/// An app whose standard plan has this plugin quota, and a tenant on it.
async fn with_quota(quota: platform::config::PluginQuota) -> (TestApp, HostClient) {
    let app = TestApp::spawn_with(|c| {
        c.plugins.quotas.insert("standard".into(), quota);
    })
    .await;
    let site = tenant(&app, "quota").await;
    (app, site)
}

#[tokio::test]
async fn installs_uploaded_bytes_and_compile_time_stay_within_the_plans_quota() {
    use platform::config::PluginQuota;
    let unlimited = PluginQuota::default();
    let size = |file: &str| std::fs::metadata(file).expect("guest").len();

    // How many plugins, catalogue ones included.
    let (_app, site) = with_quota(PluginQuota {
        installed: 1,
        ..unlimited
    })
    .await;
    let first = site
        .post("/api/v1/plugins", &json!({"catalogue": "custom-fields"}))
        .await;
    assert_eq!(first.status, 201, "{}", first.text);
    upload(&site, e2e::guests::NOOP, "")
        .await
        .assert_problem(409, "plugin_quota_exceeded");
    assert_eq!(site.delete("/api/v1/plugins/custom-fields").await.status, 204);
    assert_eq!(upload(&site, e2e::guests::NOOP, "").await.status, 201);

    // How many bytes of uploads.
    let (_app, site) = with_quota(PluginQuota {
        installed_bytes: size(e2e::guests::NOOP) + size(ECHO) - 1,
        ..unlimited
    })
    .await;
    assert_eq!(upload(&site, e2e::guests::NOOP, "").await.status, 201);
    upload(&site, ECHO, "")
        .await
        .assert_problem(409, "plugin_quota_exceeded");

    // How long compiling may take: a millisecond an hour is spent by the first upload.
    let (_app, site) = with_quota(PluginQuota {
        compile_ms_per_hour: 2,
        ..unlimited
    })
    .await;
    assert_eq!(upload(&site, e2e::guests::NOOP, "").await.status, 201);
    let spent = upload(&site, ECHO, "").await;
    spent.assert_problem(429, "plugin_compile_budget");
    assert!(spent.header("retry-after").is_some());
}
