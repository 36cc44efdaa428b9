//! Sign-in protection. Every attempt is charged to the client IP (`login_per_ip`). Failures
//! (wrong password, wrong MFA code) are charged to the account, keyed by the e-mail given, so
//! an unknown address behaves exactly like a real one: at most 100 failures an hour, ten at
//! once and then one every 36 seconds. An attacker can slow the real user down by at most
//! that, never lock them out for longer. Both limiters fail closed: without Redis (when it is
//! configured) nobody signs in, rather than everybody guessing without limit.

use crate::app::AppState;
use crate::audit::{self, Actor, AuditEvent, ClientContext, Outcome};
use crate::http::ApiResult;
use crate::limits::{Refusal, WhenUnreachable};
use sha2::{Digest, Sha256};
use tenants::{Tenant, UserId};

/// The failure bucket of (tenant, e-mail). The e-mail is hashed: keys never hold addresses.
pub fn account_key(tenant: &Tenant, email: &str) -> String {
    let digest = Sha256::digest(email.trim().to_lowercase().as_bytes());
    let hex: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
    format!("rl:login:acct:{}:{hex}", tenant.id)
}

/// The failure bucket of an operator account, apart from every tenant's.
pub fn operator_account_key(email: &str) -> String {
    let digest = Sha256::digest(email.trim().to_lowercase().as_bytes());
    let hex: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
    format!("rl:login:ops:{hex}")
}

/// Operator sign-in: the same per-IP and per-account budgets as a tenant's, failing closed.
/// Operators hold the keys to every tenant, so their accounts get no less protection.
pub async fn before_operator_attempt(state: &AppState, client: &ClientContext, email: &str) -> ApiResult<()> {
    let limits = state.limiter.limits;
    if let Some(ip) = client.ip {
        let key = [(format!("rl:login:ops-ip:{ip}"), limits.login_per_ip)];
        state.limiter.check(&key, 1, WhenUnreachable::FailClosed).await?;
    }
    let key = [(operator_account_key(email), limits.account_failures)];
    state.limiter.check(&key, 0, WhenUnreachable::FailClosed).await?;
    Ok(())
}

/// A failed operator sign-in: charged to the account.
pub async fn after_operator_failure(state: &AppState, email: &str) {
    let key = [(operator_account_key(email), state.limiter.limits.account_failures)];
    if let Err(Refusal::Unavailable) = state.limiter.check(&key, 1, WhenUnreachable::FailClosed).await {
        tracing::warn!("could not charge a failed operator sign-in: the rate limiter is unreachable");
    }
}

/// Before the password is even looked at. `Err` is the answer to send.
pub async fn before_attempt(state: &AppState, tenant: &Tenant, client: &ClientContext, email: &str) -> ApiResult<()> {
    let limits = state.limiter.limits;
    if let Some(ip) = client.ip {
        let key = [(format!("rl:login:ip:{}:{ip}", tenant.id), limits.login_per_ip)];
        state.limiter.check(&key, 1, WhenUnreachable::FailClosed).await?;
    }
    let key = [(account_key(tenant, email), limits.account_failures)];
    match state.limiter.check(&key, 0, WhenUnreachable::FailClosed).await {
        Ok(()) => Ok(()),
        Err(Refusal::Limited(verdict)) => {
            let mut tx = tenant.scope().begin(state.tenancy.pool()).await?;
            let user: Option<UserId> = sqlx::query_scalar(
                "UPDATE users SET locked_until = now() + make_interval(secs => $2) \
                 WHERE lower(email) = lower($1) RETURNING id",
            )
            .bind(email.trim())
            .bind(verdict.retry_after.as_secs_f64())
            .fetch_optional(&mut *tx)
            .await?;
            let actor = user.map_or(Actor::Anonymous, |id| Actor::User(*id.as_uuid()));
            let event = AuditEvent::new("auth.login", Outcome::Denied, actor)
                .details(serde_json::json!({"reason": "too_many_failures", "email": short(email)}));
            audit::append(&mut tx, &event, client).await?;
            tx.commit().await?;
            Err(Refusal::Limited(verdict).into())
        }
        Err(other) => Err(other.into()),
    }
}

/// After a failed attempt: charge the account, count the failure, record it.
pub async fn after_failure(
    state: &AppState,
    tenant: &Tenant,
    client: &ClientContext,
    email: &str,
    user: Option<UserId>,
    event: &AuditEvent<'_>,
) -> ApiResult<()> {
    let key = [(account_key(tenant, email), state.limiter.limits.account_failures)];
    // A refusal here only means the bucket just filled up; the next attempt will be refused.
    if let Err(Refusal::Unavailable) = state.limiter.check(&key, 1, WhenUnreachable::FailClosed).await {
        tracing::warn!("could not charge a failed sign-in: the rate limiter is unreachable");
    }
    let mut tx = tenant.scope().begin(state.tenancy.pool()).await?;
    if let Some(id) = user {
        sqlx::query("UPDATE users SET failed_attempts = failed_attempts + 1, last_failed_at = now() WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
    }
    audit::append(&mut tx, event, client).await?;
    tx.commit().await?;
    Ok(())
}

fn short(email: &str) -> String {
    email.trim().chars().take(254).collect()
}

/// Before a second-factor check made inside a session (confirming or turning off TOTP): the
/// same per-account failure budget as sign-in, failing closed, so a held session cannot
/// brute-force codes.
pub async fn before_code_check(state: &AppState, tenant: &Tenant, email: &str) -> ApiResult<()> {
    let key = [(account_key(tenant, email), state.limiter.limits.account_failures)];
    state.limiter.check(&key, 0, WhenUnreachable::FailClosed).await?;
    Ok(())
}

/// A wrong code inside a session: charged like a failed sign-in.
pub async fn after_wrong_code(state: &AppState, tenant: &Tenant, email: &str) {
    let key = [(account_key(tenant, email), state.limiter.limits.account_failures)];
    if let Err(Refusal::Unavailable) = state.limiter.check(&key, 1, WhenUnreachable::FailClosed).await {
        tracing::warn!("could not charge a wrong MFA code: the rate limiter is unreachable");
    }
}
