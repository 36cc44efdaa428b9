//! Rules a post must meet before it is written: references that exist, the healthcare review
//! and consent rules, and HTML sanitising for those without `unfiltered_html`.

use super::capability::APPROVE_MEDICAL_CONTENT;
use super::error::{ContentError, ContentResult};
use super::ids::TermId;
use super::input::Problems;
use super::medical::ApprovalStatus;
use super::post_type::{PostType, PostTypeName};
use super::record::PostRecord;
use crate::access::Principal;
use tenants::TenantTx;

/// Taxonomies a built-in type uses; registered taxonomies name their types themselves.
fn builtin_taxonomies(post_type: &PostTypeName) -> &'static [&'static str] {
    if *post_type == PostTypeName::post() {
        &["category", "post_tag"]
    } else {
        &[]
    }
}

/// Author, parent, reviewer, featured media and terms must exist (in this tenant: nothing
/// else is reachable) and fit the post.
pub async fn references(
    tx: &mut TenantTx,
    post: &PostRecord,
    post_type: &PostType,
    problems: &mut Problems,
) -> ContentResult<()> {
    let author_exists: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM users WHERE id = $1)")
        .bind(post.author)
        .fetch_one(&mut **tx)
        .await?;
    if !author_exists {
        problems.add("author", "no such user");
    }
    if let Some(parent) = post.parent {
        let parent_type: Option<PostTypeName> = sqlx::query_scalar("SELECT type FROM posts WHERE id = $1")
            .bind(parent)
            .fetch_optional(&mut **tx)
            .await?;
        if !post_type.hierarchical {
            problems.add("parent", format!("{} posts have no parents", post_type.name));
        } else if parent_type.as_ref() != Some(&post.post_type) {
            problems.add("parent", "no post of this type has that id");
        }
    }
    if let Some(reviewer) = post.medical.professional_reviewer {
        let exists: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM users WHERE id = $1)")
            .bind(reviewer)
            .fetch_one(&mut **tx)
            .await?;
        if !exists {
            problems.add("professional_reviewer", "no such user");
        }
    }
    if let Some(media) = post.featured_media {
        let exists: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM media WHERE id = $1)")
            .bind(media)
            .fetch_one(&mut **tx)
            .await?;
        if !exists {
            problems.add("featured_media", "no such media");
        }
    }
    let ids: Vec<_> = post.terms.values().flatten().copied().collect();
    if ids.is_empty() {
        return Ok(());
    }
    let found: Vec<(TermId, String)> = sqlx::query_as("SELECT id, taxonomy FROM terms WHERE id = ANY($1)")
        .bind(&ids)
        .fetch_all(&mut **tx)
        .await?;
    let registered: Vec<String> = sqlx::query_scalar("SELECT name FROM taxonomies WHERE $1 = ANY(object_types)")
        .bind(&post.post_type)
        .fetch_all(&mut **tx)
        .await?;
    for (taxonomy, ids) in &post.terms {
        let field = match taxonomy.as_str() {
            "category" => "categories".to_owned(),
            "post_tag" => "tags".to_owned(),
            other => format!("terms/{other}"),
        };
        let used_here =
            builtin_taxonomies(&post.post_type).contains(&taxonomy.as_str()) || registered.contains(taxonomy);
        if !used_here && !ids.is_empty() {
            problems.add(&field, format!("{} posts have no {taxonomy} terms", post.post_type));
            continue;
        }
        if ids.iter().any(|id| !found.contains(&(*id, taxonomy.clone()))) {
            problems.add(&field, format!("every id must be a term of {taxonomy}"));
        }
    }
    Ok(())
}

/// Medical approval is a reviewer's decision about someone else's text: it needs
/// `approve_medical_content` and a reviewer who is not the author. Changing the text of an
/// approved post sends it back to `pending` unless the same request approves it again.
pub fn medical_approval(
    me: &Principal,
    post: &mut PostRecord,
    previous: Option<&PostRecord>,
    requested: Option<&str>,
    now: chrono::DateTime<chrono::Utc>,
) -> ContentResult<()> {
    if let Some(requested) = requested {
        let status = ApprovalStatus::parse(requested)
            .ok_or_else(|| ContentError::invalid_field("medical_approval_status", "pending, approved or rejected"))?;
        let unchanged = previous.is_some_and(|p| p.medical.medical_approval_status == status);
        if !unchanged && status != ApprovalStatus::Pending {
            me.require(APPROVE_MEDICAL_CONTENT)?;
            if post.author == me.user_id {
                return Err(ContentError::SelfApproval);
            }
            post.medical.professional_reviewer = Some(me.user_id);
        }
        post.medical.medical_approval_status = status;
        post.medical.medical_approved_at = (status == ApprovalStatus::Approved).then_some(now);
        return Ok(());
    }
    if let Some(previous) = previous
        && previous.medical.medical_approval_status == ApprovalStatus::Approved
        && previous.revisioned_fields_differ(post)
    {
        post.medical.medical_approval_status = ApprovalStatus::Pending;
        post.medical.medical_approved_at = None;
    }
    Ok(())
}

/// The healthcare rules a post must meet to become public: reviewed when review is required,
/// and patient data only with consent or anonymisation (LGPD).
pub fn publishable(post: &PostRecord) -> ContentResult<()> {
    let medical = &post.medical;
    if medical.professional_review_required && medical.medical_approval_status != ApprovalStatus::Approved {
        return Err(ContentError::MedicalReviewRequired);
    }
    if medical.contains_patient_data && !(medical.consent_for_publication || medical.anonymization_applied) {
        return Err(ContentError::PatientDataWithoutConsent);
    }
    Ok(())
}

/// WordPress's kses: without `unfiltered_html`, markup is cleaned of scripts, event handlers
/// and anything else unsafe (ammonia's allow-list) before it is stored.
pub fn sanitize(me_may_post_unfiltered: bool, post: &mut PostRecord) {
    if me_may_post_unfiltered {
        return;
    }
    for text in [&mut post.title, &mut post.content, &mut post.excerpt] {
        if text.contains('<') || text.contains('&') {
            *text = ammonia::clean(text);
        }
    }
}
