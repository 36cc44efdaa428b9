//! The audit trail: what is recorded, who may read it, and that tampering is found.

use e2e::TestApp;
use platform::audit::{self, Actor, AuditEvent, ClientContext, Outcome};
use serde_json::json;
use tenants::{Tenant, TenantSlug};

async fn tenant(app: &TestApp, slug: &str) -> Tenant {
    app.create_tenant(slug).await;
    app.tenancy()
        .get_by_slug(&TenantSlug::parse(slug).expect("slug"))
        .await
        .expect("tenant")
}

async fn verify(app: &TestApp, slug: &str, token: &str) -> serde_json::Value {
    let reply = app.tenant(slug).token(token).get("/api/v1/audit/verify").await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    reply.body
}

#[tokio::test]
async fn logins_are_recorded_with_who_where_and_how_it_ended() {
    let app = TestApp::spawn().await;
    tenant(&app, "acme").await;
    let site = app.tenant("acme");
    let wrong = e2e::HostClient::send(
        site.request(reqwest::Method::POST, "/api/v1/auth/login")
            .header("user-agent", "curl/8.0 audit-test")
            .json(&json!({"email": "admin@acme.test", "password": "not the password"})),
    )
    .await;
    wrong.assert_problem(401, "invalid_credentials");
    site.post(
        "/api/v1/auth/login",
        &json!({"email": "nobody@acme.test", "password": "whatever it is"}),
    )
    .await;
    let token = app.admin_token("acme").await;

    let admin = app.tenant("acme").token(&token);
    let trail = admin.get("/api/v1/audit?action=auth.login").await;
    assert_eq!(trail.status, 200, "{}", trail.text);
    assert_eq!(trail.header("x-total-count"), Some("3"));
    let entries = trail.body.as_array().expect("entries");
    assert_eq!(entries[0]["outcome"], "success", "newest first");
    assert_eq!(entries[0]["actor_type"], "user");
    assert_eq!(entries[1]["actor_type"], "anonymous");
    assert_eq!(entries[1]["details"]["reason"], "unknown_email");
    assert_eq!(entries[2]["details"]["reason"], "wrong_password");
    assert_eq!(entries[2]["user_agent"], "curl/8.0 audit-test");
    assert_eq!(entries[2]["ip"], "127.0.0.1");
    assert!(entries[2]["request_id"].is_string());

    let failures = admin.get("/api/v1/audit?outcome=failure").await;
    assert_eq!(failures.header("x-total-count"), Some("2"));
    admin
        .get("/api/v1/audit?outcome=maybe")
        .await
        .assert_problem(400, "invalid_query");
}

#[tokio::test]
async fn only_holders_of_view_audit_trail_read_it() {
    let app = TestApp::spawn().await;
    let acme = tenant(&app, "acme").await;
    let (_, editor) = app.add_user(acme.slug.as_str(), "editor@acme.test", &["editor"]).await;
    let (_, officer) = app
        .add_user(acme.slug.as_str(), "officer@acme.test", &["compliance_officer"])
        .await;
    for path in ["/api/v1/audit", "/api/v1/audit/verify"] {
        app.tenant("acme")
            .token(&editor)
            .get(path)
            .await
            .assert_problem(403, "missing_capability");
        assert_eq!(app.tenant("acme").token(&officer).get(path).await.status, 200, "{path}");
    }
}

#[tokio::test]
async fn the_database_refuses_changes_to_the_trail() {
    let app = TestApp::spawn().await;
    let acme = tenant(&app, "acme").await;
    app.admin_token("acme").await;
    for sql in [
        "UPDATE audit_log SET action = 'x'",
        "DELETE FROM audit_log",
        "TRUNCATE audit_log",
        "DELETE FROM audit_head",
        // The chain's bookkeeping, which the tenant role used to hold DML on.
        "UPDATE audit_head SET seq = 0",
        "INSERT INTO audit_pending (id, occurred_at, actor_type, action, outcome, details, tail) \
         VALUES (gen_random_uuid(), now(), 'system', 'x', 'success', '{}', '\\x00')",
        "DELETE FROM audit_pending",
        "INSERT INTO audit_log (seq, id, occurred_at, actor_type, action, outcome, details, prev_hash, hash) \
         VALUES (1000, gen_random_uuid(), now(), 'system', 'x', 'success', '{}', '\\x00', '\\x00')",
    ] {
        let mut tx = acme.scope().begin(&app.db.pool).await.expect("begin");
        let err = sqlx::query(sql).execute(&mut *tx).await.expect_err(sql);
        assert_eq!(
            err.as_database_error().and_then(|e| e.code()).as_deref(),
            Some("42501"),
            "{sql}: {err}"
        );
    }
    // Even the table's owner is stopped by the trigger.
    let err = sqlx::query("UPDATE tenant_acme.audit_log SET action = 'x'")
        .execute(&app.db.pool)
        .await
        .expect_err("owner");
    assert!(err.to_string().contains("append-only"), "{err}");
}

#[tokio::test]
async fn appends_go_through_the_owners_function_on_the_database_clock() {
    let app = TestApp::spawn().await;
    let acme = tenant(&app, "acme").await;
    let mut tx = acme.scope().begin(&app.db.pool).await.expect("begin");
    let (at, started, now): (chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>) =
        sqlx::query_as(
            "SELECT audit_append(gen_random_uuid(), 'system', NULL, 'test.clock', 'success', NULL, NULL, NULL, NULL, NULL, '{}'), \
                    transaction_timestamp(), clock_timestamp()",
        )
        .fetch_one(&mut *tx)
        .await
        .expect("the tenant role may append");
    assert!(
        started <= at && at <= now,
        "stamped by the database: {started} <= {at} <= {now}"
    );
    // The function's search path is pinned: a table the caller's path would find first is
    // never the one written.
    let path: String = sqlx::query_scalar(
        "SELECT array_to_string(proconfig, ',') FROM pg_proc WHERE proname = 'audit_append' \
         AND pronamespace = 'tenant_acme'::regnamespace",
    )
    .fetch_one(&mut *tx)
    .await
    .expect("config");
    assert_eq!(path, "search_path=tenant_acme, pg_temp");
    tx.commit().await.expect("commit");
    // What the database encoded is what verification recomputes.
    let token = app.admin_token("acme").await;
    assert_eq!(verify(&app, "acme", &token).await["valid"], true);
}

#[tokio::test]
async fn verify_names_the_first_row_someone_edited_or_deleted() {
    let app = TestApp::spawn().await;
    tenant(&app, "acme").await;
    let token = app.admin_token("acme").await;
    for _ in 0..4 {
        app.tenant("acme")
            .token(&token)
            .put("/api/v1/settings", &json!({"locale": "pt-BR"}))
            .await;
    }
    let ok = verify(&app, "acme", &token).await;
    assert_eq!(
        ok,
        json!({"valid": true, "checked": 5, "first_broken": null, "reason": null, "checkpoint_seq": null, "checkpoints_checked": 0, "broken_under_checkpoint": null})
    );

    // Someone with owner rights switches the trigger off and rewrites row 3.
    let pool = &app.db.pool;
    sqlx::query("ALTER TABLE tenant_acme.audit_log DISABLE TRIGGER USER")
        .execute(pool)
        .await
        .expect("disable");
    sqlx::query("UPDATE tenant_acme.audit_log SET outcome = 'failure' WHERE seq = 3")
        .execute(pool)
        .await
        .expect("edit");
    let edited = verify(&app, "acme", &token).await;
    assert_eq!(
        (edited["valid"].clone(), edited["first_broken"].clone()),
        (json!(false), json!(3)),
        "{edited}"
    );
    assert!(
        edited["reason"].as_str().expect("reason").contains("changed"),
        "{edited}"
    );

    // Row 2 deleted: the gap is named.
    sqlx::query("DELETE FROM tenant_acme.audit_log WHERE seq = 2")
        .execute(pool)
        .await
        .expect("delete");
    let deleted = verify(&app, "acme", &token).await;
    assert_eq!(deleted["first_broken"], 2, "{deleted}");
    assert!(
        deleted["reason"].as_str().expect("reason").contains("missing"),
        "{deleted}"
    );
}

#[tokio::test]
async fn verify_notices_rows_cut_from_the_end() {
    let app = TestApp::spawn().await;
    tenant(&app, "acme").await;
    let token = app.admin_token("acme").await;
    app.tenant("acme")
        .token(&token)
        .put("/api/v1/settings", &json!({"locale": "en"}))
        .await;
    let pool = &app.db.pool;
    sqlx::query("ALTER TABLE tenant_acme.audit_log DISABLE TRIGGER USER")
        .execute(pool)
        .await
        .expect("disable");
    sqlx::query("DELETE FROM tenant_acme.audit_log WHERE seq = (SELECT max(seq) FROM tenant_acme.audit_log)")
        .execute(pool)
        .await
        .expect("cut the newest row");
    let cut = verify(&app, "acme", &token).await;
    // The verify request's own login is row 1, the settings update row 2: row 2 was cut.
    assert_eq!(
        (cut["valid"].clone(), cut["first_broken"].clone()),
        (json!(false), json!(2)),
        "{cut}"
    );
}

#[tokio::test]
async fn concurrent_appends_keep_one_unbroken_chain() {
    let app = TestApp::spawn().await;
    let acme = tenant(&app, "acme").await;
    let pool = app.db.pool.clone();
    let tasks: Vec<_> = (0..40)
        .map(|i| {
            let (pool, scope) = (pool.clone(), acme.scope());
            tokio::spawn(async move {
                let event =
                    AuditEvent::new("test.concurrent", Outcome::Success, Actor::System).details(json!({"i": i}));
                audit::record(&pool, &scope, &event, &ClientContext::default())
                    .await
                    .expect("append")
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("task");
    }
    let token = app.admin_token("acme").await;
    let verdict = verify(&app, "acme", &token).await;
    assert_eq!(
        verdict,
        json!({"valid": true, "checked": 41, "first_broken": null, "reason": null, "checkpoint_seq": null, "checkpoints_checked": 0, "broken_under_checkpoint": null})
    );
}

#[tokio::test]
async fn a_chain_rewritten_end_to_end_is_caught_by_its_signed_checkpoint() {
    let app = TestApp::spawn().await;
    let acme = tenant(&app, "acme").await;
    let token = app.admin_token("acme").await;
    for locale in ["en", "pt-BR", "es"] {
        app.tenant("acme")
            .token(&token)
            .put("/api/v1/settings", &json!({"locale": locale}))
            .await;
    }
    let written = app
        .state
        .checkpoints
        .write(&app.db.pool, &acme)
        .await
        .expect("checkpoint");
    assert_eq!(written, Some(4));
    let ok = verify(&app, "acme", &token).await;
    assert_eq!(
        (ok["valid"].clone(), ok["checkpoint_seq"].clone()),
        (json!(true), json!(4)),
        "{ok}"
    );

    // An attacker with owner rights rewrites row 2 and re-hashes everything after it, head
    // included: the chain alone can no longer tell.
    rewrite_from_row_2(&app.db.pool).await;

    let caught = verify(&app, "acme", &token).await;
    assert_eq!(
        (caught["valid"].clone(), caught["first_broken"].clone()),
        (json!(false), json!(4)),
        "{caught}"
    );
    assert!(
        caught["reason"].as_str().expect("reason").contains("rewritten"),
        "{caught}"
    );

    // A forged checkpoint file does not verify either.
    let dir = app
        .db
        .object_dir()
        .join(format!("tenants/{}/audit-checkpoints", acme.id));
    let file = std::fs::read_dir(&dir)
        .expect("checkpoints")
        .next()
        .expect("one")
        .expect("entry")
        .path();
    let jws = std::fs::read_to_string(&file).expect("read");
    let (head, _) = jws.rsplit_once('.').expect("jws");
    std::fs::write(&file, format!("{head}.AAAA")).expect("forge");
    let forged = verify(&app, "acme", &token).await;
    assert_eq!(forged["valid"], false, "{forged}");
    assert!(
        forged["reason"].as_str().expect("reason").contains("does not verify"),
        "{forged}"
    );
}

/// Changes row 2 of acme's chain and re-hashes every row after it and the head, as someone
/// with the owner's rights could: the chain alone no longer shows it.
async fn rewrite_from_row_2(pool: &sqlx::PgPool) {
    sqlx::query("ALTER TABLE tenant_acme.audit_log DISABLE TRIGGER USER")
        .execute(pool)
        .await
        .expect("disable");
    let mut rows: Vec<platform::audit::record::AuditRecord> =
        sqlx::query_as("SELECT * FROM tenant_acme.audit_log ORDER BY seq")
            .fetch_all(pool)
            .await
            .expect("rows");
    rows[1].outcome = "failure".into();
    for i in 1..rows.len() {
        rows[i].prev_hash = rows[i - 1].hash.clone();
        rows[i].hash = rows[i].compute_hash();
        sqlx::query("UPDATE tenant_acme.audit_log SET outcome = $2, prev_hash = $3, hash = $4 WHERE seq = $1")
            .bind(rows[i].seq)
            .bind(&rows[i].outcome)
            .bind(&rows[i].prev_hash)
            .bind(&rows[i].hash)
            .execute(pool)
            .await
            .expect("rewrite");
    }
    let last = rows.last().expect("rows");
    sqlx::query("UPDATE tenant_acme.audit_head SET hash = $1")
        .bind(&last.hash)
        .execute(pool)
        .await
        .expect("head");
    sqlx::query("ALTER TABLE tenant_acme.audit_log ENABLE TRIGGER USER")
        .execute(pool)
        .await
        .expect("enable");
}

/// A checkpoint is signed only over a chain that extends the last one signed, and verify
/// holds the chain against every checkpoint, naming the one a rewrite breaks.
#[tokio::test]
async fn a_rewritten_chain_is_never_signed_and_verify_names_the_checkpoint_it_breaks() {
    let app = TestApp::spawn().await;
    let acme = tenant(&app, "acme").await;
    let token = app.admin_token("acme").await;
    let site = app.tenant("acme").token(&token);
    let checkpoints = &app.state.checkpoints;
    let mut signed = Vec::new();
    for locale in ["en", "pt-BR"] {
        assert_eq!(
            site.put("/api/v1/settings", &json!({"locale": locale})).await.status,
            200
        );
        signed.push(
            checkpoints
                .write(&app.db.pool, &acme)
                .await
                .expect("checkpoint")
                .expect("new head"),
        );
    }
    assert_eq!(signed, [2, 3]);

    rewrite_from_row_2(&app.db.pool).await;
    // New records go on from the rewritten head; the next checkpoint would bless it all.
    assert_eq!(site.put("/api/v1/settings", &json!({"locale": "es"})).await.status, 200);
    let refused = checkpoints.write(&app.db.pool, &acme).await;
    assert!(
        matches!(
            refused,
            Err(platform::audit::checkpoint::CheckpointError::DoesNotExtend(_))
        ),
        "{refused:?}"
    );
    assert_eq!(
        checkpoints.latest(acme.id).await.expect("latest").map(|c| c.seq),
        Some(3),
        "nothing new was signed"
    );

    let caught = verify(&app, "acme", &token).await;
    assert_eq!(caught["valid"], false, "{caught}");
    assert_eq!(caught["checkpoints_checked"], 2, "{caught}");
    assert_eq!(caught["checkpoint_seq"], 3, "{caught}");
    assert_eq!(
        caught["broken_under_checkpoint"], 2,
        "the first checkpoint whose signed chain holds row 2: {caught}"
    );
}

/// Appends are staged in the writer's transaction and chained at its commit: in the order
/// they were made, with the hash verification computes, and not at all when it rolls back.
#[tokio::test]
async fn records_are_chained_at_commit_in_order_and_a_rollback_leaves_none() {
    let app = TestApp::spawn().await;
    let acme = tenant(&app, "acme").await;
    let pool = &app.db.pool;
    let event = |i: i32| AuditEvent::new("test.order", Outcome::Success, Actor::System).details(json!({"i": i}));
    let head = || async {
        sqlx::query_scalar::<_, i64>("SELECT seq FROM tenant_acme.audit_head")
            .fetch_one(pool)
            .await
            .expect("head")
    };
    let before = head().await;

    let mut tx = acme.scope().begin(pool).await.expect("begin");
    let ids = [
        audit::append(&mut tx, &event(1), &ClientContext::default())
            .await
            .expect("append"),
        audit::append(&mut tx, &event(2), &ClientContext::default())
            .await
            .expect("append"),
        audit::append(&mut tx, &event(3), &ClientContext::default())
            .await
            .expect("append"),
    ];
    assert_eq!(head().await, before, "nothing is chained before commit");
    tx.commit().await.expect("commit");
    let chained: Vec<(i64, uuid::Uuid)> =
        sqlx::query_as("SELECT seq, id FROM tenant_acme.audit_log WHERE action = 'test.order' ORDER BY seq")
            .fetch_all(pool)
            .await
            .expect("rows");
    assert_eq!(
        chained,
        vec![(before + 1, ids[0]), (before + 2, ids[1]), (before + 3, ids[2])]
    );

    let mut tx = acme.scope().begin(pool).await.expect("begin");
    audit::append(&mut tx, &event(4), &ClientContext::default())
        .await
        .expect("append");
    tx.rollback().await.expect("rollback");
    assert_eq!(
        head().await,
        before + 3,
        "a rolled-back append takes no place in the chain"
    );

    // Committed by someone whose search_path is elsewhere: the trigger still finds the tenant.
    sqlx::query(
        "INSERT INTO tenant_acme.audit_pending (id, occurred_at, actor_type, action, outcome, details, tail) \
         SELECT gen_random_uuid(), now(), 'system', 'test.sql', 'success', '{}', '\\x00'",
    )
    .execute(pool)
    .await
    .expect("insert from plain SQL");
    assert_eq!(head().await, before + 4);
    let pending: i64 = sqlx::query_scalar("SELECT count(*) FROM tenant_acme.audit_pending")
        .fetch_one(pool)
        .await
        .expect("pending");
    assert_eq!(pending, 0, "nothing stays staged after commit");

    let token = app.admin_token("acme").await;
    let verdict = verify(&app, "acme", &token).await;
    // The plain-SQL row carries a tail no record encodes to: verification names it.
    assert_eq!(verdict["first_broken"], json!(before + 4), "{verdict}");
    assert_eq!(verdict["checked"], json!(before + 3), "{verdict}");
}
