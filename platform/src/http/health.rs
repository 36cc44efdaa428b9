//! Liveness, readiness and metrics: served on every host (the OpenAPI document too, from
//! `app.rs`), so load balancers and scrapers need no tenant.

use crate::auth::codes::AuthCode;
use crate::http::codes::RequestCode;
use crate::http::{ApiError, Problem};
use crate::state::AppState;
use axum::extract::State;
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE};
use axum::http::{HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use secrecy::ExposeSecret as _;
use serde::Serialize;
use std::time::Duration;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct Health {
    /// `ok`
    pub status: &'static str,
}

/// Liveness: the process is up.
#[utoipa::path(get, path = "/health", tag = "operations", responses((status = 200, body = Health)))]
pub async fn health() -> axum::Json<Health> {
    axum::Json(Health { status: "ok" })
}

#[derive(Serialize, ToSchema)]
pub struct Readiness {
    /// `ready`
    pub status: &'static str,
    /// `ok` or `disabled` (no REDIS_URL).
    pub database: &'static str,
    pub redis: &'static str,
}

const CHECK_TIMEOUT: Duration = Duration::from_secs(2);

/// Readiness: the database (and Redis, when configured) answer.
#[utoipa::path(
    get, path = "/ready", tag = "operations",
    responses(
        (status = 200, body = Readiness),
        (status = 503, description = "A dependency is down", body = Problem),
    )
)]
pub async fn ready(State(state): State<AppState>) -> Response {
    let database = tokio::time::timeout(CHECK_TIMEOUT, sqlx::query("SELECT 1").execute(state.tenancy.pool())).await;
    let database_ok = matches!(database, Ok(Ok(_)));
    let redis = match &state.redis {
        None => Some("disabled"),
        Some(client) => {
            let ping = async {
                let mut conn = client.get_multiplexed_async_connection().await?;
                redis::cmd("PING").query_async::<String>(&mut conn).await
            };
            matches!(tokio::time::timeout(CHECK_TIMEOUT, ping).await, Ok(Ok(_))).then_some("ok")
        }
    };
    match (database_ok, redis) {
        (true, Some(redis)) => axum::Json(Readiness {
            status: "ready",
            database: "ok",
            redis,
        })
        .into_response(),
        (db, redis) => {
            let mut down = Vec::new();
            if !db {
                down.push("database");
            }
            if redis.is_none() {
                down.push("redis");
            }
            ApiError::of(
                RequestCode::NotReady,
                format!("not ready: {} unreachable", down.join(" and ")),
            )
            .into_response()
        }
    }
}

/// Prometheus metrics (text exposition format).
///
/// Wants `Authorization: Bearer <PLATFORM_METRICS_TOKEN>` when that variable is set.
#[utoipa::path(
    get, path = "/metrics", tag = "operations",
    responses(
        (status = 200, description = "Prometheus text format", body = String, content_type = "text/plain"),
        (status = 401, description = "Missing or wrong metrics token", body = Problem),
    )
)]
pub async fn metrics(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, ApiError> {
    if let Some(token) = &state.metrics_token {
        let expected = format!("Bearer {}", token.expose_secret());
        let given = headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        if !constant_time_eq(given.as_bytes(), expected.as_bytes()) {
            return Err(ApiError::of(
                AuthCode::InvalidToken,
                "the metrics token is missing or wrong",
            ));
        }
    }
    let pool = state.tenancy.pool();
    metrics::gauge!("db_pool_connections").set(f64::from(pool.size()));
    metrics::gauge!("db_pool_idle_connections").set(pool.num_idle() as f64);
    let counts: Vec<(String, i64)> = sqlx::query_as("SELECT status, count(*) FROM platform.tenants GROUP BY status")
        .fetch_all(pool)
        .await?;
    for status in ["provisioning", "active", "suspended", "deleting"] {
        let n = counts.iter().find(|(s, _)| s == status).map_or(0, |(_, n)| *n);
        metrics::gauge!("tenants", "status" => status).set(n as f64);
    }
    let body = state.metrics.render();
    Ok((
        [(CONTENT_TYPE, HeaderValue::from_static("text/plain; version=0.0.4"))],
        body,
    )
        .into_response())
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
