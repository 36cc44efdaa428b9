//! `platform plugin`: the plugin catalogue, and a tenant's plugins, from the shell. The same
//! operations as the APIs, audited in the tenant's trail as the system.

use super::config::config_for_command;
use super::exit::{CliError, CliResult};
use crate::audit::{Actor, ClientContext};
use crate::plugins::installs::{self, InstalledPlugin, Source};
use crate::plugins::manage::{self, Action, By, Install};
use crate::plugins::{PluginService, catalogue};
use crate::startup::{connect_owner_pool, ensure_migrated};
use clap::Subcommand;
use serde_json::Value;
use std::path::PathBuf;
use tenants::{Tenancy, Tenant, TenantSlug};

#[derive(Debug, Subcommand)]
pub enum PluginCommand {
    /// The catalogue operators offer every tenant.
    #[command(subcommand)]
    Catalogue(CatalogueCommand),
    /// Install a plugin in a tenant: a component file, or --catalogue NAME.
    Install {
        #[arg(long)]
        tenant: String,
        /// A WebAssembly component (.wasm) built with the SDK.
        #[arg(required_unless_present = "catalogue", conflicts_with = "catalogue")]
        file: Option<PathBuf>,
        /// A plugin of the catalogue, by name.
        #[arg(long)]
        catalogue: Option<String>,
        /// Capabilities to grant, comma-separated (kv,crypto,clock).
        #[arg(long, value_delimiter = ',')]
        grant: Vec<String>,
        /// Enable it at once.
        #[arg(long)]
        enable: bool,
        /// Its configuration, a JSON file.
        #[arg(long)]
        config: Option<PathBuf>,
        #[arg(long)]
        json: bool,
    },
    /// List a tenant's plugins.
    List {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        json: bool,
    },
    /// Enable a tenant's plugin.
    Enable {
        #[arg(long)]
        tenant: String,
        name: String,
    },
    /// Disable a tenant's plugin (it keeps its configuration and storage).
    Disable {
        #[arg(long)]
        tenant: String,
        name: String,
    },
    /// Replace a tenant's plugin configuration with a JSON file (`-` reads standard input).
    Configure {
        #[arg(long)]
        tenant: String,
        name: String,
        file: PathBuf,
    },
    /// Grant capabilities (replacing earlier grants).
    Grant {
        #[arg(long)]
        tenant: String,
        name: String,
        /// Comma-separated; empty revokes all.
        #[arg(value_delimiter = ',')]
        capabilities: Vec<String>,
    },
    /// Uninstall a tenant's plugin; its storage is erased.
    Uninstall {
        #[arg(long)]
        tenant: String,
        name: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum CatalogueCommand {
    /// List the catalogue (built-in plugins included).
    List {
        #[arg(long)]
        json: bool,
    },
    /// Add a component to the catalogue, or replace the plugin of its name.
    Add { file: PathBuf },
    /// Remove a plugin from the catalogue (tenants that installed it keep it).
    Remove { name: String },
}

struct Context {
    tenancy: Tenancy,
    plugins: PluginService,
}

async fn context() -> CliResult<Context> {
    let config = config_for_command()?;
    let pool = connect_owner_pool(&config).await?;
    ensure_migrated(&pool).await?;
    let tenancy = crate::startup::tenancy(&config, pool.clone(), pool).await?;
    let objects = crate::media::objects::open(&config.object_store)?;
    let plugins = PluginService::new(tenancy.clone(), tenancy.pool().clone(), objects, config.plugins.clone())?;
    Ok(Context { tenancy, plugins })
}

async fn find_tenant(tenancy: &Tenancy, key: &str) -> CliResult<Tenant> {
    if let Ok(id) = key.parse() {
        return Ok(tenancy.get(id).await?);
    }
    let slug =
        TenantSlug::parse(key).map_err(|_| CliError::new(CliError::NOT_FOUND, anyhow::anyhow!("no tenant {key:?}")))?;
    Ok(tenancy.get_by_slug(&slug).await?)
}

fn read_file(path: &PathBuf) -> CliResult<Vec<u8>> {
    if path.as_os_str() == "-" {
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin(), &mut bytes).map_err(anyhow::Error::from)?;
        return Ok(bytes);
    }
    std::fs::read(path).map_err(|e| CliError::new(CliError::NOT_FOUND, anyhow::anyhow!("{}: {e}", path.display())))
}

fn read_json(path: &PathBuf) -> CliResult<Value> {
    serde_json::from_slice(&read_file(path)?)
        .map_err(|e| CliError::invalid(anyhow::anyhow!("{} is not JSON: {e}", path.display())))
}

fn print_installed(plugin: &InstalledPlugin, json: bool) -> CliResult {
    if json {
        println!("{}", serde_json::to_string_pretty(plugin).map_err(anyhow::Error::from)?);
    } else {
        println!(
            "{}  {}  {}  granted: {}  requested: {}",
            plugin.name,
            plugin.version,
            if plugin.enabled { "enabled" } else { "disabled" },
            if plugin.granted.is_empty() {
                "-".to_owned()
            } else {
                plugin.granted.join(",")
            },
            if plugin.requested.is_empty() {
                "-".to_owned()
            } else {
                plugin.requested.join(",")
            },
        );
    }
    Ok(())
}

/// One change in a tenant's schema, audited as the system.
async fn in_tenant<T>(
    ctx: &Context,
    tenant: &str,
    work: impl AsyncFnOnce(&mut tenants::TenantTx, &By<'_>) -> crate::http::ApiResult<T>,
) -> CliResult<T> {
    let tenant = find_tenant(&ctx.tenancy, tenant).await?;
    let client = ClientContext::default();
    let by = By {
        actor: Actor::System,
        user: None,
        client: &client,
    };
    let mut tx = tenant.scope().begin(ctx.tenancy.pool()).await?;
    let value = work(&mut tx, &by).await?;
    tx.commit().await?;
    Ok(value)
}

pub async fn run(command: PluginCommand) -> CliResult {
    let ctx = context().await?;
    match command {
        PluginCommand::Catalogue(CatalogueCommand::List { json }) => list_catalogue(&ctx, json).await?,
        PluginCommand::Catalogue(CatalogueCommand::Add { file }) => {
            let compiled = ctx.plugins.register_artifact(read_file(&file)?).await?;
            catalogue::offer_unless_builtin(ctx.tenancy.pool(), &compiled).await?;
            println!("{}  {}  {}", compiled.info.name, compiled.info.version, compiled.digest);
        }
        PluginCommand::Catalogue(CatalogueCommand::Remove { name }) => {
            catalogue::withdraw(ctx.tenancy.pool(), &name).await?;
        }
        PluginCommand::Install {
            tenant,
            file,
            catalogue: from_catalogue,
            grant,
            enable,
            config,
            json,
        } => {
            let (compiled, source) = match (file, from_catalogue) {
                (Some(file), _) => (ctx.plugins.register_artifact(read_file(&file)?).await?, Source::Upload),
                (None, Some(name)) => {
                    ctx.plugins.ensure_builtins().await?;
                    (
                        catalogue::compiled_of(&ctx.plugins, ctx.tenancy.pool(), &name).await?,
                        Source::Catalogue,
                    )
                }
                (None, None) => return Err(CliError::usage("give a file or --catalogue NAME")),
            };
            let config = config.as_ref().map(read_json).transpose()?;
            let request = Install {
                compiled,
                source,
                grant,
                enable,
                config,
            };
            let installed = in_tenant(&ctx, &tenant, async |tx, by| manage::install(tx, by, request).await).await?;
            print_installed(&installed, json)?;
        }
        PluginCommand::List { tenant, json } => {
            let found = in_tenant(&ctx, &tenant, async |tx, _| Ok(installs::list(tx).await?)).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&found).map_err(anyhow::Error::from)?);
            } else {
                for plugin in &found {
                    print_installed(plugin, false)?;
                }
            }
        }
        PluginCommand::Enable { tenant, name } => change(&ctx, &tenant, &name, Action::Enable).await?,
        PluginCommand::Disable { tenant, name } => change(&ctx, &tenant, &name, Action::Disable).await?,
        PluginCommand::Configure { tenant, name, file } => {
            change(&ctx, &tenant, &name, Action::Configure(read_json(&file)?)).await?
        }
        PluginCommand::Grant {
            tenant,
            name,
            capabilities,
        } => {
            let capabilities = capabilities.into_iter().filter(|c| !c.is_empty()).collect();
            change(&ctx, &tenant, &name, Action::Grant(capabilities)).await?
        }
        PluginCommand::Uninstall { tenant, name } => {
            in_tenant(&ctx, &tenant, async |tx, by| manage::uninstall(tx, by, &name).await).await?;
        }
    }
    Ok(())
}

/// The platform's catalogue: name, version, digest.
async fn list_catalogue(ctx: &Context, json: bool) -> CliResult {
    ctx.plugins.ensure_builtins().await?;
    let entries = catalogue::entries_of(ctx.tenancy.pool()).await?;
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&entries).map_err(anyhow::Error::from)?
        );
    } else {
        for e in entries {
            let builtin = if e.builtin { "  (built-in)" } else { "" };
            println!("{}  {}  {}{builtin}", e.name, e.version, e.digest);
        }
    }
    Ok(())
}

async fn change(ctx: &Context, tenant: &str, name: &str, action: Action) -> CliResult {
    let changed = in_tenant(ctx, tenant, async |tx, by| manage::change(tx, by, name, action).await).await?;
    print_installed(&changed, false)
}
