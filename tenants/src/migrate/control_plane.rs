use super::Migration;
use crate::Error;
use sqlx::PgPool;

/// A fixed advisory lock key, so two `platform migrate` runs never migrate the control plane at
/// the same time.
const LOCK_KEY: i64 = 0x706c_6174_666f_726d; // "platform"

/// Applies pending control-plane migrations, each in its own transaction with its tracking
/// row. Returns the versions applied. Refuses to run when an applied migration was edited.
pub async fn migrate_control_plane(pool: &PgPool, migrations: &[Migration]) -> Result<Vec<i32>, Error> {
    let mut conn = pool.acquire().await?;
    sqlx::query("SELECT pg_advisory_lock($1)")
        .bind(LOCK_KEY)
        .execute(&mut *conn)
        .await?;
    let result = apply(&mut conn, migrations).await;
    sqlx::query("SELECT pg_advisory_unlock($1)")
        .bind(LOCK_KEY)
        .execute(&mut *conn)
        .await?;
    result
}

async fn apply(conn: &mut sqlx::PgConnection, migrations: &[Migration]) -> Result<Vec<i32>, Error> {
    crate::run_script(
        &mut *conn,
        "CREATE SCHEMA IF NOT EXISTS platform;
         CREATE TABLE IF NOT EXISTS platform.schema_migrations (
             version    integer PRIMARY KEY,
             name       text NOT NULL,
             checksum   text NOT NULL,
             applied_at timestamptz NOT NULL DEFAULT now()
         );",
    )
    .await?;
    let applied: Vec<(i32, String)> = sqlx::query_as("SELECT version, checksum FROM platform.schema_migrations")
        .fetch_all(&mut *conn)
        .await?;
    let mut done = Vec::new();
    for migration in migrations {
        match applied.iter().find(|(v, _)| *v == migration.version) {
            Some((_, checksum)) if *checksum != migration.checksum() => {
                return Err(Error::Conflict(format!(
                    "control-plane migration {} ({}) was edited after it was applied",
                    migration.version, migration.name
                )));
            }
            Some(_) => continue,
            None => {}
        }
        let mut tx = sqlx::Connection::begin(&mut *conn).await?;
        crate::run_script(&mut tx, migration.sql).await?;
        sqlx::query("INSERT INTO platform.schema_migrations (version, name, checksum) VALUES ($1, $2, $3)")
            .bind(migration.version)
            .bind(migration.name)
            .bind(migration.checksum())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        tracing::info!(
            migration.version = migration.version,
            migration.name = migration.name,
            "control plane migrated"
        );
        done.push(migration.version);
    }
    Ok(done)
}
