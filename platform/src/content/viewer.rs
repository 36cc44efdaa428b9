//! Who reads: a signed-in principal, or an anonymous reader who sees what WordPress shows
//! everybody (published posts).

use super::capability::PostCap;
use super::error::{ContentError, ContentResult};
use super::post_type::{CapabilityType, PostType};
use super::record::PostRow;
use super::status::PostStatus;
use crate::access::{MetaCap, PostFacts, Principal};
use crate::auth::tokens::TenantSubject;
use tenants::{TenantTx, UserId};

pub enum Viewer {
    Anonymous,
    User(Principal),
}

impl Viewer {
    /// The reader a token names (checked as [`Principal::load`] checks it), or anyone.
    pub async fn load(tx: &mut TenantTx, subject: Option<&TenantSubject>) -> ContentResult<Self> {
        Ok(match subject {
            None => Self::Anonymous,
            Some(subject) => Self::User(Principal::load(tx, subject).await?),
        })
    }

    pub fn id(&self) -> Option<UserId> {
        match self {
            Self::Anonymous => None,
            Self::User(me) => Some(me.user_id),
        }
    }

    /// Who a hook on this reader's behalf runs for.
    pub fn hook_context(&self, tenant: tenants::TenantId, request_id: Option<String>) -> crate::hooks::HookContext {
        crate::hooks::HookContext {
            tenant,
            user: self.id(),
            user_roles: match self {
                Self::Anonymous => Vec::new(),
                Self::User(me) => me.roles.clone(),
            },
            request_id,
        }
    }

    pub fn has(&self, capability: &str) -> bool {
        matches!(self, Self::User(me) if me.has(capability))
    }

    /// [`ContentError::SignInRequired`] for anonymous readers; for others, 403 naming the
    /// capability.
    pub fn require(&self, capability: &str) -> ContentResult<()> {
        match self {
            Self::Anonymous => Err(ContentError::SignInRequired),
            Self::User(me) => Ok(me.require(capability)?),
        }
    }

    pub fn can_read(&self, row: &PostRow, post_type: &PostType) -> bool {
        row.status == PostStatus::Publish
            || matches!(self, Self::User(me) if me.can(MetaCap::ReadPost(facts(row, post_type))))
    }

    pub fn can_edit(&self, row: &PostRow, post_type: &PostType) -> bool {
        matches!(self, Self::User(me) if me.can(MetaCap::EditPost(facts(row, post_type))))
    }

    /// The rule of [`Self::can_read`] as SQL over `posts p`, for lists.
    pub fn push_visibility(&self, qb: &mut sqlx::QueryBuilder<'_, sqlx::Postgres>, post_type: &PostType) {
        let me = self.id();
        let edit = self.has(&post_type.cap(PostCap::Edit));
        let edit_others = self.has(&post_type.cap(PostCap::EditOthers));
        let edit_published = self.has(&post_type.cap(PostCap::EditPublished));
        let read_private = self.has(&post_type.cap(PostCap::ReadPrivate));
        qb.push(" AND (p.status = 'publish' OR (p.status = 'private' AND (p.author_id IS NOT DISTINCT FROM ")
            .push_bind(me)
            .push(" OR ")
            .push_bind(read_private)
            .push(")) OR (p.status IN ('draft', 'pending', 'auto-draft', 'trash') AND ((p.author_id IS NOT DISTINCT FROM ")
            .push_bind(me)
            .push(" AND ")
            .push_bind(edit)
            .push(") OR (p.author_id IS DISTINCT FROM ")
            .push_bind(me)
            .push(" AND ")
            .push_bind(edit_others)
            .push("))) OR (p.status = 'future' AND ")
            .push_bind(edit_published)
            .push(" AND (p.author_id IS NOT DISTINCT FROM ")
            .push_bind(me)
            .push(" OR ")
            .push_bind(edit_others)
            .push(")))");
    }
}

/// What `map_meta_cap` needs of a post; the type's capability type picks `*_posts` or `*_pages`.
pub fn facts<'a>(row: &'a PostRow, post_type: &PostType) -> PostFacts<'a> {
    PostFacts {
        author: row.author_id,
        status: row.status.as_str(),
        post_type: match post_type.capability_type {
            CapabilityType::Page => "page",
            CapabilityType::Post => "post",
        },
    }
}
