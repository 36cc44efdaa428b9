//! Builds the first-party plugins (plugins/builtin) from source for wasm32-wasip2 and embeds
//! them: the platform ships them, and registers them in its catalogue.

include!("../plugins/build_guests.rs");

fn main() {
    for (package, path) in build_guests(&["custom-fields"], &["sdk", "plugins/builtin"]) {
        let name = package.to_uppercase().replace('-', "_");
        println!("cargo:rustc-env=BUILTIN_{name}={}", path.display());
    }
}
