//! Sign-in protection. Every attempt is charged to the client IP (`login_per_ip`; an IPv6
//! client by its /64). Every check of a secret (a password, an MFA code) is charged to the
//! account *before* it is made, keyed by the e-mail given, so an unknown address behaves
//! exactly like a real one, and refunded when the secret was right: at most 100 failures an
//! hour, ten at once and then one every 36 seconds. Charging first is what makes the budget
//! hold under concurrency: sixty guesses sent at once get ten checks, not sixty. An attacker
//! can slow the real user down by at most that, never lock them out for longer. Both
//! limiters fail closed: without Redis (when it is configured) nobody signs in, rather than
//! everybody guessing without limit.

use crate::audit::{self, Actor, AuditEvent, ClientContext, Outcome};
use crate::http::ApiResult;
use crate::limits::{Quota, RateLimiter, Refusal, WhenUnreachable, client_bucket};
use sha2::{Digest, Sha256};
use sqlx::PgPool;
use tenants::{Tenant, UserId};

/// The failure bucket of (tenant, e-mail). The e-mail is hashed: keys never hold addresses.
pub fn account_key(tenant: &Tenant, email: &str) -> String {
    format!("rl:login:acct:{}:{}", tenant.id, email_digest(email))
}

/// The failure bucket of an operator account, apart from every tenant's.
pub fn operator_account_key(email: &str) -> String {
    format!("rl:login:ops:{}", email_digest(email))
}

fn email_digest(email: &str) -> String {
    let digest = Sha256::digest(email.trim().to_lowercase().as_bytes());
    digest.iter().take(16).map(|b| format!("{b:02x}")).collect()
}

/// One failure charged to an account before the check it pays for. Dropped, the charge
/// stays (the check failed, or never finished); [`AccountCharge::refund`] gives it back when
/// the secret was right.
#[must_use = "refund the charge when the check succeeds; dropping it keeps the charge"]
pub struct AccountCharge {
    key: [(String, Quota); 1],
}

impl AccountCharge {
    pub async fn refund(self, limiter: &RateLimiter) {
        limiter.refund(&self.key, 1).await;
    }
}

/// Charges one check to the bucket, atomically, failing closed.
async fn charge(limiter: &RateLimiter, key: String) -> Result<AccountCharge, Refusal> {
    let key = [(key, limiter.limits.account_failures)];
    limiter.check(&key, 1, WhenUnreachable::FailClosed).await?;
    Ok(AccountCharge { key })
}

/// Operator sign-in: the same per-IP and per-account budgets as a tenant's, failing closed.
/// Operators hold the keys to every tenant, so their accounts get no less protection.
pub async fn before_operator_attempt(
    limiter: &RateLimiter,
    client: &ClientContext,
    email: &str,
) -> ApiResult<AccountCharge> {
    if let Some(ip) = client.ip {
        let key = [(
            format!("rl:login:ops-ip:{}", client_bucket(ip)),
            limiter.limits.login_per_ip,
        )];
        limiter.check(&key, 1, WhenUnreachable::FailClosed).await?;
    }
    Ok(charge(limiter, operator_account_key(email)).await?)
}

/// Before the password is even looked at: charges the IP and the account. `Err` is the
/// answer to send; a refusal for the account also locks it for as long and is recorded.
pub async fn before_attempt(
    limiter: &RateLimiter,
    pool: &PgPool,
    tenant: &Tenant,
    client: &ClientContext,
    email: &str,
) -> ApiResult<AccountCharge> {
    if let Some(ip) = client.ip {
        let key = [(
            format!("rl:login:ip:{}:{}", tenant.id, client_bucket(ip)),
            limiter.limits.login_per_ip,
        )];
        limiter.check(&key, 1, WhenUnreachable::FailClosed).await?;
    }
    match charge(limiter, account_key(tenant, email)).await {
        Ok(charged) => Ok(charged),
        Err(Refusal::Limited(verdict)) => {
            let mut tx = tenant.scope().begin(pool).await?;
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

/// After a failed attempt (already charged): count the failure on the user, record it. The
/// caller must not hold a connection of the pool.
pub async fn after_failure(
    pool: &PgPool,
    tenant: &Tenant,
    client: &ClientContext,
    user: Option<UserId>,
    event: &AuditEvent<'_>,
) -> ApiResult<()> {
    let mut tx = tenant.scope().begin(pool).await?;
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

/// Before a secret is checked inside a session (an MFA code to confirm or turn off TOTP, the
/// current password to change it): charged to the same account budget as sign-in, failing
/// closed, so a held session cannot guess without limit either. Refund on success.
pub async fn before_secret_check(limiter: &RateLimiter, tenant: &Tenant, email: &str) -> ApiResult<AccountCharge> {
    Ok(charge(limiter, account_key(tenant, email)).await?)
}
