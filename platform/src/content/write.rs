//! Creating, updating and deleting posts, with WordPress's capability rules for each status,
//! the tenant's trust thresholds, and If-Match on every update.

use super::checks;
use super::ids::PostId;
use super::input::{PostInput, Problems};
use super::post_type::PostType;
use super::read::not_found;
use super::record::{PostRecord, SavedEvent, find};
use super::slug::{self, OnConflict};
use super::status::{self, PostStatus};
use super::store::{Write, store};
use super::view::{Context, PostView, Reader};
use super::viewer::{Viewer, facts};
use crate::access::trust::{Action, enforce};
use crate::access::{MetaCap, Principal};
use crate::audit::{self, Actor, AuditEvent, ClientContext, Outcome};
use crate::auth::extract::TenantUser;
use crate::hooks::{Hook, HookContext};
use crate::http::etag::stale;
use crate::http::{ApiError, ApiResult};
use crate::state::AppState;
use axum::http::StatusCode;
use chrono::Utc;
use serde::Deserialize;
use serde_json::Value;
use tenants::TenantTx;
use utoipa::IntoParams;

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WriteParams {
    /// `suffix` (default): a taken slug gets `-2`, `-3`...; `error`: 409 `slug_taken`.
    pub on_slug_conflict: Option<OnConflict>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeleteParams {
    /// `true` deletes for good; otherwise the post goes to the trash.
    pub force: Option<bool>,
}

/// A scheduled date closer than this publishes at once (WordPress does the same).
const PUBLISH_NOW_WITHIN: chrono::Duration = chrono::Duration::seconds(60);

async fn zone(tx: &mut TenantTx) -> ApiResult<chrono_tz::Tz> {
    let name: Option<String> = sqlx::query_scalar("SELECT document->>'timezone' FROM settings")
        .fetch_one(&mut **tx)
        .await?;
    Ok(name.and_then(|n| n.parse().ok()).unwrap_or(chrono_tz::UTC))
}

pub(super) fn hook_context(user: &TenantUser, me: &Principal, client: &ClientContext) -> HookContext {
    HookContext {
        tenant: user.tenant.id,
        user: Some(me.user_id),
        user_roles: me.roles.clone(),
        request_id: client.request_id.clone(),
    }
}

/// WordPress's rule for `publish` and `future`: a date more than a minute ahead schedules, a
/// date that is not publishes now.
fn settle_schedule(post: &mut PostRecord, now: chrono::DateTime<Utc>) {
    match post.status {
        PostStatus::Publish if post.date_gmt > now + PUBLISH_NOW_WITHIN => post.status = PostStatus::Future,
        PostStatus::Future if post.date_gmt <= now + PUBLISH_NOW_WITHIN => post.status = PostStatus::Publish,
        _ => {}
    }
}

/// Capabilities and trust for moving `post` (as stored: `previous`) to its new status.
#[expect(
    clippy::too_many_arguments,
    reason = "the request's parts, each used once; a struct would only rename them"
)]
pub(super) async fn authorise(
    state: &AppState,
    tx: &mut TenantTx,
    user: &TenantUser,
    me: &Principal,
    client: &ClientContext,
    post_type: &PostType,
    previous: Option<&PostRecord>,
    post: &PostRecord,
) -> ApiResult<()> {
    let old = previous.map(|p| p.status);
    if post.status.is_published() && old != Some(post.status) {
        me.require(&post_type.cap("publish"))?;
    } else if previous.is_none() {
        // WordPress's create_posts is edit_posts.
        me.require(&post_type.cap("edit"))?;
    }
    if post.author != me.user_id && previous.is_none_or(|p| p.author != post.author) {
        me.require(&post_type.cap("edit_others"))?;
    }
    let public = post.status.is_published() || previous.is_some_and(|p| p.status.is_published());
    let action = if public { Action::Publish } else { Action::CreateDraft };
    enforce(&state.trust, tx, &user.tenant.scope(), me, action, client).await?;
    Ok(())
}

/// A write by a signed-in user, with the defaults a plain save has; callers adjust the rest.
pub(super) fn user_write<'a>(
    state: &'a AppState,
    context: &'a HookContext,
    post_type: &'a PostType,
    previous: Option<&'a PostRecord>,
    me: &Principal,
    client: &'a ClientContext,
) -> Write<'a> {
    Write {
        hooks: &state.hooks,
        hook_context: context,
        post_type,
        previous,
        requested_slug: None,
        on_slug_conflict: OnConflict::Suffix,
        unfiltered_html: me.has("unfiltered_html"),
        actor: Actor::User(*me.user_id.as_uuid()),
        editor: Some(me.user_id),
        client,
        audit_note: None,
        acf: None,
    }
}

/// A write's answer (edit context), with what plugins add to responses.
pub(super) async fn prepared(state: &AppState, context: &HookContext, view: PostView) -> PostView {
    let mut views = [view];
    super::extend::prepare(&state.hooks, context, Context::Edit, &mut views).await;
    let [view] = views;
    view
}

pub(super) async fn respond(tx: &mut TenantTx, id: PostId, post_type: &PostType) -> ApiResult<PostView> {
    let row = find(tx, id, false)
        .await?
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("a post vanished inside its own transaction")))?;
    Ok(PostView::new(
        row,
        post_type,
        Reader {
            context: Context::Edit,
            unlocked: true,
        },
    ))
}

/// Creates a post of `type_name`.
pub async fn create(
    state: &AppState,
    user: TenantUser,
    client: ClientContext,
    type_name: &str,
    params: WriteParams,
    input: PostInput,
) -> ApiResult<PostView> {
    let mut problems = Problems::default();
    let status = input.status(&mut problems).unwrap_or(PostStatus::Draft);
    if status == PostStatus::Trash {
        problems.add("status", "a new post cannot start in the trash");
    }
    let requested_slug = requested_slug(input.slug.as_deref());
    let mut tx = user.tenant.scope().begin(state.tenancy.pool()).await?;
    let me = Principal::load(&mut tx, &user.subject).await?;
    let post_type = PostType::load(&mut tx, type_name).await?;
    let now = Utc::now();
    let mut post = PostRecord::new(&post_type.name, me.user_id, now);
    post.status = status;
    if let Some(author) = input.author {
        post.author = author;
    }
    let approval = input.medical_approval_status.clone();
    let acf = input.acf.clone();
    input.apply(&mut post, zone(&mut tx).await?, &mut problems);
    if !problems.0.is_empty() {
        return Err(ApiError::invalid(problems.0));
    }
    settle_schedule(&mut post, now);
    authorise(state, &mut tx, &user, &me, &client, &post_type, None, &post).await?;
    checks::medical_approval(&me, &mut post, None, approval.as_deref(), now)?;
    let context = hook_context(&user, &me, &client);
    let write = Write {
        requested_slug,
        on_slug_conflict: params.on_slug_conflict.unwrap_or_default(),
        acf,
        ..user_write(state, &context, &post_type, None, &me, &client)
    };
    let stored = store(&mut tx, write, post).await?;
    tx.commit().await?;
    let view = prepared(state, &context, stored.view).await;
    state.hooks.after_commit(context, stored.actions);
    Ok(view)
}

/// The slug asked for, made URL-safe; one with nothing URL-safe left counts as not given (a
/// new post's slug then comes from its title), as in WordPress.
fn requested_slug(slug: Option<&str>) -> Option<String> {
    Some(slug::sanitize(slug?)).filter(|clean| !clean.is_empty())
}

/// Loads a post of this type for a change, locked; 404 unless the caller may read it, 403
/// unless they may edit it, 412 when it changed since `expected`.
pub(super) async fn load_for_change(
    tx: &mut TenantTx,
    me: &Principal,
    post_type: &PostType,
    id: PostId,
    expected: Option<i64>,
) -> ApiResult<super::record::PostRow> {
    let row = find(tx, id, true)
        .await?
        .filter(|row| row.post_type == post_type.name)
        .ok_or_else(not_found)?;
    let viewer = Viewer::User(me.clone());
    if !viewer.can_read(&row, post_type) {
        return Err(not_found());
    }
    if expected.is_some_and(|v| v != row.version) {
        return Err(stale("post"));
    }
    Ok(row)
}

/// Updates a post: the fields given, at the version given in If-Match.
#[expect(
    clippy::too_many_arguments,
    reason = "the request's parts, each used once; a struct would only rename them"
)]
pub async fn update(
    state: &AppState,
    user: TenantUser,
    client: ClientContext,
    type_name: &str,
    id: PostId,
    expected: i64,
    params: WriteParams,
    input: PostInput,
) -> ApiResult<PostView> {
    let mut problems = Problems::default();
    let status = input.status(&mut problems);
    let requested_slug = requested_slug(input.slug.as_deref());
    let mut tx = user.tenant.scope().begin(state.tenancy.pool()).await?;
    let me = Principal::load(&mut tx, &user.subject).await?;
    let post_type = PostType::load(&mut tx, type_name).await?;
    let row = load_for_change(&mut tx, &me, &post_type, id, Some(expected)).await?;
    let previous = row.record();
    let next_status = status.unwrap_or(previous.status);
    if previous.status == PostStatus::Trash {
        let only_restoring = next_status == PostStatus::Draft && input_is_status_only(&input);
        if !only_restoring {
            return Err(ApiError::conflict(
                "post_trashed",
                "a trashed post can only be restored (status draft) or deleted for good",
            ));
        }
        me.require_meta(MetaCap::DeletePost(facts(&row, &post_type)))?;
    } else {
        me.require_meta(MetaCap::EditPost(facts(&row, &post_type)))?;
    }
    if next_status == PostStatus::Trash && previous.status != PostStatus::Trash {
        me.require_meta(MetaCap::DeletePost(facts(&row, &post_type)))?;
    }
    if !previous.status.can_become(next_status) {
        return Err(ApiError::conflict(
            "illegal_transition",
            format!(
                "a {} post can become: {}",
                previous.status,
                status::names(previous.status.allowed_next())
            ),
        ));
    }
    let mut post = previous.clone();
    post.status = next_status;
    if let Some(author) = input.author {
        post.author = author;
    }
    let approval = input.medical_approval_status.clone();
    let acf = input.acf.clone();
    let date_given = input.date.is_some() || input.date_gmt.is_some();
    input.apply(&mut post, zone(&mut tx).await?, &mut problems);
    if !problems.0.is_empty() {
        return Err(ApiError::invalid(problems.0));
    }
    let now = Utc::now();
    if post.status == PostStatus::Publish && previous.status != PostStatus::Publish && !date_given {
        // Publishing a draft dates it now, as WordPress does for undated drafts.
        post.date_gmt = now;
    }
    settle_schedule(&mut post, now);
    authorise(state, &mut tx, &user, &me, &client, &post_type, Some(&previous), &post).await?;
    checks::medical_approval(&me, &mut post, Some(&previous), approval.as_deref(), now)?;
    let context = hook_context(&user, &me, &client);
    let write = Write {
        requested_slug,
        on_slug_conflict: params.on_slug_conflict.unwrap_or_default(),
        acf,
        ..user_write(state, &context, &post_type, Some(&previous), &me, &client)
    };
    let stored = store(&mut tx, write, post).await?;
    tx.commit().await?;
    let view = prepared(state, &context, stored.view).await;
    state.hooks.after_commit(context, stored.actions);
    Ok(view)
}

fn input_is_status_only(input: &PostInput) -> bool {
    PostInput {
        status: None,
        ..input.clone()
    } == PostInput::default()
}

/// The answer to a delete: the post as it was, and whether it is gone for good.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct Deleted {
    pub deleted: bool,
    pub previous: PostView,
}

/// Trashes a post, or deletes it for good with `force`.
pub async fn delete(
    state: &AppState,
    user: TenantUser,
    client: ClientContext,
    type_name: &str,
    id: PostId,
    expected: Option<i64>,
    params: DeleteParams,
) -> ApiResult<(StatusCode, Deleted)> {
    let force = params.force.unwrap_or(false);
    let mut tx = user.tenant.scope().begin(state.tenancy.pool()).await?;
    let me = Principal::load(&mut tx, &user.subject).await?;
    let post_type = PostType::load(&mut tx, type_name).await?;
    let row = load_for_change(&mut tx, &me, &post_type, id, expected).await?;
    me.require_meta(MetaCap::DeletePost(facts(&row, &post_type)))?;
    let previous = row.record();
    if !force && previous.status == PostStatus::Trash {
        return Err(ApiError::new(
            StatusCode::GONE,
            "already_trashed",
            "the post is already in the trash; delete with force=true to remove it for good",
        ));
    }
    let public = previous.status.is_published();
    let action = if public { Action::Publish } else { Action::CreateDraft };
    enforce(&state.trust, &mut tx, &user.tenant.scope(), &me, action, &client).await?;
    let before = respond(&mut tx, id, &post_type).await?;
    let context = hook_context(&user, &me, &client);
    if !force {
        let mut trashed = previous.clone();
        trashed.status = PostStatus::Trash;
        let write = Write {
            // Trashing changes no text: nothing to sanitise.
            unfiltered_html: true,
            ..user_write(state, &context, &post_type, Some(&previous), &me, &client)
        };
        let stored = store(&mut tx, write, trashed).await?;
        tx.commit().await?;
        state.hooks.after_commit(context, stored.actions);
        return Ok((
            StatusCode::OK,
            Deleted {
                deleted: false,
                previous: stored.view,
            },
        ));
    }
    sqlx::query("DELETE FROM posts WHERE id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    let event = AuditEvent::new("content.delete", Outcome::Success, Actor::User(*me.user_id.as_uuid()))
        .resource(&post_type.name, id)
        .details(serde_json::json!({ "before": previous.summary() }));
    audit::append(&mut tx, &event, &client).await?;
    tx.commit().await?;
    let event = SavedEvent {
        post: previous,
        update: true,
    };
    state.hooks.after_commit(
        context,
        vec![(
            Hook::ContentDeleted,
            serde_json::to_value(&event).unwrap_or(Value::Null),
        )],
    );
    Ok((
        StatusCode::OK,
        Deleted {
            deleted: true,
            previous: before,
        },
    ))
}
