//! Who is calling: bearer-token extractors for tenant users (the types of
//! `tenant_user.rs`, which services take) and operators.

use super::tenant_user::{MaybeTenantUser, TenantUser};
use super::tokens::TokenService;
use super::tokens::{TenantSubject, TokenError};
use crate::auth::codes::AuthCode;
use crate::http::ApiError;
use crate::http::serving_pool::ServingPool;
use crate::http::site::CurrentTenant;
use axum::extract::{FromRef, FromRequestParts};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use std::sync::Arc;
use tenants::OperatorId;

/// A tenant bearer token verified once per request, put into the request's extensions by
/// the rate-limit middleware (which keys per-user limits on it).
#[derive(Debug, Clone, Copy)]
pub struct VerifiedBearer(pub Result<TenantSubject, TokenError>);

pub(crate) fn bearer(parts: &Parts) -> Result<&str, ApiError> {
    bearer_of(&parts.headers)
}

pub(crate) fn bearer_of(headers: &axum::http::HeaderMap) -> Result<&str, ApiError> {
    let value = headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| {
            ApiError::of(
                AuthCode::MissingToken,
                "send an access token: Authorization: Bearer <token>",
            )
        })?;
    match value.split_once(' ') {
        Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() => Ok(token.trim()),
        _ => Err(ApiError::of(
            AuthCode::MissingToken,
            "the Authorization header is not a Bearer token",
        )),
    }
}

fn rejected(err: TokenError) -> ApiError {
    match err {
        TokenError::Expired => ApiError::of(AuthCode::TokenExpired, "the access token has expired; sign in again"),
        TokenError::WrongAudience => {
            ApiError::of(AuthCode::InvalidToken, "the access token is not valid for this site")
        }
        TokenError::Invalid | TokenError::UnknownKey => {
            ApiError::of(AuthCode::InvalidToken, "the access token is not valid")
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for TenantUser
where
    Arc<TokenService>: FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let CurrentTenant(tenant) = CurrentTenant::from_request_parts(parts, state).await?;
        // The rate-limit middleware has usually verified the token already.
        let subject = match parts.extensions.get::<VerifiedBearer>() {
            Some(VerifiedBearer(result)) => result.map_err(rejected)?,
            None => Arc::<TokenService>::from_ref(state)
                .verify_tenant_access_fresh(bearer(parts)?, tenant.id)
                .await
                .map_err(rejected)?,
        };
        tracing::Span::current().record("user.id", tracing::field::display(subject.user_id));
        Ok(Self { tenant, subject })
    }
}

/// A signed-in platform operator.
pub struct Operator {
    pub id: OperatorId,
}

impl<S: Send + Sync> FromRequestParts<S> for Operator
where
    Arc<TokenService>: FromRef<S>,
    ServingPool: FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let tokens = Arc::<TokenService>::from_ref(state);
        let id = tokens.verify_ops_fresh(bearer(parts)?).await.map_err(rejected)?;
        // A disabled or removed operator loses access at once, not when the token expires.
        let enabled: Option<bool> = sqlx::query_scalar("SELECT NOT disabled FROM platform.operators WHERE id = $1")
            .bind(id)
            .fetch_optional(&ServingPool::from_ref(state).0)
            .await?;
        if enabled != Some(true) {
            return Err(ApiError::of(
                AuthCode::InvalidToken,
                "this operator account is disabled",
            ));
        }
        tracing::Span::current().record("user.id", tracing::field::display(id));
        Ok(Self { id })
    }
}

impl<S: Send + Sync> FromRequestParts<S> for MaybeTenantUser
where
    Arc<TokenService>: FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let CurrentTenant(tenant) = CurrentTenant::from_request_parts(parts, state).await?;
        if !parts.headers.contains_key(AUTHORIZATION) {
            return Ok(Self { tenant, user: None });
        }
        let user = TenantUser::from_request_parts(parts, state).await?;
        Ok(Self {
            tenant,
            user: Some(user),
        })
    }
}
