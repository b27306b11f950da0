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

/// The output side of a stream: a file written atomically, or stdout.
struct Sink {
    file: Option<Output>,
    stdout: Option<BufWriter<io::StdoutLock<'static>>>,
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
                stdout: Some(BufWriter::with_capacity(1 << 16, io::stdout().lock())),
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

/// Cleans a JSON Lines stream.
pub fn run_jsonl(cleaner: &Cleaner, job: &Job<'_>, config: &jsonl::Config) -> Result<End, Broken> {
    let start = Instant::now();
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
        .map_err(|e| {
            // Which side failed is not known here; name both.
            let mut b = broken(job.input, &e);
            if let Some(o) = job.output {
                b.message = format!("{} -> {}: {e}", shown(job.input), o.display());
            }
            b
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
        if stats.blank > 0 {
            line.push_str(&format!("; {} blank lines skipped", stats.blank));
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

/// Documents cleaned together, as in [`jsonl::BATCH_RECORDS`].
const WET_BATCH: usize = 256;

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
        let mut batch: Vec<WetRecord> = Vec::with_capacity(WET_BATCH);
        let mut failures: Vec<WetError> = Vec::new();
        while batch.len() < WET_BATCH {
            match reader.next() {
                None => break,
                Some(Ok(r)) if r.is_document() => batch.push(r),
                Some(Ok(_)) => other += 1,
                Some(Err(e)) => {
                    fatal |= e.is_fatal();
                    failures.push(e);
                    if fatal {
                        break;
                    }
                }
            }
        }
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
                    .map_err(|e| broken(Path::new("rejects"), &e))?,
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
                .map_err(|e| broken(job.output.unwrap_or(Path::new("stdout")), &e))?;
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
