use super::exit::{CliError, CliResult};
use crate::startup::{connect_owner_pool, ensure_migrated};
use clap::Subcommand;
use secrecy::SecretString;

#[derive(Debug, Subcommand)]
pub enum OperatorCommand {
    /// Create an operator account (the first one, or another).
    Create {
        #[arg(long)]
        email: String,
        /// At least 12 characters. Prefer --password-stdin: arguments show up in `ps`.
        #[arg(long, required_unless_present = "password_stdin", conflicts_with = "password_stdin")]
        password: Option<String>,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
    },
}

pub async fn run(command: OperatorCommand) -> CliResult {
    let config = super::config::config_for_command()?;
    let pool = connect_owner_pool(&config).await?;
    ensure_migrated(&pool).await?;
    match command {
        OperatorCommand::Create {
            email,
            password,
            password_stdin,
        } => {
            let password = match (password, password_stdin) {
                (Some(p), false) => p,
                (None, true) => super::tenant::read_stdin_line()?,
                _ => return Err(CliError::usage("give --password or --password-stdin")),
            };
            let id = crate::ops::operators::create(&pool, &email, SecretString::from(password)).await?;
            println!("operator {id} created for {email}");
            Ok(())
        }
    }
}
