//! Configuration, from the environment only. Every variable is listed in the README with its
//! default; the defaults make a local start work.

use anyhow::{Context as _, bail};
use secrecy::SecretString;
use sqlx::postgres::PgConnectOptions;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::str::FromStr as _;
use std::time::Duration;
use tenants::Hostname;
use tenants::keyring::MasterKeySource;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Environment {
    Development,
    Production,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Json,
    Pretty,
}

#[derive(Debug)]
pub struct DatabaseConfig {
    /// The owner of the control plane and the tenant schemas (`DATABASE_URL`): migrations,
    /// provisioning, deletion, keys, and the operators' changes.
    pub connect: PgConnectOptions,
    /// The serving role (`PLATFORM_APP_DATABASE_URL`): every request. Neither the owner nor a
    /// superuser; `serve` refuses one that reaches further than serving needs.
    pub serve_connect: PgConnectOptions,
    /// The serving role's password, for `platform migrate` to create the role with.
    pub serve_password: Option<SecretString>,
    pub max_connections: u32,
    pub acquire_timeout: Duration,
    /// Prefix of tenant role names, so deployments sharing a cluster stay apart.
    pub role_prefix: String,
}

#[derive(Debug)]
pub struct HttpConfig {
    pub listen: SocketAddr,
    pub base_domain: Hostname,
    pub max_body_bytes: usize,
    pub tenant_cache_ttl: Duration,
    /// When set, `/metrics` wants `Authorization: Bearer <token>`.
    pub metrics_token: Option<SecretString>,
    /// How many proxies in front of us append to X-Forwarded-For (0: use the peer address).
    pub trusted_proxy_hops: usize,
    pub limits: crate::limits::Limits,
}

/// The object store: a local directory by default, or an S3-compatible bucket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ObjectStoreLocation {
    /// `PLATFORM_OBJECT_STORE_DIR` (default `{data dir}/objects`).
    Local(PathBuf),
    /// `PLATFORM_OBJECT_STORE_URL=s3://bucket[/prefix]`; credentials, region and endpoint from
    /// the usual `AWS_*` variables (`AWS_ENDPOINT` for MinIO and other S3-compatible stores).
    S3(String),
}

#[derive(Debug, Clone, Copy)]
pub struct MediaConfig {
    /// Largest upload accepted (`PLATFORM_MEDIA_MAX_BYTES`, default 25 MiB); larger ones get 413.
    pub max_bytes: usize,
    /// Uploads held in memory at once (`PLATFORM_MEDIA_CONCURRENT_UPLOADS`, default 4); more
    /// wait their turn. Memory for uploads is bounded by this times `max_bytes`.
    pub concurrent_uploads: usize,
}

/// The plugin engine and the per-call limits of each tenant plan.
#[derive(Debug, Clone)]
pub struct PluginConfig {
    pub engine: plugins::EngineLimits,
    /// Connections of the plugin service's own pool (`PLATFORM_PLUGIN_DB_CONNECTIONS`, default
    /// 4): plugin storage and install lookups run while a write holds a connection of the main
    /// pool, so they must never wait for one of those.
    pub db_connections: u32,
    /// Limits by tenant plan (`PLATFORM_PLUGIN_LIMITS`, JSON); plans not named get
    /// [`plugins::Limits::default`].
    pub plans: std::collections::HashMap<String, plugins::Limits>,
    /// What a tenant may upload and install, by plan (`PLATFORM_PLUGIN_QUOTAS`, JSON); plans
    /// not named get [`PluginQuota::default`].
    pub quotas: std::collections::HashMap<String, PluginQuota>,
}

/// A tenant's plugin quota: installs, bytes of uploaded components, and the time spent
/// compiling its uploads (compiling is the costly part of an upload, paid by the platform).
#[derive(Debug, Clone, Copy, PartialEq, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PluginQuota {
    /// Plugins installed at once (uploaded or from the catalogue).
    pub installed: u32,
    /// Bytes of the components the tenant uploaded and keeps installed.
    pub installed_bytes: u64,
    /// Milliseconds of compiling per hour; half of it may be spent at once. An upload of a
    /// component the instance has compiled before costs (next to) nothing.
    pub compile_ms_per_hour: u32,
}

impl Default for PluginQuota {
    fn default() -> Self {
        Self {
            installed: 20,
            installed_bytes: 64 << 20,
            compile_ms_per_hour: 60_000,
        }
    }
}

/// `PLATFORM_PLUGIN_QUOTAS`: plan name to quota.
fn plugin_quotas(json: &str) -> anyhow::Result<std::collections::HashMap<String, PluginQuota>> {
    let quotas: std::collections::HashMap<String, PluginQuota> = serde_json::from_str(json).context(
        "PLATFORM_PLUGIN_QUOTAS must be a JSON object of plan name to quota \
         ({\"standard\": {\"installed\": 20, \"installed_bytes\": 67108864, \"compile_ms_per_hour\": 60000}})",
    )?;
    for (plan, quota) in &quotas {
        if quota.installed == 0 || quota.installed_bytes == 0 || quota.compile_ms_per_hour == 0 {
            bail!(
                "PLATFORM_PLUGIN_QUOTAS: plan {plan:?} has a quota of zero; to forbid uploads, use a plan without install_plugins"
            );
        }
    }
    Ok(quotas)
}

/// `PLATFORM_PLUGIN_LIMITS`: plan name to limits, each within what the engine can give.
fn plugin_plans(json: &str) -> anyhow::Result<std::collections::HashMap<String, plugins::Limits>> {
    let plans: std::collections::HashMap<String, plugins::Limits> = serde_json::from_str(json).context(
        "PLATFORM_PLUGIN_LIMITS must be a JSON object of plan name to limits \
         ({\"standard\": {\"deadline_ms\": 100, \"fuel\": 50000000, ...}})",
    )?;
    let ceiling = plugins::EngineLimits::default().max_memory_bytes;
    for (plan, limits) in &plans {
        if limits.memory_bytes > ceiling {
            bail!(
                "PLATFORM_PLUGIN_LIMITS: plan {plan:?} asks for more plugin memory than the engine's {ceiling} bytes"
            );
        }
        if limits.deadline_ms == 0 || limits.fuel == 0 || limits.memory_bytes == 0 || limits.payload_bytes == 0 {
            bail!("PLATFORM_PLUGIN_LIMITS: plan {plan:?} has a limit of zero, which no call could meet");
        }
    }
    Ok(plans)
}

impl Default for PluginConfig {
    fn default() -> Self {
        Self {
            engine: Default::default(),
            db_connections: 4,
            plans: Default::default(),
            quotas: Default::default(),
        }
    }
}

impl PluginConfig {
    pub fn limits_for(&self, plan: &str) -> plugins::Limits {
        self.plans.get(plan).copied().unwrap_or_default()
    }

    pub fn quota_for(&self, plan: &str) -> PluginQuota {
        self.quotas.get(plan).copied().unwrap_or_default()
    }
}

impl Default for MediaConfig {
    fn default() -> Self {
        Self {
            max_bytes: 25 * 1024 * 1024,
            concurrent_uploads: 4,
        }
    }
}

#[derive(Debug)]
pub struct TokenConfig {
    pub issuer: String,
    pub access_ttl: Duration,
    pub session_limits: crate::auth::sessions::SessionLimits,
}

#[derive(Debug)]
pub struct BootstrapOperator {
    pub email: String,
    pub password: SecretString,
}

#[derive(Debug)]
pub struct Config {
    pub environment: Environment,
    pub database: DatabaseConfig,
    pub redis_url: Option<String>,
    /// Prefix of every Redis key this deployment writes.
    pub redis_prefix: String,
    pub http: HttpConfig,
    pub tokens: TokenConfig,
    pub master_key: MasterKeySource,
    pub data_dir: PathBuf,
    /// Where objects (media, audit checkpoints) are kept.
    pub object_store: ObjectStoreLocation,
    pub media: MediaConfig,
    /// Memory for public content responses per instance, in bytes (`PLATFORM_PUBLIC_CACHE_MB`,
    /// default 64); 0 turns the cache off.
    pub public_cache_bytes: u64,
    pub plugins: PluginConfig,
    /// How often audit chains are checkpointed.
    pub audit_checkpoint_every: Duration,
    /// How often an idle job worker looks for due jobs.
    pub jobs_poll_every: Duration,
    pub log_format: LogFormat,
    pub bootstrap_operator: Option<BootstrapOperator>,
}

/// Tokens live at most this long; the identity issue's session design depends on it.
pub const MAX_ACCESS_TTL: Duration = Duration::from_secs(15 * 60);
pub const DEFAULT_DATABASE_URL: &str = "postgres://platform:platform@127.0.0.1:5432/platform";

/// Request limits per minute (`PLATFORM_RATE_LIMIT_*`), bursts a sixth of that. The failed
/// sign-in cap per account is fixed at 100 an hour.
fn limits_from_env() -> anyhow::Result<crate::limits::Limits> {
    use crate::limits::{Limits, Quota};
    let d = Limits::default();
    let per_minute = |name: &str, default: Quota| -> anyhow::Result<Quota> {
        let count: u32 = parsed(name, default.count)?;
        if count == 0 {
            bail!("{name} must be at least 1");
        }
        Ok(Quota::per_minute(count, (count / 6).max(1)))
    };
    Ok(Limits {
        per_ip: per_minute("PLATFORM_RATE_LIMIT_IP_PER_MIN", d.per_ip)?,
        per_tenant: per_minute("PLATFORM_RATE_LIMIT_TENANT_PER_MIN", d.per_tenant)?,
        per_user: per_minute("PLATFORM_RATE_LIMIT_USER_PER_MIN", d.per_user)?,
        login_per_ip: per_minute("PLATFORM_RATE_LIMIT_LOGIN_PER_MIN", d.login_per_ip)?,
        account_failures: d.account_failures,
    })
}

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn parsed<T: std::str::FromStr>(name: &str, default: T) -> anyhow::Result<T>
where
    T::Err: std::fmt::Display,
{
    match var(name) {
        None => Ok(default),
        Some(v) => v
            .trim()
            .parse()
            .map_err(|e| anyhow::anyhow!("{name}={v:?} is invalid: {e}")),
    }
}

impl Config {
    /// A configuration that reads nothing from the environment: for tests and tools that
    /// set up their own database. Everything else takes its documented default.
    pub fn for_database(
        connect: PgConnectOptions,
        serve_connect: PgConnectOptions,
        role_prefix: &str,
        master_key: SecretString,
    ) -> Self {
        let base_domain = Hostname::parse("localhost").expect("localhost is a host name");
        Self {
            environment: Environment::Development,
            database: DatabaseConfig {
                connect,
                serve_connect,
                serve_password: None,
                max_connections: 10,
                acquire_timeout: Duration::from_secs(5),
                role_prefix: role_prefix.to_owned(),
            },
            redis_url: None,
            redis_prefix: "platform:".into(),
            tokens: TokenConfig {
                issuer: format!("https://{base_domain}"),
                access_ttl: MAX_ACCESS_TTL,
                session_limits: Default::default(),
            },
            http: HttpConfig {
                listen: SocketAddr::from(([127, 0, 0, 1], 0)),
                base_domain,
                max_body_bytes: 1024 * 1024,
                tenant_cache_ttl: Duration::from_secs(60),
                metrics_token: None,
                trusted_proxy_hops: 0,
                limits: Default::default(),
            },
            master_key: MasterKeySource::Inline(master_key),
            data_dir: PathBuf::from("./data"),
            object_store: ObjectStoreLocation::Local(PathBuf::from("./data/objects")),
            media: MediaConfig::default(),
            public_cache_bytes: 64 * 1024 * 1024,
            plugins: PluginConfig::default(),
            audit_checkpoint_every: Duration::from_secs(300),
            jobs_poll_every: Duration::from_millis(200),
            log_format: LogFormat::Json,
            bootstrap_operator: None,
        }
    }

    pub fn from_env() -> anyhow::Result<Self> {
        let environment = match var("PLATFORM_ENV").as_deref() {
            None | Some("development") => Environment::Development,
            Some("production") => Environment::Production,
            Some(other) => bail!("PLATFORM_ENV={other:?} is invalid: use development or production"),
        };
        let data_dir = PathBuf::from(var("PLATFORM_DATA_DIR").unwrap_or_else(|| "./data".into()));
        let master_key = master_key_from_env(environment, &data_dir)?;
        let database = DatabaseConfig::from_env()?;
        let base_domain = Hostname::parse(&var("PLATFORM_BASE_DOMAIN").unwrap_or_else(|| "localhost".into()))
            .context("PLATFORM_BASE_DOMAIN is not a host name")?;
        let access_ttl = Duration::from_secs(parsed("PLATFORM_ACCESS_TOKEN_TTL_SECS", 900u64)?);
        if access_ttl > MAX_ACCESS_TTL || access_ttl.is_zero() {
            bail!("PLATFORM_ACCESS_TOKEN_TTL_SECS must be between 1 and 900");
        }
        // Read last, as they always were: of several bad settings, these are reported after
        // the others.
        let log_format = log_format_from_env()?;
        let bootstrap_operator = bootstrap_operator_from_env()?;
        Ok(Self {
            environment,
            database,
            redis_url: var("REDIS_URL"),
            redis_prefix: var("PLATFORM_REDIS_PREFIX").unwrap_or_else(|| "platform:".into()),
            tokens: TokenConfig {
                issuer: var("PLATFORM_TOKEN_ISSUER").unwrap_or_else(|| format!("https://{base_domain}")),
                access_ttl,
                session_limits: crate::auth::sessions::SessionLimits {
                    idle: Duration::from_secs(parsed("PLATFORM_SESSION_IDLE_SECS", 1800u64)?),
                    absolute: Duration::from_secs(parsed("PLATFORM_SESSION_MAX_SECS", 43_200u64)?),
                },
            },
            http: HttpConfig {
                listen: parsed("PLATFORM_LISTEN", SocketAddr::from(([127, 0, 0, 1], 8080)))?,
                base_domain,
                max_body_bytes: parsed("PLATFORM_MAX_BODY_BYTES", 1024 * 1024usize)?,
                tenant_cache_ttl: Duration::from_secs(parsed("PLATFORM_TENANT_CACHE_TTL_SECS", 60u64)?),
                metrics_token: var("PLATFORM_METRICS_TOKEN").map(SecretString::from),
                trusted_proxy_hops: parsed("PLATFORM_TRUSTED_PROXY_HOPS", 0usize)?,
                limits: limits_from_env()?,
            },
            master_key,
            object_store: match var("PLATFORM_OBJECT_STORE_URL") {
                Some(url) if url.starts_with("s3://") => ObjectStoreLocation::S3(url),
                Some(url) => bail!("PLATFORM_OBJECT_STORE_URL={url:?}: only s3://bucket[/prefix] is supported"),
                None => ObjectStoreLocation::Local(
                    var("PLATFORM_OBJECT_STORE_DIR").map_or_else(|| data_dir.join("objects"), PathBuf::from),
                ),
            },
            public_cache_bytes: parsed("PLATFORM_PUBLIC_CACHE_MB", 64u64)?.saturating_mul(1024 * 1024),
            plugins: PluginConfig::from_env()?,
            media: MediaConfig::from_env()?,
            audit_checkpoint_every: Duration::from_secs(parsed("PLATFORM_AUDIT_CHECKPOINT_SECS", 300u64)?.max(1)),
            jobs_poll_every: Duration::from_millis(parsed("PLATFORM_JOBS_POLL_MS", 1000u64)?.clamp(10, 60_000)),
            data_dir,
            log_format,
            bootstrap_operator,
        })
    }
}

impl DatabaseConfig {
    fn from_env() -> anyhow::Result<Self> {
        let database_url = var("DATABASE_URL").unwrap_or_else(|| DEFAULT_DATABASE_URL.into());
        let connect = PgConnectOptions::from_str(&database_url).context("DATABASE_URL is not a PostgreSQL URL")?;
        let serve_url = match var("PLATFORM_APP_DATABASE_URL") {
            Some(url) => url,
            None => serving_url_from(&database_url)?,
        };
        let serve_connect =
            PgConnectOptions::from_str(&serve_url).context("PLATFORM_APP_DATABASE_URL is not a PostgreSQL URL")?;
        let serve_password = url::Url::parse(&serve_url)
            .ok()
            .and_then(|url| url.password().map(percent_decoded))
            .map(SecretString::from);
        Ok(Self {
            connect,
            serve_connect,
            serve_password,
            max_connections: parsed("PLATFORM_DB_MAX_CONNECTIONS", 20u32)?,
            acquire_timeout: Duration::from_millis(parsed("PLATFORM_DB_ACQUIRE_TIMEOUT_MS", 5_000u64)?),
            role_prefix: var("PLATFORM_DB_ROLE_PREFIX").unwrap_or_default(),
        })
    }
}

impl PluginConfig {
    fn from_env() -> anyhow::Result<Self> {
        Ok(Self {
            engine: plugins::EngineLimits {
                concurrent_calls: parsed(
                    "PLATFORM_PLUGIN_CONCURRENT_CALLS",
                    plugins::EngineLimits::default().concurrent_calls,
                )?
                .max(1),
                ..Default::default()
            },
            db_connections: parsed("PLATFORM_PLUGIN_DB_CONNECTIONS", 4u32)?.max(1),
            plans: match var("PLATFORM_PLUGIN_LIMITS") {
                Some(json) => plugin_plans(&json)?,
                None => Default::default(),
            },
            quotas: match var("PLATFORM_PLUGIN_QUOTAS") {
                Some(json) => plugin_quotas(&json)?,
                None => Default::default(),
            },
        })
    }
}

impl MediaConfig {
    fn from_env() -> anyhow::Result<Self> {
        Ok(Self {
            max_bytes: parsed("PLATFORM_MEDIA_MAX_BYTES", MediaConfig::default().max_bytes)?.max(1),
            concurrent_uploads: parsed(
                "PLATFORM_MEDIA_CONCURRENT_UPLOADS",
                MediaConfig::default().concurrent_uploads,
            )?
            .max(1),
        })
    }
}

fn master_key_from_env(environment: Environment, data_dir: &std::path::Path) -> anyhow::Result<MasterKeySource> {
    Ok(match (var("PLATFORM_MASTER_KEY"), var("PLATFORM_MASTER_KEY_FILE")) {
        (Some(_), Some(_)) => bail!("set PLATFORM_MASTER_KEY or PLATFORM_MASTER_KEY_FILE, not both"),
        (Some(key), None) => MasterKeySource::Inline(SecretString::from(key)),
        (None, Some(path)) => MasterKeySource::File(path.into()),
        (None, None) if environment == Environment::Production => {
            bail!("PLATFORM_ENV=production needs PLATFORM_MASTER_KEY or PLATFORM_MASTER_KEY_FILE")
        }
        (None, None) => MasterKeySource::GeneratedIn(data_dir.to_owned()),
    })
}

fn log_format_from_env() -> anyhow::Result<LogFormat> {
    Ok(match var("PLATFORM_LOG_FORMAT").as_deref() {
        Some("json") => LogFormat::Json,
        Some("pretty") => LogFormat::Pretty,
        None if std::io::IsTerminal::is_terminal(&std::io::stdout()) => LogFormat::Pretty,
        None => LogFormat::Json,
        Some(other) => bail!("PLATFORM_LOG_FORMAT={other:?} is invalid: use json or pretty"),
    })
}

fn bootstrap_operator_from_env() -> anyhow::Result<Option<BootstrapOperator>> {
    Ok(
        match (
            var("PLATFORM_BOOTSTRAP_OPERATOR_EMAIL"),
            var("PLATFORM_BOOTSTRAP_OPERATOR_PASSWORD"),
        ) {
            (Some(email), Some(password)) => Some(BootstrapOperator {
                email,
                password: SecretString::from(password),
            }),
            (None, None) => None,
            _ => {
                bail!("set both PLATFORM_BOOTSTRAP_OPERATOR_EMAIL and PLATFORM_BOOTSTRAP_OPERATOR_PASSWORD, or neither")
            }
        },
    )
}

/// The serving role's URL when none is given: `DATABASE_URL`'s, with the user `{user}_app`
/// (and the same password).
fn serving_url_from(database_url: &str) -> anyhow::Result<String> {
    let mut url = url::Url::parse(database_url).context("DATABASE_URL is not a URL")?;
    let user = match url.username() {
        "" => "platform".to_owned(),
        user => percent_decoded(user),
    };
    url.set_username(&format!("{user}_app"))
        .map_err(|()| anyhow::anyhow!("DATABASE_URL cannot carry a user name"))?;
    Ok(url.to_string())
}

fn percent_decoded(text: &str) -> String {
    percent_encoding::percent_decode_str(text)
        .decode_utf8_lossy()
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::plugin_plans;

    #[test]
    fn plugin_quotas_are_checked() {
        let quotas = super::plugin_quotas(r#"{"small": {"installed": 2}}"#).expect("valid");
        assert_eq!(quotas["small"].installed, 2);
        assert_eq!(quotas["small"].compile_ms_per_hour, 60_000, "unnamed fields default");
        assert!(super::plugin_quotas(r#"{"x": {"installed": 0}}"#).is_err());
        assert!(super::plugin_quotas(r#"{"x": {"disk": 3}}"#).is_err(), "unknown fields");
    }

    #[test]
    fn the_serving_role_defaults_to_the_owners_name_with_app() {
        assert_eq!(
            super::serving_url_from("postgres://platform:s3cret@db:5432/platform?sslmode=require").expect("url"),
            "postgres://platform_app:s3cret@db:5432/platform?sslmode=require"
        );
    }

    #[test]
    fn plugin_plans_are_checked() {
        let plans = plugin_plans(r#"{"standard": {"deadline_ms": 50}, "big": {"fuel": 1000000000}}"#).expect("valid");
        assert_eq!(plans["standard"].deadline_ms, 50);
        assert_eq!(
            plans["standard"].fuel,
            plugins::Limits::default().fuel,
            "unnamed fields default"
        );
        assert!(
            plugin_plans(r#"{"x": {"memory_bytes": 1073741824}}"#).is_err(),
            "over the engine's ceiling"
        );
        assert!(plugin_plans(r#"{"x": {"fuel": 0}}"#).is_err());
        assert!(plugin_plans(r#"{"x": {"fuel": "lots"}}"#).is_err());
        assert!(plugin_plans(r#"{"x": {"speed": 3}}"#).is_err(), "unknown fields");
    }
}
