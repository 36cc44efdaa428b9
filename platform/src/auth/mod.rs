//! Tenant sign-in and token handling. The identity issue builds sessions, MFA and roles on it.

pub mod brute_force;
pub mod extract;
pub mod jwks;
pub mod jwt_crypto;
pub mod login;
pub mod mfa;
pub mod refresh;
pub mod session_routes;
pub mod sessions;
pub mod setup;
pub mod signing_keys;
pub mod tokens;
