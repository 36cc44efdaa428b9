//! `content.pre_save` and `content.pre_publish`: plugins see a post before it is written and
//! may change it, except for what is decided before they run (id, type, author, status).
//! What they return is input like any other: the rules and checks run on it again.

use super::error::{ContentError, ContentResult};
use super::hook_payloads::PreSavePayload;
use super::record::PostRecord;
use crate::hooks::{FilterError, Hook, HookContext, Hooks};

/// Runs `hook` over the payload's post and takes back what the filters returned.
pub async fn run(
    hooks: &Hooks,
    context: &HookContext,
    hook: Hook,
    payload: PreSavePayload,
) -> ContentResult<PostRecord> {
    let before = payload.post.clone();
    let value = serde_json::to_value(&payload).map_err(|e| ContentError::Internal(e.into()))?;
    let value = hooks.filter(context, hook, value).await.map_err(ContentError::Plugin)?;
    let returned: PreSavePayload = serde_json::from_value(value)
        .map_err(|e| failed(hook, format!("a filter returned something that is not a post: {e}")))?;
    let mut post = returned.post;
    if post.id != before.id
        || post.post_type != before.post_type
        || post.author != before.author
        || post.status != before.status
    {
        return Err(failed(
            hook,
            "a filter changed the post's id, type, author or status".into(),
        ));
    }
    post.meta.retain(|_, v| !v.is_null());
    Ok(post)
}

fn failed(hook: Hook, error: String) -> ContentError {
    ContentError::Plugin(FilterError::Failed {
        subscriber: hook.name().into(),
        error,
    })
}
