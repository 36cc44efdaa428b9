//! The problem codes of users; see `crate::problem_codes`.

use crate::problem_codes::problem_codes;

problem_codes! {
    /// Problems of users.
    pub enum UserCode in "users" {
        /// resetting your own MFA: another administrator does it
        OwnMfa = (403, "own_mfa"),
        /// granting, or taking away, a role with a capability you do not hold
        PrivilegeEscalation = (403, "privilege_escalation"),
        /// the current password given for a password change is wrong
        WrongPassword = (403, "wrong_password"),
        /// no such user, or one you may not see (ids cannot be probed)
        UserNotFound = (404, "user_not_found"),
        /// another user of the tenant has this e-mail
        EmailTaken = (409, "email_taken"),
        /// activating a user who never set a password
        NoCredentials = (409, "no_credentials"),
        /// verifying a professional registry the user does not have
        NoRegistry = (409, "no_registry"),
        /// another user of the tenant has this professional registration
        RegistryTaken = (409, "registry_taken"),
    }
}
