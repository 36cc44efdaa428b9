//! The problem codes of the operator API (tenants' keys); see `crate::problem_codes`.

use crate::problem_codes::problem_codes;

problem_codes! {
    /// Problems of the operator API's key management.
    pub enum OpsCode in "ops" {
        /// operator API: the tenant has no data key of that version
        KeyVersionNotFound = (404, "key_version_not_found"),
        /// operator API: destroying the primary data key (rotate first)
        KeyIsPrimary = (409, "key_is_primary"),
        /// operator API: destroying a version within two minutes of the rotation that retired it
        /// (other instances may still hold it)
        KeyRecentlyRetired = (409, "key_recently_retired"),
        /// operator API: something is still sealed under that key version; `detail` counts it
        /// (rewrap first)
        KeyStillUsed = (409, "key_still_used"),
    }
}
