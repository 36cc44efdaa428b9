//! Reading the tenant's audit trail: a page of it, filtered, newest first.

use super::record::AuditRecord;
use crate::access::Principal;
use crate::access::builtin_roles::VIEW_AUDIT_TRAIL;
use crate::http::ApiResult;
use crate::http::pagination::Page;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use tenants::TenantTx;
use utoipa::IntoParams;
use uuid::Uuid;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditFilter {
    /// Exact action, such as `auth.login`.
    pub action: Option<String>,
    pub actor_id: Option<Uuid>,
    /// `success`, `failure` or `denied`.
    #[param(pattern = "^(success|failure|denied)$")]
    pub outcome: Option<String>,
    /// From this time (RFC 3339), inclusive.
    pub since: Option<DateTime<Utc>>,
    /// Until this time (RFC 3339), exclusive.
    pub until: Option<DateTime<Utc>>,
}

const FILTER: &str = "($1::text IS NULL OR action = $1) AND ($2::uuid IS NULL OR actor_id = $2) \
     AND ($3::text IS NULL OR outcome = $3) AND ($4::timestamptz IS NULL OR occurred_at >= $4) \
     AND ($5::timestamptz IS NULL OR occurred_at < $5)";

/// One page of the records `filter` picks, newest first, and how many it picks in all, for
/// `me` (403 without `view_audit_trail`).
pub async fn page(
    tx: &mut TenantTx,
    me: &Principal,
    filter: &AuditFilter,
    page: Page,
) -> ApiResult<(Vec<AuditRecord>, i64)> {
    me.require(VIEW_AUDIT_TRAIL)?;
    let rows: Vec<AuditRecord> = sqlx::query_as(&format!(
        "SELECT * FROM audit_log WHERE {FILTER} ORDER BY seq DESC LIMIT $6 OFFSET $7"
    ))
    .bind(&filter.action)
    .bind(filter.actor_id)
    .bind(&filter.outcome)
    .bind(filter.since)
    .bind(filter.until)
    .bind(i64::from(page.per_page))
    .bind(i64::from(page.page - 1) * i64::from(page.per_page))
    .fetch_all(&mut **tx)
    .await?;
    let total: i64 = sqlx::query_scalar(&format!("SELECT count(*) FROM audit_log WHERE {FILTER}"))
        .bind(&filter.action)
        .bind(filter.actor_id)
        .bind(&filter.outcome)
        .bind(filter.since)
        .bind(filter.until)
        .fetch_one(&mut **tx)
        .await?;
    Ok((rows, total))
}
