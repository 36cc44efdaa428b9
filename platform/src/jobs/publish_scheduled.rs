//! `content.publish_scheduled`: publishes a `future` post when its date arrives (WordPress's
//! `publish_future_post` cron event). Idempotent: a post no longer scheduled, or scheduled
//! for a later date (its date changed after this job was queued), is left alone.

use super::queue::Job;
use crate::audit::{self, Actor, AuditEvent, ClientContext, Outcome};
use crate::content::ids::PostId;
use crate::content::post_type::PostType;
use crate::content::record::find;
use crate::content::slug::OnConflict;
use crate::content::status::PostStatus;
use crate::content::store::{Write, store};
use crate::hooks::HookContext;
use crate::state::AppState;
use chrono::{DateTime, Utc};
use tenants::TenantTx;

pub const KIND: &str = "content.publish_scheduled";

/// Queues the publication in the transaction that scheduled the post.
pub async fn enqueue(tx: &mut TenantTx, post: PostId, at: DateTime<Utc>) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO job_requests (kind, payload, run_at) VALUES ($1, $2, $3)")
        .bind(KIND)
        .bind(serde_json::json!({ "post": post }))
        .bind(at)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

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
    let mut tx = tenant.scope().begin(state.tenancy.pool()).await?;
    let Some(row) = find(&mut tx, post, true).await? else {
        return Ok(());
    };
    if row.status != PostStatus::Future || row.date_gmt > Utc::now() + chrono::Duration::seconds(1) {
        return Ok(());
    }
    let post_type = PostType::load(&mut tx, &row.post_type)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let previous = row.record();
    let mut next = previous.clone();
    next.status = PostStatus::Publish;
    let context = HookContext {
        tenant: tenant.id,
        user: None,
        user_roles: Vec::new(),
        request_id: None,
    };
    let client = ClientContext::default();
    let write = Write {
        hooks: &state.hooks,
        hook_context: &context,
        post_type: &post_type,
        previous: Some(&previous),
        requested_slug: None,
        on_slug_conflict: OnConflict::Suffix,
        // Stored text was sanitised when it was written.
        unfiltered_html: true,
        actor: Actor::System,
        editor: None,
        client: &client,
        audit_note: None,
        acf: None,
    };
    match store(&mut tx, write, next).await {
        Ok(stored) => {
            tx.commit().await?;
            for (hook, event) in stored.actions {
                state.hooks.run_actions(&context, hook, event).await;
            }
            Ok(())
        }
        Err(error) if error.status().is_server_error() => Err(anyhow::anyhow!("{error}")),
        Err(refusal) => {
            // A rule or a plugin refuses the publication: it stays scheduled, and the refusal
            // is on record. Not retried: the same post would be refused again.
            drop(tx);
            let event = AuditEvent::new("content.status_change", Outcome::Failure, Actor::System)
                .resource(&post_type.name, post)
                .details(serde_json::json!({"scheduled_publication_refused": refusal.to_string()}));
            audit::record(state.tenancy.pool(), &tenant.scope(), &event, &client).await?;
            tracing::warn!(tenant.id = %tenant.id, post.id = %post, reason = %refusal, "scheduled publication refused");
            Ok(())
        }
    }
}
