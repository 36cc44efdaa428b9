//! What content's hooks hand to their subscribers (plugins), as the hook catalogue documents.

use super::ids::PostId;
use super::post_type::PostTypeName;
use super::record::PostRecord;
use super::status::PostStatus;
use super::view::PostView;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

/// Payload of `content.pre_save` and `content.pre_publish`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PreSavePayload {
    pub post: PostRecord,
    /// The post as it was before this write; absent for a new post.
    pub previous: Option<PostRecord>,
    /// The request's `acf` object (custom field values), on `content.pre_save` only, when
    /// the request sent one. Not stored: a plugin turns it into meta.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acf: Option<Map<String, Value>>,
}

/// Payload of `content.prepare_response`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PrepareResponsePayload {
    /// `view` or `edit`.
    pub context: String,
    /// The posts as the reader will get them.
    pub posts: Vec<PostView>,
}

/// Event of `content.transition`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TransitionEvent {
    pub post: PostId,
    #[serde(rename = "type")]
    #[schema(value_type = String)]
    pub post_type: PostTypeName,
    /// Absent for a new post (WordPress's `new`).
    pub old_status: Option<PostStatus>,
    pub new_status: PostStatus,
}

/// Event of `content.saved`, `content.published` and `content.deleted`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SavedEvent {
    pub post: PostRecord,
    /// False for a new post.
    pub update: bool,
}
