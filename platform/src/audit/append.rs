use super::context::ClientContext;
use super::record::{Actor, Outcome};
use serde_json::Value;
use sqlx::PgPool;
use tenants::{TenantScope, TenantTx};
use uuid::Uuid;

/// Something worth recording. `action` is dotted: `auth.login`, `session.revoke`, ...
#[derive(Debug, Clone)]
pub struct AuditEvent<'a> {
    pub action: &'a str,
    pub outcome: Outcome,
    pub actor: Actor,
    /// (type, id) of what was acted on.
    pub resource: Option<(&'a str, String)>,
    pub details: Value,
}

impl<'a> AuditEvent<'a> {
    pub fn new(action: &'a str, outcome: Outcome, actor: Actor) -> Self {
        Self {
            action,
            outcome,
            actor,
            resource: None,
            details: Value::Object(Default::default()),
        }
    }

    pub fn resource(mut self, kind: &'a str, id: impl ToString) -> Self {
        self.resource = Some((kind, id.to_string()));
        self
    }

    pub fn details(mut self, details: Value) -> Self {
        self.details = details;
        self
    }
}

/// JSON with object keys sorted at every level, whatever map type serde_json was built with.
pub fn canonical_json(value: &Value) -> String {
    fn sorted(value: &Value) -> Value {
        match value {
            Value::Object(map) => {
                let mut entries: Vec<_> = map.iter().collect();
                entries.sort_by(|a, b| a.0.cmp(b.0));
                Value::Object(entries.into_iter().map(|(k, v)| (k.clone(), sorted(v))).collect())
            }
            Value::Array(items) => Value::Array(items.iter().map(sorted).collect()),
            other => other.clone(),
        }
    }
    sorted(value).to_string()
}

/// Appends to the tenant's chain inside the caller's transaction, so the record commits (or
/// not) with the change it describes; returns the record's id.
///
/// The tenant's role may only call `audit_append`, a function that runs as the tables' owner:
/// it stamps the record with the database's clock, encodes it (as
/// [`super::record::RecordBody::tail`] does) and stages it in `audit_pending`. A deferred
/// trigger (`audit_chain_pending`) chains it at commit: it takes the lock on `audit_head`,
/// hashes with the position only then known, and moves the row to `audit_log`. So a tenant's
/// writers queue on that lock for the commit alone, not for their round trips.
pub async fn append(tx: &mut TenantTx, event: &AuditEvent<'_>, client: &ClientContext) -> Result<Uuid, sqlx::Error> {
    append_on(tx, event, client).await
}

/// [`append`] on a connection whose transaction already runs as the tenant's role
/// (`TenantScope::enter`): for records of changes to the control plane made in the same
/// transaction.
pub async fn append_on(
    conn: &mut sqlx::PgConnection,
    event: &AuditEvent<'_>,
    client: &ClientContext,
) -> Result<Uuid, sqlx::Error> {
    let id = Uuid::now_v7();
    let ip = client.ip.map(|ip| ip.to_string());
    sqlx::query("SELECT audit_append($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)")
        .bind(id)
        .bind(event.actor.kind())
        .bind(event.actor.id())
        .bind(event.action)
        .bind(event.outcome.as_str())
        .bind(event.resource.as_ref().map(|(kind, _)| *kind))
        .bind(event.resource.as_ref().map(|(_, id)| id.as_str()))
        .bind(ip.as_deref())
        .bind(client.user_agent.as_deref())
        .bind(client.request_id.as_deref())
        .bind(canonical_json(&event.details))
        .execute(conn)
        .await?;
    Ok(id)
}

/// Appends a user's successful action on one resource (`kind`, `id`), in the caller's
/// transaction: the common case of content and settings changes.
pub async fn user_action(
    tx: &mut TenantTx,
    user: tenants::UserId,
    client: &ClientContext,
    action: &str,
    (kind, id): (&str, &str),
    details: Value,
) -> Result<Uuid, sqlx::Error> {
    let event = AuditEvent::new(action, super::Outcome::Success, super::Actor::User(*user.as_uuid()))
        .resource(kind, id)
        .details(details);
    append(tx, &event, client).await
}

/// Records an event in a transaction of its own: for what must be recorded even though the
/// request itself fails (a wrong password, a denial).
pub async fn record(
    pool: &PgPool,
    scope: &TenantScope,
    event: &AuditEvent<'_>,
    client: &ClientContext,
) -> Result<Uuid, sqlx::Error> {
    let mut tx = scope.begin(pool).await?;
    let id = append(&mut tx, event, client).await?;
    tx.commit().await?;
    Ok(id)
}

#[cfg(test)]
mod tests {
    #[test]
    fn canonical_json_sorts_keys_at_every_level() {
        let value = serde_json::json!({"b": 1, "a": {"d": [ {"z": 1, "y": 2} ], "c": true}});
        assert_eq!(
            super::canonical_json(&value),
            r#"{"a":{"c":true,"d":[{"y":2,"z":1}]},"b":1}"#
        );
    }
}
