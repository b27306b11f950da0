//! Shared by the integration tests: the report format of one cleaned page,
//! the binary under test, scratch directories.

#![allow(dead_code)] // each test crate uses a different part

use std::path::PathBuf;
use std::process::Command;

/// The `dechaff` binary built for these tests.
pub fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_dechaff"))
}

/// Asserts that a run exited with status 1 (something failed or was
/// rejected, the rest done), `why` naming the cause; returns its stderr.
pub fn exited_one(out: &std::process::Output, why: &str) -> String {
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(1), "{why}: {stderr}");
    stderr
}

/// Asserts that a run succeeded, showing its stderr if not.
pub fn succeeded(out: &std::process::Output) {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A fresh directory under the target dir, removed first if it exists.
pub fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

/// Language, script and encoding, the clean text, then one line per
/// removal (`14 cut_after eng/related-news`), so a reviewer sees why.
pub fn report(c: &dechaff::Cleaned) -> String {
    let mut out = format!(
        "lang: {}\ndetected: {}\nscript: {}\nencoding: {}\nreplaced_bytes: {}\n--- text\n{}--- removed\n",
        c.lang,
        c.detected_lang.as_deref().unwrap_or("none"),
        c.script.as_deref().unwrap_or("none"),
        c.encoding,
        c.replaced_bytes,
        c.text,
    );
    if let Some(net) = &c.safety_net {
        out.push_str(&format!(
            "safety_net: kept {:.3} < {} (top rule {} {:.3})\n",
            net.kept_share, net.threshold, net.top_rule, net.top_rule_share
        ));
    }
    for w in &c.warnings {
        out.push_str(&format!("warning: {} {} {}\n", w.line, w.rule, w.message));
    }
    for r in &c.removed {
        let text: String = r.text.chars().take(60).collect();
        out.push_str(&format!(
            "{} {} {} | {}\n",
            r.line,
            r.action.name(),
            r.rule,
            text
        ));
    }
    out
}

/// Whether the tests run as root, whom file modes do not stop and who may
/// give files away: tests of modes and owners depend on it.
#[cfg(unix)]
pub fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

/// A file name of exactly `len` bytes ending in `.txt`: 255 is NAME_MAX
/// on the usual file systems.
pub fn long_name(len: usize) -> String {
    format!("{}.txt", "n".repeat(len - 4))
}

/// Runs the binary with `args` and its stdout closed (`>&-`), through sh.
#[cfg(unix)]
pub fn with_stdout_closed(args: &[&std::ffi::OsStr]) -> std::process::Output {
    Command::new("sh")
        .arg("-c")
        .arg("exec \"$0\" \"$@\" >&-")
        .arg(env!("CARGO_BIN_EXE_dechaff"))
        .args(args)
        .output()
        .expect("sh runs")
}

/// A fixture's options (its `#! key=value ...` first line, see
/// tests/clean.rs) and the page after that line.
pub fn fixture_options(bytes: &[u8]) -> (dechaff::Options, &[u8]) {
    let mut options = dechaff::Options::default();
    let Some(rest) = bytes.strip_prefix(b"#! ") else {
        return (options, bytes);
    };
    let end = rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len());
    let header = std::str::from_utf8(&rest[..end]).expect("fixture header is ASCII");
    for pair in header.split_whitespace() {
        match pair.split_once('=') {
            Some(("lang", v)) => options.lang = Some(v.to_owned()),
            Some(("encoding", v)) => options.encoding = Some(v.to_owned()),
            Some(("min_kept", v)) => options.min_kept = v.parse().expect("min_kept is a number"),
            _ => panic!("unknown fixture option {pair:?}"),
        }
    }
    (options, rest.get(end + 1..).unwrap_or_default())
}
