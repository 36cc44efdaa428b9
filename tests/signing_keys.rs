//! Rotating token signing keys without downtime, across instances.

use e2e::TestApp;
use serde_json::json;

#[tokio::test]
async fn rotation_keeps_old_tokens_valid_and_new_ones_verify_everywhere() {
    let app = TestApp::spawn().await;
    app.create_tenant("acme").await;
    let old = app.admin_token("acme").await;
    let peer = app.spawn_peer().await;
    let ops = app.operator_token().await;

    let rotated = app
        .ops()
        .token(&ops)
        .post("/api/ops/v1/signing-keys/rotate", &json!({"purpose": "tenant"}))
        .await;
    assert_eq!(rotated.status, 200, "{}", rotated.text);
    let kid = rotated.body["kid"].as_str().expect("kid").to_owned();

    // Signed with the new key on one instance, accepted at once by the other.
    let new = app.admin_token("acme").await;
    let header = new.split('.').next().expect("header");
    let header: serde_json::Value = serde_json::from_slice(
        &base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, header).expect("b64"),
    )
    .expect("json");
    assert_eq!(header["kid"], kid.as_str());
    for token in [&old, &new] {
        assert_eq!(
            peer.on("acme.localhost")
                .token(token)
                .get("/api/v1/users/me")
                .await
                .status,
            200
        );
        assert_eq!(
            app.tenant("acme").token(token).get("/api/v1/users/me").await.status,
            200
        );
    }
    let jwks = peer.on("acme.localhost").get("/.well-known/jwks.json").await;
    let kids: Vec<&str> = jwks.body["keys"]
        .as_array()
        .expect("keys")
        .iter()
        .filter_map(|k| k["kid"].as_str())
        .collect();
    assert!(
        kids.contains(&kid.as_str()) && kids.len() == 2,
        "old and new keys are published: {kids:?}"
    );

    // Operator keys rotate the same way; the operator's existing token still works.
    let ops_rotated = app
        .ops()
        .token(&ops)
        .post("/api/ops/v1/signing-keys/rotate", &json!({"purpose": "ops"}))
        .await;
    assert_eq!(ops_rotated.status, 200, "{}", ops_rotated.text);
    assert_eq!(
        peer.on("localhost").token(&ops).get("/api/ops/v1/tenants").await.status,
        200
    );
    app.ops()
        .token(&ops)
        .post("/api/ops/v1/signing-keys/rotate", &json!({"purpose": "master"}))
        .await
        .assert_problem(422, "invalid_body");
    // Audit checkpoint keys are never rotated: old checkpoints must keep verifying.
    app.ops()
        .token(&ops)
        .post("/api/ops/v1/signing-keys/rotate", &json!({"purpose": "audit"}))
        .await
        .assert_problem(422, "validation_failed");
}
