//! Saving a post, the one way every change goes (create, update, trash, a revision's restore,
//! a scheduled publication): the filter hooks and the rules, then the row, its meta, its
//! terms, a revision, a scheduled-publication job and the audit record, all in the caller's
//! transaction. The post as answered and the action hooks to run after commit are handed back.

use super::checks;
use super::error::{ContentError, ContentResult};
use super::hook_payloads::{PreSavePayload, SavedEvent, TransitionEvent};
use super::ids::{PostId, TermId};
use super::input::{MAX_META_KEYS, Problems};
use super::post_type::{PostType, PostTypeName};
use super::post_write::{write_meta, write_row, write_terms};
use super::record::{PostRecord, find};
use super::revisions;
use super::save_filters;
use super::schedule::enqueue_publication;
use super::slug::{self, OnConflict};
use super::status::PostStatus;
use super::view::{Context, PostView, Reader};
use crate::audit::{self, Actor, AuditEvent, ClientContext, Outcome};
use crate::hooks::{Hook, HookContext, Hooks};
use serde_json::{Map, Value};
use tenants::{TenantTx, UserId};

/// A save about to happen.
pub struct Write<'a> {
    pub hooks: &'a Hooks,
    pub hook_context: &'a HookContext,
    pub post_type: &'a PostType,
    /// The post as stored before; `None` creates it.
    pub previous: Option<&'a PostRecord>,
    /// The slug asked for (sanitised), if any; otherwise kept, or made from the title.
    pub requested_slug: Option<String>,
    pub on_slug_conflict: OnConflict,
    /// Skip HTML sanitising (the writer holds `unfiltered_html`).
    pub unfiltered_html: bool,
    pub actor: Actor,
    pub editor: Option<UserId>,
    pub client: &'a ClientContext,
    /// Added to the audit record's details (a restored revision's id, say).
    pub audit_note: Option<Value>,
    /// The request's custom field values, for `content.pre_save` subscribers.
    pub acf: Option<Map<String, Value>>,
}

impl Write<'_> {
    fn filter_payload(&self, hook: Hook, post: PostRecord) -> PreSavePayload {
        PreSavePayload {
            post,
            previous: self.previous.cloned(),
            acf: self.acf.clone().filter(|_| hook == Hook::ContentPreSave),
        }
    }

    async fn filter(&self, hook: Hook, post: PostRecord) -> ContentResult<PostRecord> {
        save_filters::run(self.hooks, self.hook_context, hook, self.filter_payload(hook, post)).await
    }
}

/// What a save leaves behind.
pub struct Stored {
    /// The post as the writer is answered (edit context), read back inside the transaction.
    pub view: PostView,
    /// The action hooks to run after commit.
    pub actions: Vec<(Hook, Value)>,
}

/// Filters, rules, and the save itself.
pub async fn store(tx: &mut TenantTx, w: Write<'_>, post: PostRecord) -> ContentResult<Stored> {
    let mut post = checked(tx, &w, post).await?;
    if post.post_type == PostTypeName::post() && post.terms.get("category").is_none_or(Vec::is_empty) {
        // WordPress's default_category.
        let uncategorized: Option<TermId> =
            sqlx::query_scalar("SELECT id FROM terms WHERE taxonomy = 'category' AND slug = 'uncategorized'")
                .fetch_optional(&mut **tx)
                .await?;
        post.terms
            .insert("category".into(), uncategorized.into_iter().collect());
    }
    post.slug = slug_of(tx, &w, &post).await?;
    persist(tx, &w, &post).await?;
    // Read back for the answer: meta, terms and what the database set (version, dates).
    let view = read_back(tx, post.id, w.post_type).await?;
    audit(tx, &w, &post).await?;
    let actions = after_commit_events(w.previous, &post);
    Ok(Stored { view, actions })
}

/// The post as the filters leave it, once it meets every rule, sanitised.
async fn checked(tx: &mut TenantTx, w: &Write<'_>, post: PostRecord) -> ContentResult<PostRecord> {
    let mut post = w.filter(Hook::ContentPreSave, post).await?;
    let mut problems = Problems::default();
    checks::references(tx, &post, w.post_type, &mut problems).await?;
    if post.meta.len() > MAX_META_KEYS {
        problems.add("meta", "too many keys");
    }
    if !problems.0.is_empty() {
        return Err(ContentError::Invalid(problems.0));
    }
    let becomes_public = post.status.is_public() && w.previous.is_none_or(|p| !p.status.is_public());
    if post.status.is_public() {
        checks::publishable(&post)?;
    }
    if becomes_public {
        post = w.filter(Hook::ContentPrePublish, post).await?;
        checks::publishable(&post)?;
    }
    checks::sanitize(w.unfiltered_html, &mut post);
    Ok(post)
}

/// The slug the post is stored with: the one asked for, the one it had, or one from its title.
async fn slug_of(tx: &mut TenantTx, w: &Write<'_>, post: &PostRecord) -> ContentResult<String> {
    let base = match (&w.requested_slug, w.previous) {
        (Some(requested), _) => requested.clone(),
        (None, Some(previous)) if !previous.slug.is_empty() && previous.status != PostStatus::Trash => {
            previous.slug.clone()
        }
        _ => slug::sanitize(&post.title),
    };
    if post.status != PostStatus::AutoDraft && post.status != PostStatus::Trash {
        return slug::unique(tx, post, &base, w.on_slug_conflict).await;
    }
    if base.is_empty() {
        return slug::unique(tx, post, "", OnConflict::Suffix).await;
    }
    Ok(base)
}

/// The row, and whatever changed of meta and terms; a revision when the text changed; the
/// publication job when the post is newly scheduled.
async fn persist(tx: &mut TenantTx, w: &Write<'_>, post: &PostRecord) -> ContentResult<()> {
    write_row(tx, post, w.previous.is_some(), w.editor).await?;
    let creating = w.previous.is_none();
    // A new post has no rows to replace: nothing to write when it has no meta or terms.
    let meta_changed = w.previous.map_or(!post.meta.is_empty(), |p| p.meta != post.meta);
    if meta_changed {
        write_meta(tx, post, creating).await?;
    }
    let terms_changed = w
        .previous
        .map_or(post.terms.values().any(|t| !t.is_empty()), |p| p.terms != post.terms);
    if terms_changed {
        write_terms(tx, post, creating).await?;
    }
    let revisioned = w.previous.is_none_or(|p| p.revisioned_fields_differ(post));
    if revisioned && w.post_type.revisions_to_keep > 0 {
        let author = w.editor.unwrap_or(post.author);
        revisions::save(tx, post, author, w.post_type.revisions_to_keep).await?;
    }
    let scheduled = post.status == PostStatus::Future
        && w.previous
            .is_none_or(|p| p.status != PostStatus::Future || p.date_gmt != post.date_gmt);
    if scheduled {
        enqueue_publication(tx, post.id, post.date_gmt).await?;
    }
    Ok(())
}

/// The audit record of the save: summaries, never the text.
async fn audit(tx: &mut TenantTx, w: &Write<'_>, post: &PostRecord) -> ContentResult<()> {
    let action = match w.previous {
        None => "content.create",
        Some(p) if p.status != post.status => "content.status_change",
        Some(_) => "content.update",
    };
    let mut details = serde_json::json!({
        "before": w.previous.map(PostRecord::summary),
        "after": post.summary(),
    });
    if let (Some(note), Some(map)) = (&w.audit_note, details.as_object_mut()) {
        map.insert("note".into(), note.clone());
    }
    let event = AuditEvent::new(action, Outcome::Success, w.actor)
        .resource(post.post_type.as_str(), post.id)
        .details(details);
    audit::append(tx, &event, w.client).await?;
    Ok(())
}

/// The post as its writer is answered (edit context), read inside the transaction.
pub async fn read_back(tx: &mut TenantTx, id: PostId, post_type: &PostType) -> ContentResult<PostView> {
    let row = find(tx, id, false)
        .await?
        .ok_or_else(|| ContentError::Internal(anyhow::anyhow!("a post vanished inside its own transaction")))?;
    let reader = Reader {
        context: Context::Edit,
        unlocked: true,
    };
    Ok(PostView::new(row, post_type, reader))
}

/// The action hooks a save fires, in WordPress's order: transition, saved, published.
pub fn after_commit_events(previous: Option<&PostRecord>, post: &PostRecord) -> Vec<(Hook, Value)> {
    let mut events = Vec::new();
    let old_status = previous.map(|p| p.status);
    if old_status != Some(post.status) {
        let transition = TransitionEvent {
            post: post.id,
            post_type: post.post_type.clone(),
            old_status,
            new_status: post.status,
        };
        events.push((Hook::ContentTransition, json(&transition)));
    }
    let saved = SavedEvent {
        post: post.clone(),
        update: previous.is_some(),
    };
    let saved = json(&saved);
    events.push((Hook::ContentSaved, saved.clone()));
    if post.status == PostStatus::Publish && old_status != Some(PostStatus::Publish) {
        events.push((Hook::ContentPublished, saved));
    }
    events
}

pub fn json<T: serde::Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}
