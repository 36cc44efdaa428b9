//! Rate limits and brute-force protection, including a Redis that dies mid-test.

use e2e::{ADMIN_PASSWORD, OPERATOR_EMAIL, OPERATOR_PASSWORD, TestApp};
use platform::limits::Quota;
use serde_json::json;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

fn wrong(email: &str) -> serde_json::Value {
    json!({"email": email, "password": "not the right one"})
}

fn right(email: &str) -> serde_json::Value {
    json!({"email": email, "password": ADMIN_PASSWORD})
}

#[tokio::test]
async fn ten_failures_then_the_account_backs_off_for_known_and_unknown_emails_alike() {
    // The harness keeps the per-IP sign-in limit out of the way: this is the per-account one.
    let app = TestApp::spawn().await;
    app.create_tenant("acme").await;
    let site = app.tenant("acme");
    for email in ["admin@acme.test", "nobody@acme.test"] {
        for _ in 0..10 {
            site.post("/api/v1/auth/login", &wrong(email))
                .await
                .assert_problem(401, "invalid_credentials");
        }
        let limited = site.post("/api/v1/auth/login", &right(email)).await;
        limited.assert_problem(429, "rate_limited");
        let retry: u64 = limited
            .header("retry-after")
            .expect("retry-after")
            .parse()
            .expect("seconds");
        assert!((1..=36).contains(&retry), "one emission interval at most: {retry}");
    }
    // The real administrator's row shows the state; another account is untouched.
    let (failed, locked): (i32, bool) = sqlx::query_as(
        "SELECT failed_attempts, locked_until > now() FROM tenant_acme.users WHERE email = 'admin@acme.test'",
    )
    .fetch_one(&app.db.pool)
    .await
    .expect("state");
    assert_eq!((failed, locked), (10, true));
    // Another account of the tenant signs in as usual.
    app.add_user("acme", "other@acme.test", &["author"]).await;
    let trail = app
        .tenant("acme")
        .token(
            &app.add_user("acme", "officer@acme.test", &["compliance_officer"])
                .await
                .1,
        )
        .get("/api/v1/audit?outcome=denied")
        .await;
    assert!(
        trail
            .body
            .as_array()
            .expect("entries")
            .iter()
            .any(|e| e["details"]["reason"] == "too_many_failures"),
        "{}",
        trail.text
    );
}

#[tokio::test]
async fn operator_accounts_back_off_after_ten_failures_like_tenant_accounts() {
    let app = TestApp::spawn().await;
    // Onboarded first: creating a tenant signs the operator in.
    app.create_tenant("acme").await;
    let ops = app.ops();
    let login = "/api/ops/v1/auth/login";
    for _ in 0..10 {
        ops.post(
            login,
            &json!({"email": OPERATOR_EMAIL, "password": "not the right one"}),
        )
        .await
        .assert_problem(401, "invalid_credentials");
    }
    let limited = ops
        .post(login, &json!({"email": OPERATOR_EMAIL, "password": OPERATOR_PASSWORD}))
        .await;
    limited.assert_problem(429, "rate_limited");
    assert!(limited.header("retry-after").is_some());
    // A tenant's accounts are buckets of their own.
    let tenant_login = app
        .tenant("acme")
        .post("/api/v1/auth/login", &right("admin@acme.test"))
        .await;
    assert_eq!(tenant_login.status, 200, "{}", tenant_login.text);
}

#[tokio::test]
async fn one_ip_gets_ten_quick_sign_in_attempts() {
    let production = platform::limits::Limits::default().login_per_ip;
    let app = TestApp::spawn_with(|c| c.http.limits.login_per_ip = production).await;
    app.create_tenant("acme").await;
    let site = app.tenant("acme");
    for i in 0..10 {
        let reply = site
            .post("/api/v1/auth/login", &wrong(&format!("user{i}@acme.test")))
            .await;
        reply.assert_problem(401, "invalid_credentials");
    }
    let limited = site.post("/api/v1/auth/login", &right("admin@acme.test")).await;
    limited.assert_problem(429, "rate_limited");
    assert!(limited.header("retry-after").is_some());
}

#[tokio::test]
async fn each_user_has_a_request_budget_of_their_own() {
    let app = TestApp::spawn_with(|c| c.http.limits.per_user = Quota::per_minute(5, 5)).await;
    app.create_tenant("acme").await;
    let admin = app.admin_token("acme").await;
    let (_, other) = app.add_user("acme", "other@acme.test", &["author"]).await;
    for _ in 0..5 {
        assert_eq!(
            app.tenant("acme").token(&admin).get("/api/v1/users/me").await.status,
            200
        );
    }
    let limited = app.tenant("acme").token(&admin).get("/api/v1/users/me").await;
    limited.assert_problem(429, "rate_limited");
    assert!(
        limited
            .header("retry-after")
            .is_some_and(|s| s.parse::<u64>().is_ok_and(|n| n >= 1))
    );
    assert_eq!(
        app.tenant("acme").token(&other).get("/api/v1/users/me").await.status,
        200
    );
}

#[tokio::test]
async fn without_redis_the_limits_hold_in_process() {
    let app = TestApp::spawn_with(|c| {
        c.redis_url = None;
        c.http.limits.per_user = Quota::per_minute(3, 3);
    })
    .await;
    app.create_tenant("acme").await;
    let admin = app.admin_token("acme").await;
    for _ in 0..3 {
        assert_eq!(
            app.tenant("acme").token(&admin).get("/api/v1/users/me").await.status,
            200
        );
    }
    app.tenant("acme")
        .token(&admin)
        .get("/api/v1/users/me")
        .await
        .assert_problem(429, "rate_limited");
    assert_eq!(app.ops().get("/ready").await.body["redis"], "disabled");
}

/// A Redis of this test's own, so stopping it disturbs no other test.
struct OwnRedis {
    child: Child,
    port: u16,
}

impl OwnRedis {
    async fn start() -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .expect("free port")
            .local_addr()
            .expect("addr")
            .port();
        let child = Command::new("redis-server")
            .args([
                "--port",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server is installed (deploy/test installs it)");
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        Self { child, port }
    }

    fn stop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

impl Drop for OwnRedis {
    fn drop(&mut self) {
        self.stop();
    }
}

#[tokio::test]
async fn when_redis_dies_sign_in_fails_closed_and_reads_go_on() {
    let mut redis = OwnRedis::start().await;
    let url = format!("redis://127.0.0.1:{}", redis.port);
    let app = TestApp::spawn_with(|c| c.redis_url = Some(url)).await;
    app.create_tenant("acme").await;
    let admin = app.admin_token("acme").await;
    assert_eq!(app.ops().get("/ready").await.status, 200);

    redis.stop();
    let login = app
        .tenant("acme")
        .post("/api/v1/auth/login", &right("admin@acme.test"))
        .await;
    login.assert_problem(503, "rate_limiter_unavailable");
    assert!(login.header("retry-after").is_some());
    app.ops()
        .post(
            "/api/ops/v1/auth/login",
            &json!({"email": OPERATOR_EMAIL, "password": OPERATOR_PASSWORD}),
        )
        .await
        .assert_problem(503, "rate_limiter_unavailable");
    let read = app.tenant("acme").token(&admin).get("/api/v1/settings").await;
    assert_eq!(
        read.status, 200,
        "reads are served by the in-process limiter: {}",
        read.text
    );
    app.ops().get("/ready").await.assert_problem(503, "not_ready");
}

/// Sends `body` to `path` sixty times at once, each from an address of its own (behind one
/// trusted proxy), and counts the answers by status.
async fn sixty_at_once(
    site: &e2e::HostClient,
    method: reqwest::Method,
    path: &str,
    body: &serde_json::Value,
) -> std::collections::BTreeMap<u16, usize> {
    let replies = futures_util::future::join_all((0..60).map(|i| {
        e2e::HostClient::send(
            site.request(method.clone(), path)
                .header("x-forwarded-for", format!("198.51.100.{i}"))
                .json(body),
        )
    }))
    .await;
    let mut counts = std::collections::BTreeMap::new();
    for reply in replies {
        *counts.entry(reply.status).or_default() += 1;
    }
    counts
}

#[tokio::test]
async fn sixty_concurrent_guesses_from_sixty_addresses_get_ten_checks_with_or_without_redis() {
    for with_redis in [true, false] {
        let app = TestApp::spawn_with(|c| {
            c.http.trusted_proxy_hops = 1;
            if !with_redis {
                c.redis_url = None;
            }
        })
        .await;
        app.create_tenant("acme").await;
        let counts = sixty_at_once(
            &app.tenant("acme"),
            reqwest::Method::POST,
            "/api/v1/auth/login",
            &wrong("admin@acme.test"),
        )
        .await;
        assert_eq!(
            counts,
            [(401, 10), (429, 50)].into(),
            "redis: {with_redis}: the budget is charged before any password is checked"
        );
        // The real password is refused too until the budget refills.
        app.tenant("acme")
            .post("/api/v1/auth/login", &right("admin@acme.test"))
            .await
            .assert_problem(429, "rate_limited");
    }
}

#[tokio::test]
async fn right_passwords_are_refunded_so_a_busy_user_never_runs_out() {
    let app = TestApp::spawn().await;
    app.create_tenant("acme").await;
    for _ in 0..9 {
        app.tenant("acme")
            .post("/api/v1/auth/login", &wrong("admin@acme.test"))
            .await
            .assert_problem(401, "invalid_credentials");
    }
    // One check left in the burst: every successful sign-in gives its charge back.
    for _ in 0..5 {
        app.admin_token("acme").await;
    }
}

#[tokio::test]
async fn sixty_concurrent_wrong_current_passwords_in_a_session_get_ten_checks() {
    let app = TestApp::spawn_with(|c| c.http.trusted_proxy_hops = 1).await;
    app.create_tenant("acme").await;
    let site = app.tenant("acme").token(&app.admin_token("acme").await);
    let counts = sixty_at_once(
        &site,
        reqwest::Method::POST,
        "/api/v1/users/me/password",
        &json!({"current_password": "not the right one", "new_password": "a brand new password"}),
    )
    .await;
    assert_eq!(counts, [(403, 10), (429, 50)].into());
}

#[tokio::test]
async fn sixty_concurrent_wrong_mfa_codes_in_a_session_get_ten_checks() {
    let app = TestApp::spawn_with(|c| c.http.trusted_proxy_hops = 1).await;
    app.create_tenant("acme").await;
    let site = app.tenant("acme").token(&app.admin_token("acme").await);
    let started = site.post_empty("/api/v1/auth/mfa/totp").await;
    assert_eq!(started.status, 200, "{}", started.text);
    let counts = sixty_at_once(
        &site,
        reqwest::Method::POST,
        "/api/v1/auth/mfa/totp/confirm",
        &json!({"code": "000000"}),
    )
    .await;
    assert_eq!(counts, [(422, 10), (429, 50)].into());
}

#[tokio::test]
async fn ipv6_clients_are_limited_by_their_64() {
    let production = platform::limits::Limits::default().login_per_ip;
    let app = TestApp::spawn_with(|c| {
        c.http.limits.login_per_ip = production;
        c.http.trusted_proxy_hops = 1;
    })
    .await;
    app.create_tenant("acme").await;
    let from = |ip: String, email: String| {
        e2e::HostClient::send(
            app.tenant("acme")
                .request(reqwest::Method::POST, "/api/v1/auth/login")
                .header("x-forwarded-for", ip)
                .json(&wrong(&email)),
        )
    };
    // Ten addresses of one /64, each used once, spend the /64's burst.
    for i in 0..10 {
        from(format!("2001:db8:7:7::{:x}", i + 1), format!("user{i}@acme.test"))
            .await
            .assert_problem(401, "invalid_credentials");
    }
    from("2001:db8:7:7:ffff::1".into(), "user10@acme.test".into())
        .await
        .assert_problem(429, "rate_limited");
    // The next /64 is another client.
    from("2001:db8:7:8::1".into(), "user11@acme.test".into())
        .await
        .assert_problem(401, "invalid_credentials");
}
