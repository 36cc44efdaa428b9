//! The problem codes of a request as such (its host, shape and the layers every request
//! passes), and of tenancy (tenants and domains, as the operator API meets them); see
//! `crate::problem_codes`.

use crate::problem_codes::problem_codes;

problem_codes! {
    /// Problems of a request as such, whatever the route.
    pub enum RequestCode in "request" {
        /// a Host that is not a host name
        InvalidHost = (400, "invalid_host"),
        /// `If-Match` is not an ETag
        InvalidIfMatch = (400, "invalid_if_match"),
        /// a path parameter is malformed (an id that is not a UUID)
        InvalidPath = (400, "invalid_path"),
        /// bad `page`, `per_page` or filter
        InvalidQuery = (400, "invalid_query"),
        /// a value no check caught that the database cannot store (a number or date out of its
        /// range); a bug to report, answered as the request's fault rather than a 500
        InvalidValue = (400, "invalid_value"),
        /// the body is not JSON
        MalformedJson = (400, "malformed_json"),
        /// no Host header (nor an absolute URI naming one)
        MissingHost = (400, "missing_host"),
        /// a JSON body (string or key), query or path holds U+0000, which text cannot contain
        NulCharacter = (400, "nul_character"),
        /// the request is nested too deeply, or is too complex, for the database to store
        TooComplex = (400, "too_complex"),
        /// the body could not be read
        UnreadableBody = (400, "unreadable_body"),
        /// a CORS preflight from an origin not in the tenant's `cors_allowed_origins`
        OriginNotAllowed = (403, "origin_not_allowed"),
        /// every request to a suspended tenant's hosts
        TenantSuspended = (403, "tenant_suspended"),
        /// no such path on this host
        NotFound = (404, "not_found"),
        /// no active tenant at this host (also during deletion)
        UnknownHost = (404, "unknown_host"),
        /// the path exists, the method does not
        MethodNotAllowed = (405, "method_not_allowed"),
        /// `If-Match` names an older version
        StaleVersion = (412, "stale_version"),
        /// over `PLATFORM_MAX_BODY_BYTES`
        BodyTooLarge = (413, "body_too_large"),
        /// the body is not `application/json` (installing a plugin: neither `application/wasm` nor
        /// `application/json`)
        UnsupportedMediaType = (415, "unsupported_media_type"),
        /// JSON of the wrong shape: missing or unknown fields, wrong types
        InvalidBody = (422, "invalid_body"),
        /// fields that break the rules, each in `errors`
        ValidationFailed = (422, "validation_failed"),
        /// an update (or revision restore) without `If-Match`
        IfMatchRequired = (428, "if_match_required"),
        /// too many requests (per IP, tenant, user) or checks of a secret (per account: sign-in,
        /// MFA codes, the current password); see `Retry-After`
        RateLimited = (429, "rate_limited"),
        /// a bug; logged with its cause under the same `request_id`
        InternalError = (500, "internal_error"),
        /// no database connection within `PLATFORM_DB_ACQUIRE_TIMEOUT_MS`; see `Retry-After`
        DatabaseBusy = (503, "database_busy"),
        /// the database connection was lost, or the database is restarting, shutting down or
        /// refusing connections (also a lost serialization conflict or deadlock): nothing was
        /// half-written; retry after `Retry-After`
        DatabaseUnavailable = (503, "database_unavailable"),
        /// `/ready`: the database or Redis does not answer
        NotReady = (503, "not_ready"),
        /// sign-in and MFA are paused while Redis is configured but unreachable (fail closed); see
        /// `Retry-After`
        RateLimiterUnavailable = (503, "rate_limiter_unavailable"),
        /// the request took over 30 s and was abandoned (its transaction rolled back)
        RequestTimeout = (503, "request_timeout"),
    }
}

problem_codes! {
    /// Problems of tenancy.
    pub enum TenancyCode in "tenancy" {
        /// operator API: the tenant has no such domain
        DomainNotFound = (404, "domain_not_found"),
        /// operator API: no such tenant
        TenantNotFound = (404, "tenant_not_found"),
        /// the tenant's state does not allow this (being deleted; removing its platform subdomain)
        Conflict = (409, "conflict"),
        /// the domain routes elsewhere
        DomainTaken = (409, "domain_taken"),
        /// the slug belongs to another tenant
        SlugTaken = (409, "slug_taken"),
    }
}
