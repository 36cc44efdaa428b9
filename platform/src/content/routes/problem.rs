//! Content's refusals as HTTP problems: the one place that gives each [`ContentError`] its
//! status, code and detail.

use crate::auth::codes::AuthCode;
use crate::content::codes::ContentCode;
use crate::content::error::{Conflict, ContentError};
use crate::content::status;
use crate::hooks::FilterError;
use crate::http::ApiError;

/// A name as a detail quotes it: at most 40 characters of what was asked for.
fn quoted(name: &str) -> String {
    format!("{:?}", name.chars().take(40).collect::<String>())
}

impl From<ContentError> for ApiError {
    fn from(error: ContentError) -> Self {
        use ContentError as E;
        match error {
            E::PostNotFound => ApiError::of(ContentCode::PostNotFound, "there is no such post here"),
            E::UnknownPostType(name) => ApiError::of(
                ContentCode::UnknownPostType,
                format!("there is no post type {}; GET /api/v1/types lists them", quoted(&name)),
            ),
            E::UnknownTaxonomy(name) => ApiError::of(
                ContentCode::UnknownTaxonomy,
                format!(
                    "there is no taxonomy {}; GET /api/v1/taxonomies lists them",
                    quoted(&name)
                ),
            ),
            E::TermNotFound => ApiError::of(ContentCode::TermNotFound, "there is no such term here"),
            E::RevisionNotFound => ApiError::of(ContentCode::RevisionNotFound, "the post has no such revision"),
            E::SignInRequired => ApiError::of(
                AuthCode::MissingToken,
                "sign in to do this: Authorization: Bearer <token>",
            ),
            E::SelfApproval => ApiError::of(
                ContentCode::SelfApproval,
                "medical content is approved by someone other than its author",
            ),
            E::Stale => crate::http::etag::stale("post"),
            E::AlreadyTrashed => ApiError::of(
                ContentCode::AlreadyTrashed,
                "the post is already in the trash; delete with force=true to remove it for good",
            ),
            E::Invalid(errors) => ApiError::invalid(errors),
            E::MedicalReviewRequired => ApiError::of(
                ContentCode::MedicalReviewRequired,
                "this post requires professional review: a user with approve_medical_content must approve it before it is published",
            ),
            E::PatientDataWithoutConsent => ApiError::of(
                ContentCode::PatientDataWithoutConsent,
                "this post contains patient data: record consent_for_publication or apply anonymisation before publishing it",
            ),
            E::Plugin(error) => filter_problem(error),
            E::Problem(problem) => problem,
            E::Database(error) => error.into(),
            E::Internal(error) => ApiError::internal(error),
            E::Conflict(conflict) => conflict_problem(conflict),
        }
    }
}

fn conflict_problem(conflict: Conflict) -> ApiError {
    use Conflict as E;
    let (code, detail): (ContentCode, String) = match conflict {
        E::SlugTaken(Some(slug)) => (
            ContentCode::SlugTaken,
            format!("the slug {slug:?} is taken by another post of this type"),
        ),
        E::SlugTaken(None) => (
            ContentCode::SlugTaken,
            "the slug is taken by another post of this type".into(),
        ),
        E::PostTrashed {
            restoring_revision: false,
        } => (
            ContentCode::PostTrashed,
            "a trashed post can only be restored (status draft) or deleted for good".into(),
        ),
        E::PostTrashed {
            restoring_revision: true,
        } => (
            ContentCode::PostTrashed,
            "restore the post from the trash (status draft) before restoring a revision".into(),
        ),
        E::IllegalTransition(from) => (
            ContentCode::IllegalTransition,
            format!("a {from} post can become: {}", status::names(from.allowed_next())),
        ),
        E::TypeExists { reserved: true } => (
            ContentCode::TypeExists,
            "that name is reserved by WordPress's core types".into(),
        ),
        E::TypeExists { reserved: false } => (ContentCode::TypeExists, "a post type of that name is registered".into()),
        E::CoreType => (ContentCode::CoreType, "post and page are built in".into()),
        E::TypeInUse { by_taxonomy: false } => (ContentCode::TypeInUse, "delete its posts first (force=true)".into()),
        E::TypeInUse { by_taxonomy: true } => (
            ContentCode::TypeInUse,
            "a taxonomy still classifies this type; unregister it first".into(),
        ),
        E::TaxonomyExists { reserved: true } => (
            ContentCode::TaxonomyExists,
            "that name is reserved by WordPress's core taxonomies".into(),
        ),
        E::TaxonomyExists { reserved: false } => (
            ContentCode::TaxonomyExists,
            "a taxonomy of that name is registered".into(),
        ),
        E::CoreTaxonomy => (ContentCode::CoreTaxonomy, "category and post_tag are built in".into()),
        E::TaxonomyInUse => (ContentCode::TaxonomyInUse, "delete its terms first".into()),
        E::TermExists => (ContentCode::TermExists, "a term of this taxonomy has that slug".into()),
        E::DefaultTerm => (
            ContentCode::DefaultTerm,
            "the default category cannot be deleted; rename it instead".into(),
        ),
    };
    ApiError::of(code, detail)
}

/// A filter's answer as a problem: 422 naming the subscriber.
fn filter_problem(error: FilterError) -> ApiError {
    match error {
        FilterError::Rejected {
            subscriber,
            message,
            fields,
        } => ApiError::of(ContentCode::RejectedByPlugin, format!("{subscriber}: {message}")).with_errors(fields),
        FilterError::Failed { subscriber, error } => ApiError::of(
            ContentCode::PluginFailed,
            format!("the plugin {subscriber} failed, so nothing was saved: {error}"),
        ),
        FilterError::Unavailable(source) => ApiError::internal(source),
    }
}
