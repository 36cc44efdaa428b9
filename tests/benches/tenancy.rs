//! Tenancy benchmarks against the local PostgreSQL. Each run works in a database of its own,
//! dropped at the end.
//!
//!   cargo bench -p e2e --bench tenancy                      # provision, scoping, requests, migrate
//!   cargo bench -p e2e --bench tenancy -- scale             # 10,000 tenants (minutes)
//!   cargo bench -p e2e --bench tenancy -- provision scoping # any subset
//!
//! Results are printed as Markdown rows for docs/benchmarks.md.

use e2e::bench::summary;
use e2e::{ADMIN_PASSWORD, TestApp};
use futures_util::StreamExt as _;
use platform::audit::ClientContext;
use platform::auth::sessions::{self, SessionLimits};
use std::time::{Duration, Instant};
use tenants::migrate::{MigrateOptions, Migration, migrate_tenants, tenant_migrations};
use tenants::password::Password;
use tenants::{Email, NewTenant, Provisioned, Tenancy, TenantSlug};

fn request(slug: &str, with_password: bool) -> NewTenant {
    NewTenant {
        slug: TenantSlug::parse(slug).expect("slug"),
        name: format!("Bench {slug}"),
        plan: None,
        admin_email: Email::parse(&format!("admin@{slug}.test")).expect("email"),
        admin_name: None,
        admin_password: with_password.then(|| Password::parse(ADMIN_PASSWORD.to_owned().into()).expect("password")),
    }
}

/// Provisions `n` tenants named `{prefix}{i}` with `concurrency` at a time (setup tokens, no
/// password hashing: this is about the database side).
async fn provision_many(tenancy: &Tenancy, prefix: &str, n: usize, concurrency: usize) -> Vec<Provisioned> {
    let started = Instant::now();
    let out: Vec<Provisioned> = futures_util::stream::iter(0..n)
        .map(|i| async move {
            tenancy
                .provision(request(&format!("{prefix}{i}"), false))
                .await
                .expect("provision")
        })
        .buffer_unordered(concurrency)
        .collect()
        .await;
    eprintln!("provisioned {n} tenants in {:.1} s", started.elapsed().as_secs_f64());
    out
}

async fn bench_provision() {
    let app = TestApp::spawn().await;
    let mut samples = Vec::new();
    for i in 0..100 {
        let started = Instant::now();
        app.tenancy()
            .provision(request(&format!("prov{i}"), true))
            .await
            .expect("provision");
        samples.push(started.elapsed());
    }
    println!(
        "| provision one tenant (password hashed, sequential) | {} |",
        summary(samples)
    );
}

async fn bench_scoping() {
    let app = TestApp::spawn().await;
    let provisioned = provision_many(app.tenancy(), "scope", 2, 1).await;
    let tenant = &provisioned[0].tenant;
    // One connection each: sqlx's own pool (as before the cancel-safety work) and the
    // platform's (a release check on every return).
    let plain_pool = app.db.single_connection_pool().await;
    let platform_pool = tenants::pool_options()
        .max_connections(1)
        .min_connections(1)
        .connect_with(app.db.connect_options())
        .await
        .expect("platform pool");
    let scope = tenant.scope();
    let qualified = format!("SELECT document FROM {}.settings", tenant.schema_name());
    // What `TenantScope::begin` sent before: sqlx's begin_with, not cancel-safe.
    let old_begin = format!(
        "BEGIN; SET LOCAL ROLE \"{}\"; SET LOCAL search_path TO \"{}\"",
        tenant.role_name(),
        tenant.schema_name()
    );
    const N: usize = 5_000;
    const ROUNDS: usize = 10;
    // Each variant runs back to back on its own connection, in rounds that take turns: a
    // transaction's time includes waiting for the previous one's release (sqlx returns a
    // connection in a task of its own; the platform's pool checks it there).
    let mut samples: [Vec<Duration>; 4] = Default::default();
    for round in 0..=ROUNDS {
        let timed = round > 0; // round 0 warms statement and catalog caches
        for (variant, sample) in samples.iter_mut().enumerate() {
            for _ in 0..N / ROUNDS {
                let started = Instant::now();
                match variant {
                    0 => {
                        let mut tx = plain_pool.begin().await.expect("begin");
                        sqlx::query(&qualified).fetch_one(&mut *tx).await.expect("unscoped");
                        tx.commit().await.expect("commit");
                    }
                    1 => {
                        let mut tx = plain_pool.begin_with(old_begin.clone()).await.expect("begin");
                        sqlx::query("SELECT document FROM settings")
                            .fetch_one(&mut *tx)
                            .await
                            .expect("scoped");
                        tx.commit().await.expect("commit");
                    }
                    _ => {
                        let pool = if variant == 2 { &plain_pool } else { &platform_pool };
                        let mut tx = scope.begin(pool).await.expect("begin");
                        sqlx::query("SELECT document FROM settings")
                            .fetch_one(&mut *tx)
                            .await
                            .expect("scoped");
                        tx.commit().await.expect("commit");
                    }
                }
                if timed {
                    sample.push(started.elapsed());
                }
            }
        }
    }
    let mean = |v: &[Duration]| v.iter().sum::<Duration>().as_secs_f64() * 1000.0 / v.len() as f64;
    let means: Vec<f64> = samples.iter().map(|v| mean(v)).collect();
    let [plain, old, cancel_safe, released] = samples;
    println!(
        "| unscoped transaction (BEGIN, read settings, COMMIT), sqlx pool | {} |",
        summary(plain)
    );
    println!(
        "| tenant-scoped, as before (sqlx `begin_with`, not cancel-safe), sqlx pool | {} |",
        summary(old)
    );
    println!(
        "| tenant-scoped, cancel-safe begin, sqlx pool | {} |",
        summary(cancel_safe)
    );
    println!(
        "| tenant-scoped, cancel-safe begin, platform pool (release check) | {} |",
        summary(released)
    );
    println!(
        "| cost of the cancel-safe begin / of begin and release check (mean difference to before) | {:.3} ms / {:.3} ms |",
        means[2] - means[1],
        means[3] - means[1]
    );
    println!(
        "| cost of scoping per transaction (mean difference, before) | {:.3} ms |",
        means[1] - means[0]
    );
}

const DDL: Migration = Migration::new(
    9001,
    "bench_users_nickname",
    "ALTER TABLE users ADD COLUMN nickname text;",
);

async fn time_migrations(app: &TestApp, tenants: usize, concurrency: usize) {
    let options = MigrateOptions {
        concurrency,
        lock_timeout: Duration::from_secs(5),
    };
    let started = Instant::now();
    let noop = migrate_tenants(&app.db.pool, tenant_migrations(), &options, &|_| {})
        .await
        .expect("noop");
    let noop_time = started.elapsed();
    assert_eq!(noop.up_to_date, tenants);
    let mut with_ddl = tenant_migrations().to_vec();
    with_ddl.push(DDL);
    let started = Instant::now();
    let ddl = migrate_tenants(&app.db.pool, &with_ddl, &options, &|_| {})
        .await
        .expect("ddl");
    let ddl_time = started.elapsed();
    assert_eq!((ddl.migrated, ddl.failed.len()), (tenants, 0));
    println!(
        "| `migrate` over {tenants} tenants, nothing to do | {:.2} s |",
        noop_time.as_secs_f64()
    );
    println!(
        "| `migrate` over {tenants} tenants, one ALTER TABLE (concurrency {concurrency}) | {:.2} s |",
        ddl_time.as_secs_f64()
    );
}

async fn bench_migrate() {
    let app = TestApp::spawn().await;
    provision_many(app.tenancy(), "mig", 1_000, 2).await;
    time_migrations(&app, 1_000, 4).await;
}

async fn bench_scale() {
    const N: usize = 10_000;
    let app = TestApp::unlimited().await;
    let started = Instant::now();
    let provisioned = provision_many(app.tenancy(), "scale", N, 2).await;
    println!(
        "| provision {N} tenants (concurrency 2) | {:.1} s |",
        started.elapsed().as_secs_f64()
    );
    let (classes, namespaces, db_size): (i64, i64, String) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM pg_class), (SELECT count(*) FROM pg_namespace), \
         pg_size_pretty(pg_database_size(current_database()))",
    )
    .fetch_one(&app.db.pool)
    .await
    .expect("catalog");
    let catalog: String = sqlx::query_scalar(
        "SELECT pg_size_pretty(sum(pg_total_relation_size(c.oid))) FROM pg_class c \
         JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'pg_catalog'",
    )
    .fetch_one(&app.db.pool)
    .await
    .expect("catalog size");
    println!(
        "| catalog at {N} tenants | {classes} relations, {namespaces} schemas, pg_catalog {catalog}, database {db_size} |"
    );
    time_migrations(&app, N, 4).await;

    settings_latency(&app, &provisioned, 500).await;
}

/// GET /api/v1/settings over HTTP on up to `sample` of the tenants, tokens minted directly:
/// first the request that fills the Host cache, then four rounds on cached hosts.
async fn settings_latency(app: &TestApp, provisioned: &[Provisioned], sample: usize) {
    let n = provisioned.len();
    let mut tokens: Vec<(String, String)> = Vec::new();
    for p in provisioned.iter().step_by((n / sample).max(1)) {
        // A real session, as a sign-in would open, so the request path checks it as usual.
        let mut tx = p.tenant.scope().begin(&app.db.pool).await.expect("begin");
        let (session, _) = sessions::open(
            &mut tx,
            p.admin_id,
            SessionLimits::default(),
            &ClientContext::default(),
            false,
        )
        .await
        .expect("session");
        tx.commit().await.expect("commit");
        let token = app
            .state
            .tokens
            .issue_tenant_access(p.tenant.id, p.admin_id, session)
            .expect("token")
            .token;
        tokens.push((p.tenant.slug.to_string(), token));
    }
    let mut cold = Vec::new();
    for (slug, token) in &tokens {
        let started = Instant::now();
        let reply = app.tenant(slug).token(token).get("/api/v1/settings").await;
        cold.push(started.elapsed());
        assert_eq!(reply.status, 200, "{}", reply.text);
    }
    let mut warm = Vec::new();
    for round in 0..(2000 / tokens.len()).max(4) {
        for i in 0..tokens.len() {
            let (slug, token) = if round % 2 == 0 {
                &tokens[i]
            } else {
                &tokens[tokens.len() - 1 - i]
            };
            let started = Instant::now();
            let reply = app.tenant(slug).token(token).get("/api/v1/settings").await;
            warm.push(started.elapsed());
            assert_eq!(reply.status, 200);
        }
    }
    println!(
        "| GET /api/v1/settings at {n} tenants, first request per tenant | {} |",
        summary(cold)
    );
    println!(
        "| GET /api/v1/settings at {n} tenants, cached host | {} |",
        summary(warm)
    );
}

async fn bench_requests() {
    let app = TestApp::unlimited().await;
    let provisioned = provision_many(app.tenancy(), "req", 10, 1).await;
    settings_latency(&app, &provisioned, 10).await;
}

#[tokio::main]
async fn main() {
    let wanted: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    let run = |name: &str| wanted.is_empty() && name != "scale" || wanted.iter().any(|w| w == name);
    println!("| benchmark | result |\n|---|---|");
    if run("provision") {
        bench_provision().await;
    }
    if run("scoping") {
        bench_scoping().await;
    }
    if run("requests") {
        bench_requests().await;
    }
    if run("migrate") {
        bench_migrate().await;
    }
    if run("scale") {
        bench_scale().await;
    }
}
