//! The batch modes of the binary: directory trees ([`dir`]) and record
//! streams ([`stream`]), with what they share: atomic output files,
//! compressed streams, the progress bar and the closing summary.

pub mod dir;
pub mod stream;

use std::fs::{self, File};
use std::io::{self, BufRead, BufReader, BufWriter, IsTerminal, Read, Write};
use std::path::{Component, Path, PathBuf};
use std::time::Instant;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use tempfile::TempPath;

/// The start of every temporary file's name: the leading dot hides it from
/// directory walks. tempfile adds six random characters, so the name is
/// unpredictable (a link planted in advance cannot be hit), unique per
/// run (two runs into one directory do not collide) and 15 bytes long
/// whatever the final name, so it fits NAME_MAX when the final name does.
const TMP_PREFIX: &str = ".dechaff-";

/// Writes `bytes` to `target` atomically: readers see the old file or the
/// whole new one, never a part. Whatever is at `target` is replaced, a
/// symlink included (never written through, so a link planted in a mirror
/// tree cannot lead a write outside it); a regular file there passes its
/// mode and owner on to the new one.
///
/// With `sync`, the data reaches the disk before the rename, so a crash
/// leaves the old file or the new one. Without it the caller must flush
/// later ([`sync_filesystem`]): a crash before that may leave an empty
/// file under the new name.
pub fn write_atomic(target: &Path, bytes: &[u8], sync: bool) -> io::Result<()> {
    let like = fs::symlink_metadata(target).ok().filter(|m| m.is_file());
    let (mut file, tmp) = temp_beside(target, like.as_ref())?;
    file.write_all(bytes)?;
    if sync {
        file.sync_data()?;
    }
    persist(tmp, target)
}

/// Whether a directory run can leave its files unsynced and flush them
/// all at the end with [`sync_filesystem`]: on Linux, where syncfs(2)
/// does that in one call. Syncing each of many small files took more time
/// than cleaning them.
pub const DEFERRED_SYNC: bool = cfg!(target_os = "linux");

/// Flushes the file system holding `dir` to disk: every file written
/// there unsynced, and the directory entries that name them.
///
/// # Errors
///
/// Opening `dir` or the flush itself failed (an I/O error on the device).
#[cfg(target_os = "linux")]
pub fn sync_filesystem(dir: &Path) -> io::Result<()> {
    use std::os::fd::AsRawFd;
    let handle = File::open(dir)?;
    // SAFETY: syncfs only reads the descriptor, which `handle` keeps open
    // for the duration of the call.
    if unsafe { libc::syncfs(handle.as_raw_fd()) } == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

#[cfg(not(target_os = "linux"))]
pub fn sync_filesystem(_dir: &Path) -> io::Result<()> {
    Ok(())
}

/// A temporary file in `target`'s directory, created exclusively (never
/// through a link), so the final rename cannot cross file systems. With
/// `like`, the metadata of the file it replaces, it takes that file's
/// owner (where permitted) and mode; otherwise the mode a new file gets
/// (0666 less the umask), not tempfile's private 0600.
fn temp_beside(target: &Path, like: Option<&fs::Metadata>) -> io::Result<(File, TempPath)> {
    let dir = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(TMP_PREFIX);
    #[cfg(unix)]
    if like.is_none() {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(fs::Permissions::from_mode(0o666));
    }
    let (file, tmp) = builder.tempfile_in(dir).map_err(plain)?.into_parts();
    if let Some(old) = like {
        keep_metadata(&file, old)?;
    }
    Ok((file, tmp))
}

/// Gives `file` the owner and mode of `old`. A different owner needs
/// privilege: without it the group alone is tried, and failing that the
/// file stays ours, which is no loss (the mode below still applies). The
/// mode is set last because changing the owner clears set-id bits.
#[cfg(unix)]
fn keep_metadata(file: &File, old: &fs::Metadata) -> io::Result<()> {
    use std::os::unix::fs::{fchown, MetadataExt};
    let new = file.metadata()?;
    if (new.uid(), new.gid()) != (old.uid(), old.gid())
        && fchown(file, Some(old.uid()), Some(old.gid())).is_err()
    {
        let _ = fchown(file, None, Some(old.gid()));
    }
    file.set_permissions(old.permissions())
}

#[cfg(not(unix))]
fn keep_metadata(file: &File, old: &fs::Metadata) -> io::Result<()> {
    file.set_permissions(old.permissions())
}

/// Renames the temporary file onto `target`; on failure it is removed.
fn persist(tmp: TempPath, target: &Path) -> io::Result<()> {
    tmp.persist(target).map_err(|e| plain(e.error))
}

/// The OS error alone: tempfile adds the temporary file's random name,
/// which tells the user nothing (callers name the target).
fn plain(e: io::Error) -> io::Error {
    match e.raw_os_error() {
        Some(code) => io::Error::from_raw_os_error(code),
        None => e,
    }
}

/// An output file named by the user (`-o`, `--rejects`), compressed by its
/// extension (`.gz`, `.zst`).
///
/// A regular file (new or existing) is written under a temporary name and
/// renamed into place by [`Output::finish`], keeping an existing file's
/// mode and owner; dropped without `finish` (an error midway), the
/// temporary file is removed, so a failed run leaves nothing that looks
/// complete. A symlink is written through: its target is replaced the same
/// way and the link stays (a dangling link is refused). A device, FIFO or
/// socket is written directly, as a shell redirection would: replacing it
/// by a regular file would break it for everyone else.
pub struct Output {
    writer: Option<Encoder>,
    /// The temporary file and where it goes; `None` for a direct write.
    rename: Option<(TempPath, PathBuf)>,
}

enum Encoder {
    Plain(BufWriter<File>),
    Gzip(flate2::write::GzEncoder<BufWriter<File>>),
    Zstd(zstd::Encoder<'static, BufWriter<File>>),
}

/// zstd's default level: several hundred MB/s, so it never limits a run.
const ZSTD_LEVEL: i32 = 3;

impl Output {
    /// Opens `target` for writing, as described on [`Output`].
    ///
    /// # Errors
    ///
    /// The temporary file or the target cannot be created or opened,
    /// `target` is a directory or a dangling symlink.
    pub fn create(target: &Path) -> io::Result<Output> {
        let (file, rename) = match fs::metadata(target) {
            Ok(m) if m.is_dir() => {
                return Err(io::Error::new(
                    io::ErrorKind::IsADirectory,
                    "is a directory",
                ))
            }
            Ok(m) if m.is_file() => {
                let real = fs::canonicalize(target)?;
                let (file, tmp) = temp_beside(&real, Some(&m))?;
                (file, Some((tmp, real)))
            }
            Ok(_) => (fs::OpenOptions::new().write(true).open(target)?, None),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                if fs::symlink_metadata(target).is_ok() {
                    return Err(io::Error::new(
                        io::ErrorKind::NotFound,
                        "a symlink to a missing file; not followed",
                    ));
                }
                let (file, tmp) = temp_beside(target, None)?;
                (file, Some((tmp, target.to_owned())))
            }
            Err(e) => return Err(e),
        };
        let file = BufWriter::with_capacity(1 << 16, file);
        let writer = match extension(target) {
            "gz" => Encoder::Gzip(flate2::write::GzEncoder::new(
                file,
                flate2::Compression::default(),
            )),
            "zst" => Encoder::Zstd(zstd::Encoder::new(file, ZSTD_LEVEL)?),
            _ => Encoder::Plain(file),
        };
        Ok(Output {
            writer: Some(writer),
            rename,
        })
    }

    /// Finishes the compressed stream, flushes, and for a regular file
    /// syncs it to disk and renames it into place.
    ///
    /// # Errors
    ///
    /// Any write, sync or rename error: the target is then left as it was.
    pub fn finish(mut self) -> io::Result<()> {
        let file = match self.writer.take().expect("finish runs once") {
            Encoder::Plain(w) => w,
            Encoder::Gzip(w) => w.finish()?,
            Encoder::Zstd(w) => w.finish()?,
        };
        let file = file.into_inner().map_err(|e| e.into_error())?;
        match self.rename.take() {
            Some((tmp, target)) => {
                file.sync_data()?;
                persist(tmp, &target)
            }
            // A pipe or device cannot be synced (EINVAL); flushed is done.
            None => Ok(()),
        }
    }
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self.writer.as_mut().expect("not finished") {
            Encoder::Plain(w) => w.write(buf),
            Encoder::Gzip(w) => w.write(buf),
            Encoder::Zstd(w) => w.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self.writer.as_mut().expect("not finished") {
            Encoder::Plain(w) => w.flush(),
            Encoder::Gzip(w) => w.flush(),
            Encoder::Zstd(w) => w.flush(),
        }
    }
}

/// Whether stdout was closed when dechaff started (`dechaff PAGE >&-`).
///
/// The Rust runtime reopens a closed standard descriptor on /dev/null
/// before `main`, read-write, so every write to a closed stdout would
/// succeed and the output vanish without a word. A shell redirection to
/// /dev/null opens it write-only, so the two can be told apart: only an
/// explicit `1<>/dev/null` would be taken for a closed stdout.
pub fn stdout_was_closed() -> bool {
    #[cfg(target_os = "linux")]
    {
        let null = fs::read_link("/proc/self/fd/1").is_ok_and(|p| p == Path::new("/dev/null"));
        // fdinfo's flags are octal; O_ACCMODE is the low two bits, O_RDWR 2.
        null && fs::read_to_string("/proc/self/fdinfo/1").is_ok_and(|info| {
            info.lines()
                .find_map(|l| l.strip_prefix("flags:"))
                .and_then(|f| u32::from_str_radix(f.trim(), 8).ok())
                .is_some_and(|flags| flags & 3 == 2)
        })
    }
    #[cfg(not(target_os = "linux"))]
    false
}

/// The real path of `path`, which may not exist yet: its deepest existing
/// ancestor canonicalised, the rest appended with `.` and `..` applied; a
/// dangling symlink on the way is followed by hand, as a write to it would.
/// Two spellings of one file (`out.jsonl`, `./x/../out.jsonl`, a link to
/// it, even before it exists) resolve to the same path.
pub fn resolve(path: &Path) -> io::Result<PathBuf> {
    let mut path = std::path::absolute(path)?;
    // Linux's own limit on links followed in one lookup.
    for _ in 0..40 {
        match resolve_once(&path)? {
            Ok(real) => return Ok(real),
            Err(next) => path = next,
        }
    }
    Err(io::Error::from_raw_os_error(40)) // ELOOP
}

/// `Ok` with the resolved path, or `Err` with the path to try next when a
/// dangling link was met.
fn resolve_once(absolute: &Path) -> io::Result<Result<PathBuf, PathBuf>> {
    let mut base = absolute;
    let mut rest = Vec::new();
    let real = loop {
        match fs::canonicalize(base) {
            Ok(real) => break real,
            Err(_) => {
                let parent = base.parent();
                if let (Ok(target), Some(parent)) = (fs::read_link(base), parent) {
                    let mut next = parent.join(target);
                    next.extend(rest.iter().rev());
                    return Ok(Err(next));
                }
                match (parent, base.file_name()) {
                    (Some(parent), Some(_)) => {
                        rest.push(base.components().next_back().expect("has a name"));
                        base = parent;
                    }
                    _ => return Ok(Ok(absolute.to_owned())),
                }
            }
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
    Ok(Ok(out))
}

fn extension(path: &Path) -> &str {
    path.extension().and_then(|e| e.to_str()).unwrap_or("")
}

/// Opens a file (or stdin for `-`) for reading, decompressing gzip (all
/// members, as WET files are one member per record) and zstd. The format
/// is told by the magic bytes, so a mislabelled or piped stream works too.
pub fn open_input(path: &Path) -> io::Result<Box<dyn BufRead + Send>> {
    let raw: Box<dyn Read + Send> = if path.as_os_str() == "-" {
        Box::new(io::stdin())
    } else {
        Box::new(File::open(path)?)
    };
    let mut buffered = BufReader::with_capacity(1 << 16, raw);
    let head = buffered.fill_buf()?;
    Ok(if head.starts_with(&[0x1f, 0x8b]) {
        Box::new(BufReader::with_capacity(
            1 << 16,
            flate2::bufread::MultiGzDecoder::new(buffered),
        ))
    } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        Box::new(BufReader::with_capacity(
            1 << 16,
            zstd::Decoder::with_buffer(buffered)?,
        ))
    } else {
        Box::new(buffered)
    })
}

/// A progress bar on stderr when it is a terminal; hidden (and free)
/// otherwise, so logs and pipes stay clean.
pub fn progress(total: u64, unit: &str) -> ProgressBar {
    if !io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    let template = if total > 0 {
        format!("{{wide_bar}} {{binary_bytes}}/{{binary_total_bytes}} {{msg}} {unit}, ETA {{eta}}")
    } else {
        format!("{{spinner}} {{binary_bytes}} {{msg}} {unit}, {{binary_bytes_per_sec}}")
    };
    bar.set_style(ProgressStyle::with_template(&template).expect("template is valid"));
    bar
}

/// Prints a line to stderr without tearing the progress bar.
pub fn note(bar: &ProgressBar, line: &str) {
    bar.suspend(|| eprintln!("dechaff: {line}"));
}

/// Megabytes, as the summaries print them.
pub fn mb(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1e6)
}

/// Share of `part` in `whole` as a percentage, 0 for an empty whole.
pub fn percent(part: u64, whole: u64) -> String {
    if whole == 0 {
        return "0.0%".into();
    }
    format!("{:.1}%", 100.0 * part as f64 / whole as f64)
}

/// Seconds since `start`, as the summaries print them.
pub fn elapsed(start: Instant) -> String {
    format!("{:.2} s", start.elapsed().as_secs_f64())
}
