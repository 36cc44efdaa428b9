//! MFA: TOTP enrolment, sign-in with a code, replay refusal, backup codes, tenant policy.

use e2e::{ADMIN_PASSWORD, HostClient, TestApp};
use serde_json::{Value, json};
use totp_rs::{Algorithm, Builder, Secret};

/// A code for `offset` seconds from now, as an authenticator app would show.
fn code(secret_base32: &str, offset: i64) -> String {
    let secret = Secret::try_from_base32(secret_base32).expect("base32 secret");
    let totp = Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(6)
        .with_step_duration(30)
        .with_secret(secret)
        .with_account_name("a")
        .build()
        .expect("totp");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("time")
        .as_secs();
    totp.generate(now.checked_add_signed(offset).expect("time")).to_string()
}

fn login_body(email: &str, totp: Option<&str>) -> Value {
    let mut body = json!({"email": email, "password": ADMIN_PASSWORD});
    if let Some(code) = totp {
        body["totp"] = json!(code);
    }
    body
}

/// Enrols the bearer of `token` and returns (base32 secret, backup codes).
async fn enrol(site: &HostClient) -> (String, Vec<String>) {
    enrol_with(site, None).await
}

/// [`enrol`], with an administrator's enrolment token where the policy requires one.
async fn enrol_with(site: &HostClient, token: Option<&str>) -> (String, Vec<String>) {
    let started = match token {
        None => site.post_empty("/api/v1/auth/mfa/totp").await,
        Some(token) => {
            site.post("/api/v1/auth/mfa/totp", &json!({"enrolment_token": token}))
                .await
        }
    };
    assert_eq!(started.status, 200, "{}", started.text);
    let secret = started.body["secret"].as_str().expect("secret").to_owned();
    assert!(
        started.body["otpauth_uri"]
            .as_str()
            .is_some_and(|u| u.starts_with("otpauth://totp/"))
    );
    site.post("/api/v1/auth/mfa/totp/confirm", &json!({"code": "000000"}))
        .await
        .assert_problem(422, "validation_failed");
    let confirmed = site
        .post("/api/v1/auth/mfa/totp/confirm", &json!({"code": code(&secret, 0)}))
        .await;
    assert_eq!(confirmed.status, 200, "{}", confirmed.text);
    let codes = confirmed.body["backup_codes"]
        .as_array()
        .expect("codes")
        .iter()
        .map(|c| c.as_str().expect("code").to_owned())
        .collect();
    (secret, codes)
}

#[tokio::test]
async fn enrolled_users_sign_in_with_a_code_that_works_once() {
    let app = TestApp::spawn().await;
    app.create_tenant("acme").await;
    let admin = app.admin_token("acme").await;
    let (secret, backup) = enrol(&app.tenant("acme").token(&admin)).await;
    assert_eq!(backup.len(), 10);
    let site = app.tenant("acme");
    let email = "admin@acme.test";

    site.post("/api/v1/auth/login", &login_body(email, None))
        .await
        .assert_problem(401, "mfa_required");
    site.post("/api/v1/auth/login", &login_body(email, Some("123456")))
        .await
        .assert_problem(401, "invalid_mfa_code");
    // The next step's code is within the allowed drift, and newer than the one used to confirm.
    let next = code(&secret, 30);
    let signed_in = site.post("/api/v1/auth/login", &login_body(email, Some(&next))).await;
    assert_eq!(signed_in.status, 200, "{}", signed_in.text);
    site.post("/api/v1/auth/login", &login_body(email, Some(&next)))
        .await
        .assert_problem(401, "invalid_mfa_code");
    site.post("/api/v1/auth/login", &login_body(email, Some(&code(&secret, 0))))
        .await
        .assert_problem(401, "invalid_mfa_code");

    // Backup codes: each works once, however it is typed.
    let typed = backup[0].to_uppercase().replace('-', " ");
    assert_eq!(
        site.post("/api/v1/auth/login", &login_body(email, Some(&typed)))
            .await
            .status,
        200
    );
    site.post("/api/v1/auth/login", &login_body(email, Some(&backup[0])))
        .await
        .assert_problem(401, "invalid_mfa_code");

    let token = signed_in.body["access_token"].as_str().expect("token");
    let sessions = app.tenant("acme").token(token).get("/api/v1/auth/sessions").await;
    let current = sessions
        .body
        .as_array()
        .expect("sessions")
        .iter()
        .find(|s| s["current"] == true)
        .cloned()
        .expect("current");
    assert_eq!(current["mfa"], true);
    let reasons = app
        .tenant("acme")
        .token(token)
        .get("/api/v1/audit?action=auth.login&outcome=failure")
        .await;
    let reasons: Vec<&str> = reasons
        .body
        .as_array()
        .expect("entries")
        .iter()
        .filter_map(|e| e["details"]["reason"].as_str())
        .collect();
    assert!(
        reasons.contains(&"mfa_required") && reasons.contains(&"invalid_mfa_code"),
        "{reasons:?}"
    );
}

#[tokio::test]
async fn the_secret_is_stored_encrypted_and_enrolment_needs_a_fresh_start() {
    let app = TestApp::spawn().await;
    app.create_tenant("acme").await;
    let admin = app.admin_token("acme").await;
    let site = app.tenant("acme").token(&admin);
    site.post("/api/v1/auth/mfa/totp/confirm", &json!({"code": "123456"}))
        .await
        .assert_problem(409, "no_mfa_enrolment");
    let (secret, _) = enrol(&site).await;
    site.post_empty("/api/v1/auth/mfa/totp")
        .await
        .assert_problem(409, "mfa_already_enabled");
    let stored: Vec<u8> =
        sqlx::query_scalar("SELECT mfa_secret FROM tenant_acme.users WHERE email = 'admin@acme.test'")
            .fetch_one(&app.db.pool)
            .await
            .expect("stored secret");
    let raw = Secret::try_from_base32(&secret).expect("secret");
    assert_eq!(stored[0], 1, "field ciphertext format");
    assert!(
        !stored.windows(raw.len()).any(|w| w == &raw[..]),
        "the raw secret is not in the database"
    );
}

#[tokio::test]
async fn turning_mfa_off_needs_a_code() {
    let app = TestApp::spawn().await;
    app.create_tenant("acme").await;
    let admin = app.admin_token("acme").await;
    let site = app.tenant("acme").token(&admin);
    let (_, backup) = enrol(&site).await;
    let off = e2e::HostClient::send(
        site.request(reqwest::Method::DELETE, "/api/v1/auth/mfa/totp")
            .json(&json!({"code": "999999"})),
    )
    .await;
    off.assert_problem(422, "validation_failed");
    let off = e2e::HostClient::send(
        site.request(reqwest::Method::DELETE, "/api/v1/auth/mfa/totp")
            .json(&json!({"code": backup[3]})),
    )
    .await;
    assert_eq!(off.status, 204, "{}", off.text);
    let plain = app
        .tenant("acme")
        .post("/api/v1/auth/login", &login_body("admin@acme.test", None))
        .await;
    assert_eq!(plain.status, 200, "{}", plain.text);
}

#[tokio::test]
async fn tenant_policy_confines_unenrolled_users_to_enrolment() {
    let app = TestApp::spawn().await;
    app.create_tenant("acme").await;
    let admin = app.admin_token("acme").await;
    let saved = app
        .tenant("acme")
        .token(&admin)
        .put("/api/v1/settings", &json!({"mfa_required_roles": ["editor"]}))
        .await;
    assert_eq!(saved.status, 200, "{}", saved.text);
    let (editor_id, editor) = app.add_user("acme", "editor@acme.test", &["editor"]).await;
    let site = app.tenant("acme").token(&editor);

    let me = site.get("/api/v1/users/me").await;
    assert_eq!(me.body["mfa_enrolment_required"], true, "{}", me.text);
    site.get(&format!("/api/v1/users/{editor_id}"))
        .await
        .assert_problem(403, "mfa_enrolment_required");
    site.get("/api/v1/auth/sessions")
        .await
        .assert_problem(403, "mfa_enrolment_required");

    // The password alone does not let whoever holds it bind their own authenticator.
    site.post_empty("/api/v1/auth/mfa/totp")
        .await
        .assert_problem(403, "enrolment_token_required");
    let administrator = app.tenant("acme").token(&admin);
    let admin_id = administrator.get("/api/v1/users/me").await.body["id"]
        .as_str()
        .expect("id")
        .to_owned();
    administrator
        .post_empty(&format!("/api/v1/users/{admin_id}/mfa/reset"))
        .await
        .assert_problem(403, "own_mfa");
    // Someone with edit_users but less than the target's capabilities resets nothing.
    let role = administrator
        .post(
            "/api/v1/roles",
            &json!({"name": "helpdesk", "display_name": "Helpdesk", "capabilities": ["read", "list_users", "edit_users"]}),
        )
        .await;
    assert_eq!(role.status, 201, "{}", role.text);
    let (_, helpdesk) = app.add_user("acme", "helpdesk@acme.test", &["helpdesk"]).await;
    app.tenant("acme")
        .token(&helpdesk)
        .post_empty(&format!("/api/v1/users/{admin_id}/mfa/reset"))
        .await
        .assert_problem(403, "privilege_escalation");
    let reset = administrator
        .post_empty(&format!("/api/v1/users/{editor_id}/mfa/reset"))
        .await;
    assert_eq!(reset.status, 200, "{}", reset.text);
    assert_eq!(reset.body["sessions_ended"], 1);
    let token = reset.body["enrolment_token"].as_str().expect("token").to_owned();
    site.get("/api/v1/users/me").await.assert_problem(401, "session_ended");
    let login = app
        .tenant("acme")
        .post("/api/v1/auth/login", &login_body("editor@acme.test", None))
        .await;
    let site = app
        .tenant("acme")
        .token(login.body["access_token"].as_str().expect("token"));
    site.post("/api/v1/auth/mfa/totp", &json!({"enrolment_token": "not-the-token"}))
        .await
        .assert_problem(403, "invalid_enrolment_token");

    let (secret, _) = enrol_with(&site, Some(&token)).await;
    site.post("/api/v1/auth/mfa/totp", &json!({"enrolment_token": token}))
        .await
        .assert_problem(409, "mfa_already_enabled");
    assert_eq!(
        site.get("/api/v1/auth/sessions").await.status,
        200,
        "this session now counts as MFA"
    );
    let off = e2e::HostClient::send(
        site.request(reqwest::Method::DELETE, "/api/v1/auth/mfa/totp")
            .json(&json!({"code": code(&secret, 30)})),
    )
    .await;
    off.assert_problem(403, "mfa_required_by_policy");
    // The administrator's role is not in the policy.
    assert_eq!(app.tenant("acme").token(&admin).get("/api/v1/users").await.status, 200);
    // Nor may they put it there without MFA of their own: that would lock them out.
    app.tenant("acme")
        .token(&admin)
        .put(
            "/api/v1/settings",
            &json!({"mfa_required_roles": ["editor", "administrator"]}),
        )
        .await
        .assert_problem(422, "validation_failed");
}

#[tokio::test]
async fn wrong_codes_inside_a_session_share_the_accounts_failure_budget() {
    let app = TestApp::spawn().await;
    app.create_tenant("acme").await;
    let admin = app.admin_token("acme").await;
    let site = app.tenant("acme").token(&admin);
    enrol(&site).await;
    let wrong = || {
        e2e::HostClient::send(
            site.request(reqwest::Method::DELETE, "/api/v1/auth/mfa/totp")
                .json(&json!({"code": "000000"})),
        )
    };
    // Enrolment above already spent one wrong code of the ten.
    for _ in 0..9 {
        wrong().await.assert_problem(422, "validation_failed");
    }
    let limited = wrong().await;
    limited.assert_problem(429, "rate_limited");
    assert!(limited.header("retry-after").is_some());
}

#[tokio::test]
async fn an_enrolment_body_is_optional_and_bad_ones_are_problems() {
    let app = TestApp::spawn().await;
    app.create_tenant("acme").await;
    let site = app.tenant("acme").token(&app.admin_token("acme").await);
    let send = |content_type: &str, body: &'static str| {
        e2e::HostClient::send(
            site.request(reqwest::Method::POST, "/api/v1/auth/mfa/totp")
                .header("content-type", content_type)
                .body(body),
        )
    };
    send("application/json", "{not json")
        .await
        .assert_problem(400, "malformed_json");
    send("application/json", r#"{"token": "x"}"#)
        .await
        .assert_problem(422, "invalid_body");
    send("application/json", r#"{"enrolment_token": "a\u0000b"}"#)
        .await
        .assert_problem(400, "nul_character");
    send("text/plain", "enrolment_token=x")
        .await
        .assert_problem(415, "unsupported_media_type");
    // No body at all, as before: where MFA is not required, none is needed.
    let started = send("application/json", "  ").await;
    assert_eq!(started.status, 200, "{}", started.text);
}
