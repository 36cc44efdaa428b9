//! The capabilities content asks for, named once.

pub use crate::access::builtin_roles::APPROVE_MEDICAL_CONTENT;

/// A capability of a post type's family, spelled for the type by
/// [`PostType::cap`](super::post_type::PostType::cap): `edit_posts`, `publish_pages`, ...
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PostCap {
    /// Writing drafts (and, in WordPress, creating posts).
    Edit,
    /// Changing other authors' posts, or writing as another author.
    EditOthers,
    /// Changing published posts, scheduled ones included.
    EditPublished,
    /// Reading others' private posts.
    ReadPrivate,
    /// Publishing, scheduling and making private.
    Publish,
}

impl PostCap {
    pub fn verb(self) -> &'static str {
        match self {
            Self::Edit => "edit",
            Self::EditOthers => "edit_others",
            Self::EditPublished => "edit_published",
            Self::ReadPrivate => "read_private",
            Self::Publish => "publish",
        }
    }
}

/// Writing markup as it is: the writer's HTML is not sanitised (WordPress's kses is skipped).
pub const UNFILTERED_HTML: &str = "unfiltered_html";
/// Registering and unregistering post types and taxonomies.
pub const MANAGE_OPTIONS: &str = "manage_options";
/// Creating, renaming and deleting terms; assigning them to a post takes only the right to edit
/// the post, as in WordPress.
pub const MANAGE_TERMS: &str = "manage_categories";
/// The meta capability named when a reader who may not edit a post asks for its edit context.
pub const EDIT_POST: &str = "edit_post";
