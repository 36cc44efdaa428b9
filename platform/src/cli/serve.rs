use super::CliResult;
use crate::config::Config;
use crate::state::AppState;
use anyhow::Context as _;

pub async fn run() -> CliResult {
    let config = Config::from_env().map_err(super::CliError::invalid)?;
    crate::telemetry::init_tracing(config.log_format, "info,sqlx=warn");
    let state = AppState::build(&config).await?;
    let plugins = state.plugins.clone();
    tokio::spawn(async move {
        if let Err(error) = plugins.ensure_builtins().await {
            tracing::error!(
                error = format!("{error:#}"),
                "the built-in plugins are not in the catalogue"
            );
        }
    });
    let listener = tokio::net::TcpListener::bind(config.http.listen)
        .await
        .with_context(|| format!("cannot listen on {} (PLATFORM_LISTEN)", config.http.listen))?;
    tracing::info!(
        listen = %config.http.listen,
        base_domain = %config.http.base_domain,
        "serving: operator API on the base domain, tenants on {{slug}}.{}",
        config.http.base_domain
    );
    crate::app::serve(listener, state, shutdown_signal())
        .await
        .context("the server failed")?;
    tracing::info!("stopped");
    Ok(())
}

/// Ctrl-C or SIGTERM: stop accepting, finish what is in flight.
async fn shutdown_signal() {
    let ctrl_c = async {
        drop(tokio::signal::ctrl_c().await);
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
