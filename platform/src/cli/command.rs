//! The commands, and which module runs each.

use super::exit::CliResult;
use super::{healthcheck, keys, migrate, operator, plugin, serve, tenant};
use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "platform",
    version,
    about = "Multi-tenant healthcare platform: server, migrations and tenant administration",
    long_about = "Multi-tenant healthcare platform: server, migrations and tenant administration.\n\n\
                  Configuration comes from the environment (DATABASE_URL, REDIS_URL, PLATFORM_*); see the README.",
    after_help = "Exit codes: 0 ok, 1 failure, 2 usage, 3 not found, 4 conflict (already exists or wrong state), \
                  5 invalid input, 6 some tenants failed to migrate."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the HTTP API on PLATFORM_LISTEN.
    Serve,
    /// Migrate the control plane, then every tenant schema.
    Migrate(migrate::MigrateArgs),
    /// Create and manage tenants.
    #[command(subcommand)]
    Tenant(tenant::TenantCommand),
    /// Manage platform operators.
    #[command(subcommand)]
    Operator(operator::OperatorCommand),
    /// The plugin catalogue, and tenants' plugins.
    #[command(subcommand)]
    Plugin(plugin::PluginCommand),
    /// Manage token signing keys.
    #[command(subcommand)]
    Keys(keys::KeysCommand),
    /// Print the OpenAPI document (JSON) to stdout.
    Openapi,
    /// Print the problem codes page (docs/problems.md), generated from the code enums.
    Problems,
    /// Exit 0 when the server on PLATFORM_LISTEN answers /health (a container's health check).
    Healthcheck,
}

pub async fn run(cli: Cli) -> CliResult {
    match cli.command {
        Command::Serve => serve::run().await,
        Command::Migrate(args) => migrate::run(args).await,
        Command::Tenant(command) => tenant::run(command).await,
        Command::Operator(command) => operator::run(command).await,
        Command::Keys(command) => keys::run(command).await,
        Command::Plugin(command) => plugin::run(command).await,
        Command::Healthcheck => healthcheck::run().await,
        Command::Problems => {
            print!("{}", crate::problems_page::markdown());
            Ok(())
        }
        Command::Openapi => {
            println!("{}", crate::app::openapi_text());
            Ok(())
        }
    }
}
