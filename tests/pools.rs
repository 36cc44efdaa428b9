//! Pooled connections survive cancellation and failure: whatever happens to one user of a
//! connection, the next user gets a clean session (no transaction, the session's own role).

use e2e::{DbProxy, TestApp};
use serde_json::json;
use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::{Executor as _, Row as _};

/// The application name of the connections through the proxy.
const PROXIED: &str = "pools-test-proxied";

/// One connection, through the proxy, from these options.
async fn pool_of_one(app: &TestApp, proxy: &DbProxy, options: PgPoolOptions) -> PgPool {
    // No ping before each acquire: the BEGIN must be the first thing the proxy holds back.
    options
        .max_connections(1)
        .min_connections(1)
        .test_before_acquire(false)
        .connect_with(
            app.db
                .connect_options()
                .host("127.0.0.1")
                .port(proxy.port())
                .application_name(PROXIED),
        )
        .await
        .expect("pool of one through the proxy")
}

/// (role, inside a transaction?) as the next user of the pool sees them.
async fn next_users_session(pool: &PgPool) -> (String, bool) {
    let row = pool
        .fetch_one("SELECT current_user::text, transaction_timestamp() <> statement_timestamp()")
        .await
        .expect("the next user is served");
    (row.get(0), row.get(1))
}

/// Starts `begin`, waits until the server has the BEGIN (its reply held back in the proxy),
/// then drops the future, as a client hanging up or a timeout does.
async fn drop_mid_flight<F: std::future::Future>(app: &TestApp, proxy: &DbProxy, pool: &PgPool, begin: F) {
    // The connection's last user has given it back (releasing sends a round trip of its own).
    e2e::eventually("the connection is idle in the pool", || async { pool.num_idle() == 1 }).await;
    let before = proxy.sent();
    proxy.hold_replies();
    let mut begin = Box::pin(begin);
    tokio::select! {
        _ = &mut begin => panic!("the begin finished although its reply was held"),
        () = proxy.sent_more_than(before) => {},
    }
    // The server has run BEGIN: its backend sits in a transaction, waiting for us.
    e2e::eventually("the server ran BEGIN", || async {
        let idle_in_tx: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = $1 AND datname = current_database() \
             AND state = 'idle in transaction'",
        )
        .bind(PROXIED)
        .fetch_one(&app.db.pool)
        .await
        .expect("activity");
        idle_in_tx == 1
    })
    .await;
    drop(begin);
    proxy.release_replies();
}

#[tokio::test]
async fn a_tenant_begin_dropped_mid_flight_leaves_the_next_user_a_clean_session() {
    let app = TestApp::spawn().await;
    let alpha = app.created_tenant("alpha").await;
    let proxy = DbProxy::start(app.db.server_addr().await).await;
    // Plain sqlx options, without the pool's release check: the begin itself must be safe.
    let pool = pool_of_one(&app, &proxy, PgPoolOptions::new()).await;
    let (session_role, _) = next_users_session(&pool).await;

    drop_mid_flight(&app, &proxy, &pool, alpha.scope().begin(&pool)).await;

    assert_eq!(next_users_session(&pool).await, (session_role, false));
}

#[tokio::test]
async fn a_plain_transaction_dropped_mid_begin_is_not_handed_out_again() {
    let app = TestApp::spawn().await;
    let proxy = DbProxy::start(app.db.server_addr().await).await;
    let pool = pool_of_one(&app, &proxy, tenants::pool_options()).await;
    let (session_role, _) = next_users_session(&pool).await;

    drop_mid_flight(&app, &proxy, &pool, pool.begin()).await;

    assert_eq!(next_users_session(&pool).await, (session_role, false));
}

#[tokio::test]
async fn a_begin_for_a_role_that_no_longer_exists_leaves_the_pool_serving() {
    let app = TestApp::spawn().await;
    let alpha = app.created_tenant("alpha").await;
    let role = format!("\"{}\"", alpha.role_name());
    app.db
        .pool
        .execute(format!("DROP OWNED BY {role}; DROP ROLE {role}").as_str())
        .await
        .expect("drop the tenant's role");
    let pool = PgPoolOptions::new()
        .max_connections(1)
        .connect_with(app.db.connect_options())
        .await
        .expect("pool of one");

    let error = alpha.scope().begin(&pool).await.expect_err("the role is gone");
    assert!(error.to_string().contains("does not exist"), "{error}");

    let (_, in_transaction) = next_users_session(&pool).await;
    assert!(!in_transaction);
    // And again: the failure repeats cleanly, it does not poison anything.
    alpha.scope().begin(&pool).await.expect_err("still gone");
    next_users_session(&pool).await;
}

#[tokio::test]
async fn a_session_level_role_change_never_reaches_the_next_user() {
    let app = TestApp::spawn().await;
    let alpha = app.created_tenant("alpha").await;
    let proxy = DbProxy::start(app.db.server_addr().await).await;
    let pool = pool_of_one(&app, &proxy, tenants::pool_options()).await;
    let (session_role, _) = next_users_session(&pool).await;
    {
        // What one injected statement could try: a role change that outlives the transaction.
        let mut tx = alpha.scope().begin(&pool).await.expect("begin");
        let role = format!("\"{}\"", alpha.role_name());
        tx.execute(format!("SET SESSION ROLE {role}").as_str())
            .await
            .expect("set role");
        tx.commit().await.expect("commit");
    }
    assert_eq!(next_users_session(&pool).await, (session_role, false));
}

/// The header of a 2 x 3 PNG: enough for an upload to be sniffed and accepted.
fn png() -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
    bytes.extend_from_slice(&2u32.to_be_bytes());
    bytes.extend_from_slice(&3u32.to_be_bytes());
    bytes.extend_from_slice(b"\x08\x02\0\0\0\0\0\0\0");
    bytes
}

/// Connections of the small pool the starvation tests below drive at four times its size.
const POOL: u32 = 4;

/// An app whose pool holds [`POOL`] connections (a request waits at most 3 s for one, then
/// answers 503), request limits out of the way, and two tenants: `victim` and `bystander`.
async fn small_pool_app() -> TestApp {
    let app = TestApp::spawn_with(|c| {
        c.database.max_connections = POOL;
        c.database.acquire_timeout = std::time::Duration::from_secs(3);
        let huge = platform::limits::Quota::per_minute(10_000_000, 10_000_000);
        c.http.limits.per_ip = huge;
        c.http.limits.per_tenant = huge;
        c.http.limits.per_user = huge;
    })
    .await;
    app.create_tenant("victim").await;
    app.create_tenant("bystander").await;
    app
}

/// Runs `load` while the bystander reads its settings again and again: every read must be
/// served (one that waited for a connection past the acquire timeout would answer 503).
async fn while_the_bystander_reads<T>(app: &TestApp, load: impl std::future::Future<Output = T>) -> T {
    let bystander = app.tenant("bystander").token(&app.admin_token("bystander").await);
    let reads = async {
        for _ in 0..20 {
            let reply = bystander.get("/api/v1/settings").await;
            assert_eq!(reply.status, 200, "the other tenant is served: {}", reply.text);
        }
    };
    let (out, ()) = tokio::join!(load, reads);
    out
}

/// Every route whose failure paths record something (trust denials, PHI reads), driven at
/// four times the pool's size, while another tenant reads: no request may wait for a second
/// connection while holding one, so every denial is answered and the other tenant is served.
#[tokio::test]
async fn denials_at_four_times_the_pool_size_never_starve_it() {
    let app = small_pool_app().await;
    let site = app.open_trust("victim").await;
    let post = site.post("/api/v1/posts", &json!({"title": "kept"})).await;
    assert_eq!(post.status, 201, "{}", post.text);
    let etag = post.header("etag").expect("etag").to_owned();
    let post = format!("/api/v1/posts/{}", post.body["id"].as_str().expect("id"));
    let phi = site
        .post(
            "/api/v1/posts",
            &json!({"title": "chart", "contains_patient_data": true}),
        )
        .await;
    assert_eq!(phi.status, 201, "{}", phi.text);
    let phi = format!("/api/v1/posts/{}", phi.body["id"].as_str().expect("id"));
    // From here on, nothing passes the trust policy.
    let closed = site
        .put(
            "/api/v1/settings",
            &json!({"trust_thresholds": {"create_draft": 100, "publish": 100, "read_phi": 100, "manage_users": 100}}),
        )
        .await;
    assert_eq!(closed.status, 200, "{}", closed.text);

    use reqwest::Method as M;
    let requests: Vec<(M, String, Option<serde_json::Value>)> = vec![
        (M::POST, "/api/v1/posts".into(), Some(json!({"title": "denied"}))),
        (M::PATCH, post.clone(), Some(json!({"title": "denied"}))),
        (M::DELETE, post.clone(), None),
        (M::GET, phi.clone(), None),
        (M::GET, "/api/v1/posts?status=draft".into(), None),
        (M::GET, format!("{phi}/revisions"), None),
        (
            M::POST,
            "/api/v1/users".into(),
            Some(json!({"email": "new@victim.test", "display_name": "N"})),
        ),
        (
            M::POST,
            "/api/v1/roles".into(),
            Some(json!({"name": "denied", "display_name": "Denied", "capabilities": ["read"]})),
        ),
        (M::POST, "/api/v1/media".into(), None),
    ];
    let denials = async {
        let mut all = Vec::new();
        for (method, path, body) in &requests {
            let replies = futures_util::future::join_all((0..4 * POOL).map(|_| {
                let mut request = site.request(method.clone(), path).header("if-match", &etag);
                request = match (body, method.as_str()) {
                    (Some(body), _) => request.json(body),
                    (None, "POST") => request
                        .header("content-type", "application/octet-stream")
                        .header("content-disposition", "attachment; filename=\"scan.png\"")
                        .body(png()),
                    (None, _) => request,
                };
                e2e::HostClient::send(request)
            }))
            .await;
            all.push((format!("{method} {path}"), replies));
        }
        all
    };
    let all = while_the_bystander_reads(&app, denials).await;
    for (request, replies) in &all {
        for reply in replies {
            assert_eq!(reply.status, 403, "{request}: {}", reply.text);
            assert_eq!(reply.body["code"], "insufficient_trust", "{request}: {}", reply.text);
        }
    }
    // Every denial was recorded, after its request let go of its connection.
    let denied: i64 = sqlx::query_scalar("SELECT count(*) FROM tenant_victim.audit_log WHERE action = 'policy.deny'")
        .fetch_one(&app.db.pool)
        .await
        .expect("count");
    assert_eq!(denied, (requests.len() as i64) * i64::from(4 * POOL));
}

/// PostgreSQL restarting under eight concurrent writers: connections are cut (the proxy),
/// in-flight queries are terminated by the server (57P01, as at a shutdown) and new
/// connections are refused for a moment. Every failure is a 503 with `Retry-After` and a
/// code that says to retry, never a 500; what answered 201 is there, whole; and serving
/// resumes by itself.
#[tokio::test]
async fn a_database_restart_under_concurrent_writers_answers_503_never_500() {
    const SERVING: &str = "restart-test-serving";
    let proxy = DbProxy::start(e2e::server_addr().await).await;
    let app = TestApp::spawn_with(|c| {
        c.database.serve_connect = c
            .database
            .serve_connect
            .clone()
            .host("127.0.0.1")
            .port(proxy.port())
            .application_name(SERVING);
        c.database.acquire_timeout = std::time::Duration::from_secs(1);
        let huge = platform::limits::Quota::per_minute(10_000_000, 10_000_000);
        c.http.limits.per_ip = huge;
        c.http.limits.per_tenant = huge;
        c.http.limits.per_user = huge;
    })
    .await;
    app.create_tenant("acme").await;
    let site = app.open_trust("acme").await;
    let stop = std::sync::atomic::AtomicBool::new(false);
    let writer = |w: usize| {
        let (site, stop) = (&site, &stop);
        async move {
            let mut seen = Vec::new();
            let mut n = 0;
            while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                let title = format!("writer {w} post {n}");
                let reply = site.post("/api/v1/posts", &json!({"title": title})).await;
                seen.push((title, reply));
                n += 1;
            }
            seen
        }
    };
    let restart = async {
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        proxy.set_refusing(true);
        sqlx::query(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE application_name = $1 AND datname = current_database()",
        )
        .bind(SERVING)
        .execute(&app.db.pool)
        .await
        .expect("terminate the serving connections");
        proxy.cut_all();
        tokio::time::sleep(std::time::Duration::from_millis(700)).await;
        proxy.set_refusing(false);
        tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
        stop.store(true, std::sync::atomic::Ordering::SeqCst);
    };
    let (_, seen) = tokio::join!(restart, futures_util::future::join_all((0..8).map(writer)));
    let seen: Vec<_> = seen.into_iter().flatten().collect();

    let mut unavailable = 0;
    for (title, reply) in &seen {
        match reply.status {
            201 => {}
            503 => {
                unavailable += 1;
                assert!(
                    ["database_unavailable", "database_busy"].contains(&reply.body["code"].as_str().unwrap_or("")),
                    "{title}: {}",
                    reply.text
                );
                assert!(reply.header("retry-after").is_some(), "{title}: no Retry-After");
            }
            other => panic!("{title}: {other} {}", reply.text),
        }
    }
    assert!(unavailable > 0, "the restart was felt by some of {} writes", seen.len());
    // Serving resumed by itself: the last writes of every writer went through.
    let fresh = site.post("/api/v1/posts", &json!({"title": "after the restart"})).await;
    assert_eq!(fresh.status, 201, "{}", fresh.text);
    // Whatever answered 201 is there, with its audit record: nothing lost or half-written.
    for (title, reply) in seen.iter().filter(|(_, r)| r.status == 201) {
        let (posts, records): (i64, i64) = sqlx::query_as(
            "SELECT count(*), (SELECT count(*) FROM tenant_acme.audit_log a WHERE a.resource_id IN \
               (SELECT id::text FROM tenant_acme.posts WHERE title = $1)) \
             FROM tenant_acme.posts WHERE title = $1",
        )
        .bind(title)
        .fetch_one(&app.db.pool)
        .await
        .expect("look");
        assert_eq!((posts, records), (1, 1), "{title}: {}", reply.text);
    }
}

/// Every tenant route's failure paths (no token; a subscriber's token, who may do almost
/// nothing; a body of the wrong shape) at four times the pool's size, while another tenant
/// reads: each answer is a 4xx problem, never a 500 or a 503, and the other tenant is served.
#[tokio::test]
async fn every_routes_failure_paths_at_four_times_the_pool_size_leave_others_served() {
    let app = small_pool_app().await;
    let (_, subscriber) = app.add_user("victim", "reader@victim.test", &["subscriber"]).await;
    let spec = platform::app::openapi();
    let mut operations = Vec::new();
    for (path, item) in &spec.paths.paths {
        if !path.starts_with("/api/v1/") || path.starts_with("/api/v1/auth/") {
            continue; // sign-in and its budgets have tests of their own
        }
        let concrete = path
            .split('/')
            .map(|part| {
                if part.starts_with('{') {
                    "0190a0b0-0000-7000-8000-00000000abcd"
                } else {
                    part
                }
            })
            .collect::<Vec<_>>()
            .join("/");
        for (method, present) in [
            (reqwest::Method::GET, item.get.is_some()),
            (reqwest::Method::POST, item.post.is_some()),
            (reqwest::Method::PUT, item.put.is_some()),
            (reqwest::Method::PATCH, item.patch.is_some()),
            (reqwest::Method::DELETE, item.delete.is_some()),
        ] {
            if present {
                operations.push((method, concrete.clone()));
            }
        }
    }
    assert!(operations.len() > 40, "the sweep covers the API: {}", operations.len());
    let site = app.tenant("victim");
    let reader = site.clone_with(&subscriber);
    let sweep = async {
        let mut answers = Vec::new();
        for (method, path) in &operations {
            let replies = futures_util::future::join_all((0..4 * POOL).map(|i| {
                let request = match i % 3 {
                    0 => site.request(method.clone(), path),
                    1 => reader
                        .request(method.clone(), path)
                        .json(&json!({"unexpected": [1, 2, 3]})),
                    _ => reader.request(method.clone(), path).header("if-match", "\"1\""),
                };
                e2e::HostClient::send(request)
            }))
            .await;
            answers.push((format!("{method} {path}"), replies));
        }
        answers
    };
    let answers = while_the_bystander_reads(&app, sweep).await;
    for (operation, replies) in &answers {
        for reply in replies {
            assert!(
                (400..500).contains(&reply.status) || (200..300).contains(&reply.status),
                "{operation}: {} {}",
                reply.status,
                reply.text
            );
            if reply.status >= 400 {
                assert_eq!(
                    reply.header("content-type"),
                    Some("application/problem+json"),
                    "{operation}"
                );
            }
        }
    }
}
