use super::record::AuditRecord;
use super::trail::{self, AuditFilter};
use super::verify::{Verification, verify_trail};
use crate::access::Principal;
use crate::access::builtin_roles::VIEW_AUDIT_TRAIL;
use crate::auth::tenant_user::TenantUser;
use crate::http::codes::RequestCode;
use crate::http::extract::Query;
use crate::http::pagination::{self, Page, PageParams};
use crate::http::{ApiError, ApiResult, Problem};
use crate::state::AppState;
use axum::extract::State;
use axum::http::HeaderMap;
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

/// One entry of the audit trail.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEntry {
    pub seq: i64,
    pub id: Uuid,
    pub occurred_at: DateTime<Utc>,
    /// `user`, `operator`, `system` or `anonymous`.
    pub actor_type: String,
    pub actor_id: Option<Uuid>,
    pub action: String,
    pub outcome: String,
    pub resource_type: Option<String>,
    pub resource_id: Option<String>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub request_id: Option<String>,
    #[schema(value_type = Object)]
    pub details: serde_json::Value,
    /// Hex SHA-256 of this entry, chaining it to the previous one.
    pub hash: String,
}

impl From<AuditRecord> for AuditEntry {
    fn from(r: AuditRecord) -> Self {
        Self {
            details: serde_json::from_str(&r.details).unwrap_or(serde_json::Value::Null),
            hash: r.hash.iter().map(|b| format!("{b:02x}")).collect(),
            seq: r.seq,
            id: r.id,
            occurred_at: r.occurred_at,
            actor_type: r.actor_type,
            actor_id: r.actor_id,
            action: r.action,
            outcome: r.outcome,
            resource_type: r.resource_type,
            resource_id: r.resource_id,
            ip: r.ip,
            user_agent: r.user_agent,
            request_id: r.request_id,
        }
    }
}

/// List the tenant's audit trail, newest first.
#[utoipa::path(
    get, path = "/api/v1/audit", tag = "audit",
    security(("tenant_token" = [])),
    params(PageParams, AuditFilter),
    responses(
        (status = 200, description = "One page; X-Total-Count and Link headers", body = [AuditEntry]),
        (status = 400, description = "Bad filter or paging", body = Problem),
        (status = 403, description = "Needs view_audit_trail", body = Problem),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    user: TenantUser,
    Query(params): Query<PageParams>,
    Query(filter): Query<AuditFilter>,
) -> ApiResult<(HeaderMap, axum::Json<Vec<AuditEntry>>)> {
    let page = Page::try_from(&params)?;
    if let Some(outcome) = &filter.outcome
        && !["success", "failure", "denied"].contains(&outcome.as_str())
    {
        return Err(ApiError::of(
            RequestCode::InvalidQuery,
            "outcome is success, failure or denied",
        ));
    }
    let mut tx = user.tenant.scope().begin(state.tenancy.pool()).await?;
    let me = Principal::load(&mut tx, user.subject()).await?;
    let (rows, total) = trail::page(&mut tx, &me, &filter, page).await?;
    tx.commit().await?;
    let headers = pagination::headers(page, total, "/api/v1/audit", "");
    Ok((headers, axum::Json(rows.into_iter().map(AuditEntry::from).collect())))
}

/// Recompute the audit chain and name the first broken row, if any.
#[utoipa::path(
    get, path = "/api/v1/audit/verify", tag = "audit",
    security(("tenant_token" = [])),
    responses(
        (status = 200, description = "The verdict", body = Verification),
        (status = 403, description = "Needs view_audit_trail", body = Problem),
    )
)]
pub async fn verify(State(state): State<AppState>, user: TenantUser) -> ApiResult<axum::Json<Verification>> {
    // Who may ask, before any work for them.
    let mut tx = user.tenant.scope().begin(state.tenancy.pool()).await?;
    Principal::load(&mut tx, user.subject())
        .await?
        .require(VIEW_AUDIT_TRAIL)?;
    tx.commit().await?;
    // Object storage next, holding no connection while waiting for it.
    let checkpoints = state
        .checkpoints
        .newest(user.tenant.id, super::verify::CHECKPOINTS_CHECKED)
        .await;
    let mut tx = user.tenant.scope().begin(state.tenancy.pool()).await?;
    let verdict = verify_trail(&mut tx, checkpoints).await?;
    tx.commit().await?;
    if !verdict.valid {
        tracing::error!(
            audit.first_broken = verdict.first_broken,
            reason = verdict.reason.as_deref(),
            "audit chain broken"
        );
    }
    Ok(axum::Json(verdict))
}
