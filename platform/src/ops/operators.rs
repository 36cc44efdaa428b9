//! Platform operators: the people who onboard and run tenants. They never see a tenant's
//! decrypted data; no operator endpoint returns any.

use crate::config::BootstrapOperator;
use secrecy::{ExposeSecret as _, SecretString};
use sqlx::PgPool;
use tenants::password::{Password, hash_password, verify_password};
use tenants::{Email, OperatorId};

/// Creates an operator. [`tenants::Error::Conflict`] when the e-mail is taken.
pub async fn create(pool: &PgPool, email: &str, password: SecretString) -> Result<OperatorId, tenants::Error> {
    let email = Email::parse(email)?;
    let password = Password::parse(password)?;
    let hash = hash_password(&password).await?;
    let id = OperatorId::new();
    sqlx::query("INSERT INTO platform.operators (id, email, password_hash) VALUES ($1, $2, $3)")
        .bind(id)
        .bind(email.as_str())
        .bind(hash)
        .execute(pool)
        .await
        .map_err(|e| match &e {
            sqlx::Error::Database(db) if db.constraint() == Some("operators_email_key") => {
                tenants::Error::Conflict(format!("an operator with the e-mail {email} already exists"))
            }
            _ => e.into(),
        })?;
    tracing::info!(operator.id = %id, "operator created");
    Ok(id)
}

/// The operator with these credentials, if any. Unknown e-mails cost the same hashing work.
pub async fn authenticate(pool: &PgPool, email: &str, password: &str) -> Result<Option<OperatorId>, sqlx::Error> {
    let row: Option<(OperatorId, String, bool)> =
        sqlx::query_as("SELECT id, password_hash, disabled FROM platform.operators WHERE lower(email) = lower($1)")
            .bind(email.trim())
            .fetch_optional(pool)
            .await?;
    let stored = row.as_ref().map(|(_, hash, _)| hash.clone());
    let ok = verify_password(stored, password).await;
    match row {
        Some((id, _, false)) if ok => {
            sqlx::query("UPDATE platform.operators SET last_login_at = now() WHERE id = $1")
                .bind(id)
                .execute(pool)
                .await?;
            Ok(Some(id))
        }
        _ => Ok(None),
    }
}

/// Creates the operator from `PLATFORM_BOOTSTRAP_OPERATOR_*` when no operator exists yet.
pub async fn bootstrap(pool: &PgPool, operator: &BootstrapOperator) -> anyhow::Result<()> {
    let exists: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM platform.operators)")
        .fetch_one(pool)
        .await?;
    if !exists {
        create(
            pool,
            &operator.email,
            SecretString::from(operator.password.expose_secret()),
        )
        .await?;
        tracing::info!(operator.email = %operator.email, "bootstrap operator created");
    }
    Ok(())
}
