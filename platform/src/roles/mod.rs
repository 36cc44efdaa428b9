//! Custom roles: tenant-defined sets of capabilities beside the built-in roles.

pub mod codes;
pub mod definitions;
pub mod routes;
