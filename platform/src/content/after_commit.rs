//! What a service hands back before its caller commits: the answer, and what may only happen
//! once the transaction has committed. Action hooks must not see a change that could still
//! roll back, and `content.prepare_response` (plugins adding fields to the posts going out)
//! must not run while the request holds a connection of the pool.

use super::prepare_response;
use super::view::{Context, PostView};
use crate::hooks::{Hook, HookContext, Hooks};
use serde_json::Value;
use std::sync::Arc;

/// An answer whose posts go out through `content.prepare_response`.
pub trait Answer {
    fn posts_mut(&mut self) -> &mut [PostView];
}

impl Answer for PostView {
    fn posts_mut(&mut self) -> &mut [PostView] {
        std::slice::from_mut(self)
    }
}

#[must_use = "commit the transaction, then `finish` (or `run_actions`)"]
pub struct AfterCommit<T> {
    value: T,
    context: HookContext,
    actions: Vec<(Hook, Value)>,
    /// The context the answer's posts go out in; `None` leaves them as they are.
    respond_in: Option<Context>,
}

impl<T> AfterCommit<T> {
    pub(super) fn new(value: T, context: HookContext) -> Self {
        Self {
            value,
            context,
            actions: Vec::new(),
            respond_in: None,
        }
    }

    /// The action hooks to fire, in order.
    pub(super) fn firing(mut self, actions: Vec<(Hook, Value)>) -> Self {
        self.actions = actions;
        self
    }

    /// The answer's posts go out in `context`, with what plugins add to them.
    pub(super) fn responding_in(mut self, context: Context) -> Self {
        self.respond_in = Some(context);
        self
    }

    /// For when the caller has nobody to answer (a job): runs the action hooks now, one after
    /// another. Call it once the transaction has committed.
    pub async fn run_actions(self, hooks: &Hooks) -> T {
        for (hook, event) in self.actions {
            hooks.run_actions(&self.context, hook, event).await;
        }
        self.value
    }
}

impl<T: Answer> AfterCommit<T> {
    /// Call it once the transaction has committed: the answer, its posts prepared for their
    /// reader; the action hooks are fired in the background. They are handed over before
    /// anything is awaited, so a client hanging up while plugins prepare its answer does not
    /// cost a committed change its hooks.
    pub async fn finish(mut self, hooks: &Arc<Hooks>) -> T {
        // (Checked here too only to spare the context's clone when nothing fires.)
        if !self.actions.is_empty() {
            hooks.after_commit(self.context.clone(), self.actions);
        }
        if let Some(context) = self.respond_in {
            prepare_response::prepare(hooks, &self.context, context, self.value.posts_mut()).await;
        }
        self.value
    }
}
