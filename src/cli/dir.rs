//! Directory mode: every text file under DIR, cleaned in parallel into a
//! mirror tree under OUT (or in place), each output written atomically.
//!
//! Every file found is accounted for: cleaned, skipped as up to date, or
//! reported as failed with its path; the summary adds them up and the exit
//! status is 1 if anything failed.

use std::collections::{HashMap, HashSet};
use std::fs;
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Instant, SystemTime};

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use rayon::prelude::*;

use super::{elapsed, mb, note, percent, progress, write_atomic};

/// What the directory walk and the writes need from the flags.
pub struct Job<'a> {
    pub input: &'a Path,
    /// `None` with `in_place`.
    pub output: Option<&'a Path>,
    pub in_place: bool,
    pub skip_existing: bool,
    pub globs: &'a [String],
    /// Appended to each output name (`.json` for `--format json`).
    pub suffix: &'a str,
    pub quiet: bool,
}

/// A file to clean, and its size for the progress bar and summary.
struct Item {
    source: PathBuf,
    len: u64,
}

#[derive(Default)]
struct Counts {
    cleaned: AtomicUsize,
    skipped: AtomicUsize,
    failed: AtomicUsize,
    netted: AtomicUsize,
    bytes_in: AtomicU64,
    bytes_out: AtomicU64,
}

/// Runs the job; `clean` turns one file's bytes into its output, or says
/// why it cannot (a binary file). Returns whether every file succeeded.
///
/// # Errors
///
/// A message for problems that stop the run before it starts: OUT inside
/// DIR, a bad glob, an input that is not a directory.
pub fn run(
    job: &Job<'_>,
    clean: impl Fn(&Path, &[u8]) -> Result<Cleaned, String> + Sync,
) -> Result<bool, String> {
    let start = Instant::now();
    let root = fs::canonicalize(job.input).map_err(|e| format!("{}: {e}", job.input.display()))?;
    let out_root = match (job.output, job.in_place) {
        (Some(out), false) => Some(check_output(&root, out, job.input)?),
        (None, true) => None,
        (Some(_), true) => return Err("--in-place writes over the inputs: drop -o".into()),
        (None, false) => {
            return Err(format!(
                "{} is a directory: give an output directory with -o OUT, or --in-place",
                job.input.display()
            ))
        }
    };
    let globs = glob_set(job.globs)?;
    let counts = Counts::default();
    let mut items = Vec::new();
    let mut problems = Vec::new();
    let mut state = Walk {
        root: &root,
        top: job.input,
        globs,
        seen: HashSet::new(),
    };
    walk(job.input, &mut state, &mut items, &mut problems);
    items.sort_by(|a, b| a.source.cmp(&b.source));
    // Targets are made when needed: held for every file of a big tree,
    // they grew peak memory with the number of files.
    let target_of = |source: &Path| -> PathBuf {
        let rel = source
            .strip_prefix(job.input)
            .expect("walk stays under the input");
        match &out_root {
            Some(out) => {
                let mut t = out.join(rel);
                t.as_mut_os_string().push(job.suffix);
                t
            }
            None => source.to_owned(),
        }
    };
    let total: u64 = items.iter().map(|i| i.len).sum();
    let bar = progress(total, "files");
    let found = items.len() + problems.len();
    bar.set_message(format!("0/{found}"));
    for p in &problems {
        note(&bar, p);
    }
    counts.failed.store(problems.len(), Ordering::Relaxed);
    let parents = Parents::default();
    items.par_iter().for_each(|item| {
        let target = target_of(&item.source);
        let result = process(
            item,
            &target,
            out_root.as_deref(),
            &parents,
            job.skip_existing,
            &clean,
        );
        match result {
            Ok(Done::Skipped) => {
                counts.skipped.fetch_add(1, Ordering::Relaxed);
            }
            Ok(Done::Written { out, netted, notes }) => {
                counts.cleaned.fetch_add(1, Ordering::Relaxed);
                counts.bytes_in.fetch_add(item.len, Ordering::Relaxed);
                counts.bytes_out.fetch_add(out, Ordering::Relaxed);
                counts
                    .netted
                    .fetch_add(usize::from(netted), Ordering::Relaxed);
                for n in notes {
                    note(&bar, &format!("{}{n}", item.source.display()));
                }
            }
            Err(msg) => {
                counts.failed.fetch_add(1, Ordering::Relaxed);
                note(&bar, &msg);
            }
        }
        bar.inc(item.len);
        let done = counts.cleaned.load(Ordering::Relaxed)
            + counts.skipped.load(Ordering::Relaxed)
            + counts.failed.load(Ordering::Relaxed);
        bar.set_message(format!("{done}/{found}"));
    });
    bar.finish_and_clear();
    let failed = counts.failed.load(Ordering::Relaxed);
    if !job.quiet {
        summary(&counts, found, start);
    }
    Ok(failed == 0)
}

/// What the cleaner made of one file.
pub struct Cleaned {
    pub bytes: Vec<u8>,
    /// Whether the safety net kept the page whole.
    pub netted: bool,
    /// Lines for stderr: the safety net's reason, rules that failed.
    pub notes: Vec<String>,
}

enum Done {
    Skipped,
    Written {
        out: u64,
        netted: bool,
        notes: Vec<String>,
    },
}

/// Output directories already created and checked, so that a tree of many
/// small files costs one `create_dir_all` and one `canonicalize` per
/// directory, not per file (per file, they took more time than cleaning
/// and made two threads slower than one).
#[derive(Default)]
struct Parents {
    done: Mutex<HashMap<PathBuf, Result<(), String>>>,
}

impl Parents {
    /// Creates `parent` and checks that it really lies under `out`: a
    /// directory inside OUT may be a symlink planted to lead outside.
    fn ready(&self, parent: &Path, out: &Path) -> Result<(), String> {
        let mut done = self.done.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(result) = done.get(parent) {
            return result.clone();
        }
        let result = fs::create_dir_all(parent)
            .and_then(|()| fs::canonicalize(parent))
            .map_err(|e| format!("{}: {e}", parent.display()))
            .and_then(|real| {
                if real.starts_with(out) {
                    Ok(())
                } else {
                    Err(format!(
                        "resolves outside the output directory (to {}); not written",
                        real.display()
                    ))
                }
            });
        done.insert(parent.to_owned(), result.clone());
        result
    }
}

fn process(
    item: &Item,
    target: &Path,
    out_root: Option<&Path>,
    parents: &Parents,
    skip_existing: bool,
    clean: &(impl Fn(&Path, &[u8]) -> Result<Cleaned, String> + Sync),
) -> Result<Done, String> {
    let show = |p: &Path, e: &dyn std::fmt::Display| format!("{}: {e}", p.display());
    if skip_existing && up_to_date(&item.source, target) {
        return Ok(Done::Skipped);
    }
    let bytes = fs::read(&item.source).map_err(|e| show(&item.source, &e))?;
    let cleaned = clean(&item.source, &bytes)?;
    if let Some(out) = out_root {
        let parent = target.parent().expect("targets lie under OUT");
        parents
            .ready(parent, out)
            .map_err(|e| format!("{}: {e}", target.display()))?;
    }
    write_atomic(target, &cleaned.bytes).map_err(|e| show(target, &e))?;
    Ok(Done::Written {
        out: cleaned.bytes.len() as u64,
        netted: cleaned.netted,
        notes: cleaned.notes,
    })
}

fn up_to_date(source: &Path, target: &Path) -> bool {
    let mtime = |p: &Path| fs::metadata(p).and_then(|m| m.modified()).ok();
    match (mtime(source), mtime(target)) {
        (Some(s), Some(t)) => t >= s && t != SystemTime::UNIX_EPOCH,
        _ => false,
    }
}

fn summary(c: &Counts, found: usize, start: Instant) {
    let get = |a: &AtomicUsize| a.load(Ordering::Relaxed);
    let bytes_in = c.bytes_in.load(Ordering::Relaxed);
    let bytes_out = c.bytes_out.load(Ordering::Relaxed);
    let mut line = format!(
        "dechaff: {found} files: {} cleaned, {} skipped as up to date, {} failed",
        get(&c.cleaned),
        get(&c.skipped),
        get(&c.failed)
    );
    if get(&c.netted) > 0 {
        line.push_str(&format!(
            " ({} kept whole by the safety net)",
            get(&c.netted)
        ));
    }
    line.push_str(&format!(
        "; {} in, {} out, {} removed; {}",
        mb(bytes_in),
        mb(bytes_out),
        percent(bytes_in.saturating_sub(bytes_out), bytes_in),
        elapsed(start)
    ));
    eprintln!("{line}");
}

/// Resolves OUT and refuses it inside DIR, DIR inside OUT, or OUT = DIR:
/// either way a run would clean its own output.
fn check_output(root: &Path, out: &Path, shown: &Path) -> Result<PathBuf, String> {
    let resolved = resolve(out).map_err(|e| format!("{}: {e}", out.display()))?;
    if resolved.starts_with(root) || root.starts_with(&resolved) {
        return Err(format!(
            "output {} and input {} overlap: choose an output directory outside the input \
             (or use --in-place)",
            out.display(),
            shown.display()
        ));
    }
    fs::create_dir_all(&resolved).map_err(|e| format!("{}: {e}", out.display()))?;
    fs::canonicalize(&resolved).map_err(|e| format!("{}: {e}", out.display()))
}

/// The real path of `path`, which may not exist yet: its deepest existing
/// ancestor canonicalised, the rest appended with `.` and `..` applied.
fn resolve(path: &Path) -> std::io::Result<PathBuf> {
    let absolute = std::path::absolute(path)?;
    let mut base = absolute.as_path();
    let mut rest = Vec::new();
    let real = loop {
        match fs::canonicalize(base) {
            Ok(real) => break real,
            Err(_) => match (base.parent(), base.file_name()) {
                (Some(parent), Some(_)) => {
                    rest.push(base.components().next_back().expect("has a name"));
                    base = parent;
                }
                _ => return Ok(absolute),
            },
        }
    };
    let mut out = real;
    for c in rest.into_iter().rev() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::Normal(n) => out.push(n),
            _ => {}
        }
    }
    Ok(out)
}

fn glob_set(globs: &[String]) -> Result<Option<GlobSet>, String> {
    if globs.is_empty() {
        return Ok(None);
    }
    let mut set = GlobSetBuilder::new();
    for g in globs {
        let glob = GlobBuilder::new(g)
            .literal_separator(false)
            .build()
            .map_err(|e| format!("--glob {g:?}: {e}"))?;
        set.add(glob);
    }
    set.build().map(Some).map_err(|e| format!("--glob: {e}"))
}

/// What a walk needs to know. Paths are built from `top` as the user gave
/// it, so messages name files the way the user would; `root` is its real
/// path, for containment checks.
struct Walk<'a> {
    root: &'a Path,
    top: &'a Path,
    globs: Option<GlobSet>,
    /// Directories already entered, by real path: a symlink loop comes
    /// back to one of them and stops there.
    seen: HashSet<PathBuf>,
}

impl Walk<'_> {
    fn selected(&self, path: &Path) -> bool {
        let rel = path.strip_prefix(self.top).expect("under the input");
        self.globs.as_ref().is_none_or(|g| g.is_match(rel))
    }
}

/// Collects the files under `dir`. Hidden entries (and so dechaff's own
/// temporary files) are skipped; symlinks are followed only when their
/// target lies inside the input, so a link cannot pull outside files in.
fn walk(dir: &Path, state: &mut Walk<'_>, items: &mut Vec<Item>, problems: &mut Vec<String>) {
    let real = match fs::canonicalize(dir) {
        Ok(r) => r,
        Err(e) => return problems.push(format!("{}: {e}", dir.display())),
    };
    if !state.seen.insert(real) {
        return;
    }
    let entries = match fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => return problems.push(format!("{}: {e}", dir.display())),
    };
    for entry in entries {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                problems.push(format!("{}: {e}", dir.display()));
                continue;
            }
        };
        if entry.file_name().as_encoded_bytes().starts_with(b".") {
            continue;
        }
        let path = entry.path();
        let Ok(kind) = entry.file_type() else {
            problems.push(format!("{}: cannot read its type", path.display()));
            continue;
        };
        let target_meta = if kind.is_symlink() {
            match fs::canonicalize(&path) {
                Ok(real) if real.starts_with(state.root) => fs::metadata(&path).ok(),
                Ok(real) if !real.is_dir() && !state.selected(&path) => continue,
                Ok(real) => {
                    problems.push(format!(
                        "{}: symlink to {} outside the input directory; not followed",
                        path.display(),
                        real.display()
                    ));
                    continue;
                }
                Err(e) => {
                    problems.push(format!("{}: broken symlink: {e}", path.display()));
                    continue;
                }
            }
        } else {
            entry.metadata().ok()
        };
        let Some(meta) = target_meta else {
            problems.push(format!("{}: cannot read its metadata", path.display()));
            continue;
        };
        if meta.is_dir() {
            walk(&path, state, items, problems);
        } else if !state.selected(&path) {
            continue;
        } else if meta.is_file() {
            items.push(Item {
                source: path,
                len: meta.len(),
            });
        } else {
            // Reading a pipe could block forever; a device is not a page.
            problems.push(format!(
                "{}: not a regular file (a pipe, socket or device); skipped",
                path.display()
            ));
        }
    }
}
