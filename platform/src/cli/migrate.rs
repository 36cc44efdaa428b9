use super::exit::{CliError, CliResult};
use crate::startup::connect_owner_pool;
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal as _;
use std::sync::Mutex;
use std::time::Duration;
use tenants::migrate::{
    MigrateOptions, Progress, migrate_control_plane, migrate_tenants, platform_migrations, tenant_migrations,
};

#[derive(Debug, Args)]
pub struct MigrateArgs {
    /// How many tenant schemas to migrate at once.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub concurrency: u16,
    /// Seconds one tenant may wait for a table lock before it is reported failed (run again later).
    #[arg(long, default_value_t = 5)]
    pub lock_timeout: u64,
    /// Only migrate the control plane.
    #[arg(long)]
    pub control_plane_only: bool,
    /// Print the summary as JSON.
    #[arg(long)]
    pub json: bool,
}

pub async fn run(args: MigrateArgs) -> CliResult {
    let config = super::config::config_for_command()?;
    let pool = connect_owner_pool(&config).await?;
    let applied = migrate_control_plane(&pool, platform_migrations()).await?;
    eprintln!("control plane: {} migration(s) applied", applied.len());
    let serving = config.database.serve_connect.get_username();
    let password = config
        .database
        .serve_password
        .as_ref()
        .map(secrecy::ExposeSecret::expose_secret);
    tenants::prepare_serving_role(&pool, serving, password).await?;
    eprintln!("serving role {serving:?}: ready");
    if args.control_plane_only {
        return Ok(());
    }
    let options = MigrateOptions {
        concurrency: args.concurrency.into(),
        lock_timeout: Duration::from_secs(args.lock_timeout),
    };
    let reporter = Reporter::new();
    let summary = migrate_tenants(&pool, tenant_migrations(), &options, &|p| reporter.report(p)).await?;
    reporter.finish();
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&summary).map_err(anyhow::Error::from)?
        );
    } else {
        println!(
            "tenants: {} in all, {} up to date, {} migrated, {} failed ({} ms)",
            summary.tenants,
            summary.up_to_date,
            summary.migrated,
            summary.failed.len(),
            summary.elapsed_ms
        );
        for failure in &summary.failed {
            println!("  FAILED {}: {}", failure.slug, failure.error);
        }
    }
    if summary.failed.is_empty() {
        Ok(())
    } else {
        Err(CliError::new(
            CliError::PARTIAL,
            anyhow::anyhow!(
                "{} tenant(s) failed to migrate; run again to retry them",
                summary.failed.len()
            ),
        ))
    }
}

/// A progress bar on a terminal, a log line per tenant otherwise.
struct Reporter {
    bar: Mutex<Option<ProgressBar>>,
    interactive: bool,
}

impl Reporter {
    fn new() -> Self {
        Self {
            bar: Mutex::new(None),
            interactive: std::io::stderr().is_terminal(),
        }
    }

    fn report(&self, progress: Progress<'_>) {
        let mut bar = self.bar.lock().unwrap_or_else(|e| e.into_inner());
        match progress {
            Progress::Planned { pending, up_to_date } => {
                eprintln!("tenants: {pending} to migrate, {up_to_date} up to date");
                if self.interactive && pending > 0 {
                    let b = ProgressBar::new(pending as u64);
                    if let Ok(style) = ProgressStyle::with_template("{bar:40} {pos}/{len} tenants {elapsed} {msg}") {
                        b.set_style(style);
                    }
                    *bar = Some(b);
                }
            }
            Progress::Migrated { slug, versions } => match bar.as_ref() {
                Some(b) => b.inc(1),
                None => eprintln!("migrated {slug}: {versions:?}"),
            },
            Progress::Failed { slug, error } => match bar.as_ref() {
                Some(b) => {
                    b.println(format!("FAILED {slug}: {error}"));
                    b.inc(1);
                }
                None => eprintln!("FAILED {slug}: {error}"),
            },
        }
    }

    fn finish(&self) {
        if let Some(b) = self.bar.lock().unwrap_or_else(|e| e.into_inner()).take() {
            b.finish_and_clear();
        }
    }
}
