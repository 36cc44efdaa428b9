//! Users of a tenant: the people, their roles and professional registrations. The HTTP face
//! is `routes/` (list, create or invite, read, update, deactivate, assign roles, `me`).

pub mod codes;
pub mod invite;
pub mod lookup;
pub mod model;
pub mod patch;
pub mod roles_check;
pub mod routes;
