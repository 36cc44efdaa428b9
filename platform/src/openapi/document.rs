//! The API's OpenAPI document: the base (title, description, security schemes, tags), the
//! router's paths, and the passes that make utoipa's output say what the server does.

use super::problems;

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Healthcare platform API",
        description = "Tenant API on `{slug}.{base domain}` (`/api/v1`), operator API on the bare base domain \
                       (`/api/ops/v1`), and operational endpoints on every host. Errors are RFC 9457 \
                       `application/problem+json` with a stable `code`; the problems every operation \
                       can give are declared once, in `components.responses`. No string may hold \
                       U+0000 (the database's text cannot): a body, query or path with one is refused \
                       with 400 `nul_character`.",
    ),
    modifiers(&Security),
    // Hook payloads, which plugins receive rather than the API; listed so `GET /api/v1/hooks`
    // can point at them. Then the types of query parameters, which `IntoParams` refers to
    // without adding them.
    components(schemas(
        crate::content::view::Context,
        crate::content::slug::OnConflict,
        crate::content::hook_payloads::PreSavePayload,
        crate::content::hook_payloads::TransitionEvent,
        crate::content::hook_payloads::SavedEvent,
        crate::content::hook_payloads::PrepareResponsePayload,
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

/// The whole API's OpenAPI document: the router's paths (`app::openapi`) on this base.
pub fn document(paths: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    doc.merge(paths);
    doc.info.version = env!("CARGO_PKG_VERSION").to_owned();
    problems::add(&mut doc);
    etag_headers(&mut doc);
    optional_bodies(&mut doc);
    inline_flattened(&mut doc);
    doc
}

/// A struct that flattens another written inline (`#[serde(flatten)] #[schema(inline)]`: a
/// post's healthcare fields among its others) is one JSON object, but utoipa documents it as
/// `allOf` of two. It is shown here as the one object it is: the struct's own properties and
/// the flattened ones, its own required fields first. (Flattening a named schema, which
/// utoipa refers to with `$ref`, stays `allOf`.)
fn inline_flattened(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::RefOr;
    use utoipa::openapi::schema::Schema;
    let Some(components) = doc.components.as_mut() else {
        return;
    };
    for schema in components.schemas.values_mut() {
        let RefOr::T(Schema::AllOf(all_of)) = schema else {
            continue;
        };
        let objects: Option<Vec<_>> = all_of
            .items
            .iter()
            .map(|item| match item {
                RefOr::T(Schema::Object(object)) => Some(object),
                _ => None,
            })
            .collect();
        let Some((own, flattened)) = objects.as_deref().and_then(<[_]>::split_last) else {
            continue;
        };
        let mut merged = (*own).clone();
        for object in flattened {
            merged.properties.extend(object.properties.clone());
            merged.required.extend(object.required.iter().cloned());
        }
        merged.description = all_of.description.clone().or(merged.description);
        *schema = RefOr::T(Schema::Object(merged));
    }
}

/// An optional body (`request_body(content = Option<T>)`) may be left out; utoipa also lets it
/// be the JSON `null`, which no handler takes. The body is `T`, and not required.
fn optional_bodies(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::schema::{Schema, Type};
    use utoipa::openapi::{RefOr, Required};
    let is_null = |item: &RefOr<Schema>| matches!(item, RefOr::T(Schema::Object(object)) if object.schema_type == Type::Null.into());
    for item in doc.paths.paths.values_mut() {
        for operation in problems::operations(item) {
            let Some(body) = operation.request_body.as_mut() else {
                continue;
            };
            if body.required == Some(Required::True) {
                continue;
            }
            for content in body.content.values_mut() {
                if let Some(RefOr::T(Schema::OneOf(one_of))) = &content.schema
                    && one_of.items.len() == 2
                    && one_of.items.iter().any(is_null)
                {
                    content.schema = one_of.items.iter().find(|i| !is_null(i)).cloned();
                }
            }
        }
    }
}

/// Every `If-Match` header takes an ETag of ours (`"42"`, `W/"42"`: a version number, quotes
/// optional), as `http::etag::if_match` reads it; anything else is a 400.
fn etag_headers(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::path::ParameterIn;
    for item in doc.paths.paths.values_mut() {
        for operation in problems::operations(item) {
            for parameter in operation.parameters.iter_mut().flatten() {
                if parameter.parameter_in == ParameterIn::Header && parameter.name.eq_ignore_ascii_case("If-Match") {
                    parameter.schema = Some(
                        utoipa::openapi::ObjectBuilder::new()
                            .schema_type(utoipa::openapi::Type::String)
                            .pattern(Some(r#"^\s*(W/)*"*[+-]?[0-9]{1,18}"*\s*$"#))
                            .into(),
                    );
                }
            }
        }
    }
}
