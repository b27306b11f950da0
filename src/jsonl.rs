//! JSON Lines streams: records in, cleaned records out, in input order.
//!
//! Input: one JSON object per line (plain, `.gz` or `.zst`). Output: the
//! same object with its text field replaced by the clean body and a
//! `dechaff` object appended; every other field is copied byte for byte
//! (its raw JSON is never re-encoded). A line that cannot be cleaned becomes
//! a [`Reject`] carrying its line number, the error and the raw line, so
//! records in = records out + rejects, always.
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

use crate::{Cleaned, Cleaner, Removal, SafetyNet, Warning};

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
/// never more than `max` bytes of it.
#[derive(Debug)]
pub struct Reader<R> {
    inner: R,
    number: usize,
    max: usize,
}

impl<R: BufRead> Reader<R> {
    /// A reader that cuts lines at `max` bytes (see [`RawLine::too_long`]).
    pub fn new(inner: R, max: usize) -> Self {
        Reader {
            inner,
            number: 0,
            max,
        }
    }
}

impl<R: BufRead> Iterator for Reader<R> {
    type Item = io::Result<RawLine>;

    fn next(&mut self) -> Option<Self::Item> {
        let mut bytes = Vec::new();
        let mut total = 0usize;
        let mut consumed = 0usize;
        let mut last = 0u8;
        let mut saw_any = false;
        loop {
            let buf = match self.inner.fill_buf() {
                Ok(b) => b,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Some(Err(e)),
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
    /// Set when the page was kept whole by the safety net.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub safety_net: Option<&'a SafetyNet>,
    /// Rules that failed on this page.
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub warnings: &'a [Warning],
    /// Every removal, with `--explain`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub removed: Option<&'a [Removal]>,
}

impl<'a> Meta<'a> {
    /// The metadata of one cleaned page.
    pub fn new(cleaned: &'a Cleaned, explain: bool) -> Self {
        Meta {
            lang: &cleaned.lang,
            script: cleaned.script.as_deref(),
            removed_chars: cleaned.removed_chars(),
            safety_net: cleaned.safety_net.as_ref(),
            warnings: &cleaned.warnings,
            removed: explain.then_some(cleaned.removed.as_slice()),
        }
    }
}

/// The result of cleaning one record.
#[derive(Debug)]
pub struct Outcome {
    /// The output line (no line ending), or why there is none.
    pub result: Result<String, String>,
    /// Characters in the input text and characters removed.
    pub chars: (usize, usize),
}

/// An object's fields in input order, each value as its raw JSON text.
struct Fields<'a>(Vec<(String, &'a RawValue)>);

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
                while let Some((k, v)) = map.next_entry::<String, &'a RawValue>()? {
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

/// Cleans one JSON Lines record.
///
/// # Errors
///
/// The error message when the line is not UTF-8, not a JSON object, lacks
/// the text field, or holds something other than a string in it.
pub fn clean_record(cleaner: &Cleaner, line: &[u8], config: &Config) -> Outcome {
    let fail = |e: String| Outcome {
        result: Err(e),
        chars: (0, 0),
    };
    let Ok(text) = std::str::from_utf8(line) else {
        return fail("not valid UTF-8".into());
    };
    let fields: Fields<'_> = match serde_json::from_str(text) {
        Ok(f) => f,
        Err(e) => return fail(format!("not a JSON object: {e}")),
    };
    let Some((_, raw)) = fields.0.iter().find(|(k, _)| *k == config.field) else {
        return fail(format!("no field \"{}\"", config.field));
    };
    let page: String = match serde_json::from_str(raw.get()) {
        Ok(s) => s,
        Err(_) => {
            let msg = format!("field \"{}\" is {}, not a string", config.field, kind(raw));
            return fail(msg);
        }
    };
    let cleaned = cleaner.clean(&page);
    let meta = Meta::new(&cleaned, config.explain);
    let mut out = String::with_capacity(line.len() + 128);
    out.push('{');
    for (key, value) in fields.0.iter().filter(|(k, _)| k != META_KEY) {
        if out.len() > 1 {
            out.push(',');
        }
        push_json(&mut out, key);
        out.push(':');
        if *key == config.field {
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

/// Cleans every record of `input` into `output`, in input order, using the
/// current rayon pool. Each rejected line is handed to `on_reject` (which
/// may write it somewhere, or show it); `progress` is called after each
/// batch.
///
/// # Errors
///
/// An I/O error of the input or an output, or one `on_reject` returns; the
/// counts up to then are lost with it, as the stream is broken.
pub fn process_with_progress<R: BufRead, W: Write>(
    cleaner: &Cleaner,
    input: R,
    output: W,
    mut on_reject: impl FnMut(Reject) -> io::Result<()>,
    config: &Config,
    mut progress: impl FnMut(&Stats),
) -> io::Result<Stats> {
    use rayon::prelude::*;
    let mut stats = Stats::default();
    let mut out = Writer::new(output);
    let mut lines = Reader::new(input, config.max_record_bytes).peekable();
    while lines.peek().is_some() {
        let mut batch = Vec::new();
        let mut bytes = 0;
        while batch.len() < BATCH_RECORDS && bytes < BATCH_BYTES {
            let Some(line) = lines.next() else { break };
            let line = line?;
            stats.bytes_in += line.consumed as u64;
            if line.too_long.is_none() && line.bytes.iter().all(u8::is_ascii_whitespace) {
                stats.blank += 1;
                continue;
            }
            bytes += line.bytes.len();
            batch.push(line);
        }
        let outcomes: Vec<Outcome> = batch
            .par_iter()
            .map(|line| match line.too_long {
                Some(n) => Outcome {
                    result: Err(format!(
                        "line of {n} bytes exceeds the limit of {} bytes",
                        config.max_record_bytes
                    )),
                    chars: (0, 0),
                },
                None => clean_record(cleaner, &line.bytes, config),
            })
            .collect();
        for (line, outcome) in batch.iter().zip(outcomes) {
            stats.records += 1;
            match outcome.result {
                Ok(record) => {
                    out.write_line(&record)?;
                    stats.cleaned += 1;
                    stats.chars_in += outcome.chars.0 as u64;
                    stats.chars_removed += outcome.chars.1 as u64;
                }
                Err(error) => {
                    stats.rejected += 1;
                    let raw = &line.bytes[..line.bytes.len().min(REJECT_RAW_MAX)];
                    on_reject(Reject {
                        line: line.number,
                        error,
                        raw: String::from_utf8_lossy(raw).into_owned(),
                    })?;
                }
            }
        }
        stats.bytes_out = out.bytes;
        progress(&stats);
    }
    out.into_inner()?;
    Ok(stats)
}

/// [`process_with_progress`] without a progress callback, writing each
/// reject as one JSON line to `rejects` (or only counting it when `None`).
///
/// # Errors
///
/// As for [`process_with_progress`].
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
