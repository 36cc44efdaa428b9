//! Sessions and their refresh tokens.

use crate::audit::{self, Actor, AuditEvent, ClientContext, Outcome};
use crate::auth::codes::AuthCode;
use crate::http::{ApiError, ApiResult};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use rand::RngCore as _;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::time::Duration;
use tenants::{TenantTx, UserId};
use utoipa::ToSchema;
use uuid::Uuid;

/// How long sessions live: `idle` without a refresh, `absolute` at most.
#[derive(Debug, Clone, Copy)]
pub struct SessionLimits {
    pub idle: Duration,
    pub absolute: Duration,
}

impl Default for SessionLimits {
    fn default() -> Self {
        Self {
            idle: Duration::from_secs(30 * 60),
            absolute: Duration::from_secs(12 * 3600),
        }
    }
}

/// Refresh tokens are 256 random bits behind a recognisable prefix; only their SHA-256 is
/// stored.
const PREFIX: &str = "rt_";

pub fn new_refresh_token() -> (String, Vec<u8>) {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let token = format!("{PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes));
    let hash = hash_token(&token);
    (token, hash)
}

pub fn hash_token(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}

/// Opens a session for a user who just proved who they are; returns its id and the first
/// refresh token.
pub async fn open(
    tx: &mut TenantTx,
    user: UserId,
    limits: SessionLimits,
    client: &ClientContext,
    mfa: bool,
) -> Result<(Uuid, String), sqlx::Error> {
    let id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO sessions (id, user_id, expires_at, ip, user_agent, mfa) \
         VALUES ($1, $2, now() + make_interval(secs => $3), $4, $5, $6)",
    )
    .bind(id)
    .bind(user)
    .bind(secs(limits.absolute))
    .bind(client.ip.map(|ip| ip.to_string()))
    .bind(&client.user_agent)
    .bind(mfa)
    .execute(&mut **tx)
    .await?;
    let (token, hash) = new_refresh_token();
    sqlx::query("INSERT INTO refresh_tokens (token_hash, session_id) VALUES ($1, $2)")
        .bind(hash)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok((id, token))
}

/// What presenting a refresh token led to.
#[derive(Debug)]
pub enum Refreshed {
    /// A new refresh token for the same session.
    Rotated {
        session_id: Uuid,
        user_id: UserId,
        refresh_token: String,
    },
    /// Unknown token, or a session that is revoked or expired.
    Refused,
    /// The token was already used: someone holds a copy. The session is now revoked.
    Reused { session_id: Uuid, user_id: UserId },
}

#[derive(sqlx::FromRow)]
struct TokenRow {
    session_id: Uuid,
    used_at: Option<DateTime<Utc>>,
    user_id: UserId,
    live: bool,
}

/// Exchanges a refresh token for the next one. The token row is locked, so two concurrent
/// exchanges of one token cannot both succeed: the second is treated as reuse.
pub async fn refresh(tx: &mut TenantTx, token: &str, limits: SessionLimits) -> Result<Refreshed, sqlx::Error> {
    if !token.starts_with(PREFIX) || token.len() > 100 {
        return Ok(Refreshed::Refused);
    }
    let row: Option<TokenRow> = sqlx::query_as(
        "SELECT t.session_id, t.used_at, s.user_id, \
                (s.revoked_at IS NULL AND s.expires_at > now() \
                 AND s.last_used_at > now() - make_interval(secs => $2)) AS live \
         FROM refresh_tokens t JOIN sessions s ON s.id = t.session_id \
         WHERE t.token_hash = $1 FOR UPDATE OF t, s",
    )
    .bind(hash_token(token))
    .bind(secs(limits.idle))
    .fetch_optional(&mut **tx)
    .await?;
    let Some(row) = row else { return Ok(Refreshed::Refused) };
    if row.used_at.is_some() {
        revoke(tx, row.session_id, "refresh_token_reused").await?;
        return Ok(Refreshed::Reused {
            session_id: row.session_id,
            user_id: row.user_id,
        });
    }
    if !row.live {
        return Ok(Refreshed::Refused);
    }
    sqlx::query("UPDATE refresh_tokens SET used_at = now() WHERE token_hash = $1")
        .bind(hash_token(token))
        .execute(&mut **tx)
        .await?;
    sqlx::query("UPDATE sessions SET last_used_at = now() WHERE id = $1")
        .bind(row.session_id)
        .execute(&mut **tx)
        .await?;
    let (next, hash) = new_refresh_token();
    sqlx::query("INSERT INTO refresh_tokens (token_hash, session_id) VALUES ($1, $2)")
        .bind(hash)
        .bind(row.session_id)
        .execute(&mut **tx)
        .await?;
    Ok(Refreshed::Rotated {
        session_id: row.session_id,
        user_id: row.user_id,
        refresh_token: next,
    })
}

/// Ends the caller's own session (signing out), on the record.
pub async fn logout(tx: &mut TenantTx, user: UserId, session: Uuid, client: &ClientContext) -> ApiResult<()> {
    revoke(tx, session, "logout").await?;
    let event =
        AuditEvent::new("auth.logout", Outcome::Success, Actor::User(*user.as_uuid())).resource("session", session);
    audit::append(tx, &event, client).await?;
    Ok(())
}

/// Ends one of `user`'s own live sessions, on the record; any other id is 404
/// `session_not_found` (another user's session is not told apart from none).
pub async fn revoke_own(tx: &mut TenantTx, user: UserId, client: &ClientContext, session: Uuid) -> ApiResult<()> {
    let owned: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM sessions WHERE id = $1 AND user_id = $2)")
        .bind(session)
        .bind(user)
        .fetch_one(&mut **tx)
        .await?;
    if !owned || !revoke(tx, session, "revoked_by_user").await? {
        return Err(ApiError::of(
            AuthCode::SessionNotFound,
            "you have no live session with this id",
        ));
    }
    let event =
        AuditEvent::new("session.revoke", Outcome::Success, Actor::User(*user.as_uuid())).resource("session", session);
    audit::append(tx, &event, client).await?;
    Ok(())
}

/// Revokes one session. True when it was live.
pub async fn revoke(tx: &mut TenantTx, session: Uuid, reason: &str) -> Result<bool, sqlx::Error> {
    let done =
        sqlx::query("UPDATE sessions SET revoked_at = now(), revoked_reason = $2 WHERE id = $1 AND revoked_at IS NULL")
            .bind(session)
            .bind(reason)
            .execute(&mut **tx)
            .await?;
    Ok(done.rows_affected() == 1)
}

/// Revokes every live session of a user except `keep`. Returns how many.
pub async fn revoke_others(
    tx: &mut TenantTx,
    user: UserId,
    keep: Option<Uuid>,
    reason: &str,
) -> Result<u64, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE sessions SET revoked_at = now(), revoked_reason = $3 \
         WHERE user_id = $1 AND revoked_at IS NULL AND ($2::uuid IS NULL OR id <> $2)",
    )
    .bind(user)
    .bind(keep)
    .bind(reason)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected())
}

/// A live session, as its owner sees it.
#[derive(Debug, Serialize, ToSchema, sqlx::FromRow)]
pub struct SessionView {
    pub id: Uuid,
    pub created_at: DateTime<Utc>,
    pub last_used_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub mfa: bool,
    /// The session of the request that lists them.
    #[sqlx(default)]
    pub current: bool,
}

pub async fn list_live(
    tx: &mut TenantTx,
    user: UserId,
    current: Uuid,
    limits: SessionLimits,
) -> Result<Vec<SessionView>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, created_at, last_used_at, expires_at, ip, user_agent, mfa, id = $2 AS current FROM sessions \
         WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > now() \
           AND (id = $2 OR last_used_at > now() - make_interval(secs => $3)) \
         ORDER BY last_used_at DESC",
    )
    .bind(user)
    .bind(current)
    .bind(secs(limits.idle))
    .fetch_all(&mut **tx)
    .await
}
