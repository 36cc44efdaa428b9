use super::exit::{CliError, CliResult};

/// Configuration and a quiet logger (warnings only, unless `RUST_LOG` says otherwise) for the
/// one-shot commands.
pub(super) fn config_for_command() -> CliResult<crate::config::Config> {
    let config = crate::config::Config::from_env().map_err(CliError::invalid)?;
    crate::telemetry::init_tracing(crate::config::LogFormat::Pretty, "warn");
    Ok(config)
}
