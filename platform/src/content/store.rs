//! Writing a post: the filter hooks, then the row, its meta, its terms, a revision, a
//! scheduled-publication job and the audit record, all in the caller's transaction. The post
//! as answered and the action hooks to run after commit are handed back.

use super::checks;
use super::post_type::PostType;
use super::record::{PostRecord, PreSavePayload, SavedEvent, TransitionEvent};
use super::slug::{self, OnConflict};
use super::status::PostStatus;
use super::view::PostView;
use crate::audit::{self, Actor, AuditEvent, ClientContext, Outcome};
use crate::hooks::{FilterError, Hook, HookContext, Hooks};
use crate::http::{ApiError, ApiResult};
use axum::http::StatusCode;
use serde_json::{Map, Value};
use tenants::{TenantTx, UserId};

/// A write about to happen.
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

/// A filter's answer as a problem: 422 naming the subscriber.
pub fn filter_problem(error: FilterError) -> ApiError {
    match error {
        FilterError::Rejected {
            subscriber,
            message,
            fields,
        } => ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "rejected_by_plugin",
            format!("{subscriber}: {message}"),
        )
        .with_errors(fields),
        FilterError::Failed { subscriber, error } => ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "plugin_failed",
            format!("the plugin {subscriber} failed, so nothing was saved: {error}"),
        ),
        FilterError::Unavailable(source) => ApiError::internal(source),
    }
}

/// Runs a filter over the post and takes back what it returned, refusing changes to what
/// the filters may not decide.
async fn run_filter(w: &Write<'_>, hook: Hook, post: PostRecord) -> ApiResult<PostRecord> {
    let payload = PreSavePayload {
        post,
        previous: w.previous.cloned(),
        acf: w.acf.clone().filter(|_| hook == Hook::ContentPreSave),
    };
    let before = payload.post.clone();
    let value = serde_json::to_value(&payload).map_err(ApiError::internal)?;
    let value = w
        .hooks
        .filter(w.hook_context, hook, value)
        .await
        .map_err(filter_problem)?;
    let returned: PreSavePayload = serde_json::from_value(value).map_err(|e| {
        filter_problem(FilterError::Failed {
            subscriber: hook.name().into(),
            error: format!("a filter returned something that is not a post: {e}"),
        })
    })?;
    let mut post = returned.post;
    if post.id != before.id
        || post.post_type != before.post_type
        || post.author != before.author
        || post.status != before.status
    {
        return Err(filter_problem(FilterError::Failed {
            subscriber: hook.name().into(),
            error: "a filter changed the post's id, type, author or status".into(),
        }));
    }
    post.meta.retain(|_, v| !v.is_null());
    Ok(post)
}

/// What a write leaves behind.
pub struct Stored {
    /// The post as the writer is answered (edit context), read back inside the transaction.
    pub view: PostView,
    /// The action hooks to run after commit.
    pub actions: Vec<(Hook, Value)>,
}

/// Filters, rules, and the write itself.
pub async fn store(tx: &mut TenantTx, w: Write<'_>, post: PostRecord) -> ApiResult<Stored> {
    let mut post = run_filter(&w, Hook::ContentPreSave, post).await?;
    let mut problems = super::input::Problems::default();
    checks::references(tx, &post, w.post_type, &mut problems).await?;
    if post.meta.len() > super::input::MAX_META_KEYS {
        problems.add("meta", "too many keys");
    }
    if !problems.0.is_empty() {
        return Err(ApiError::invalid(problems.0));
    }
    let becomes_public = post.status.is_public() && w.previous.is_none_or(|p| !p.status.is_public());
    if post.status.is_public() {
        checks::publishable(&post)?;
    }
    if becomes_public {
        post = run_filter(&w, Hook::ContentPrePublish, post).await?;
        checks::publishable(&post)?;
    }
    checks::sanitize(w.unfiltered_html, &mut post);
    if post.post_type == "post" && post.terms.get("category").is_none_or(Vec::is_empty) {
        // WordPress's default_category.
        let uncategorized: Option<super::ids::TermId> =
            sqlx::query_scalar("SELECT id FROM terms WHERE taxonomy = 'category' AND slug = 'uncategorized'")
                .fetch_optional(&mut **tx)
                .await?;
        post.terms
            .insert("category".into(), uncategorized.into_iter().collect());
    }
    let base = match (&w.requested_slug, w.previous) {
        (Some(requested), _) => requested.clone(),
        (None, Some(previous)) if !previous.slug.is_empty() && previous.status != PostStatus::Trash => {
            previous.slug.clone()
        }
        _ => slug::sanitize(&post.title),
    };
    post.slug = if post.status == PostStatus::AutoDraft || post.status == PostStatus::Trash {
        if base.is_empty() {
            slug::unique(tx, &post, "", OnConflict::Suffix).await?
        } else {
            base
        }
    } else {
        slug::unique(tx, &post, &base, w.on_slug_conflict).await?
    };
    write_row(tx, &post, w.previous.is_some(), w.editor)
        .await
        .map_err(constraint_problem)?;
    let creating = w.previous.is_none();
    // A new post has no rows to replace: nothing to write when it has no meta or terms.
    let meta_changed = w.previous.map_or(!post.meta.is_empty(), |p| p.meta != post.meta);
    if meta_changed {
        write_meta(tx, &post, creating).await?;
    }
    let terms_changed = w
        .previous
        .map_or(post.terms.values().any(|t| !t.is_empty()), |p| p.terms != post.terms);
    if terms_changed {
        write_terms(tx, &post, creating).await?;
    }
    let revisioned = w.previous.is_none_or(|p| p.revisioned_fields_differ(&post));
    if revisioned && w.post_type.revisions_to_keep > 0 {
        super::revisions::save(
            tx,
            &post,
            w.editor.unwrap_or(post.author),
            w.post_type.revisions_to_keep,
        )
        .await?;
    }
    let scheduled = post.status == PostStatus::Future
        && w.previous
            .is_none_or(|p| p.status != PostStatus::Future || p.date_gmt != post.date_gmt);
    if scheduled {
        crate::jobs::publish_scheduled::enqueue(tx, post.id, post.date_gmt).await?;
    }
    // Read back for the answer: meta, terms and what the database set (version, dates).
    let view = super::write::respond(tx, post.id, w.post_type).await?;
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
        .resource(&post.post_type, post.id)
        .details(details);
    audit::append(tx, &event, w.client).await?;
    let actions = after_commit_events(w.previous, &post);
    Ok(Stored { view, actions })
}

/// The action hooks a write fires, in WordPress's order: transition, saved, published.
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

fn json<T: serde::Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

fn constraint_problem(error: sqlx::Error) -> ApiError {
    match error.as_database_error().and_then(|e| e.constraint()) {
        Some("posts_slug_key") => ApiError::conflict("slug_taken", "the slug is taken by another post of this type"),
        Some(name) if name.starts_with("posts_") && name.ends_with("_check") => ApiError::invalid_field(
            name.trim_start_matches("posts_").trim_end_matches("_check"),
            "not an allowed value",
        ),
        _ => error.into(),
    }
}

async fn write_row(
    tx: &mut TenantTx,
    post: &PostRecord,
    update: bool,
    editor: Option<UserId>,
) -> Result<(), sqlx::Error> {
    let sql = if update {
        "UPDATE posts SET status = $3, title = $4, content = $5, excerpt = $6, slug = $7, parent_id = $8, \
           menu_order = $9, comment_status = $11, ping_status = $12, password = $13, sticky = $14, template = $15, \
           format = $16, featured_media = $17, date_gmt = $18, modified_gmt = now(), version = version + 1, \
           last_editor_id = $19, medical_content = $20, medical_disclaimer = $21, evidence_level = $22, \
           scientific_references = $23, professional_review_required = $24, professional_reviewer_id = $25, \
           medical_approval_status = $26, medical_approved_at = $27, contains_patient_data = $28, \
           anonymization_applied = $29, consent_for_publication = $30, seo_title = $31, seo_description = $32, \
           medical_keywords = $33, target_audience = $34, author_id = $10 \
         WHERE id = $1 AND type = $2"
    } else {
        "INSERT INTO posts (id, type, status, title, content, excerpt, slug, parent_id, menu_order, author_id, \
           comment_status, ping_status, password, sticky, template, format, featured_media, date_gmt, modified_gmt, \
           guid, last_editor_id, medical_content, medical_disclaimer, evidence_level, scientific_references, \
           professional_review_required, professional_reviewer_id, medical_approval_status, medical_approved_at, \
           contains_patient_data, anonymization_applied, consent_for_publication, seo_title, seo_description, \
           medical_keywords, target_audience) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, now(), \
           'urn:uuid:' || $1::text, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, $32, $33, $34)"
    };
    let done = sqlx::query(sql)
        .bind(post.id)
        .bind(&post.post_type)
        .bind(post.status.as_str())
        .bind(&post.title)
        .bind(&post.content)
        .bind(&post.excerpt)
        .bind(&post.slug)
        .bind(post.parent)
        .bind(post.menu_order)
        .bind(post.author)
        .bind(&post.comment_status)
        .bind(&post.ping_status)
        .bind(&post.password)
        .bind(post.sticky)
        .bind(&post.template)
        .bind(&post.format)
        .bind(post.featured_media)
        .bind(post.date_gmt)
        .bind(editor)
        .bind(post.medical_content)
        .bind(&post.medical_disclaimer)
        .bind(&post.evidence_level)
        .bind(Value::Array(post.scientific_references.clone()))
        .bind(post.professional_review_required)
        .bind(post.professional_reviewer)
        .bind(&post.medical_approval_status)
        .bind(post.medical_approved_at)
        .bind(post.contains_patient_data)
        .bind(post.anonymization_applied)
        .bind(post.consent_for_publication)
        .bind(&post.seo_title)
        .bind(&post.seo_description)
        .bind(json(&post.medical_keywords))
        .bind(&post.target_audience)
        .execute(&mut **tx)
        .await?;
    if done.rows_affected() != 1 {
        return Err(sqlx::Error::RowNotFound);
    }
    Ok(())
}

async fn write_meta(tx: &mut TenantTx, post: &PostRecord, creating: bool) -> Result<(), sqlx::Error> {
    let (keys, values): (Vec<&String>, Vec<&Value>) = post.meta.iter().unzip();
    let sql = if creating {
        "INSERT INTO post_meta (post_id, key, value) SELECT $1, k, v FROM unnest($2::text[], $3::jsonb[]) AS m(k, v)"
    } else {
        "WITH gone AS (DELETE FROM post_meta WHERE post_id = $1 AND NOT (key = ANY($2))) \
         INSERT INTO post_meta (post_id, key, value) SELECT $1, k, v FROM unnest($2::text[], $3::jsonb[]) AS m(k, v) \
         ON CONFLICT (post_id, key) DO UPDATE SET value = excluded.value"
    };
    sqlx::query(sql)
        .bind(post.id)
        .bind(keys)
        .bind(values)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

async fn write_terms(tx: &mut TenantTx, post: &PostRecord, creating: bool) -> Result<(), sqlx::Error> {
    let ids: Vec<_> = post.terms.values().flatten().copied().collect();
    let sql = if creating {
        "INSERT INTO post_terms (post_id, term_id) SELECT DISTINCT $1::uuid, unnest($2::uuid[])"
    } else {
        "WITH gone AS (DELETE FROM post_terms WHERE post_id = $1 AND NOT (term_id = ANY($2))) \
         INSERT INTO post_terms (post_id, term_id) SELECT $1, unnest($2::uuid[]) ON CONFLICT DO NOTHING"
    };
    sqlx::query(sql).bind(post.id).bind(ids).execute(&mut **tx).await?;
    Ok(())
}
