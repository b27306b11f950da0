//! Acceptance: the seed pages in ../shared/seeds become exactly their
//! expected clean bodies, and each is pinned by a snapshot showing the
//! detected language, script and every removal.
//!
//! The seeds live outside the repository (they are the project's shared
//! acceptance data); when they are absent the test says so and fails, since
//! CI always runs with shared/ beside the checkout.

use std::fs;
use std::path::PathBuf;

mod common;

fn seeds_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/seeds")
}

#[test]
fn seed_pages_match_expected_bodies() {
    let dir = seeds_dir();
    let mut names: Vec<_> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}: the seed pages are needed", dir.display()))
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    names.sort();
    assert_eq!(names.len(), 5, "expected five seed pages");
    let cleaner = dechaff::Cleaner::builtin();
    for path in names {
        let name = path
            .file_name()
            .expect("a file")
            .to_string_lossy()
            .into_owned();
        let input = fs::read(&path).expect("seed readable");
        let expected =
            fs::read_to_string(dir.join("expected").join(&name)).expect("expected readable");
        let cleaned = cleaner.clean_bytes(&input);
        let got: Vec<&str> = cleaned.text.lines().filter(|l| !l.is_empty()).collect();
        let want: Vec<&str> = expected.lines().filter(|l| !l.is_empty()).collect();
        assert_eq!(got, want, "seed {name}");
        let stem = name.trim_end_matches(".txt").to_owned();
        insta::with_settings!({snapshot_path => "../snapshots", prepend_module_to_snapshot => false}, {
            insta::assert_snapshot!(format!("seed__{stem}"), common::report(&cleaned));
        });
    }
}
