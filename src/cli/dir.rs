//! Directory mode: every text file under DIR, cleaned in parallel into a
//! mirror tree under OUT (or in place), each output written atomically.
//!
//! Every file found is accounted for: cleaned, skipped as up to date, or
//! reported as failed with its path; the summary adds them up and the exit
//! status is 1 if anything failed.

use std::collections::{HashMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Instant, SystemTime};

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use rayon::prelude::*;

use super::{
    elapsed, mb, note, percent, progress, resolve, sync_filesystem, write_atomic, DEFERRED_SYNC,
};

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
    /// It has other hard links (only told in place, see [`process`]).
    shared: bool,
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

/// Why a run stopped before cleaning anything.
pub enum Stop {
    /// Flags that cannot work together (OUT inside DIR, a bad glob): exit 2.
    Usage(String),
    /// The input or OUT could not be read or created: exit 1.
    Io(String),
}

/// Runs the job; `clean` turns one file's bytes into its output, or says
/// why it cannot (a binary file). Returns whether every file succeeded.
///
/// # Errors
///
/// [`Stop`] for problems that stop the run before it starts: OUT inside
/// DIR, a bad glob, an input or OUT that cannot be read or created.
pub fn run(
    job: &Job<'_>,
    clean: impl Fn(&Path, &[u8]) -> Result<Cleaned, String> + Sync,
) -> Result<bool, Stop> {
    let start = Instant::now();
    let root = fs::canonicalize(job.input)
        .map_err(|e| Stop::Io(format!("{}: {e}", job.input.display())))?;
    let out_root = match (job.output, job.in_place) {
        (Some(out), false) => Some(check_output(&root, out, job.input)?),
        (None, true) => None,
        (Some(_), true) => {
            return Err(Stop::Usage(
                "--in-place writes over the inputs: drop -o".into(),
            ))
        }
        (None, false) => {
            return Err(Stop::Usage(format!(
                "{} is a directory: give an output directory with -o OUT, or --in-place",
                job.input.display()
            )))
        }
    };
    let globs = glob_set(job.globs).map_err(Stop::Usage)?;
    let counts = Counts::default();
    let mut walk = Walk {
        root: &root,
        top: job.input,
        globs,
        in_place: job.in_place,
        seen: HashSet::new(),
        linked: Vec::new(),
        items: Vec::new(),
        problems: Vec::new(),
        left: Vec::new(),
    };
    walk.all();
    let Walk {
        mut items,
        problems,
        left,
        ..
    } = walk;
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
    for l in &left {
        note(
            &bar,
            &format!(
                "{}: a symlink; left as it is (in place, each file is cleaned under its own path)",
                l.display()
            ),
        );
    }
    counts.failed.store(problems.len(), Ordering::Relaxed);
    let parents = Parents::default();
    items.par_iter().for_each(|item| {
        let target = target_of(&item.source);
        let result = process(item, &target, out_root.as_deref(), &parents, job, &clean);
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
    // The files are written but may not survive a crash until flushed: a
    // failed flush fails the run (the file counts stay true), so that a
    // script does not take the tree as done.
    let mut flushed = true;
    if let Some(out) = out_root.as_deref() {
        if let Err(e) = sync_filesystem(out) {
            note(
                &bar,
                &format!("{}: cannot flush to disk: {e}", out.display()),
            );
            flushed = false;
        }
    }
    let failed = counts.failed.load(Ordering::Relaxed);
    if !job.quiet {
        summary(&counts, found, left.len(), start);
    }
    Ok(failed == 0 && flushed)
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

/// Cleans one file into `target`. In place, a file with other hard links
/// is replaced under this name only, like any atomic replacement: its
/// other names, perhaps outside the input, keep the original text, and a
/// note says so (writing into the shared inode instead would change files
/// outside DIR, and could not be atomic).
fn process(
    item: &Item,
    target: &Path,
    out_root: Option<&Path>,
    parents: &Parents,
    job: &Job<'_>,
    clean: &(impl Fn(&Path, &[u8]) -> Result<Cleaned, String> + Sync),
) -> Result<Done, String> {
    let show = |p: &Path, e: &dyn std::fmt::Display| format!("{}: {e}", p.display());
    if job.skip_existing && up_to_date(&item.source, target) {
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
    // In place, the rename destroys the input, so the new text must be on
    // disk first; a mirror tree is flushed once at the end of the run.
    let sync = job.in_place || !DEFERRED_SYNC;
    write_atomic(target, &cleaned.bytes, sync).map_err(|e| show(target, &e))?;
    let mut notes = cleaned.notes;
    if job.in_place && item.shared {
        notes.push(
            ": had other hard links; replaced under this name only, the other names keep \
             the original text"
                .into(),
        );
    }
    Ok(Done::Written {
        out: cleaned.bytes.len() as u64,
        netted: cleaned.netted,
        notes,
    })
}

/// Whether `target` is newer than `source`. An empty target for a
/// non-empty source is not: it is what a crash before the end-of-run flush
/// can leave, and cleaning such a page again costs little.
fn up_to_date(source: &Path, target: &Path) -> bool {
    let (Ok(s), Ok(t)) = (fs::metadata(source), fs::metadata(target)) else {
        return false;
    };
    if t.len() == 0 && s.len() > 0 {
        return false;
    }
    match (s.modified(), t.modified()) {
        (Ok(s), Ok(t)) => t >= s && t != SystemTime::UNIX_EPOCH,
        _ => false,
    }
}

fn summary(c: &Counts, found: usize, left: usize, start: Instant) {
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
    if left > 0 {
        line.push_str(&format!("; {left} symlinks left as they are"));
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
fn check_output(root: &Path, out: &Path, shown: &Path) -> Result<PathBuf, Stop> {
    let io = |e: std::io::Error| Stop::Io(format!("{}: {e}", out.display()));
    let resolved = resolve(out).map_err(io)?;
    if resolved.starts_with(root) || root.starts_with(&resolved) {
        return Err(Stop::Usage(format!(
            "output {} and input {} overlap: choose an output directory outside the input \
             (or use --in-place)",
            out.display(),
            shown.display()
        )));
    }
    fs::create_dir_all(&resolved).map_err(io)?;
    fs::canonicalize(&resolved).map_err(io)
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

/// What a walk needs to know and what it found. Paths are built from `top`
/// as the user gave it, so messages name files the way the user would;
/// `root` is its real path, for containment checks.
struct Walk<'a> {
    root: &'a Path,
    top: &'a Path,
    globs: Option<GlobSet>,
    /// In place, a symlinked file is left alone (see [`Walk::entry`]).
    in_place: bool,
    /// Directories already walked, by real path: a directory reached again
    /// (a symlink loop, a link to a sibling) is not walked twice.
    seen: HashSet<PathBuf>,
    /// Symlinks to directories inside the input, with their real paths:
    /// walked only after every real directory, so that a directory is
    /// cleaned under its real path whatever order readdir lists names in.
    linked: Vec<(PathBuf, PathBuf)>,
    items: Vec<Item>,
    problems: Vec<String>,
    /// Symlinked files left as they are in place.
    left: Vec<PathBuf>,
}

impl Walk<'_> {
    fn selected(&self, path: &Path) -> bool {
        let rel = path.strip_prefix(self.top).expect("under the input");
        self.globs.as_ref().is_none_or(|g| g.is_match(rel))
    }

    /// Walks the whole input: real directories first, then the linked
    /// ones not reached already (such as a link to a hidden directory),
    /// each round in name order, so the outcome is the same on every run.
    fn all(&mut self) {
        self.dir(self.top.to_owned(), self.root.to_owned());
        while !self.linked.is_empty() {
            let mut round = std::mem::take(&mut self.linked);
            round.sort();
            for (path, real) in round {
                if !self.seen.contains(&real) {
                    self.dir(path, real);
                }
            }
        }
    }

    /// Collects the files of `dir` (whose real path is `real`) and walks
    /// its real subdirectories. Entries are sorted by name; hidden ones
    /// (and so dechaff's own temporary files) are skipped.
    fn dir(&mut self, dir: PathBuf, real: PathBuf) {
        if !self.seen.insert(real.clone()) {
            return;
        }
        let entries = match fs::read_dir(&dir) {
            Ok(e) => e,
            Err(e) => return self.problems.push(format!("{}: {e}", dir.display())),
        };
        let mut names = Vec::new();
        for entry in entries {
            match entry {
                Ok(e) if e.file_name().as_encoded_bytes().starts_with(b".") => {}
                Ok(e) => names.push(e),
                Err(e) => self.problems.push(format!("{}: {e}", dir.display())),
            }
        }
        names.sort_by_key(|e| e.file_name());
        for entry in names {
            let path = entry.path();
            let Ok(kind) = entry.file_type() else {
                self.problems
                    .push(format!("{}: cannot read its type", path.display()));
                continue;
            };
            if kind.is_dir() {
                let sub = real.join(entry.file_name());
                self.dir(path, sub);
            } else if kind.is_symlink() {
                self.link(path);
            } else {
                self.entry(path, entry.metadata(), false);
            }
        }
    }

    /// A symlink is followed only when its target lies inside the input,
    /// so a link cannot pull outside files in; a linked directory waits
    /// for the next round (see [`Walk::all`]).
    fn link(&mut self, path: PathBuf) {
        match fs::canonicalize(&path) {
            Ok(real) if real.starts_with(self.root) && real.is_dir() => {
                self.linked.push((path, real));
            }
            Ok(real) if real.starts_with(self.root) => {
                let meta = fs::metadata(&path);
                self.entry(path, meta, true);
            }
            Ok(real) if !real.is_dir() && !self.selected(&path) => {}
            Ok(real) => self.problems.push(format!(
                "{}: symlink to {} outside the input directory; not followed",
                path.display(),
                real.display()
            )),
            Err(e) => self
                .problems
                .push(format!("{}: broken symlink: {e}", path.display())),
        }
    }

    /// A file found (through a link when `linked`): an item, if selected
    /// and regular. In place, a symlinked file is left alone: replacing it
    /// would turn the link into a regular file, and writing through it
    /// would clean its target twice (the target, inside the input, is
    /// cleaned under its own path when selected).
    fn entry(&mut self, path: PathBuf, meta: std::io::Result<fs::Metadata>, linked: bool) {
        if !self.selected(&path) {
            return;
        }
        let meta = match meta {
            Ok(m) => m,
            Err(e) => {
                return self
                    .problems
                    .push(format!("{}: cannot read its metadata: {e}", path.display()))
            }
        };
        if !meta.is_file() {
            // Reading a pipe could block forever; a device is not a page.
            self.problems.push(format!(
                "{}: not a regular file (a pipe, socket or device); skipped",
                path.display()
            ));
        } else if linked && self.in_place {
            self.left.push(path);
        } else {
            self.items.push(Item {
                source: path,
                len: meta.len(),
                shared: hard_links(&meta) > 1,
            });
        }
    }
}

#[cfg(unix)]
fn hard_links(meta: &fs::Metadata) -> u64 {
    std::os::unix::fs::MetadataExt::nlink(meta)
}

#[cfg(not(unix))]
fn hard_links(_: &fs::Metadata) -> u64 {
    1
}
