//! The binary's behaviour seen from outside: outputs, exit codes and error
//! text, each case pinned by a snapshot of status, stdout and stderr.

mod common;

use std::fs;
use std::io::Write;
use std::path::Path;
use std::process::{Output, Stdio};

use common::{bin, long_name, scratch, succeeded, with_stdout_closed};

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
    succeeded(&ok);
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
    succeeded(&out);
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

fn page(dir: &Path) -> std::path::PathBuf {
    let p = dir.join("page.txt");
    fs::write(&p, ARTICLE).expect("write");
    p
}

/// A run that must succeed; returns its stderr.
fn ok(cmd: &mut std::process::Command) -> String {
    let out = cmd.output().expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{stderr}");
    stderr
}

/// A run refused as bad flags (exit 2) with `needle` in the message.
fn refused(cmd: &mut std::process::Command, needle: &str) {
    let out = cmd.output().expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{needle}: {stderr}");
    assert!(stderr.contains(needle), "{needle} not in {stderr}");
}

fn is_clean_body(bytes: &[u8]) -> bool {
    String::from_utf8_lossy(bytes).starts_with("Council approves new budget\n")
}

/// Issue 10, defect 1: single-page `-o`, stream outputs and `--rejects`
/// wrote through a link planted at their fixed temporary names.
#[test]
#[cfg(unix)]
fn outputs_never_follow_a_link_planted_at_a_temporary_name() {
    let dir = scratch("planted");
    let page = page(&dir);
    let victim = dir.join("victim.txt");
    fs::write(&victim, "precious\n").expect("write");
    let jsonl = dir.join("in.jsonl");
    fs::write(&jsonl, "{\"text\":\"Home\"}\nnot json\n").expect("write");
    for name in ["out.txt", "out.jsonl", "bad.jsonl"] {
        std::os::unix::fs::symlink(&victim, dir.join(format!(".{name}.dechaff-tmp")))
            .expect("symlink");
    }
    ok(bin().arg(&page).arg("-o").arg(dir.join("out.txt")));
    let out = bin()
        .arg("--jsonl")
        .arg(&jsonl)
        .arg("-o")
        .arg(dir.join("out.jsonl"))
        .arg("--rejects")
        .arg(dir.join("bad.jsonl"))
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1), "one record rejected");
    assert_eq!(fs::read_to_string(&victim).expect("there"), "precious\n");
    for name in ["out.txt", "out.jsonl", "bad.jsonl"] {
        let meta = fs::symlink_metadata(dir.join(name)).expect("written");
        assert!(meta.is_file(), "{name} is a regular file");
    }
    assert!(is_clean_body(
        &fs::read(dir.join("out.txt")).expect("there")
    ));
    assert!(fs::read_to_string(dir.join("bad.jsonl"))
        .expect("there")
        .contains("not json"));
}

/// Issue 10, defect 2: `-o FIFO` replaced the FIFO by a regular file, so
/// its reader got nothing.
#[test]
#[cfg(unix)]
fn output_to_a_fifo_writes_into_it() {
    use std::io::Read;
    use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
    let dir = scratch("fifo-out");
    let page = page(&dir);
    let fifo = dir.join("fifo");
    let c =
        std::ffi::CString::new(fifo.clone().into_os_string().into_encoded_bytes()).expect("no NUL");
    // SAFETY: a valid NUL-terminated path; mkfifo only creates a node.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0, "mkfifo");
    // A reader that does not block: the writer's open then succeeds, and
    // a read after it exits sees what it wrote, or EOF if it never did.
    let mut reader = fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(&fifo)
        .expect("open reader");
    ok(bin().arg(&page).arg("-o").arg(&fifo));
    let mut got = Vec::new();
    let _ = reader.read_to_end(&mut got);
    assert!(is_clean_body(&got), "{}", String::from_utf8_lossy(&got));
    assert!(fs::symlink_metadata(&fifo)
        .expect("there")
        .file_type()
        .is_fifo());
}

/// Issue 10, defect 2: `-o LINK` replaced the link; it now writes its
/// target and the link stays. A dangling link is refused.
#[test]
#[cfg(unix)]
fn output_to_a_symlink_writes_its_target() {
    let dir = scratch("link-out");
    let page = page(&dir);
    let target = dir.join("real.txt");
    fs::write(&target, "old\n").expect("write");
    let link = dir.join("link.txt");
    std::os::unix::fs::symlink("real.txt", &link).expect("symlink");
    ok(bin().arg(&page).arg("-o").arg(&link));
    assert!(fs::symlink_metadata(&link)
        .expect("there")
        .file_type()
        .is_symlink());
    assert!(is_clean_body(&fs::read(&target).expect("there")));
    let dangling = dir.join("dangling.txt");
    std::os::unix::fs::symlink("missing.txt", &dangling).expect("symlink");
    let out = bin()
        .arg(&page)
        .arg("-o")
        .arg(&dangling)
        .output()
        .expect("runs");
    let stderr = common::exited_one(&out, "a dangling link is refused");
    assert!(
        stderr.contains("dangling.txt: a symlink to a missing file"),
        "{stderr}"
    );
    assert!(!dir.join("missing.txt").exists());
}

/// Issue 10, defect 3: `--rejects` naming the output file shared its
/// temporary file and corrupted the output; refused, however spelled.
#[test]
#[cfg(unix)]
fn rejects_into_the_output_file_is_refused() {
    let dir = scratch("rejects-clash");
    let jsonl = dir.join("in.jsonl");
    fs::write(&jsonl, "{\"text\":\"Home\"}\nnot json\n").expect("write");
    fs::create_dir_all(dir.join("sub")).expect("mkdir");
    std::os::unix::fs::symlink("out.jsonl", dir.join("alias.jsonl")).expect("symlink");
    for rejects in ["out.jsonl", "sub/../out.jsonl", "alias.jsonl"] {
        for mode in ["--jsonl", "--wet"] {
            refused(
                bin().current_dir(&dir).arg(mode).arg(&jsonl).args([
                    "-o",
                    "out.jsonl",
                    "--rejects",
                    rejects,
                ]),
                "is the output file",
            );
        }
    }
    assert!(!dir.join("out.jsonl").exists());
}

/// Issue 10, defect 4: `-o EXISTING` replaced a 0600 file by a 0644 one.
#[test]
#[cfg(unix)]
fn output_over_an_existing_file_keeps_its_mode() {
    use std::os::unix::fs::PermissionsExt;
    let dir = scratch("keep-mode");
    let page = page(&dir);
    let out = dir.join("secret.txt");
    fs::write(&out, "old\n").expect("write");
    fs::set_permissions(&out, fs::Permissions::from_mode(0o600)).expect("chmod");
    ok(bin().arg(&page).arg("-o").arg(&out));
    let meta = fs::metadata(&out).expect("there");
    assert_eq!(meta.permissions().mode() & 0o7777, 0o600);
    assert!(is_clean_body(&fs::read(&out).expect("there")));
    // A new file gets the usual mode (0666 less the umask), not 0600.
    let fresh = dir.join("fresh.txt");
    ok(bin().arg(&page).arg("-o").arg(&fresh));
    let mode = fs::metadata(&fresh).expect("there").permissions().mode();
    assert_ne!(
        mode & 0o044,
        0,
        "readable by others under a usual umask: {mode:o}"
    );
}

/// Issue 10, defect 5: `-o` with a name of 243 to 255 bytes failed
/// (ENAMETOOLONG), the temporary name being 13 bytes longer.
#[test]
fn output_names_up_to_name_max_are_written() {
    let dir = scratch("long-out");
    let page = page(&dir);
    let out = dir.join(long_name(255));
    ok(bin().arg(&page).arg("-o").arg(&out));
    assert!(is_clean_body(&fs::read(&out).expect("written")));
}

/// Issue 10, defect 7: with stdout closed (`>&-`) a single page and a
/// stream exited 0 with nothing written anywhere.
#[test]
#[cfg(unix)]
fn closed_stdout_at_start_is_an_error_naming_stdout() {
    let dir = scratch("stdout-closed");
    let page = page(&dir);
    let jsonl = dir.join("in.jsonl");
    fs::write(&jsonl, "{\"text\":\"Home\"}\n").expect("write");
    for args in [
        vec![page.as_os_str()],
        vec!["--jsonl".as_ref(), jsonl.as_os_str()],
    ] {
        let out = with_stdout_closed(&args);
        let stderr = common::exited_one(&out, "stdout was closed");
        assert!(stderr.contains("stdout: closed"), "{stderr}");
    }
    // A stdout that fails to take the bytes is named too.
    if Path::new("/dev/full").exists() {
        let full = fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .expect("open /dev/full");
        let out = bin().arg(&page).stdout(full).output().expect("runs");
        let stderr = common::exited_one(&out, "stdout is full");
        assert!(stderr.contains("stdout: No space left"), "{stderr}");
    }
    // Redirected to /dev/null on purpose is not closed.
    let out = bin()
        .arg(&page)
        .stdout(std::process::Stdio::null())
        .output()
        .expect("runs");
    assert!(out.status.success());
}

/// Issue 10, defect 20: `-j` built a pool even for one page, and had no
/// bound (`-j 10000` on one page took up to a minute).
#[test]
fn a_single_page_builds_no_thread_pool() {
    let dir = scratch("jobs-one-page");
    let page = page(&dir);
    let start = std::time::Instant::now();
    let stderr = ok(bin().arg(&page).args(["-j", "1000000"]));
    assert!(
        start.elapsed() < std::time::Duration::from_secs(20),
        "{:?}",
        start.elapsed()
    );
    assert!(!stderr.contains("capped"), "no pool, no cap: {stderr}");
}

/// Issue 10, defect 26: single-page `-o x.gz` / `x.zst` wrote plain text
/// under a compressed name.
#[test]
fn single_page_output_is_compressed_by_extension() {
    use std::io::Read;
    let dir = scratch("compressed-out");
    let page = page(&dir);
    ok(bin().arg(&page).arg("-o").arg(dir.join("p.txt.gz")));
    ok(bin().arg(&page).arg("-o").arg(dir.join("p.txt.zst")));
    let mut gz = Vec::new();
    flate2::read::GzDecoder::new(fs::File::open(dir.join("p.txt.gz")).expect("there"))
        .read_to_end(&mut gz)
        .expect("valid gzip");
    let zst = zstd::decode_all(fs::File::open(dir.join("p.txt.zst")).expect("there"))
        .expect("valid zstd");
    assert!(is_clean_body(&gz));
    assert_eq!(gz, zst);
}

/// Issue 10, defect 27: flags that do not apply to the mode were accepted
/// and ignored; each is refused, by name.
#[test]
fn flags_that_do_not_apply_are_refused_by_name() {
    let dir = scratch("flags-refused");
    let page = page(&dir);
    let jsonl = dir.join("in.jsonl");
    fs::write(&jsonl, "{\"text\":\"Home\"}\n").expect("write");
    for (flags, needle) in [
        (vec!["--in-place"], "--in-place does not apply with --jsonl"),
        (
            vec!["--glob", "*.txt"],
            "--glob does not apply with --jsonl",
        ),
        (
            vec!["--skip-existing"],
            "--skip-existing does not apply with --jsonl",
        ),
        (
            vec!["--format", "json"],
            "--format json does not apply with --jsonl",
        ),
    ] {
        refused(bin().arg("--jsonl").arg(&jsonl).args(&flags), needle);
    }
    refused(
        bin().arg("--wet").arg(&jsonl).arg("--in-place"),
        "--in-place does not apply with --wet",
    );
    refused(
        bin().arg(&page).arg("--rejects").arg(dir.join("bad.jsonl")),
        "--rejects applies to --jsonl and --wet",
    );
    refused(
        bin().arg(&page).arg("--glob").arg("*.txt"),
        "--glob applies to directories",
    );
    assert!(!dir.join("out.jsonl").exists() && !dir.join("bad.jsonl").exists());
}
