//! Onboarding end to end over HTTP: an operator creates a tenant, its host serves it,
//! suspension and deletion take effect on every instance.

use e2e::{ADMIN_PASSWORD, TestApp};
use serde_json::json;
use std::time::Duration;

#[tokio::test]
async fn operator_onboards_a_tenant_whose_host_then_serves_it() {
    let app = TestApp::spawn().await;
    let created = app.create_tenant("acme").await;
    assert_eq!(created["slug"], "acme");
    assert_eq!(created["status"], "active");
    assert_eq!(created["schema"], "tenant_acme");
    assert_eq!(created["domains"][0]["host"], "acme.localhost");
    assert!(
        created.get("setup_token").is_none(),
        "no setup token when a password was given"
    );

    let token = app.admin_token("acme").await;
    let settings = app.tenant("acme").token(&token).get("/api/v1/settings").await;
    assert_eq!(settings.status, 200, "{}", settings.text);
    assert_eq!(settings.header("etag"), Some("\"1\""));
}

#[tokio::test]
async fn suspended_tenant_gets_403_and_resumes() {
    let app = TestApp::spawn().await;
    let id = app.create_tenant("acme").await["id"].as_str().expect("id").to_owned();
    let admin = app.admin_token("acme").await;
    let ops = app.operator_token().await;

    let suspended = app
        .ops()
        .token(&ops)
        .post_empty(&format!("/api/ops/v1/tenants/{id}/suspend"))
        .await;
    assert_eq!(suspended.body["status"], "suspended", "{}", suspended.text);
    app.tenant("acme")
        .token(&admin)
        .get("/api/v1/settings")
        .await
        .assert_problem(403, "tenant_suspended");
    app.tenant("acme")
        .get("/no/such/path")
        .await
        .assert_problem(403, "tenant_suspended");
    let login = app
        .tenant("acme")
        .post(
            "/api/v1/auth/login",
            &json!({"email": "admin@acme.test", "password": ADMIN_PASSWORD}),
        )
        .await;
    login.assert_problem(403, "tenant_suspended");

    let resumed = app
        .ops()
        .token(&ops)
        .post_empty(&format!("/api/ops/v1/tenants/{id}/resume"))
        .await;
    assert_eq!(resumed.body["status"], "active");
    assert_eq!(
        app.tenant("acme").token(&admin).get("/api/v1/settings").await.status,
        200
    );
}

#[tokio::test]
async fn deleted_tenant_is_gone_with_its_schema_role_and_keys() {
    let app = TestApp::spawn().await;
    let id = app.create_tenant("gone").await["id"].as_str().expect("id").to_owned();
    let admin = app.admin_token("gone").await;
    let role = format!("{}tenant_gone", app.db.role_prefix);
    let ops = app.operator_token().await;

    let deleted = app.ops().token(&ops).delete(&format!("/api/ops/v1/tenants/{id}")).await;
    assert_eq!(deleted.status, 204, "{}", deleted.text);

    app.tenant("gone")
        .token(&admin)
        .get("/api/v1/settings")
        .await
        .assert_problem(404, "unknown_host");
    app.ops()
        .token(&ops)
        .get(&format!("/api/ops/v1/tenants/{id}"))
        .await
        .assert_problem(404, "tenant_not_found");
    let pool = &app.db.pool;
    let schema: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = 'tenant_gone')")
        .fetch_one(pool)
        .await
        .expect("query");
    let role_left: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)")
        .bind(&role)
        .fetch_one(pool)
        .await
        .expect("query");
    let keys: i64 = sqlx::query_scalar("SELECT count(*) FROM platform.tenant_keys WHERE tenant_id = $1::uuid")
        .bind(&id)
        .fetch_one(pool)
        .await
        .expect("query");
    assert!(
        !schema && !role_left && keys == 0,
        "schema {schema}, role {role_left}, keys {keys}"
    );
    // The slug is free again.
    app.create_tenant("gone").await;
}

#[tokio::test]
async fn setup_token_lets_the_first_administrator_choose_a_password_once() {
    let app = TestApp::spawn().await;
    let ops = app.operator_token().await;
    let created = app
        .ops()
        .token(&ops)
        .post(
            "/api/ops/v1/tenants",
            &json!({"slug": "tokened", "name": "Tokened", "admin_email": "boss@tokened.test"}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    let setup_token = created.body["setup_token"]
        .as_str()
        .expect("setup token returned once")
        .to_owned();
    let site = app.tenant("tokened");
    let login = json!({"email": "boss@tokened.test", "password": "a brand new password"});
    site.post("/api/v1/auth/login", &login)
        .await
        .assert_problem(401, "invalid_credentials");

    site.post(
        "/api/v1/auth/setup",
        &json!({"token": setup_token, "password": "short"}),
    )
    .await
    .assert_problem(422, "validation_failed");
    let set = site
        .post(
            "/api/v1/auth/setup",
            &json!({"token": setup_token, "password": "a brand new password"}),
        )
        .await;
    assert_eq!(set.status, 204, "{}", set.text);
    assert_eq!(site.post("/api/v1/auth/login", &login).await.status, 200);
    site.post(
        "/api/v1/auth/setup",
        &json!({"token": setup_token, "password": "another password!"}),
    )
    .await
    .assert_problem(401, "invalid_setup_token");
}

#[tokio::test]
async fn operator_lists_tenants_a_page_at_a_time() {
    let app = TestApp::spawn().await;
    for slug in ["one", "two", "three"] {
        app.create_tenant(slug).await;
    }
    let ops = app.operator_token().await;
    let page = app.ops().token(&ops).get("/api/ops/v1/tenants?page=2&per_page=2").await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert_eq!(page.header("x-total-count"), Some("3"));
    assert_eq!(page.body.as_array().expect("array").len(), 1);
    assert_eq!(page.body[0]["slug"], "three");
    let link = page.header("link").expect("link header");
    assert!(
        link.contains("rel=\"prev\"") && link.contains("rel=\"first\"") && !link.contains("rel=\"next\""),
        "{link}"
    );
    let active = app.ops().token(&ops).get("/api/ops/v1/tenants?status=suspended").await;
    assert_eq!(active.header("x-total-count"), Some("0"));
    app.ops()
        .token(&ops)
        .get("/api/ops/v1/tenants?per_page=101")
        .await
        .assert_problem(400, "invalid_query");
    app.ops()
        .token(&ops)
        .get("/api/ops/v1/tenants?status=sleeping")
        .await
        .assert_problem(400, "invalid_query");
}

#[tokio::test]
async fn custom_domains_route_until_removed() {
    let app = TestApp::spawn().await;
    let id = app.create_tenant("acme").await["id"].as_str().expect("id").to_owned();
    let ops = app.operator_token().await;
    let admin = app.admin_token("acme").await;
    let domains = format!("/api/ops/v1/tenants/{id}/domains");

    app.on("portal.acme.example")
        .get("/api/v1/settings")
        .await
        .assert_problem(404, "unknown_host");
    let added = app
        .ops()
        .token(&ops)
        .post(&domains, &json!({"host": "Portal.Acme.Example.", "primary": true}))
        .await;
    assert_eq!(added.status, 201, "{}", added.text);
    assert_eq!(added.body["host"], "portal.acme.example");
    assert_eq!(
        app.on("portal.acme.example:443")
            .token(&admin)
            .get("/api/v1/settings")
            .await
            .status,
        200
    );

    app.ops()
        .token(&ops)
        .post(&domains, &json!({"host": "portal.acme.example"}))
        .await
        .assert_problem(409, "domain_taken");
    app.ops()
        .token(&ops)
        .post(&domains, &json!({"host": "other.localhost"}))
        .await
        .assert_problem(422, "validation_failed");
    app.ops()
        .token(&ops)
        .post(&domains, &json!({"host": "not a host"}))
        .await
        .assert_problem(422, "validation_failed");
    app.ops()
        .token(&ops)
        .delete(&format!("{domains}/acme.localhost"))
        .await
        .assert_problem(409, "conflict");

    let removed = app
        .ops()
        .token(&ops)
        .delete(&format!("{domains}/portal.acme.example"))
        .await;
    assert_eq!(removed.status, 204, "{}", removed.text);
    app.on("portal.acme.example")
        .get("/api/v1/settings")
        .await
        .assert_problem(404, "unknown_host");
    let shown = app.ops().token(&ops).get(&format!("/api/ops/v1/tenants/{id}")).await;
    assert_eq!(shown.body["domains"][0]["host"], "acme.localhost");
    assert_eq!(
        shown.body["domains"][0]["primary"], true,
        "the platform subdomain is primary again"
    );
}

#[tokio::test]
async fn suspension_reaches_every_instance_through_the_invalidation_channel() {
    let app = TestApp::spawn().await;
    let id = app.create_tenant("acme").await["id"].as_str().expect("id").to_owned();
    let admin = app.admin_token("acme").await;
    let peer = app.spawn_peer().await;
    // The peer has now cached the tenant as active.
    assert_eq!(
        peer.on("acme.localhost")
            .token(&admin)
            .get("/api/v1/settings")
            .await
            .status,
        200
    );
    tokio::time::sleep(Duration::from_millis(200)).await; // the peer's listener is connected

    let ops = app.operator_token().await;
    assert_eq!(
        app.ops()
            .token(&ops)
            .post_empty(&format!("/api/ops/v1/tenants/{id}/suspend"))
            .await
            .status,
        200
    );

    e2e::eventually("the peer instance stops serving a suspended tenant", || async {
        peer.on("acme.localhost")
            .token(&admin)
            .get("/api/v1/settings")
            .await
            .status
            == 403
    })
    .await;
}
