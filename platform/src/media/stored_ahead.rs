//! An object stored before the row that refers to it. Until that row's transaction commits,
//! nothing refers to the object, so it is taken back: before answering when the insert or
//! the commit fails, and, when the request is dropped half-way (a client hanging up, the
//! request timeout), in a task of its own, since a drop cannot wait.

use crate::content::ids::MediaId;
use crate::http::ApiResult;
use object_store::ObjectStore;
use object_store::path::Path;
use std::sync::Arc;
use tenants::TenantTx;

#[must_use = "commit the row's transaction through `commit`, or the object is taken back"]
pub struct StoredAhead {
    objects: Arc<dyn ObjectStore>,
    key: Path,
    id: MediaId,
    /// Whether dropping this takes the object back: until the commit begins.
    armed: bool,
}

impl StoredAhead {
    /// Call it before the object is stored: a put dropped half-way may still have written it.
    pub fn new(objects: Arc<dyn ObjectStore>, key: Path, id: MediaId) -> Self {
        Self {
            objects,
            key,
            id,
            armed: true,
        }
    }

    /// The row could not be written: takes the object back before answering.
    pub async fn take_back(mut self) {
        self.armed = false;
        remove(self.objects.clone(), self.key.clone(), self.id).await;
    }

    /// Commits the transaction that inserts the object's row. From the moment the commit is
    /// sent the object may be the row's: dropped while waiting for the answer, it is left in
    /// place (an object too many is better than a row without its file); a commit that fails
    /// takes it back.
    pub async fn commit(mut self, tx: TenantTx) -> ApiResult<()> {
        self.armed = false;
        if let Err(error) = tx.commit().await {
            remove(self.objects.clone(), self.key.clone(), self.id).await;
            return Err(error.into());
        }
        Ok(())
    }
}

impl Drop for StoredAhead {
    fn drop(&mut self) {
        if !self.armed {
            return;
        }
        let (objects, key, id) = (self.objects.clone(), self.key.clone(), self.id);
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => drop(runtime.spawn(remove(objects, key, id))),
            Err(_) => tracing::warn!(media.id = %id, "an upload's object was left behind: no runtime to remove it"),
        }
    }
}

async fn remove(objects: Arc<dyn ObjectStore>, key: Path, id: MediaId) {
    match objects.delete(&key).await {
        // Never written (the put failed, or was dropped before it began).
        Ok(()) | Err(object_store::Error::NotFound { .. }) => {}
        Err(cleanup) => tracing::warn!(%cleanup, media.id = %id, "could not remove the object of a failed upload"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use object_store::memory::InMemory;

    async fn stored(objects: &Arc<dyn ObjectStore>, name: &str) -> StoredAhead {
        let key = Path::from(name);
        objects.put(&key, b"sealed".to_vec().into()).await.expect("put");
        StoredAhead::new(objects.clone(), key, MediaId::new())
    }

    async fn exists(objects: &Arc<dyn ObjectStore>, name: &str) -> bool {
        objects.head(&Path::from(name)).await.is_ok()
    }

    #[tokio::test]
    async fn dropped_before_the_commit_the_object_is_taken_back() {
        let objects: Arc<dyn ObjectStore> = Arc::new(InMemory::new());
        let guard = stored(&objects, "a").await;
        drop(guard);
        for _ in 0..100 {
            if !exists(&objects, "a").await {
                return;
            }
            tokio::task::yield_now().await;
        }
        panic!("the object of an upload dropped before its commit is still there");
    }

    #[tokio::test]
    async fn a_request_future_dropped_mid_way_takes_its_object_back() {
        let objects: Arc<dyn ObjectStore> = Arc::new(InMemory::new());
        let request = {
            let objects = objects.clone();
            async move {
                let _guard = stored(&objects, "b").await;
                // The row's insert, never answered: the client hangs up here.
                std::future::pending::<()>().await;
            }
        };
        let timed_out = tokio::time::timeout(std::time::Duration::from_millis(20), request).await;
        assert!(timed_out.is_err());
        for _ in 0..100 {
            if !exists(&objects, "b").await {
                return;
            }
            tokio::task::yield_now().await;
        }
        panic!("the object of a cancelled upload is still there");
    }
}
