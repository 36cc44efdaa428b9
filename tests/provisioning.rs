//! Provisioning: all or nothing, one winner per slug, and every bad input answered clearly.

use e2e::{ADMIN_PASSWORD, TestApp};
use serde_json::{Value, json};
use tenants::password::Password;
use tenants::{Email, Error, NewTenant, ProvisionStep, TenantSlug};

fn request(slug: &str) -> NewTenant {
    NewTenant {
        slug: TenantSlug::parse(slug).expect("slug"),
        name: "Clinic".into(),
        plan: None,
        admin_email: Email::parse("admin@clinic.test").expect("email"),
        admin_name: None,
        admin_password: Some(Password::parse(ADMIN_PASSWORD.to_owned().into()).expect("password")),
    }
}

async fn leftovers(app: &TestApp, slug: &str) -> (i64, bool, bool) {
    let pool = &app.db.pool;
    let rows: i64 = sqlx::query_scalar("SELECT count(*) FROM platform.tenants WHERE slug = $1")
        .bind(slug)
        .fetch_one(pool)
        .await
        .expect("q");
    let schema: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)")
        .bind(format!("tenant_{slug}"))
        .fetch_one(pool)
        .await
        .expect("q");
    let role: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)")
        .bind(format!("{}tenant_{slug}", app.db.role_prefix))
        .fetch_one(pool)
        .await
        .expect("q");
    (rows, schema, role)
}

#[tokio::test]
async fn a_failure_at_any_step_leaves_nothing_and_a_retry_succeeds() {
    let app = TestApp::spawn().await;
    let tenancy = app.tenancy();
    for step in [
        ProvisionStep::RegisterTenant,
        ProvisionStep::CreateRoleAndSchema,
        ProvisionStep::ApplyMigrations,
        ProvisionStep::CreateDataKey,
        ProvisionStep::RegisterDomain,
        ProvisionStep::CreateAdministrator,
        ProvisionStep::Activate,
    ] {
        let crash = move |at: ProvisionStep| {
            if at == step {
                Err(Error::Conflict(format!("simulated crash before {at:?}")))
            } else {
                Ok(())
            }
        };
        let result = tenancy.provision_with_hook(request("crashy"), &crash).await;
        assert!(result.is_err(), "{step:?}");
        assert_eq!(
            leftovers(&app, "crashy").await,
            (0, false, false),
            "nothing left after a crash before {step:?}"
        );
        let keys: i64 = sqlx::query_scalar("SELECT count(*) FROM platform.tenant_keys")
            .fetch_one(&app.db.pool)
            .await
            .expect("q");
        assert_eq!(keys, 0);
    }
    let done = tenancy.provision(request("crashy")).await.expect("retry succeeds");
    assert_eq!(done.tenant.status, tenants::TenantStatus::Active);
    assert_eq!(leftovers(&app, "crashy").await, (1, true, true));
}

#[tokio::test]
async fn two_concurrent_creations_of_one_slug_have_exactly_one_winner() {
    let app = TestApp::spawn().await;
    let tenancy = app.tenancy();
    let (a, b) = tokio::join!(tenancy.provision(request("twin")), tenancy.provision(request("twin")));
    let outcomes = [a.is_ok(), b.is_ok()];
    assert_eq!(outcomes.iter().filter(|ok| **ok).count(), 1, "exactly one wins");
    let loser = if a.is_ok() { b } else { a };
    assert!(matches!(loser, Err(Error::SlugTaken(_))), "{loser:?}");

    // And over HTTP: 201 and 409.
    let token = app.operator_token().await;
    let body = json!({"slug": "pair", "name": "Pair", "admin_email": "a@pair.test", "admin_password": ADMIN_PASSWORD});
    let ops = app.ops().token(&token);
    let (x, y) = tokio::join!(
        ops.post("/api/ops/v1/tenants", &body),
        ops.post("/api/ops/v1/tenants", &body)
    );
    let mut statuses = [x.status, y.status];
    statuses.sort_unstable();
    assert_eq!(statuses, [201, 409]);
    let conflict = if x.status == 409 { x } else { y };
    conflict.assert_problem(409, "slug_taken");
}

/// No problem body may carry SQL, internal names or stack traces.
fn assert_no_internals(body: &Value) {
    let text = body.to_string().to_lowercase();
    for leak in [
        "select ",
        "insert ",
        "constraint",
        "pg_",
        "sqlx",
        "panicked",
        "tenants_slug_key",
        "duplicate key",
    ] {
        assert!(!text.contains(leak), "{leak:?} leaked in {text}");
    }
}

#[tokio::test]
async fn bad_onboarding_requests_get_clear_problems() {
    let app = TestApp::spawn().await;
    app.create_tenant("taken").await;
    let token = app.operator_token().await;
    let ops = app.ops().token(&token);
    let valid =
        |slug: &str| json!({"slug": slug, "name": "N", "admin_email": "a@b.test", "admin_password": ADMIN_PASSWORD});

    let cases: Vec<(Value, u16, &str)> = vec![
        (valid("Bad_Slug"), 422, "validation_failed"),
        (valid("ab"), 422, "validation_failed"),
        (valid(&"a".repeat(41)), 422, "validation_failed"),
        (valid("www"), 422, "validation_failed"),
        (valid("admin"), 422, "validation_failed"),
        (valid("pg-catalog"), 422, "validation_failed"),
        (valid("taken"), 409, "slug_taken"),
        (
            json!({"slug": "fine", "name": "N", "admin_email": "not-an-email", "admin_password": ADMIN_PASSWORD}),
            422,
            "validation_failed",
        ),
        (
            json!({"slug": "fine", "name": "N", "admin_email": "a@b.test", "admin_password": "short"}),
            422,
            "validation_failed",
        ),
        (
            json!({"slug": "fine", "name": "", "admin_email": "a@b.test"}),
            422,
            "validation_failed",
        ),
        (json!({"slug": "fine", "name": "N"}), 422, "invalid_body"),
        (
            json!({"slug": "fine", "name": "N", "admin_email": "a@b.test", "surprise": true}),
            422,
            "invalid_body",
        ),
        (json!(["not", "an", "object"]), 422, "invalid_body"),
    ];
    for (body, status, code) in cases {
        let reply = ops.post("/api/ops/v1/tenants", &body).await;
        let problem = reply.assert_problem(status, code);
        assert_no_internals(problem);
    }
    // Every field problem at once, each named.
    let many = ops
        .post(
            "/api/ops/v1/tenants",
            &json!({"slug": "X", "name": "", "admin_email": "x", "admin_password": "y"}),
        )
        .await;
    let fields: Vec<&str> = many.body["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|e| e["field"].as_str())
        .collect();
    assert_eq!(fields, ["slug", "admin_email", "admin_password", "name"]);

    let raw = |content_type: &'static str, body: Vec<u8>| {
        e2e::HostClient::send(
            ops.request(reqwest::Method::POST, "/api/ops/v1/tenants")
                .header("content-type", content_type)
                .body(body),
        )
    };
    raw("application/json", b"{\"slug\": ".to_vec())
        .await
        .assert_problem(400, "malformed_json");
    raw("text/plain", b"{}".to_vec())
        .await
        .assert_problem(415, "unsupported_media_type");
    let huge = format!("{{\"slug\": \"big\", \"name\": \"{}\"}}", "x".repeat(2 * 1024 * 1024));
    raw("application/json", huge.into_bytes())
        .await
        .assert_problem(413, "body_too_large");

    app.ops()
        .post("/api/ops/v1/tenants", &valid("fine"))
        .await
        .assert_problem(401, "missing_token");
    ops.get("/api/ops/v1/no-such-route")
        .await
        .assert_problem(404, "not_found");
    ops.get("/api/ops/v1/tenants/not-a-uuid")
        .await
        .assert_problem(400, "invalid_path");
    ops.get(&format!("/api/ops/v1/tenants/{}", uuid::Uuid::new_v4()))
        .await
        .assert_problem(404, "tenant_not_found");
    app.on("nobody.localhost")
        .get("/api/v1/settings")
        .await
        .assert_problem(404, "unknown_host");
    app.on("nobody.example.org")
        .post("/api/ops/v1/tenants", &valid("x"))
        .await
        .assert_problem(404, "unknown_host");
    let none: i64 = sqlx::query_scalar("SELECT count(*) FROM platform.tenants")
        .fetch_one(&app.db.pool)
        .await
        .expect("count");
    assert_eq!(none, 1, "only the first tenant exists");
}
