//! Isolation, layer by layer: routing, tokens, the database role, and pooled connections.

use e2e::{ADMIN_PASSWORD, TestApp};
use serde_json::json;
use tenants::TenantSlug;

async fn two_tenants_with_secrets(app: &TestApp) -> (String, String) {
    app.create_tenant("alpha").await;
    app.create_tenant("beta").await;
    let (a, b) = (app.admin_token("alpha").await, app.admin_token("beta").await);
    for (slug, token, title) in [("alpha", &a, "Alpha private title"), ("beta", &b, "Beta private title")] {
        let saved = app
            .tenant(slug)
            .token(token)
            .put("/api/v1/settings", &json!({"site_title": title}))
            .await;
        assert_eq!(saved.status, 200, "{}", saved.text);
    }
    (a, b)
}

#[tokio::test]
async fn no_tenant_route_on_one_host_returns_another_tenants_data() {
    let app = TestApp::spawn().await;
    let (alpha, beta) = two_tenants_with_secrets(&app).await;

    let own = app.tenant("alpha").token(&alpha).get("/api/v1/settings").await;
    assert_eq!(own.body["site_title"], "Alpha private title");
    // Beta's token on alpha's host, and the other way round: refused, nothing of either leaks.
    for (slug, token) in [("alpha", &beta), ("beta", &alpha)] {
        let reply = app.tenant(slug).token(token).get("/api/v1/settings").await;
        reply.assert_problem(401, "invalid_token");
        assert!(
            !reply.text.contains("private title") && !reply.text.contains("alpha") && !reply.text.contains("beta"),
            "{}",
            reply.text
        );
    }
    // Beta's administrator does not exist on alpha's host.
    let login = app
        .tenant("alpha")
        .post(
            "/api/v1/auth/login",
            &json!({"email": "admin@beta.test", "password": ADMIN_PASSWORD}),
        )
        .await;
    login.assert_problem(401, "invalid_credentials");
    // No header can switch the tenant.
    let forwarded = e2e::HostClient::send(
        app.tenant("alpha")
            .token(&alpha)
            .request(reqwest::Method::GET, "/api/v1/settings")
            .header("x-forwarded-host", "beta.localhost")
            .header("x-tenant", "beta")
            .header("forwarded", "host=beta.localhost"),
    )
    .await;
    assert_eq!(forwarded.body["site_title"], "Alpha private title");
}

#[tokio::test]
async fn operator_and_tenant_tokens_never_pass_for_each_other() {
    let app = TestApp::spawn().await;
    app.create_tenant("alpha").await;
    let admin = app.admin_token("alpha").await;
    let ops = app.operator_token().await;
    app.tenant("alpha")
        .token(&ops)
        .get("/api/v1/settings")
        .await
        .assert_problem(401, "invalid_token");
    app.ops()
        .token(&admin)
        .get("/api/ops/v1/tenants")
        .await
        .assert_problem(401, "invalid_token");
    // Each API only exists on its own kind of host.
    app.tenant("alpha")
        .token(&ops)
        .get("/api/ops/v1/tenants")
        .await
        .assert_problem(404, "not_found");
    app.ops()
        .token(&admin)
        .get("/api/v1/settings")
        .await
        .assert_problem(404, "not_found");
    // A tampered token fails.
    let mut forged = admin.clone();
    forged.pop();
    forged.push(if admin.ends_with('A') { 'B' } else { 'A' });
    app.tenant("alpha")
        .token(&forged)
        .get("/api/v1/settings")
        .await
        .assert_problem(401, "invalid_token");
}

#[tokio::test]
async fn unscoped_query_for_another_tenants_table_is_permission_denied() {
    let app = TestApp::spawn().await;
    app.create_tenant("alpha").await;
    app.create_tenant("beta").await;
    let alpha = app
        .tenancy()
        .get_by_slug(&TenantSlug::parse("alpha").expect("slug"))
        .await
        .expect("alpha");
    let pool = &app.db.pool;

    for sql in [
        "SELECT email FROM tenant_beta.users",
        "SELECT document FROM tenant_beta.settings",
        "SELECT slug FROM platform.tenants",
        "SELECT wrapped FROM platform.tenant_keys",
        "CREATE TABLE tenant_beta.planted (id int)",
        "CREATE TABLE planted (id int)",
    ] {
        let mut tx = alpha.scope().begin(pool).await.expect("begin");
        let err = sqlx::query(sql).execute(&mut *tx).await.expect_err(sql);
        let code = err.as_database_error().and_then(|e| e.code()).map(|c| c.into_owned());
        assert_eq!(code.as_deref(), Some("42501"), "{sql}: {err}");
    }
    // Its own tables are reachable, unqualified.
    let mut tx = alpha.scope().begin(pool).await.expect("begin");
    let emails: Vec<String> = sqlx::query_scalar("SELECT email FROM users")
        .fetch_all(&mut *tx)
        .await
        .expect("own users");
    assert_eq!(emails, ["admin@alpha.test"]);
}

#[tokio::test]
async fn one_pooled_connection_alternating_tenants_always_runs_as_the_right_one() {
    let app = TestApp::spawn().await;
    app.create_tenant("alpha").await;
    app.create_tenant("beta").await;
    let tenancy = app.tenancy();
    let alpha = tenancy
        .get_by_slug(&TenantSlug::parse("alpha").expect("slug"))
        .await
        .expect("alpha");
    let beta = tenancy
        .get_by_slug(&TenantSlug::parse("beta").expect("slug"))
        .await
        .expect("beta");
    let pool = app.db.single_connection_pool().await;
    let expected = |t: &tenants::Tenant| (t.role_name().to_owned(), t.schema_name().to_owned());

    for i in 0..10_000 {
        let tenant = if i % 2 == 0 { &alpha } else { &beta };
        let mut tx = tenant.scope().begin(&pool).await.expect("begin");
        let seen: (String, String) = sqlx::query_as("SELECT current_user::text, current_schema()::text")
            .fetch_one(&mut *tx)
            .await
            .expect("who");
        assert_eq!(seen, expected(tenant), "iteration {i}");
        // Alternate commit and rollback: neither may leave anything behind.
        if i % 4 < 2 {
            tx.commit().await.expect("commit");
        } else {
            tx.rollback().await.expect("rollback");
        }
    }
}

#[tokio::test]
async fn failed_or_abandoned_transactions_leave_nothing_on_the_connection() {
    let app = TestApp::spawn().await;
    app.create_tenant("alpha").await;
    let alpha = app
        .tenancy()
        .get_by_slug(&TenantSlug::parse("alpha").expect("slug"))
        .await
        .expect("alpha");
    let pool = app.db.single_connection_pool().await;
    let session: (String, String) = sqlx::query_as("SELECT current_user::text, current_setting('search_path')")
        .fetch_one(&pool)
        .await
        .expect("session defaults");

    {
        // A statement fails: the transaction is aborted, then dropped without commit.
        let mut tx = alpha.scope().begin(&pool).await.expect("begin");
        assert!(
            sqlx::query("SELECT * FROM no_such_table")
                .execute(&mut *tx)
                .await
                .is_err()
        );
    }
    {
        // A write that is never committed.
        let mut tx = alpha.scope().begin(&pool).await.expect("begin");
        sqlx::query("UPDATE settings SET document = '{\"site_title\": \"uncommitted\"}'")
            .execute(&mut *tx)
            .await
            .expect("update");
    }
    let after: (String, String) = sqlx::query_as("SELECT current_user::text, current_setting('search_path')")
        .fetch_one(&pool)
        .await
        .expect("after");
    assert_eq!(after, session, "role and search_path are back to the session's own");
    let mut tx = alpha.scope().begin(&pool).await.expect("begin");
    let title: Option<String> = sqlx::query_scalar("SELECT document->>'site_title' FROM settings")
        .fetch_one(&mut *tx)
        .await
        .expect("read");
    assert_eq!(title, None, "the abandoned write left nothing");
}

/// Requests are served by a login role that is neither the schemas' owner nor a superuser and
/// inherits nothing: a `RESET ROLE` injected into a tenant transaction reaches no tenant
/// table and no owner right, and no temporary table can be planted to shadow one.
#[tokio::test]
async fn the_serving_role_reaches_nothing_once_out_of_the_tenant_role() {
    let app = TestApp::spawn().await;
    let alpha = app.created_tenant("alpha").await;
    app.create_tenant("beta").await;
    let serving = app.tenancy().pool();

    let mut tx = alpha.scope().begin(serving).await.expect("begin");
    let path: String = sqlx::query_scalar("SELECT current_setting('search_path')")
        .fetch_one(&mut *tx)
        .await
        .expect("path");
    assert_eq!(path, "tenant_alpha, pg_temp", "pg_temp is searched last");
    sqlx::query("RESET ROLE").execute(&mut *tx).await.expect("reset role");
    let (who, superuser): (String, bool) =
        sqlx::query_as("SELECT current_user::text, rolsuper FROM pg_roles WHERE rolname = current_user")
            .fetch_one(&mut *tx)
            .await
            .expect("who");
    assert_eq!(who, format!("{}app", app.db.role_prefix));
    assert!(!superuser);
    drop(tx);

    for sql in [
        "CREATE TEMP TABLE planted (id int)",
        "RESET ROLE; CREATE TEMP TABLE planted (id int)",
        "RESET ROLE; SELECT email FROM tenant_alpha.users",
        "RESET ROLE; SELECT email FROM tenant_beta.users",
        "RESET ROLE; SELECT * FROM platform.tenant_migrations",
        "RESET ROLE; UPDATE platform.tenants SET status = 'active'",
        "RESET ROLE; DELETE FROM platform.tenant_keys",
        "RESET ROLE; INSERT INTO platform.signing_keys (kid, purpose, algorithm, public_key, wrapped_private, kek_id, status) \
         VALUES ('x', 'tenant', 'EdDSA', '\\x00', '\\x00', 'x', 'retired')",
        "RESET ROLE; DELETE FROM platform.plugin_catalogue",
        "RESET ROLE; UPDATE platform.jobs SET tenant_id = NULL",
        "RESET ROLE; CREATE TABLE platform.planted (id int)",
    ] {
        let mut tx = alpha.scope().begin(serving).await.expect("begin");
        let err = sqlx::raw_sql(sql).execute(&mut *tx).await.expect_err(sql);
        let code = err.as_database_error().and_then(|e| e.code()).map(|c| c.into_owned());
        assert_eq!(code.as_deref(), Some("42501"), "{sql}: {err}");
    }
}

#[tokio::test]
async fn serve_refuses_a_serving_role_that_reaches_further() {
    let app = TestApp::spawn().await;
    // The owner itself (or, where tests run as one, a superuser).
    let mut config = app.config();
    config.database.serve_connect = app.db.connect_options();
    let refused = platform::state::AppState::build(&config).await.err().expect("refused");
    assert!(
        format!("{refused:#}").contains("PLATFORM_APP_DATABASE_URL"),
        "{refused:#}"
    );
    // A serving role that would inherit what its tenant roles hold.
    let role = format!("\"{}app\"", app.db.role_prefix);
    sqlx::query(&format!("ALTER ROLE {role} INHERIT"))
        .execute(&app.db.pool)
        .await
        .expect("alter");
    let refused = platform::state::AppState::build(&app.config())
        .await
        .err()
        .expect("refused");
    assert!(format!("{refused:#}").contains("NOINHERIT"), "{refused:#}");
}
