//! Sessions: refresh-token rotation, reuse detection, logout, limits.

use e2e::{ADMIN_PASSWORD, HostClient, TestApp};
use serde_json::{Value, json};
use std::time::Duration;

async fn login(app: &TestApp, slug: &str) -> Value {
    let reply = app
        .tenant(slug)
        .post(
            "/api/v1/auth/login",
            &json!({"email": format!("admin@{slug}.test"), "password": ADMIN_PASSWORD}),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    reply.body
}

fn access(body: &Value) -> &str {
    body["access_token"].as_str().expect("access_token")
}

fn refresh_token(body: &Value) -> &str {
    body["refresh_token"].as_str().expect("refresh_token")
}

async fn refresh(site: &HostClient, token: &str) -> e2e::Reply {
    site.post("/api/v1/auth/refresh", &json!({"refresh_token": token}))
        .await
}

#[tokio::test]
async fn refresh_rotates_and_a_reused_token_revokes_the_whole_session() {
    let app = TestApp::spawn().await;
    app.create_tenant("acme").await;
    let site = app.tenant("acme");
    let first = login(&app, "acme").await;
    assert!(refresh_token(&first).starts_with("rt_"));

    let second = refresh(&site, refresh_token(&first)).await;
    assert_eq!(second.status, 200, "{}", second.text);
    assert_ne!(refresh_token(&second.body), refresh_token(&first));
    assert_eq!(second.body["session_id"], first["session_id"]);
    let fresh_access = access(&second.body).to_owned();
    assert_eq!(
        app.tenant("acme")
            .token(&fresh_access)
            .get("/api/v1/settings")
            .await
            .status,
        200
    );

    // The first token again: someone has a copy. The session ends for everyone.
    refresh(&site, refresh_token(&first))
        .await
        .assert_problem(401, "refresh_token_reused");
    refresh(&site, refresh_token(&second.body))
        .await
        .assert_problem(401, "invalid_refresh_token");
    app.tenant("acme")
        .token(&fresh_access)
        .get("/api/v1/settings")
        .await
        .assert_problem(401, "session_ended");

    let trail = app
        .tenant("acme")
        .token(access(&login(&app, "acme").await))
        .get("/api/v1/audit?action=session.revoke")
        .await;
    assert_eq!(
        trail.body[0]["details"]["reason"], "refresh_token_reused",
        "{}",
        trail.text
    );
}

#[tokio::test]
async fn two_concurrent_refreshes_of_one_token_cannot_both_win() {
    let app = TestApp::spawn().await;
    app.create_tenant("acme").await;
    let site = app.tenant("acme");
    let first = login(&app, "acme").await;
    let token = refresh_token(&first);
    let (a, b) = tokio::join!(refresh(&site, token), refresh(&site, token));
    let mut statuses = [a.status, b.status];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 401], "{} / {}", a.text, b.text);
}

#[tokio::test]
async fn logout_ends_access_and_refresh_at_once() {
    let app = TestApp::spawn().await;
    app.create_tenant("acme").await;
    let pair = login(&app, "acme").await;
    let me = app.tenant("acme").token(access(&pair));
    assert_eq!(me.post_empty("/api/v1/auth/logout").await.status, 204);
    me.get("/api/v1/settings").await.assert_problem(401, "session_ended");
    me.post_empty("/api/v1/auth/logout")
        .await
        .assert_problem(401, "session_ended");
    refresh(&app.tenant("acme"), refresh_token(&pair))
        .await
        .assert_problem(401, "invalid_refresh_token");
}

#[tokio::test]
async fn users_see_and_end_their_own_sessions_only() {
    let app = TestApp::spawn().await;
    app.create_tenant("acme").await;
    app.create_tenant("beta").await;
    let laptop = login(&app, "acme").await;
    let phone = login(&app, "acme").await;
    let me = app.tenant("acme").token(access(&laptop));

    let listed = me.get("/api/v1/auth/sessions").await;
    assert_eq!(listed.status, 200, "{}", listed.text);
    let sessions = listed.body.as_array().expect("sessions");
    assert_eq!(sessions.len(), 2);
    let current: Vec<_> = sessions.iter().filter(|s| s["current"] == true).collect();
    assert_eq!(current.len(), 1);
    assert_eq!(current[0]["id"], laptop["session_id"]);
    assert_eq!(current[0]["ip"], "127.0.0.1");

    let phone_id = phone["session_id"].as_str().expect("id");
    assert_eq!(
        me.delete(&format!("/api/v1/auth/sessions/{phone_id}")).await.status,
        204
    );
    app.tenant("acme")
        .token(access(&phone))
        .get("/api/v1/settings")
        .await
        .assert_problem(401, "session_ended");
    me.delete(&format!("/api/v1/auth/sessions/{phone_id}"))
        .await
        .assert_problem(404, "session_not_found");
    // Another tenant's session id is just unknown here.
    let other = login(&app, "beta").await;
    let other_id = other["session_id"].as_str().expect("id");
    me.delete(&format!("/api/v1/auth/sessions/{other_id}"))
        .await
        .assert_problem(404, "session_not_found");
    me.delete("/api/v1/auth/sessions/not-a-uuid")
        .await
        .assert_problem(400, "invalid_path");
}

#[tokio::test]
async fn idle_and_absolute_limits_end_sessions() {
    let app = TestApp::spawn_with(|config| {
        config.tokens.session_limits.idle = Duration::from_secs(1);
    })
    .await;
    app.create_tenant("acme").await;
    let idle = login(&app, "acme").await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    refresh(&app.tenant("acme"), refresh_token(&idle))
        .await
        .assert_problem(401, "invalid_refresh_token");

    let short = TestApp::spawn_with(|config| {
        config.tokens.session_limits.absolute = Duration::from_secs(1);
    })
    .await;
    short.create_tenant("acme").await;
    let pair = login(&short, "acme").await;
    assert_eq!(
        short
            .tenant("acme")
            .token(access(&pair))
            .get("/api/v1/settings")
            .await
            .status,
        200
    );
    tokio::time::sleep(Duration::from_millis(1500)).await;
    short
        .tenant("acme")
        .token(access(&pair))
        .get("/api/v1/settings")
        .await
        .assert_problem(401, "session_ended");
    refresh(&short.tenant("acme"), refresh_token(&pair))
        .await
        .assert_problem(401, "invalid_refresh_token");
}

#[tokio::test]
async fn malformed_refresh_requests_are_refused_cleanly() {
    let app = TestApp::spawn().await;
    app.create_tenant("acme").await;
    let site = app.tenant("acme");
    refresh(&site, "not-a-token")
        .await
        .assert_problem(401, "invalid_refresh_token");
    refresh(&site, &format!("rt_{}", "x".repeat(500)))
        .await
        .assert_problem(401, "invalid_refresh_token");
    site.post("/api/v1/auth/refresh", &json!({}))
        .await
        .assert_problem(422, "invalid_body");
}
