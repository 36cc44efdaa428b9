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

/// The version a ciphertext was sealed under (bytes 2 to 5).
fn version_of(sealed: &[u8]) -> u32 {
    FieldCipher::version_of(sealed).expect("a ciphertext").get()
}

/// The header of a 2 x 3 PNG.
fn png() -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
    bytes.extend_from_slice(&2u32.to_be_bytes());
    bytes.extend_from_slice(&3u32.to_be_bytes());
    bytes.extend_from_slice(b"\x08\x02\0\0\0\0\0\0\0");
    bytes
}

/// Rotation re-seals everything sealed under the old key: MFA secrets (pending ones too),
/// media objects and plugins' sealed values; the old version can then be destroyed (never the
/// primary, never while something is left under it), by an operator, on the tenant's record;
/// and what was sealed stays readable throughout.
#[tokio::test]
async fn rotation_rewraps_everything_and_a_retired_version_is_destroyed_only_when_empty() {
    use serde_json::json;
    let app = TestApp::spawn().await;
    let acme = tenant(&app, "acme").await;
    let site = app.open_trust("acme").await;
    // A pending MFA enrolment, a media object, a plugin's sealed value: all under version 1.
    let enrolment = site.post_empty("/api/v1/auth/mfa/totp").await;
    assert_eq!(enrolment.status, 200, "{}", enrolment.text);
    let upload = e2e::HostClient::send(
        site.request(reqwest::Method::POST, "/api/v1/media")
            .header("content-type", "application/octet-stream")
            .header("content-disposition", "attachment; filename=\"scan.png\"")
            .body(png()),
    )
    .await;
    assert_eq!(upload.status, 201, "{}", upload.text);
    let media = upload.body["id"].as_str().expect("id").to_owned();
    let installed = site
        .post(
            "/api/v1/plugins",
            &json!({"catalogue": "custom-fields", "grant": ["crypto"], "enable": true, "config": {"field_groups": [
                {"key": "g", "title": "G", "show_in_rest": 1, "location": [[{"param": "post_type", "operator": "==", "value": "post"}]],
                 "fields": [{"key": "field_cpf", "name": "cpf", "type": "text", "sensitive": 1}]}
            ]}}),
        )
        .await;
    assert_eq!(installed.status, 201, "{}", installed.text);
    let post = site
        .post(
            "/api/v1/posts",
            &json!({"title": "p", "acf": {"cpf": "123.456.789-00"}}),
        )
        .await;
    assert_eq!(post.status, 201, "{}", post.text);
    let post = post.body["id"].as_str().expect("id").to_owned();

    let ops = app.ops().token(&app.operator_token().await);
    let keys = format!("/api/ops/v1/tenants/{}/keys", acme.id);
    ops.delete(&format!("{keys}/1"))
        .await
        .assert_problem(409, "key_is_primary");
    let rotated = ops.post_empty(&format!("{keys}/rotate")).await;
    assert_eq!(rotated.status, 200, "{}", rotated.text);
    assert_eq!(rotated.body["version"], 2);
    assert_eq!(rotated.body["media_rewrapped"], 1, "{}", rotated.text);
    assert!(
        rotated.body["plugin_values_rewrapped"].as_u64() >= Some(1),
        "{}",
        rotated.text
    );
    assert!(
        rotated.body["rewrapped"].as_u64() >= Some(1),
        "the pending secret: {}",
        rotated.text
    );

    // Everything is under version 2 now.
    let pool = &app.db.pool;
    let pending: Vec<u8> = sqlx::query_scalar("SELECT mfa_pending_secret FROM tenant_acme.users")
        .fetch_one(pool)
        .await
        .expect("pending");
    assert_eq!(version_of(&pending), 2);
    let object = std::fs::read(app.db.object_dir().join(format!("tenants/{}/media/{media}", acme.id))).expect("object");
    assert_eq!(version_of(&object), 2);
    let sealed: String = sqlx::query_scalar("SELECT value #>> '{}' FROM tenant_acme.post_meta WHERE key = 'cpf'")
        .fetch_one(pool)
        .await
        .expect("sealed value");
    let found = platform::plugins::sealed::find_all(&sealed);
    assert_eq!(found.len(), 1, "{sealed}");
    assert_eq!(version_of(&found[0].1.ciphertext), 2);

    // Not at once: something loaded before the rotation may still seal under version 1.
    ops.delete(&format!("{keys}/1"))
        .await
        .assert_problem(409, "key_recently_retired");
    let backdate = || async {
        sqlx::query("UPDATE platform.tenant_keys SET created_at = created_at - interval '1 hour' WHERE tenant_id = $1")
            .bind(acme.id)
            .execute(pool)
            .await
            .expect("backdate the rotations");
    };
    backdate().await;
    let destroyed = ops.delete(&format!("{keys}/1")).await;
    assert_eq!(destroyed.status, 204, "{}", destroyed.text);
    // Still readable: the file, the sealed field, the pending enrolment.
    assert_eq!(site.get(&format!("/api/v1/media/{media}/file")).await.status, 200);
    let edit = site.get(&format!("/api/v1/posts/{post}?context=edit")).await;
    assert_eq!(edit.body["acf"]["cpf"], "123.456.789-00", "{}", edit.text);
    site.post("/api/v1/auth/mfa/totp/confirm", &json!({"code": "000000"}))
        .await
        .assert_problem(422, "validation_failed");
    // Recorded in the tenant's own trail, the operator as actor.
    let trail = site.get("/api/v1/audit?action=keys.destroy").await;
    assert_eq!(trail.body[0]["actor_type"], "operator", "{}", trail.text);
    assert_eq!(trail.body[0]["details"]["version"], 1);
    let rotation = site.get("/api/v1/audit?action=keys.rotate").await;
    assert_eq!(rotation.body[0]["details"]["version"], 2, "{}", rotation.text);

    // A version something is still sealed under is refused.
    app.tenancy()
        .keyring()
        .rotate(app.tenancy().owner_pool(), acme.id)
        .await
        .expect("rotate without rewrap");
    let refused = ops.delete(&format!("{keys}/2")).await;
    refused.assert_problem(409, "key_still_used");
    let rewrapped = ops.post_empty(&format!("{keys}/rewrap")).await;
    assert_eq!(rewrapped.status, 200, "{}", rewrapped.text);
    backdate().await;
    assert_eq!(ops.delete(&format!("{keys}/2")).await.status, 204);
    ops.delete(&format!("{keys}/9"))
        .await
        .assert_problem(404, "key_version_not_found");
}

#[tokio::test]
async fn offboarding_deletes_the_tenants_objects_after_shredding_its_keys() {
    let app = TestApp::spawn().await;
    let acme = tenant(&app, "acme").await;
    let site = app.open_trust("acme").await;
    let upload = e2e::HostClient::send(
        site.request(reqwest::Method::POST, "/api/v1/media")
            .header("content-type", "application/octet-stream")
            .header("content-disposition", "attachment; filename=\"scan.png\"")
            .body(png()),
    )
    .await;
    assert_eq!(upload.status, 201, "{}", upload.text);
    app.state
        .checkpoints
        .write(app.tenancy().pool(), &acme)
        .await
        .expect("checkpoint");
    let dir = app.db.object_dir().join(format!("tenants/{}", acme.id));
    assert!(dir.join("media").exists() && dir.join("audit-checkpoints").exists());

    let ops = app.ops().token(&app.operator_token().await);
    let deleted = ops.delete(&format!("/api/ops/v1/tenants/{}", acme.id)).await;
    assert_eq!(deleted.status, 204, "{}", deleted.text);
    let left: Vec<_> = walk(&dir);
    assert!(left.is_empty(), "objects left behind: {left:?}");
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(walk(&path));
        } else {
            found.push(path);
        }
    }
    found
}
