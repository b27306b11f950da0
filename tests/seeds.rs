//! Acceptance: the five seed pages the project was specified with
//! (`tests/seeds/`, copied into the repository so that a bare clone tests
//! on its own) become exactly their expected clean bodies, and each is
//! pinned by a snapshot showing the detected language, script and every
//! removal.

use std::fs;
use std::path::PathBuf;

mod common;

fn seeds_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/seeds")
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
