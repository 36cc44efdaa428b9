use super::record::{AuditRecord, GENESIS_HASH};
use serde::Serialize;
use tenants::TenantTx;
use utoipa::ToSchema;

/// The result of recomputing a tenant's chain.
#[derive(Debug, Serialize, ToSchema, PartialEq, Eq)]
pub struct Verification {
    /// True when every row continues the chain and matches its hash.
    pub valid: bool,
    /// Rows checked.
    pub checked: i64,
    /// The `seq` of the first row that breaks the chain (missing, edited, or out of order).
    pub first_broken: Option<i64>,
    /// Why it is broken.
    pub reason: Option<String>,
    /// The newest signed checkpoint (stored outside the database) the chain was checked
    /// against, if any has been written yet.
    pub checkpoint_seq: Option<i64>,
}

const BATCH: i64 = 1000;

/// Recomputes the whole chain from the first row, in batches.
pub async fn verify_chain(tx: &mut TenantTx) -> Result<Verification, sqlx::Error> {
    let mut expected_seq = 1i64;
    let mut expected_prev = GENESIS_HASH.to_vec();
    let broken = |seq: i64, checked: i64, reason: String| Verification {
        valid: false,
        checked,
        first_broken: Some(seq),
        reason: Some(reason),
        checkpoint_seq: None,
    };
    loop {
        let rows: Vec<AuditRecord> = sqlx::query_as("SELECT * FROM audit_log WHERE seq >= $1 ORDER BY seq LIMIT $2")
            .bind(expected_seq)
            .bind(BATCH)
            .fetch_all(&mut **tx)
            .await?;
        let last_batch = (rows.len() as i64) < BATCH;
        for row in rows {
            let checked = expected_seq - 1;
            if row.seq != expected_seq {
                return Ok(broken(expected_seq, checked, format!("row {expected_seq} is missing")));
            }
            if row.prev_hash != expected_prev {
                return Ok(broken(
                    row.seq,
                    checked,
                    format!("row {} does not continue the chain", row.seq),
                ));
            }
            if row.compute_hash() != row.hash {
                return Ok(broken(
                    row.seq,
                    checked,
                    format!("row {} was changed after it was written", row.seq),
                ));
            }
            expected_prev = row.hash;
            expected_seq += 1;
        }
        if last_batch {
            break;
        }
    }
    let checked = expected_seq - 1;
    let (head_seq, head_hash): (i64, Vec<u8>) = sqlx::query_as("SELECT seq, hash FROM audit_head")
        .fetch_one(&mut **tx)
        .await?;
    if head_seq != checked || head_hash != expected_prev {
        return Ok(broken(
            checked + 1,
            checked,
            format!("the chain's head is row {head_seq}: rows after {checked} are missing"),
        ));
    }
    Ok(Verification {
        valid: true,
        checked,
        first_broken: None,
        reason: None,
        checkpoint_seq: None,
    })
}

/// Holds an intact chain against a signed checkpoint: its row must still be there with the
/// hash that was signed. A chain rewritten and re-hashed end to end fails here.
pub async fn check_checkpoint(
    tx: &mut TenantTx,
    verdict: Verification,
    checkpoint: &super::checkpoint::Checkpoint,
) -> Result<Verification, sqlx::Error> {
    if !verdict.valid {
        return Ok(Verification {
            checkpoint_seq: Some(checkpoint.seq),
            ..verdict
        });
    }
    let hash: Option<Vec<u8>> = sqlx::query_scalar("SELECT hash FROM audit_log WHERE seq = $1")
        .bind(checkpoint.seq)
        .fetch_optional(&mut **tx)
        .await?;
    let hex = hash.map(|h| h.iter().map(|b| format!("{b:02x}")).collect::<String>());
    if hex.as_deref() == Some(checkpoint.hash.as_str()) {
        return Ok(Verification {
            checkpoint_seq: Some(checkpoint.seq),
            ..verdict
        });
    }
    Ok(Verification {
        valid: false,
        checked: verdict.checked,
        first_broken: Some(checkpoint.seq.min(verdict.checked + 1)),
        reason: Some(format!(
            "row {} differs from the one a signed checkpoint recorded: the chain was rewritten at or before it",
            checkpoint.seq
        )),
        checkpoint_seq: Some(checkpoint.seq),
    })
}
