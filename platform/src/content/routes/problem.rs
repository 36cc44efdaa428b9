//! Content's refusals as HTTP problems: the one place that gives each [`ContentError`] its
//! status, code and detail.

use crate::content::error::{Conflict, ContentError};
use crate::content::status;
use crate::hooks::FilterError;
use crate::http::ApiError;
use axum::http::StatusCode;

/// A name as a detail quotes it: at most 40 characters of what was asked for.
fn quoted(name: &str) -> String {
    format!("{:?}", name.chars().take(40).collect::<String>())
}

impl From<ContentError> for ApiError {
    fn from(error: ContentError) -> Self {
        use ContentError as E;
        match error {
            E::PostNotFound => ApiError::not_found("post_not_found", "there is no such post here"),
            E::UnknownPostType(name) => ApiError::not_found(
                "unknown_post_type",
                format!("there is no post type {}; GET /api/v1/types lists them", quoted(&name)),
            ),
            E::UnknownTaxonomy(name) => ApiError::not_found(
                "unknown_taxonomy",
                format!(
                    "there is no taxonomy {}; GET /api/v1/taxonomies lists them",
                    quoted(&name)
                ),
            ),
            E::TermNotFound => ApiError::not_found("term_not_found", "there is no such term here"),
            E::RevisionNotFound => ApiError::not_found("revision_not_found", "the post has no such revision"),
            E::SignInRequired => {
                ApiError::unauthorized("missing_token", "sign in to do this: Authorization: Bearer <token>")
            }
            E::SelfApproval => ApiError::forbidden(
                "self_approval",
                "medical content is approved by someone other than its author",
            ),
            E::Stale => crate::http::etag::stale("post"),
            E::AlreadyTrashed => ApiError::new(
                StatusCode::GONE,
                "already_trashed",
                "the post is already in the trash; delete with force=true to remove it for good",
            ),
            E::Invalid(errors) => ApiError::invalid(errors),
            E::MedicalReviewRequired => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "medical_review_required",
                "this post requires professional review: a user with approve_medical_content must approve it before it is published",
            ),
            E::PatientDataWithoutConsent => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "patient_data_without_consent",
                "this post contains patient data: record consent_for_publication or apply anonymisation before publishing it",
            ),
            E::Plugin(error) => filter_problem(error),
            E::Access(problem) => problem,
            E::Database(error) => error.into(),
            E::Internal(error) => ApiError::internal(error),
            E::Conflict(conflict) => conflict_problem(conflict),
        }
    }
}

fn conflict_problem(conflict: Conflict) -> ApiError {
    use Conflict as E;
    let (code, detail): (&'static str, String) = match conflict {
        E::SlugTaken(Some(slug)) => (
            "slug_taken",
            format!("the slug {slug:?} is taken by another post of this type"),
        ),
        E::SlugTaken(None) => ("slug_taken", "the slug is taken by another post of this type".into()),
        E::PostTrashed {
            restoring_revision: false,
        } => (
            "post_trashed",
            "a trashed post can only be restored (status draft) or deleted for good".into(),
        ),
        E::PostTrashed {
            restoring_revision: true,
        } => (
            "post_trashed",
            "restore the post from the trash (status draft) before restoring a revision".into(),
        ),
        E::IllegalTransition(from) => (
            "illegal_transition",
            format!("a {from} post can become: {}", status::names(from.allowed_next())),
        ),
        E::TypeExists { reserved: true } => ("type_exists", "that name is reserved by WordPress's core types".into()),
        E::TypeExists { reserved: false } => ("type_exists", "a post type of that name is registered".into()),
        E::CoreType => ("core_type", "post and page are built in".into()),
        E::TypeInUse { by_taxonomy: false } => ("type_in_use", "delete its posts first (force=true)".into()),
        E::TypeInUse { by_taxonomy: true } => (
            "type_in_use",
            "a taxonomy still classifies this type; unregister it first".into(),
        ),
        E::TaxonomyExists { reserved: true } => (
            "taxonomy_exists",
            "that name is reserved by WordPress's core taxonomies".into(),
        ),
        E::TaxonomyExists { reserved: false } => ("taxonomy_exists", "a taxonomy of that name is registered".into()),
        E::CoreTaxonomy => ("core_taxonomy", "category and post_tag are built in".into()),
        E::TaxonomyInUse => ("taxonomy_in_use", "delete its terms first".into()),
        E::TermExists => ("term_exists", "a term of this taxonomy has that slug".into()),
        E::DefaultTerm => (
            "default_term",
            "the default category cannot be deleted; rename it instead".into(),
        ),
    };
    ApiError::conflict(code, detail)
}

/// A filter's answer as a problem: 422 naming the subscriber.
fn filter_problem(error: FilterError) -> ApiError {
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
