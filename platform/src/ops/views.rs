use chrono::{DateTime, Utc};
use serde::Serialize;
use tenants::{Domain, Tenant, TenantId};
use utoipa::ToSchema;

/// A tenant as operators see it: its control-plane facts, never its data.
#[derive(Debug, Serialize, ToSchema)]
pub struct TenantView {
    #[schema(value_type = String, format = Uuid)]
    pub id: TenantId,
    pub slug: String,
    pub name: String,
    /// `provisioning`, `active`, `suspended` or `deleting`.
    pub status: String,
    pub plan: String,
    pub cluster: String,
    /// The PostgreSQL schema holding the tenant's tables.
    pub schema: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub domains: Option<Vec<DomainView>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl TenantView {
    pub fn new(tenant: &Tenant, domains: Option<Vec<Domain>>) -> Self {
        Self {
            id: tenant.id,
            slug: tenant.slug.to_string(),
            name: tenant.name.clone(),
            status: tenant.status.as_str().to_owned(),
            plan: tenant.plan.clone(),
            cluster: tenant.cluster.clone(),
            schema: tenant.schema_name().to_owned(),
            domains: domains.map(|d| d.iter().map(DomainView::from).collect()),
            created_at: tenant.created_at,
            updated_at: tenant.updated_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DomainView {
    pub host: String,
    pub primary: bool,
    pub verified: bool,
    pub created_at: DateTime<Utc>,
}

impl From<&Domain> for DomainView {
    fn from(d: &Domain) -> Self {
        Self {
            host: d.host.to_string(),
            primary: d.is_primary,
            verified: d.verified,
            created_at: d.created_at,
        }
    }
}
