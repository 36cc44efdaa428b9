//! The users API.

mod as_manager;
pub mod assign_roles;
pub mod create;
pub mod list;
pub mod me;
pub mod mfa_reset;
pub mod registry_verification;
pub mod status;
pub mod user;
