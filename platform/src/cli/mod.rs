//! The `platform` command line.

mod command;
mod config;
mod exit;
mod healthcheck;
mod keys;
mod migrate;
mod operator;
mod plugin;
mod serve;
mod tenant;

pub use command::{Cli, Command, run};
pub use exit::{CliError, CliResult};
