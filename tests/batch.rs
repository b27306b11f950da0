//! Directory mode, driven through the real binary over real trees: every
//! file found is cleaned, skipped as up to date, or reported as failed,
//! and the counts add up.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

use common::{bin, exited_one, is_root, long_name, scratch, succeeded};

const ARTICLE: &str = "Home\nNews\n\nThe city council approved the new budget on Monday after a long debate about school funding, road repairs and the library.\n\nThe mayor said the plan would keep taxes flat while adding two hundred teachers over the next three years.\n\nShare on Facebook\n";

fn write(path: &Path, bytes: &[u8]) {
    fs::create_dir_all(path.parent().expect("has a parent")).expect("mkdir");
    fs::write(path, bytes).expect("write");
}

/// The counts of the summary line: (found, cleaned, skipped, failed).
fn summary(out: &Output) -> (usize, usize, usize, usize) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    let line = stderr
        .lines()
        .rfind(|l| l.contains(" files: "))
        .unwrap_or_else(|| panic!("no summary in {stderr}"));
    let re = regex::Regex::new(
        r"^dechaff: (\d+) files: (\d+) cleaned, (\d+) skipped as up to date, (\d+) failed",
    )
    .expect("valid");
    let c = re
        .captures(line)
        .unwrap_or_else(|| panic!("bad summary {line}"));
    let n = |i: usize| c[i].parse::<usize>().expect("number");
    (n(1), n(2), n(3), n(4))
}

/// Regular, non-hidden files under `dir`, relative, sorted.
fn files(dir: &Path) -> Vec<PathBuf> {
    fn go(root: &Path, dir: &Path, out: &mut Vec<PathBuf>) {
        for e in fs::read_dir(dir).expect("readable").flatten() {
            let p = e.path();
            let t = e.file_type().expect("type");
            if e.file_name().as_encoded_bytes().starts_with(b".") {
                continue;
            } else if t.is_dir() {
                go(root, &p, out);
            } else if t.is_file() {
                out.push(p.strip_prefix(root).expect("under").to_owned());
            }
        }
    }
    let mut out = Vec::new();
    go(dir, dir, &mut out);
    out.sort();
    out
}

#[cfg(unix)]
fn non_utf8_name() -> std::ffi::OsString {
    use std::os::unix::ffi::OsStringExt;
    std::ffi::OsString::from_vec(b"caf\xe9-latin1.txt".to_vec())
}

/// A file this process cannot read: mode 000, or, for root (whom modes do
/// not stop), a symlink whose target is gone, which fails the same way.
#[cfg(unix)]
fn unreadable(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    write(path, ARTICLE.as_bytes());
    fs::set_permissions(path, fs::Permissions::from_mode(0o000)).expect("chmod");
    if fs::read(path).is_ok() {
        fs::remove_file(path).expect("rm");
        std::os::unix::fs::symlink(path.with_extension("gone"), path).expect("symlink");
    }
}

#[test]
#[cfg(unix)]
fn a_messy_tree_is_fully_accounted_for() {
    let dir = scratch("batch-messy");
    let input = dir.join("in");
    write(&input.join("a.txt"), ARTICLE.as_bytes());
    write(&input.join("news/2024/05/b.txt"), ARTICLE.as_bytes());
    write(
        &input.join("news").join(non_utf8_name()),
        ARTICLE.as_bytes(),
    );
    write(&input.join("empty.txt"), b"");
    write(
        &input.join("img/photo.jpg"),
        b"\xff\xd8\xff\xe0\0\x10JFIF\0",
    );
    write(&input.join(".git/config"), b"hidden: never read\n");
    unreadable(&input.join("locked.txt"));
    std::os::unix::fs::symlink("..", input.join("news/loop")).expect("symlink");
    let fifo = std::ffi::CString::new(input.join("pipe.txt").into_os_string().into_encoded_bytes())
        .expect("no NUL");
    // SAFETY: a valid NUL-terminated path; mkfifo only creates a node.
    assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o644) }, 0, "mkfifo");
    std::os::unix::fs::symlink("/etc/hostname", input.join("outside.txt")).expect("symlink");
    let out_dir = dir.join("out");
    let out = bin()
        .arg(&input)
        .arg("-o")
        .arg(&out_dir)
        .args(["-j", "2"])
        .output()
        .expect("runs");
    let stderr = exited_one(&out, "a failure sets the status");
    let (found, cleaned, skipped, failed) = summary(&out);
    assert_eq!(found, cleaned + skipped + failed, "{stderr}");
    assert_eq!((found, cleaned, failed), (8, 4, 4), "{stderr}");
    for failure in [
        "photo.jpg: looks like a binary",
        "locked.txt",
        "outside.txt: symlink",
        "pipe.txt: not a regular file",
    ] {
        assert!(
            stderr.contains(failure),
            "{failure} not reported in {stderr}"
        );
    }
    let written = files(&out_dir);
    assert_eq!(written.len(), cleaned, "{written:?}");
    assert!(written.contains(&Path::new("news").join(non_utf8_name())));
    let b = fs::read_to_string(out_dir.join("news/2024/05/b.txt")).expect("written");
    assert!(
        b.starts_with("The city council") && !b.contains("Share"),
        "{b}"
    );
    assert_eq!(fs::read(out_dir.join("empty.txt")).expect("written"), b"");
    assert!(!out_dir.join(".git").exists(), "hidden entries are skipped");
}

#[test]
fn output_inside_input_and_input_inside_output_are_refused() {
    let dir = scratch("batch-overlap");
    let input = dir.join("in");
    write(&input.join("a.txt"), ARTICLE.as_bytes());
    for out in [
        input.join("out"),
        dir.clone(),
        input.clone(),
        input.join("x/../y"),
    ] {
        let run = bin()
            .arg(&input)
            .arg("-o")
            .arg(&out)
            .output()
            .expect("runs");
        assert_eq!(run.status.code(), Some(2), "{}", out.display());
        assert!(String::from_utf8_lossy(&run.stderr).contains("overlap"));
    }
    assert_eq!(
        files(&input),
        [PathBuf::from("a.txt")],
        "nothing written inside"
    );
}

#[test]
fn in_place_replaces_each_file_atomically() {
    let dir = scratch("batch-in-place");
    write(&dir.join("a.txt"), ARTICLE.as_bytes());
    write(&dir.join("sub/b.txt"), ARTICLE.as_bytes());
    let out = bin().arg(&dir).arg("--in-place").output().expect("runs");
    succeeded(&out);
    for f in ["a.txt", "sub/b.txt"] {
        let text = fs::read_to_string(dir.join(f)).expect("there");
        assert!(
            text.starts_with("The city council") && !text.contains("Home"),
            "{text}"
        );
    }
    assert_eq!(files(&dir).len(), 2);
    assert!(hidden(&dir).is_empty(), "no temporary files left");
}

/// Hidden names under `dir` (temporary files left behind), recursively.
fn hidden(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in fs::read_dir(dir).expect("readable").flatten() {
        if e.file_name().as_encoded_bytes().starts_with(b".") {
            out.push(e.path());
        } else if e.file_type().expect("type").is_dir() {
            out.extend(hidden(&e.path()));
        }
    }
    out
}

/// `dechaff INPUT -o OUT EXTRA...`, run to the end.
fn mirror(input: &Path, out: &Path, extra: &[&str]) -> Output {
    bin()
        .arg(input)
        .arg("-o")
        .arg(out)
        .args(extra)
        .output()
        .expect("runs")
}

#[test]
fn glob_selects_files_and_skip_existing_skips_up_to_date_outputs() {
    let dir = scratch("batch-glob");
    let input = dir.join("in");
    write(&input.join("a.txt"), ARTICLE.as_bytes());
    write(&input.join("deep/b.txt"), ARTICLE.as_bytes());
    write(&input.join("notes.md"), ARTICLE.as_bytes());
    let out_dir = dir.join("out");
    let run = |extra: &[&str]| mirror(&input, &out_dir, &[&["--glob", "*.txt"], extra].concat());
    let first = run(&[]);
    assert_eq!(summary(&first), (2, 2, 0, 0));
    assert_eq!(
        files(&out_dir),
        [PathBuf::from("a.txt"), PathBuf::from("deep/b.txt")]
    );
    let second = run(&["--skip-existing"]);
    assert_eq!(summary(&second), (2, 0, 2, 0));
    // A newer input is cleaned again.
    std::thread::sleep(std::time::Duration::from_millis(20));
    write(&input.join("a.txt"), format!("{ARTICLE}\nA fresh paragraph about the budget vote and the new library opening next spring in town.\n").as_bytes());
    let third = run(&["--skip-existing"]);
    assert_eq!(summary(&third), (2, 1, 1, 0));
    assert!(fs::read_to_string(out_dir.join("a.txt"))
        .expect("there")
        .contains("fresh paragraph"));
}

/// Outputs are flushed once at the end of a run, so a crash before it may
/// leave an empty file under an output's name, newer than its input:
/// `--skip-existing` must clean such a page again, not take it as done.
#[test]
fn skip_existing_cleans_an_empty_output_of_a_non_empty_page_again() {
    let dir = scratch("batch-empty-output");
    let input = dir.join("in");
    write(&input.join("a.txt"), ARTICLE.as_bytes());
    write(&input.join("b.txt"), ARTICLE.as_bytes());
    let out_dir = dir.join("out");
    let run = || mirror(&input, &out_dir, &["--skip-existing"]);
    assert_eq!(summary(&run()), (2, 2, 0, 0));
    let clean = fs::read(out_dir.join("a.txt")).expect("there");
    assert!(!clean.is_empty());
    // What a crash before the flush can leave: newer than the input, empty.
    fs::write(out_dir.join("a.txt"), b"").expect("truncate");
    assert_eq!(summary(&run()), (2, 1, 1, 0));
    assert_eq!(fs::read(out_dir.join("a.txt")).expect("there"), clean);
}

#[test]
#[cfg(unix)]
fn a_symlink_inside_output_cannot_lead_writes_outside() {
    let dir = scratch("batch-escape");
    let input = dir.join("in");
    write(&input.join("sub/a.txt"), ARTICLE.as_bytes());
    let elsewhere = dir.join("elsewhere");
    fs::create_dir_all(&elsewhere).expect("mkdir");
    let out_dir = dir.join("out");
    fs::create_dir_all(&out_dir).expect("mkdir");
    std::os::unix::fs::symlink(&elsewhere, out_dir.join("sub")).expect("symlink");
    let out = bin()
        .arg(&input)
        .arg("-o")
        .arg(&out_dir)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("resolves outside the output directory"));
    assert!(
        files(&elsewhere).is_empty(),
        "nothing written through the link"
    );
}

/// A run killed midway leaves only complete outputs (plus hidden
/// temporary files), and `--skip-existing` then completes the tree.
#[test]
#[cfg(unix)]
fn an_interrupted_run_leaves_no_partial_outputs_and_resumes() {
    let dir = scratch("batch-interrupt");
    let input = dir.join("in");
    let body: String = (0..150)
        .map(|k| format!("Paragraph {k} of the report: the council approved the new budget after a long debate about schools, roads and the library.\n\n"))
        .collect();
    for i in 0..400 {
        write(
            &input.join(format!("d{}/p{i:03}.txt", i % 7)),
            body.as_bytes(),
        );
    }
    let reference = dir.join("reference");
    let full = bin()
        .arg(&input)
        .arg("-o")
        .arg(&reference)
        .args(["-j", "2"])
        .output()
        .expect("runs");
    assert!(full.status.success());
    let out_dir = dir.join("out");
    let mut child = bin()
        .arg(&input)
        .arg("-o")
        .arg(&out_dir)
        .args(["-j", "1"])
        .spawn()
        .expect("spawns");
    // Kill once some, but not all, outputs exist.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while !out_dir.exists() || files(&out_dir).len() < 5 {
        assert!(std::time::Instant::now() < deadline, "no progress");
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    child.kill().expect("kill");
    child.wait().expect("reaped");
    let partial = files(&out_dir);
    assert!(
        partial.len() < 400,
        "killed before the end ({} files)",
        partial.len()
    );
    for f in &partial {
        assert_eq!(
            fs::read(out_dir.join(f)).expect("readable"),
            fs::read(reference.join(f)).expect("reference"),
            "{} is complete",
            f.display()
        );
    }
    let resumed = bin()
        .arg(&input)
        .arg("-o")
        .arg(&out_dir)
        .arg("--skip-existing")
        .output()
        .expect("runs");
    assert!(resumed.status.success());
    let (found, cleaned, skipped, failed) = summary(&resumed);
    assert_eq!((found, failed), (400, 0));
    assert_eq!(skipped, partial.len());
    assert_eq!(cleaned, 400 - partial.len());
    assert_eq!(files(&out_dir), files(&reference));
    for f in files(&reference) {
        assert_eq!(
            fs::read(out_dir.join(&f)).expect("out"),
            fs::read(reference.join(&f)).expect("ref")
        );
    }
}

fn run_ok(cmd: &mut std::process::Command) -> Output {
    let out = cmd.output().expect("runs");
    succeeded(&out);
    out
}

/// Issue 10, defect 1: the temporary name used to be fixed
/// (`.name.dechaff-tmp`), so a link planted there made dechaff overwrite
/// its target outside OUT and leave the output as a link to it.
#[test]
#[cfg(unix)]
fn a_link_planted_at_a_temporary_name_is_never_followed() {
    let dir = scratch("batch-planted");
    let input = dir.join("in");
    write(&input.join("a.txt"), ARTICLE.as_bytes());
    let victim = dir.join("victim.txt");
    write(&victim, b"precious\n");
    let out_dir = dir.join("out");
    fs::create_dir_all(&out_dir).expect("mkdir");
    std::os::unix::fs::symlink(&victim, out_dir.join(".a.txt.dechaff-tmp")).expect("symlink");
    std::os::unix::fs::symlink(&victim, input.join(".a.txt.dechaff-tmp")).expect("symlink");
    run_ok(bin().arg(&input).arg("-o").arg(&out_dir));
    run_ok(bin().arg(&input).arg("--in-place"));
    assert_eq!(fs::read(&victim).expect("there"), b"precious\n");
    for written in [out_dir.join("a.txt"), input.join("a.txt")] {
        let meta = fs::symlink_metadata(&written).expect("written");
        assert!(meta.is_file(), "{} is a regular file", written.display());
        let text = fs::read_to_string(&written).expect("readable");
        assert!(text.starts_with("The city council"), "{text}");
    }
}

/// Issue 10, defect 1: two runs into one OUT shared the temporary names
/// and failed each other's renames ("No such file or directory"). A race:
/// several rounds make it near certain to show before the fix.
#[test]
fn two_runs_into_one_output_do_not_collide() {
    let dir = scratch("batch-two-runs");
    let input = dir.join("in");
    for i in 0..600 {
        write(&input.join(format!("p{i:03}.txt")), ARTICLE.as_bytes());
    }
    let out_dir = dir.join("out");
    let spawn = || {
        bin()
            .arg(&input)
            .arg("-o")
            .arg(&out_dir)
            .args(["-j", "4", "-q"])
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("spawns")
    };
    for _ in 0..3 {
        let _ = fs::remove_dir_all(&out_dir);
        let (a, b) = (spawn(), spawn());
        for run in [a, b] {
            let out = run.wait_with_output().expect("waits");
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        assert_eq!(files(&out_dir).len(), 600);
        assert!(hidden(&out_dir).is_empty(), "{:?}", hidden(&out_dir));
    }
}

/// Issue 10, defect 4: in place, a 0600 file became 0644, a file of
/// another owner became root's, a symlink became a regular file.
#[test]
#[cfg(unix)]
fn in_place_keeps_modes_owners_and_symlinks() {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let dir = scratch("batch-in-place-meta");
    let private = dir.join("private.txt");
    let readonly = dir.join("readonly.txt");
    write(&private, ARTICLE.as_bytes());
    write(&readonly, ARTICLE.as_bytes());
    fs::set_permissions(&private, fs::Permissions::from_mode(0o600)).expect("chmod");
    fs::set_permissions(&readonly, fs::Permissions::from_mode(0o444)).expect("chmod");
    // Only root may give a file away; others check modes alone.
    let owner = is_root().then(|| {
        std::os::unix::fs::chown(&readonly, Some(4321), Some(4321)).expect("chown");
        4321
    });
    let target = dir.join("sub/target.txt");
    write(&target, ARTICLE.as_bytes());
    std::os::unix::fs::symlink("sub/target.txt", dir.join("link.txt")).expect("symlink");
    let out = run_ok(bin().arg(&dir).arg("--in-place"));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("link.txt: a symlink; left as it is"),
        "{stderr}"
    );
    let (found, cleaned, _, failed) = summary(&out);
    assert_eq!((found, cleaned, failed), (3, 3, 0), "{stderr}");
    let mode = |p: &Path| fs::metadata(p).expect("there").permissions().mode() & 0o7777;
    assert_eq!(mode(&private), 0o600);
    assert_eq!(mode(&readonly), 0o444);
    if let Some(uid) = owner {
        let meta = fs::metadata(&readonly).expect("there");
        assert_eq!((meta.uid(), meta.gid()), (uid, uid));
    }
    assert!(fs::symlink_metadata(dir.join("link.txt"))
        .expect("there")
        .file_type()
        .is_symlink());
    for f in [&private, &readonly, &target] {
        let text = fs::read_to_string(f).expect("readable");
        assert!(text.starts_with("The city council"), "{text}");
    }
}

/// Issue 10, defect 4: a hard link was split without a word. The file is
/// replaced under its name in DIR only (its other names, perhaps outside
/// DIR, keep the original), and stderr says so.
#[test]
#[cfg(unix)]
fn in_place_says_when_it_splits_a_hard_link() {
    let dir = scratch("batch-hard-link");
    let input = dir.join("in");
    write(&input.join("a.txt"), ARTICLE.as_bytes());
    let other = dir.join("other-name.txt");
    fs::hard_link(input.join("a.txt"), &other).expect("link");
    let out = run_ok(bin().arg(&input).arg("--in-place"));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("a.txt: had other hard links; replaced under this name only"),
        "{stderr}"
    );
    assert_eq!(fs::read_to_string(&other).expect("there"), ARTICLE);
    assert!(fs::read_to_string(input.join("a.txt"))
        .expect("there")
        .starts_with("The city council"));
}

/// Issue 10, defect 5: the temporary name added 13 bytes to the final
/// one, so names of 243 to 255 bytes failed with ENAMETOOLONG.
#[test]
fn names_up_to_name_max_are_written() {
    let dir = scratch("batch-long-names");
    let input = dir.join("in");
    let name = long_name(255);
    write(&input.join(&name), ARTICLE.as_bytes());
    let out_dir = dir.join("out");
    run_ok(bin().arg(&input).arg("-o").arg(&out_dir));
    assert!(fs::read_to_string(out_dir.join(&name))
        .expect("written")
        .starts_with("The city council"));
    run_ok(bin().arg(&input).arg("--in-place"));
    assert!(fs::read_to_string(input.join(&name))
        .expect("written")
        .starts_with("The city council"));
}

/// Issue 10, defect 6: when readdir listed a link to a sibling directory
/// before the directory, its files were written only under the link's
/// name. Many pairs make some listing order put a link first.
#[test]
#[cfg(unix)]
fn a_directory_reached_twice_is_cleaned_once_under_its_real_path() {
    let dir = scratch("batch-sibling-links");
    let input = dir.join("in");
    for i in 0..24 {
        write(
            &input.join(format!("real{i:02}/page.txt")),
            ARTICLE.as_bytes(),
        );
        std::os::unix::fs::symlink(format!("real{i:02}"), input.join(format!("alias{i:02}")))
            .expect("symlink");
    }
    // Reached only through a link: cleaned under the link's name.
    write(&input.join(".hidden/kept.txt"), ARTICLE.as_bytes());
    std::os::unix::fs::symlink(".hidden", input.join("shown")).expect("symlink");
    let out_dir = dir.join("out");
    let out = run_ok(bin().arg(&input).arg("-o").arg(&out_dir));
    let (found, cleaned, _, _) = summary(&out);
    assert_eq!((found, cleaned), (25, 25));
    let mut expected: Vec<PathBuf> = (0..24)
        .map(|i| PathBuf::from(format!("real{i:02}/page.txt")))
        .collect();
    expected.push(PathBuf::from("shown/kept.txt"));
    assert_eq!(files(&out_dir), expected);
}

/// Issue 10, defect 25: `--in-place --skip-existing` compared each file
/// with itself, found it up to date and cleaned nothing.
#[test]
fn in_place_with_skip_existing_is_refused() {
    let dir = scratch("batch-in-place-skip");
    write(&dir.join("a.txt"), ARTICLE.as_bytes());
    let out = bin()
        .arg(&dir)
        .args(["--in-place", "--skip-existing"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--skip-existing does not apply"));
    assert_eq!(
        fs::read_to_string(dir.join("a.txt")).expect("there"),
        ARTICLE
    );
}

/// Issue 10, defect 27: `--rejects` was accepted and ignored in directory
/// mode.
#[test]
fn rejects_is_refused_for_a_directory() {
    let dir = scratch("batch-rejects");
    write(&dir.join("in/a.txt"), ARTICLE.as_bytes());
    let out = bin()
        .arg(dir.join("in"))
        .arg("-o")
        .arg(dir.join("out"))
        .arg("--rejects")
        .arg(dir.join("bad.jsonl"))
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--rejects applies to"));
    assert!(!dir.join("out").exists());
}

/// Issue 10, defect 28: an OUT that cannot be created is an I/O failure
/// (exit 1), not a bad flag (exit 2). A file in its path stops even root.
#[test]
fn an_output_directory_that_cannot_be_made_exits_one() {
    let dir = scratch("batch-out-fails");
    write(&dir.join("in/a.txt"), ARTICLE.as_bytes());
    write(&dir.join("blocker"), b"a file, not a directory\n");
    let out = bin()
        .arg(dir.join("in"))
        .arg("-o")
        .arg(dir.join("blocker/out"))
        .output()
        .expect("runs");
    let stderr = exited_one(&out, "OUT cannot be created");
    assert!(stderr.contains("blocker/out"), "{stderr}");
}

/// Issue 10, defect 20: `-j` had no upper bound (`-j 10000` brought the
/// machine to a load of 800); it is capped, with a warning.
#[test]
fn jobs_are_capped_with_a_warning() {
    let dir = scratch("batch-jobs");
    write(&dir.join("in/a.txt"), ARTICLE.as_bytes());
    let out = run_ok(
        bin()
            .arg(dir.join("in"))
            .arg("-o")
            .arg(dir.join("out"))
            .args(["-j", "100000"]),
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("warning: -j 100000: capped at"), "{stderr}");
    assert_eq!(summary(&out), (1, 1, 0, 0));
}
