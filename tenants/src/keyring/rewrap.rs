use super::{FieldCipher, FieldRef, KeyringError};
use crate::{KeyVersion, TenantScope};
use sqlx::PgPool;

/// A column of a tenant table that holds ciphertexts made by [`FieldCipher`], with the uuid
/// column whose value (as text) is the row id bound into them.
#[derive(Clone, Copy, Debug)]
pub struct EncryptedColumn {
    pub table: &'static str,
    pub column: &'static str,
    pub id_column: &'static str,
}

/// Every encrypted column of the tenant schema. A migration that adds one adds it here.
pub const ENCRYPTED_COLUMNS: &[EncryptedColumn] = &[
    EncryptedColumn {
        table: "users",
        column: "mfa_secret",
        id_column: "id",
    },
    EncryptedColumn {
        table: "users",
        column: "mfa_pending_secret",
        id_column: "id",
    },
];

#[derive(Debug, Default, Clone, Copy, serde::Serialize)]
pub struct RewrapReport {
    pub scanned: u64,
    pub rewrapped: u64,
}

const BATCH: i64 = 500;

/// How many ciphertexts of the tenant's encrypted columns are still sealed under `version`.
pub async fn remaining_under(pool: &PgPool, scope: &TenantScope, version: KeyVersion) -> Result<u64, KeyringError> {
    let mut tx = scope.begin(pool).await?;
    let mut remaining = 0;
    for col in ENCRYPTED_COLUMNS {
        // Bytes 2 to 5 of a ciphertext are its key version (see `FieldCipher`).
        let count: i64 = sqlx::query_scalar(&format!(
            "SELECT count(*) FROM {table} WHERE {col} IS NOT NULL AND substring({col} FROM 2 FOR 4) = $1",
            col = col.column,
            table = col.table,
        ))
        .bind(version.get().to_be_bytes().as_slice())
        .fetch_one(&mut *tx)
        .await?;
        remaining += count.unsigned_abs();
    }
    tx.commit().await?;
    Ok(remaining)
}

/// Re-seals every ciphertext of the tenant that is not under the primary key, in batches of
/// 500 rows, each batch its own tenant transaction. Safe to run again: rows already under
/// the primary key are left alone.
pub async fn rewrap_tenant(
    pool: &PgPool,
    scope: &TenantScope,
    cipher: &FieldCipher,
) -> Result<RewrapReport, KeyringError> {
    let mut report = RewrapReport::default();
    for col in ENCRYPTED_COLUMNS {
        // Names come from the constant above, never from input.
        let select = format!(
            "SELECT {id}, {col} FROM {table} WHERE {col} IS NOT NULL AND {id} > $1 ORDER BY {id} LIMIT $2",
            id = col.id_column,
            col = col.column,
            table = col.table,
        );
        let update = format!(
            "UPDATE {table} SET {col} = $1 WHERE {id} = $2 AND {col} = $3",
            id = col.id_column,
            col = col.column,
            table = col.table,
        );
        let mut after = uuid::Uuid::nil();
        loop {
            let mut tx = scope.begin(pool).await?;
            let rows: Vec<(uuid::Uuid, Vec<u8>)> = sqlx::query_as(&select)
                .bind(after)
                .bind(BATCH)
                .fetch_all(&mut *tx)
                .await?;
            let Some((last, _)) = rows.last() else { break };
            after = *last;
            for (id, sealed) in &rows {
                report.scanned += 1;
                let row_id = id.to_string();
                let field = FieldRef::new(col.table, col.column, &row_id);
                if let Some(resealed) = cipher.rewrap(field, sealed)? {
                    sqlx::query(&update)
                        .bind(resealed)
                        .bind(id)
                        .bind(sealed)
                        .execute(&mut *tx)
                        .await?;
                    report.rewrapped += 1;
                }
            }
            tx.commit().await?;
        }
    }
    Ok(report)
}
