//! Posts holding identifiable patient data (flagged, neither anonymised nor consented for
//! publication) are protected health information: reading one needs the tenant's `read_phi`
//! trust score and is recorded in the audit trail, as every PHI access is.

use super::error::ContentResult;
use super::record::PostRow;
use super::viewer::Viewer;
use crate::access::trust::{Action, DecisionCache, enforce};
use crate::audit::{self, Actor, AuditEvent, ClientContext, Outcome};
use tenants::{TenantScope, TenantTx};

pub fn is_phi(row: &PostRow) -> bool {
    row.medical.is_phi()
}

/// Enforces and records the reading of any PHI among `rows`.
pub async fn record_reads<'a>(
    trust: &DecisionCache,
    tx: &mut TenantTx,
    scope: &TenantScope,
    viewer: &Viewer,
    client: &ClientContext,
    rows: impl Iterator<Item = &'a PostRow>,
) -> ContentResult<()> {
    let ids: Vec<String> = rows.filter(|r| is_phi(r)).map(|r| r.id.to_string()).collect();
    let Viewer::User(me) = viewer else {
        // Anonymous readers only see published posts, which cannot hold PHI (see checks.rs).
        return Ok(());
    };
    if ids.is_empty() {
        return Ok(());
    }
    enforce(trust, tx, scope, me, Action::ReadPhi, client).await?;
    let event = AuditEvent::new("content.phi_read", Outcome::Success, Actor::User(*me.user_id.as_uuid()))
        .resource("post", ids.join(","))
        .details(serde_json::json!({ "posts": ids }));
    audit::append(tx, &event, client).await?;
    Ok(())
}
