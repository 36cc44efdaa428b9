//! Embeds `migrations/platform/*.sql` and `migrations/tenant/*.sql` into the crate, so the
//! binary carries exactly the migrations it was built with. A file is named
//! `NNNN_description.sql`; the number is its version.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::{env, fs};

fn main() {
    let root = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"))
        .join("..")
        .join("migrations");
    println!("cargo:rerun-if-changed={}", root.display());
    let mut out = String::new();
    for (constant, dir) in [("PLATFORM", "platform"), ("TENANT", "tenant")] {
        let dir = root.join(dir);
        println!("cargo:rerun-if-changed={}", dir.display());
        writeln!(out, "pub(crate) static {constant}: &[Migration] = &[").expect("write to string");
        for (version, name, path) in migration_files(&dir) {
            writeln!(
                out,
                "    Migration {{ version: {version}, name: {name:?}, sql: include_str!({path:?}) }},"
            )
            .expect("write to string");
        }
        writeln!(out, "];").expect("write to string");
    }
    let dest = PathBuf::from(env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("migrations.rs");
    fs::write(dest, out).expect("write generated migrations.rs");
}

fn migration_files(dir: &Path) -> Vec<(i32, String, String)> {
    let mut files: Vec<_> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("read {}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "sql"))
        .map(|path| {
            let stem = path
                .file_stem()
                .and_then(|s| s.to_str())
                .expect("utf-8 file name")
                .to_owned();
            let (number, name) = stem
                .split_once('_')
                .unwrap_or_else(|| panic!("{} is not named NNNN_description.sql", path.display()));
            let version: i32 = number
                .parse()
                .unwrap_or_else(|_| panic!("{} does not start with a version number", path.display()));
            let path = path.canonicalize().expect("canonical path").display().to_string();
            (version, name.to_owned(), path)
        })
        .collect();
    files.sort_by_key(|(version, _, _)| *version);
    for pair in files.windows(2) {
        assert!(
            pair[0].0 != pair[1].0,
            "two migrations share version {} in {}",
            pair[0].0,
            dir.display()
        );
    }
    files
}
