//! HTTP hardening: security headers everywhere, CORS from each tenant's own allow-list.

use e2e::{HostClient, TestApp};
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let app = TestApp::spawn().await;
    app.create_tenant("acme").await;
    let token = app.admin_token("acme").await;
    let replies = [
        app.tenant("acme").token(&token).get("/api/v1/settings").await,
        app.ops().get("/api/ops/v1/tenants").await,
        app.on("nobody.localhost").get("/").await,
        app.ops().get("/health").await,
    ];
    for reply in &replies {
        assert_eq!(reply.header("x-content-type-options"), Some("nosniff"), "{reply:?}");
        assert_eq!(reply.header("x-frame-options"), Some("DENY"));
        assert!(
            reply
                .header("strict-transport-security")
                .is_some_and(|v| v.contains("max-age="))
        );
        assert!(
            reply
                .header("content-security-policy")
                .is_some_and(|v| v.contains("frame-ancestors 'none'"))
        );
        assert_eq!(reply.header("referrer-policy"), Some("no-referrer"));
    }
    assert_eq!(replies[0].header("cache-control"), Some("no-store"));
    let jwks = app.tenant("acme").get("/.well-known/jwks.json").await;
    assert_eq!(jwks.header("cache-control"), Some("public, max-age=300"));
    assert_eq!(jwks.body["keys"][0]["alg"], "EdDSA");
}

#[tokio::test]
async fn cors_follows_the_tenants_own_allow_list() {
    let app = TestApp::spawn().await;
    app.create_tenant("acme").await;
    app.create_tenant("beta").await;
    let token = app.admin_token("acme").await;
    let site = app.tenant("acme").token(&token);
    let allowed = "https://portal.acme.example";
    let saved = site
        .put("/api/v1/settings", &json!({"cors_allowed_origins": [allowed]}))
        .await;
    assert_eq!(saved.status, 200, "{}", saved.text);

    let preflight = |host: HostClient, origin: &'static str| async move {
        HostClient::send(
            host.request(Method::OPTIONS, "/api/v1/settings")
                .header("origin", origin)
                .header("access-control-request-method", "PUT")
                .header("access-control-request-headers", "authorization, content-type"),
        )
        .await
    };
    let ok = preflight(app.tenant("acme"), allowed).await;
    assert_eq!(ok.status, 204, "{}", ok.text);
    assert_eq!(ok.header("access-control-allow-origin"), Some(allowed));
    assert!(
        ok.header("access-control-allow-methods")
            .is_some_and(|m| m.contains("PUT"))
    );
    assert!(
        ok.header("access-control-allow-headers")
            .is_some_and(|h| h.contains("authorization"))
    );
    preflight(app.tenant("acme"), "https://evil.example")
        .await
        .assert_problem(403, "origin_not_allowed");
    // Acme's list means nothing on beta's host.
    preflight(app.tenant("beta"), allowed)
        .await
        .assert_problem(403, "origin_not_allowed");

    let get =
        |origin: &'static str| HostClient::send(site.request(Method::GET, "/api/v1/settings").header("origin", origin));
    let from_portal = get(allowed).await;
    assert_eq!(from_portal.header("access-control-allow-origin"), Some(allowed));
    assert!(
        from_portal
            .header("access-control-expose-headers")
            .is_some_and(|h| h.contains("etag"))
    );
    assert!(
        from_portal
            .headers
            .get_all("vary")
            .iter()
            .any(|v| v.to_str().is_ok_and(|v| v.contains("origin")))
    );
    let from_elsewhere = get("https://evil.example").await;
    assert_eq!(
        from_elsewhere.status, 200,
        "the server answers; the browser withholds it"
    );
    assert_eq!(from_elsewhere.header("access-control-allow-origin"), None);

    // Emptying the list takes effect at once on this instance.
    site.put("/api/v1/settings", &json!({"cors_allowed_origins": []})).await;
    preflight(app.tenant("acme"), allowed)
        .await
        .assert_problem(403, "origin_not_allowed");
}
