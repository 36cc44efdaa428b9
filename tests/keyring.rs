//! The keyring against the real control plane: per-tenant keys, bindings, rotation with
//! rewrap, crypto-shredding, and failing closed.

use e2e::{TestApp, random_master_key};
use std::sync::Arc;
use tenants::keyring::{FieldCipher, FieldRef, Keyring, KeyringError, LocalKek, MasterKeySource};
use tenants::{Tenant, TenantSlug};

async fn tenant(app: &TestApp, slug: &str) -> Tenant {
    app.create_tenant(slug).await;
    app.tenancy()
        .get_by_slug(&TenantSlug::parse(slug).expect("slug"))
        .await
        .expect("tenant")
}

/// Stores an MFA secret the way the identity issue will: encrypted, bound to its row.
async fn store_secret(app: &TestApp, tenant: &Tenant, cipher: &FieldCipher, secret: &[u8]) -> String {
    let mut tx = tenant.scope().begin(&app.db.pool).await.expect("begin");
    let id: String = sqlx::query_scalar("SELECT id::text FROM users LIMIT 1")
        .fetch_one(&mut *tx)
        .await
        .expect("user");
    let sealed = cipher
        .encrypt(FieldRef::new("users", "mfa_secret", &id), secret)
        .expect("encrypt");
    sqlx::query("UPDATE users SET mfa_secret = $1 WHERE id::text = $2")
        .bind(sealed)
        .bind(&id)
        .execute(&mut *tx)
        .await
        .expect("store");
    tx.commit().await.expect("commit");
    id
}

async fn load_secret(app: &TestApp, tenant: &Tenant, id: &str) -> Vec<u8> {
    let mut tx = tenant.scope().begin(&app.db.pool).await.expect("begin");
    sqlx::query_scalar("SELECT mfa_secret FROM users WHERE id::text = $1")
        .bind(id)
        .fetch_one(&mut *tx)
        .await
        .expect("load")
}

#[tokio::test]
async fn ciphertexts_round_trip_and_fail_anywhere_else() {
    let app = TestApp::spawn().await;
    let (alpha, beta) = (tenant(&app, "alpha").await, tenant(&app, "beta").await);
    let keyring = app.tenancy().keyring();
    let (a, b) = (
        keyring.cipher(&app.db.pool, alpha.id).await.expect("alpha cipher"),
        keyring.cipher(&app.db.pool, beta.id).await.expect("beta cipher"),
    );
    let id = store_secret(&app, &alpha, &a, b"JBSWY3DPEHPK3PXP").await;
    let sealed = load_secret(&app, &alpha, &id).await;
    let here = FieldRef::new("users", "mfa_secret", &id);
    assert_eq!(&*a.decrypt(here, &sealed).expect("decrypt"), b"JBSWY3DPEHPK3PXP");

    for elsewhere in [
        FieldRef::new("users", "mfa_secret", "another-row"),
        FieldRef::new("users", "email", &id),
        FieldRef::new("posts", "mfa_secret", &id),
    ] {
        assert!(
            matches!(a.decrypt(elsewhere, &sealed), Err(KeyringError::Decrypt)),
            "{elsewhere:?}"
        );
    }
    assert!(
        matches!(b.decrypt(here, &sealed), Err(KeyringError::Decrypt)),
        "another tenant's key"
    );
}

#[tokio::test]
async fn unknown_key_version_fails_closed() {
    let app = TestApp::spawn().await;
    let alpha = tenant(&app, "alpha").await;
    let cipher = app
        .tenancy()
        .keyring()
        .cipher(&app.db.pool, alpha.id)
        .await
        .expect("cipher");
    let field = FieldRef::new("users", "mfa_secret", "r");
    let mut sealed = cipher.encrypt(field, b"x").expect("encrypt");
    sealed[1..5].copy_from_slice(&7u32.to_be_bytes());
    assert!(matches!(cipher.decrypt(field, &sealed), Err(KeyringError::UnknownVersion(v)) if v.get() == 7));
}

#[tokio::test]
async fn rotation_keeps_old_ciphertexts_readable_and_rewrap_upgrades_them() {
    let app = TestApp::spawn().await;
    let alpha = tenant(&app, "alpha").await;
    let pool = &app.db.pool;
    let v1 = app.tenancy().keyring().cipher(pool, alpha.id).await.expect("cipher");
    let id = store_secret(&app, &alpha, &v1, b"secret").await;
    let field = FieldRef::new("users", "mfa_secret", &id);

    let ops = app.operator_token().await;
    let rotated = app
        .ops()
        .token(&ops)
        .post_empty(&format!("/api/ops/v1/tenants/{}/keys/rotate", alpha.id))
        .await;
    assert_eq!(rotated.status, 200, "{}", rotated.text);
    assert_eq!(rotated.body["version"], 2);
    assert_eq!(rotated.body["rewrapped"], 1);

    let stored = load_secret(&app, &alpha, &id).await;
    assert_eq!(
        FieldCipher::version_of(&stored).expect("version").get(),
        2,
        "rewrapped under v2"
    );
    let v2 = app.tenancy().keyring().cipher(pool, alpha.id).await.expect("cipher");
    assert_eq!(v2.primary_version().get(), 2);
    assert_eq!(&*v2.decrypt(field, &stored).expect("new ciphertext"), b"secret");
    let old = v1.encrypt(field, b"old copy").expect("v1 ciphertext");
    assert_eq!(
        &*v2.decrypt(field, &old).expect("old versions still decrypt"),
        b"old copy"
    );
    // The next rotation moves the value on again, from v2 to v3.
    let again = app.tenancy().rotate_key(alpha.id).await.expect("rotate again");
    assert_eq!((again.version.get(), again.rewrap.rewrapped), (3, 1));
}

#[tokio::test]
async fn after_shredding_nothing_of_the_tenant_decrypts() {
    let app = TestApp::spawn().await;
    let alpha = tenant(&app, "alpha").await;
    let pool = &app.db.pool;
    let keyring = app.tenancy().keyring();
    let cipher = keyring.cipher(pool, alpha.id).await.expect("cipher");
    let id = store_secret(&app, &alpha, &cipher, b"secret").await;
    let sealed = load_secret(&app, &alpha, &id).await;

    assert_eq!(keyring.shred(pool, alpha.id).await.expect("shred"), 1);
    assert!(matches!(
        keyring.cipher(pool, alpha.id).await,
        Err(KeyringError::Destroyed)
    ));
    // Even a process that never cached the keys cannot get them back.
    let fresh = Keyring::new(Arc::new(
        LocalKek::load(&MasterKeySource::Inline(random_master_key())).expect("kek"),
    ));
    assert!(fresh.cipher(pool, alpha.id).await.is_err());
    let wrapped: Vec<Option<Vec<u8>>> =
        sqlx::query_scalar("SELECT wrapped FROM platform.tenant_keys WHERE tenant_id = $1")
            .bind(alpha.id)
            .fetch_all(pool)
            .await
            .expect("keys");
    assert!(wrapped.iter().all(Option::is_none), "no wrapped key survives");
    assert!(!sealed.is_empty());
    // The interrupted deletion finishes.
    app.tenancy().delete(alpha.id).await.expect("delete after shred");
}

#[tokio::test]
async fn a_different_master_key_is_reported_not_mistaken_for_corruption() {
    let app = TestApp::spawn().await;
    let alpha = tenant(&app, "alpha").await;
    let other = Keyring::new(Arc::new(
        LocalKek::load(&MasterKeySource::Inline(random_master_key())).expect("kek"),
    ));
    assert!(matches!(
        other.cipher(&app.db.pool, alpha.id).await,
        Err(KeyringError::WrongKek { .. })
    ));
}
