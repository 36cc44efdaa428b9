//! Content with WordPress parity: posts, pages and registered types, their statuses,
//! revisions, meta and terms, and the healthcare extensions of the seed's design.

pub mod checks;
pub mod extend;
pub mod ids;
pub mod input;
pub mod phi;
pub mod post_type;
pub mod public_cache;
pub mod read;
pub mod record;
pub mod registry;
pub mod revision_routes;
pub mod revisions;
pub mod routes;
pub mod slug;
pub mod status;
pub mod store;
pub mod taxonomy;
pub mod term_routes;
pub mod terms;
pub mod view;
pub mod viewer;
pub mod write;

use crate::app::AppState;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    use routes::*;
    OpenApiRouter::new()
        .routes(routes!(list_posts, create_post))
        .routes(routes!(get_post, update_post, delete_post))
        .routes(routes!(list_pages, create_page))
        .routes(routes!(get_page, update_page, delete_page))
        .routes(routes!(list_content, create_content))
        .routes(routes!(get_content_item, update_content, delete_content))
        .routes(routes!(list_types, registry::register_type))
        .routes(routes!(registry::get_type, registry::unregister_type))
        .routes(routes!(registry::list_taxonomies, registry::register_taxonomy))
        .routes(routes!(registry::get_taxonomy, registry::unregister_taxonomy))
        .routes(routes!(term_routes::list_categories, term_routes::create_category))
        .routes(routes!(
            term_routes::get_category,
            term_routes::update_category,
            term_routes::delete_category
        ))
        .routes(routes!(term_routes::list_tags, term_routes::create_tag))
        .routes(routes!(
            term_routes::get_tag,
            term_routes::update_tag,
            term_routes::delete_tag
        ))
        .routes(routes!(term_routes::list_terms, term_routes::create_term))
        .routes(routes!(
            term_routes::get_term,
            term_routes::update_term,
            term_routes::delete_term
        ))
        .routes(routes!(revision_routes::list_post_revisions))
        .routes(routes!(revision_routes::get_post_revision))
        .routes(routes!(revision_routes::restore_post_revision))
        .routes(routes!(revision_routes::list_page_revisions))
        .routes(routes!(revision_routes::get_page_revision))
        .routes(routes!(revision_routes::restore_page_revision))
        .routes(routes!(revision_routes::list_content_revisions))
        .routes(routes!(revision_routes::get_content_revision))
        .routes(routes!(revision_routes::restore_content_revision))
}
