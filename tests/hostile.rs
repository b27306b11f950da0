//! Bad input never panics: each case gets a sensible result or a clear error.

use dechaff::{Cleaner, Error, RuleSet};

#[test]
fn empty_input() {
    let c = Cleaner::builtin().clean_bytes(b"");
    assert_eq!(c.text, "");
    assert!(c.removed.is_empty());
    assert_eq!(c.lang, "common");
}

#[test]
fn blank_lines_only() {
    let c = Cleaner::builtin().clean(" \n\n\t\r\n\u{A0}\n");
    assert_eq!(c.text, "");
}

#[test]
fn binary_input_is_cleaned_without_panic() {
    // A deterministic byte soup with NULs, controls and high bytes.
    let mut x: u32 = 0x2545_F491;
    let bytes: Vec<u8> = (0..200_000)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            (x >> 24) as u8
        })
        .collect();
    let c = Cleaner::builtin().clean_bytes(&bytes);
    assert!(
        !c.text.contains('\0'),
        "control characters are normalised away"
    );
    assert!(c.text.len() <= bytes.len() * 3);
}

#[test]
fn invalid_utf8_is_replaced_and_counted() {
    let mut bytes = "Grüße aus Köln – die Straßenbahn fährt wieder über die Brücke, wie die Stadt am Montag mitteilte.\n".as_bytes().to_vec();
    bytes.extend_from_slice(b"kaputt \xC3\x28 und \xFF hier\n");
    let c = Cleaner::builtin().clean_bytes(&bytes);
    assert_eq!(c.encoding, "UTF-8");
    assert_eq!(c.replaced_bytes, 2);
}

#[test]
fn fifty_megabyte_single_line() {
    let sentence = "The river rose again on Tuesday, and the town council met to decide whether the old bridge should close. ";
    let line = sentence.repeat(50 * 1024 * 1024 / sentence.len());
    let c = Cleaner::builtin().clean(&line);
    assert_eq!(
        c.text.trim_end(),
        line.trim_end(),
        "one long prose line is the body"
    );
}

#[test]
fn many_short_lines() {
    let page = "Home\nNews\n12\n".repeat(100_000);
    let options = dechaff::Options {
        min_kept: 0.0,
        ..Default::default()
    };
    let c = Cleaner::new(RuleSet::builtin(), options)
        .expect("valid")
        .clean(&page);
    assert_eq!(c.text, "", "a page of menu words has no body");
    let c = Cleaner::builtin().clean(&page);
    let net = c.safety_net.expect("the default safety net keeps the page");
    assert_eq!(net.kept_share, 0.0);
    assert!(c.removed.is_empty());
    assert_eq!(c.text.lines().filter(|l| !l.is_empty()).count(), 300_000);
}

fn rule_error(src: &str) -> String {
    let mut rules = RuleSet::builtin();
    match rules.add_yaml("user/eng.yaml", src) {
        Err(Error::Rules(p)) => p
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n"),
        other => panic!("expected rule errors, got {other:?}"),
    }
}

#[test]
fn bad_regex_names_file_line_and_rule() {
    let e = rule_error("lang: eng\ndrop_lines:\n  - id: broken\n    why: x\n    pattern: 'a(b'\n    examples: {remove: [ab], keep: [c]}\n");
    assert!(
        e.starts_with("user/eng.yaml:5:14: rule \"broken\": invalid pattern"),
        "{e}"
    );
}

#[test]
fn unknown_key_is_an_error() {
    let e = rule_error("lang: eng\ndrop_line: []\n");
    assert!(
        e.contains("user/eng.yaml:2:1: unknown key \"drop_line\""),
        "{e}"
    );
}

#[test]
fn exponential_yaml_is_refused() {
    let mut src = String::from("lang: eng\na0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..20 {
        let p = i - 1;
        src.push_str(&format!(
            "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
        ));
    }
    let e = rule_error(&src);
    assert!(e.contains("invalid YAML"), "{e}");
}

#[test]
fn catastrophic_fancy_pattern_does_not_hang() {
    let mut rules = RuleSet::builtin();
    rules
        .add_yaml(
            "user/eng.yaml",
            "lang: eng\ndrop_lines:\n  - id: nested\n    why: Backtracks exponentially.\n    pattern: '^(?:(?=a)a|a)*c$'\n    fancy: true\n    examples: {remove: [aac], keep: [b]}\n",
        )
        .expect("valid rule");
    let options = dechaff::Options {
        lang: Some("eng".into()),
        ..Default::default()
    };
    let cleaner = Cleaner::new(rules, options).expect("valid");
    let line = format!("{}b", "a".repeat(40));
    let page = format!("{line}\n{line}x\nThe council approved the new budget on Monday after a long debate about schools.\n");
    let c = cleaner.clean(&page);
    assert!(c.removed.iter().all(|r| r.rule != "eng/nested"));
    assert_eq!(c.warnings.len(), 1, "reported once, then switched off");
    assert_eq!(c.warnings[0].rule, "eng/nested");
    assert_eq!(c.warnings[0].line, 1);
    assert!(c.warnings[0].message.contains("backtracking limit"));
}

#[test]
fn one_cleaner_serves_many_threads() {
    let cleaner = std::sync::Arc::new(Cleaner::builtin());
    let page = "Home\n\nThe council approved the new budget on Monday after a long debate about school funding and roads.\n\n相关新闻\n";
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let c = std::sync::Arc::clone(&cleaner);
            std::thread::spawn(move || c.clean(page).text)
        })
        .collect();
    let texts: Vec<String> = handles
        .into_iter()
        .map(|h| h.join().expect("no panic"))
        .collect();
    assert!(texts.windows(2).all(|w| w[0] == w[1]));
    assert!(texts[0].starts_with("The council approved"));
}

/// A cleaner for English with `src` added as a user's rule file.
fn english_with(src: &str) -> Cleaner {
    let mut rules = RuleSet::builtin();
    rules.add_yaml("user/eng.yaml", src).expect("valid rule");
    let options = dechaff::Options {
        lang: Some("eng".into()),
        min_kept: 0.0,
        ..Default::default()
    };
    Cleaner::new(rules, options).expect("valid")
}

const PROSE: &str =
    "The council approved the new budget on Monday after a long debate about schools.\n";

/// On a `Q` followed by fourteen `a` and then not the line's end, this
/// look-ahead backtracks through every way of matching the `a`: about
/// 65,000 steps, just under the per-search limit of 100,000.
const COSTLY: &str = "Q(?!(?:(?=a)a|a)*$)";

#[test]
fn an_inline_rule_costly_on_every_match_runs_out_of_its_page_budget() {
    let cleaner = english_with(&format!(
        "lang: eng\nextend: true\nremove_inline:\n  - id: costly\n    why: Nearly exhausts the budget on each match.\n    pattern: '{COSTLY}'\n    fancy: true\n    examples: {{remove: ['Qa!'], keep: [Qaaa]}}\n"
    ));
    // Forty matches on one line: each search alone stays within the limit,
    // together they cost 2.6 million steps (a 4,000-character line took 6 s).
    let line = format!("{}end", "Qaaaaaaaaaaaaaa".repeat(40));
    let c = cleaner.clean(&format!("{line}\n\n{PROSE}"));
    assert_eq!(c.warnings.len(), 1, "{:?}", c.warnings);
    assert_eq!(c.warnings[0].rule, "eng/costly");
    assert_eq!(c.warnings[0].line, 1);
    assert!(c.warnings[0].message.contains("backtracking limit"));
    assert!(
        c.removed.iter().all(|r| r.rule != "eng/costly"),
        "a rule that ran dry applies to no part of the line"
    );
}

#[test]
fn a_drop_rule_costly_on_every_line_runs_out_of_its_page_budget() {
    let cleaner = english_with(&format!(
        "lang: eng\nextend: true\ndrop_lines:\n  - id: costly\n    why: Nearly exhausts the budget on each line.\n    pattern: '^{COSTLY}'\n    fancy: true\n    examples: {{remove: ['Qa!'], keep: [Qaaa]}}\n"
    ));
    let page = format!("{}{PROSE}", "Qaaaaaaaaaaaaaab\n".repeat(40));
    let c = cleaner.clean(&page);
    assert_eq!(c.warnings.len(), 1, "{:?}", c.warnings);
    assert_eq!(c.warnings[0].rule, "eng/costly");
    let dropped = c.removed.iter().filter(|r| r.rule == "eng/costly").count();
    assert!(
        dropped <= 2,
        "switched off after a line or two, not after {dropped}"
    );
}

#[test]
fn an_ordinary_fancy_rule_keeps_its_budget_on_a_long_page() {
    let cleaner = english_with(
        "lang: eng\nextend: true\nremove_inline:\n  - id: after-dot\n    why: A look-behind tried on every line.\n    pattern: '(?<=\\.)/\\.'\n    fancy: true\n    examples: {remove: ['end./.'], keep: ['a/.']}\n",
    );
    let page = format!("{}The end./.\n", PROSE.repeat(2_000));
    let c = cleaner.clean(&page);
    assert!(c.warnings.is_empty(), "{:?}", c.warnings);
    assert!(c.removed.iter().any(|r| r.rule == "eng/after-dot"));
}

/// Its group reaches past each match: (0,2), (1,3), (2,4) on "aaaa".
const AHEAD: &str = "lang: eng\nextend: true\nremove_inline:\n  - id: ahead\n    why: Its group lies inside a look-ahead.\n    pattern: '(?=(aa))a'\n    fancy: true\n    examples: {remove: [baab], keep: [bab]}\n";

#[test]
fn a_capture_group_inside_a_look_ahead_removes_what_it_covers() {
    let cleaner = english_with(AHEAD);
    let c = cleaner.clean(&format!("b aaaa b {PROSE}"));
    let removed: Vec<&str> = c
        .removed
        .iter()
        .filter(|r| r.rule == "eng/ahead")
        .map(|r| r.text)
        .collect();
    assert_eq!(removed, ["aaaa"], "overlapping spans merge into one");
    assert!(c.text.starts_with("b b The council"), "{}", c.text);
}

#[test]
fn a_capture_group_inside_a_look_ahead_from_a_rules_directory() {
    // The path --rules takes.
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("hostile-ahead");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("mkdir");
    std::fs::write(dir.join("eng.yaml"), AHEAD).expect("write");
    let options = dechaff::Options {
        lang: Some("eng".into()),
        ..Default::default()
    };
    let rules = RuleSet::builtin_with_dir(&dir).expect("valid rules");
    let c = Cleaner::new(rules, options)
        .expect("valid")
        .clean(&format!("aaaa {PROSE}"));
    assert!(c.text.starts_with("The council"), "{}", c.text);
}

#[test]
fn capture_groups_inside_a_look_behind_overlap_and_merge() {
    // Before "1" the group is "ab" (0..2), before "2" it is "b1" (1..3):
    // removing the second after the first sliced backwards and panicked.
    let cleaner = english_with(
        "lang: eng\nextend: true\nremove_inline:\n  - id: behind\n    why: Its group lies before each match.\n    pattern: '(?<=(\\w\\w))\\d'\n    fancy: true\n    examples: {remove: [ab1], keep: [a1]}\n",
    );
    let c = cleaner.clean(&format!("ab12 tail {PROSE}"));
    let removed: Vec<&str> = c
        .removed
        .iter()
        .filter(|r| r.rule == "eng/behind")
        .map(|r| r.text)
        .collect();
    assert_eq!(removed, ["ab1"], "{:?}", c.removed);
    assert!(c.text.starts_with("2 tail The council"), "{}", c.text);
}

/// `n` plain drop rules, each heavy enough that about 120 of them fill a
/// set's size limit, for the file `lang`.
fn heavy_rules(lang: &str, extend: bool, n: usize, from: usize) -> String {
    let mut src = format!("lang: {lang}\nextend: {extend}\ndrop_lines:\n");
    for i in from..from + n {
        src.push_str(&format!(
            "  - id: menu-{i}\n    why: A menu line.\n    pattern: '(?i)^abc item {i}\\b.{{0,300}}$'\n    examples: {{remove: ['abc item {i}'], keep: [nope]}}\n"
        ));
    }
    src
}

#[test]
fn an_extending_file_that_fails_merged_is_refused_at_load() {
    let mut rules = RuleSet::builtin();
    rules
        .add_yaml("base/zzz.yaml", &heavy_rules("zzz", false, 80, 0))
        .expect("within the limits alone");
    let err = rules
        .add_yaml("site/zzz.yaml", &heavy_rules("zzz", true, 80, 80))
        .expect_err("too large merged");
    let e = err.to_string();
    assert!(
        e.starts_with("site/zzz.yaml:4:5: merged with base/zzz.yaml (\"extend: true\"): the drop_lines patterns together are too large"),
        "{e}"
    );
    // The set is left as it was: cleaning in zzz works (it panicked).
    let options = dechaff::Options {
        lang: Some("zzz".into()),
        ..Default::default()
    };
    let c = Cleaner::new(rules, options).expect("valid").clean(PROSE);
    assert_eq!(c.lang, "zzz");
}
