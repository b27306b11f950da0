//! Every built-in rule file loads, compiles, documents each rule and passes
//! its own examples; ids are unique per file.

use std::fs;
use std::path::Path;

use dechaff::RuleSet;

#[test]
fn every_builtin_rule_file_checks_clean() {
    // check_dir parses, compiles and runs every example of every rule.
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
    match RuleSet::check_dir(&dir) {
        Ok(n) => assert!(n >= 11, "expected at least 11 rule files, found {n}"),
        Err(e) => panic!("built-in rules are invalid:\n{e}"),
    }
}

#[test]
fn every_rule_file_is_embedded() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
    let on_disk: Vec<String> = fs::read_dir(&dir)
        .expect("rules/ exists")
        .filter_map(|e| {
            let name = e.ok()?.file_name().into_string().ok()?;
            name.strip_suffix(".yaml").map(str::to_owned)
        })
        .collect();
    let embedded: Vec<String> = RuleSet::builtin()
        .summaries()
        .into_iter()
        .map(|s| s.name)
        .collect();
    for name in &on_disk {
        assert!(
            embedded.contains(name),
            "rules/{name}.yaml is not embedded in src/ruleset/mod.rs"
        );
    }
    assert_eq!(on_disk.len(), embedded.len());
}

#[test]
fn shipped_languages_have_rules_of_every_kind() {
    let summaries = RuleSet::builtin().summaries();
    for lang in [
        "cmn", "deu", "eng", "fra", "jpn", "kor", "nob", "rus", "spa", "vie",
    ] {
        let s = summaries
            .iter()
            .find(|s| s.name == lang)
            .unwrap_or_else(|| panic!("no rule set for {lang}"));
        assert!(
            s.drop_lines >= 3,
            "{lang}: only {} drop_lines rules",
            s.drop_lines
        );
        assert!(
            s.cut_after >= 2,
            "{lang}: only {} cut_after rules",
            s.cut_after
        );
    }
}
