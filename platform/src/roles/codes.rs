//! The problem codes of roles; see `crate::problem_codes`.

use crate::problem_codes::problem_codes;

problem_codes! {
    /// Problems of roles.
    pub enum RoleCode in "roles" {
        /// no custom role with this name
        RoleNotFound = (404, "role_not_found"),
        /// built-in roles cannot be changed or deleted
        BuiltinRole = (409, "builtin_role"),
        /// the role name is taken
        RoleExists = (409, "role_exists"),
        /// a role still held by a user cannot be deleted
        RoleInUse = (409, "role_in_use"),
    }
}
