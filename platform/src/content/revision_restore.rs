//! Restoring a revision: its title, content, excerpt and meta become the post's again, as a
//! save of its own. The filters, rules, trust and audit of any update apply, and the restored
//! text becomes the newest revision.

use super::after_commit::AfterCommit;
use super::caller::Caller;
use super::checks;
use super::deps::ContentDeps;
use super::editing::{authorise, load_for_change, user_write};
use super::error::{Conflict, ContentResult};
use super::ids::RevisionId;
use super::post_type::{PostRef, PostType};
use super::revisions;
use super::status::PostStatus;
use super::store::{Write, store};
use super::view::PostView;
use super::viewer::facts;
use super::write::answered;
use crate::access::MetaCap;
use chrono::Utc;
use serde_json::Value;
use tenants::TenantTx;

/// A revision to restore, into the post version the restore is based on (If-Match).
#[derive(Debug, Clone)]
pub struct RestoreRevision {
    pub post: PostRef,
    pub revision: RevisionId,
    pub expected_version: i64,
}

pub async fn restore(
    tx: &mut TenantTx,
    deps: &ContentDeps<'_>,
    who: Caller<'_>,
    restore: RestoreRevision,
) -> ContentResult<AfterCommit<PostView>> {
    let RestoreRevision {
        post: target,
        revision,
        expected_version,
    } = restore;
    let me = who.who;
    let post_type = PostType::load(tx, &target.post_type).await?;
    let row = load_for_change(tx, me, &post_type, target.id, Some(expected_version)).await?;
    me.require_meta(MetaCap::EditPost(facts(&row, &post_type)))?;
    if row.status == PostStatus::Trash {
        return Err(Conflict::PostTrashed {
            restoring_revision: true,
        }
        .into());
    }
    let saved = revisions::fetch(tx, target.id, revision).await?;
    let previous = row.record();
    let mut post = previous.clone();
    post.title = saved.title;
    post.content = saved.content;
    post.excerpt = saved.excerpt;
    post.meta = match saved.meta {
        Value::Object(meta) => meta,
        _ => Default::default(),
    };
    authorise(tx, deps, who, &post_type, Some(&previous), &post).await?;
    checks::medical_approval(me, &mut post, Some(&previous), None, Utc::now())?;
    let context = who.hook_context();
    let note = serde_json::json!({ "restored_revision": revision, "revision_of_version": saved.post_version });
    let write = Write {
        audit_note: Some(note),
        ..user_write(deps, &context, &post_type, Some(&previous), who)
    };
    let stored = store(tx, write, post).await?;
    Ok(answered(stored, context))
}
