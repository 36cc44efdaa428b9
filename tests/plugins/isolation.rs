use super::*;

#[tokio::test]
async fn kv_is_private_to_the_tenant_and_the_plugin() {
    let app = TestApp::spawn().await;
    let a = tenant(&app, "plug-kv-a").await;
    let b = tenant(&app, "plug-kv-b").await;
    install_probe(&a).await;
    install_probe(&b).await;
    assert_eq!(upload(&a, ECHO, "?grant=kv&enable=true").await.status, 201);

    assert_eq!(meta(&create(&a, "kv-set secret 42").await, "probe_kv"), "Ok(())");
    assert_eq!(meta(&create(&a, "kv-get secret").await, "probe_kv"), "value 42");
    // Same plugin, other tenant: nothing.
    assert_eq!(meta(&create(&b, "kv-get secret").await, "probe_kv"), "none");
    assert_eq!(meta(&create(&b, "kv-list sec").await, "probe_kv"), "Ok([])");
    // Same tenant, other plugin: nothing (the echo reads its own KV).
    assert_eq!(meta(&create(&a, "kv-get secret").await, "echo_kv"), "none");
}

#[tokio::test]
async fn capabilities_work_only_once_granted() {
    let app = TestApp::spawn().await;
    let site = tenant(&app, "plug-grants").await;
    assert_eq!(upload(&site, PROBE, "?enable=true").await.status, 201);
    assert_eq!(
        meta(&create(&site, "kv-set a b").await, "probe_kv"),
        "Err(KvError::AccessDenied)"
    );
    assert_eq!(
        meta(&create(&site, "seal x").await, "probe_crypto"),
        "CryptoError::AccessDenied"
    );
    assert_eq!(
        meta(&create(&site, "clock").await, "probe_clock"),
        &json!({"host": null, "wasi_secs": 0})
    );
    site.put(
        "/api/v1/plugins/probe/grants",
        &json!({"capabilities": ["kv", "crypto", "clock"]}),
    )
    .await;
    assert_eq!(meta(&create(&site, "kv-set a b").await, "probe_kv"), "Ok(())");
    let crypto = meta(&create(&site, "seal s3cret").await, "probe_crypto").clone();
    assert_eq!(crypto["opened"], "s3cret");
    assert_eq!(crypto["other_context"], "Err(CryptoError::Invalid)");
    assert!(!crypto["sealed"].as_str().unwrap().contains("s3cret"));
    assert!(
        meta(&create(&site, "clock").await, "probe_clock")["host"]
            .as_i64()
            .unwrap()
            > 1_700_000_000_000
    );
}

#[tokio::test]
async fn sealed_values_open_only_in_their_tenant() {
    let app = TestApp::spawn().await;
    let a = tenant(&app, "plug-seal-a").await;
    let b = tenant(&app, "plug-seal-b").await;
    install_probe(&a).await;
    install_probe(&b).await;
    let crypto = meta(&create(&a, "seal s3cret").await, "probe_crypto").clone();
    let sealed = crypto["sealed"].as_str().unwrap();
    assert_eq!(
        meta(&create(&a, &format!("open {sealed}")).await, "probe_crypto"),
        "Ok([115, 51, 99, 114, 101, 116])"
    );
    assert_eq!(
        meta(&create(&b, &format!("open {sealed}")).await, "probe_crypto"),
        "Err(CryptoError::Invalid)"
    );
}

#[tokio::test]
async fn a_tenants_plugins_are_invisible_to_another() {
    let app = TestApp::spawn().await;
    let a = tenant(&app, "plug-vis-a").await;
    let b = tenant(&app, "plug-vis-b").await;
    install_probe(&a).await;
    assert_eq!(b.get("/api/v1/plugins").await.body, json!([]));
    b.get("/api/v1/plugins/probe")
        .await
        .assert_problem(404, "plugin_not_found");
    b.put("/api/v1/plugins/probe/config", &json!({}))
        .await
        .assert_problem(404, "plugin_not_found");
    b.delete("/api/v1/plugins/probe")
        .await
        .assert_problem(404, "plugin_not_found");
    assert_eq!(create(&b, "x").await.body["title"]["raw"], "x");
    // A's token on B's host is refused.
    let a_token_on_b = app.tenant("plug-vis-b").token(&app.admin_token("plug-vis-a").await);
    assert_eq!(a_token_on_b.get("/api/v1/plugins").await.status, 401);
}

#[tokio::test]
async fn kv_refuses_oversized_keys_and_values() {
    let app = TestApp::spawn().await;
    let site = tenant(&app, "plug-kv-limits").await;
    install_probe(&site).await;
    assert_eq!(meta(&create(&site, "kv-big ok 64").await, "probe_kv"), "Ok(())");
    assert_eq!(
        meta(&create(&site, "kv-big big 65").await, "probe_kv"),
        "Err(KvError::TooLarge)"
    );
    let long_key = "k".repeat(257);
    assert_eq!(
        meta(&create(&site, &format!("kv-set {long_key} v")).await, "probe_kv"),
        "Err(KvError::TooLarge)"
    );
    assert_eq!(
        meta(&create(&site, "kv-get big").await, "probe_kv"),
        "none",
        "nothing half-written"
    );
}
