//! JSON Lines streams: records in, cleaned records out, in input order.
//!
//! Input: one JSON object per line (plain, `.gz` or `.zst`). Output: the
//! same object with its text field replaced by the clean body and a
//! `dechaff` object appended; every other member is copied byte for byte,
//! key included (its raw JSON is never re-encoded). A line that cannot be
//! cleaned becomes a [`Reject`] carrying its line number, the error and the
//! raw line, and so does a break in the input (a corrupt compressed tail),
//! after every record before it, so records in = records out + rejects,
//! always.
//!
//! Memory is bounded by one batch (at most [`BATCH_RECORDS`] records or
//! [`BATCH_BYTES`] bytes) plus one record of at most
//! [`Config::max_record_bytes`], however long the stream.
//!
//! # Example
//!
//! ```
//! use dechaff::{jsonl, Cleaner};
//!
//! let input = b"{\"id\":1,\"text\":\"Share\\nThe council approved the budget on Monday after a long debate about schools and roads.\"}\n";
//! let mut out = Vec::new();
//! let stats = jsonl::process(&Cleaner::builtin(), &input[..], &mut out, None, &jsonl::Config::default())
//!     .expect("in-memory I/O");
//! assert_eq!((stats.records, stats.cleaned, stats.rejected), (1, 1, 0));
//! assert!(String::from_utf8(out).unwrap().starts_with("{\"id\":1,\"text\":\"The council"));
//! ```

use std::fmt;
use std::io::{self, BufRead, Write};

use serde::de::{Deserializer, MapAccess, Visitor};
use serde::Serialize;
use serde_json::value::RawValue;

use crate::{Cleaned, Cleaner, Removals, SafetyNet, Warning};

/// Records cleaned together; enough to keep every thread busy, few enough
/// that a batch of ordinary pages stays in the tens of megabytes.
pub const BATCH_RECORDS: usize = 1024;
/// A batch also ends once it holds this many bytes, so a run of huge
/// records does not multiply memory by [`BATCH_RECORDS`].
pub const BATCH_BYTES: usize = 16 << 20;
/// Default [`Config::max_record_bytes`]: far above any web page, far below
/// what would exhaust memory.
pub const MAX_RECORD_BYTES: usize = 256 << 20;

/// The key dechaff adds to each record.
pub const META_KEY: &str = "dechaff";

/// How records are read and written.
#[derive(Debug, Clone)]
pub struct Config {
    /// The field holding the page text (default `text`).
    pub field: String,
    /// Add every removal with its rule id to the `dechaff` object.
    pub explain: bool,
    /// Longer lines are rejected without being held in memory.
    pub max_record_bytes: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            field: "text".into(),
            explain: false,
            max_record_bytes: MAX_RECORD_BYTES,
        }
    }
}

/// One line of input, as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawLine {
    /// 1-based line number in the stream.
    pub number: usize,
    /// The line without its line ending; only its first
    /// [`Config::max_record_bytes`] bytes when `too_long` is set.
    pub bytes: Vec<u8>,
    /// The full length of the line when it exceeded the limit.
    pub too_long: Option<usize>,
    /// Bytes this line took in the stream, line ending included.
    pub consumed: usize,
}

/// Reads a stream line by line, holding at most one line in memory and
/// never more than `max` bytes of it. A UTF-8 byte-order mark at the start
/// of the stream is skipped (it is not part of the first record).
#[derive(Debug)]
pub struct Reader<R> {
    inner: R,
    number: usize,
    max: usize,
    /// Bytes consumed from `inner` so far, line endings and BOM included.
    position: u64,
    /// The start of the line that a read error cut short.
    partial: Vec<u8>,
    /// Set after a read error: the stream is not read any further.
    failed: bool,
}

const UTF8_BOM: &[u8] = b"\xef\xbb\xbf";

impl<R: BufRead> Reader<R> {
    /// A reader that cuts lines at `max` bytes (see [`RawLine::too_long`]).
    pub fn new(inner: R, max: usize) -> Self {
        Reader {
            inner,
            number: 0,
            max,
            position: 0,
            partial: Vec::new(),
            failed: false,
        }
    }

    /// Bytes consumed from the stream so far (after decompression).
    pub fn position(&self) -> u64 {
        self.position
    }

    /// After a read error: the bytes of the line it cut short (at most
    /// `max`), so that they can be reported.
    pub fn partial(&self) -> &[u8] {
        &self.partial
    }

    fn skip_bom(&mut self) -> io::Result<()> {
        // A BOM split across reads is not looked for: buffered readers hand
        // over far more than three bytes at the start.
        let buf = loop {
            match self.inner.fill_buf() {
                Ok(b) => break b,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        };
        if buf.starts_with(UTF8_BOM) {
            self.inner.consume(UTF8_BOM.len());
            self.position += UTF8_BOM.len() as u64;
        }
        Ok(())
    }
}

impl<R: BufRead> Iterator for Reader<R> {
    type Item = io::Result<RawLine>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        if self.number == 0 && self.position == 0 {
            if let Err(e) = self.skip_bom() {
                self.failed = true;
                return Some(Err(e));
            }
        }
        let mut bytes = Vec::new();
        let mut total = 0usize;
        let mut consumed = 0usize;
        let mut last = 0u8;
        let mut saw_any = false;
        loop {
            let buf = match self.inner.fill_buf() {
                Ok(b) => b,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    self.failed = true;
                    self.partial = bytes;
                    return Some(Err(e));
                }
            };
            if buf.is_empty() {
                if !saw_any {
                    return None;
                }
                break;
            }
            saw_any = true;
            let (chunk, done) = match memchr::memchr(b'\n', buf) {
                Some(i) => (&buf[..i], Some(i + 1)),
                None => (buf, None),
            };
            let room = self.max.saturating_sub(bytes.len());
            bytes.extend_from_slice(&chunk[..chunk.len().min(room)]);
            total += chunk.len();
            last = chunk.last().copied().unwrap_or(last);
            let used = done.unwrap_or(buf.len());
            self.inner.consume(used);
            consumed += used;
            self.position += used as u64;
            if done.is_some() {
                break;
            }
        }
        self.number += 1;
        if last == b'\r' {
            if total <= self.max {
                bytes.pop();
            }
            total -= 1;
        }
        Some(Ok(RawLine {
            number: self.number,
            bytes,
            too_long: (total > self.max).then_some(total),
            consumed,
        }))
    }
}

/// A record that could not be cleaned, with what is needed to find and
/// repair it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reject {
    /// 1-based line number in the input stream.
    pub line: usize,
    /// What is wrong with it.
    pub error: String,
    /// The raw line (invalid UTF-8 replaced by U+FFFD; cut at 1 MiB for a
    /// line over the length limit).
    pub raw: String,
}

/// The `dechaff` object added to each record.
#[derive(Debug, Serialize)]
pub struct Meta<'a> {
    /// The rule set used.
    pub lang: &'a str,
    /// ISO 15924 script.
    pub script: Option<&'a str>,
    /// Characters removed from the text.
    pub removed_chars: usize,
    /// Lone surrogate escapes (`\ud800`) in the record's text field that
    /// were replaced by U+FFFD before cleaning.
    #[serde(skip_serializing_if = "is_zero")]
    pub replaced_surrogates: usize,
    /// Set when the page was kept whole by the safety net.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub safety_net: Option<&'a SafetyNet>,
    /// Rules that failed on this page.
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub warnings: &'a [Warning],
    /// Every removal, with `--explain`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub removed: Option<&'a Removals>,
}

impl<'a> Meta<'a> {
    /// The metadata of one cleaned page.
    pub fn new(cleaned: &'a Cleaned, explain: bool) -> Self {
        Meta {
            lang: &cleaned.lang,
            script: cleaned.script.as_deref(),
            removed_chars: cleaned.removed_chars(),
            replaced_surrogates: 0,
            safety_net: cleaned.safety_net.as_ref(),
            warnings: &cleaned.warnings,
            removed: explain.then_some(&cleaned.removed),
        }
    }
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// The result of cleaning one record.
#[derive(Debug)]
pub struct Outcome {
    /// The output line (no line ending), or why there is none.
    pub result: Result<String, String>,
    /// Characters in the input text and characters removed.
    pub chars: (usize, usize),
    /// Lone surrogate escapes in the text replaced by U+FFFD.
    pub replaced: usize,
}

/// An object's top-level members in input order, key and value each as
/// its raw JSON text (the key with its quotes and escapes as written).
struct Fields<'a>(Vec<(&'a RawValue, &'a RawValue)>);

impl<'de: 'a, 'a> serde::Deserialize<'de> for Fields<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = Fields<'a>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<Fields<'a>, M::Error> {
                let mut out = Vec::new();
                // serde_json hands a key over as raw text when asked for a
                // `RawValue`, so keys are copied as written, never re-encoded.
                while let Some((k, v)) = map.next_entry::<&'a RawValue, &'a RawValue>()? {
                    out.push((k, v));
                }
                Ok(Fields(out))
            }
        }
        d.deserialize_map(V(std::marker::PhantomData))
    }
}

/// The JSON type of a raw value, for error messages.
fn kind(raw: &RawValue) -> &'static str {
    match raw.get().as_bytes().first() {
        Some(b'"') => "a string",
        Some(b'{') => "an object",
        Some(b'[') => "an array",
        Some(b't' | b'f') => "a boolean",
        Some(b'n') => "null",
        _ => "a number",
    }
}

/// Decodes a JSON string token (quotes included, syntax already checked by
/// serde_json). A lone surrogate escape (`"\ud800"`, as JavaScript writes
/// for a string cut inside a pair) becomes U+FFFD instead of failing the
/// record; returns the text and how many were replaced, or `None` if the
/// token is not a well-formed string.
fn decode_string(raw: &str) -> Option<(String, usize)> {
    let inner = raw.strip_prefix('"')?.strip_suffix('"')?;
    if !inner.contains('\\') {
        return Some((inner.to_owned(), 0));
    }
    let mut out = String::with_capacity(inner.len());
    let mut replaced = 0;
    let mut rest = inner;
    // A high surrogate waiting for its low half.
    let mut high: Option<u32> = None;
    while let Some(i) = rest.find('\\') {
        if i > 0 {
            if high.take().is_some() {
                out.push(char::REPLACEMENT_CHARACTER);
                replaced += 1;
            }
            out.push_str(&rest[..i]);
        }
        let esc = rest.as_bytes().get(i + 1).copied()?;
        let simple = match esc {
            b'"' => Some('"'),
            b'\\' => Some('\\'),
            b'/' => Some('/'),
            b'b' => Some('\u{8}'),
            b'f' => Some('\u{c}'),
            b'n' => Some('\n'),
            b'r' => Some('\r'),
            b't' => Some('\t'),
            b'u' => None,
            _ => return None,
        };
        if let Some(c) = simple {
            if high.take().is_some() {
                out.push(char::REPLACEMENT_CHARACTER);
                replaced += 1;
            }
            out.push(c);
            rest = &rest[i + 2..];
            continue;
        }
        let hex = rest.get(i + 2..i + 6)?;
        let unit = u32::from_str_radix(hex, 16).ok()?;
        rest = &rest[i + 6..];
        match (high.take(), unit) {
            (Some(h), 0xDC00..=0xDFFF) => {
                let c = 0x10000 + ((h - 0xD800) << 10) + (unit - 0xDC00);
                out.push(char::from_u32(c)?);
                continue;
            }
            (Some(_), _) => {
                out.push(char::REPLACEMENT_CHARACTER);
                replaced += 1;
            }
            (None, _) => {}
        }
        match unit {
            0xD800..=0xDBFF => high = Some(unit),
            0xDC00..=0xDFFF => {
                out.push(char::REPLACEMENT_CHARACTER);
                replaced += 1;
            }
            _ => out.push(char::from_u32(unit)?),
        }
    }
    if high.is_some() {
        out.push(char::REPLACEMENT_CHARACTER);
        replaced += 1;
    }
    out.push_str(rest);
    Some((out, replaced))
}

/// Cleans one JSON Lines record.
///
/// Every member other than the text field is copied as written, its key
/// included. Members named like the `dechaff` object are dropped, as that
/// object is written anew.
///
/// # Errors
///
/// The error message when the line is not UTF-8, not a JSON object, lacks
/// the text field, holds it more than once (JSON readers disagree on which
/// copy wins, so the record is not guessed at) or holds something other
/// than a string in it.
pub fn clean_record(cleaner: &Cleaner, line: &[u8], config: &Config) -> Outcome {
    let fail = |e: String| Outcome {
        result: Err(e),
        chars: (0, 0),
        replaced: 0,
    };
    let Ok(text) = std::str::from_utf8(line) else {
        return fail("not valid UTF-8".into());
    };
    let fields: Fields<'_> = match serde_json::from_str(text) {
        Ok(f) => f,
        Err(e) => return fail(format!("not a JSON object: {e}")),
    };
    // Keys as the object means them (escapes undone), for comparison only.
    let mut keys = Vec::with_capacity(fields.0.len());
    for (key, _) in &fields.0 {
        match decode_string(key.get()) {
            Some((k, _)) => keys.push(k),
            None => return fail(format!("not a JSON object: bad key {}", key.get())),
        }
    }
    let mut text_fields = keys
        .iter()
        .zip(&fields.0)
        .filter(|(k, _)| **k == config.field);
    let Some((_, (_, raw))) = text_fields.next() else {
        return fail(format!("no field \"{}\"", config.field));
    };
    let copies = 1 + text_fields.count();
    if copies > 1 {
        return fail(format!(
            "field \"{}\" appears {copies} times: which one holds the page is ambiguous",
            config.field
        ));
    }
    let Some((page, replaced)) = decode_string(raw.get()) else {
        let msg = format!("field \"{}\" is {}, not a string", config.field, kind(raw));
        return fail(msg);
    };
    let cleaned = cleaner.clean(&page);
    let mut meta = Meta::new(&cleaned, config.explain);
    meta.replaced_surrogates = replaced;
    let mut out = String::with_capacity(line.len() + 128);
    out.push('{');
    for (name, (key, value)) in keys.iter().zip(&fields.0) {
        if name == META_KEY {
            continue;
        }
        if out.len() > 1 {
            out.push(',');
        }
        out.push_str(key.get());
        out.push(':');
        if *name == config.field {
            push_json(&mut out, &cleaned.text);
        } else {
            out.push_str(value.get());
        }
    }
    if out.len() > 1 {
        out.push(',');
    }
    push_json(&mut out, META_KEY);
    out.push(':');
    push_json(&mut out, &meta);
    out.push('}');
    Outcome {
        result: Ok(out),
        chars: (cleaned.input_chars, cleaned.removed_chars()),
        replaced,
    }
}

fn push_json<T: Serialize + ?Sized>(out: &mut String, value: &T) {
    out.push_str(&serde_json::to_string(value).expect("strings, numbers and options serialise"));
}

/// Counts of one stream.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    /// Records read (non-blank lines).
    pub records: usize,
    /// Records written.
    pub cleaned: usize,
    /// Records rejected.
    pub rejected: usize,
    /// Blank lines skipped (they hold no record).
    pub blank: usize,
    /// Bytes read, line endings included.
    pub bytes_in: u64,
    /// Bytes written, line endings included.
    pub bytes_out: u64,
    /// Characters of text in the records cleaned.
    pub chars_in: u64,
    /// Characters of text removed from them.
    pub chars_removed: u64,
    /// Lone surrogate escapes replaced by U+FFFD in the texts cleaned.
    pub replaced_surrogates: u64,
    /// Where the input broke off (a read or decompression error, such as
    /// garbage after the last gzip member or a truncated file): the offset
    /// in the decompressed stream. The break is counted as one rejected
    /// record; every record before it was cleaned and written.
    pub broke_off_at: Option<u64>,
}

/// Writes lines, counting records and bytes.
#[derive(Debug)]
pub struct Writer<W> {
    inner: W,
    /// Lines written.
    pub lines: usize,
    /// Bytes written, line endings included.
    pub bytes: u64,
}

impl<W: Write> Writer<W> {
    /// Wraps `inner`; buffer it if it is a file.
    pub fn new(inner: W) -> Self {
        Writer {
            inner,
            lines: 0,
            bytes: 0,
        }
    }

    /// Writes `line` and a line ending.
    ///
    /// # Errors
    ///
    /// Whatever the underlying writer returns.
    pub fn write_line(&mut self, line: &str) -> io::Result<()> {
        self.inner.write_all(line.as_bytes())?;
        self.inner.write_all(b"\n")?;
        self.lines += 1;
        self.bytes += line.len() as u64 + 1;
        Ok(())
    }

    /// Writes a serialisable value as one line.
    ///
    /// # Errors
    ///
    /// Whatever the underlying writer returns.
    pub fn write_value<T: Serialize>(&mut self, value: &T) -> io::Result<()> {
        let line = serde_json::to_string(value).map_err(io::Error::other)?;
        self.write_line(&line)
    }

    /// Flushes and returns the inner writer.
    ///
    /// # Errors
    ///
    /// Whatever the underlying flush returns.
    pub fn into_inner(mut self) -> io::Result<W> {
        self.inner.flush()?;
        Ok(self.inner)
    }
}

/// Longest prefix of an over-long line kept in its reject record.
const REJECT_RAW_MAX: usize = 1 << 20;

/// Why a stream could not be finished. A broken input is not one of them:
/// it ends the stream as a rejected record (see [`Stats::broke_off_at`]).
#[derive(Debug)]
pub enum StreamError {
    /// The configuration cannot work (see [`Config::check`]).
    Config(String),
    /// Writing the output failed.
    Output(io::Error),
    /// Handing over a rejected record failed (the `on_reject` callback's
    /// error).
    Reject(io::Error),
}

impl fmt::Display for StreamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StreamError::Config(msg) => f.write_str(msg),
            StreamError::Output(e) => write!(f, "writing the output: {e}"),
            StreamError::Reject(e) => write!(f, "writing a reject: {e}"),
        }
    }
}

impl std::error::Error for StreamError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            StreamError::Config(_) => None,
            StreamError::Output(e) | StreamError::Reject(e) => Some(e),
        }
    }
}

impl From<StreamError> for io::Error {
    fn from(e: StreamError) -> io::Error {
        match e {
            StreamError::Config(msg) => io::Error::new(io::ErrorKind::InvalidInput, msg),
            StreamError::Output(e) | StreamError::Reject(e) => e,
        }
    }
}

impl Config {
    /// Checks that records can be written with this configuration.
    ///
    /// # Errors
    ///
    /// When [`Config::field`] is [`META_KEY`]: the cleaned text would be
    /// written under the key that the `dechaff` object then replaces.
    pub fn check(&self) -> Result<(), String> {
        if self.field == META_KEY {
            return Err(format!(
                "--field \"{META_KEY}\": that key holds the metadata dechaff adds to each record; \
                 rename the field first"
            ));
        }
        Ok(())
    }
}

/// Cleans every record of `input` into `output`, in input order, using the
/// current rayon pool. Each rejected line is handed to `on_reject` (which
/// may write it somewhere, or show it); `progress` is called after each
/// batch.
///
/// A read error of the input (a corrupt or truncated compressed stream)
/// ends the stream without losing what came before: the records read so
/// far are cleaned and written, then the break is handed to `on_reject`
/// as one more reject (its line, the offset and the error, the cut line as
/// `raw`) and recorded in [`Stats::broke_off_at`].
///
/// # Errors
///
/// A bad configuration, a write error of the output, or one `on_reject`
/// returns; the counts up to then are lost with it, as the stream is broken.
pub fn process_with_progress<R: BufRead, W: Write>(
    cleaner: &Cleaner,
    input: R,
    output: W,
    mut on_reject: impl FnMut(Reject) -> io::Result<()>,
    config: &Config,
    mut progress: impl FnMut(&Stats),
) -> Result<Stats, StreamError> {
    use rayon::prelude::*;
    config.check().map_err(StreamError::Config)?;
    let mut stats = Stats::default();
    let mut out = Writer::new(output);
    let mut lines = Reader::new(input, config.max_record_bytes);
    let mut broken: Option<io::Error> = None;
    let mut ended = false;
    while !ended {
        let mut batch = Vec::new();
        let mut bytes = 0;
        while batch.len() < BATCH_RECORDS && bytes < BATCH_BYTES {
            let line = match lines.next() {
                None => {
                    ended = true;
                    break;
                }
                Some(Err(e)) => {
                    broken = Some(e);
                    ended = true;
                    break;
                }
                Some(Ok(line)) => line,
            };
            if line.too_long.is_none() && line.bytes.iter().all(u8::is_ascii_whitespace) {
                stats.blank += 1;
                continue;
            }
            bytes += line.bytes.len();
            batch.push(line);
        }
        stats.bytes_in = lines.position();
        let outcomes: Vec<Outcome> = batch
            .par_iter()
            .map(|line| match line.too_long {
                Some(n) => Outcome {
                    result: Err(format!(
                        "line of {n} bytes exceeds the limit of {} bytes",
                        config.max_record_bytes
                    )),
                    chars: (0, 0),
                    replaced: 0,
                },
                None => clean_record(cleaner, &line.bytes, config),
            })
            .collect();
        for (line, outcome) in batch.iter().zip(outcomes) {
            stats.records += 1;
            match outcome.result {
                Ok(record) => {
                    out.write_line(&record).map_err(StreamError::Output)?;
                    stats.cleaned += 1;
                    stats.chars_in += outcome.chars.0 as u64;
                    stats.chars_removed += outcome.chars.1 as u64;
                    stats.replaced_surrogates += outcome.replaced as u64;
                }
                Err(error) => {
                    stats.rejected += 1;
                    let raw = &line.bytes[..line.bytes.len().min(REJECT_RAW_MAX)];
                    on_reject(Reject {
                        line: line.number,
                        error,
                        raw: String::from_utf8_lossy(raw).into_owned(),
                    })
                    .map_err(StreamError::Reject)?;
                }
            }
        }
        stats.bytes_out = out.bytes;
        progress(&stats);
    }
    if let Some(e) = broken {
        let at = lines.position();
        let partial = lines.partial();
        stats.records += 1;
        stats.rejected += 1;
        stats.broke_off_at = Some(at);
        on_reject(Reject {
            line: lines.number + 1,
            error: format!("input broke off at byte {at} (after decompression): {e}"),
            raw: String::from_utf8_lossy(&partial[..partial.len().min(REJECT_RAW_MAX)])
                .into_owned(),
        })
        .map_err(StreamError::Reject)?;
        progress(&stats);
    }
    out.into_inner().map_err(StreamError::Output)?;
    Ok(stats)
}

/// [`process_with_progress`] without a progress callback, writing each
/// reject as one JSON line to `rejects` (or only counting it when `None`).
///
/// # Errors
///
/// As for [`process_with_progress`]; a bad configuration is an
/// [`io::ErrorKind::InvalidInput`] error.
pub fn process<R: BufRead, W: Write>(
    cleaner: &Cleaner,
    input: R,
    output: W,
    rejects: Option<&mut dyn Write>,
    config: &Config,
) -> io::Result<Stats> {
    let mut rejects = rejects.map(Writer::new);
    let stats = process_with_progress(
        cleaner,
        input,
        output,
        |r| match &mut rejects {
            Some(w) => w.write_value(&r),
            None => Ok(()),
        },
        config,
        |_| {},
    )?;
    if let Some(w) = rejects {
        w.into_inner()?;
    }
    Ok(stats)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(input: &str, config: &Config) -> (String, String, Stats) {
        let mut out = Vec::new();
        let mut rej = Vec::new();
        let stats = process(
            &Cleaner::builtin(),
            input.as_bytes(),
            &mut out,
            Some(&mut rej),
            config,
        )
        .expect("in-memory I/O");
        (
            String::from_utf8(out).expect("utf-8"),
            String::from_utf8(rej).expect("utf-8"),
            stats,
        )
    }

    const PAGE: &str = "Share\\nThe council approved the new budget on Monday after a long debate about schools, roads and the library.";

    #[test]
    fn other_fields_pass_through_byte_for_byte() {
        let line = format!(
            "{{\"n\": 1.50, \"big\":123456789012345678901234567890,\"text\":\"{PAGE}\",\"z\":{{\"a\" : [1, 2]}}}}\n"
        );
        let (out, _, stats) = run(&line, &Config::default());
        assert_eq!(stats.cleaned, 1);
        assert!(
            out.starts_with(
                "{\"n\":1.50,\"big\":123456789012345678901234567890,\"text\":\"The council"
            ),
            "{out}"
        );
        assert!(
            out.contains(",\"z\":{\"a\" : [1, 2]},\"dechaff\":{\"lang\":\"eng\""),
            "{out}"
        );
    }

    #[test]
    fn every_bad_line_is_rejected_with_its_number() {
        let input = format!(
            "{{\"text\":\"{PAGE}\"}}\nnot json\n\n{{\"id\":2}}\n{{\"text\":7}}\n[1]\n{{\"text\":\"{PAGE}\"}}\n"
        );
        let (out, rej, stats) = run(&input, &Config::default());
        assert_eq!(out.lines().count(), 2);
        assert_eq!(
            (stats.records, stats.cleaned, stats.rejected, stats.blank),
            (6, 2, 4, 1)
        );
        let rejects: Vec<serde_json::Value> = rej
            .lines()
            .map(|l| serde_json::from_str(l).expect("reject is JSON"))
            .collect();
        let numbers: Vec<u64> = rejects
            .iter()
            .map(|r| r["line"].as_u64().unwrap())
            .collect();
        assert_eq!(numbers, [2, 4, 5, 6]);
        assert_eq!(rejects[1]["error"], "no field \"text\"");
        assert_eq!(
            rejects[2]["error"],
            "field \"text\" is a number, not a string"
        );
        assert_eq!(rejects[0]["raw"], "not json");
    }

    #[test]
    fn existing_meta_is_replaced_and_other_field_cleaned() {
        let config = Config {
            field: "body".into(),
            explain: true,
            ..Config::default()
        };
        let line = format!("{{\"dechaff\":1,\"body\":\"{PAGE}\"}}");
        let (out, _, _) = run(&line, &config);
        let v: serde_json::Value = serde_json::from_str(out.trim()).expect("json");
        assert_eq!(v["dechaff"]["removed"][0]["text"], "Share");
        assert!(v["body"].as_str().unwrap().starts_with("The council"));
        assert_eq!(out.matches("dechaff").count(), 1);
    }

    #[test]
    fn over_long_lines_are_rejected_without_being_held() {
        let config = Config {
            max_record_bytes: 64,
            ..Config::default()
        };
        let long = format!("{{\"text\":\"{}\"}}", "a".repeat(500));
        let input = format!("{long}\r\n{{\"text\":\"ok\"}}\r\n");
        let (out, rej, stats) = run(&input, &config);
        assert_eq!((stats.cleaned, stats.rejected), (1, 1));
        assert!(
            rej.contains("line of 511 bytes exceeds the limit of 64 bytes"),
            "{rej}"
        );
        assert!(out.starts_with("{\"text\":\"ok\\n\""), "{out}");
        assert_eq!(stats.bytes_in, input.len() as u64);
    }

    #[test]
    fn reader_handles_missing_final_newline_and_crlf() {
        let lines: Vec<RawLine> = Reader::new(&b"a\r\n\nb"[..], 10)
            .map(|l| l.expect("in memory"))
            .collect();
        let texts: Vec<&[u8]> = lines.iter().map(|l| l.bytes.as_slice()).collect();
        assert_eq!(texts, [&b"a"[..], b"", b"b"]);
        assert_eq!(lines[2].number, 3);
    }
}

#[cfg(test)]
mod hostile {
    //! Records written by hostile or sloppy producers.

    use super::*;

    const PAGE: &str = "Share\\nThe council approved the new budget on Monday after a long debate about schools, roads and the library.";

    fn one(line: &str) -> Result<String, String> {
        clean_record(&Cleaner::builtin(), line.as_bytes(), &Config::default()).result
    }

    #[test]
    fn keys_and_values_pass_through_as_written() {
        // Escaped keys, a key that is an escaped "text" look-alike, nested
        // objects holding "text", strings holding quotes, braces and
        // escaped backslashes, odd whitespace everywhere.
        let prefix = concat!(
            "{ \"a\\/b\" :1 ,\t\"\\u00e9\":\"x\\\"y\", \"te\\\\xt\":[\"}\",{\"text\":\"no\"}],",
            "\"\\ud83d\\ude00\" : null , \"k\\\"\" : {\"\\\\\":\"\\\\\"} ,"
        );
        let line = format!("{prefix}\"text\" : \"{PAGE}\" , \"z\\n\":-0.0e+1 }}");
        let out = one(&line).expect("cleaned");
        assert!(
            out.starts_with(concat!(
                "{\"a\\/b\":1,\"\\u00e9\":\"x\\\"y\",\"te\\\\xt\":[\"}\",{\"text\":\"no\"}],",
                "\"\\ud83d\\ude00\":null,\"k\\\"\":{\"\\\\\":\"\\\\\"},\"text\":\"The council"
            )),
            "{out}"
        );
        assert!(out.contains("\",\"z\\n\":-0.0e+1,\"dechaff\":{"), "{out}");
        let v: serde_json::Value = serde_json::from_str(&out).expect("valid JSON");
        assert_eq!(v["te\\xt"][1]["text"], "no");
    }

    #[test]
    fn an_escaped_text_key_is_the_text_field() {
        let out = one(&format!("{{\"t\\u0065xt\":\"{PAGE}\"}}")).expect("cleaned");
        assert!(out.starts_with("{\"t\\u0065xt\":\"The council"), "{out}");
    }

    #[test]
    fn a_duplicate_text_field_is_rejected_not_written_twice() {
        let err = one(&format!(
            "{{\"text\":\"Menu\",\"id\":1,\"text\":\"{PAGE}\"}}"
        ))
        .expect_err("ambiguous");
        assert_eq!(
            err,
            "field \"text\" appears 2 times: which one holds the page is ambiguous"
        );
        // Duplicates of other keys are not ours to judge: copied as written.
        let out = one(&format!("{{\"id\":1,\"id\":2,\"text\":\"{PAGE}\"}}")).expect("cleaned");
        assert!(out.starts_with("{\"id\":1,\"id\":2,\"text\":"), "{out}");
    }

    #[test]
    fn lone_surrogates_become_replacement_characters_and_are_counted() {
        let line = format!(
            "{{\"text\":\"{PAGE} \\ud800 and \\udc00\\u0041 pair \\ud83d\\ude00 end \\ud83d\"}}"
        );
        let out = one(&line).expect("cleaned, not rejected");
        let v: serde_json::Value = serde_json::from_str(&out).expect("valid JSON");
        assert!(
            v["text"]
                .as_str()
                .expect("text")
                .ends_with("library. \u{fffd} and \u{fffd}A pair \u{1f600} end \u{fffd}\n"),
            "{out}"
        );
        assert_eq!(v["dechaff"]["replaced_surrogates"], 3);
        // Nothing replaced, nothing said.
        let clean = one(&format!("{{\"text\":\"{PAGE}\"}}")).expect("cleaned");
        assert!(!clean.contains("replaced_surrogates"), "{clean}");
    }

    #[test]
    fn decode_string_handles_every_escape() {
        let cases = [
            (r#""""#, "", 0),
            (r#""plain é""#, "plain é", 0),
            (r#""\"\\\/\b\f\n\r\t""#, "\"\\/\u{8}\u{c}\n\r\t", 0),
            (r#""\u00e9\u4e2d""#, "é中", 0),
            (r#""\ud800\ud800\udc00""#, "\u{fffd}\u{10000}", 1),
            (r#""\ud800\n""#, "\u{fffd}\n", 1),
            (r#""\udfff""#, "\u{fffd}", 1),
        ];
        for (raw, want, n) in cases {
            assert_eq!(decode_string(raw), Some((want.to_owned(), n)), "{raw}");
        }
        for bad in [r#""\x""#, r#""\u12""#, "7", r#""\"#] {
            assert_eq!(decode_string(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_bom_before_the_first_record_is_skipped() {
        let input = format!("\u{feff}{{\"text\":\"{PAGE}\"}}\n{{\"text\":\"{PAGE}\"}}\n");
        let mut out = Vec::new();
        let stats = process(
            &Cleaner::builtin(),
            input.as_bytes(),
            &mut out,
            None,
            &Config::default(),
        )
        .expect("in memory");
        assert_eq!((stats.cleaned, stats.rejected), (2, 0));
        assert_eq!(stats.bytes_in, input.len() as u64);
        assert!(out.starts_with(b"{\"text\":\"The council"));
    }

    #[test]
    fn the_metadata_key_is_refused_as_the_text_field() {
        let config = Config {
            field: META_KEY.into(),
            ..Config::default()
        };
        let err = process(&Cleaner::builtin(), &b"{}\n"[..], Vec::new(), None, &config)
            .expect_err("refused");
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
        assert!(
            err.to_string().starts_with("--field \"dechaff\": "),
            "{err}"
        );
    }

    /// Yields `data`, then fails as a corrupt gzip stream does.
    struct Failing<'a>(&'a [u8]);

    impl io::Read for Failing<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            if self.0.is_empty() {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    "invalid gzip header",
                ));
            }
            let n = buf.len().min(self.0.len()).min(100);
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    #[test]
    fn a_broken_input_keeps_every_record_before_the_break() {
        let record = format!("{{\"text\":\"{PAGE}\"}}\n");
        let mut input = record.repeat(BATCH_RECORDS + 5);
        input.push_str("{\"text\":\"cut");
        let mut out = Vec::new();
        let mut rejects = Vec::new();
        let stats = process_with_progress(
            &Cleaner::builtin(),
            io::BufReader::with_capacity(64, Failing(input.as_bytes())),
            &mut out,
            |r| {
                rejects.push(r);
                Ok(())
            },
            &Config::default(),
            |_| {},
        )
        .expect("a broken input is not an error of the stream");
        let n = BATCH_RECORDS + 5;
        assert_eq!(
            (stats.records, stats.cleaned, stats.rejected),
            (n + 1, n, 1)
        );
        assert_eq!(out.iter().filter(|&&b| b == b'\n').count(), n);
        assert_eq!(stats.broke_off_at, Some(input.len() as u64));
        assert_eq!(rejects.len(), 1);
        assert_eq!(rejects[0].line, n + 1);
        assert_eq!(rejects[0].raw, "{\"text\":\"cut");
        assert_eq!(
            rejects[0].error,
            format!(
                "input broke off at byte {} (after decompression): invalid gzip header",
                input.len()
            )
        );
    }
}

#[cfg(test)]
mod raw_members {
    //! Generated objects with every way of spelling a key: each member but
    //! the text field must come out exactly as written.

    use super::*;
    use proptest::prelude::*;

    /// Spells `s` as a JSON string, escaping each character one of the
    /// ways JSON allows, as chosen by `how`.
    fn spell(s: &str, how: &[u8]) -> String {
        let mut out = String::from("\"");
        for (i, c) in s.chars().enumerate() {
            let style = how.get(i % how.len().max(1)).copied().unwrap_or(0) % 3;
            match (c, style) {
                ('"', _) => out.push_str("\\\""),
                ('\\', _) => out.push_str("\\\\"),
                (c, _) if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
                ('/', 1) => out.push_str("\\/"),
                (c, 2) => {
                    let mut units = [0u16; 2];
                    for u in c.encode_utf16(&mut units) {
                        out.push_str(&format!("\\u{u:04X}"));
                    }
                }
                (c, _) => out.push(c),
            }
        }
        out.push('"');
        out
    }

    const WS: [&str; 4] = ["", " ", "\t", " \r "];

    /// One cleaner for every case: building one compiles the rules.
    static CLEANER: std::sync::LazyLock<Cleaner> = std::sync::LazyLock::new(Cleaner::builtin);

    proptest! {
        #[test]
        fn every_other_member_is_copied_as_written(
            members in proptest::collection::vec(
                ("[a-z\"\\\\/ é中😀\u{1}]{0,6}", "[a-z\"\\\\/ é\n]{0,6}", any::<u8>()),
                0..6,
            ),
            how in proptest::collection::vec(any::<u8>(), 1..8),
            at in any::<prop::sample::Index>(),
        ) {
            let mut raw: Vec<(String, String)> = members
                .iter()
                .filter(|(k, _, _)| k != "text" && k != META_KEY)
                .map(|(k, v, n)| {
                    let value = match n % 4 {
                        0 => spell(v, &how),
                        1 => format!("{}.50e+0{}", n, n % 3),
                        2 => format!("[{}, {{\"text\" :{}}}]", spell(v, &how), spell(k, &how)),
                        _ => "null".to_owned(),
                    };
                    (spell(k, &how), value)
                })
                .collect();
            let text_at = at.index(raw.len() + 1);
            raw.insert(text_at, (spell("text", &how), "\"Share\\nSome words.\"".to_owned()));
            let body: Vec<String> = raw
                .iter()
                .enumerate()
                .map(|(i, (k, v))| {
                    let w = WS[i % WS.len()];
                    format!("{w}{k}{w}:{w}{v}{w}")
                })
                .collect();
            let line = format!("{{{}}}", body.join(","));
            let out = clean_record(&CLEANER, line.as_bytes(), &Config::default())
                .result
                .map_err(|e| TestCaseError::fail(format!("{e}: {line}")))?;
            let fields: Fields<'_> = serde_json::from_str(&out).expect("output is an object");
            prop_assert_eq!(fields.0.len(), raw.len() + 1, "{}", out);
            for (i, ((k, v), (rk, rv))) in fields.0.iter().zip(&raw).enumerate() {
                prop_assert_eq!(k.get(), rk.as_str());
                if i != text_at {
                    prop_assert_eq!(v.get(), rv.as_str());
                }
            }
        }
    }
}
