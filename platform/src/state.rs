//! The application's shared state, the composition root: every component a request may
//! reach (pools, caches, the token and plugin services), built by `startup.rs`. It names
//! components only, never a handler or the router, so nothing it holds can import it back.
//! Extractors take the narrow part they need through `FromRef` (`http::state_parts`);
//! handlers take `State<AppState>` and hand services only the parts those use.

use metrics_exporter_prometheus::PrometheusHandle;
use secrecy::SecretString;
use std::ops::Deref;
use std::sync::Arc;
use tenants::Tenancy;

pub struct Inner {
    pub tenancy: Tenancy,
    pub tokens: Arc<crate::auth::tokens::TokenService>,
    pub redis: Option<redis::Client>,
    pub metrics: PrometheusHandle,
    pub metrics_token: Option<SecretString>,
    pub max_body_bytes: usize,
    /// Proxies in front of us that append to X-Forwarded-For (`PLATFORM_TRUSTED_PROXY_HOPS`).
    pub trusted_proxy_hops: usize,
    pub session_limits: crate::auth::sessions::SessionLimits,
    pub cors: crate::http::cors_cache::CorsCache,
    pub limiter: crate::limits::RateLimiter,
    pub trust: crate::access::trust::DecisionCache,
    pub checkpoints: Arc<crate::audit::checkpoint::Checkpoints>,
    /// The hook dispatcher; plugins are its subscribers.
    pub hooks: Arc<crate::hooks::Hooks>,
    /// Object storage (media, audit checkpoints); every key under `tenants/{tenant id}/`.
    pub objects: Arc<dyn object_store::ObjectStore>,
    pub media: crate::media::MediaLimits,
    /// Anonymous reads of published content, kept until the tenant's content changes.
    pub public_cache: Arc<crate::http::public_cache::PublicCache>,
    /// The plugin runtime and each tenant's enabled plugins; the hook dispatcher's source.
    pub plugins: Arc<crate::plugins::PluginService>,
}

#[derive(Clone)]
pub struct AppState(Arc<Inner>);

impl Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl AppState {
    pub fn new(inner: Inner) -> Self {
        Self(Arc::new(inner))
    }
}
