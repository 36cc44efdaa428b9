//! WordPress's post statuses and the moves between them.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum PostStatus {
    Draft,
    /// Submitted for review.
    Pending,
    Publish,
    /// Scheduled: published by a background job at its date.
    Future,
    /// Published, visible only to those who may read private posts.
    Private,
    Trash,
    /// Created by an editor before anything was typed; never listed.
    AutoDraft,
}

impl PostStatus {
    pub const ALL: [Self; 7] = [
        Self::Draft,
        Self::Pending,
        Self::Publish,
        Self::Future,
        Self::Private,
        Self::Trash,
        Self::AutoDraft,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Pending => "pending",
            Self::Publish => "publish",
            Self::Future => "future",
            Self::Private => "private",
            Self::Trash => "trash",
            Self::AutoDraft => "auto-draft",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// Statuses that need the publish capability and the publish trust score: the post is
    /// (or is scheduled to be) read by others than its editors.
    pub fn is_published(self) -> bool {
        matches!(self, Self::Publish | Self::Future | Self::Private)
    }

    /// Visible to the public (or about to be): what the review and consent rules guard.
    pub fn is_public(self) -> bool {
        matches!(self, Self::Publish | Self::Future)
    }

    /// Where a post in this status may go. A trashed post can only be restored, to draft
    /// (as WordPress 5.6 and later do); nothing goes back to auto-draft.
    pub fn allowed_next(self) -> &'static [Self] {
        use PostStatus::*;
        match self {
            Trash => &[Trash, Draft],
            _ => &[Draft, Pending, Publish, Future, Private, Trash],
        }
    }

    pub fn can_become(self, next: Self) -> bool {
        self == next || self.allowed_next().contains(&next)
    }
}

impl TryFrom<String> for PostStatus {
    type Error = String;
    fn try_from(text: String) -> Result<Self, String> {
        Self::parse(&text).ok_or_else(|| format!("unknown post status {text:?}"))
    }
}

impl std::fmt::Display for PostStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The statuses a client may ask for when creating or updating (auto-draft only on create).
pub fn names(statuses: &[PostStatus]) -> String {
    statuses.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_round_trips_through_its_name() {
        for status in PostStatus::ALL {
            assert_eq!(PostStatus::parse(status.as_str()), Some(status));
            let json = serde_json::to_value(status).expect("json");
            assert_eq!(json, status.as_str());
        }
    }

    #[test]
    fn trash_only_goes_back_to_draft_and_nothing_returns_to_auto_draft() {
        assert!(PostStatus::Trash.can_become(PostStatus::Draft));
        assert!(!PostStatus::Trash.can_become(PostStatus::Publish));
        for status in PostStatus::ALL {
            assert!(status == PostStatus::AutoDraft || !status.can_become(PostStatus::AutoDraft));
        }
        assert!(PostStatus::AutoDraft.can_become(PostStatus::Publish));
        assert!(PostStatus::Publish.can_become(PostStatus::Draft));
    }
}
