//! `content.prepare_response`: plugins add to posts on their way out (the custom-fields
//! plugin's `acf` object). Only `acf` is taken back, and a failing plugin never fails a read:
//! the posts go out without it, and the failure is logged and counted.

use super::hook_payloads::PrepareResponsePayload;
use super::view::{Context, PostView};
use crate::hooks::{Hook, HookContext, Hooks};
use serde_json::Value;

/// Lets plugins add their fields (`acf`) to `views`, posts going out in `context`.
pub async fn prepare(hooks: &Hooks, ctx: &HookContext, context: Context, views: &mut [PostView]) {
    if views.is_empty() {
        return;
    }
    let hook = Hook::ContentPrepareResponse;
    match hooks.has_subscribers(ctx.tenant, hook).await {
        Ok(true) => {}
        Ok(false) => return,
        Err(error) => {
            tracing::warn!(error = format!("{error:#}"), "cannot find response subscribers");
            return;
        }
    }
    let payload = PrepareResponsePayload {
        context: match context {
            Context::View => "view",
            Context::Edit => "edit",
        }
        .to_owned(),
        posts: views.to_vec(),
    };
    let Ok(payload) = serde_json::to_value(&payload) else {
        return;
    };
    match hooks.filter(ctx, hook, payload).await {
        Ok(returned) => {
            let posts = returned.get("posts").and_then(Value::as_array);
            for (view, post) in views.iter_mut().zip(posts.into_iter().flatten()) {
                view.acf = post.get("acf").and_then(Value::as_object).cloned();
            }
        }
        Err(error) => {
            metrics::counter!("hook_response_failures_total").increment(1);
            tracing::warn!(tenant.id = %ctx.tenant, error = %error, "a plugin failed preparing posts; served without its fields");
        }
    }
}
