//! The migration orchestrator over many tenant schemas.

use e2e::TestApp;
use sqlx::Connection as _;
use std::time::Duration;
use tenants::migrate::{MigrateOptions, Migration, migrate_tenants, tenant_migrations};

const NICKNAME: Migration = Migration::new(9001, "users_nickname", "ALTER TABLE users ADD COLUMN nickname text;");

fn with_nickname() -> Vec<Migration> {
    let mut all = tenant_migrations().to_vec();
    all.push(NICKNAME);
    all
}

#[tokio::test]
async fn a_failed_tenant_is_reported_and_a_rerun_completes_it() {
    let app = TestApp::spawn().await;
    for slug in ["one", "two", "three"] {
        app.create_tenant(slug).await;
    }
    let migrations = with_nickname();
    let options = MigrateOptions {
        concurrency: 2,
        lock_timeout: Duration::from_millis(200),
    };

    // Someone holds a lock on tenant two's users table for the whole run.
    let mut blocker = sqlx::PgConnection::connect_with(&app.db.connect_options())
        .await
        .expect("connect");
    let mut held = blocker.begin().await.expect("begin");
    sqlx::query("LOCK TABLE tenant_two.users IN ACCESS EXCLUSIVE MODE")
        .execute(&mut *held)
        .await
        .expect("lock");

    let first = migrate_tenants(&app.db.pool, &migrations, &options, &|_| {})
        .await
        .expect("run");
    assert_eq!(first.tenants, 3);
    assert_eq!(first.migrated, 2);
    assert_eq!(first.failed.len(), 1);
    assert_eq!(first.failed[0].slug, "two");
    assert!(first.failed[0].error.contains("lock"), "{}", first.failed[0].error);

    held.rollback().await.expect("release");
    let second = migrate_tenants(&app.db.pool, &migrations, &options, &|_| {})
        .await
        .expect("rerun");
    assert_eq!((second.up_to_date, second.migrated, second.failed.len()), (2, 1, 0));
    let columns: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM information_schema.columns WHERE column_name = 'nickname' AND table_name = 'users'",
    )
    .fetch_one(&app.db.pool)
    .await
    .expect("columns");
    assert_eq!(columns, 3, "every tenant has the new column");

    // A third run has nothing to do.
    let third = migrate_tenants(&app.db.pool, &migrations, &options, &|_| {})
        .await
        .expect("noop");
    assert_eq!((third.up_to_date, third.migrated), (3, 0));
}

#[tokio::test]
async fn a_migration_edited_after_it_was_applied_stops_the_run() {
    let app = TestApp::spawn().await;
    app.create_tenant("one").await;
    let mut edited = tenant_migrations().to_vec();
    edited[0] = Migration::new(edited[0].version, edited[0].name, "SELECT 'edited';");
    let result = migrate_tenants(&app.db.pool, &edited, &MigrateOptions::default(), &|_| {}).await;
    assert!(
        matches!(result, Err(tenants::Error::Conflict(ref m)) if m.contains("edited")),
        "{result:?}"
    );
}

#[tokio::test]
async fn new_tables_reach_the_tenant_role_and_only_it() {
    let app = TestApp::spawn().await;
    app.create_tenant("one").await;
    app.create_tenant("two").await;
    let notes = Migration::new(9002, "notes", "CREATE TABLE notes (id int PRIMARY KEY, body text);");
    let mut migrations = tenant_migrations().to_vec();
    migrations.push(notes);
    let summary = migrate_tenants(&app.db.pool, &migrations, &MigrateOptions::default(), &|_| {})
        .await
        .expect("run");
    assert_eq!(summary.migrated, 2);

    let one = app
        .tenancy()
        .get_by_slug(&tenants::TenantSlug::parse("one").expect("slug"))
        .await
        .expect("one");
    let mut tx = one.scope().begin(&app.db.pool).await.expect("begin");
    sqlx::query("INSERT INTO notes VALUES (1, 'mine')")
        .execute(&mut *tx)
        .await
        .expect("own new table");
    let denied = sqlx::query("SELECT * FROM tenant_two.notes")
        .execute(&mut *tx)
        .await
        .expect_err("other's new table");
    assert_eq!(
        denied.as_database_error().and_then(|e| e.code()).as_deref(),
        Some("42501")
    );
}
