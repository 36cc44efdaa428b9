//! The users API: list, create or invite, read, update, deactivate, assign roles, `me`.

pub mod assign_roles;
pub mod create;
pub mod list;
pub mod me;
pub mod mfa_reset;
pub mod model;
pub mod one;
pub mod registry;
pub mod roles_check;
pub mod status;
