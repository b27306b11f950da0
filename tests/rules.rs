//! Every built-in rule file loads, compiles, documents each rule and passes
//! its own examples; ids are unique per file.

use std::fs;
use std::path::Path;

use dechaff::{Cleaner, Options, RuleSet};

mod common;
use common::{bin, scratch, succeeded};

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
        // The concept file is shared by every language, not a rule set.
        .filter(|name| name != "concepts")
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
        // Phrases say most of what patterns said before (issue 9).
        assert!(
            s.drop_lines + s.cut_after + s.phrases >= 5,
            "{lang}: only {} drop_lines, {} cut_after rules and {} phrases",
            s.drop_lines,
            s.cut_after,
            s.phrases
        );
    }
}

/// A language file with phrases only, as `--rules` loads it.
const PHRASE_FILE: &str = "lang: pol\nphrases:\n  share: [Udostępnij, Podziel się]\n  credit: [Źródło]\n  related-news: [Zobacz też]\nkeep:\n  - 'Źródło problemu leży w przepisach z 2019 roku.'\n";

const POLISH_PAGE: &str = "Strona główna\n\nRada miasta przyjęła w poniedziałek nowy budżet po długiej debacie o finansowaniu szkół, naprawach dróg i kosztach nowej biblioteki miejskiej.\n\nRadni opozycji głosowali przeciw, twierdząc, że miasto nie stać na tak duże inwestycje w czasie rosnących kosztów energii i wysokiej inflacji.\n\nŹródło: PAP\n\nUdostępnij\n\nZobacz też\n\nInny artykuł o czymś zupełnie innym niż budżet miasta, który nie należy do tej strony.\n";

fn removals(cleaned: &dechaff::Cleaned) -> Vec<(String, String)> {
    cleaned
        .removed
        .iter()
        .map(|r| (r.rule.to_owned(), r.text.to_owned()))
        .collect()
}

#[test]
fn phrase_files_drop_lines_and_mark_boundaries() {
    let mut rules = RuleSet::builtin();
    rules
        .add_yaml("pol.yaml", PHRASE_FILE)
        .expect("valid phrase file");
    let options = Options {
        lang: Some("pol".into()),
        ..Options::default()
    };
    let cleaned = Cleaner::new(rules, options)
        .expect("pol is loaded")
        .clean(POLISH_PAGE);
    let removed = removals(&cleaned);
    for (rule, text) in [
        ("pol/credit", "Źródło: PAP"),
        ("pol/share", "Udostępnij"),
        ("pol/related-news", "Zobacz też"),
    ] {
        assert!(
            removed.iter().any(|(r, t)| r == rule && t == text),
            "{rule} did not remove {text:?}: {removed:?}"
        );
    }
    assert!(
        cleaned.text.contains("Rada miasta przyjęła"),
        "{}",
        cleaned.text
    );
    assert!(!cleaned.text.contains("Inny artykuł"), "{}", cleaned.text);
}

#[test]
fn common_phrases_apply_with_and_without_a_language_file() {
    let common = "lang: common\nextend: true\nphrases:\n  share: [WhatsApp]\n";
    let page = "The council approved the new budget on Monday after a long debate about school funding, road repairs and the cost of the new library.\n\nWhatsApp\n";
    for lang in ["eng", "common"] {
        let mut rules = RuleSet::builtin();
        rules.add_yaml("common.yaml", common).expect("valid");
        let options = Options {
            lang: Some(lang.into()),
            ..Options::default()
        };
        let cleaned = Cleaner::new(rules, options).expect("known").clean(page);
        let removed = removals(&cleaned);
        assert!(
            removed
                .iter()
                .any(|(r, t)| r == "common/share" && t == "WhatsApp"),
            "{lang}: {removed:?}"
        );
    }
}

#[test]
fn extending_a_file_adds_phrases_and_tolerates_repeats() {
    let dir = scratch("phrases-extend");
    std::fs::write(dir.join("pol.yaml"), PHRASE_FILE).expect("write");
    let more = dir.join("more");
    std::fs::create_dir_all(&more).expect("mkdir");
    // "Udostępnij" repeats the base file; "Drukuj" is new.
    std::fs::write(
        more.join("pol.yaml"),
        "lang: pol\nextend: true\nphrases:\n  share: [Udostępnij, Drukuj]\n",
    )
    .expect("write");
    let mut rules = RuleSet::builtin_with_dir(&dir).expect("base loads");
    let src = std::fs::read_to_string(more.join("pol.yaml")).expect("read");
    rules.add_yaml("pol.yaml", &src).expect("extension loads");
    let options = Options {
        lang: Some("pol".into()),
        ..Options::default()
    };
    let page = POLISH_PAGE.replace("Udostępnij\n", "Udostępnij\n\nDrukuj\n");
    let cleaned = Cleaner::new(rules, options).expect("pol").clean(&page);
    let removed = removals(&cleaned);
    assert!(
        removed
            .iter()
            .any(|(r, t)| r == "pol/share" && t == "Udostępnij"),
        "{removed:?}"
    );
    assert!(
        removed
            .iter()
            .any(|(r, t)| r == "pol/share" && t == "Drukuj"),
        "{removed:?}"
    );
    assert!(
        removed
            .iter()
            .any(|(r, t)| r == "pol/credit" && t == "Źródło: PAP"),
        "{removed:?}"
    );
}

#[test]
fn rules_check_reports_phrase_problems_with_positions() {
    let dir = scratch("phrases-check");
    std::fs::write(
        dir.join("pol.yaml"),
        "lang: pol\nphrases:\n  shares: [Udostępnij]\n  share: [Udostępnij, '  UDOSTĘPNIJ ', '»']\n  credit: [Źródło]\nkeep:\n  - 'Źródło: ministerstwo, które nie odpowiedziało.'\n",
    )
    .expect("write");
    std::fs::write(
        dir.join("concepts.yaml"),
        "concepts:\n  - id: x\n    colour: red\n",
    )
    .expect("write");
    let out = bin()
        .args(["rules", "check"])
        .arg(&dir)
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    let pol = dir.join("pol.yaml").display().to_string();
    let concepts = dir.join("concepts.yaml").display().to_string();
    for expected in [
        format!("{pol}:3:3: unknown concept \"shares\""),
        format!("{pol}:4:23: duplicate phrase \"  UDOSTĘPNIJ \""),
        format!("{pol}:4:40: phrase \"»\" is empty after normalisation"),
        format!("{pol}:5:12: phrase \"Źródło\" (credit) matches the keep sentence at line 7"),
        format!("{concepts}:3:5: unknown key \"colour\""),
    ] {
        assert!(
            stderr.contains(&expected),
            "missing {expected:?} in:\n{stderr}"
        );
    }
}

#[test]
fn builtin_concepts_check_clean_and_every_phrase_list_names_one() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
    let out = bin()
        .args(["rules", "check"])
        .arg(&dir)
        .output()
        .expect("runs");
    succeeded(&out);
}

#[test]
fn an_oversized_file_in_a_rules_directory_is_refused_by_name() {
    let dir = common::scratch("rules-oversized");
    let path = dir.join("eng.yaml");
    // A comment line repeated past the cap: valid YAML, far too large.
    std::fs::write(&path, "# padding\n".repeat(300_000)).unwrap();
    let err = RuleSet::check_dir(&dir).expect_err("a 3 MB rule file is refused");
    let message = err.to_string();
    assert!(
        message.contains("eng.yaml") && message.contains("larger than 1048576 bytes"),
        "{message}"
    );
}
