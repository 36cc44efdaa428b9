//! The worker every instance runs: claims due jobs, runs each by its kind, and finishes or
//! retries it.

use super::queue::{self, Job};
use crate::state::AppState;
use std::time::Duration;

/// How many jobs one poll claims.
const BATCH: i64 = 16;

/// Runs the worker until the process ends, polling every `every` when idle.
pub fn spawn(state: AppState, every: Duration) {
    tokio::spawn(async move {
        loop {
            match run_due(&state).await {
                Ok(0) => tokio::time::sleep(every).await,
                Ok(_) => {}
                Err(error) => {
                    tracing::warn!(%error, "the job worker cannot reach the queue");
                    tokio::time::sleep(every.max(Duration::from_secs(1))).await;
                }
            }
        }
    });
}

/// Runs every job due now; returns how many it ran.
pub async fn run_due(state: &AppState) -> Result<usize, sqlx::Error> {
    let pool = state.tenancy.pool();
    let jobs = queue::claim(pool, BATCH).await?;
    for job in &jobs {
        let started = std::time::Instant::now();
        let result = run(state, job).await;
        let outcome = if result.is_ok() { "ok" } else { "failed" };
        metrics::counter!("jobs_total", "kind" => job.kind.clone(), "outcome" => outcome).increment(1);
        metrics::histogram!("job_seconds", "kind" => job.kind.clone()).record(started.elapsed().as_secs_f64());
        match result {
            Ok(()) => queue::complete(pool, job).await?,
            Err(error) => {
                tracing::warn!(job.id = job.id, job.kind = %job.kind, error = format!("{error:#}"), "job failed");
                queue::fail(pool, job, &format!("{error:#}")).await?;
            }
        }
    }
    Ok(jobs.len())
}

async fn run(state: &AppState, job: &Job) -> anyhow::Result<()> {
    match job.kind.as_str() {
        super::publish_scheduled::KIND => super::publish_scheduled::run(state, job).await,
        other => anyhow::bail!("no handler for jobs of kind {other:?}"),
    }
}
