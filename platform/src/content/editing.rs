//! What every change a user makes to a post goes through: the post loaded and locked, the
//! capabilities and trust its new status needs, a save's defaults for a user, and
//! WordPress's rule for scheduled dates.

use super::caller::Caller;
use super::capability::{PostCap, UNFILTERED_HTML};
use super::deps::ContentDeps;
use super::error::{ContentError, ContentResult};
use super::ids::PostId;
use super::post_type::PostType;
use super::record::{PostRecord, PostRow, find};
use super::slug::OnConflict;
use super::status::PostStatus;
use super::store::Write;
use super::viewer::Viewer;
use crate::access::Principal;
use crate::access::trust::{Action, enforce};
use crate::hooks::HookContext;
use chrono::Utc;
use tenants::TenantTx;

/// A scheduled date closer than this publishes at once (WordPress does the same).
const PUBLISH_NOW_WITHIN: chrono::Duration = chrono::Duration::seconds(60);

/// The tenant's time zone, for dates given without an offset.
pub(super) async fn zone(tx: &mut TenantTx) -> ContentResult<chrono_tz::Tz> {
    let name: Option<String> = sqlx::query_scalar("SELECT document->>'timezone' FROM settings")
        .fetch_one(&mut **tx)
        .await?;
    Ok(name.and_then(|n| n.parse().ok()).unwrap_or(chrono_tz::UTC))
}

/// WordPress's rule for `publish` and `future`: a date more than a minute ahead schedules, a
/// date that is not publishes now.
pub(super) fn settle_schedule(post: &mut PostRecord, now: chrono::DateTime<Utc>) {
    match post.status {
        PostStatus::Publish if post.date_gmt > now + PUBLISH_NOW_WITHIN => post.status = PostStatus::Future,
        PostStatus::Future if post.date_gmt <= now + PUBLISH_NOW_WITHIN => post.status = PostStatus::Publish,
        _ => {}
    }
}

/// Loads a post of this type for a change, locked: not found unless the caller may read it,
/// [`ContentError::Stale`] when it changed since `expected`.
pub(super) async fn load_for_change(
    tx: &mut TenantTx,
    me: &Principal,
    post_type: &PostType,
    id: PostId,
    expected: Option<i64>,
) -> ContentResult<PostRow> {
    let row = find(tx, id, true)
        .await?
        .filter(|row| row.post_type == post_type.name)
        .ok_or(ContentError::PostNotFound)?;
    if !Viewer::User(me.clone()).can_read(&row, post_type) {
        return Err(ContentError::PostNotFound);
    }
    if expected.is_some_and(|v| v != row.version) {
        return Err(ContentError::Stale);
    }
    Ok(row)
}

/// Capabilities and trust for moving `post` (as stored: `previous`) to its new status.
pub(super) async fn authorise(
    tx: &mut TenantTx,
    deps: &ContentDeps<'_>,
    who: Caller<'_>,
    post_type: &PostType,
    previous: Option<&PostRecord>,
    post: &PostRecord,
) -> ContentResult<()> {
    let me = who.who;
    let old = previous.map(|p| p.status);
    if post.status.is_published() && old != Some(post.status) {
        me.require(&post_type.cap(PostCap::Publish))?;
    } else if previous.is_none() {
        // WordPress's create_posts is edit_posts.
        me.require(&post_type.cap(PostCap::Edit))?;
    }
    if post.author != me.user_id && previous.is_none_or(|p| p.author != post.author) {
        me.require(&post_type.cap(PostCap::EditOthers))?;
    }
    let public = post.status.is_published() || previous.is_some_and(|p| p.status.is_published());
    let action = if public { Action::Publish } else { Action::CreateDraft };
    enforce(deps.trust, tx, who.scope, me, action, who.client).await?;
    Ok(())
}

/// A save by a signed-in user, with the defaults a plain save has; callers adjust the rest.
pub(super) fn user_write<'a>(
    deps: &ContentDeps<'a>,
    context: &'a HookContext,
    post_type: &'a PostType,
    previous: Option<&'a PostRecord>,
    who: Caller<'a>,
) -> Write<'a> {
    Write {
        hooks: deps.hooks,
        hook_context: context,
        post_type,
        previous,
        requested_slug: None,
        on_slug_conflict: OnConflict::Suffix,
        unfiltered_html: who.who.has(UNFILTERED_HTML),
        actor: who.actor(),
        editor: Some(who.who.user_id),
        client: who.client,
        audit_note: None,
        acf: None,
    }
}
