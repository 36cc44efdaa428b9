use crate::{Hostname, TenantId, TenantScope, TenantSlug};
use chrono::{DateTime, Utc};
use serde::Serialize;

/// Where a tenant is in its life. Only `active` tenants serve requests.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, sqlx::Type)]
#[serde(rename_all = "snake_case")]
#[sqlx(type_name = "text", rename_all = "snake_case")]
pub enum TenantStatus {
    Provisioning,
    Active,
    Suspended,
    Deleting,
}

impl TenantStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Provisioning => "provisioning",
            Self::Active => "active",
            Self::Suspended => "suspended",
            Self::Deleting => "deleting",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        [Self::Provisioning, Self::Active, Self::Suspended, Self::Deleting]
            .into_iter()
            .find(|s| s.as_str() == value)
    }
}

/// A tenant as the control plane knows it.
#[derive(Clone, Debug)]
pub struct Tenant {
    pub id: TenantId,
    pub slug: TenantSlug,
    pub name: String,
    pub status: TenantStatus,
    pub plan: String,
    pub cluster: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub(crate) schema_name: String,
    pub(crate) role_name: String,
}

impl Tenant {
    /// The handle through which all access to this tenant's tables goes.
    pub fn scope(&self) -> TenantScope {
        TenantScope::new(self.id, &self.role_name, &self.schema_name)
    }

    /// The PostgreSQL schema holding the tenant's tables (shown to operators, never used to
    /// build SQL outside this crate).
    pub fn schema_name(&self) -> &str {
        &self.schema_name
    }

    pub fn role_name(&self) -> &str {
        &self.role_name
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct TenantRow {
    id: TenantId,
    slug: String,
    name: String,
    status: TenantStatus,
    plan: String,
    cluster: String,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    schema_name: String,
    role_name: String,
}

impl From<TenantRow> for Tenant {
    fn from(row: TenantRow) -> Self {
        Self {
            id: row.id,
            slug: TenantSlug::from_db(row.slug),
            name: row.name,
            status: row.status,
            plan: row.plan,
            cluster: row.cluster,
            created_at: row.created_at,
            updated_at: row.updated_at,
            schema_name: row.schema_name,
            role_name: row.role_name,
        }
    }
}

pub(crate) const TENANT_COLUMNS: &str =
    "id, slug, name, status, plan, cluster, created_at, updated_at, schema_name, role_name";

/// A host name that routes to a tenant.
#[derive(Clone, Debug, Serialize)]
pub struct Domain {
    pub host: Hostname,
    pub tenant_id: TenantId,
    pub is_primary: bool,
    pub verified: bool,
    pub created_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
pub(crate) struct DomainRow {
    host: String,
    tenant_id: TenantId,
    is_primary: bool,
    verified: bool,
    created_at: DateTime<Utc>,
}

impl From<DomainRow> for Domain {
    fn from(row: DomainRow) -> Self {
        Self {
            host: Hostname::from_db(row.host),
            tenant_id: row.tenant_id,
            is_primary: row.is_primary,
            verified: row.verified,
            created_at: row.created_at,
        }
    }
}
