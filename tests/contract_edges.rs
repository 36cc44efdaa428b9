//! Inputs the contract fuzzer (tests/contract/run) found answered with a 500: each is now a
//! 4xx problem, or accepted, as the API document says.

use e2e::{HostClient, TestApp};
use serde_json::{Value, json};

/// The tenant's administrator, with trust thresholds at zero so writes reach their checks.
async fn site(app: &TestApp, slug: &str) -> HostClient {
    app.create_tenant(slug).await;
    app.open_trust(slug).await
}

/// The same, with the custom-fields plugin enabled, as the fuzzed tenant has it: every
/// content write then goes through a plugin's hooks.
async fn site_with_plugin(app: &TestApp, slug: &str) -> HostClient {
    let site = site(app, slug).await;
    let reply = site
        .post(
            "/api/v1/plugins",
            &json!({"catalogue": "custom-fields", "grant": ["crypto"], "enable": true}),
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    site
}

#[tokio::test]
async fn nul_in_a_json_string_is_a_400_not_a_500() {
    let app = TestApp::spawn().await;
    let site = site(&app, "nul-json").await;
    let me = site.get("/api/v1/users/me").await;
    let path = format!("/api/v1/users/{}", me.body["id"].as_str().expect("id"));
    let reply = HostClient::send(
        site.request(reqwest::Method::PATCH, &path)
            .json(&json!({"display_name": "Dr\u{0}Who"})),
    )
    .await;
    reply.assert_problem(400, "nul_character");
    let reply = site.post("/api/v1/posts", &json!({"title": "a\u{0}b"})).await;
    reply.assert_problem(400, "nul_character");
    // In a key too, and in the operator API.
    let reply = site.post("/api/v1/posts", &json!({"meta": {"k\u{0}": 1}})).await;
    reply.assert_problem(400, "nul_character");
    let ops = app.ops().token(&app.operator_token().await);
    let reply = ops
        .post(
            "/api/ops/v1/tenants",
            &json!({"slug": "other", "name": "x\u{0}", "admin_email": "a@b.example"}),
        )
        .await;
    reply.assert_problem(400, "nul_character");
    // An escaped backslash before `u0000` is text, not a NUL.
    let reply = site.post("/api/v1/posts", &json!({"title": "C:\\u0000"})).await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    assert_eq!(reply.body["title"]["raw"], "C:\\u0000");
}

#[tokio::test]
async fn nul_in_a_query_or_path_parameter_is_a_400_not_a_500() {
    let app = TestApp::spawn().await;
    let site = site(&app, "nul-query").await;
    for path in [
        "/api/v1/posts?search=a%00b",
        "/api/v1/posts?slug=a%00",
        "/api/v1/categories?slug=%00",
        "/api/v1/users?search=%00",
    ] {
        site.get(path).await.assert_problem(400, "nul_character");
    }
    site.get("/api/v1/taxonomies/a%00b")
        .await
        .assert_problem(400, "nul_character");
    site.get("/api/v1/plugins/a%00b")
        .await
        .assert_problem(400, "nul_character");
}

#[tokio::test]
async fn deeply_nested_scientific_references_are_a_4xx_not_a_500() {
    let app = TestApp::spawn().await;
    let site = site_with_plugin(&app, "nested").await;
    // Deeper than the JSON parser's limit: malformed, 400.
    let too_deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
    let body = format!(r#"{{"title": "deep", "scientific_references": [{too_deep}]}}"#);
    let reply = HostClient::send(
        site.request(reqwest::Method::POST, "/api/v1/posts")
            .header("content-type", "application/json")
            .body(body),
    )
    .await;
    reply.assert_problem(400, "malformed_json");
    // Within the parser's limit, still deep: stored, or refused by the 4 KiB rule, never a 500.
    let mut nested = json!("leaf");
    for _ in 0..120 {
        nested = json!([nested]);
    }
    let reply = site
        .post(
            "/api/v1/posts",
            &json!({"title": "deep", "scientific_references": [nested]}),
        )
        .await;
    assert!(
        reply.status == 201 || reply.status == 422,
        "deep reference: {} {}",
        reply.status,
        reply.text
    );
    let mut object = json!({"doi": "10.1000/1"});
    for _ in 0..120 {
        object = json!({ "cites": object });
    }
    let reply = site
        .post(
            "/api/v1/posts",
            &json!({"title": "deep", "scientific_references": [object]}),
        )
        .await;
    assert!(
        reply.status == 201 || reply.status == 422,
        "deep object: {} {}",
        reply.status,
        reply.text
    );
}

#[tokio::test]
async fn sticky_pages_of_an_unknown_author_are_a_422_not_a_500() {
    let app = TestApp::spawn().await;
    let site = site_with_plugin(&app, "sticky").await;
    let nobody = uuid::Uuid::now_v7();
    for path in ["/api/v1/pages", "/api/v1/posts", "/api/v1/content/post"] {
        let reply = site.post(path, &json!({"sticky": true, "author": nobody})).await;
        let problem = reply.assert_problem(422, "validation_failed");
        assert_eq!(problem["errors"][0]["field"], "author", "{path}: {problem}");
    }
    let reply = site
        .post("/api/v1/pages", &json!({"sticky": true, "title": "About"}))
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    let reply = site.post("/api/v1/pages", &json!({"sticky": false})).await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    let reply = site.post("/api/v1/posts", &json!({"sticky": true})).await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    assert_eq!(reply.body["sticky"], true);
}

#[tokio::test]
async fn null_acf_and_null_flags_are_absent_not_a_500() {
    let app = TestApp::spawn().await;
    let site = site_with_plugin(&app, "null-flags").await;
    let nobody = uuid::Uuid::now_v7();
    let reply = site
        .post(
            "/api/v1/content/post",
            &json!({"acf": null, "anonymization_applied": null, "author": nobody}),
        )
        .await;
    reply.assert_problem(422, "validation_failed");
    let body: Value = json!({"acf": null, "anonymization_applied": null});
    let reply = site.post("/api/v1/content/post", &body).await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    let reply = site.post("/api/v1/posts", &body).await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    assert_eq!(reply.body["anonymization_applied"], false);
}
