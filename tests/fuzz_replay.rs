//! Replays every committed fuzz input on the stable toolchain: each file in
//! `fuzz/corpus/<target>/` and `fuzz/regressions/<target>/` goes through
//! the very function the cargo-fuzz target `<target>` calls (the bodies in
//! `fuzz/src/lib.rs`, included here), so a crash the fuzzer once found, or
//! an input that once covered new code, stays a test.

use std::path::{Path, PathBuf};

#[allow(dead_code)]
#[path = "../fuzz/src/lib.rs"]
mod fuzz_bodies;

const FUZZ: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fuzz");

/// Every input file of `target`, in a stable order.
fn inputs(target: &str) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for dir in ["corpus", "regressions"] {
        let Ok(entries) = std::fs::read_dir(Path::new(FUZZ).join(dir).join(target)) else {
            continue;
        };
        for entry in entries {
            let path = entry.expect("fuzz directory readable").path();
            if path.is_file() {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// Feeds every input of `target` to `body`, naming the file that fails.
fn replay(target: &str, body: fn(&[u8])) {
    let files = inputs(target);
    assert!(
        !files.is_empty(),
        "no inputs for {target}: run from the repository root"
    );
    for path in files {
        let data = std::fs::read(&path).expect("fuzz input readable");
        if std::panic::catch_unwind(|| body(&data)).is_err() {
            panic!("fuzz input {} fails", path.display());
        }
    }
}

#[test]
fn clean_bytes() {
    replay("clean_bytes", fuzz_bodies::clean_bytes);
}

#[test]
fn clean_options() {
    replay("clean_options", fuzz_bodies::clean_options);
}

#[test]
fn rules_yaml() {
    replay("rules_yaml", fuzz_bodies::rules_yaml);
}
