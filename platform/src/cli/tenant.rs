use super::exit::{CliError, CliResult};
use crate::ops::views::TenantView;
use crate::startup::{connect_owner_pool, ensure_migrated};
use clap::Subcommand;
use secrecy::{ExposeSecret as _, SecretString};
use tenants::password::Password;
use tenants::{Email, NewTenant, Tenancy, Tenant, TenantSlug, TenantStatus};

#[derive(Debug, Subcommand)]
pub enum TenantCommand {
    /// Create a tenant: schema, role, key, domain and first administrator.
    Create {
        /// 3 to 40 of a-z, 0-9 and '-', starting with a letter.
        slug: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        admin_email: String,
        /// Omit (and omit --admin-password-stdin) to get a one-time setup token instead.
        #[arg(long, conflicts_with = "admin_password_stdin")]
        admin_password: Option<String>,
        /// Read the administrator's password from the first line of standard input.
        #[arg(long)]
        admin_password_stdin: bool,
        #[arg(long)]
        admin_name: Option<String>,
        #[arg(long)]
        plan: Option<String>,
        /// Succeed without changes when the tenant already exists.
        #[arg(long)]
        if_not_exists: bool,
        #[arg(long)]
        json: bool,
    },
    /// List tenants.
    List {
        #[arg(long)]
        status: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Show one tenant (by slug or id) with its domains.
    Show {
        tenant: String,
        #[arg(long)]
        json: bool,
    },
    /// Suspend a tenant: its hosts answer 403.
    Suspend { tenant: String },
    /// Resume a suspended tenant.
    Resume { tenant: String },
    /// Delete a tenant for good: keys destroyed first, then schema and role.
    Delete {
        tenant: String,
        /// Confirm: this cannot be undone.
        #[arg(long)]
        yes: bool,
    },
}

pub(super) fn read_stdin_line() -> CliResult<String> {
    let mut line = String::new();
    std::io::stdin().read_line(&mut line).map_err(anyhow::Error::from)?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

async fn find(tenancy: &Tenancy, key: &str) -> CliResult<Tenant> {
    if let Ok(id) = key.parse() {
        return Ok(tenancy.get(id).await?);
    }
    let slug =
        TenantSlug::parse(key).map_err(|_| CliError::new(CliError::NOT_FOUND, anyhow::anyhow!("no tenant {key:?}")))?;
    Ok(tenancy.get_by_slug(&slug).await?)
}

fn print(tenant: &TenantView, json: bool) -> CliResult {
    if json {
        println!("{}", serde_json::to_string_pretty(tenant).map_err(anyhow::Error::from)?);
    } else {
        println!("{}  {}  {}  {}", tenant.id, tenant.slug, tenant.status, tenant.name);
        for d in tenant.domains.iter().flatten() {
            println!("  {}{}", d.host, if d.primary { " (primary)" } else { "" });
        }
    }
    Ok(())
}

pub async fn run(command: TenantCommand) -> CliResult {
    let config = super::config::config_for_command()?;
    let pool = connect_owner_pool(&config).await?;
    ensure_migrated(&pool).await?;
    let tenancy = crate::startup::tenancy(&config, pool.clone(), pool).await?;
    match command {
        TenantCommand::Create {
            slug,
            name,
            admin_email,
            admin_password,
            admin_password_stdin,
            admin_name,
            plan,
            if_not_exists,
            json,
        } => {
            let slug = TenantSlug::parse(&slug)?;
            if if_not_exists && let Ok(existing) = tenancy.get_by_slug(&slug).await {
                eprintln!("tenant {slug} already exists");
                return print(
                    &TenantView::new(&existing, Some(tenancy.domains(existing.id).await?)),
                    json,
                );
            }
            let password = match (admin_password, admin_password_stdin) {
                (Some(p), _) => Some(p),
                (None, true) => Some(read_stdin_line()?),
                (None, false) => None,
            };
            let request = NewTenant {
                slug,
                name,
                plan,
                admin_email: Email::parse(&admin_email)?,
                admin_name,
                admin_password: password.map(|p| Password::parse(SecretString::from(p))).transpose()?,
            };
            let provisioned = tenancy.provision(request).await?;
            let view = TenantView::new(&provisioned.tenant, Some(tenancy.domains(provisioned.tenant.id).await?));
            print(&view, json)?;
            if let Some(token) = provisioned.setup_token {
                eprintln!("one-time setup token (shown once): {}", token.expose_secret());
            }
            Ok(())
        }
        TenantCommand::List { status, json } => list(&tenancy, status, json).await,
        TenantCommand::Show { tenant, json } => {
            let tenant = find(&tenancy, &tenant).await?;
            print(&TenantView::new(&tenant, Some(tenancy.domains(tenant.id).await?)), json)
        }
        TenantCommand::Suspend { tenant } => {
            let tenant = find(&tenancy, &tenant).await?;
            print(&TenantView::new(&tenancy.suspend(tenant.id).await?, None), false)
        }
        TenantCommand::Resume { tenant } => {
            let tenant = find(&tenancy, &tenant).await?;
            print(&TenantView::new(&tenancy.resume(tenant.id).await?, None), false)
        }
        TenantCommand::Delete { tenant, yes } => delete(&tenancy, &config, &tenant, yes).await,
    }
}

/// Every tenant (with the given status), a page of 100 at a time.
async fn list(tenancy: &Tenancy, status: Option<String>, json: bool) -> CliResult {
    let status = status
        .map(|s| TenantStatus::parse(&s).ok_or_else(|| CliError::invalid(anyhow::anyhow!("unknown status {s:?}"))))
        .transpose()?;
    let mut page = 1;
    let mut all = Vec::new();
    loop {
        let result = tenancy.list(page, 100, status).await?;
        let done = result.tenants.len() < 100;
        all.extend(result.tenants.iter().map(|t| TenantView::new(t, None)));
        if done {
            break;
        }
        page += 1;
    }
    if json {
        println!("{}", serde_json::to_string_pretty(&all).map_err(anyhow::Error::from)?);
    } else {
        for t in &all {
            print(t, false)?;
        }
        eprintln!("{} tenant(s)", all.len());
    }
    Ok(())
}

/// Deletes a tenant for good: its schema, role, keys and objects.
async fn delete(tenancy: &Tenancy, config: &crate::config::Config, tenant: &str, yes: bool) -> CliResult {
    if !yes {
        return Err(CliError::usage(
            "deleting a tenant destroys its keys and data for good: add --yes",
        ));
    }
    let tenant = find(tenancy, tenant).await?;
    let objects = crate::media::objects::open(&config.object_store)?;
    let result = tenancy
        .delete_with(tenant.id, &crate::media::objects::purge(objects))
        .await?;
    println!(
        "deleted {} ({} key version(s) destroyed, {} object(s) removed)",
        tenant.slug, result.keys_destroyed, result.objects_deleted
    );
    Ok(())
}
