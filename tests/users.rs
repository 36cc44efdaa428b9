//! The users API: creating, inviting, finding, changing and deactivating users, and the
//! rules on handing out roles.

use e2e::{ADMIN_PASSWORD, TestApp};
use serde_json::json;

async fn app_with_admin() -> (TestApp, String) {
    let app = TestApp::spawn().await;
    app.create_tenant("acme").await;
    let admin = app.admin_token("acme").await;
    (app, admin)
}

#[tokio::test]
async fn administrators_create_users_who_can_then_sign_in() {
    let (app, admin) = app_with_admin().await;
    let site = app.tenant("acme").token(&admin);
    let created = site
        .post("/api/v1/users", &json!({"email": "Nurse@Acme.test", "password": "nurse password 1", "display_name": "Nurse", "role": "author"}))
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    assert_eq!(created.body["roles"], json!(["author"]));
    assert_eq!(created.body["status"], "active");
    assert!(created.body.get("password_hash").is_none() && created.body.get("setup_token").is_none());
    let login = app
        .tenant("acme")
        .post(
            "/api/v1/auth/login",
            &json!({"email": "nurse@acme.test", "password": "nurse password 1"}),
        )
        .await;
    assert_eq!(login.status, 200, "{}", login.text);

    site.post(
        "/api/v1/users",
        &json!({"email": "NURSE@acme.test", "display_name": "Again"}),
    )
    .await
    .assert_problem(409, "email_taken");
    site.post(
        "/api/v1/users",
        &json!({"email": "x@acme.test", "display_name": "X", "role": "wizard"}),
    )
    .await
    .assert_problem(422, "validation_failed");
    let bad = site
        .post(
            "/api/v1/users",
            &json!({"email": "nope", "password": "short", "display_name": ""}),
        )
        .await;
    let fields: Vec<&str> = bad.body["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|e| e["field"].as_str())
        .collect();
    assert_eq!(fields, ["email", "password", "display_name"]);
}

#[tokio::test]
async fn invited_users_activate_with_their_setup_token() {
    let (app, admin) = app_with_admin().await;
    let invited = app
        .tenant("acme")
        .token(&admin)
        .post(
            "/api/v1/users",
            &json!({"email": "new@acme.test", "display_name": "New"}),
        )
        .await;
    assert_eq!(invited.status, 201, "{}", invited.text);
    assert_eq!(invited.body["status"], "invited");
    let token = invited.body["setup_token"].as_str().expect("setup token");
    let set = app
        .tenant("acme")
        .post(
            "/api/v1/auth/setup",
            &json!({"token": token, "password": "my own password"}),
        )
        .await;
    assert_eq!(set.status, 204, "{}", set.text);
    let login = app
        .tenant("acme")
        .post(
            "/api/v1/auth/login",
            &json!({"email": "new@acme.test", "password": "my own password"}),
        )
        .await;
    assert_eq!(login.status, 200, "{}", login.text);
    assert_eq!(login.body["user"]["roles"], json!(["subscriber"]));
}

#[tokio::test]
async fn users_are_listed_searched_and_filtered() {
    let (app, admin) = app_with_admin().await;
    for (email, role) in [
        ("ana@acme.test", "editor"),
        ("bruno@acme.test", "author"),
        ("carla_100%@acme.test", "author"),
    ] {
        app.add_user("acme", email, &[role]).await;
    }
    let site = app.tenant("acme").token(&admin);
    let all = site.get("/api/v1/users?per_page=2").await;
    assert_eq!(all.header("x-total-count"), Some("4"));
    assert_eq!(all.body.as_array().map(Vec::len), Some(2));
    let authors = site.get("/api/v1/users?role=author").await;
    assert_eq!(authors.header("x-total-count"), Some("2"));
    // `%` and `_` are searched for literally.
    let literal = site.get("/api/v1/users?search=_100%25").await;
    assert_eq!(literal.header("x-total-count"), Some("1"), "{}", literal.text);
    assert_eq!(literal.body[0]["email"], "carla_100%@acme.test");
    site.get("/api/v1/users?status=asleep")
        .await
        .assert_problem(400, "invalid_query");
}

#[tokio::test]
async fn nobody_hands_out_or_takes_away_capabilities_they_lack() {
    let (app, admin) = app_with_admin().await;
    let tenant = app
        .tenancy()
        .get_by_slug(&tenants::TenantSlug::parse("acme").expect("slug"))
        .await
        .expect("acme");
    let mut tx = tenant.scope().begin(&app.db.pool).await.expect("begin");
    sqlx::query(
        "INSERT INTO roles (name, display_name, capabilities) VALUES \
         ('hr', 'HR', '{read,level_0,list_users,create_users,promote_users,edit_users}')",
    )
    .execute(&mut *tx)
    .await
    .expect("custom role");
    tx.commit().await.expect("commit");
    let (_, hr) = app.add_user("acme", "hr@acme.test", &["hr"]).await;
    let (subscriber, _) = app.add_user("acme", "sub@acme.test", &["subscriber"]).await;
    let admin_id = app.tenant("acme").token(&admin).get("/api/v1/users/me").await.body["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let hr_site = app.tenant("acme").token(&hr);

    let raise = hr_site
        .put(
            &format!("/api/v1/users/{subscriber}/roles"),
            &json!({"roles": ["administrator"]}),
        )
        .await;
    raise.assert_problem(403, "privilege_escalation");
    hr_site
        .put(
            &format!("/api/v1/users/{subscriber}/roles"),
            &json!({"roles": ["editor"]}),
        )
        .await
        .assert_problem(403, "privilege_escalation");
    hr_site
        .put(
            &format!("/api/v1/users/{admin_id}/roles"),
            &json!({"roles": ["subscriber"]}),
        )
        .await
        .assert_problem(403, "privilege_escalation");
    hr_site
        .post(
            "/api/v1/users",
            &json!({"email": "boss@acme.test", "display_name": "B", "role": "administrator"}),
        )
        .await
        .assert_problem(403, "privilege_escalation");
    let same = hr_site
        .put(
            &format!("/api/v1/users/{subscriber}/roles"),
            &json!({"roles": ["subscriber"]}),
        )
        .await;
    assert_eq!(same.status, 200, "{}", same.text);

    // The administrator promotes; the trail says from what to what.
    let promoted = app
        .tenant("acme")
        .token(&admin)
        .put(
            &format!("/api/v1/users/{subscriber}/roles"),
            &json!({"roles": ["editor", "editor"]}),
        )
        .await;
    assert_eq!(promoted.body["roles"], json!(["editor"]), "{}", promoted.text);
    let trail = app
        .tenant("acme")
        .token(&admin)
        .get("/api/v1/audit?action=user.roles")
        .await;
    assert_eq!(
        trail.body[0]["details"],
        json!({"from": ["subscriber"], "to": ["editor"]}),
        "{}",
        trail.text
    );
}

#[tokio::test]
async fn changing_the_password_ends_every_other_session() {
    let (app, first) = app_with_admin().await;
    let second = app.admin_token("acme").await;
    let me = app.tenant("acme").token(&first);
    me.post(
        "/api/v1/users/me/password",
        &json!({"current_password": "wrong guess!!", "new_password": "brand new password"}),
    )
    .await
    .assert_problem(403, "wrong_password");
    me.post(
        "/api/v1/users/me/password",
        &json!({"current_password": ADMIN_PASSWORD, "new_password": "short"}),
    )
    .await
    .assert_problem(422, "validation_failed");
    let changed = me
        .post(
            "/api/v1/users/me/password",
            &json!({"current_password": ADMIN_PASSWORD, "new_password": "brand new password"}),
        )
        .await;
    assert_eq!(changed.status, 204, "{}", changed.text);
    assert_eq!(me.get("/api/v1/users/me").await.status, 200, "this session goes on");
    app.tenant("acme")
        .token(&second)
        .get("/api/v1/users/me")
        .await
        .assert_problem(401, "session_ended");
    let old = app
        .tenant("acme")
        .post(
            "/api/v1/auth/login",
            &json!({"email": "admin@acme.test", "password": ADMIN_PASSWORD}),
        )
        .await;
    old.assert_problem(401, "invalid_credentials");
}

#[tokio::test]
async fn deactivated_users_are_out_at_once_and_can_come_back() {
    let (app, admin) = app_with_admin().await;
    let (author, author_token) = app.add_user("acme", "author@acme.test", &["author"]).await;
    let site = app.tenant("acme").token(&admin);
    let off = site.post_empty(&format!("/api/v1/users/{author}/deactivate")).await;
    assert_eq!(off.body["status"], "disabled", "{}", off.text);
    app.tenant("acme")
        .token(&author_token)
        .get("/api/v1/users/me")
        .await
        .assert_problem(401, "account_disabled");
    let login = app
        .tenant("acme")
        .post(
            "/api/v1/auth/login",
            &json!({"email": "author@acme.test", "password": ADMIN_PASSWORD}),
        )
        .await;
    login.assert_problem(401, "invalid_credentials");
    assert_eq!(
        site.post_empty(&format!("/api/v1/users/{author}/activate")).await.body["status"],
        "active"
    );
    let back = app
        .tenant("acme")
        .post(
            "/api/v1/auth/login",
            &json!({"email": "author@acme.test", "password": ADMIN_PASSWORD}),
        )
        .await;
    assert_eq!(back.status, 200);
}

#[tokio::test]
async fn professional_registries_are_unique_and_verified_by_compliance() {
    let (app, admin) = app_with_admin().await;
    let (doctor, doctor_token) = app
        .add_user("acme", "doctor@acme.test", &["medical_professional"])
        .await;
    let (_, officer) = app.add_user("acme", "officer@acme.test", &["compliance_officer"]).await;
    let mine = app.tenant("acme").token(&doctor_token);
    let registry = json!({"type": "CRM", "number": "123456", "state": "SP"});
    let set = mine.put("/api/v1/users/me", &json!({})).await;
    assert_eq!(set.status, 405, "PATCH, not PUT");
    let set = e2e::HostClient::send(
        mine.request(reqwest::Method::PATCH, "/api/v1/users/me")
            .json(&json!({"registry": registry})),
    )
    .await;
    assert_eq!(set.status, 200, "{}", set.text);
    assert_eq!(set.body["registry"]["verified"], false);
    let self_verify = json!({"registry": {"type": "CRM", "number": "123456", "state": "SP", "verified": true}});
    e2e::HostClient::send(
        mine.request(reqwest::Method::PATCH, "/api/v1/users/me")
            .json(&self_verify),
    )
    .await
    .assert_problem(403, "missing_capability");
    e2e::HostClient::send(
        mine.request(reqwest::Method::PATCH, "/api/v1/users/me")
            .json(&json!({"registry": {"type": "crm", "number": "1", "state": "Sao Paulo"}})),
    )
    .await
    .assert_problem(422, "validation_failed");

    let verified = app
        .tenant("acme")
        .token(&officer)
        .post(
            &format!("/api/v1/users/{doctor}/registry/verify"),
            &json!({"verified": true}),
        )
        .await;
    assert_eq!(verified.status, 200, "{}", verified.text);
    assert_eq!(verified.body["registry"]["verified"], true);
    assert!(verified.body["registry"]["verified_at"].is_string());

    let (copycat, _) = app.add_user("acme", "copy@acme.test", &["subscriber"]).await;
    let copied = e2e::HostClient::send(
        app.tenant("acme")
            .token(&admin)
            .request(reqwest::Method::PATCH, &format!("/api/v1/users/{copycat}"))
            .json(&json!({"registry": registry})),
    )
    .await;
    copied.assert_problem(409, "registry_taken");
    let me = app.tenant("acme").token(&admin).get("/api/v1/users/me").await;
    assert!(
        me.body["capabilities"]
            .as_array()
            .expect("caps")
            .contains(&json!("manage_options"))
    );
}

#[tokio::test]
async fn custom_roles_are_defined_used_changed_and_retired() {
    let (app, admin) = app_with_admin().await;
    let site = app.tenant("acme").token(&admin);
    let defined = site
        .post(
            "/api/v1/roles",
            &json!({"name": "scheduler", "display_name": "Scheduler", "capabilities": ["read", "list_users", "read"]}),
        )
        .await;
    assert_eq!(defined.status, 201, "{}", defined.text);
    assert_eq!(defined.body["capabilities"], json!(["list_users", "read"]));
    site.post(
        "/api/v1/roles",
        &json!({"name": "scheduler", "display_name": "Again", "capabilities": []}),
    )
    .await
    .assert_problem(409, "role_exists");
    site.post(
        "/api/v1/roles",
        &json!({"name": "editor", "display_name": "Mine", "capabilities": []}),
    )
    .await
    .assert_problem(409, "builtin_role");
    site.post(
        "/api/v1/roles",
        &json!({"name": "Bad Name", "display_name": "X", "capabilities": []}),
    )
    .await
    .assert_problem(422, "validation_failed");
    site.post(
        "/api/v1/roles",
        &json!({"name": "astronaut", "display_name": "A", "capabilities": ["fly_to_the_moon"]}),
    )
    .await
    .assert_problem(403, "privilege_escalation");
    let listed = site.get("/api/v1/roles").await;
    let names: Vec<&str> = listed
        .body
        .as_array()
        .expect("roles")
        .iter()
        .filter_map(|r| r["name"].as_str())
        .collect();
    assert!(
        names.contains(&"administrator") && names.contains(&"scheduler"),
        "{names:?}"
    );

    let (scheduler, token) = app.add_user("acme", "sched@acme.test", &["scheduler"]).await;
    assert_eq!(app.tenant("acme").token(&token).get("/api/v1/users").await.status, 200);
    let narrowed = site
        .put(
            "/api/v1/roles/scheduler",
            &json!({"display_name": "Scheduler", "capabilities": ["read"]}),
        )
        .await;
    assert_eq!(narrowed.status, 200, "{}", narrowed.text);
    app.tenant("acme")
        .token(&token)
        .get("/api/v1/users")
        .await
        .assert_problem(403, "missing_capability");
    site.put(
        "/api/v1/roles/editor",
        &json!({"display_name": "E", "capabilities": []}),
    )
    .await
    .assert_problem(409, "builtin_role");
    site.put(
        "/api/v1/roles/nosuch",
        &json!({"display_name": "E", "capabilities": []}),
    )
    .await
    .assert_problem(404, "role_not_found");

    site.delete("/api/v1/roles/scheduler")
        .await
        .assert_problem(409, "role_in_use");
    site.put(
        &format!("/api/v1/users/{scheduler}/roles"),
        &json!({"roles": ["subscriber"]}),
    )
    .await;
    assert_eq!(site.delete("/api/v1/roles/scheduler").await.status, 204);
    site.delete("/api/v1/roles/scheduler")
        .await
        .assert_problem(404, "role_not_found");
    let trail = site.get("/api/v1/audit?action=role.update").await;
    assert_eq!(
        trail.body[0]["details"],
        json!({"from": ["list_users", "read"], "to": ["read"]})
    );
}
