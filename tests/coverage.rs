//! Every built-in language has fixtures that prove its rules work: each
//! fixture under `tests/fixtures/<code>/` is detected as `<code>` (unless
//! its header sets the language), and every rule and phrase concept of
//! `rules/<code>.yaml` removes something in at least one of them. A rule
//! that fires on no fixture is untested, and a fixture detected as another
//! language tests another file. `common`'s rules must fire on some fixture
//! anywhere.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;
use std::sync::OnceLock;

mod common;

struct Run {
    /// Fixture path, the rule set it was cleaned with, and whether its
    /// header set the language.
    detected: Vec<(String, String, bool)>,
    /// Rule ids cited by a removal, per fixture directory.
    fired: BTreeMap<String, BTreeSet<String>>,
}

/// Both tests read the same run: cleaning every fixture once is enough.
fn run_fixtures() -> &'static Run {
    static RUN: OnceLock<Run> = OnceLock::new();
    RUN.get_or_init(clean_all)
}

fn clean_all() -> Run {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut run = Run {
        detected: Vec::new(),
        fired: BTreeMap::new(),
    };
    // Compiling the rules once, not once per fixture, for fixtures without
    // options.
    let shared = dechaff::Cleaner::builtin();
    let mut dirs: Vec<_> = fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    dirs.sort();
    for dir in dirs.into_iter().filter(|d| d.is_dir()) {
        let name = dir.file_name().unwrap().to_str().unwrap().to_owned();
        let mut files: Vec<_> = fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        for file in files
            .into_iter()
            .filter(|f| f.extension().is_some_and(|e| e == "txt"))
        {
            let bytes = fs::read(&file).unwrap();
            let (options, body) = common::fixture_options(&bytes);
            let forced = options.lang.is_some();
            let cleaned = if body.len() == bytes.len() {
                shared.clean_bytes(body)
            } else {
                dechaff::Cleaner::new(dechaff::RuleSet::builtin(), options)
                    .unwrap_or_else(|e| panic!("{}: {e}", file.display()))
                    .clean_bytes(body)
            };
            let fired = run.fired.entry(name.clone()).or_default();
            fired.extend(cleaned.removed.iter().map(|r| r.rule.to_owned()));
            let shown = file.strip_prefix(&root).unwrap().display().to_string();
            run.detected.push((shown, cleaned.lang.clone(), forced));
        }
    }
    run
}

#[test]
fn every_fixture_of_a_language_is_detected_as_it() {
    let rules = dechaff::RuleSet::builtin();
    let run = run_fixtures();
    let wrong: Vec<String> = run
        .detected
        .iter()
        .filter(|(path, _, forced)| {
            let dir = path.split('/').next().unwrap();
            !forced && rules.has_language(dir)
        })
        .filter(|(path, lang, _)| !path.starts_with(&format!("{lang}/")))
        .map(|(path, lang, _)| format!("{path}: cleaned as {lang}"))
        .collect();
    assert!(
        wrong.is_empty(),
        "fixtures detected as another language:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn every_rule_and_phrase_concept_fires_on_a_fixture() {
    let rules = dechaff::RuleSet::builtin();
    let run = run_fixtures();
    let anywhere: BTreeSet<&String> = run.fired.values().flatten().collect();
    let mut silent = Vec::new();
    let mut without_fixtures = Vec::new();
    for summary in rules.summaries() {
        let fired = run.fired.get(&summary.name);
        if summary.name != dechaff::COMMON && fired.is_none() {
            without_fixtures.push(summary.name.clone());
            continue;
        }
        for id in &summary.ids {
            let hit = if summary.name == dechaff::COMMON {
                anywhere.contains(id)
            } else {
                fired.is_some_and(|f| f.contains(id))
            };
            if !hit {
                silent.push(id.clone());
            }
        }
    }
    assert!(
        without_fixtures.is_empty(),
        "languages without a fixture directory: {without_fixtures:?}"
    );
    assert!(
        silent.is_empty(),
        "{} rules or phrase concepts remove nothing in their language's fixtures:\n{}",
        silent.len(),
        silent.join("\n")
    );
}
