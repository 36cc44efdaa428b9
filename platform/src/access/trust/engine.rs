//! Decisions: a capability AND a trust score that reaches the action's requirement.

use super::factors::{Observations, Sensitivity, TrustScore, score};
use crate::access::Principal;
use crate::access::codes::AccessCode;
use crate::audit::{self, Actor, AuditEvent, ClientContext, Outcome};
use crate::http::{ApiError, ApiResult};
use crate::settings::model::Settings;
use chrono::{DateTime, Timelike as _, Utc};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::RwLock;
use std::time::{Duration, Instant};
use tenants::{TenantScope, TenantTx};
use utoipa::ToSchema;
use uuid::Uuid;

/// Actions whose required score a tenant sets (`trust_thresholds` in its settings).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    CreateDraft,
    Publish,
    ReadPhi,
    ManageUsers,
}

impl Action {
    pub fn sensitivity(self) -> Sensitivity {
        match self {
            Self::CreateDraft => Sensitivity::Low,
            Self::Publish => Sensitivity::Medium,
            Self::ReadPhi | Self::ManageUsers => Sensitivity::High,
        }
    }

    fn required(self, settings: &Settings) -> u8 {
        let t = settings.trust_thresholds;
        match self {
            Self::CreateDraft => t.create_draft,
            Self::Publish => t.publish,
            Self::ReadPhi => t.read_phi,
            Self::ManageUsers => t.manage_users,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Self::CreateDraft => "create_draft",
            Self::Publish => "publish",
            Self::ReadPhi => "read_phi",
            Self::ManageUsers => "manage_users",
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Decision {
    pub action: Action,
    pub allowed: bool,
    pub required: u8,
    pub score: TrustScore,
    /// The factors that would raise the score, most valuable first.
    pub advice: Vec<String>,
}

/// Decisions are remembered this long, per session, MFA state, client IP and action.
pub const CACHE_TTL: Duration = Duration::from_secs(300);
const MAX_CACHED: usize = 100_000;

type Key = (Uuid, bool, Option<IpAddr>, Action);

#[derive(Default)]
pub struct DecisionCache {
    entries: RwLock<HashMap<Key, (Decision, Instant)>>,
}

impl DecisionCache {
    fn get(&self, key: &Key) -> Option<Decision> {
        let entries = self.entries.read().unwrap_or_else(|e| e.into_inner());
        entries
            .get(key)
            .filter(|(_, at)| at.elapsed() < CACHE_TTL)
            .map(|(d, _)| d.clone())
    }

    fn put(&self, key: Key, decision: Decision) {
        let mut entries = self.entries.write().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= MAX_CACHED {
            entries.retain(|_, (_, at)| at.elapsed() < CACHE_TTL);
            if entries.len() >= MAX_CACHED {
                entries.clear();
            }
        }
        entries.insert(key, (decision, Instant::now()));
    }

    /// Thresholds changed, or anything else every decision depends on.
    pub fn clear(&self) {
        self.entries.write().unwrap_or_else(|e| e.into_inner()).clear();
    }
}

#[derive(sqlx::FromRow)]
struct Row {
    session_created: DateTime<Utc>,
    session_ip: Option<String>,
    session_agent: Option<String>,
    user_created: DateTime<Utc>,
    known_device: bool,
    ip_failures: i64,
    account_failures: i64,
    settings: serde_json::Value,
}

/// Evaluates (or recalls) the decision for `action`. Pure evaluation: nothing is recorded.
pub async fn evaluate(
    cache: &DecisionCache,
    tx: &mut TenantTx,
    me: &Principal,
    action: Action,
    client: &ClientContext,
) -> ApiResult<Decision> {
    let key = (me.session_id, me.mfa, client.ip, action);
    if let Some(decision) = cache.get(&key) {
        return Ok(decision);
    }
    let ip = client.ip.map(|ip| ip.to_string());
    let row: Row = sqlx::query_as(
        "SELECT s.created_at AS session_created, s.ip AS session_ip, s.user_agent AS session_agent, \
           u.created_at AS user_created, \
           EXISTS (SELECT 1 FROM sessions p WHERE p.user_id = s.user_id AND p.created_at < s.created_at \
                   AND p.user_agent IS NOT DISTINCT FROM s.user_agent) AS known_device, \
           (SELECT count(*) FROM audit_log a WHERE $3::text IS NOT NULL AND a.ip = $3 AND a.action = 'auth.login' \
              AND a.outcome <> 'success' AND a.occurred_at > now() - interval '1 hour') AS ip_failures, \
           (SELECT count(*) FROM audit_log a WHERE a.actor_id = s.user_id AND a.action = 'auth.login' \
              AND a.outcome <> 'success' AND a.occurred_at > now() - interval '7 days') AS account_failures, \
           (SELECT document FROM settings) AS settings \
         FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id = $1 AND s.user_id = $2",
    )
    .bind(me.session_id)
    .bind(me.user_id)
    .bind(&ip)
    .fetch_one(&mut **tx)
    .await?;
    let settings: Settings = serde_json::from_value(row.settings).unwrap_or_default();
    let zone: chrono_tz::Tz = settings.timezone.parse().unwrap_or(chrono_tz::UTC);
    let now = Utc::now();
    let observations = Observations {
        mfa: me.mfa,
        known_device: row.known_device,
        session_age: (now - row.session_created).to_std().unwrap_or_default(),
        ip_failures_last_hour: row.ip_failures,
        same_ip: row.session_ip.is_some() && row.session_ip == ip,
        same_agent: row.session_agent.is_some() && row.session_agent == client.user_agent,
        sensitivity: action.sensitivity(),
        local_hour: now.with_timezone(&zone).hour(),
        account_age_days: (now - row.user_created).num_days(),
        account_failures_last_week: row.account_failures,
    };
    let score = score(&observations);
    let required = action.required(&settings);
    let mut missing: Vec<_> = score.factors.iter().filter(|f| f.advice.is_some()).collect();
    missing.sort_by_key(|f| std::cmp::Reverse(f.weight - f.earned));
    let advice = missing
        .iter()
        .filter_map(|f| f.advice.map(|a| format!("{a} (+{})", f.weight - f.earned)))
        .collect();
    let decision = Decision {
        action,
        allowed: score.total >= required,
        required,
        score,
        advice,
    };
    cache.put(key, decision.clone());
    Ok(decision)
}

/// Enforces the policy for `action`: records every denial and every PHI decision, and
/// answers a denial with 403 `insufficient_trust` naming what would raise the score.
pub async fn enforce(
    cache: &DecisionCache,
    tx: &mut TenantTx,
    scope: &TenantScope,
    me: &Principal,
    action: Action,
    client: &ClientContext,
) -> ApiResult<Decision> {
    let decision = evaluate(cache, tx, me, action, client).await?;
    let details = serde_json::json!({
        "action": action.as_str(), "score": decision.score.total, "required": decision.required,
        "advice": decision.advice,
    });
    if !decision.allowed {
        let event = AuditEvent::new("policy.deny", Outcome::Denied, Actor::User(*me.user_id.as_uuid()))
            .resource("action", action.as_str())
            .details(details);
        let advice = decision.advice.first().cloned().unwrap_or_default();
        // Recorded once the request's transaction (which rolls back) has let go of its
        // connection: never two connections of the pool at once.
        return Err(ApiError::of(
            AccessCode::InsufficientTrust,
            format!(
                "this needs a trust score of {}; this request scores {}. To raise it: {advice}",
                decision.required, decision.score.total
            ),
        )
        .recording(audit::Deferred::new(scope.clone(), event, client.clone())));
    }
    if action == Action::ReadPhi {
        let event = AuditEvent::new("policy.allow", Outcome::Success, Actor::User(*me.user_id.as_uuid()))
            .resource("action", action.as_str())
            .details(details);
        audit::append(tx, &event, client).await?;
    }
    Ok(decision)
}

/// The trust check every user- and role-management route makes (`manage_users`).
pub async fn enforce_manage_users(
    cache: &DecisionCache,
    tx: &mut TenantTx,
    scope: &TenantScope,
    me: &Principal,
    client: &ClientContext,
) -> ApiResult<()> {
    enforce(cache, tx, scope, me, Action::ManageUsers, client)
        .await
        .map(|_| ())
}
