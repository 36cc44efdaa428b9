//! Caches never keep what was read before an invalidation: a lookup in flight while a tenant
//! is suspended, or its keys rotate, answers its own request, and is not cached for the next.

use e2e::{DbProxy, TestApp};
use sqlx::postgres::{PgPool, PgPoolOptions};
use std::sync::Arc;
use tenants::keyring::{FieldCipher, FieldRef, Keyring, LocalKek};
use tenants::{Hostname, TenantResolver, TenantStatus};

const PROXIED: &str = "caches-test-proxied";

/// A pool through the proxy, whose first bytes on a request are the query itself.
async fn pool_through(app: &TestApp, proxy: &DbProxy) -> PgPool {
    PgPoolOptions::new()
        .max_connections(1)
        .min_connections(1)
        .test_before_acquire(false)
        .connect_with(
            app.db
                .serving_options()
                .host("127.0.0.1")
                .port(proxy.port())
                .application_name(PROXIED),
        )
        .await
        .expect("pool through the proxy")
}

/// Runs `load` until the server has answered its query (which mentions `table`), holds the
/// answer back while `meanwhile` runs, then lets it through, and returns what `load` read.
async fn with_reply_held<T, F, M>(
    app: &TestApp,
    proxy: &DbProxy,
    pool: &PgPool,
    table: &str,
    load: F,
    meanwhile: M,
) -> T
where
    F: std::future::Future<Output = T> + Send + 'static,
    T: Send + 'static,
    M: std::future::Future<Output = ()>,
{
    e2e::eventually("the pool is idle", || async { pool.num_idle() == 1 }).await;
    let before: chrono::DateTime<chrono::Utc> = sqlx::query_scalar("SELECT clock_timestamp()")
        .fetch_one(&app.db.pool)
        .await
        .expect("now");
    proxy.hold_replies();
    let load = tokio::spawn(load);
    e2e::eventually("the server answered the lookup", || async {
        let done: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE application_name = $1 \
             AND datname = current_database() AND state = 'idle' AND state_change > $3 \
             AND query LIKE '%' || $2 || '%')",
        )
        .bind(PROXIED)
        .bind(table)
        .bind(before)
        .fetch_one(&app.db.pool)
        .await
        .expect("activity");
        done
    })
    .await;
    meanwhile.await;
    proxy.release_replies();
    load.await.expect("join")
}

#[tokio::test]
async fn a_tenant_suspended_while_its_host_is_looked_up_stops_routing_at_once() {
    let app = TestApp::spawn().await;
    let alpha = app.created_tenant("alpha").await;
    let proxy = DbProxy::start(e2e::server_addr().await).await;
    let pool = pool_through(&app, &proxy).await;
    let resolver = Arc::new(TenantResolver::new(pool.clone(), std::time::Duration::from_secs(60)));
    let host = Hostname::parse("alpha.localhost").expect("host");
    // Prepares the statement, so the lookup below is one round trip.
    resolver
        .resolve(&Hostname::parse("unknown.localhost").expect("host"))
        .await
        .expect("resolve");

    let lookup = {
        let (resolver, host) = (resolver.clone(), host.clone());
        async move { resolver.resolve(&host).await.expect("resolve") }
    };
    let read = with_reply_held(&app, &proxy, &pool, "platform.tenants", lookup, async {
        app.tenancy().suspend(alpha.id).await.expect("suspend");
        // What the invalidation listener does on hearing of it.
        resolver.invalidate_tenant(alpha.id);
    })
    .await;
    assert_eq!(
        read.expect("routes").status,
        TenantStatus::Active,
        "read before the change"
    );

    let next = resolver.resolve(&host).await.expect("resolve").expect("routes");
    assert_eq!(next.status, TenantStatus::Suspended, "the stale read was not cached");
}

#[tokio::test]
async fn keys_loaded_while_a_rotation_lands_are_not_cached() {
    let app = TestApp::spawn().await;
    let alpha = app.created_tenant("alpha").await;
    let proxy = DbProxy::start(e2e::server_addr().await).await;
    let pool = pool_through(&app, &proxy).await;
    // This instance's keyring, under the same master key as the app's.
    let kek = LocalKek::load(&app.config().master_key).expect("kek");
    let keyring = Arc::new(Keyring::new(Arc::new(kek)));
    // Prepares the statement, so the load below is one round trip.
    let beta = app.created_tenant("beta").await;
    keyring.cipher(&pool, beta.id).await.expect("cipher");

    let load = {
        let (keyring, pool) = (keyring.clone(), pool.clone());
        async move { keyring.cipher(&pool, alpha.id).await.expect("cipher") }
    };
    let read: FieldCipher = with_reply_held(&app, &proxy, &pool, "platform.tenant_keys", load, async {
        app.tenancy().rotate_key(alpha.id).await.expect("rotate");
        keyring.invalidate(alpha.id);
    })
    .await;
    assert_eq!(read.primary_version().get(), 1, "read before the rotation");

    let next = keyring.cipher(&pool, alpha.id).await.expect("cipher");
    assert_eq!(next.primary_version().get(), 2, "the stale keys were not cached");
    let sealed = next.encrypt(FieldRef::new("t", "c", "r"), b"x").expect("seal");
    assert_eq!(FieldCipher::version_of(&sealed).expect("version").get(), 2);
}
