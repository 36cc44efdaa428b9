//! An object stored before the row that refers to it. Until that row's transaction commits,
//! nothing refers to the object, so it is taken back: before answering when the insert fails
//! or the database refuses the commit, and, when the request is dropped half-way (a client
//! hanging up, the request timeout), in a task of its own, since a drop cannot wait. Once the
//! commit is sent and its answer is lost (the connection broke, the request was dropped), the
//! row may have committed: the object stays, since an object too many is better than a row
//! without its file.

use crate::content::ids::MediaId;
use crate::http::ApiResult;
use object_store::ObjectStore;
use object_store::path::Path;
use std::future::Future;
use std::sync::Arc;
use tenants::TenantTx;

#[must_use = "commit the row's transaction through `commit`, or the object is taken back"]
pub struct StoredAhead {
    objects: Arc<dyn ObjectStore>,
    key: Path,
    id: MediaId,
    /// Whether dropping this takes the object back.
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

    /// The row could not be written: takes the object back before answering. Call it after
    /// the transaction is gone, so no connection waits on the store.
    pub async fn take_back(mut self) {
        remove(&self.objects, &self.key, self.id).await;
        self.armed = false;
    }

    /// Commits the transaction that inserts the object's row.
    pub async fn commit(self, tx: TenantTx) -> ApiResult<()> {
        self.settle(tx.commit()).await
    }

    async fn settle(mut self, commit: impl Future<Output = Result<(), sqlx::Error>>) -> ApiResult<()> {
        self.armed = false;
        let Err(error) = commit.await else {
            return Ok(());
        };
        // The database answered with an error: the transaction rolled back. Anything else
        // (a broken connection) leaves it unknown whether the row committed.
        if error.as_database_error().is_some() {
            self.armed = true;
            remove(&self.objects, &self.key, self.id).await;
            self.armed = false;
        } else {
            tracing::warn!(%error, media.id = %self.id, "an upload's commit went unanswered; its object is kept");
        }
        Err(error.into())
    }
}

impl Drop for StoredAhead {
    fn drop(&mut self) {
        if !self.armed {
            return;
        }
        let (objects, key, id) = (self.objects.clone(), self.key.clone(), self.id);
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => drop(runtime.spawn(async move { remove(&objects, &key, id).await })),
            Err(_) => tracing::warn!(media.id = %id, "an upload's object was left behind: no runtime to remove it"),
        }
    }
}

async fn remove(objects: &Arc<dyn ObjectStore>, key: &Path, id: MediaId) {
    match objects.delete(key).await {
        // Never written (the put failed, or was dropped before it began).
        Ok(()) | Err(object_store::Error::NotFound { .. }) => {}
        Err(cleanup) => tracing::warn!(%cleanup, media.id = %id, "could not remove the object of a failed upload"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use object_store::memory::InMemory;

    fn store() -> Arc<dyn ObjectStore> {
        Arc::new(InMemory::new())
    }

    /// A guard made before the put, as the upload does, and the put.
    async fn stored(objects: &Arc<dyn ObjectStore>, name: &str) -> StoredAhead {
        let guard = StoredAhead::new(objects.clone(), Path::from(name), MediaId::new());
        objects
            .put(&Path::from(name), b"sealed".to_vec().into())
            .await
            .expect("put");
        guard
    }

    async fn exists(objects: &Arc<dyn ObjectStore>, name: &str) -> bool {
        objects.head(&Path::from(name)).await.is_ok()
    }

    /// Whether the object is gone once the tasks a drop spawned have had their turn.
    async fn gone_soon(objects: &Arc<dyn ObjectStore>, name: &str) -> bool {
        for _ in 0..100 {
            if !exists(objects, name).await {
                return true;
            }
            tokio::task::yield_now().await;
        }
        false
    }

    #[tokio::test]
    async fn a_request_dropped_before_the_commit_takes_its_object_back() {
        let objects = store();
        let request = {
            let objects = objects.clone();
            async move {
                let _guard = stored(&objects, "a").await;
                // The row's insert, never answered: the client hangs up here.
                std::future::pending::<()>().await;
            }
        };
        let timed_out = tokio::time::timeout(std::time::Duration::from_millis(20), request).await;
        assert!(timed_out.is_err());
        assert!(
            gone_soon(&objects, "a").await,
            "the object of a cancelled upload is still there"
        );
    }

    #[tokio::test]
    async fn a_failed_insert_takes_the_object_back_before_answering() {
        let objects = store();
        stored(&objects, "b").await.take_back().await;
        assert!(!exists(&objects, "b").await);
        // An object that was never written is no error either.
        StoredAhead::new(objects.clone(), Path::from("never"), MediaId::new())
            .take_back()
            .await;
    }

    #[tokio::test]
    async fn a_committed_row_keeps_its_object() {
        let objects = store();
        let guard = stored(&objects, "c").await;
        guard.settle(async { Ok(()) }).await.expect("committed");
        assert!(!gone_soon(&objects, "c").await, "a committed upload lost its object");
    }

    #[tokio::test]
    async fn a_commit_whose_answer_is_lost_keeps_the_object() {
        let objects = store();
        let guard = stored(&objects, "d").await;
        let lost = async { Err(sqlx::Error::Io(std::io::ErrorKind::ConnectionReset.into())) };
        assert!(guard.settle(lost).await.is_err());
        assert!(
            !gone_soon(&objects, "d").await,
            "the row may have committed: its object must stay"
        );
    }

    #[tokio::test]
    async fn dropped_while_the_commit_is_in_flight_keeps_the_object() {
        let objects = store();
        let guard = stored(&objects, "e").await;
        let committing = guard.settle(std::future::pending());
        let timed_out = tokio::time::timeout(std::time::Duration::from_millis(20), committing).await;
        assert!(timed_out.is_err());
        assert!(
            !gone_soon(&objects, "e").await,
            "the commit may have happened: the object must stay"
        );
    }
}
