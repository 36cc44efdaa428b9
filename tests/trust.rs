//! The zero-trust policy: scores that explain themselves, thresholds that bite, denials that
//! are recorded. The time-of-day factor depends on the clock, so totals are checked as sums.

use e2e::{HostClient, TestApp};
use serde_json::{Value, json};

fn factor<'a>(decision: &'a Value, name: &str) -> &'a Value {
    decision["score"]["factors"]
        .as_array()
        .expect("factors")
        .iter()
        .find(|f| f["factor"] == name)
        .expect(name)
}

fn consistent(decision: &Value) {
    let sum: u64 = decision["score"]["factors"]
        .as_array()
        .expect("factors")
        .iter()
        .map(|f| f["earned"].as_u64().expect("earned"))
        .sum();
    assert_eq!(decision["score"]["total"].as_u64(), Some(sum), "{decision}");
    let allowed = sum >= decision["required"].as_u64().expect("required");
    assert_eq!(decision["allowed"], allowed, "{decision}");
}

#[tokio::test]
async fn the_score_explains_itself() {
    let app = TestApp::spawn().await;
    app.create_tenant("acme").await;
    let first = app.admin_token("acme").await;
    let publish = app
        .tenant("acme")
        .token(&first)
        .get("/api/v1/auth/trust?action=publish")
        .await;
    assert_eq!(publish.status, 200, "{}", publish.text);
    consistent(&publish.body);
    assert_eq!(publish.body["required"], 85);
    assert_eq!(factor(&publish.body, "authentication")["earned"], 0);
    assert_eq!(
        factor(&publish.body, "authentication")["advice"],
        "enable MFA and sign in with a code"
    );
    assert_eq!(
        factor(&publish.body, "known_device")["earned"],
        0,
        "the first session of this user"
    );
    assert_eq!(factor(&publish.body, "resource_sensitivity")["earned"], 8);
    assert_eq!(factor(&publish.body, "ip_reputation")["earned"], 10);
    assert_eq!(publish.body["allowed"], false, "no MFA: 70 at most, publish needs 85");
    assert!(
        publish.body["advice"][0]
            .as_str()
            .expect("advice")
            .starts_with("enable MFA"),
        "the biggest gain first"
    );

    // A second sign-in from the same client: a known device now.
    let second = app.admin_token("acme").await;
    let again = app
        .tenant("acme")
        .token(&second)
        .get("/api/v1/auth/trust?action=create_draft")
        .await;
    consistent(&again.body);
    assert_eq!(factor(&again.body, "known_device")["earned"], 15);
    assert_eq!(factor(&again.body, "resource_sensitivity")["earned"], 15);
    app.tenant("acme")
        .token(&second)
        .get("/api/v1/auth/trust?action=fly")
        .await
        .assert_problem(400, "invalid_query");
}

#[tokio::test]
async fn a_raised_threshold_denies_with_advice_and_the_denial_is_recorded() {
    let app = TestApp::spawn().await;
    app.create_tenant("acme").await;
    let admin = app.admin_token("acme").await;
    let site = app.tenant("acme").token(&admin);
    let new_user = json!({"email": "nurse@acme.test", "display_name": "Nurse"});
    assert_eq!(
        site.put("/api/v1/settings", &json!({"trust_thresholds": {"manage_users": 95}}))
            .await
            .status,
        200
    );

    let denied = site.post("/api/v1/users", &new_user).await;
    let problem = denied.assert_problem(403, "insufficient_trust");
    assert!(
        problem["detail"].as_str().expect("detail").contains("enable MFA"),
        "{problem}"
    );
    let trail = site.get("/api/v1/audit?action=policy.deny").await;
    assert_eq!(trail.header("x-total-count"), Some("1"), "{}", trail.text);
    assert_eq!(trail.body[0]["outcome"], "denied");
    assert_eq!(trail.body[0]["details"]["required"], 95);
    assert!(trail.body[0]["details"]["score"].as_u64().is_some_and(|s| s < 95));
    let none: i64 = sqlx::query_scalar("SELECT count(*) FROM tenant_acme.users WHERE email = 'nurse@acme.test'")
        .fetch_one(&app.db.pool)
        .await
        .expect("count");
    assert_eq!(none, 0, "nothing was written");

    // Lowering the threshold takes effect at once (the decision cache is cleared).
    assert_eq!(
        site.put("/api/v1/settings", &json!({"trust_thresholds": {"manage_users": 0}}))
            .await
            .status,
        200
    );
    assert_eq!(site.post("/api/v1/users", &new_user).await.status, 201);
}

#[tokio::test]
async fn mfa_raises_the_score_at_once() {
    let app = TestApp::spawn().await;
    app.create_tenant("acme").await;
    let admin = app.admin_token("acme").await;
    let site: HostClient = app.tenant("acme").token(&admin);
    let before = site.get("/api/v1/auth/trust?action=read_phi").await;
    let enrol = site.post_empty("/api/v1/auth/mfa/totp").await;
    let secret = totp_rs::Secret::try_from_base32(enrol.body["secret"].as_str().expect("secret")).expect("secret");
    let totp = totp_rs::Builder::new()
        .with_secret(secret)
        .with_account_name("a")
        .build()
        .expect("totp");
    let code = totp.generate_current().to_string();
    assert_eq!(
        site.post("/api/v1/auth/mfa/totp/confirm", &json!({"code": code}))
            .await
            .status,
        200
    );
    let after = site.get("/api/v1/auth/trust?action=read_phi").await;
    consistent(&after.body);
    assert_eq!(factor(&before.body, "authentication")["earned"], 0);
    assert_eq!(
        factor(&after.body, "authentication")["earned"],
        30,
        "not a stale cached decision"
    );
}
