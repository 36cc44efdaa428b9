//! The media library: files in object storage under the tenant's prefix, sealed with the
//! tenant's key, served through the platform with access checks.

pub mod kind;
pub mod library;
pub mod objects;
pub mod record;
pub mod routes;
pub mod upload;

use crate::app::AppState;
use crate::config::MediaConfig;
use axum::extract::DefaultBodyLimit;
use std::sync::Arc;
use tokio::sync::Semaphore;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The upload limits in force.
pub struct MediaLimits {
    pub max_bytes: usize,
    /// One permit per upload held in memory.
    pub uploads: Arc<Semaphore>,
}

impl MediaLimits {
    pub fn new(config: MediaConfig) -> Self {
        Self {
            max_bytes: config.max_bytes,
            uploads: Arc::new(Semaphore::new(config.concurrent_uploads)),
        }
    }
}

pub fn routes() -> OpenApiRouter<AppState> {
    use routes::*;
    OpenApiRouter::new()
        .routes(routes!(list_media, upload_media))
        // Uploads have their own, larger limit, enforced as the body is read (upload.rs).
        .route_layer(DefaultBodyLimit::disable())
        .routes(routes!(get_media, update_media, delete_media))
        .routes(routes!(download_media))
}
