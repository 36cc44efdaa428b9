use std::sync::OnceLock;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Healthcare platform API",
        description = "Tenant API on `{slug}.{base domain}` (`/api/v1`), operator API on the bare base domain \
                       (`/api/ops/v1`), and operational endpoints on every host. Errors are RFC 9457 \
                       `application/problem+json` with a stable `code`.",
    ),
    modifiers(&Security),
    // Hook payloads, which plugins receive rather than the API; listed so `GET /api/v1/hooks`
    // can point at them.
    components(schemas(
        crate::content::record::PreSavePayload,
        crate::content::record::TransitionEvent,
        crate::content::record::SavedEvent,
        crate::content::record::PrepareResponsePayload,
    )),
    tags(
        (name = "auth", description = "Tenant sign-in (tenant hosts)"),
        (name = "settings", description = "Tenant settings (tenant hosts, manage_options)"),
        (name = "users", description = "The tenant's users, roles and professional registries (tenant hosts)"),
        (name = "audit", description = "The tenant's hash-chained audit trail (tenant hosts, view_audit_trail)"),
        (name = "posts", description = "Posts, their revisions (tenant hosts; WordPress's /wp/v2/posts)"),
        (name = "pages", description = "Pages, their revisions (tenant hosts; WordPress's /wp/v2/pages)"),
        (name = "content", description = "Post types, and posts of registered types (tenant hosts)"),
        (name = "terms", description = "Taxonomies and their terms: categories, tags, registered ones (tenant hosts)"),
        (name = "media", description = "The media library: uploads into object storage, downloads with access checks (tenant hosts)"),
        (name = "plugins", description = "WebAssembly plugins: install, grant, configure, enable (tenant hosts); the hook catalogue they subscribe to"),
        (name = "ops", description = "Operator API (base domain)"),
        (name = "operations", description = "Health, readiness, metrics (every host)"),
    )
)]
struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let bearer = || {
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            )
        };
        components.add_security_scheme("tenant_token", bearer());
        components.add_security_scheme("ops_token", bearer());
    }
}

/// The whole API's OpenAPI document, built from the same routers that serve it.
pub fn spec() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    doc.merge(crate::app::documented_routes().into_openapi());
    doc.info.version = env!("CARGO_PKG_VERSION").to_owned();
    doc
}

/// The document as pretty JSON, built once.
pub fn json() -> String {
    static JSON: OnceLock<String> = OnceLock::new();
    JSON.get_or_init(|| {
        spec()
            .to_pretty_json()
            .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
    })
    .clone()
}

#[cfg(test)]
mod tests {
    /// `openapi/openapi.json` is what integrators read; it must match the code. Regenerate
    /// with `cargo run -p platform -- openapi > openapi/openapi.json`.
    #[test]
    fn checked_in_openapi_document_is_current() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../openapi/openapi.json");
        let checked_in = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            checked_in.trim_end() == super::json().trim_end(),
            "openapi/openapi.json is stale: run `cargo run -p platform -- openapi > openapi/openapi.json`"
        );
    }
}
