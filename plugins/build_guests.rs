// Builds WebAssembly guest plugins from source with a nested cargo, for build scripts that
// embed them (`platform`) or hand them to tests (`e2e`). Shared by `include!`, so both build
// scripts stay dependency-free. Never commit a `.wasm`: this makes them.

/// Builds `packages` for wasm32-wasip2 (release) and returns each package's component path.
/// `watch` are directories, relative to the workspace root, whose changes rebuild.
fn build_guests(packages: &[&str], watch: &[&str]) -> Vec<(String, std::path::PathBuf)> {
    use std::path::PathBuf;
    use std::process::Command;

    let manifest_dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let workspace = manifest_dir.parent().expect("a crate of the workspace").to_path_buf();
    for dir in watch {
        println!("cargo:rerun-if-changed={}", workspace.join(dir).display());
    }
    println!("cargo:rerun-if-changed={}", workspace.join("Cargo.lock").display());

    // A target directory of their own beside the host's: the outer cargo holds the host one's
    // lock, and both build scripts share this one (cargo serialises them on its lock).
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR"));
    let target_dir = out_dir
        .ancestors()
        .nth(4)
        .map_or_else(|| out_dir.join("guests"), |target| target.join("wasm-guests"));

    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut command = Command::new(cargo);
    command
        .current_dir(&workspace)
        .args(["build", "--release", "--target", "wasm32-wasip2"])
        .env("CARGO_TARGET_DIR", &target_dir)
        // What the outer build set for host code must not leak into the guests' build.
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env_remove("RUSTFLAGS")
        .env_remove("RUSTC_WORKSPACE_WRAPPER")
        .env_remove("CLIPPY_ARGS")
        .env_remove("CARGO_BUILD_TARGET")
        // Plugins are small and run hot: whole-program optimisation is worth its build time.
        .env("CARGO_PROFILE_RELEASE_LTO", "fat")
        .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "1");
    for package in packages {
        command.args(["-p", package]);
    }
    let status = command.status().expect("cannot run cargo to build the guest plugins");
    if !status.success() {
        panic!(
            "building the guest plugins {packages:?} failed (is the target installed? \
             `rustup target add wasm32-wasip2`)"
        );
    }
    packages
        .iter()
        .map(|package| {
            let file = target_dir
                .join("wasm32-wasip2/release")
                .join(format!("{}.wasm", package.replace('-', "_")));
            assert!(file.exists(), "{} was not built", file.display());
            (package.to_string(), file)
        })
        .collect()
}
