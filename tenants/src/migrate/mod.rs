//! Plain SQL migrations: the control plane first, then every tenant schema.

mod catalog;
mod control_plane;
mod orchestrator;
mod tenant;

pub use catalog::{Migration, platform_migrations, tenant_migrations};
pub use control_plane::migrate_control_plane;
pub use orchestrator::{MigrateOptions, MigrationSummary, Progress, TenantFailure, migrate_tenants};
pub(crate) use tenant::apply_tenant_migrations;
