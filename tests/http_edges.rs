//! Request handling that every route shares: ids, operational endpoints, odd hosts.

use e2e::TestApp;

#[tokio::test]
async fn operational_endpoints_answer_on_every_host() {
    let app = TestApp::spawn().await;
    for host in ["localhost", "unknown.example", "10.0.0.7:8080"] {
        let health = app.on(host).get("/health").await;
        assert_eq!(
            (health.status, &health.body["status"]),
            (200, &serde_json::json!("ok")),
            "{host}"
        );
        let ready = app.on(host).get("/ready").await;
        assert_eq!(ready.status, 200, "{host}: {}", ready.text);
        assert_eq!(ready.body["database"], "ok");
        assert_eq!(ready.body["redis"], "ok");
        let spec = app.on(host).get("/openapi.json").await;
        assert!(spec.body["paths"]["/api/ops/v1/tenants"].is_object(), "{host}");
    }
    app.create_tenant("acme").await;
    let metrics = app.on("acme.localhost").get("/metrics").await;
    assert_eq!(metrics.status, 200);
    assert!(metrics.text.contains("http_requests_total"), "{}", metrics.text);
    assert!(
        metrics.text.contains("tenants{status=\"active\"} 1"),
        "{}",
        metrics.text
    );
    assert!(metrics.text.contains("db_pool_connections"));
}

#[tokio::test]
async fn readiness_fails_with_503_while_redis_is_unreachable() {
    // Port 1 on loopback: nothing listens there, so connecting fails at once.
    let app = TestApp::spawn_with(|config| config.redis_url = Some("redis://127.0.0.1:1".into())).await;
    let ready = app.ops().get("/ready").await;
    let problem = ready.assert_problem(503, "not_ready");
    assert!(
        problem["detail"].as_str().is_some_and(|d| d.contains("redis")),
        "{problem}"
    );
    assert_eq!(
        app.ops().get("/health").await.status,
        200,
        "liveness does not depend on Redis"
    );
}

#[tokio::test]
async fn request_ids_are_echoed_or_generated() {
    let app = TestApp::spawn().await;
    let given = e2e::HostClient::send(
        app.ops()
            .request(reqwest::Method::GET, "/health")
            .header("x-request-id", "trace-abc.123"),
    )
    .await;
    assert_eq!(given.header("x-request-id"), Some("trace-abc.123"));
    let junk = e2e::HostClient::send(
        app.ops()
            .request(reqwest::Method::GET, "/nope")
            .header("x-request-id", "bad id with spaces"),
    )
    .await;
    let id = junk.header("x-request-id").expect("generated").to_owned();
    assert!(uuid::Uuid::parse_str(&id).is_ok(), "{id}");
    assert_eq!(junk.body["request_id"], id, "the problem body quotes the same id");
}

#[tokio::test]
async fn hosts_are_normalised_and_garbage_hosts_are_refused() {
    let app = TestApp::spawn().await;
    app.create_tenant("acme").await;
    let token = app.admin_token("acme").await;
    for host in ["ACME.LocalHost", "acme.localhost.", "acme.localhost:8080"] {
        assert_eq!(
            app.on(host).token(&token).get("/api/v1/settings").await.status,
            200,
            "{host}"
        );
    }
    app.on("bad_host!")
        .get("/api/v1/settings")
        .await
        .assert_problem(400, "invalid_host");
    app.on("a.b.acme.localhost")
        .get("/api/v1/settings")
        .await
        .assert_problem(404, "unknown_host");
}

#[tokio::test]
async fn wrong_methods_and_unknown_paths_are_problems() {
    let app = TestApp::spawn().await;
    app.create_tenant("acme").await;
    let reply = e2e::HostClient::send(app.tenant("acme").request(reqwest::Method::DELETE, "/api/v1/settings")).await;
    reply.assert_problem(405, "method_not_allowed");
    app.tenant("acme")
        .get("/api/v1/nothing-here")
        .await
        .assert_problem(404, "not_found");
    app.ops().get("/wp-admin").await.assert_problem(404, "not_found");
}

#[tokio::test]
async fn settings_are_validated_and_guarded_by_version() {
    let app = TestApp::spawn().await;
    app.create_tenant("acme").await;
    let token = app.admin_token("acme").await;
    let site = app.tenant("acme").token(&token);

    let bad = site
        .put("/api/v1/settings", &serde_json::json!({"timezone": "Nowhere Land", "cors_allowed_origins": ["ftp://x"], "trust_thresholds": {"publish": 150}}))
        .await;
    bad.assert_problem(422, "validation_failed");
    let fields: Vec<&str> = bad.body["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|e| e["field"].as_str())
        .collect();
    assert_eq!(
        fields,
        ["timezone", "cors_allowed_origins/0", "trust_thresholds/publish"]
    );
    site.put("/api/v1/settings", &serde_json::json!({"unknown_setting": 1}))
        .await
        .assert_problem(422, "invalid_body");

    let read = site.get("/api/v1/settings").await;
    let etag = read.header("etag").expect("etag").to_owned();
    let save = |if_match: &str| {
        e2e::HostClient::send(
            site.request(reqwest::Method::PUT, "/api/v1/settings")
                .header("if-match", if_match)
                .json(&serde_json::json!({"locale": "pt-BR"})),
        )
    };
    let first = save(&etag).await;
    assert_eq!(first.status, 200, "{}", first.text);
    assert_eq!(first.header("etag"), Some("\"2\""));
    save(&etag).await.assert_problem(412, "stale_version");
    save("garbage").await.assert_problem(400, "invalid_if_match");
}

#[tokio::test]
async fn only_active_administrators_manage_settings() {
    let app = TestApp::spawn().await;
    app.create_tenant("acme").await;
    let token = app.admin_token("acme").await;
    let acme = app
        .tenancy()
        .get_by_slug(&tenants::TenantSlug::parse("acme").expect("slug"))
        .await
        .expect("acme");
    let mut tx = acme.scope().begin(&app.db.pool).await.expect("begin");
    sqlx::query("UPDATE users SET roles = '{editor}'")
        .execute(&mut *tx)
        .await
        .expect("demote");
    tx.commit().await.expect("commit");
    app.tenant("acme")
        .token(&token)
        .get("/api/v1/settings")
        .await
        .assert_problem(403, "missing_capability");
}
