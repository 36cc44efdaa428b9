//! Multi-factor authentication: TOTP enrolment, backup codes, and the check at sign-in.

pub mod backup_codes;
pub mod enrolment;
pub mod factor;
pub mod routes;
pub mod totp;
