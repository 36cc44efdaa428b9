//! Users of a tenant: the people, their roles and professional registrations. The HTTP face
//! is `routes/` (list, create or invite, read, update, deactivate, assign roles, `me`).

pub mod codes;
pub mod invite;
pub mod listing;
pub mod lookup;
pub mod manager;
pub mod mfa_reset;
pub mod model;
pub mod password;
pub mod patch;
pub mod profile;
pub mod registry_verification;
pub mod role_assignment;
pub mod roles_check;
pub mod routes;
pub mod status;
