//! Every hook point, with the WordPress hook it stands for. Plugin authors read this list
//! (also served at `GET /api/v1/hooks` and in `docs/hooks.md`).

use serde::Serialize;
use utoipa::ToSchema;

/// A filter changes (or refuses) a payload inside the write's transaction; an action is told
/// about something after the transaction committed and cannot change it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum HookKind {
    Filter,
    Action,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Hook {
    ContentPreSave,
    ContentTransition,
    ContentSaved,
    ContentPrePublish,
    ContentPublished,
    ContentDeleted,
    ContentPrepareResponse,
}

/// One row of the catalogue.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HookPoint {
    /// `content.pre_save`, ...
    pub name: &'static str,
    pub kind: HookKind,
    pub description: &'static str,
    /// The WordPress hook it is placed like.
    pub wordpress: &'static str,
    /// The payload's schema in the OpenAPI document (`#/components/schemas/...`).
    pub payload_schema: &'static str,
}

impl Hook {
    pub const ALL: [Hook; 7] = [
        Self::ContentPreSave,
        Self::ContentTransition,
        Self::ContentSaved,
        Self::ContentPrePublish,
        Self::ContentPublished,
        Self::ContentDeleted,
        Self::ContentPrepareResponse,
    ];

    pub fn name(self) -> &'static str {
        self.point().name
    }

    pub fn kind(self) -> HookKind {
        self.point().kind
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|h| h.name() == name)
    }

    pub fn point(self) -> HookPoint {
        let (name, kind, description, wordpress, payload_schema) = match self {
            Self::ContentPreSave => (
                "content.pre_save",
                HookKind::Filter,
                "Before a post is written (created, updated, restored, trashed). Receives the \
                 complete post as it will be stored, with its meta; returns it, changed or not, \
                 or rejects the write with a message (422). The result is validated again.",
                "wp_insert_post_data",
                "#/components/schemas/PreSavePayload",
            ),
            Self::ContentTransition => (
                "content.transition",
                HookKind::Action,
                "After a write that changed a post's status commits: old and new status.",
                "transition_post_status",
                "#/components/schemas/TransitionEvent",
            ),
            Self::ContentSaved => (
                "content.saved",
                HookKind::Action,
                "After any write of a post commits, with the post as stored.",
                "save_post, wp_after_insert_post",
                "#/components/schemas/SavedEvent",
            ),
            Self::ContentPrePublish => (
                "content.pre_publish",
                HookKind::Filter,
                "Before a post becomes publicly visible (published now, or by its schedule). \
                 Receives the post; returns it, or rejects to block the publication (422).",
                "wp_insert_post_data when post_status becomes publish",
                "#/components/schemas/PreSavePayload",
            ),
            Self::ContentPublished => (
                "content.published",
                HookKind::Action,
                "After a post became published and the write committed.",
                "publish_post ({status}_{post_type})",
                "#/components/schemas/SavedEvent",
            ),
            Self::ContentDeleted => (
                "content.deleted",
                HookKind::Action,
                "After a post was deleted for good (not trashed) and the write committed.",
                "deleted_post",
                "#/components/schemas/SavedEvent",
            ),
            Self::ContentPrepareResponse => (
                "content.prepare_response",
                HookKind::Filter,
                "Before posts are returned by the API (a list, one post, or a write's answer). \
                 Receives the posts as the reader will see them and the context (view or edit); \
                 may set an `acf` object on each. Only `acf` is taken back. A failure here is \
                 logged and the posts go out without it: reads never fail because of a plugin.",
                "rest_prepare_{post_type}",
                "#/components/schemas/PrepareResponsePayload",
            ),
        };
        HookPoint {
            name,
            kind,
            description,
            wordpress,
            payload_schema,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_parse_back() {
        for hook in Hook::ALL {
            assert_eq!(Hook::parse(hook.name()), Some(hook));
        }
        assert_eq!(Hook::parse("content.nope"), None);
    }
}
