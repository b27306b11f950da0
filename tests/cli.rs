//! The binary's behaviour seen from outside: outputs, exit codes and error
//! text, each case pinned by a snapshot of status, stdout and stderr.

mod common;

use std::fs;
use std::io::Write;
use std::path::Path;
use std::process::{Output, Stdio};

use common::{bin, scratch};

const ARTICLE: &str = "Home\nNews\nSport\n\nCouncil approves new budget\n\n\
The city council approved the new budget on Monday after a long debate about school funding, road repairs and the library.\n\n\
The mayor said the plan would keep taxes flat while adding two hundred teachers to the schools over the next three years.\n\n\
Share on Facebook\n\nRelated stories\n\nBridge closes for repairs\n";

/// Status, stdout and stderr, with the scratch path and the run time
/// replaced so snapshots do not depend on where and how fast tests run.
fn report(out: &Output, scratch: &Path) -> String {
    let time = regex::Regex::new(r"; [0-9.]+ s\n").expect("valid");
    let clean = |b: &[u8]| {
        let text = String::from_utf8_lossy(b).replace(&scratch.display().to_string(), "$DIR");
        time.replace_all(&text, "; <time>\n").into_owned()
    };
    format!(
        "status: {}\n--- stdout\n{}--- stderr\n{}",
        out.status
            .code()
            .map_or("signal".to_owned(), |c| c.to_string()),
        clean(&out.stdout),
        clean(&out.stderr)
    )
}

fn snap(name: &str, value: String) {
    insta::with_settings!({snapshot_path => "../snapshots", prepend_module_to_snapshot => false}, {
        insta::assert_snapshot!(format!("cli__{name}"), value);
    });
}

#[test]
fn cleans_a_file() {
    let dir = scratch("file");
    let page = dir.join("page.txt");
    fs::write(&page, ARTICLE).expect("write");
    let out = bin().arg(&page).output().expect("runs");
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout.clone()).expect("utf-8");
    assert!(
        text.starts_with("Council approves new budget\n\nThe city council"),
        "{text}"
    );
    assert!(
        !text.contains("Share on Facebook") && !text.contains("Bridge closes"),
        "{text}"
    );
    snap("cleans_a_file", report(&out, &dir));
}

#[test]
fn reads_stdin() {
    let mut child = bin()
        .arg("-")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(ARTICLE.as_bytes())
        .expect("write");
    let out = child.wait_with_output().expect("waits");
    assert!(out.status.success());
    let from_file = {
        let dir = scratch("stdin");
        fs::write(dir.join("p.txt"), ARTICLE).expect("write");
        bin().arg(dir.join("p.txt")).output().expect("runs").stdout
    };
    assert_eq!(out.stdout, from_file);
}

#[test]
fn json_has_every_field() {
    let dir = scratch("json");
    fs::write(dir.join("p.txt"), ARTICLE).expect("write");
    let out = bin()
        .arg(dir.join("p.txt"))
        .args(["--format", "json"])
        .output()
        .expect("runs");
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    for key in [
        "text",
        "lang",
        "script",
        "lang_confidence",
        "encoding",
        "removed",
    ] {
        assert!(v.get(key).is_some(), "missing {key}: {v}");
    }
    assert_eq!(v["lang"], "eng");
    assert_eq!(v["script"], "Latn");
    let removed = v["removed"].as_array().expect("array");
    assert!(removed
        .iter()
        .all(|r| r["line"].is_u64() && r["rule"].is_string() && r["text"].is_string()));
    assert!(
        removed.iter().any(|r| r["text"] == "Share on Facebook"),
        "{v}"
    );
}

#[test]
fn explain_marks_every_line_without_colour_when_piped() {
    let dir = scratch("explain");
    fs::write(dir.join("p.txt"), ARTICLE).expect("write");
    let out = bin()
        .arg(dir.join("p.txt"))
        .arg("--explain")
        .output()
        .expect("runs");
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout.clone()).expect("utf-8");
    assert!(!text.contains('\x1b'), "no colour on a pipe");
    assert_eq!(
        text.lines().count(),
        ARTICLE.lines().count() + 1,
        "one header, then every line"
    );
    snap("explain", report(&out, &dir));
    let coloured = bin()
        .arg(dir.join("p.txt"))
        .args(["--explain", "--color", "always"])
        .output()
        .expect("runs");
    assert!(String::from_utf8_lossy(&coloured.stdout).contains("\x1b[31m"));
}

#[test]
fn directory_mirrors_the_tree_and_reports_bad_files() {
    let dir = scratch("tree");
    let input = dir.join("in");
    fs::create_dir_all(input.join("a/b")).expect("mkdir");
    fs::write(input.join("top.txt"), ARTICLE).expect("write");
    fs::write(input.join("a/b/deep.txt"), ARTICLE).expect("write");
    fs::write(input.join("a/empty.txt"), "").expect("write");
    fs::write(input.join("a/image.bin"), b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").expect("write");
    fs::write(input.join(".hidden.txt"), ARTICLE).expect("write");
    let out = bin()
        .arg(&input)
        .arg("-o")
        .arg(dir.join("out"))
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1), "a bad file makes the run fail");
    for rel in ["top.txt", "a/b/deep.txt", "a/empty.txt"] {
        assert!(dir.join("out").join(rel).is_file(), "{rel} written");
    }
    assert!(!dir.join("out/a/image.bin").exists());
    assert!(!dir.join("out/.hidden.txt").exists());
    snap("directory", report(&out, &dir));
}

#[test]
fn errors_and_exit_codes() {
    let dir = scratch("errors");
    fs::write(dir.join("p.txt"), ARTICLE).expect("write");
    fs::write(dir.join("bin.dat"), b"\0\x01\x02binary").expect("write");
    let rules = dir.join("rules");
    fs::create_dir_all(&rules).expect("mkdir");
    fs::write(
        rules.join("eng.yaml"),
        "lang: eng\ndrop_lines:\n  - id: bad\n    why: Broken on purpose.\n    pattern: '(?<=x)y'\n    colour: red\n    examples: {remove: [xy], keep: [y]}\n",
    )
    .expect("write");
    let cases: Vec<(&str, Vec<std::ffi::OsString>)> = vec![
        ("missing_file", vec![dir.join("nope.txt").into()]),
        ("binary_file", vec![dir.join("bin.dat").into()]),
        (
            "unknown_lang",
            vec![dir.join("p.txt").into(), "--lang".into(), "xyz".into()],
        ),
        (
            "unknown_encoding",
            vec![
                dir.join("p.txt").into(),
                "--encoding".into(),
                "nope-8".into(),
            ],
        ),
        ("directory_without_output", vec![dir.clone().into()]),
        (
            "bad_rules_dir",
            vec![
                dir.join("p.txt").into(),
                "--rules".into(),
                rules.clone().into(),
            ],
        ),
        ("no_input", vec![]),
    ];
    let mut all = String::new();
    for (name, args) in cases {
        let out = bin().args(&args).output().expect("runs");
        let expected = if matches!(name, "missing_file" | "binary_file") {
            1
        } else {
            2
        };
        assert_eq!(
            out.status.code(),
            Some(expected),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        all.push_str(&format!("=== {name}\n{}\n", report(&out, &dir)));
    }
    snap("errors", all);
}

#[test]
fn rules_check_reports_every_problem() {
    let dir = scratch("check");
    fs::write(
        dir.join("eng.yaml"),
        "lang: eng\nbogus: 1\ndrop_lines:\n  - id: a\n    why: x\n    pattern: '(?<=x)y'\n    examples: {remove: [xy], keep: [y]}\n  - id: b\n    why: x\n    pattern: '['\n    examples: {remove: [x], keep: [y]}\n",
    )
    .expect("write");
    fs::write(dir.join("fra.yaml"), "lang: deu\n").expect("write");
    let out = bin()
        .args(["rules", "check"])
        .arg(&dir)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("eng.yaml:2:1: unknown key \"bogus\""), "{err}");
    assert!(
        err.contains("eng.yaml:6:14: rule \"a\": invalid pattern"),
        "{err}"
    );
    assert!(
        err.contains("eng.yaml:10:14: rule \"b\": invalid pattern"),
        "{err}"
    );
    assert!(
        err.contains("fra.yaml:1:1: \"lang: deu\" does not match the file name"),
        "{err}"
    );
    snap("rules_check", report(&out, &dir));

    let ok = bin()
        .args(["rules", "check"])
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("rules"))
        .output()
        .expect("runs");
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
}

#[test]
fn rules_lists_the_builtin_sets() {
    let out = bin().arg("rules").output().expect("runs");
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).expect("utf-8");
    for name in ["common", "cmn", "eng", "nob", "vie"] {
        assert!(
            text.lines().any(|l| l.starts_with(name)),
            "{name} listed:\n{text}"
        );
    }
}

#[test]
fn user_rules_override_and_extend() {
    let dir = scratch("overlay");
    fs::write(dir.join("p.txt"), ARTICLE).expect("write");
    let rules = dir.join("rules");
    fs::create_dir_all(&rules).expect("mkdir");
    fs::write(
        rules.join("eng.yaml"),
        "lang: eng\nextend: true\ndrop_lines:\n  - id: mayor-line\n    why: Test rule.\n    pattern: '^The mayor said'\n    examples: {remove: [The mayor said so], keep: [A mayor]}\n",
    )
    .expect("write");
    let out = bin()
        .arg(dir.join("p.txt"))
        .arg("--rules")
        .arg(&rules)
        .args(["--format", "json"])
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let removed = v["removed"].as_array().expect("array");
    assert!(removed.iter().any(|r| r["rule"] == "eng/mayor-line"), "{v}");
}

#[test]
fn closed_stdout_is_not_an_error() {
    let dir = scratch("pipe");
    let big: String = ARTICLE.repeat(20_000);
    fs::write(dir.join("big.txt"), &big).expect("write");
    let mut child = bin()
        .arg(dir.join("big.txt"))
        .args(["--explain"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("runs");
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("waits");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_rule_out_of_backtracking_budget_is_named_and_the_page_goes_on() {
    let dir = scratch("backtrack");
    let rules = dir.join("rules");
    fs::create_dir_all(&rules).expect("mkdir");
    fs::write(
        rules.join("eng.yaml"),
        "lang: eng\nextend: true\ndrop_lines:\n  - id: nested\n    why: Backtracks exponentially.\n    pattern: '^(?:(?=a)a|a)*c$'\n    fancy: true\n    examples: {remove: [aac], keep: [b]}\n",
    )
    .expect("write");
    let page = dir.join("page.txt");
    fs::write(&page, format!("{}b\n\n{ARTICLE}", "a".repeat(40))).expect("write");
    let out = bin()
        .arg(&page)
        .arg("--rules")
        .arg(&rules)
        .args(["--lang", "eng"])
        .output()
        .expect("runs");
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(
            "page.txt:1: warning: rule \"eng/nested\": backtracking limit of 100000 steps exceeded"
        ),
        "{stderr}"
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("The city council approved"), "{text}");
}

#[test]
fn rules_check_refuses_names_that_are_not_one_rule_file_each() {
    let dir = scratch("check-paths");
    let ok = "lang: eng\nextend: true\n";
    fs::write(dir.join("eng.yaml"), ok).expect("write");
    fs::write(dir.join("eng.yml"), ok).expect("write");
    std::os::unix::fs::symlink(dir.join("missing.yaml"), dir.join("dangling.yaml")).expect("link");
    std::os::unix::fs::symlink(dir.join("loop.yaml"), dir.join("loop.yaml")).expect("link");
    fs::create_dir(dir.join("folder.yaml")).expect("mkdir");
    let out = bin()
        .args(["rules", "check"])
        .arg(&dir)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty(), "no \"rule files ok\"");
    let err = String::from_utf8_lossy(&out.stderr);
    let d = dir.display();
    for expected in [
        format!("{d}/eng.yml: \"{d}/eng.yaml\" defines the same rule set"),
        format!("{d}/dangling.yaml: cannot read rule file: No such file or directory"),
        format!("{d}/loop.yaml: cannot read rule file:"),
        format!("{d}/folder.yaml: is a directory, not a rule file"),
    ] {
        assert!(err.contains(&expected), "{expected}\nin:\n{err}");
    }

    // Cleaning with the directory is refused too, before any page.
    let page = dir.join("page.txt");
    fs::write(&page, ARTICLE).expect("write");
    let run = bin()
        .arg(&page)
        .arg("--rules")
        .arg(&dir)
        .output()
        .expect("runs");
    assert_eq!(run.status.code(), Some(2));
    assert!(run.stdout.is_empty());
}
