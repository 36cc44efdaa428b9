//! `content.publish_scheduled`: publishes a `future` post when its date arrives (WordPress's
//! `publish_future_post` cron event), through content's service. Idempotent: a post no longer
//! scheduled, or scheduled for a later date, is left alone.

use super::queue::Job;
use crate::audit::{self, Actor, AuditEvent, ClientContext, Outcome};
use crate::content::deps::ContentDeps;
use crate::content::ids::PostId;
use crate::content::publish_due::{Publication, publish_due};
use crate::http::ApiError;
use crate::state::AppState;

pub const KIND: &str = crate::content::schedule::PUBLISH_JOB;

pub async fn run(state: &AppState, job: &Job) -> anyhow::Result<()> {
    let Some(tenant_id) = job.tenant_id else {
        anyhow::bail!("a scheduled publication without a tenant")
    };
    let post: PostId = serde_json::from_value(job.payload["post"].clone())?;
    let tenant = match state.tenancy.get(tenant_id).await {
        Ok(tenant) => tenant,
        // Offboarded since: nothing left to publish.
        Err(tenants::Error::TenantNotFound) => return Ok(()),
        Err(other) => return Err(other.into()),
    };
    let deps = ContentDeps {
        hooks: &state.hooks,
        trust: &state.trust,
    };
    let client = ClientContext::default();
    let mut tx = tenant.scope().begin(state.tenancy.pool()).await?;
    let publication = publish_due(&mut tx, &deps, post, &client)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let (post_type, refusal) = match publication {
        Publication::NotDue => return Ok(()),
        Publication::Published(after_commit) => {
            tx.commit().await?;
            after_commit.run_actions(&state.hooks).await;
            return Ok(());
        }
        Publication::Failed { post_type, error } => (post_type, ApiError::from(error)),
    };
    if refusal.status().is_server_error() {
        return Err(anyhow::anyhow!("{refusal}"));
    }
    // A rule or a plugin refuses the publication: it stays scheduled, and the refusal is on
    // record. Not retried: the same post would be refused again.
    drop(tx);
    let event = AuditEvent::new("content.status_change", Outcome::Failure, Actor::System)
        .resource(post_type.as_str(), post)
        .details(serde_json::json!({"scheduled_publication_refused": refusal.to_string()}));
    audit::record(state.tenancy.pool(), &tenant.scope(), &event, &client).await?;
    tracing::warn!(tenant.id = %tenant.id, post.id = %post, reason = %refusal, "scheduled publication refused");
    Ok(())
}
