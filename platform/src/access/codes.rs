//! The problem codes of access; see `crate::problem_codes`.

use crate::problem_codes::problem_codes;

problem_codes! {
    /// Problems of access.
    pub enum AccessCode in "access" {
        /// nobody may do this (deactivating yourself, changing your own roles)
        Forbidden = (403, "forbidden"),
        /// the capability holds, but this request's trust score is below the tenant's requirement
        /// for the action; `detail` says what would raise it
        InsufficientTrust = (403, "insufficient_trust"),
        /// the tenant requires MFA for one of your roles: only enrolment, `me` and sign-out are
        /// open until then
        MfaEnrolmentRequired = (403, "mfa_enrolment_required"),
        /// signed in, but a capability is missing; `detail` names it
        MissingCapability = (403, "missing_capability"),
    }
}
