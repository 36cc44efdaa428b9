//! What content's services reach beyond the transaction they are given: the narrow parts of
//! the application's state, borrowed for one call.

use crate::access::trust::DecisionCache;
use crate::hooks::Hooks;
use std::sync::Arc;

#[derive(Clone, Copy)]
pub struct ContentDeps<'a> {
    /// The filters a save runs, the actions it fires, the fields plugins add to responses.
    pub hooks: &'a Arc<Hooks>,
    /// Trust decisions (publishing, drafting, reading PHI), cached per session.
    pub trust: &'a DecisionCache,
}
