//! The router: every route the platform serves, assembled in one place, with the layers
//! around them. Each domain keeps its handlers in its HTTP face (a `routes/` folder, or
//! `routes.rs` and `*_routes.rs`); this file is the only one that knows them all, and the
//! OpenAPI document is built from it.

use crate::http::health;
use crate::http::{fallback, request_id, site};
use crate::state::AppState;
use crate::{access, audit, auth, content, hooks, media, ops, plugins, roles, settings, users};
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::HeaderValue;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::middleware::{from_fn, from_fn_with_state};
use axum::response::{IntoResponse as _, Response};
use std::sync::OnceLock;
use tower_http::catch_panic::CatchPanicLayer;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Routes served on every host, whatever it is.
fn infrastructure_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(health::health))
        .routes(routes!(health::ready))
        .routes(routes!(health::metrics))
        .routes(routes!(openapi_json))
}

/// The operators' API, on the base domain.
fn ops_routes() -> OpenApiRouter<AppState> {
    use ops::routes::{auth as ops_auth, domains, keys, signing_keys, tenants};
    OpenApiRouter::new()
        .routes(routes!(plugins::catalogue_routes::list, plugins::catalogue_routes::add))
        .routes(routes!(plugins::catalogue_routes::remove))
        .routes(routes!(ops_auth::login))
        .routes(routes!(tenants::create, tenants::list))
        .routes(routes!(tenants::get, tenants::delete))
        .routes(routes!(tenants::suspend))
        .routes(routes!(tenants::resume))
        .routes(routes!(keys::rotate))
        .routes(routes!(keys::rewrap))
        .routes(routes!(keys::destroy))
        .routes(routes!(domains::add))
        .routes(routes!(domains::remove))
        .routes(routes!(signing_keys::rotate))
}

/// Signing in, sessions and second factors.
fn auth_routes() -> OpenApiRouter<AppState> {
    use auth::mfa;
    use auth::routes::{jwks, login, refresh, sessions as session_routes, setup};
    OpenApiRouter::new()
        .routes(routes!(login::login))
        .routes(routes!(refresh::refresh))
        .routes(routes!(access::trust::routes::explain))
        .routes(routes!(mfa::routes::enrol, mfa::routes::disable))
        .routes(routes!(mfa::routes::confirm))
        .routes(routes!(session_routes::logout))
        .routes(routes!(session_routes::list))
        .routes(routes!(session_routes::revoke))
        .routes(routes!(setup::setup))
        .routes(routes!(jwks::jwks))
}

/// The tenant's people, roles, settings and audit trail.
fn organisation_routes() -> OpenApiRouter<AppState> {
    use users::routes::{assign_roles, create, list, me, mfa_reset, registry_verification, status, user};
    OpenApiRouter::new()
        .routes(routes!(settings::routes::get_settings, settings::routes::put_settings))
        .routes(routes!(audit::routes::list))
        .routes(routes!(audit::routes::verify))
        .routes(routes!(list::list, create::create))
        .routes(routes!(me::get_me, me::update_me))
        .routes(routes!(me::change_password))
        .routes(routes!(user::get, user::update))
        .routes(routes!(status::deactivate))
        .routes(routes!(status::activate))
        .routes(routes!(assign_roles::assign))
        .routes(routes!(registry_verification::verify))
        .routes(routes!(mfa_reset::reset))
        .routes(routes!(roles::routes::list, roles::routes::create))
        .routes(routes!(roles::routes::update, roles::routes::delete))
}

/// Posts, pages, custom types, taxonomies, terms and revisions.
fn content_routes() -> OpenApiRouter<AppState> {
    use content::routes::posts::*;
    use content::routes::{content as items, revisions, taxonomies, terms, types};
    OpenApiRouter::new()
        .routes(routes!(list_posts, create_post))
        .routes(routes!(get_post, update_post, delete_post))
        .routes(routes!(list_pages, create_page))
        .routes(routes!(get_page, update_page, delete_page))
        .routes(routes!(items::list_content, items::create_content))
        .routes(routes!(
            items::get_content_item,
            items::update_content,
            items::delete_content
        ))
        .routes(routes!(types::list_types, types::register_type))
        .routes(routes!(types::get_type, types::unregister_type))
        .routes(routes!(taxonomies::list_taxonomies, taxonomies::register_taxonomy))
        .routes(routes!(taxonomies::get_taxonomy, taxonomies::unregister_taxonomy))
        .routes(routes!(terms::list_categories, terms::create_category))
        .routes(routes!(
            terms::get_category,
            terms::update_category,
            terms::delete_category
        ))
        .routes(routes!(terms::list_tags, terms::create_tag))
        .routes(routes!(terms::get_tag, terms::update_tag, terms::delete_tag))
        .routes(routes!(terms::list_terms, terms::create_term))
        .routes(routes!(terms::get_term, terms::update_term, terms::delete_term))
        .routes(routes!(revisions::list_post_revisions))
        .routes(routes!(revisions::get_post_revision))
        .routes(routes!(revisions::restore_post_revision))
        .routes(routes!(revisions::list_page_revisions))
        .routes(routes!(revisions::get_page_revision))
        .routes(routes!(revisions::restore_page_revision))
        .routes(routes!(revisions::list_content_revisions))
        .routes(routes!(revisions::get_content_revision))
        .routes(routes!(revisions::restore_content_revision))
}

/// Media uploads (streamed, so without the body limit) and the library.
fn media_routes() -> OpenApiRouter<AppState> {
    use media::routes::*;
    OpenApiRouter::new()
        .routes(routes!(list_media, upload_media))
        .route_layer(DefaultBodyLimit::disable())
        .routes(routes!(get_media, update_media, delete_media))
        .routes(routes!(download_media))
}

/// The tenant's plugins, and the hooks they may subscribe to.
fn plugin_routes() -> OpenApiRouter<AppState> {
    use plugins::routes::*;
    OpenApiRouter::new()
        .routes(routes!(list, install))
        .routes(routes!(get_one, uninstall))
        .routes(routes!(enable))
        .routes(routes!(disable))
        .routes(routes!(get_config, put_config))
        .routes(routes!(put_grants))
        .routes(routes!(plugins::catalogue_routes::available))
        .routes(routes!(hooks::routes::catalogue))
}

/// Operator routes (base domain only) and tenant routes (tenant hosts only).
fn site_routes() -> OpenApiRouter<AppState> {
    let ops = ops_routes().route_layer(from_fn(site::require_ops));
    let tenant = auth_routes()
        .merge(organisation_routes())
        .merge(content_routes())
        .merge(media_routes())
        .merge(plugin_routes())
        .route_layer(from_fn(site::require_tenant));
    ops.merge(tenant)
}

/// Every documented route, for the OpenAPI document.
pub fn documented_routes() -> OpenApiRouter<AppState> {
    infrastructure_routes().merge(site_routes())
}

/// The whole API's OpenAPI document, built from the same routers that serve it.
pub fn openapi() -> utoipa::openapi::OpenApi {
    crate::openapi::document(documented_routes().into_openapi())
}

/// The document as pretty JSON, built once.
pub fn openapi_text() -> String {
    static JSON: OnceLock<String> = OnceLock::new();
    JSON.get_or_init(|| {
        openapi()
            .to_pretty_json()
            .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
    })
    .clone()
}

/// This API's OpenAPI 3.1 document.
#[utoipa::path(get, path = "/openapi.json", tag = "operations", responses((status = 200, body = Object)))]
pub async fn openapi_json() -> Response {
    (
        [
            (CONTENT_TYPE, HeaderValue::from_static("application/json")),
            (CACHE_CONTROL, HeaderValue::from_static("public, max-age=300")),
        ],
        openapi_text(),
    )
        .into_response()
}

/// Serves the app on a bound listener until `shutdown` resolves, with the peer address
/// available to handlers (for the audit trail's client IP).
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app).with_graceful_shutdown(shutdown).await
}

pub fn router(state: AppState) -> Router {
    let (infrastructure, _) = infrastructure_routes().split_for_parts();
    let infrastructure = infrastructure.method_not_allowed_fallback(fallback::method_not_allowed);
    let (sites, _) = site_routes().split_for_parts();
    // The 405 fallback is set before the layers, so that site resolution and CORS (a
    // preflight is an OPTIONS request no route declares) run before it.
    let sites = sites
        .method_not_allowed_fallback(fallback::method_not_allowed)
        .fallback(fallback::not_found)
        .layer(from_fn_with_state(
            state.clone(),
            crate::http::deferred_audit::middleware,
        ))
        .layer(from_fn_with_state(state.clone(), crate::http::rate_limit::middleware))
        .layer(from_fn_with_state(state.clone(), crate::http::cors::middleware))
        .layer(from_fn_with_state(state.clone(), site::resolve));
    Router::new()
        .merge(infrastructure)
        .merge(sites)
        .layer(from_fn(crate::http::metrics::middleware))
        .layer(DefaultBodyLimit::max(state.max_body_bytes))
        .layer(from_fn(crate::http::timeout::middleware))
        .layer(CatchPanicLayer::custom(|_| {
            crate::http::ApiError::internal(anyhow::anyhow!("a handler panicked")).into_response()
        }))
        .layer(from_fn(crate::http::security_headers::middleware))
        .layer(from_fn(request_id::middleware))
        .with_state(state)
}

#[cfg(test)]
mod tests {
    /// Generators refuse a document with a reference to nothing (`openapi-typescript`: "Can't
    /// resolve $ref"), and schemathesis skips what it cannot resolve.
    #[test]
    fn every_reference_resolves() {
        fn refs<'a>(value: &'a serde_json::Value, found: &mut Vec<&'a str>) {
            match value {
                serde_json::Value::Object(map) => {
                    if let Some(serde_json::Value::String(target)) = map.get("$ref") {
                        found.push(target);
                    }
                    map.values().for_each(|v| refs(v, found));
                }
                serde_json::Value::Array(items) => items.iter().for_each(|v| refs(v, found)),
                _ => {}
            }
        }
        let doc: serde_json::Value = serde_json::from_str(&super::openapi_text()).expect("the document is JSON");
        let mut found = Vec::new();
        refs(&doc, &mut found);
        let dangling: Vec<&str> = found
            .into_iter()
            .filter(|target| {
                let pointer = target.strip_prefix('#').unwrap_or(target);
                !target.starts_with('#') || doc.pointer(pointer).is_none()
            })
            .collect();
        assert!(dangling.is_empty(), "references to nothing: {dangling:?}");
    }

    /// `openapi/openapi.json` is what integrators read; it must match the code. Regenerate
    /// with `cargo run -p platform -- openapi > openapi/openapi.json`.
    #[test]
    fn checked_in_openapi_document_is_current() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../openapi/openapi.json");
        let checked_in = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            checked_in.trim_end() == super::openapi_text().trim_end(),
            "openapi/openapi.json is stale: run `cargo run -p platform -- openapi > openapi/openapi.json`"
        );
    }
}
