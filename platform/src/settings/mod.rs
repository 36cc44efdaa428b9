//! Tenant settings: the first tenant resource, administrators only.

pub mod model;
pub mod routes;
pub mod store;
