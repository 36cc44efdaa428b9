use super::exit::{CliError, CliResult};
use crate::auth::signing_keys::Purpose;
use crate::auth::tokens::TokenService;
use crate::startup::{connect_owner_pool, ensure_migrated, tenancy};
use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Retire the active signing key (it keeps verifying) and start signing with a new one.
    Rotate {
        /// `tenant` or `ops`. Audit checkpoint keys are never rotated.
        #[arg(long)]
        purpose: String,
    },
}

pub async fn run(command: KeysCommand) -> CliResult {
    let KeysCommand::Rotate { purpose } = command;
    let purpose = match purpose.as_str() {
        "tenant" => Purpose::Tenant,
        "ops" => Purpose::Ops,
        other => {
            return Err(CliError::invalid(anyhow::anyhow!(
                "purpose is tenant or ops, not {other:?}"
            )));
        }
    };
    let config = super::config::config_for_command()?;
    let pool = connect_owner_pool(&config).await?;
    ensure_migrated(&pool).await?;
    let tenancy = tenancy(&config, pool.clone(), pool.clone()).await?;
    let tokens = TokenService::load(&pool, tenancy.keyring().kek_shared(), &config.tokens).await?;
    println!("{}", tokens.rotate(purpose).await?);
    Ok(())
}
