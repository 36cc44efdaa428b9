//! What the media services reach beyond the caller: the narrow parts of the application's
//! state, borrowed for one call.

use crate::access::trust::DecisionCache;
use object_store::ObjectStore;
use std::sync::Arc;
use tenants::Tenancy;

#[derive(Clone, Copy)]
pub struct MediaDeps<'a> {
    /// Pools and keys. A media service opens its own transaction: it orders the object
    /// store's writes around the commit (stored before the row, removed after it).
    pub tenancy: &'a Tenancy,
    /// Trust decisions (uploading and changing media asks a draft's; PHI reads are recorded).
    pub trust: &'a DecisionCache,
    /// Where the sealed files live.
    pub objects: &'a Arc<dyn ObjectStore>,
}
