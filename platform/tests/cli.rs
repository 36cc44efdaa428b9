//! The `platform` binary as scripts use it: exit codes and output.

use e2e::{TestDb, random_master_key};
use secrecy::ExposeSecret as _;
use std::process::{Command, Output};

struct Cli {
    db: TestDb,
    master_key: String,
    objects: std::path::PathBuf,
}

impl Cli {
    async fn new() -> Self {
        Self {
            db: TestDb::new().await,
            master_key: random_master_key().expose_secret().to_owned(),
            objects: std::env::temp_dir().join(format!("platform-cli-objects-{}", uuid_like())),
        }
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_platform"))
            .args(args)
            .env("DATABASE_URL", self.db.url())
            .env("PLATFORM_APP_DATABASE_URL", self.db.serving_url())
            .env("PLATFORM_MASTER_KEY", &self.master_key)
            .env("PLATFORM_DB_ROLE_PREFIX", &self.db.role_prefix)
            .env("PLATFORM_OBJECT_STORE_DIR", &self.objects)
            .env_remove("PLATFORM_MASTER_KEY_FILE")
            .env_remove("RUST_LOG")
            .output()
            .expect("run platform")
    }

    fn code(&self, args: &[&str]) -> i32 {
        let out = self.run(args);
        out.status.code().expect("exit code")
    }
}

impl Drop for Cli {
    fn drop(&mut self) {
        drop(std::fs::remove_dir_all(&self.objects));
    }
}

fn uuid_like() -> String {
    format!(
        "{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos())
    )
}

/// Creates the tenant `acme` with a password, as the tests here need it.
const CREATE_ACME: [&str; 9] = [
    "tenant",
    "create",
    "acme",
    "--name",
    "Acme",
    "--admin-email",
    "a@acme.test",
    "--admin-password",
    "a long password",
];

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[tokio::test]
async fn exit_codes_tell_scripts_what_happened() {
    let cli = Cli::new().await;
    let help = cli.run(&["--help"]);
    assert!(help.status.success());
    assert!(text(&help).contains("Exit codes"), "{}", text(&help));
    assert_eq!(cli.code(&["tenant", "frobnicate"]), 2, "usage error");

    assert_eq!(cli.code(&["migrate"]), 0);
    let create = CREATE_ACME;
    let created = cli.run(&create);
    assert!(created.status.success(), "{}", text(&created));
    assert!(text(&created).contains("acme.localhost"));
    assert_eq!(cli.code(&create), 4, "exists");
    let mut if_not_exists = create.to_vec();
    if_not_exists.push("--if-not-exists");
    assert_eq!(cli.code(&if_not_exists), 0);
    assert_eq!(
        cli.code(&["tenant", "create", "www", "--name", "W", "--admin-email", "a@w.test"]),
        5,
        "reserved"
    );
    assert_eq!(
        cli.code(&["tenant", "create", "ok-slug", "--name", "W", "--admin-email", "nope"]),
        5,
        "bad e-mail"
    );
    assert_eq!(cli.code(&["tenant", "show", "nobody"]), 3);
    assert_eq!(cli.code(&["tenant", "delete", "acme"]), 2, "delete wants --yes");

    let setup = cli.run(&[
        "tenant",
        "create",
        "tokened",
        "--name",
        "T",
        "--admin-email",
        "a@t.test",
    ]);
    assert!(text(&setup).contains("setup token"), "{}", text(&setup));

    let listed = cli.run(&["tenant", "list", "--json"]);
    let tenants: serde_json::Value = serde_json::from_slice(&listed.stdout).expect("json");
    assert_eq!(tenants.as_array().map(Vec::len), Some(2));
    assert_eq!(cli.code(&["tenant", "suspend", "acme"]), 0);
    assert_eq!(cli.code(&["tenant", "suspend", "acme"]), 0, "idempotent");
    assert_eq!(cli.code(&["tenant", "resume", "acme"]), 0);
    assert_eq!(cli.code(&["tenant", "delete", "acme", "--yes"]), 0);
    assert_eq!(cli.code(&["tenant", "show", "acme"]), 3);
    assert_eq!(
        cli.code(&[
            "operator",
            "create",
            "--email",
            "o@p.test",
            "--password",
            "operator password"
        ]),
        0
    );
    assert_eq!(
        cli.code(&[
            "operator",
            "create",
            "--email",
            "O@P.test",
            "--password",
            "operator password"
        ]),
        4
    );
}

#[tokio::test]
async fn migrate_exits_6_when_a_tenant_fails_and_0_once_rerun_succeeds() {
    let cli = Cli::new().await;
    assert_eq!(
        cli.code(&[
            "tenant",
            "create",
            "one",
            "--name",
            "One",
            "--admin-email",
            "a@one.test"
        ]),
        0
    );
    assert_eq!(
        cli.code(&[
            "tenant",
            "create",
            "two",
            "--name",
            "Two",
            "--admin-email",
            "a@two.test"
        ]),
        0
    );
    // Tenant two's tracking rows are lost, so its first migration runs again and fails.
    let saved: Vec<(i32, String, String)> = sqlx::query_as(
        "DELETE FROM platform.tenant_migrations WHERE tenant_id = (SELECT id FROM platform.tenants WHERE slug = 'two') \
         RETURNING version, name, checksum",
    )
    .fetch_all(&cli.db.pool)
    .await
    .expect("delete tracking");

    let failed = cli.run(&["migrate"]);
    assert_eq!(failed.status.code(), Some(6), "{}", text(&failed));
    assert!(text(&failed).contains("FAILED two"), "{}", text(&failed));

    for (version, name, checksum) in saved {
        sqlx::query(
            "INSERT INTO platform.tenant_migrations (tenant_id, version, name, checksum) \
             SELECT id, $1, $2, $3 FROM platform.tenants WHERE slug = 'two'",
        )
        .bind(version)
        .bind(name)
        .bind(checksum)
        .execute(&cli.db.pool)
        .await
        .expect("restore tracking");
    }
    let fixed = cli.run(&["migrate", "--json"]);
    assert_eq!(fixed.status.code(), Some(0), "{}", text(&fixed));
    let summary: serde_json::Value = serde_json::from_slice(&fixed.stdout).expect("json summary");
    assert_eq!(summary["up_to_date"], 2);
}

#[tokio::test]
async fn plugins_from_the_shell() {
    let cli = Cli::new().await;
    assert_eq!(cli.code(&["migrate"]), 0);
    let created = cli.run(&CREATE_ACME);
    assert!(created.status.success(), "{}", text(&created));

    let catalogue = cli.run(&["plugin", "catalogue", "list"]);
    assert!(catalogue.status.success(), "{}", text(&catalogue));
    assert!(
        text(&catalogue).contains("custom-fields") && text(&catalogue).contains("(built-in)"),
        "{}",
        text(&catalogue)
    );

    let install = [
        "plugin",
        "install",
        "--tenant",
        "acme",
        "--catalogue",
        "custom-fields",
        "--grant",
        "crypto",
        "--enable",
    ];
    let installed = cli.run(&install);
    assert!(installed.status.success(), "{}", text(&installed));
    assert!(
        text(&installed).contains("custom-fields  1.0.0  enabled  granted: crypto"),
        "{}",
        text(&installed)
    );
    assert_eq!(cli.code(&install), 4, "installed already");

    let probe = e2e::guests::PROBE;
    assert_eq!(
        cli.code(&["plugin", "install", "--tenant", "acme", probe, "--grant", "kv,teleport"]),
        5,
        "unknown capability"
    );
    assert_eq!(
        cli.code(&["plugin", "install", "--tenant", "acme", probe, "--grant", "kv"]),
        0
    );
    assert_eq!(
        cli.code(&["plugin", "install", "--tenant", "nope", probe]),
        3,
        "no such tenant"
    );
    assert_eq!(
        cli.code(&["plugin", "install", "--tenant", "acme", "/no/such/file.wasm"]),
        3
    );
    assert_eq!(
        cli.code(&["plugin", "install", "--tenant", "acme"]),
        2,
        "neither file nor catalogue"
    );

    let listed = cli.run(&["plugin", "list", "--tenant", "acme", "--json"]);
    let listed: serde_json::Value = serde_json::from_slice(&listed.stdout).expect("json");
    assert_eq!(listed.as_array().map(Vec::len), Some(2));

    let config = cli.objects.with_extension("json");
    std::fs::write(&config, r#"{"greeting": "this greeting is far too long"}"#).expect("write");
    let config = config.to_str().expect("utf-8 path");
    assert_eq!(
        cli.code(&["plugin", "configure", "--tenant", "acme", "probe", config]),
        5,
        "against the schema"
    );
    std::fs::write(config, r#"{"greeting": "hi"}"#).expect("write");
    assert_eq!(
        cli.code(&["plugin", "configure", "--tenant", "acme", "probe", config]),
        0
    );
    drop(std::fs::remove_file(config));
    assert_eq!(cli.code(&["plugin", "enable", "--tenant", "acme", "probe"]), 0);
    assert_eq!(
        cli.code(&["plugin", "grant", "--tenant", "acme", "probe", "kv,clock"]),
        0
    );
    assert_eq!(cli.code(&["plugin", "disable", "--tenant", "acme", "nope"]), 3);
    assert_eq!(cli.code(&["plugin", "uninstall", "--tenant", "acme", "probe"]), 0);
    assert_eq!(cli.code(&["plugin", "uninstall", "--tenant", "acme", "probe"]), 3);

    let not_wasm = cli.objects.with_extension("txt");
    std::fs::write(&not_wasm, "hello").expect("write");
    let refused = cli.run(&["plugin", "catalogue", "add", not_wasm.to_str().expect("utf-8")]);
    assert_eq!(refused.status.code(), Some(5));
    assert!(text(&refused).contains("not WebAssembly"), "{}", text(&refused));
    drop(std::fs::remove_file(&not_wasm));
    assert_eq!(cli.code(&["plugin", "catalogue", "add", e2e::guests::TEMPLATE]), 0);
    assert_eq!(cli.code(&["plugin", "catalogue", "remove", "excerpt-required"]), 0);
    assert_eq!(
        cli.code(&["plugin", "catalogue", "remove", "custom-fields"]),
        4,
        "built-in"
    );
}

/// The container image's HEALTHCHECK, exactly as the Dockerfile says it, against a live
/// server and against nothing.
#[tokio::test]
async fn the_images_health_check_passes_against_a_live_server_and_fails_without_one() {
    let dockerfile = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../deploy/Dockerfile"))
        .expect("read deploy/Dockerfile");
    let line = dockerfile
        .lines()
        .find(|l| l.starts_with("HEALTHCHECK"))
        .expect("a HEALTHCHECK line");
    let exec_form = &line[line.find("CMD").expect("CMD") + 3..];
    let argv: Vec<String> = serde_json::from_str(exec_form.trim()).expect("CMD in exec form");
    // In the image `platform` is the binary on the PATH; here it is the one just built.
    let program = if argv[0] == "platform" {
        env!("CARGO_BIN_EXE_platform").to_owned()
    } else {
        argv[0].clone()
    };
    let check = move |listen: String| {
        Command::new(&program)
            .args(&argv[1..])
            .env("PLATFORM_LISTEN", listen)
            .output()
            .expect("run the health check")
    };

    let app = e2e::TestApp::spawn().await;
    let live = tokio::task::spawn_blocking({
        let check = check.clone();
        let listen = format!("0.0.0.0:{}", app.addr.port());
        move || check(listen)
    })
    .await
    .expect("join");
    assert!(live.status.success(), "{}", String::from_utf8_lossy(&live.stderr));

    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = closed.local_addr().expect("addr").port();
    drop(closed);
    let dead = check(format!("127.0.0.1:{port}"));
    assert!(!dead.status.success(), "no server, no health");
}
