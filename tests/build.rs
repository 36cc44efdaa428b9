//! Builds the plugins the tests install from source (tests/guests, the SDK template, the
//! first-party plugins) and tells the tests where they are: `GUEST_<NAME>` for each.

include!("../plugins/build_guests.rs");

fn main() {
    let guests = build_guests(
        &["guest-probe", "guest-echo", "guest-noop", "plugin-template"],
        &["sdk", "tests/guests"],
    );
    for (package, path) in guests {
        let name = package.to_uppercase().replace('-', "_");
        println!("cargo:rustc-env=GUEST_{name}={}", path.display());
    }
}
