//! The control plane, migrated once per test run into a template database that every test's
//! database is cloned from (`CREATE DATABASE .. TEMPLATE ..` copies files, which is faster
//! than running the migrations again).
//!
//! nextest runs each test in a process of its own, so the processes agree through PostgreSQL:
//! the template is named after a hash of what it holds, made by one process at a time under an
//! advisory lock, and visible under that name only once complete (built under another name,
//! then marked `IS_TEMPLATE` and `ALLOW_CONNECTIONS false`, then renamed). Nobody may connect
//! to it afterwards, so nobody stays connected and blocks a clone. Advisory locks belong to a
//! database: runs that share a server agree only when they connect to the same one
//! (`TEST_DATABASE_URL`'s), as `deploy/test` and CI do.
//!
//! Only what the control-plane migrations make is in it; the serving role, its grants and
//! anything else a test makes are per test (`TestDb::new`).

use sha2::{Digest as _, Sha256};
use sqlx::postgres::{PgConnectOptions, PgDatabaseError, PgPoolOptions};
use sqlx::{Connection as _, PgConnection};
use std::time::Duration;
use tenants::migrate::{migrate_control_plane, platform_migrations};

/// Every template's name starts with this; `deploy/test` drops them at the end of a run.
pub const TEMPLATE_PREFIX: &str = "platform_template_";

/// Taken on the admin database while a template is made, so only one process makes it, and
/// by `deploy/test` (as `x'74656d706c617465'::bigint`) while it drops the templates. The
/// value is arbitrary; it only has to differ from the keys the platform takes.
const TEMPLATE_LOCK: i64 = 0x7465_6d70_6c61_7465; // "template"

/// How often a clone is tried while PostgreSQL says someone else is in the template.
const CLONE_ATTEMPTS: u32 = 50;

/// Creates the database `name` as a copy of the current template, making the template first
/// when this run has none yet.
pub async fn clone_template(conn: &mut PgConnection, admin: &PgConnectOptions, name: &str) {
    let template = template_name(admin.get_username());
    for attempt in 1..=CLONE_ATTEMPTS {
        ensure_template(conn, admin, &template).await;
        let cloned = sqlx::query(&format!("CREATE DATABASE {name} TEMPLATE {template}"))
            .execute(&mut *conn)
            .await;
        match cloned {
            Ok(_) => return,
            // Another run with other migrations dropped it as stale: make it again.
            Err(e) if sqlstate(&e) == Some("3D000") => {}
            // "source database is being accessed by other users": someone is still in it
            // (its maker's last connection may linger for a moment after closing).
            Err(e) if sqlstate(&e) == Some("55006") => {
                tokio::time::sleep(Duration::from_millis(10 * u64::from(attempt.min(10)))).await;
            }
            Err(e) => panic!("clone the template {template} into {name}: {e}"),
        }
    }
    panic!("clone the template {template} into {name}: still in use after {CLONE_ATTEMPTS} attempts");
}

/// The template for these migrations, made by this role: the role owns everything in it, and
/// a clone made by another role would hold tables its owner cannot alter.
fn template_name(owner: &str) -> String {
    let mut hash = Sha256::new();
    hash.update(owner.as_bytes());
    for migration in platform_migrations() {
        hash.update(migration.version.to_be_bytes());
        hash.update(migration.checksum().as_bytes());
    }
    let hex: String = hash.finalize()[..8].iter().map(|b| format!("{b:02x}")).collect();
    format!("{TEMPLATE_PREFIX}{hex}")
}

async fn ensure_template(conn: &mut PgConnection, admin: &PgConnectOptions, template: &str) {
    if is_ready(conn, template).await {
        return;
    }
    sqlx::query("SELECT pg_advisory_lock($1)")
        .bind(TEMPLATE_LOCK)
        .execute(&mut *conn)
        .await
        .expect("take the template lock");
    // Another process may have made it while this one waited for the lock.
    if !is_ready(conn, template).await {
        make_template(conn, admin, template).await;
    }
    // A panic above drops the connection, and the lock with it.
    sqlx::query("SELECT pg_advisory_unlock($1)")
        .bind(TEMPLATE_LOCK)
        .execute(&mut *conn)
        .await
        .expect("release the template lock");
}

async fn is_ready(conn: &mut PgConnection, template: &str) -> bool {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1 AND datistemplate)")
        .bind(template)
        .fetch_one(&mut *conn)
        .await
        .expect("look for the template")
}

/// How long another run's template is left alone: a run of other migrations (another
/// checkout, another branch) may be using it right now, and dropping it would make that run
/// rebuild it, and drop ours in turn.
const STALE_AFTER_SECS: i64 = 24 * 3600;

/// Run under the lock. Drops what is ours (this role's) and stale: one a process died while
/// making (`_new`: nobody else is making one now), one of our name that is not a complete
/// template, or another run's made over a day ago (each template's comment says when).
async fn make_template(conn: &mut PgConnection, admin: &PgConnectOptions, template: &str) {
    let others: Vec<(String, bool)> = sqlx::query_as(
        "SELECT datname, datistemplate FROM pg_database \
         WHERE starts_with(datname, $1) AND pg_get_userbyid(datdba) = current_user \
           AND (datname LIKE '%\\_new' OR datname = $3 \
                OR coalesce(substring(shobj_description(oid, 'pg_database') FROM 'made at ([0-9]+)')::bigint, 0) \
                   < extract(epoch FROM now())::bigint - $2) \
         ORDER BY datname",
    )
    .bind(TEMPLATE_PREFIX)
    .bind(STALE_AFTER_SECS)
    .bind(template)
    .fetch_all(&mut *conn)
    .await
    .expect("list templates");
    for (other, is_template) in others {
        drop_template(admin, &other, is_template).await;
    }
    let building = format!("{template}_new");
    sqlx::query(&format!("CREATE DATABASE {building}"))
        .execute(&mut *conn)
        .await
        .expect("create the template database");
    let pool = PgPoolOptions::new()
        .max_connections(1)
        .connect_with(admin.clone().database(&building))
        .await
        .expect("connect to the template database");
    migrate_control_plane(&pool, platform_migrations())
        .await
        .expect("migrate the template's control plane");
    pool.close().await;
    // Marked before it is renamed, so that a database under the template's name is complete.
    sqlx::query(&format!(
        "ALTER DATABASE {building} WITH ALLOW_CONNECTIONS false IS_TEMPLATE true"
    ))
    .execute(&mut *conn)
    .await
    .expect("mark the template");
    sqlx::query(&format!(
        "COMMENT ON DATABASE {building} IS 'made at {}'",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs())
    ))
    .execute(&mut *conn)
    .await
    .expect("date the template");
    sqlx::query(&format!("ALTER DATABASE {building} RENAME TO {template}"))
        .execute(&mut *conn)
        .await
        .expect("name the template");
}

/// Best effort: another role's template is not ours to drop, and another run (`deploy/test`
/// ending, say) may be dropping it too. On a connection of its own, as PostgreSQL ends the
/// session that alters a database while another session drops it, and the caller's holds
/// the lock.
async fn drop_template(admin: &PgConnectOptions, name: &str, is_template: bool) {
    let dropped = async {
        let mut conn = PgConnection::connect_with(admin).await?;
        if is_template {
            sqlx::query(&format!("ALTER DATABASE {name} WITH IS_TEMPLATE false"))
                .execute(&mut conn)
                .await?;
        }
        sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .execute(&mut conn)
            .await?;
        conn.close().await
    };
    if let Err(e) = dropped.await {
        eprintln!("left the stale template database {name}: {e}");
    }
}

fn sqlstate(e: &sqlx::Error) -> Option<&str> {
    match e {
        sqlx::Error::Database(e) => e.try_downcast_ref::<PgDatabaseError>().map(PgDatabaseError::code),
        _ => None,
    }
}
