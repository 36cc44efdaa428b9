//! The operators' routes: sign-in, tenants, their domains and keys, signing keys.

pub mod auth;
pub mod domains;
pub mod keys;
pub mod signing_keys;
pub mod tenants;
