//! One audit row and its place in the chain: the canonical encoding that is hashed.

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// How a recorded attempt ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Success,
    Failure,
    /// Refused by access control or policy.
    Denied,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Success => "success",
            Self::Failure => "failure",
            Self::Denied => "denied",
        }
    }
}

/// Who acted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    User(Uuid),
    Operator(Uuid),
    System,
    /// Not signed in (a failed login, say).
    Anonymous,
}

impl Actor {
    pub fn kind(self) -> &'static str {
        match self {
            Self::User(_) => "user",
            Self::Operator(_) => "operator",
            Self::System => "system",
            Self::Anonymous => "anonymous",
        }
    }

    pub fn id(self) -> Option<Uuid> {
        match self {
            Self::User(id) | Self::Operator(id) => Some(id),
            Self::System | Self::Anonymous => None,
        }
    }
}

/// A row of `audit_log` as stored, and as hashed.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AuditRecord {
    pub seq: i64,
    pub id: Uuid,
    pub occurred_at: DateTime<Utc>,
    pub actor_type: String,
    pub actor_id: Option<Uuid>,
    pub action: String,
    pub outcome: String,
    pub resource_type: Option<String>,
    pub resource_id: Option<String>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub request_id: Option<String>,
    /// Canonical JSON (keys sorted), stored as the exact text that was hashed.
    pub details: String,
    pub prev_hash: Vec<u8>,
    pub hash: Vec<u8>,
}

pub const GENESIS_HASH: [u8; 32] = [0; 32];

/// The domain tag every record's hash starts with (`audit_chain_pending` repeats it).
const HASH_TAG: &[u8] = b"platform.audit.v1";

impl AuditRecord {
    /// SHA-256 over a domain tag, the previous hash and every field in a fixed order, each
    /// length-prefixed (absent values have their own marker), so no two different rows encode
    /// alike: `SHA-256(tag || prev_hash || seq || body.tail)`.
    pub fn compute_hash(&self) -> Vec<u8> {
        let mut h = Sha256::new();
        h.update(HASH_TAG);
        h.update(&self.prev_hash);
        h.update(self.seq.to_be_bytes());
        h.update(self.body().tail());
        h.finalize().to_vec()
    }

    /// What the record says, apart from its place in the chain.
    pub fn body(&self) -> RecordBody<'_> {
        RecordBody {
            id: self.id,
            occurred_at: self.occurred_at,
            actor_type: &self.actor_type,
            actor_id: self.actor_id,
            action: &self.action,
            outcome: &self.outcome,
            resource_type: self.resource_type.as_deref(),
            resource_id: self.resource_id.as_deref(),
            ip: self.ip.as_deref(),
            user_agent: self.user_agent.as_deref(),
            request_id: self.request_id.as_deref(),
            details: &self.details,
        }
    }
}

/// A record before it has a place in the chain: what an append sends to the database.
#[derive(Debug, Clone, Copy)]
pub struct RecordBody<'a> {
    pub id: Uuid,
    pub occurred_at: DateTime<Utc>,
    pub actor_type: &'a str,
    pub actor_id: Option<Uuid>,
    pub action: &'a str,
    pub outcome: &'a str,
    pub resource_type: Option<&'a str>,
    pub resource_id: Option<&'a str>,
    pub ip: Option<&'a str>,
    pub user_agent: Option<&'a str>,
    pub request_id: Option<&'a str>,
    /// Canonical JSON (keys sorted).
    pub details: &'a str,
}

impl RecordBody<'_> {
    /// The encoding of everything but the chain position (`prev_hash`, `seq`): the database
    /// finishes the hash at commit (`audit_chain_pending`) as [`AuditRecord::compute_hash`]
    /// does.
    pub fn tail(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(64 + self.details.len());
        out.extend_from_slice(self.id.as_bytes());
        out.extend_from_slice(&self.occurred_at.timestamp_micros().to_be_bytes());
        let uuid_text = self.actor_id.map(|id| id.to_string());
        for field in [
            Some(self.actor_type),
            uuid_text.as_deref(),
            Some(self.action),
            Some(self.outcome),
            self.resource_type,
            self.resource_id,
            self.ip,
            self.user_agent,
            self.request_id,
            Some(self.details),
        ] {
            match field {
                None => out.extend_from_slice(&u32::MAX.to_be_bytes()),
                Some(text) => {
                    out.extend_from_slice(&(text.len() as u32).to_be_bytes());
                    out.extend_from_slice(text.as_bytes());
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record() -> AuditRecord {
        AuditRecord {
            seq: 1,
            id: Uuid::nil(),
            occurred_at: DateTime::from_timestamp_micros(1_700_000_000_000_000).expect("time"),
            actor_type: "user".into(),
            actor_id: Some(Uuid::nil()),
            action: "auth.login".into(),
            outcome: "success".into(),
            resource_type: None,
            resource_id: None,
            ip: Some("10.0.0.1".into()),
            user_agent: None,
            request_id: None,
            details: "{}".into(),
            prev_hash: GENESIS_HASH.to_vec(),
            hash: Vec::new(),
        }
    }

    #[test]
    fn every_field_changes_the_hash() {
        let base = record().compute_hash();
        let variants: Vec<fn(&mut AuditRecord)> = vec![
            |r| r.seq = 2,
            |r| r.action = "auth.logout".into(),
            |r| r.outcome = "failure".into(),
            |r| r.actor_id = None,
            |r| r.ip = None,
            |r| r.resource_type = Some(String::new()),
            |r| r.details = "{\"a\":1}".into(),
            |r| r.prev_hash = vec![1; 32],
            |r| r.occurred_at += chrono::Duration::microseconds(1),
        ];
        for change in variants {
            let mut r = record();
            change(&mut r);
            assert_ne!(r.compute_hash(), base);
        }
    }

    #[test]
    fn moving_text_between_fields_changes_the_hash() {
        let mut a = record();
        a.resource_type = Some("ab".into());
        a.resource_id = Some("c".into());
        let mut b = record();
        b.resource_type = Some("a".into());
        b.resource_id = Some("bc".into());
        assert_ne!(a.compute_hash(), b.compute_hash());
    }
}
