//! Identity benchmarks: JWT verification, the trust decision (cached and not), and sign-in
//! with the share Argon2id takes of it.
//!
//!   cargo bench -p e2e --bench identity

use axum::extract::FromRequestParts as _;
use base64::Engine as _;
use e2e::{ADMIN_PASSWORD, TestApp};
use platform::access::Principal;
use platform::access::trust::Action;
use platform::access::trust::engine::evaluate;
use platform::audit::ClientContext;
use platform::auth::tenant_user::TenantUser;
use platform::http::site::Site;
use serde_json::json;
use std::sync::Arc;
use std::time::{Duration, Instant};

fn summary(mut samples: Vec<Duration>) -> String {
    samples.sort_unstable();
    let at = |p: f64| samples[((samples.len() as f64 - 1.0) * p).round() as usize];
    let us = |d: Duration| format!("{:.1} µs", d.as_secs_f64() * 1e6);
    let mean = samples.iter().sum::<Duration>() / samples.len() as u32;
    format!(
        "mean {} | p50 {} | p99 {} (n = {})",
        us(mean),
        us(at(0.5)),
        us(at(0.99)),
        samples.len()
    )
}

#[tokio::main]
async fn main() {
    let app = TestApp::spawn().await;
    app.create_tenant("bench").await;
    let token = app.admin_token("bench").await;
    let tenant = Arc::new(
        app.tenancy()
            .get_by_slug(&tenants::TenantSlug::parse("bench").expect("slug"))
            .await
            .expect("tenant"),
    );
    println!("| benchmark | result |\n|---|---|");

    // JWT verification, cold: a token never seen before (signature, algorithm, kid, exp, nbf,
    // iss, aud, typ, tid, sid), then warm: the same token again.
    let fresh: Vec<String> = (0..5_000)
        .map(|_| {
            let session = uuid::Uuid::new_v4();
            app.state
                .tokens
                .issue_tenant_access(tenant.id, tenants::UserId::new(), session)
                .expect("issue")
                .token
        })
        .collect();
    // Interleaved, so that a noisy neighbour on this shared machine slows all three alike:
    // a first verification, and two floors for it on the same token (ring's Ed25519 check,
    // and ed25519-dalek's with a key built once, which is what a first verification uses).
    let jwks = app.state.tokens.tenant_jwks();
    let x = jwks["keys"][0]["x"].as_str().expect("x");
    let public = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(x).expect("key");
    let (signed, signature) = token.rsplit_once('.').expect("jwt");
    let signature = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(signature)
        .expect("sig");
    let ring_key = ring::signature::UnparsedPublicKey::new(&ring::signature::ED25519, public.clone());
    let public: [u8; 32] = public.as_slice().try_into().expect("32 bytes");
    let (mut cold, mut raw, mut dalek, mut rebuilt) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let dalek_key = ed25519_dalek::VerifyingKey::from_bytes(&public).expect("key");
    let dalek_signature = ed25519_dalek::Signature::from_slice(&signature).expect("signature");
    for t in &fresh {
        let started = Instant::now();
        app.state.tokens.verify_tenant_access(t, tenant.id).expect("valid");
        cold.push(started.elapsed());
        let started = Instant::now();
        ring_key.verify(signed.as_bytes(), &signature).expect("signature");
        raw.push(started.elapsed());
        let started = Instant::now();
        ed25519_dalek::Verifier::verify(&dalek_key, signed.as_bytes(), &dalek_signature).expect("signature");
        dalek.push(started.elapsed());
        // What jsonwebtoken's stock verifier does: build the key, then check.
        let started = Instant::now();
        let key = ed25519_dalek::VerifyingKey::from_bytes(&public).expect("key");
        ed25519_dalek::Verifier::verify(&key, signed.as_bytes(), &dalek_signature).expect("signature");
        rebuilt.push(started.elapsed());
    }
    let warm: Vec<Duration> = (0..20_000)
        .map(|_| {
            let started = Instant::now();
            app.state.tokens.verify_tenant_access(&token, tenant.id).expect("valid");
            started.elapsed()
        })
        .collect();
    println!(
        "| verify a tenant access token, first time (EdDSA + claims) | {} |",
        summary(cold)
    );
    println!(
        "| of which: ed25519-dalek's signature check alone, key built once | {} |",
        summary(dalek)
    );
    println!(
        "| for comparison: ed25519-dalek, key built for every check (jsonwebtoken's stock verifier) | {} |",
        summary(rebuilt)
    );
    println!(
        "| for comparison: ring's Ed25519 signature check alone | {} |",
        summary(raw)
    );
    println!(
        "| verify the same token again (verified-token cache) | {} |",
        summary(warm)
    );

    // The trust decision, through the same extractor and loader a request uses.
    let request = axum::http::Request::builder()
        .header("authorization", format!("Bearer {token}"))
        .body(())
        .expect("request");
    let (mut parts, ()) = request.into_parts();
    parts.extensions.insert(Site::Tenant(tenant.clone()));
    let user = TenantUser::from_request_parts(&mut parts, &app.state)
        .await
        .expect("tenant user");
    let client = ClientContext {
        ip: Some("127.0.0.1".parse().expect("ip")),
        ..Default::default()
    };
    let pool = app.tenancy().pool();
    let mut tx = tenant.scope().begin(pool).await.expect("begin");
    let me = Principal::load(&mut tx, user.subject()).await.expect("principal");
    let mut uncached = Vec::new();
    for i in 0..2_200 {
        app.state.trust.clear();
        let started = Instant::now();
        evaluate(&app.state.trust, &mut tx, &me, Action::Publish, &client)
            .await
            .expect("decision");
        if i >= 200 {
            uncached.push(started.elapsed());
        }
    }
    let mut cached = Vec::new();
    for i in 0..21_000 {
        let started = Instant::now();
        evaluate(&app.state.trust, &mut tx, &me, Action::Publish, &client)
            .await
            .expect("decision");
        if i >= 1000 {
            cached.push(started.elapsed());
        }
    }
    drop(tx);
    println!(
        "| trust score + decision, uncached (one query in an open tenant transaction) | {} |",
        summary(uncached)
    );
    println!("| trust decision, cached | {} |", summary(cached));

    // Sign-in over HTTP, and Argon2id verification on its own.
    let hash: String = {
        let mut tx = tenant.scope().begin(pool).await.expect("begin");
        sqlx::query_scalar("SELECT password_hash FROM users LIMIT 1")
            .fetch_one(&mut *tx)
            .await
            .expect("hash")
    };
    let mut argon = Vec::new();
    for _ in 0..100 {
        let started = Instant::now();
        assert!(tenants::password::verify_password(Some(hash.clone()), ADMIN_PASSWORD).await);
        argon.push(started.elapsed());
    }
    let mut login = Vec::new();
    let body = json!({"email": "admin@bench.test", "password": ADMIN_PASSWORD});
    for _ in 0..100 {
        let started = Instant::now();
        let reply = app.tenant("bench").post("/api/v1/auth/login", &body).await;
        login.push(started.elapsed());
        assert_eq!(reply.status, 200, "{}", reply.text);
    }
    let mean = |v: &[Duration]| v.iter().sum::<Duration>().as_secs_f64() / v.len() as f64;
    let share = mean(&argon) / mean(&login) * 100.0;
    println!(
        "| Argon2id verification alone (m=19 MiB, t=2, p=1) | {} |",
        summary(argon)
    );
    println!(
        "| POST /api/v1/auth/login over HTTP (sequential) | {} |",
        summary(login)
    );
    println!("| Argon2id share of a sign-in | {share:.0} % |");
}
