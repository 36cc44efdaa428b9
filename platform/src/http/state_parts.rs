//! The narrow parts of the state that extractors take through `FromRef`: an extractor names
//! the part it needs (the token service, the serving pool), not the whole `AppState`, so it can be
//! used (and tested) with any state that has that part.

use crate::auth::tokens::TokenService;
use crate::http::client::ProxyHops;
use crate::http::serving_pool::ServingPool;
use crate::state::AppState;
use axum::extract::FromRef;
use std::sync::Arc;

impl FromRef<AppState> for ServingPool {
    fn from_ref(state: &AppState) -> Self {
        Self(state.tenancy.pool().clone())
    }
}

impl FromRef<AppState> for ProxyHops {
    fn from_ref(state: &AppState) -> Self {
        Self(state.trusted_proxy_hops)
    }
}

impl FromRef<AppState> for Arc<TokenService> {
    fn from_ref(state: &AppState) -> Self {
        state.tokens.clone()
    }
}
