//! Publishing a scheduled post whose date has come: the work of the
//! `content.publish_scheduled` job. Idempotent: a post no longer scheduled, or scheduled for
//! a later date (its date changed after the job was queued), is left alone.

use super::after_commit::AfterCommit;
use super::deps::ContentDeps;
use super::error::{ContentError, ContentResult};
use super::ids::PostId;
use super::post_type::{PostType, PostTypeName};
use super::record::find;
use super::slug::OnConflict;
use super::status::PostStatus;
use super::store::{Write, store};
use crate::audit::{Actor, ClientContext};
use crate::hooks::HookContext;
use chrono::Utc;
use tenants::TenantTx;

pub enum Publication {
    /// Nothing to do: the post is gone, no longer scheduled, or not due yet.
    NotDue,
    /// Published: commit, then run the action hooks.
    Published(AfterCommit<()>),
    /// The save failed: refused by a rule or a plugin (the post stays scheduled), or an error.
    Failed {
        post_type: PostTypeName,
        error: ContentError,
    },
}

/// Publishes `post` if it is still scheduled and due, as the system (no user), in `tx`.
pub async fn publish_due(
    tx: &mut TenantTx,
    deps: &ContentDeps<'_>,
    post: PostId,
    client: &ClientContext,
) -> ContentResult<Publication> {
    let Some(row) = find(tx, post, true).await? else {
        return Ok(Publication::NotDue);
    };
    if row.status != PostStatus::Future || row.date_gmt > Utc::now() + chrono::Duration::seconds(1) {
        return Ok(Publication::NotDue);
    }
    let post_type = PostType::load(tx, &row.post_type).await?;
    let previous = row.record();
    let mut next = previous.clone();
    next.status = PostStatus::Publish;
    let context = HookContext {
        tenant: tx.tenant_id(),
        user: None,
        user_roles: Vec::new(),
        request_id: None,
    };
    let write = Write {
        hooks: deps.hooks,
        hook_context: &context,
        post_type: &post_type,
        previous: Some(&previous),
        requested_slug: None,
        on_slug_conflict: OnConflict::Suffix,
        // Stored text was sanitised when it was written.
        unfiltered_html: true,
        actor: Actor::System,
        editor: None,
        client,
        audit_note: None,
        acf: None,
    };
    Ok(match store(tx, write, next).await {
        Ok(stored) => Publication::Published(AfterCommit::new((), context).firing(stored.actions)),
        Err(error) => Publication::Failed {
            post_type: post_type.name,
            error,
        },
    })
}
