//! Claiming, finishing and retrying jobs. A claim hides a job from other workers for a
//! while; a worker that dies lets it go when the claim runs out.

use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::PgPool;
use std::time::Duration;
use tenants::TenantId;

/// A claimed job.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Job {
    pub id: i64,
    pub kind: String,
    pub tenant_id: Option<TenantId>,
    pub payload: Value,
    pub attempts: i32,
    pub run_at: DateTime<Utc>,
}

/// A job not done after this many attempts is marked `failed` and left for an operator.
pub const MAX_ATTEMPTS: i32 = 10;
/// How long a claim hides a job from other workers.
pub const CLAIM: Duration = Duration::from_secs(300);

/// Claims up to `limit` due jobs.
pub async fn claim(pool: &PgPool, limit: i64) -> Result<Vec<Job>, sqlx::Error> {
    sqlx::query_as(
        "UPDATE platform.jobs SET locked_until = now() + make_interval(secs => $2), attempts = attempts + 1 \
         WHERE id IN (SELECT id FROM platform.jobs WHERE status = 'queued' AND run_at <= now() \
                      AND (locked_until IS NULL OR locked_until < now()) \
                      ORDER BY run_at LIMIT $1 FOR UPDATE SKIP LOCKED) \
         RETURNING id, kind, tenant_id, payload, attempts, run_at",
    )
    .bind(limit)
    .bind(CLAIM.as_secs_f64())
    .fetch_all(pool)
    .await
}

pub async fn complete(pool: &PgPool, job: &Job) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM platform.jobs WHERE id = $1")
        .bind(job.id)
        .execute(pool)
        .await?;
    Ok(())
}

/// Retries later (backing off exponentially, at most an hour), or gives up after
/// [`MAX_ATTEMPTS`].
pub async fn fail(pool: &PgPool, job: &Job, error: &str) -> Result<(), sqlx::Error> {
    let wait = 2f64.powi(job.attempts.clamp(0, 12)).min(3600.0);
    sqlx::query(
        "UPDATE platform.jobs SET last_error = $2, locked_until = NULL, run_at = now() + make_interval(secs => $3), \
           status = CASE WHEN attempts >= $4 THEN 'failed' ELSE 'queued' END \
         WHERE id = $1",
    )
    .bind(job.id)
    .bind(error.chars().take(2000).collect::<String>())
    .bind(wait)
    .bind(MAX_ATTEMPTS)
    .execute(pool)
    .await?;
    Ok(())
}
