//! The serving role's pool as a part of the state of its own (see `state_parts`).

use sqlx::PgPool;

/// The serving role's pool, for what an extractor reads of the control plane (an operator's
/// account). Cloning it is one reference count, where the whole `Tenancy` would be several.
#[derive(Clone)]
pub struct ServingPool(pub PgPool);
