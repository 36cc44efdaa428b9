//! Test support: a fresh database per test on the real PostgreSQL (cloned from a template
//! migrated once per run), the real server on an ephemeral port, and an HTTP client that
//! talks to it as any host.

pub mod bench;

/// Plugin components the build script built from source (tests/guests, the SDK template).
pub mod guests {
    pub const PROBE: &str = env!("GUEST_GUEST_PROBE");
    pub const ECHO: &str = env!("GUEST_GUEST_ECHO");
    pub const TEMPLATE: &str = env!("GUEST_PLUGIN_TEMPLATE");
    pub const NOOP: &str = env!("GUEST_GUEST_NOOP");
}
mod client;
mod db;
mod proxy;
mod template;

pub use client::{HostClient, Reply};
pub use db::{TestDb, server_addr};
pub use proxy::DbProxy;

use base64::Engine as _;
use platform::config::Config;
use platform::state::AppState;
use rand::RngCore as _;
use secrecy::SecretString;
use serde_json::{Value, json};
use std::net::SocketAddr;
use tenants::Tenancy;

pub const OPERATOR_EMAIL: &str = "ops@platform.test";
pub const OPERATOR_PASSWORD: &str = "operator-password-123";
pub const ADMIN_PASSWORD: &str = "admin-password-123";

/// The platform serving on 127.0.0.1:{ephemeral}, over its own test database.
pub struct TestApp {
    pub db: TestDb,
    pub state: AppState,
    pub addr: SocketAddr,
    pub client: reqwest::Client,
    master_key: SecretString,
}

/// Polls `check` every 100 ms for up to five seconds, and panics naming `what` if it never
/// holds: for what arrives just after a commit (notifications, background actions).
pub async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..50 {
        if check().await {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("not within 5 s: {what}");
}

pub fn random_master_key() -> SecretString {
    let mut key = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut key);
    SecretString::from(base64::engine::general_purpose::STANDARD.encode(key))
}

impl TestApp {
    pub async fn spawn() -> Self {
        Self::spawn_with(|_| {}).await
    }

    /// An app whose request rate limits are still checked on every request (their Redis round
    /// trip is part of what benchmarks measure) but are too high to refuse anything: for tests
    /// and benchmarks that make hundreds of requests. The limits have tests of their own.
    pub async fn unlimited() -> Self {
        Self::spawn_with(|c| {
            let huge = platform::limits::Quota::per_minute(10_000_000, 10_000_000);
            c.http.limits.per_ip = huge;
            c.http.limits.per_tenant = huge;
            c.http.limits.per_user = huge;
        })
        .await
    }

    /// An app whose configuration the test adjusts first (a Redis that is down, say).
    pub async fn spawn_with(configure: impl FnOnce(&mut Config)) -> Self {
        // `TEST_LOG=warn` (any filter) shows the server's log, for a failing test.
        if let Ok(filter) = std::env::var("TEST_LOG") {
            platform::telemetry::init_tracing(platform::config::LogFormat::Pretty, &filter);
        }
        let db = TestDb::new().await;
        let master_key = random_master_key();
        let mut config = config_for(&db, &master_key);
        configure(&mut config);
        let state = AppState::build(&config).await.expect("app state");
        let addr = serve(state.clone()).await;
        Self {
            db,
            state,
            addr,
            client: reqwest::Client::new(),
            master_key,
        }
    }

    /// A second instance over the same database, as behind a load balancer.
    pub async fn spawn_peer(&self) -> TestInstance {
        let state = AppState::build(&self.config()).await.expect("peer state");
        let addr = serve(state.clone()).await;
        TestInstance {
            state,
            addr,
            client: self.client.clone(),
        }
    }

    pub fn config(&self) -> Config {
        config_for(&self.db, &self.master_key)
    }

    pub fn tenancy(&self) -> &Tenancy {
        &self.state.tenancy
    }

    /// Requests to this host name (the real Host header; the connection goes to our port).
    pub fn on(&self, host: &str) -> HostClient {
        HostClient::new(self.client.clone(), self.addr, host)
    }

    pub fn ops(&self) -> HostClient {
        self.on("localhost")
    }

    pub fn tenant(&self, slug: &str) -> HostClient {
        self.on(&format!("{slug}.localhost"))
    }

    /// Creates the test operator (once) and returns a fresh operator token.
    pub async fn operator_token(&self) -> String {
        let exists: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM platform.operators WHERE email = $1)")
            .bind(OPERATOR_EMAIL)
            .fetch_one(&self.db.pool)
            .await
            .expect("query operators");
        if !exists {
            platform::ops::operators::create(&self.db.pool, OPERATOR_EMAIL, SecretString::from(OPERATOR_PASSWORD))
                .await
                .expect("create operator");
        }
        let reply = self
            .ops()
            .post(
                "/api/ops/v1/auth/login",
                &json!({"email": OPERATOR_EMAIL, "password": OPERATOR_PASSWORD}),
            )
            .await;
        assert_eq!(reply.status, 200, "operator login: {}", reply.text);
        reply.body["access_token"].as_str().expect("access_token").to_owned()
    }

    /// Onboards a tenant through the operator API; its admin is `admin@{slug}.test`.
    pub async fn create_tenant(&self, slug: &str) -> Value {
        let token = self.operator_token().await;
        let reply = self
            .ops()
            .token(&token)
            .post(
                "/api/ops/v1/tenants",
                &json!({"slug": slug, "name": format!("{slug} clinic"), "admin_email": format!("admin@{slug}.test"), "admin_password": ADMIN_PASSWORD}),
            )
            .await;
        assert_eq!(reply.status, 201, "create tenant {slug}: {}", reply.text);
        reply.body
    }

    /// Onboards a tenant (as [`Self::create_tenant`]) and returns it as the tenancy layer knows
    /// it: for tests that reach its tables or keys directly.
    pub async fn created_tenant(&self, slug: &str) -> tenants::Tenant {
        self.create_tenant(slug).await;
        self.tenancy()
            .get_by_slug(&tenants::TenantSlug::parse(slug).expect("slug"))
            .await
            .expect("tenant")
    }

    /// Adds a user with these roles straight into the tenant schema (password
    /// [`ADMIN_PASSWORD`]) and signs them in; returns (user id, access token).
    pub async fn add_user(&self, slug: &str, email: &str, roles: &[&str]) -> (uuid::Uuid, String) {
        let tenant = self
            .tenancy()
            .get_by_slug(&tenants::TenantSlug::parse(slug).expect("slug"))
            .await
            .expect("tenant");
        let password = tenants::password::Password::parse(ADMIN_PASSWORD.to_owned().into()).expect("password");
        let hash = tenants::password::hash_password(&password).await.expect("hash");
        let id = uuid::Uuid::now_v7();
        let mut tx = tenant.scope().begin(&self.db.pool).await.expect("begin");
        sqlx::query("INSERT INTO users (id, email, display_name, password_hash, roles) VALUES ($1, $2, $3, $4, $5)")
            .bind(id)
            .bind(email)
            .bind(email)
            .bind(hash)
            .bind(roles)
            .execute(&mut *tx)
            .await
            .expect("insert user");
        tx.commit().await.expect("commit");
        let reply = self
            .tenant(slug)
            .post(
                "/api/v1/auth/login",
                &json!({"email": email, "password": ADMIN_PASSWORD}),
            )
            .await;
        assert_eq!(reply.status, 200, "login {email}: {}", reply.text);
        (id, reply.body["access_token"].as_str().expect("token").to_owned())
    }

    /// Signs in as the tenant's first administrator.
    pub async fn admin_token(&self, slug: &str) -> String {
        let reply = self
            .tenant(slug)
            .post(
                "/api/v1/auth/login",
                &json!({"email": format!("admin@{slug}.test"), "password": ADMIN_PASSWORD}),
            )
            .await;
        assert_eq!(reply.status, 200, "admin login on {slug}: {}", reply.text);
        reply.body["access_token"].as_str().expect("access_token").to_owned()
    }

    /// Puts the tenant's trust thresholds at zero (trust has tests of its own) and returns its
    /// administrator's client.
    pub async fn open_trust(&self, slug: &str) -> HostClient {
        let site = self.tenant(slug).token(&self.admin_token(slug).await);
        let reply = site
            .put(
                "/api/v1/settings",
                &json!({"trust_thresholds": {"create_draft": 0, "publish": 0, "read_phi": 0}}),
            )
            .await;
        assert_eq!(reply.status, 200, "{}", reply.text);
        site
    }
}

/// Another instance of the app over the same database.
pub struct TestInstance {
    pub state: AppState,
    pub addr: SocketAddr,
    client: reqwest::Client,
}

impl TestInstance {
    pub fn on(&self, host: &str) -> HostClient {
        HostClient::new(self.client.clone(), self.addr, host)
    }
}

fn config_for(db: &TestDb, master_key: &SecretString) -> Config {
    let mut config = Config::for_database(
        db.connect_options(),
        db.serving_options(),
        &db.role_prefix,
        master_key.clone(),
    );
    config.redis_url = Some(std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into()));
    // Every test's limits start empty, whatever else runs against the same Redis.
    config.redis_prefix = format!("test:{}:", db.name);
    config.object_store = platform::config::ObjectStoreLocation::Local(db.object_dir());
    // Tests sign in far more often than a person; the tests about this limit set it back.
    config.http.limits.login_per_ip = platform::limits::Quota::per_minute(10_000, 10_000);
    config
}

async fn serve(state: AppState) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("local addr");
    tokio::spawn(async move {
        platform::app::serve(listener, state, std::future::pending())
            .await
            .expect("serve");
    });
    addr
}
