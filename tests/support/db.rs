use rand::RngCore as _;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{Connection as _, PgConnection, PgPool};
use std::str::FromStr as _;

/// A database of its own for one test, with the control plane migrated (a clone of the run's
/// template, see `template.rs`), and a role prefix of its own (roles are cluster-wide).
/// Dropping it drops the database and every role it made, even when the test panicked.
pub struct TestDb {
    pub name: String,
    pub role_prefix: String,
    /// The owner's pool (the test admin).
    pub pool: PgPool,
    admin: PgConnectOptions,
    /// The serving role's login, made by `prepare_serving_role` as `platform migrate` does.
    serving: PgConnectOptions,
    serving_login: (String, String),
}

/// The server tests may create databases and roles on: `TEST_DATABASE_URL`, else
/// `DATABASE_URL`, else the local PostgreSQL as `postgres`.
fn admin_url() -> String {
    std::env::var("TEST_DATABASE_URL")
        .or_else(|_| std::env::var("DATABASE_URL"))
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

fn admin_options() -> PgConnectOptions {
    PgConnectOptions::from_str(&admin_url()).expect("TEST_DATABASE_URL is a PostgreSQL URL")
}

impl TestDb {
    pub async fn new() -> Self {
        let mut id = [0u8; 5];
        rand::rngs::OsRng.fill_bytes(&mut id);
        let id: String = id.iter().map(|b| format!("{b:02x}")).collect();
        let name = format!("platform_test_{id}");
        let admin = admin_options();
        let mut conn = PgConnection::connect_with(&admin)
            .await
            .expect("connect to PostgreSQL as the test admin");
        super::template::clone_template(&mut conn, &admin, &name).await;
        conn.close().await.ok();
        let pool = PgPoolOptions::new()
            .max_connections(10)
            .connect_with(admin.clone().database(&name))
            .await
            .expect("connect to the test database");
        let role_prefix = format!("t{id}_");
        let serving_role = format!("{role_prefix}app");
        let password = format!("serving-{id}");
        tenants::prepare_serving_role(&pool, &serving_role, Some(&password))
            .await
            .expect("prepare the serving role");
        // So that dropping the database may end the serving role's sessions (a test admin
        // that is not a superuser may only end its own roles' sessions).
        sqlx::query(&format!("GRANT \"{serving_role}\" TO CURRENT_USER"))
            .execute(&pool)
            .await
            .expect("membership of the serving role");
        let serving = admin
            .clone()
            .database(&name)
            .username(&serving_role)
            .password(&password);
        Self {
            name,
            role_prefix,
            pool,
            admin,
            serving,
            serving_login: (serving_role, password),
        }
    }

    /// A `PLATFORM_APP_DATABASE_URL` for this database: the serving role's login.
    pub fn serving_url(&self) -> String {
        let owner = self.url();
        let (scheme, rest) = owner.split_once("://").expect("a URL");
        let rest = rest.rsplit_once('@').map_or(rest, |(_, host)| host);
        let (role, password) = &self.serving_login;
        format!("{scheme}://{role}:{password}@{rest}")
    }

    /// How the serving role connects.
    pub fn serving_options(&self) -> PgConnectOptions {
        self.serving.clone()
    }

    /// A `DATABASE_URL` for this database, for running the `platform` binary against it.
    pub fn url(&self) -> String {
        let admin = admin_url();
        let (without_query, query) = admin.split_once('?').map_or((admin.as_str(), ""), |(u, q)| (u, q));
        let authority_start = without_query.find("://").map_or(0, |i| i + 3);
        let server = match without_query[authority_start..].find('/') {
            Some(slash) => &without_query[..authority_start + slash],
            None => without_query,
        };
        let query = if query.is_empty() {
            String::new()
        } else {
            format!("?{query}")
        };
        format!("{server}/{}{query}", self.name)
    }

    /// The test's own object-store directory, removed with the database.
    pub fn object_dir(&self) -> std::path::PathBuf {
        std::env::temp_dir().join("platform-test-objects").join(&self.name)
    }

    pub fn connect_options(&self) -> PgConnectOptions {
        self.admin.clone().database(&self.name)
    }

    /// The PostgreSQL server's address, for a proxy in front of it.
    pub async fn server_addr(&self) -> std::net::SocketAddr {
        server_addr().await
    }

    /// A pool of exactly one connection, for tests about what a connection carries over.
    pub async fn single_connection_pool(&self) -> PgPool {
        PgPoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .connect_with(self.connect_options())
            .await
            .expect("pool of one")
    }
}

/// The address of the PostgreSQL server tests run on, for a proxy in front of it.
pub async fn server_addr() -> std::net::SocketAddr {
    let admin = admin_options();
    let (host, port) = (admin.get_host(), admin.get_port());
    let host = if host.starts_with('/') { "127.0.0.1" } else { host };
    tokio::net::lookup_host((host, port))
        .await
        .expect("resolve the PostgreSQL host")
        .next()
        .expect("an address for the PostgreSQL host")
}

impl Drop for TestDb {
    fn drop(&mut self) {
        std::fs::remove_dir_all(self.object_dir()).ok();
        let (name, prefix, admin) = (self.name.clone(), self.role_prefix.clone(), self.admin.clone());
        // Async work in Drop: a thread with its own runtime, joined so nothing is left behind.
        let cleanup = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            runtime.block_on(async move {
                let mut conn = PgConnection::connect_with(&admin).await.expect("connect for cleanup");
                sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&mut conn)
                    .await
                    .expect("drop test database");
                let roles: Vec<String> =
                    sqlx::query_scalar("SELECT rolname FROM pg_roles WHERE starts_with(rolname, $1)")
                        .bind(&prefix)
                        .fetch_all(&mut conn)
                        .await
                        .expect("list test roles");
                for role in roles {
                    sqlx::query(&format!("DROP ROLE IF EXISTS \"{role}\""))
                        .execute(&mut conn)
                        .await
                        .expect("drop test role");
                }
            });
        });
        if cleanup.join().is_err() && !std::thread::panicking() {
            panic!("test database cleanup failed");
        }
    }
}
