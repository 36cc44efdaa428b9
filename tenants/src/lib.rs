//! The tenancy core: who the tenants are, how a request's Host finds one, how a tenant is
//! provisioned, migrated and deleted, how code reaches a tenant's tables (only through a
//! scoped transaction), and each tenant's encryption keys. Knows nothing of HTTP.

mod deprovision;
mod domains;
mod email;
mod error;
mod hostname;
mod ids;
pub mod invalidation;
pub mod keyring;
pub mod migrate;
mod model;
mod naming;
pub mod password;
mod pool;
mod provision;
mod registry;
mod resolver;
mod scope;
mod script;
mod serving_role;
mod slug;
mod tenancy;

pub use deprovision::{Deprovisioned, Purge};
pub use email::Email;
pub use error::{Error, Result};
pub use hostname::Hostname;
pub use ids::{KeyVersion, OperatorId, TenantId, UserId};
pub use model::{Domain, Tenant, TenantStatus};
pub use naming::DbNaming;
pub use pool::{is_transient, pool_options};
pub use provision::{
    NewTenant, ProvisionHook, ProvisionStep, Provisioned, SETUP_TOKEN_TTL, check_name, check_plan, new_setup_token,
};
pub use registry::{Rotated, TenantPage};
pub use resolver::TenantResolver;
pub use scope::{TenantScope, TenantTx};
pub use script::run_script;
pub use serving_role::{check_serving_role, prepare_serving_role};
pub use slug::TenantSlug;
pub use tenancy::Tenancy;
