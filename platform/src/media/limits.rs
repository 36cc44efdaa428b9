//! How many uploads may be in memory at once, and how large each may be.

use crate::config::MediaConfig;
use std::sync::Arc;
use tokio::sync::Semaphore;

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
