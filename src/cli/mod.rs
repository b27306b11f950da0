//! The batch modes of the binary: directory trees ([`dir`]) and record
//! streams ([`stream`]), with what they share: atomic output files,
//! compressed streams, the progress bar and the closing summary.

pub mod dir;
pub mod stream;

use std::fs::{self, File};
use std::io::{self, BufRead, BufReader, BufWriter, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// The suffix of the temporary file an output is written to before it is
/// renamed into place; the leading dot hides it from directory walks.
const TMP_SUFFIX: &str = ".dechaff-tmp";

/// `dir/.name.dechaff-tmp` for `dir/name`: same directory, so the final
/// rename cannot cross file systems, and a fixed name, so a re-run after a
/// kill overwrites the stale one instead of leaving it behind.
pub fn temp_path(target: &Path) -> PathBuf {
    let mut name = std::ffi::OsString::from(".");
    name.push(target.file_name().unwrap_or_default());
    name.push(TMP_SUFFIX);
    target.with_file_name(name)
}

/// Writes `bytes` to `target` atomically: readers see the old file or the
/// whole new one, never a part.
pub fn write_atomic(target: &Path, bytes: &[u8]) -> io::Result<()> {
    let tmp = temp_path(target);
    let result = fs::write(&tmp, bytes).and_then(|()| fs::rename(&tmp, target));
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// An output file written under a temporary name, compressed by its
/// extension (`.gz`, `.zst`), and renamed into place by [`Output::finish`].
/// Dropped without `finish` (an error midway), it removes its temporary
/// file, so a failed run leaves nothing that looks complete.
pub struct Output {
    writer: Option<Encoder>,
    tmp: PathBuf,
    target: PathBuf,
}

enum Encoder {
    Plain(BufWriter<File>),
    Gzip(flate2::write::GzEncoder<BufWriter<File>>),
    Zstd(zstd::Encoder<'static, BufWriter<File>>),
}

/// zstd's default level: several hundred MB/s, so it never limits a run.
const ZSTD_LEVEL: i32 = 3;

impl Output {
    /// Creates the temporary file for `target`.
    pub fn create(target: &Path) -> io::Result<Output> {
        let tmp = temp_path(target);
        let file = BufWriter::with_capacity(1 << 16, File::create(&tmp)?);
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
            tmp,
            target: target.to_owned(),
        })
    }

    /// Finishes the compressed stream, flushes and renames into place.
    pub fn finish(mut self) -> io::Result<()> {
        let file = match self.writer.take().expect("finish runs once") {
            Encoder::Plain(w) => w,
            Encoder::Gzip(w) => w.finish()?,
            Encoder::Zstd(w) => w.finish()?,
        };
        file.into_inner().map_err(|e| e.into_error())?.sync_data()?;
        fs::rename(&self.tmp, &self.target)
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

impl Drop for Output {
    fn drop(&mut self) {
        if self.writer.is_some() {
            let _ = fs::remove_file(&self.tmp);
        }
    }
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
