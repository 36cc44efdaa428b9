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
    /// A tenant's plugin installs changed (sent by `platform.notify_plugins_changed`).
    Plugins(TenantId),
}

impl Invalidation {
    fn encode(self) -> String {
        match self {
            Self::Tenant(id) => format!("tenant:{id}"),
            Self::Keys(id) => format!("keys:{id}"),
            Self::Content(id) => format!("content:{id}"),
            Self::Plugins(id) => format!("plugins:{id}"),
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
            "plugins" => Some(Self::Plugins(id)),
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

/// Called when the signing keys may have changed (told so, or notifications were lost).
pub type OnSigningKeys = Arc<dyn Fn() + Send + Sync>;

/// Called with the tenant whose data changed, or with `None` when any may have
/// (notifications were lost).
pub type OnTenant = Arc<dyn Fn(Option<TenantId>) + Send + Sync>;

/// What the layers above do with the kinds of invalidation this crate has no cache for.
#[derive(Clone)]
pub struct Handlers {
    pub signing_keys: OnSigningKeys,
    /// Content a tenant's responses show changed.
    pub content: OnTenant,
    /// A tenant's plugin installs changed.
    pub plugins: OnTenant,
}

impl Handlers {
    /// Everything may have changed: notifications were lost, or never heard.
    fn all_changed(&self) {
        (self.signing_keys)();
        (self.content)(None);
        (self.plugins)(None);
    }
}

/// Listens for invalidations and applies them to this process's caches until the task is
/// aborted. A lost connection may have lost notifications, so then everything is dropped.
pub fn spawn_listener(
    pool: PgPool,
    resolver: Arc<TenantResolver>,
    keyring: Arc<Keyring>,
    handlers: Handlers,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            match listen(&pool, &resolver, &keyring, &handlers).await {
                Ok(()) => {}
                Err(error) => tracing::warn!(%error, "invalidation listener lost its connection; retrying"),
            }
            resolver.invalidate_all();
            keyring.invalidate_all();
            handlers.all_changed();
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    })
}

async fn listen(
    pool: &PgPool,
    resolver: &TenantResolver,
    keyring: &Keyring,
    handlers: &Handlers,
) -> Result<(), sqlx::Error> {
    let mut listener = PgListener::connect_with(pool).await?;
    listener.listen(CHANNEL).await?;
    // Anything that changed while we were not listening is unknown to us.
    resolver.invalidate_all();
    keyring.invalidate_all();
    handlers.all_changed();
    tracing::debug!("invalidation listener connected");
    // `try_recv` yields `None` when the connection dropped (and will reconnect next call).
    while let Some(notification) = listener.try_recv().await? {
        match Invalidation::decode(notification.payload()) {
            Some(Invalidation::Tenant(id)) => resolver.invalidate_tenant(id),
            Some(Invalidation::Keys(id)) => keyring.invalidate(id),
            Some(Invalidation::SigningKeys) => (handlers.signing_keys)(),
            Some(Invalidation::Content(id)) => (handlers.content)(Some(id)),
            Some(Invalidation::Plugins(id)) => (handlers.plugins)(Some(id)),
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
            Invalidation::Plugins(id),
        ] {
            assert_eq!(Invalidation::decode(&what.encode()), Some(what));
        }
        assert_eq!(Invalidation::decode("nonsense"), None);
    }
}
