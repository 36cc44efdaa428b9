//! The sign-in API: sign in, refresh, sessions, first password, signing keys.

pub mod jwks;
pub mod login;
pub mod refresh;
pub mod sessions;
pub mod setup;
