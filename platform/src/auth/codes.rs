//! The problem codes of auth; see `crate::problem_codes`.

use crate::problem_codes::problem_codes;

problem_codes! {
    /// Problems of auth.
    pub enum AuthCode in "auth" {
        /// the token's user was deactivated
        AccountDisabled = (401, "account_disabled"),
        /// wrong e-mail or password (the same answer for an unknown e-mail)
        InvalidCredentials = (401, "invalid_credentials"),
        /// the code is wrong, too old, or already used (each TOTP step and backup code works once)
        InvalidMfaCode = (401, "invalid_mfa_code"),
        /// unknown refresh token, or its session ended
        InvalidRefreshToken = (401, "invalid_refresh_token"),
        /// unknown, used or expired setup token
        InvalidSetupToken = (401, "invalid_setup_token"),
        /// a token that is forged, of another tenant, of the wrong kind (operator vs tenant), or of
        /// a removed user or disabled operator
        InvalidToken = (401, "invalid_token"),
        /// the password was right; this account also needs a TOTP or backup code (`totp`)
        MfaRequired = (401, "mfa_required"),
        /// no `Authorization: Bearer` token
        MissingToken = (401, "missing_token"),
        /// a refresh token was presented twice: its session is now revoked
        RefreshTokenReused = (401, "refresh_token_reused"),
        /// the token's session was logged out, revoked or has expired
        SessionEnded = (401, "session_ended"),
        /// refresh, or sign in again
        TokenExpired = (401, "token_expired"),
        /// enrolling in MFA where the tenant requires it for your role: send the token an
        /// administrator issued (`POST /api/v1/users/{id}/mfa/reset`)
        EnrolmentTokenRequired = (403, "enrolment_token_required"),
        /// that token is wrong, used or expired
        InvalidEnrolmentToken = (403, "invalid_enrolment_token"),
        /// turning MFA off while the tenant requires it for your role
        MfaRequiredByPolicy = (403, "mfa_required_by_policy"),
        /// no live session of yours with this id
        SessionNotFound = (404, "session_not_found"),
        /// enrolling in MFA twice
        MfaAlreadyEnabled = (409, "mfa_already_enabled"),
        /// confirming MFA without having enrolled
        NoMfaEnrolment = (409, "no_mfa_enrolment"),
    }
}
