//! Zero-trust policy: a trust score from eight weighted factors, compared with the score
//! the tenant requires for an action.

pub mod engine;
pub mod factors;
pub mod routes;

pub use engine::{Action, DecisionCache, enforce};
