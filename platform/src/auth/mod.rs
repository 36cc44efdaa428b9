//! Tenant sign-in and token handling: sessions, second factors, signing keys, and the
//! bearer-token extractors. The HTTP face is `routes/` and `mfa/routes.rs`.

pub mod brute_force;
pub mod codes;
pub mod extract;
pub mod jwt_crypto;
pub mod mfa;
pub mod routes;
pub mod sessions;
pub mod setup_token;
pub mod sign_in;
pub mod signing_keys;
pub mod tenant_user;
pub mod tokens;
