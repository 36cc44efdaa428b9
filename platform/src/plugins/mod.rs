//! Tenant plugins: artifacts, installs, the install API, and the source of hook subscribers.
//! The sandbox itself is the `plugins` crate; this module binds it to tenants.

pub mod artifacts;
pub mod builtin;
pub mod catalogue;
pub mod catalogue_routes;
pub mod codes;
pub mod installs;
pub mod manage;
mod plugin_service;
pub mod quota;
pub mod routes;
mod schema;
pub mod sealed;
mod services;
mod subscriber;

pub use plugin_service::PluginService;
