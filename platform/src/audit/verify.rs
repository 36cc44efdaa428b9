use super::checkpoint::{Checkpoint, CheckpointError, hex};
use super::record::{AuditRecord, GENESIS_HASH};
use serde::Serialize;
use tenants::TenantTx;
use utoipa::ToSchema;

/// The result of recomputing a tenant's chain and holding it against every signed checkpoint.
#[derive(Debug, Serialize, ToSchema, PartialEq, Eq)]
pub struct Verification {
    /// True when every row continues the chain and matches its hash, and every signed
    /// checkpoint's row still holds the hash it signed.
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
    /// How many signed checkpoints were checked: the newest 1,000 stored for the tenant.
    pub checkpoints_checked: i64,
    /// When broken: the first signed checkpoint whose signed chain included the broken part
    /// (the chain was intact up to there when it was signed). `None` when the break lies
    /// after the newest checkpoint.
    pub broken_under_checkpoint: Option<i64>,
}

const BATCH: i64 = 1000;

/// How many of the newest checkpoints a verification holds the chain against (about 3.5 days
/// of them at the default 5 minutes). Older ones add no detection: each was signed only over
/// a chain extending the one before, so a rewrite at or before an old checkpoint's row also
/// changes every newer checkpoint's row (or breaks the chain the walk recomputes). They would
/// only narrow down where a break lies.
pub const CHECKPOINTS_CHECKED: usize = 1000;

/// Recomputes the whole chain from the first row, in batches.
pub async fn verify_chain(tx: &mut TenantTx) -> Result<Verification, sqlx::Error> {
    let verdict = match walk(tx, 0, &GENESIS_HASH, None).await? {
        Walk::Intact { last_seq, last_hash } => {
            let (head_seq, head_hash): (i64, Vec<u8>) = sqlx::query_as("SELECT seq, hash FROM audit_head")
                .fetch_one(&mut **tx)
                .await?;
            if head_seq != last_seq || head_hash != last_hash {
                broken(
                    last_seq + 1,
                    last_seq,
                    format!("the chain's head is row {head_seq}: rows after {last_seq} are missing"),
                )
            } else {
                Verification {
                    valid: true,
                    checked: last_seq,
                    first_broken: None,
                    reason: None,
                    checkpoint_seq: None,
                    checkpoints_checked: 0,
                    broken_under_checkpoint: None,
                }
            }
        }
        Walk::Broken { seq, checked, reason } => broken(seq, checked, reason),
    };
    Ok(verdict)
}

fn broken(seq: i64, checked: i64, reason: String) -> Verification {
    Verification {
        valid: false,
        checked,
        first_broken: Some(seq),
        reason: Some(reason),
        checkpoint_seq: None,
        checkpoints_checked: 0,
        broken_under_checkpoint: None,
    }
}

enum Walk {
    Intact { last_seq: i64, last_hash: Vec<u8> },
    Broken { seq: i64, checked: i64, reason: String },
}

/// Walks the rows after `from_seq` (whose hash is `from_hash`), up to `to_seq` or the end,
/// checking that each continues the chain and matches its own hash.
async fn walk(tx: &mut TenantTx, from_seq: i64, from_hash: &[u8], to_seq: Option<i64>) -> Result<Walk, sqlx::Error> {
    let mut expected_seq = from_seq + 1;
    let mut expected_prev = from_hash.to_vec();
    loop {
        let rows: Vec<AuditRecord> = sqlx::query_as(
            "SELECT * FROM audit_log WHERE seq >= $1 AND ($3::bigint IS NULL OR seq <= $3) ORDER BY seq LIMIT $2",
        )
        .bind(expected_seq)
        .bind(BATCH)
        .bind(to_seq)
        .fetch_all(&mut **tx)
        .await?;
        let last_batch = (rows.len() as i64) < BATCH;
        for row in rows {
            let checked = expected_seq - 1;
            let fail = |reason: String| Walk::Broken {
                seq: expected_seq,
                checked,
                reason,
            };
            if row.seq != expected_seq {
                return Ok(fail(format!("row {expected_seq} is missing")));
            }
            if row.prev_hash != expected_prev {
                return Ok(fail(format!("row {} does not continue the chain", row.seq)));
            }
            if row.compute_hash() != row.hash {
                return Ok(fail(format!("row {} was changed after it was written", row.seq)));
            }
            expected_prev = row.hash;
            expected_seq += 1;
        }
        if last_batch {
            break;
        }
    }
    let last_seq = expected_seq - 1;
    if let Some(to) = to_seq
        && last_seq != to
    {
        return Ok(Walk::Broken {
            seq: expected_seq,
            checked: last_seq,
            reason: format!("row {expected_seq} is missing"),
        });
    }
    Ok(Walk::Intact {
        last_seq,
        last_hash: expected_prev,
    })
}

/// Whether the chain up to (`to_seq`, `to_hash`) extends the signed state (`from_seq`, hex
/// `from_hash`): that row still holds that hash, and every row after it continues the chain
/// up to the given head. `Ok(Err(why))` when it does not.
pub async fn extends(
    tx: &mut TenantTx,
    from_seq: i64,
    from_hash: &str,
    to_seq: i64,
    to_hash: &[u8],
) -> Result<Result<(), String>, sqlx::Error> {
    if to_seq < from_seq {
        return Ok(Err(format!(
            "the head is row {to_seq}, before the signed row {from_seq}"
        )));
    }
    let start = if from_seq == 0 {
        GENESIS_HASH.to_vec()
    } else {
        let stored: Option<Vec<u8>> = sqlx::query_scalar("SELECT hash FROM audit_log WHERE seq = $1")
            .bind(from_seq)
            .fetch_optional(&mut **tx)
            .await?;
        match stored {
            Some(hash) if hex(&hash) == from_hash => hash,
            Some(_) => return Ok(Err(format!("row {from_seq} differs from the one signed"))),
            None => return Ok(Err(format!("the signed row {from_seq} is missing"))),
        }
    };
    match walk(tx, from_seq, &start, Some(to_seq)).await? {
        Walk::Intact { last_hash, .. } if last_hash == to_hash => Ok(Ok(())),
        Walk::Intact { .. } => Ok(Err(format!("the head does not match row {to_seq}"))),
        Walk::Broken { reason, .. } => Ok(Err(reason)),
    }
}

/// Holds the chain against every signed checkpoint (oldest first): each one's row must
/// still be there with the hash that was signed. A chain rewritten and re-hashed end to end
/// fails here, and the first checkpoint it fails names how far back the rewrite reaches.
pub async fn check_checkpoints(
    tx: &mut TenantTx,
    verdict: Verification,
    checkpoints: &[Checkpoint],
) -> Result<Verification, sqlx::Error> {
    let newest = checkpoints.last().map(|c| c.seq);
    let counted = checkpoints.len() as i64;
    if let Some(first_broken) = verdict.first_broken {
        return Ok(Verification {
            checkpoint_seq: newest,
            checkpoints_checked: counted,
            broken_under_checkpoint: checkpoints.iter().map(|c| c.seq).find(|&seq| seq >= first_broken),
            ..verdict
        });
    }
    let seqs: Vec<i64> = checkpoints.iter().map(|c| c.seq).collect();
    let stored: std::collections::HashMap<i64, Vec<u8>> =
        sqlx::query_as::<_, (i64, Vec<u8>)>("SELECT seq, hash FROM audit_log WHERE seq = ANY($1)")
            .bind(&seqs)
            .fetch_all(&mut **tx)
            .await?
            .into_iter()
            .collect();
    let mut intact_up_to = 0;
    for checkpoint in checkpoints {
        if stored.get(&checkpoint.seq).map(|h| hex(h)).as_deref() != Some(checkpoint.hash.as_str()) {
            return Ok(Verification {
                valid: false,
                checked: verdict.checked,
                first_broken: Some(checkpoint.seq.min(verdict.checked + 1)),
                reason: Some(format!(
                    "row {} differs from the one the checkpoint of row {} signed: the chain was rewritten \
                     after row {intact_up_to} and at or before row {}",
                    checkpoint.seq, checkpoint.seq, checkpoint.seq
                )),
                checkpoint_seq: newest,
                checkpoints_checked: counted,
                broken_under_checkpoint: Some(checkpoint.seq),
            });
        }
        intact_up_to = checkpoint.seq;
    }
    Ok(Verification {
        checkpoint_seq: newest,
        checkpoints_checked: counted,
        ..verdict
    })
}

/// The verdict on the chain, and on it against the newest `checkpoints` (as read from
/// storage, before this transaction began: waiting for storage holds no connection). In one
/// snapshot: records committed while the walk goes on would otherwise look like rows missing
/// after the last one read. So `tx` must be freshly begun: the isolation level is set by its
/// first statement.
pub async fn verify_trail(
    tx: &mut TenantTx,
    checkpoints: Result<(Vec<Checkpoint>, usize), CheckpointError>,
) -> crate::http::ApiResult<Verification> {
    sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        .execute(&mut **tx)
        .await?;
    let verdict = verify_chain(tx).await?;
    Ok(match checkpoints {
        Ok((checkpoints, _)) => check_checkpoints(tx, verdict, &checkpoints).await?,
        Err(CheckpointError::Invalid(why)) => Verification {
            valid: false,
            first_broken: None,
            reason: Some(format!("a checkpoint does not verify: {why}")),
            ..verdict
        },
        Err(other) => return Err(crate::http::ApiError::internal(other)),
    })
}
