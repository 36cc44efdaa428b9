//! Scheduled publication: a save that leaves a post `future` queues a job for its date
//! (WordPress's `publish_future_post` event), run by `jobs::publish_scheduled`.

use super::ids::PostId;
use chrono::{DateTime, Utc};
use tenants::TenantTx;

/// The job's kind in the queue.
pub const PUBLISH_JOB: &str = "content.publish_scheduled";

/// Queues the publication in the transaction that scheduled the post.
pub async fn enqueue_publication(tx: &mut TenantTx, post: PostId, at: DateTime<Utc>) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO job_requests (kind, payload, run_at) VALUES ($1, $2, $3)")
        .bind(PUBLISH_JOB)
        .bind(serde_json::json!({ "post": post }))
        .bind(at)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
