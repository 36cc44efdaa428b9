use super::Migration;
use crate::TenantId;
use crate::naming::quote_ident;
use sqlx::PgConnection;

/// Applies, inside the caller's transaction, every migration newer than `current` to one
/// tenant schema, with its tracking rows. Migrations run as the platform's own database user
/// (which owns the tables) with the tenant schema as search path; the tenant role receives its
/// table privileges through the schema's default privileges, and can be named in SQL as
/// `current_setting('platform.tenant_role')`.
pub(crate) async fn apply_tenant_migrations(
    conn: &mut PgConnection,
    tenant: TenantId,
    schema: &str,
    role: &str,
    current: i32,
    migrations: &[Migration],
) -> Result<Vec<i32>, (i32, sqlx::Error)> {
    let setup = format!("SET LOCAL search_path TO {}", quote_ident(schema));
    crate::run_script(&mut *conn, &setup).await.map_err(|e| (0, e))?;
    sqlx::query("SELECT set_config('platform.tenant_role', $1, true)")
        .bind(role)
        .execute(&mut *conn)
        .await
        .map_err(|e| (0, e))?;
    let mut applied = Vec::new();
    for migration in migrations.iter().filter(|m| m.version > current) {
        let fail = |e| (migration.version, e);
        crate::run_script(&mut *conn, migration.sql).await.map_err(fail)?;
        sqlx::query(
            "INSERT INTO platform.tenant_migrations (tenant_id, version, name, checksum) VALUES ($1, $2, $3, $4)",
        )
        .bind(tenant)
        .bind(migration.version)
        .bind(migration.name)
        .bind(migration.checksum())
        .execute(&mut *conn)
        .await
        .map_err(fail)?;
        applied.push(migration.version);
    }
    Ok(applied)
}
