//! The operator API, served only on the bare base domain.

pub mod auth;
pub mod domains;
pub mod keys;
pub mod operators;
pub mod signing_keys;
pub mod tenants;
pub mod views;
