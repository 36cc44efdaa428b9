//! What content's services answer when they refuse. Each variant names the problem it becomes
//! at the HTTP face (`routes/problem.rs`): its status and its stable code.

use super::status::PostStatus;
use crate::hooks::FilterError;
use crate::http::{ApiError, FieldError};

#[derive(Debug, thiserror::Error)]
pub enum ContentError {
    /// 404 `post_not_found`: no such post here, one of another type, or one the caller may
    /// not read (an unreadable draft is not told apart from a missing post).
    #[error("there is no such post here")]
    PostNotFound,
    /// 404 `unknown_post_type`, naming the type as it was asked for.
    #[error("there is no post type {0:?}")]
    UnknownPostType(String),
    /// 404 `unknown_taxonomy`, naming the taxonomy as it was asked for.
    #[error("there is no taxonomy {0:?}")]
    UnknownTaxonomy(String),
    /// 404 `term_not_found`.
    #[error("there is no such term here")]
    TermNotFound,
    /// 404 `revision_not_found`.
    #[error("the post has no such revision")]
    RevisionNotFound,
    /// 401 `missing_token`: an anonymous reader asked for what needs a signed-in user.
    #[error("sign in to do this")]
    SignInRequired,
    /// 403 `self_approval`: medical content is approved by someone other than its author.
    #[error("medical content is approved by someone other than its author")]
    SelfApproval,
    /// 409: the change conflicts with the state of what it changes; [`Conflict`] says how.
    #[error(transparent)]
    Conflict(#[from] Conflict),
    /// 410 `already_trashed`: trashing a trashed post (deleting it for good takes `force`).
    #[error("the post is already in the trash")]
    AlreadyTrashed,
    /// 412 `stale_version`: the post changed since the version the caller read.
    #[error("the post changed since it was read")]
    Stale,
    /// 422 `validation_failed`, one entry per field.
    #[error("invalid fields")]
    Invalid(Vec<FieldError>),
    /// 422 `medical_review_required`: the post requires professional review before it is
    /// published.
    #[error("this post requires professional review")]
    MedicalReviewRequired,
    /// 422 `patient_data_without_consent`: patient data is published only with consent or
    /// anonymised.
    #[error("this post contains patient data")]
    PatientDataWithoutConsent,
    /// 422 `rejected_by_plugin` or `plugin_failed` when a filter refused the write; 500 when
    /// the subscribers could not be found.
    #[error(transparent)]
    Plugin(FilterError),
    /// A problem another layer already decided, answered as given: access control (the
    /// caller's session, a capability, the trust score: 401, 403 `missing_capability`, 403
    /// `insufficient_trust`, ...), or the database behind those checks (503).
    #[error("{0}")]
    Problem(ApiError),
    /// The database: 503 when it is out of reach, 400 for a value it cannot store, 500 for
    /// anything unexpected (as [`ApiError`] maps every database error).
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    /// 500 `internal_error`: something that should not happen; logged with its cause.
    #[error(transparent)]
    Internal(anyhow::Error),
}

impl ContentError {
    /// 422 for one field.
    pub fn invalid_field(field: &str, message: impl Into<String>) -> Self {
        Self::Invalid(vec![FieldError {
            field: field.to_owned(),
            message: message.into(),
        }])
    }
}

impl From<ApiError> for ContentError {
    fn from(error: ApiError) -> Self {
        Self::Problem(error)
    }
}

/// The 409s: each variant's code is the problem's.
#[derive(Debug, thiserror::Error)]
pub enum Conflict {
    /// 409 `slug_taken`, naming the slug asked for when there was one.
    #[error("the slug is taken by another post of this type")]
    SlugTaken(Option<String>),
    /// 409 `post_trashed`: a trashed post is only restored or deleted for good; restoring one
    /// of its revisions waits until it is out of the trash.
    #[error("the post is in the trash")]
    PostTrashed {
        /// The refused change was a revision's restore.
        restoring_revision: bool,
    },
    /// 409 `illegal_transition`: a post in this status cannot go where it was asked to (the
    /// statuses it may become are named).
    #[error("a {0} post cannot become that")]
    IllegalTransition(PostStatus),
    /// 409 `type_exists`: the name is reserved by WordPress's core types, or registered.
    #[error("the post type exists")]
    TypeExists { reserved: bool },
    /// 409 `core_type`: `post` and `page` cannot be unregistered.
    #[error("post and page are built in")]
    CoreType,
    /// 409 `type_in_use`: the type still has posts, or a taxonomy still classifies it.
    #[error("the post type is in use")]
    TypeInUse {
        /// A taxonomy names the type (otherwise: it has posts).
        by_taxonomy: bool,
    },
    /// 409 `taxonomy_exists`: the name is reserved by WordPress's core taxonomies, or registered.
    #[error("the taxonomy exists")]
    TaxonomyExists { reserved: bool },
    /// 409 `core_taxonomy`: `category` and `post_tag` cannot be unregistered.
    #[error("category and post_tag are built in")]
    CoreTaxonomy,
    /// 409 `taxonomy_in_use`: the taxonomy still has terms.
    #[error("the taxonomy still has terms")]
    TaxonomyInUse,
    /// 409 `term_exists`: a term of the taxonomy has that slug.
    #[error("a term of this taxonomy has that slug")]
    TermExists,
    /// 409 `default_term`: the default category is renamed, never deleted.
    #[error("the default category cannot be deleted")]
    DefaultTerm,
}

pub type ContentResult<T> = Result<T, ContentError>;
