//! Cache invalidation across instances through PostgreSQL LISTEN/NOTIFY.
//!
//! Why PostgreSQL and not Redis pub/sub: `NOTIFY` is sent inside the transaction that made the
//! change and delivered only when it commits, so no instance can hear of a change before it
//! is visible, and a rolled-back change is never announced. It also needs nothing beyond the
//! database every instance already has.

use crate::TenantId;
use crate::keyring::Keyring;
use crate::resolver::TenantResolver;
use sqlx::PgConnection;
use sqlx::postgres::{PgListener, PgPool};
use std::sync::Arc;
use std::time::Duration;

pub const CHANNEL: &str = "platform_invalidate";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Invalidation {
    /// Status, name or domains of a tenant changed.
    Tenant(TenantId),
    /// A tenant's data keys changed (rotation, shredding).
    Keys(TenantId),
    /// The platform's token signing keys changed (rotation).
    SigningKeys,
    /// Something public responses of a tenant show changed (sent by the database's content
    /// triggers, `platform.notify_content_changed`).
    Content(TenantId),
}

impl Invalidation {
    fn encode(self) -> String {
        match self {
            Self::Tenant(id) => format!("tenant:{id}"),
            Self::Keys(id) => format!("keys:{id}"),
            Self::Content(id) => format!("content:{id}"),
            Self::SigningKeys => "signing-keys".to_owned(),
        }
    }

    fn decode(payload: &str) -> Option<Self> {
        if payload == "signing-keys" {
            return Some(Self::SigningKeys);
        }
        let (kind, id) = payload.split_once(':')?;
        let id = id.parse().ok()?;
        match kind {
            "tenant" => Some(Self::Tenant(id)),
            "keys" => Some(Self::Keys(id)),
            "content" => Some(Self::Content(id)),
            _ => None,
        }
    }
}

/// Queues a notification in the caller's transaction; it is delivered on commit.
pub async fn notify(conn: &mut PgConnection, what: Invalidation) -> Result<(), sqlx::Error> {
    sqlx::query("SELECT pg_notify($1, $2)")
        .bind(CHANNEL)
        .bind(what.encode())
        .execute(conn)
        .await?;
    Ok(())
}

/// Listens for invalidations and applies them to this process's caches until the task is
/// aborted. A lost connection may have lost notifications, so then everything is dropped.
/// Called when the signing keys may have changed (told so, or notifications were lost).
pub type OnSigningKeys = Arc<dyn Fn() + Send + Sync>;

/// Called when a tenant's content changed, or with `None` when any may have (notifications
/// were lost).
pub type OnContent = Arc<dyn Fn(Option<TenantId>) + Send + Sync>;

pub fn spawn_listener(
    pool: PgPool,
    resolver: Arc<TenantResolver>,
    keyring: Arc<Keyring>,
    on_signing_keys: OnSigningKeys,
    on_content: OnContent,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            match listen(&pool, &resolver, &keyring, &on_signing_keys, &on_content).await {
                Ok(()) => {}
                Err(error) => tracing::warn!(%error, "invalidation listener lost its connection; retrying"),
            }
            resolver.invalidate_all();
            keyring.invalidate_all();
            on_signing_keys();
            on_content(None);
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    })
}

async fn listen(
    pool: &PgPool,
    resolver: &TenantResolver,
    keyring: &Keyring,
    on_signing_keys: &OnSigningKeys,
    on_content: &OnContent,
) -> Result<(), sqlx::Error> {
    let mut listener = PgListener::connect_with(pool).await?;
    listener.listen(CHANNEL).await?;
    // Anything that changed while we were not listening is unknown to us.
    resolver.invalidate_all();
    keyring.invalidate_all();
    on_signing_keys();
    on_content(None);
    tracing::debug!("invalidation listener connected");
    // `try_recv` yields `None` when the connection dropped (and will reconnect next call).
    while let Some(notification) = listener.try_recv().await? {
        match Invalidation::decode(notification.payload()) {
            Some(Invalidation::Tenant(id)) => resolver.invalidate_tenant(id),
            Some(Invalidation::Keys(id)) => keyring.invalidate(id),
            Some(Invalidation::SigningKeys) => on_signing_keys(),
            Some(Invalidation::Content(id)) => on_content(Some(id)),
            None => tracing::warn!(payload = notification.payload(), "unknown invalidation"),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_round_trip() {
        let id = TenantId::new();
        for what in [
            Invalidation::Tenant(id),
            Invalidation::Keys(id),
            Invalidation::SigningKeys,
            Invalidation::Content(id),
        ] {
            assert_eq!(Invalidation::decode(&what.encode()), Some(what));
        }
        assert_eq!(Invalidation::decode("nonsense"), None);
    }
}
