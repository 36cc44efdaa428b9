//! Creating, updating and deleting posts, with WordPress's capability rules for each status,
//! the tenant's trust thresholds, and the version the writer read on every update.

use super::after_commit::{AfterCommit, Answer};
use super::caller::Caller;
use super::checks;
use super::deps::ContentDeps;
use super::editing::{authorise, load_for_change, settle_schedule, user_write, zone};
use super::error::{Conflict, ContentError, ContentResult};
use super::hook_payloads::SavedEvent;
use super::input::{PostInput, Problems};
use super::post_type::{PostRef, PostType, PostTypeName};
use super::record::{PostRecord, PostRow};
use super::slug::{self, OnConflict};
use super::status::PostStatus;
use super::store::{Stored, Write, json, read_back, store};
use super::view::{Context, PostView};
use super::viewer::facts;
use crate::access::MetaCap;
use crate::access::trust::{Action, enforce};
use crate::audit::{self, AuditEvent, Outcome};
use crate::hooks::{Hook, HookContext};
use chrono::Utc;
use tenants::TenantTx;

/// A post to create, of `post_type`.
#[derive(Debug, Clone)]
pub struct NewPost {
    pub post_type: PostTypeName,
    pub input: PostInput,
    pub on_slug_conflict: OnConflict,
}

/// A change to a post: the fields given, at the version the writer read.
#[derive(Debug, Clone)]
pub struct UpdatePost {
    pub post: PostRef,
    /// The version the change is based on (If-Match): [`ContentError::Stale`] if it moved on.
    pub expected_version: i64,
    pub input: PostInput,
    pub on_slug_conflict: OnConflict,
}

/// A post to trash, or with `force` to delete for good.
#[derive(Debug, Clone)]
pub struct DeletePost {
    pub post: PostRef,
    /// The version the writer read, when they named one.
    pub expected_version: Option<i64>,
    pub force: bool,
}

/// The answer to a delete: the post as it was, and whether it is gone for good.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct Deleted {
    pub deleted: bool,
    pub previous: PostView,
}

impl Answer for Deleted {
    fn posts_mut(&mut self) -> &mut [PostView] {
        std::slice::from_mut(&mut self.previous)
    }
}

/// Creates a post. Its status decides the capability it needs (`edit_*` for drafts,
/// `publish_*` for publish, future and private) and the trust action.
pub async fn create(
    tx: &mut TenantTx,
    deps: &ContentDeps<'_>,
    who: Caller<'_>,
    new: NewPost,
) -> ContentResult<AfterCommit<PostView>> {
    let NewPost {
        post_type,
        input,
        on_slug_conflict,
    } = new;
    let mut problems = Problems::default();
    let status = input.status(&mut problems).unwrap_or(PostStatus::Draft);
    if status == PostStatus::Trash {
        problems.add("status", "a new post cannot start in the trash");
    }
    let requested_slug = requested_slug(input.slug.as_deref());
    let post_type = PostType::load(tx, &post_type).await?;
    let now = Utc::now();
    let mut post = PostRecord::new(&post_type.name, who.who.user_id, now);
    post.status = status;
    if let Some(author) = input.author {
        post.author = author;
    }
    let approval = input.medical_approval_status.clone();
    let acf = input.acf.clone();
    input.apply(&mut post, zone(tx).await?, &mut problems);
    if !problems.0.is_empty() {
        return Err(ContentError::Invalid(problems.0));
    }
    settle_schedule(&mut post, now);
    authorise(tx, deps, who, &post_type, None, &post).await?;
    checks::medical_approval(who.who, &mut post, None, approval.as_deref(), now)?;
    let context = who.hook_context();
    let write = Write {
        requested_slug,
        on_slug_conflict,
        acf,
        ..user_write(deps, &context, &post_type, None, who)
    };
    let stored = store(tx, write, post).await?;
    Ok(answered(stored, context))
}

/// A save's answer: the post in the edit context, and the action hooks it fires.
pub(super) fn answered(stored: Stored, context: HookContext) -> AfterCommit<PostView> {
    AfterCommit::new(stored.view, context)
        .firing(stored.actions)
        .responding_in(Context::Edit)
}

/// The slug asked for, made URL-safe; one with nothing URL-safe left counts as not given (a
/// new post's slug then comes from its title), as in WordPress.
fn requested_slug(slug: Option<&str>) -> Option<String> {
    Some(slug::sanitize(slug?)).filter(|clean| !clean.is_empty())
}

/// Updates a post: the fields given, at the version given.
pub async fn update(
    tx: &mut TenantTx,
    deps: &ContentDeps<'_>,
    who: Caller<'_>,
    change: UpdatePost,
) -> ContentResult<AfterCommit<PostView>> {
    let UpdatePost {
        post: target,
        expected_version,
        input,
        on_slug_conflict,
    } = change;
    let mut problems = Problems::default();
    let status = input.status(&mut problems);
    let requested_slug = requested_slug(input.slug.as_deref());
    let post_type = PostType::load(tx, &target.post_type).await?;
    let row = load_for_change(tx, who.who, &post_type, target.id, Some(expected_version)).await?;
    let previous = row.record();
    let next_status = status.unwrap_or(previous.status);
    may_move(who, &row, &post_type, next_status, &input)?;
    let mut post = previous.clone();
    post.status = next_status;
    if let Some(author) = input.author {
        post.author = author;
    }
    let approval = input.medical_approval_status.clone();
    let acf = input.acf.clone();
    let date_given = input.date.is_some() || input.date_gmt.is_some();
    input.apply(&mut post, zone(tx).await?, &mut problems);
    if !problems.0.is_empty() {
        return Err(ContentError::Invalid(problems.0));
    }
    let now = Utc::now();
    if post.status == PostStatus::Publish && previous.status != PostStatus::Publish && !date_given {
        // Publishing a draft dates it now, as WordPress does for undated drafts.
        post.date_gmt = now;
    }
    settle_schedule(&mut post, now);
    authorise(tx, deps, who, &post_type, Some(&previous), &post).await?;
    checks::medical_approval(who.who, &mut post, Some(&previous), approval.as_deref(), now)?;
    let context = who.hook_context();
    let write = Write {
        requested_slug,
        on_slug_conflict,
        acf,
        ..user_write(deps, &context, &post_type, Some(&previous), who)
    };
    let stored = store(tx, write, post).await?;
    Ok(answered(stored, context))
}

/// Whether the caller may move the post (as stored: `row`) to `next`: a trashed post is only
/// restored (to draft, changing nothing else), by those who may delete it; a post is trashed by
/// those who may delete it; and the move must be one WordPress allows.
fn may_move(
    who: Caller<'_>,
    row: &PostRow,
    post_type: &PostType,
    next: PostStatus,
    input: &PostInput,
) -> ContentResult<()> {
    let me = who.who;
    let current = row.status;
    if current == PostStatus::Trash {
        let only_restoring = next == PostStatus::Draft && input_is_status_only(input);
        if !only_restoring {
            return Err(Conflict::PostTrashed {
                restoring_revision: false,
            }
            .into());
        }
        me.require_meta(MetaCap::DeletePost(facts(row, post_type)))?;
    } else {
        me.require_meta(MetaCap::EditPost(facts(row, post_type)))?;
    }
    if next == PostStatus::Trash && current != PostStatus::Trash {
        me.require_meta(MetaCap::DeletePost(facts(row, post_type)))?;
    }
    if !current.can_become(next) {
        return Err(Conflict::IllegalTransition(current).into());
    }
    Ok(())
}

fn input_is_status_only(input: &PostInput) -> bool {
    PostInput {
        status: None,
        ..input.clone()
    } == PostInput::default()
}

/// Trashes a post, or deletes it for good with `force`.
pub async fn delete(
    tx: &mut TenantTx,
    deps: &ContentDeps<'_>,
    who: Caller<'_>,
    delete: DeletePost,
) -> ContentResult<AfterCommit<Deleted>> {
    let me = who.who;
    let post_type = PostType::load(tx, &delete.post.post_type).await?;
    let row = load_for_change(tx, me, &post_type, delete.post.id, delete.expected_version).await?;
    me.require_meta(MetaCap::DeletePost(facts(&row, &post_type)))?;
    let previous = row.record();
    if !delete.force && previous.status == PostStatus::Trash {
        return Err(ContentError::AlreadyTrashed);
    }
    let action = if previous.status.is_published() {
        Action::Publish
    } else {
        Action::CreateDraft
    };
    enforce(deps.trust, tx, who.scope, me, action, who.client).await?;
    let before = read_back(tx, previous.id, &post_type).await?;
    let context = who.hook_context();
    if !delete.force {
        let mut trashed = previous.clone();
        trashed.status = PostStatus::Trash;
        let write = Write {
            // Trashing changes no text: nothing to sanitise.
            unfiltered_html: true,
            ..user_write(deps, &context, &post_type, Some(&previous), who)
        };
        let stored = store(tx, write, trashed).await?;
        let trashed = Deleted {
            deleted: false,
            previous: stored.view,
        };
        return Ok(AfterCommit::new(trashed, context).firing(stored.actions));
    }
    sqlx::query("DELETE FROM posts WHERE id = $1")
        .bind(previous.id)
        .execute(&mut **tx)
        .await?;
    let event = AuditEvent::new("content.delete", Outcome::Success, who.actor())
        .resource(post_type.name.as_str(), previous.id)
        .details(serde_json::json!({ "before": previous.summary() }));
    audit::append(tx, &event, who.client).await?;
    let deleted = SavedEvent {
        post: previous,
        update: true,
    };
    let gone = Deleted {
        deleted: true,
        previous: before,
    };
    Ok(AfterCommit::new(gone, context).firing(vec![(Hook::ContentDeleted, json(&deleted))]))
}
