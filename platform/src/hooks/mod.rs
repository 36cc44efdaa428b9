//! Hook points: where plugins validate, change and react to what the platform does. One
//! catalogue names them; one dispatcher runs their subscribers. The plugin runtime is a
//! source of subscribers for this dispatcher, not a mechanism beside it.

pub mod catalogue;
pub mod dispatch;
pub mod routes;

pub use catalogue::{Hook, HookKind};
pub use dispatch::{FilterError, HookContext, Hooks, Subscriber, SubscriberSource};
