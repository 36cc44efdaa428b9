use super::*;

#[tokio::test]
async fn filters_run_in_priority_order_each_seeing_the_last() {
    let app = TestApp::spawn().await;
    let site = tenant(&app, "plug-order").await;
    // Installed echo first: order comes from priorities (probe 10, echo 20), not install order.
    assert_eq!(upload(&site, ECHO, "?enable=true").await.status, 201);
    install_probe(&site).await;
    let reply = create(&site, "hello").await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    assert_eq!(reply.body["title"]["raw"], "hello [probe] [echo]");
    assert_eq!(meta(&reply, "probe_seen"), true);
}

#[tokio::test]
async fn a_rejection_stops_the_chain_and_the_write() {
    let app = TestApp::spawn().await;
    let site = tenant(&app, "plug-reject").await;
    install_probe(&site).await;
    assert_eq!(upload(&site, ECHO, "?enable=true").await.status, 201);
    let reply = create(&site, "reject").await;
    let problem = reply.assert_problem(422, "rejected_by_plugin");
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .starts_with("probe: the probe refuses this post")
    );
    assert_eq!(
        problem["errors"],
        json!([
            {"field": "acf.first", "message": "is wrong"},
            {"field": "acf.second", "message": "is missing"},
        ])
    );
    assert_eq!(site.get("/api/v1/posts?status=draft").await.body, json!([]));
}

/// Each misbehaviour refuses the write with a problem naming the plugin and the limit; the
/// same tenant and another are served normally straight after.
#[tokio::test]
async fn misbehaving_plugins_fail_the_write_and_nothing_else() {
    // Fuel enough to build a 2 MiB answer, so the payload limit is what stops it.
    let app = TestApp::spawn_with(|config| {
        config.plugins.plans.insert(
            "standard".into(),
            plugins::Limits {
                fuel: 1 << 40,
                deadline_ms: 1_000,
                ..Default::default()
            },
        );
    })
    .await;
    let site = tenant(&app, "plug-bad").await;
    let other = tenant(&app, "plug-bystander").await;
    install_probe(&site).await;
    install_probe(&other).await;
    for (title, says) in [
        ("loop", "time limit"),
        ("grow", "memory limit"),
        ("recurse", "stack"),
        ("panic", "the probe was asked to panic"),
        ("big", "payload"),
    ] {
        let reply = create(&site, title).await;
        let problem = reply.assert_problem(422, "plugin_failed");
        let detail = problem["detail"].as_str().unwrap();
        assert!(detail.contains("plugin probe"), "{title}: {detail}");
        assert!(detail.contains(says), "{title}: {detail}");
        assert_eq!(
            create(&site, "fine").await.status,
            201,
            "{title}: the same tenant after"
        );
        assert_eq!(
            create(&other, "fine").await.status,
            201,
            "{title}: another tenant after"
        );
    }
    let drafts = site.get("/api/v1/posts?status=draft").await;
    assert_eq!(
        drafts.body.as_array().unwrap().len(),
        5,
        "only the fine posts were written"
    );
}

#[tokio::test]
async fn the_deadline_stops_a_loop_that_fuel_would_not() {
    let app = TestApp::spawn_with(|config| {
        config.plugins.plans.insert(
            "standard".into(),
            plugins::Limits {
                fuel: 1 << 50,
                ..Default::default()
            },
        );
    })
    .await;
    let site = tenant(&app, "plug-deadline").await;
    install_probe(&site).await;
    let started = std::time::Instant::now();
    let problem = create(&site, "loop").await.assert_problem(422, "plugin_failed").clone();
    assert!(
        problem["detail"].as_str().unwrap().contains("time limit (100 ms)"),
        "{problem}"
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(2));
    assert_eq!(create(&site, "fine").await.status, 201);
}

#[tokio::test]
async fn fuel_is_a_plan_limit() {
    let app = TestApp::spawn_with(|config| {
        config.plugins.plans.insert(
            "standard".into(),
            plugins::Limits {
                deadline_ms: 10_000,
                fuel: 2_000_000,
                ..Default::default()
            },
        );
    })
    .await;
    let site = tenant(&app, "plug-fuel").await;
    let other = tenant(&app, "plug-fuel-other").await;
    install_probe(&site).await;
    install_probe(&other).await;
    let problem = create(&site, "loop").await.assert_problem(422, "plugin_failed").clone();
    assert!(problem["detail"].as_str().unwrap().contains("fuel"), "{problem}");
    assert_eq!(create(&site, "fine").await.status, 201, "the same tenant after");
    assert_eq!(create(&other, "fine").await.status, 201, "another tenant after");
}

#[tokio::test]
async fn actions_run_after_commit() {
    let app = TestApp::spawn().await;
    let site = tenant(&app, "plug-action").await;
    install_probe(&site).await;
    let post = create(&site, "acted").await;
    let id = post.body["id"].clone();
    // The probe's content.saved action stores `saved:{id}`; wait for the background call.
    e2e::eventually("the content.saved action stored its mark", || async {
        meta(&create(&site, &format!("kv-get saved:{id}")).await, "probe_kv") == "value content.saved"
    })
    .await;
}

/// Filters use KV while their write holds a connection; with more writers than connections,
/// the plugin host's own pool keeps them from waiting on each other (this deadlocked until
/// the acquire timeout when plugins shared the main pool).
#[tokio::test]
async fn concurrent_writes_with_plugin_storage_never_starve_the_pool() {
    let app = TestApp::spawn_with(|config| config.database.max_connections = 4).await;
    let site = tenant(&app, "plug-pool").await;
    install_probe(&site).await;
    let site = &site;
    let replies = futures_util::future::join_all(
        (0..16).map(|i| async move { create(site, &format!("kv-set key{i} value{i}")).await }),
    )
    .await;
    for reply in &replies {
        assert_eq!(reply.status, 201, "{}", reply.text);
        assert_eq!(meta(reply, "probe_kv"), "Ok(())");
    }
}
