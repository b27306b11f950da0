//! Stream modes: JSON Lines records and Common Crawl WET files in, JSON
//! Lines out, in input order, with every input accounted for: records in =
//! records out + rejects (written to `--rejects FILE`, or to stderr).

use std::io::{self, BufWriter, Write};
use std::path::Path;
use std::time::Instant;

use dechaff::jsonl::{self, Meta};
use dechaff::wet::{WetError, WetReader, WetRecord};
use dechaff::Cleaner;
use rayon::prelude::*;
use serde::Serialize;

use super::{elapsed, mb, note, open_input, percent, progress, Output};

/// Where a stream goes and what to do with bad records.
pub struct Job<'a> {
    /// The input file, or `-` for stdin.
    pub input: &'a Path,
    /// The output file; stdout when `None`.
    pub output: Option<&'a Path>,
    /// Where rejected records go; stderr (without the raw line) when `None`.
    pub rejects: Option<&'a Path>,
    pub quiet: bool,
}

/// How a stream run ends.
pub enum End {
    /// Every record was cleaned.
    Clean,
    /// Some records were rejected (or the input broke off): exit 1.
    Rejects,
}

/// A failure that stops the stream: which file, and what happened.
pub struct Broken {
    pub message: String,
    /// Stdout was closed by the reader (as by `head`).
    pub closed_pipe: bool,
}

fn broken(path: &Path, e: &io::Error) -> Broken {
    Broken {
        message: format!("{}: {e}", shown(path)),
        closed_pipe: e.kind() == io::ErrorKind::BrokenPipe,
    }
}

fn shown(path: &Path) -> String {
    if path.as_os_str() == "-" {
        "stdin".into()
    } else {
        path.display().to_string()
    }
}

/// A writer on stdout whose errors are all reported.
///
/// `io::stdout()` reports a write to a closed stdout (EBADF) as a success,
/// and Rust's runtime reopens a stdout that was closed at start-up on
/// /dev/null, so `dechaff --jsonl in >&-` would "succeed" with nothing
/// written. This writes to a duplicate of the descriptor instead (EBADF
/// surfaces), and refuses a /dev/null that the runtime put there: the
/// shell's `>/dev/null` opens it write-only, the runtime read-write.
///
/// # Errors
///
/// When stdout is closed or cannot be duplicated.
pub fn stdout_writer() -> io::Result<Box<dyn Write + Send>> {
    if super::stdout_was_closed() {
        return Err(io::Error::other(
            "closed: Bad file descriptor (nothing can be written)",
        ));
    }
    #[cfg(unix)]
    {
        use std::os::fd::AsFd;
        let fd = io::stdout().as_fd().try_clone_to_owned()?;
        Ok(Box::new(std::fs::File::from(fd)))
    }
    #[cfg(not(unix))]
    Ok(Box::new(io::stdout()))
}

/// The output side of a stream: a file written atomically, or stdout.
struct Sink {
    file: Option<Output>,
    stdout: Option<BufWriter<Box<dyn Write + Send>>>,
}

impl Sink {
    fn open(path: Option<&Path>) -> Result<Sink, Broken> {
        Ok(match path {
            Some(p) => Sink {
                file: Some(Output::create(p).map_err(|e| broken(p, &e))?),
                stdout: None,
            },
            None => Sink {
                file: None,
                stdout: Some(BufWriter::with_capacity(
                    1 << 16,
                    stdout_writer().map_err(|e| broken(Path::new("stdout"), &e))?,
                )),
            },
        })
    }

    fn writer(&mut self) -> &mut dyn Write {
        match (&mut self.file, &mut self.stdout) {
            (Some(f), _) => f,
            (None, Some(s)) => s,
            (None, None) => unreachable!("a sink has one side"),
        }
    }

    fn finish(self, path: Option<&Path>) -> Result<(), Broken> {
        let shown = path.unwrap_or(Path::new("stdout"));
        match (self.file, self.stdout) {
            (Some(f), _) => f.finish().map_err(|e| broken(shown, &e)),
            (None, Some(mut s)) => s.flush().map_err(|e| broken(shown, &e)),
            (None, None) => Ok(()),
        }
    }
}

/// The name of the output in messages: its path, or stdout.
fn output_name<'a>(job: &Job<'a>) -> &'a Path {
    job.output.unwrap_or(Path::new("stdout"))
}

/// The name of the rejects' destination in messages.
fn rejects_name<'a>(job: &Job<'a>) -> &'a Path {
    job.rejects.unwrap_or(Path::new("stderr"))
}

/// Cleans a JSON Lines stream.
pub fn run_jsonl(cleaner: &Cleaner, job: &Job<'_>, config: &jsonl::Config) -> Result<End, Broken> {
    let start = Instant::now();
    // Before anything is opened, so a refused run leaves no file behind.
    config.check().map_err(|message| Broken {
        message,
        closed_pipe: false,
    })?;
    let input = open_input(job.input).map_err(|e| broken(job.input, &e))?;
    let mut out = Sink::open(job.output)?;
    let mut rejects = match job.rejects {
        Some(p) => Some(jsonl::Writer::new(
            Output::create(p).map_err(|e| broken(p, &e))?,
        )),
        None => None,
    };
    let bar = progress(0, "records");
    // Without --rejects, each reject is listed on stderr: a count alone
    // would let it disappear.
    let on_reject = |r: jsonl::Reject| match &mut rejects {
        Some(w) => w.write_value(&r),
        None => {
            note(&bar, &format!("line {}: {}", r.line, r.error));
            Ok(())
        }
    };
    let stats =
        jsonl::process_with_progress(cleaner, input, out.writer(), on_reject, config, |s| {
            bar.set_position(s.bytes_in);
            bar.set_message(s.records.to_string());
        })
        .map_err(|e| match e {
            jsonl::StreamError::Output(e) => broken(output_name(job), &e),
            jsonl::StreamError::Reject(e) => broken(rejects_name(job), &e),
            jsonl::StreamError::Config(message) => Broken {
                message,
                closed_pipe: false,
            },
        })?;
    bar.finish_and_clear();
    out.finish(job.output)?;
    if let (Some(w), Some(p)) = (rejects, job.rejects) {
        w.into_inner()
            .and_then(Output::finish)
            .map_err(|e| broken(p, &e))?;
    }
    if !job.quiet {
        let mut line = format!(
            "dechaff: {} records: {} cleaned, {} rejected",
            stats.records, stats.cleaned, stats.rejected
        );
        if let (Some(r), true) = (job.rejects, stats.rejected > 0) {
            line.push_str(&format!(" (to {})", r.display()));
        }
        if let Some(at) = stats.broke_off_at {
            line.push_str(&format!(
                "; {} broke off at byte {at}, counted as 1 rejected",
                shown(job.input)
            ));
        }
        if stats.blank > 0 {
            line.push_str(&format!("; {} blank lines skipped", stats.blank));
        }
        if stats.replaced_surrogates > 0 {
            line.push_str(&format!(
                "; {} lone surrogate escapes replaced by U+FFFD",
                stats.replaced_surrogates
            ));
        }
        line.push_str(&format!(
            "; {} in, {} out, {} of text removed; {}",
            mb(stats.bytes_in),
            mb(stats.bytes_out),
            percent(stats.chars_removed, stats.chars_in),
            elapsed(start)
        ));
        eprintln!("{line}");
    }
    Ok(if stats.rejected == 0 {
        End::Clean
    } else {
        End::Rejects
    })
}

/// Documents cleaned together, as in [`jsonl::BATCH_RECORDS`]; a batch
/// also ends at [`jsonl::BATCH_BYTES`] of bodies, so a run of large pages
/// does not multiply memory by the record count.
const WET_BATCH: usize = 256;

/// What one batch of a WET file holds.
struct Batch {
    /// Documents to clean.
    docs: Vec<WetRecord>,
    /// Records that could not be read; a fatal one (the input broke off)
    /// comes last.
    failures: Vec<WetError>,
    /// Records that are not documents (warcinfo and others).
    others: u64,
}

/// Reads the next batch: up to [`WET_BATCH`] records, or documents whose
/// bodies reach `max_bytes`, or up to a fatal error.
fn next_batch<R: io::BufRead>(reader: &mut WetReader<R>, max_bytes: usize) -> Batch {
    let mut batch = Batch {
        docs: Vec::new(),
        failures: Vec::new(),
        others: 0,
    };
    let mut bytes = 0;
    while batch.docs.len() + batch.failures.len() < WET_BATCH && bytes < max_bytes {
        match reader.next() {
            None => break,
            Some(Ok(r)) if r.is_document() => {
                bytes += r.body.len();
                batch.docs.push(r);
            }
            Some(Ok(_)) => batch.others += 1,
            Some(Err(e)) => {
                let fatal = e.is_fatal();
                batch.failures.push(e);
                if fatal {
                    break;
                }
            }
        }
    }
    batch
}

#[derive(Serialize)]
struct WetOut<'a> {
    url: Option<&'a str>,
    warc_record_id: &'a str,
    date: Option<&'a str>,
    text: &'a str,
    dechaff: Meta<'a>,
}

#[derive(Serialize)]
struct WetReject<'a> {
    record: u64,
    offset: u64,
    warc_record_id: Option<&'a str>,
    url: Option<&'a str>,
    error: String,
}

/// Cleans the conversion records of a WET file into JSON Lines.
pub fn run_wet(cleaner: &Cleaner, job: &Job<'_>, explain: bool) -> Result<End, Broken> {
    let start = Instant::now();
    let input = open_input(job.input).map_err(|e| broken(job.input, &e))?;
    let mut reader = WetReader::new(input);
    let mut out = Sink::open(job.output)?;
    let mut rejects = match job.rejects {
        Some(p) => Some(jsonl::Writer::new(
            Output::create(p).map_err(|e| broken(p, &e))?,
        )),
        None => None,
    };
    let bar = progress(0, "documents");
    let (mut records, mut docs, mut other, mut bad) = (0u64, 0u64, 0u64, 0u64);
    let (mut bytes_in, mut bytes_out, mut chars_in, mut chars_removed) = (0u64, 0u64, 0u64, 0u64);
    let mut fatal = false;
    loop {
        let Batch {
            docs: batch,
            failures,
            others,
        } = next_batch(&mut reader, jsonl::BATCH_BYTES);
        other += others;
        fatal |= failures.iter().any(WetError::is_fatal);
        records += (batch.len() + failures.len()) as u64;
        for e in &failures {
            bad += 1;
            let reject = WetReject {
                record: e.number,
                offset: e.offset,
                warc_record_id: e.record_id.as_deref(),
                url: e.url.as_deref(),
                error: e.to_string(),
            };
            match &mut rejects {
                Some(w) => w
                    .write_value(&reject)
                    .map_err(|e| broken(rejects_name(job), &e))?,
                None => note(&bar, &reject.error),
            }
        }
        if batch.is_empty() && (failures.is_empty() || fatal) {
            break;
        }
        let cleaned: Vec<_> = batch
            .par_iter()
            .map(|r| cleaner.clean_bytes(&r.body))
            .collect();
        let w = out.writer();
        for (record, c) in batch.iter().zip(&cleaned) {
            let line = serde_json::to_string(&WetOut {
                url: record.url.as_deref(),
                warc_record_id: &record.record_id,
                date: record.date.as_deref(),
                text: &c.text,
                dechaff: Meta::new(c, explain),
            })
            .expect("strings and numbers serialise");
            w.write_all(line.as_bytes())
                .and_then(|()| w.write_all(b"\n"))
                .map_err(|e| broken(output_name(job), &e))?;
            docs += 1;
            bytes_in += record.body.len() as u64;
            bytes_out += line.len() as u64 + 1;
            chars_in += c.input_chars as u64;
            chars_removed += c.removed_chars() as u64;
        }
        bar.set_position(reader.position());
        bar.set_message(docs.to_string());
    }
    bar.finish_and_clear();
    out.finish(job.output)?;
    if let (Some(w), Some(p)) = (rejects, job.rejects) {
        w.into_inner()
            .and_then(Output::finish)
            .map_err(|e| broken(p, &e))?;
    }
    if !job.quiet {
        eprintln!(
            "dechaff: {} records: {docs} documents cleaned, {bad} rejected, {other} not documents \
             (warcinfo and others){}; {} of text in, {} out, {} of text removed; {}",
            records + other,
            if fatal { ", input broke off" } else { "" },
            mb(bytes_in),
            mb(bytes_out),
            percent(chars_removed, chars_in),
            elapsed(start)
        );
    }
    Ok(if bad == 0 { End::Clean } else { End::Rejects })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(id: usize, body: &str) -> String {
        format!(
            "WARC/1.0\r\nWARC-Type: conversion\r\nWARC-Record-ID: <urn:{id}>\r\n\
             Content-Length: {}\r\n\r\n{body}\r\n\r\n",
            body.len()
        )
    }

    /// Forty 1 MB pages: a batch stops once its bodies reach the byte cap,
    /// as a JSON Lines batch does, instead of holding all forty.
    #[test]
    fn wet_batches_are_capped_by_bytes() {
        let body = "A line of an article about the council budget.\n".repeat(21_000);
        let input: String = (0..40).map(|i| record(i, &body)).collect();
        let mut reader = WetReader::new(input.as_bytes());
        let cap = 4 * body.len();
        let mut sizes = Vec::new();
        loop {
            let batch = next_batch(&mut reader, cap);
            if batch.docs.is_empty() {
                break;
            }
            let bytes: usize = batch.docs.iter().map(|d| d.body.len()).sum();
            assert!(bytes < cap + body.len(), "{bytes} bytes in one batch");
            sizes.push(batch.docs.len());
        }
        assert_eq!(sizes, [4; 10]);
    }
}
