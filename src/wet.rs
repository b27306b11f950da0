//! Common Crawl WET reader: a byte stream of WARC records in, one
//! [`WetRecord`] or [`WetError`] per record out.
//!
//! WET files hold a `warcinfo` record followed by one `conversion` record
//! per page, whose body is the page's plain text. [`WetReader`] parses any
//! [`BufRead`]; [`WetReader::open`] also undoes `.gz` (concatenated members,
//! one per record) and `.zst` compression.
//!
//! Invariants: no input makes the reader panic; memory is bounded per
//! record ([`MAX_RECORD_BYTES`], [`MAX_HEADER_BYTES`]); every record yields
//! exactly one item (a run of stray bytes between records counts as one
//! bad record), so `Ok` items + `Err` items = records in the stream. After
//! a malformed record the reader resynchronises on the next line that
//! starts with `WARC/1.`, also inside the bad record's body when its
//! `Content-Length` was too large, so one bad record never loses the rest.
//! Only an I/O error (such as a corrupt gzip member) ends the stream early.
//!
//! Limits of the guesswork: a `Content-Length` off by up to the 4-byte
//! trailer is tolerated (the body keeps or loses line breaks), and one that
//! ends exactly where a later record ends swallows the records in between
//! unnoticed. A body line starting with `WARC/1.` inside a record with a
//! broken header is taken for the next record.
//!
//! The `warc` crate (0.4) was not used: on malformed input it panics (an
//! overflowing `Content-Length`, a non-UTF-8 header value), reports one bad
//! record as two errors, reads a header block without a size limit, and a
//! too-large `Content-Length` swallows the rest of the file.
//!
//! # Example
//!
//! ```
//! use dechaff::wet::{RecordKind, WetReader};
//!
//! let body = "Council approves new budget\n";
//! let wet = format!(
//!     "WARC/1.0\r\nWARC-Type: conversion\r\nWARC-Target-URI: https://example.com/news\r\n\
//!      WARC-Date: 2024-05-01T10:00:00Z\r\nWARC-Record-ID: <urn:uuid:1>\r\n\
//!      Content-Type: text/plain\r\nContent-Length: {}\r\n\r\n{body}\r\n\r\n",
//!     body.len()
//! );
//! let mut reader = WetReader::new(wet.as_bytes());
//! let record = reader.next().expect("one record").expect("well-formed");
//! assert_eq!(record.kind, RecordKind::Conversion);
//! assert_eq!(record.url.as_deref(), Some("https://example.com/news"));
//! assert_eq!(record.body, body.as_bytes());
//! assert!(reader.next().is_none());
//! ```

use std::fmt;
use std::fs::File;
use std::io::{self, BufRead, BufReader};
use std::path::Path;

/// Largest record body read into memory (64 MiB). Common Crawl truncates
/// fetched pages at 1 MiB, so a WET text body beyond this is corrupt
/// framing, not a page; it is reported and skipped, never allocated.
pub const MAX_RECORD_BYTES: u64 = 64 << 20;

/// Largest header block (1 MiB). Real WET headers are under 2 KB even with
/// long URLs; a larger block means we are reading something else.
pub const MAX_HEADER_BYTES: usize = 1 << 20;

/// Longest header line kept (64 KiB); longer lines are errors, and while
/// resynchronising only their first bytes are looked at.
const MAX_LINE_BYTES: usize = 64 << 10;

/// Every record starts with a line beginning with this.
const VERSION_PREFIX: &[u8] = b"WARC/1.";

/// Blank lines looked at after a body before deciding that the next record
/// does not follow (the standard says exactly two, some writers add more).
const MAX_TRAILER_NEWLINES: usize = 64;

/// What a record is, from its `WARC-Type` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordKind {
    /// The file's own description, first in every WET file: not a document.
    WarcInfo,
    /// The plain text extracted from one fetched page: a document.
    Conversion,
    /// Any other type (lowercased), as found in full WARC files.
    Other(String),
}

/// One well-formed WARC record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WetRecord {
    /// 1-based position of the record in the stream.
    pub number: u64,
    /// Byte offset of the record's `WARC/1.x` line in the decompressed stream.
    pub offset: u64,
    /// The `WARC-Type`.
    pub kind: RecordKind,
    /// `WARC-Record-ID`, such as `<urn:uuid:...>`, brackets included.
    pub record_id: String,
    /// `WARC-Target-URI`: the page's URL.
    pub url: Option<String>,
    /// `WARC-Date` as written (ISO 8601, such as `2024-05-01T10:00:00Z`).
    pub date: Option<String>,
    /// `Content-Type` of the body (`text/plain` in WET files).
    pub content_type: Option<String>,
    /// `WARC-Identified-Content-Language`: Common Crawl's guess, such as
    /// `eng` or `zho,eng`.
    pub language: Option<String>,
    /// The record body, exactly `Content-Length` bytes (UTF-8 in WET files,
    /// but not checked here).
    pub body: Vec<u8>,
}

impl WetRecord {
    /// Whether the record is a document to clean (a `conversion` record).
    pub fn is_document(&self) -> bool {
        self.kind == RecordKind::Conversion
    }
}

/// A record that could not be read, and where it is.
#[derive(Debug)]
pub struct WetError {
    /// 1-based position of the record in the stream.
    pub number: u64,
    /// Byte offset of the record (or of the stray bytes) in the
    /// decompressed stream.
    pub offset: u64,
    /// `WARC-Record-ID`, when the header block got that far.
    pub record_id: Option<String>,
    /// `WARC-Target-URI`, when the header block got that far.
    pub url: Option<String>,
    /// What is wrong.
    pub kind: WetErrorKind,
}

/// What is wrong with a record.
#[derive(Debug)]
#[non_exhaustive]
pub enum WetErrorKind {
    /// Bytes where a record should start do not begin with `WARC/1.`; they
    /// are skipped up to the next record.
    NotWarc {
        /// The start of the offending line.
        found: String,
    },
    /// A header line is not `Name: value`.
    BadHeaderLine {
        /// The start of the offending line.
        line: String,
    },
    /// The header block or one of its lines exceeds its limit.
    HeaderTooLong {
        /// The limit in bytes.
        limit: usize,
    },
    /// The next `WARC/1.x` line came before the blank line ending the headers.
    MissingBlankLine,
    /// The input ends inside the header block.
    TruncatedHeader,
    /// A required header is absent.
    MissingHeader(&'static str),
    /// `Content-Length` is not a number.
    BadContentLength {
        /// The value as written.
        value: String,
    },
    /// `Content-Length` exceeds the reader's limit; the body is skipped
    /// without being read into memory.
    TooLarge {
        /// The declared length.
        length: u64,
        /// The limit.
        limit: u64,
    },
    /// The input ends before `Content-Length` bytes of body.
    TruncatedBody {
        /// The declared length.
        length: u64,
        /// The bytes that were there.
        found: u64,
    },
    /// The body is not followed by a blank line and the next record, so
    /// `Content-Length` is wrong.
    LengthMismatch {
        /// The declared length.
        length: u64,
    },
    /// Reading or decompressing failed; the stream ends here.
    Io(io::Error),
}

impl WetError {
    /// Whether the stream ends after this error (an I/O or decompression
    /// failure); every other error skips one record.
    pub fn is_fatal(&self) -> bool {
        matches!(self.kind, WetErrorKind::Io(_))
    }
}

impl fmt::Display for WetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "record {} (byte {}): {}",
            self.number, self.offset, self.kind
        )
    }
}

impl fmt::Display for WetErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WetErrorKind::NotWarc { found } => {
                write!(f, "expected a \"WARC/1.x\" line, found {found:?}")
            }
            WetErrorKind::BadHeaderLine { line } => {
                write!(f, "malformed header line {line:?}: expected \"Name: value\"")
            }
            WetErrorKind::HeaderTooLong { limit } => {
                write!(f, "header block longer than {limit} bytes")
            }
            WetErrorKind::MissingBlankLine => {
                f.write_str("header block ends without a blank line")
            }
            WetErrorKind::TruncatedHeader => f.write_str("input ends inside the header block"),
            WetErrorKind::MissingHeader(name) => write!(f, "missing {name}"),
            WetErrorKind::BadContentLength { value } => {
                write!(f, "invalid Content-Length {value:?}: expected a number of bytes")
            }
            WetErrorKind::TooLarge { length, limit } => write!(
                f,
                "Content-Length {length} exceeds the limit of {limit} bytes: record skipped"
            ),
            WetErrorKind::TruncatedBody { length, found } => write!(
                f,
                "input ends after {found} of {length} body bytes: file truncated or Content-Length too large"
            ),
            WetErrorKind::LengthMismatch { length } => write!(
                f,
                "body of Content-Length {length} is not followed by a blank line and the next record: Content-Length is wrong"
            ),
            WetErrorKind::Io(e) => write!(f, "read failed: {e}"),
        }
    }
}

impl std::error::Error for WetError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.kind {
            WetErrorKind::Io(e) => Some(e),
            _ => None,
        }
    }
}

/// Streams WARC records from a reader: an iterator of
/// `Result<WetRecord, WetError>`, one item per record, warcinfo included
/// (filter with [`WetRecord::is_document`]).
pub struct WetReader<R> {
    src: Source<R>,
    max_record: u64,
    /// Records started so far (the number of the last one).
    number: u64,
    /// After a bad record: skip lines silently up to the next `WARC/1.`.
    resync: bool,
    /// Set after an I/O error or at the end of the input.
    done: bool,
}

impl<R: BufRead> WetReader<R> {
    /// A reader over `inner`, which must already be decompressed.
    pub fn new(inner: R) -> WetReader<R> {
        WetReader {
            src: Source::new(inner),
            max_record: MAX_RECORD_BYTES,
            number: 0,
            resync: false,
            done: false,
        }
    }

    /// Replaces the body size limit ([`MAX_RECORD_BYTES`] by default);
    /// longer records are reported as [`WetErrorKind::TooLarge`].
    pub fn max_record_bytes(mut self, limit: u64) -> WetReader<R> {
        self.max_record = limit;
        self
    }

    /// Bytes of the (decompressed) stream consumed so far.
    pub fn position(&self) -> u64 {
        self.src.pos
    }
}

impl WetReader<Box<dyn BufRead + Send>> {
    /// Opens a WET file, decompressing by extension: `.gz` (any number of
    /// concatenated gzip members), `.zst`, anything else read as is.
    ///
    /// # Errors
    ///
    /// [`crate::Error::Io`] if the file cannot be opened or is not valid
    /// zstd. Corrupt compressed data further on surfaces as a fatal
    /// [`WetErrorKind::Io`] item.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, crate::Error> {
        let path = path.as_ref();
        let file = File::open(path).map_err(|e| crate::Error::io(path, e))?;
        let ext = path
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase());
        // One MiB buffers: WET files are read front to back, and large reads
        // keep the decompressors fed.
        let inner: Box<dyn BufRead + Send> = match ext.as_deref() {
            Some("gz") => Box::new(BufReader::with_capacity(
                1 << 20,
                flate2::read::MultiGzDecoder::new(BufReader::with_capacity(1 << 20, file)),
            )),
            Some("zst") => Box::new(BufReader::with_capacity(
                1 << 20,
                zstd::stream::read::Decoder::new(file).map_err(|e| crate::Error::io(path, e))?,
            )),
            _ => Box::new(BufReader::with_capacity(1 << 20, file)),
        };
        Ok(WetReader::new(inner))
    }
}

impl<R: BufRead> Iterator for WetReader<R> {
    type Item = Result<WetRecord, WetError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let result = self.step();
        if let Some(Err(e)) = &result {
            if e.is_fatal() {
                self.done = true;
            }
        }
        result
    }
}

/// The header fields the reader looks at.
#[derive(Default)]
struct Headers {
    kind: Option<String>,
    record_id: Option<String>,
    url: Option<String>,
    date: Option<String>,
    content_type: Option<String>,
    language: Option<String>,
    length: Option<String>,
}

impl<R: BufRead> WetReader<R> {
    /// Finds the next record start and reads the record.
    fn step(&mut self) -> Option<Result<WetRecord, WetError>> {
        let mut line = Vec::new();
        let start = loop {
            let at = self.src.pos;
            match self.src.read_line(MAX_LINE_BYTES, &mut line) {
                Err(e) => {
                    let next = self.number + 1;
                    return Some(Err(self.error(next, at, None, WetErrorKind::Io(e))));
                }
                Ok(None) => {
                    self.done = true;
                    return None;
                }
                Ok(Some(_)) => {}
            }
            let text = trim_eol(&line);
            if text.starts_with(VERSION_PREFIX) {
                break at;
            }
            if text.is_empty() || self.resync {
                continue;
            }
            // Stray bytes between records count as one bad record.
            self.resync = true;
            self.number += 1;
            let found = snippet(text);
            let kind = WetErrorKind::NotWarc { found };
            return Some(Err(self.error(self.number, at, None, kind)));
        };
        self.number += 1;
        self.resync = false;
        let result = self.record(start);
        if result.is_err() {
            // Lines up to the next `WARC/1.` belong to this bad record.
            self.resync = true;
        }
        Some(result)
    }

    /// An error for record `number`; `headers` supplies its id and URL.
    fn error(
        &self,
        number: u64,
        offset: u64,
        headers: Option<&Headers>,
        kind: WetErrorKind,
    ) -> WetError {
        WetError {
            number,
            offset,
            record_id: headers.and_then(|h| h.record_id.clone()),
            url: headers.and_then(|h| h.url.clone()),
            kind,
        }
    }

    /// Reads one record after its version line. Framing errors come first,
    /// since they decide where the next record starts.
    fn record(&mut self, offset: u64) -> Result<WetRecord, WetError> {
        let number = self.number;
        let headers = match self.headers() {
            Ok(headers) => headers,
            Err(kind) => return Err(self.error(number, offset, None, kind)),
        };
        let fail = |kind| Err(self.error(number, offset, Some(&headers), kind));
        let Some(value) = headers.length.as_deref() else {
            return fail(WetErrorKind::MissingHeader("Content-Length"));
        };
        let Ok(length) = value.trim().parse::<u64>() else {
            let value = snippet(value.as_bytes());
            return fail(WetErrorKind::BadContentLength { value });
        };
        if length > self.max_record {
            let limit = self.max_record;
            return fail(WetErrorKind::TooLarge { length, limit });
        }
        let body = match self.body(length) {
            Ok(body) => body,
            Err(kind) => return Err(self.error(number, offset, Some(&headers), kind)),
        };
        let fail = |kind| Err(self.error(number, offset, Some(&headers), kind));
        let Some(kind) = headers.kind.as_deref().map(kind_of) else {
            return fail(WetErrorKind::MissingHeader("WARC-Type"));
        };
        let Some(record_id) = headers.record_id.clone() else {
            return fail(WetErrorKind::MissingHeader("WARC-Record-ID"));
        };
        Ok(WetRecord {
            number,
            offset,
            kind,
            record_id,
            url: headers.url,
            date: headers.date,
            content_type: headers.content_type,
            language: headers.language,
            body,
        })
    }

    /// Reads header lines up to the blank line that ends them.
    fn headers(&mut self) -> Result<Headers, WetErrorKind> {
        let mut headers = Headers::default();
        // The previous header's name, if the reader keeps it; `None` before
        // the first header, when a continuation line is an error.
        let mut last: Option<Option<&'static str>> = None;
        let mut total = 0;
        let mut line = Vec::new();
        loop {
            let truncated = match self.src.read_line(MAX_LINE_BYTES, &mut line) {
                Err(e) => return Err(WetErrorKind::Io(e)),
                Ok(None) => return Err(WetErrorKind::TruncatedHeader),
                Ok(Some(truncated)) => truncated,
            };
            total += line.len();
            if truncated || total > MAX_HEADER_BYTES {
                let limit = if truncated {
                    MAX_LINE_BYTES
                } else {
                    MAX_HEADER_BYTES
                };
                return Err(WetErrorKind::HeaderTooLong { limit });
            }
            if !line.ends_with(b"\n") {
                return Err(WetErrorKind::TruncatedHeader);
            }
            let text = trim_eol(&line);
            if text.is_empty() {
                return Ok(headers);
            }
            if text.starts_with(VERSION_PREFIX) {
                // The next record: leave it for the next call.
                self.src.unread(&line);
                return Err(WetErrorKind::MissingBlankLine);
            }
            if text[0] == b' ' || text[0] == b'\t' {
                // A folded continuation of the previous header's value.
                let Some(name) = last else {
                    let line = snippet(text);
                    return Err(WetErrorKind::BadHeaderLine { line });
                };
                if let Some(field) = name.and_then(|name| headers.field(name)) {
                    if !field.is_empty() {
                        field.push(' ');
                    }
                    field.push_str(String::from_utf8_lossy(text).trim());
                }
                continue;
            }
            let Some((name, value)) = split_header(text) else {
                let line = snippet(text);
                return Err(WetErrorKind::BadHeaderLine { line });
            };
            last = Some(known_header(name));
            if let Some(field) = known_header(name).and_then(|name| headers.field(name)) {
                if field.is_empty() {
                    field.push_str(String::from_utf8_lossy(value).trim());
                }
            }
        }
    }

    /// Reads `length` body bytes and checks that the next record (or the
    /// end) follows. On a framing error, pushes back whatever looks like
    /// the next record so that it is not lost.
    fn body(&mut self, length: u64) -> Result<Vec<u8>, WetErrorKind> {
        let body = self.src.read_up_to(length).map_err(WetErrorKind::Io)?;
        let found = body.len() as u64;
        if found < length {
            self.recover(&body);
            return Err(WetErrorKind::TruncatedBody { length, found });
        }
        let ahead = self.src.peek(MAX_TRAILER_NEWLINES + VERSION_PREFIX.len());
        let newlines = ahead
            .iter()
            .take_while(|&&b| b == b'\r' || b == b'\n')
            .count();
        let rest = &ahead[newlines..];
        let at_end = ahead.len() < MAX_TRAILER_NEWLINES + VERSION_PREFIX.len();
        // Line breaks, then the next record or the end (perhaps cut inside
        // the next version line); or more blank lines than we look at.
        // Anything else means `Content-Length` is wrong, even before stray
        // bytes at the end: better lose a record than pass on a wrong body.
        let framed = rest.starts_with(VERSION_PREFIX)
            || (at_end && VERSION_PREFIX.starts_with(rest))
            || newlines == ahead.len();
        if !framed {
            self.recover(&body);
            return Err(WetErrorKind::LengthMismatch { length });
        }
        self.src.skip(newlines);
        Ok(body)
    }

    /// Pushes back the part of a misframed body that starts with a
    /// `WARC/1.` line, if any: that is where the next record begins. The
    /// body may end inside that prefix, the rest still to be read.
    fn recover(&mut self, body: &[u8]) {
        let start = (0..body.len()).find(|&i| {
            let tail = &body[i..];
            (i == 0 || body[i - 1] == b'\n')
                && (tail.starts_with(VERSION_PREFIX) || VERSION_PREFIX.starts_with(tail))
        });
        if let Some(i) = start {
            self.src.unread(&body[i..]);
        }
    }
}

impl Headers {
    fn field(&mut self, name: &str) -> Option<&mut String> {
        let slot = match name {
            "WARC-Type" => &mut self.kind,
            "WARC-Record-ID" => &mut self.record_id,
            "WARC-Target-URI" => &mut self.url,
            "WARC-Date" => &mut self.date,
            "Content-Type" => &mut self.content_type,
            "WARC-Identified-Content-Language" => &mut self.language,
            "Content-Length" => &mut self.length,
            _ => return None,
        };
        Some(slot.get_or_insert_with(String::new))
    }
}

/// The canonical name of a header the reader keeps (names are
/// case-insensitive), or `None`.
fn known_header(name: &[u8]) -> Option<&'static str> {
    [
        "WARC-Type",
        "WARC-Record-ID",
        "WARC-Target-URI",
        "WARC-Date",
        "Content-Type",
        "WARC-Identified-Content-Language",
        "Content-Length",
    ]
    .into_iter()
    .find(|known| known.as_bytes().eq_ignore_ascii_case(name))
}

/// Splits `Name: value`; the name must be a non-empty token.
fn split_header(line: &[u8]) -> Option<(&[u8], &[u8])> {
    let colon = line.iter().position(|&b| b == b':')?;
    let name = line[..colon].trim_ascii();
    let token = !name.is_empty() && name.iter().all(|&b| b.is_ascii_graphic());
    token.then(|| (name, &line[colon + 1..]))
}

fn kind_of(value: &str) -> RecordKind {
    match value.to_ascii_lowercase().as_str() {
        "warcinfo" => RecordKind::WarcInfo,
        "conversion" => RecordKind::Conversion,
        other => RecordKind::Other(other.to_owned()),
    }
}

fn trim_eol(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// The start of a bad value, for error messages.
fn snippet(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).chars().take(60).collect()
}

/// A buffered reader that counts consumed bytes and can take bytes back.
struct Source<R> {
    inner: R,
    /// Bytes pushed back, read before `inner`; `pending[at..]` is unread.
    pending: Vec<u8>,
    at: usize,
    /// A read error met while peeking, returned after `pending`.
    error: Option<io::Error>,
    /// Bytes consumed so far, pushed-back bytes not counted.
    pos: u64,
}

impl<R: BufRead> Source<R> {
    fn new(inner: R) -> Source<R> {
        Source {
            inner,
            pending: Vec::new(),
            at: 0,
            error: None,
            pos: 0,
        }
    }

    fn fill(&mut self) -> io::Result<&[u8]> {
        if self.at < self.pending.len() {
            return Ok(&self.pending[self.at..]);
        }
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        loop {
            match self.inner.fill_buf() {
                Ok(_) => break,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        }
        // Returns the buffer just filled, without reading again.
        self.inner.fill_buf()
    }

    fn consume(&mut self, n: usize) {
        if self.at < self.pending.len() {
            self.at += n;
            if self.at >= self.pending.len() {
                // Release a large pushed-back body as soon as it is read.
                self.pending = Vec::new();
                self.at = 0;
            }
        } else {
            self.inner.consume(n);
        }
        self.pos += n as u64;
    }

    /// Puts `bytes` back in front of the unread input.
    fn unread(&mut self, bytes: &[u8]) {
        self.pos = self.pos.saturating_sub(bytes.len() as u64);
        if self.at >= bytes.len() {
            // Usually the bytes just read from `pending`: step back in place
            // rather than copy what is left of a large pushed-back body.
            self.at -= bytes.len();
            self.pending[self.at..self.at + bytes.len()].copy_from_slice(bytes);
            return;
        }
        let mut pending = Vec::with_capacity(bytes.len() + self.pending.len() - self.at);
        pending.extend_from_slice(bytes);
        pending.extend_from_slice(&self.pending[self.at..]);
        self.pending = pending;
        self.at = 0;
    }

    /// Reads one line into `out` (cleared first), keeping at most `limit`
    /// bytes and discarding the rest of a longer line. `None` at the end of
    /// the input; `Some(true)` if the line was cut.
    fn read_line(&mut self, limit: usize, out: &mut Vec<u8>) -> io::Result<Option<bool>> {
        out.clear();
        let mut seen = false;
        let mut cut = false;
        loop {
            let buf = self.fill()?;
            if buf.is_empty() {
                return Ok(seen.then_some(cut));
            }
            seen = true;
            let (take, ends) = match buf.iter().position(|&b| b == b'\n') {
                Some(i) => (i + 1, true),
                None => (buf.len(), false),
            };
            let keep = take.min(limit - out.len());
            cut |= keep < take;
            out.extend_from_slice(&buf[..keep]);
            self.consume(take);
            if ends {
                return Ok(Some(cut));
            }
        }
    }

    /// Reads `length` bytes, or fewer at the end of the input.
    fn read_up_to(&mut self, length: u64) -> io::Result<Vec<u8>> {
        // Grow as bytes arrive: a truncated file must not cost the full
        // declared length.
        let mut out = Vec::with_capacity(length.min(1 << 20) as usize);
        while (out.len() as u64) < length {
            let buf = self.fill()?;
            if buf.is_empty() {
                break;
            }
            let want = (length - out.len() as u64).min(buf.len() as u64) as usize;
            out.extend_from_slice(&buf[..want]);
            self.consume(want);
        }
        Ok(out)
    }

    /// Returns up to `n` next bytes without consuming them: fewer at the
    /// end of the input, or before a read error, which is kept for the
    /// next read so that it is reported with the record it hits.
    fn peek(&mut self, n: usize) -> Vec<u8> {
        let mut ahead = Vec::with_capacity(n);
        while ahead.len() < n {
            let step = match self.fill() {
                Ok(buf) => {
                    let step = buf.len().min(n - ahead.len());
                    ahead.extend_from_slice(&buf[..step]);
                    step
                }
                Err(e) => {
                    self.error = Some(e);
                    break;
                }
            };
            if step == 0 {
                break;
            }
            self.consume(step);
        }
        self.unread(&ahead);
        ahead
    }

    /// Consumes `n` bytes that [`Source::peek`] has shown to be there.
    fn skip(&mut self, mut n: usize) {
        while n > 0 {
            let Ok(buf) = self.fill() else { return };
            let step = n.min(buf.len());
            if step == 0 {
                return;
            }
            self.consume(step);
            n -= step;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A well-formed record with CRLF headers and the two-CRLF trailer.
    fn record(kind: &str, id: &str, body: &str) -> Vec<u8> {
        framed(kind, id, &body.len().to_string(), body)
    }

    fn framed(kind: &str, id: &str, length: &str, body: &str) -> Vec<u8> {
        format!(
            "WARC/1.0\r\nWARC-Type: {kind}\r\nWARC-Target-URI: https://example.com/{id}\r\n\
             WARC-Date: 2024-05-01T10:00:00Z\r\nWARC-Record-ID: <urn:uuid:{id}>\r\n\
             Content-Type: text/plain\r\nContent-Length: {length}\r\n\r\n{body}\r\n\r\n"
        )
        .into_bytes()
    }

    fn read_all(input: &[u8]) -> Vec<Result<WetRecord, WetError>> {
        WetReader::new(input).collect()
    }

    /// `ok:<id>` or `err:<message>` per item.
    fn summary(input: &[u8]) -> Vec<String> {
        read_all(input)
            .into_iter()
            .map(|r| match r {
                Ok(r) => format!("ok:{}", r.record_id),
                Err(e) => format!("err:{e}"),
            })
            .collect()
    }

    fn cat(parts: &[&[u8]]) -> Vec<u8> {
        parts.concat()
    }

    #[test]
    fn reads_fields_numbers_and_offsets() {
        let info = record("warcinfo", "info", "isPartOf: CC-MAIN-2024-18\r\n");
        let a = record("conversion", "a", "Hello world\n");
        let input = cat(&[&info, &a]);
        let items = read_all(&input);
        assert_eq!(items.len(), 2);
        let first = items[0].as_ref().expect("warcinfo");
        assert_eq!(first.kind, RecordKind::WarcInfo);
        assert!(!first.is_document());
        let doc = items[1].as_ref().expect("conversion");
        assert!(doc.is_document());
        assert_eq!(doc.number, 2);
        assert_eq!(doc.offset, info.len() as u64);
        assert_eq!(doc.record_id, "<urn:uuid:a>");
        assert_eq!(doc.url.as_deref(), Some("https://example.com/a"));
        assert_eq!(doc.date.as_deref(), Some("2024-05-01T10:00:00Z"));
        assert_eq!(doc.content_type.as_deref(), Some("text/plain"));
        assert_eq!(doc.body, b"Hello world\n");
    }

    #[test]
    fn accepts_lf_endings_any_case_folding_and_extra_blank_lines() {
        let input = b"\n\nWARC/1.1\nwarc-type: Conversion\nWARC-Record-ID:\n  <urn:x>\n\
                      X-Unknown: a\n continued\nWARC-Identified-Content-Language: deu,eng\n\
                      content-length: 3\n\nabc\n\n\n\n";
        let items = read_all(input);
        assert_eq!(items.len(), 1);
        let r = items[0].as_ref().expect("lenient parse");
        assert_eq!(r.kind, RecordKind::Conversion);
        assert_eq!(r.record_id, "<urn:x>");
        assert_eq!(r.language.as_deref(), Some("deu,eng"));
        assert_eq!(r.body, b"abc");
    }

    #[test]
    fn empty_and_blank_inputs_have_no_records() {
        assert!(read_all(b"").is_empty());
        assert!(read_all(b"\r\n\n\r\n").is_empty());
    }

    #[test]
    fn missing_record_id_is_reported_with_its_position() {
        let a = record("conversion", "a", "one");
        let bad = b"WARC/1.0\r\nWARC-Type: conversion\r\nContent-Length: 3\r\n\r\nbad\r\n\r\n";
        let c = record("conversion", "c", "three");
        let input = cat(&[&a, bad, &c]);
        let want = format!("err:record 2 (byte {}): missing WARC-Record-ID", a.len());
        assert_eq!(
            summary(&input),
            ["ok:<urn:uuid:a>", &want, "ok:<urn:uuid:c>"]
        );
    }

    #[test]
    fn non_numeric_length_skips_to_the_next_record() {
        let a = record("conversion", "a", "one");
        let bad = framed(
            "conversion",
            "b",
            "12x",
            "body line\nWARC/2 is not a header\n",
        );
        let c = record("conversion", "c", "three");
        let items = read_all(&cat(&[&a, &bad, &c]));
        assert_eq!(items.len(), 3);
        let e = items[1].as_ref().expect_err("bad length");
        assert_eq!(e.record_id.as_deref(), Some("<urn:uuid:b>"));
        assert_eq!(e.url.as_deref(), Some("https://example.com/b"));
        assert!(matches!(&e.kind, WetErrorKind::BadContentLength { value } if value == "12x"));
        assert_eq!(
            e.to_string(),
            format!(
                "record 2 (byte {}): invalid Content-Length \"12x\": expected a number of bytes",
                a.len()
            )
        );
        assert_eq!(
            items[2].as_ref().expect("recovered").record_id,
            "<urn:uuid:c>"
        );
    }

    #[test]
    fn missing_length_skips_to_the_next_record() {
        let bad = b"WARC/1.0\r\nWARC-Type: conversion\r\nWARC-Record-ID: <b>\r\n\r\nbody\r\n\r\n";
        let c = record("conversion", "c", "three");
        let s = summary(&cat(&[bad, &c]));
        assert_eq!(
            s,
            [
                "err:record 1 (byte 0): missing Content-Length",
                "ok:<urn:uuid:c>"
            ]
        );
    }

    #[test]
    fn too_large_length_inside_the_file_recovers_the_swallowed_records() {
        let a = record("conversion", "a", "one");
        let bad = framed("conversion", "b", "60", "two");
        let c = record("conversion", "c", "three");
        let d = record("conversion", "d", "four");
        let items = read_all(&cat(&[&a, &bad, &c, &d]));
        let kinds: Vec<_> = items
            .iter()
            .map(|r| r.as_ref().map(|r| &r.record_id))
            .collect();
        assert_eq!(kinds.len(), 4, "{kinds:?}");
        assert!(matches!(
            items[1].as_ref().expect_err("wrong length").kind,
            WetErrorKind::LengthMismatch { length: 60 }
        ));
        let c_read = items[2].as_ref().expect("c recovered");
        assert_eq!(c_read.body, b"three");
        assert_eq!(c_read.offset, (a.len() + bad.len()) as u64);
        assert_eq!(items[3].as_ref().expect("d").body, b"four");
    }

    #[test]
    fn length_past_the_end_recovers_the_records_after_it() {
        let bad = framed("conversion", "b", "100000", "two");
        let c = record("conversion", "c", "three");
        let items = read_all(&cat(&[&bad, &c]));
        assert_eq!(items.len(), 2);
        let e = items[0].as_ref().expect_err("truncated");
        assert!(matches!(
            e.kind,
            WetErrorKind::TruncatedBody { length: 100000, found } if found == (7 + c.len()) as u64
        ));
        assert_eq!(items[1].as_ref().expect("c").offset, bad.len() as u64);
    }

    #[test]
    fn too_small_length_is_reported_once() {
        let bad = framed("conversion", "b", "3", "two and more\nlines");
        let c = record("conversion", "c", "three");
        let s = summary(&cat(&[&bad, &c]));
        assert_eq!(s.len(), 2);
        assert!(s[0].contains("Content-Length is wrong"), "{s:?}");
        assert_eq!(s[1], "ok:<urn:uuid:c>");
    }

    #[test]
    fn off_by_one_lengths_are_tolerated() {
        let longer = framed("conversion", "a", "4", "one");
        let shorter = framed("conversion", "b", "3", "two\n");
        let s = summary(&cat(&[&longer, &shorter, &record("conversion", "c", "x")]));
        assert_eq!(s, ["ok:<urn:uuid:a>", "ok:<urn:uuid:b>", "ok:<urn:uuid:c>"]);
    }

    #[test]
    fn truncated_last_record_and_header() {
        let a = record("conversion", "a", "one");
        let mut input = cat(&[&a, &record("conversion", "b", "a long enough body")]);
        input.truncate(input.len() - 10);
        let s = summary(&input);
        assert_eq!(s.len(), 2);
        assert!(s[1].starts_with("err:record 2 (byte "), "{s:?}");
        assert!(
            s[1].contains("input ends after 12 of 18 body bytes"),
            "{s:?}"
        );

        let header_only = cat(&[&a, b"WARC/1.0\r\nWARC-Type: conv"]);
        let s = summary(&header_only);
        assert_eq!(
            s[1],
            format!(
                "err:record 2 (byte {}): input ends inside the header block",
                a.len()
            )
        );
    }

    #[test]
    fn stray_bytes_are_one_error() {
        let a = record("conversion", "a", "one");
        let input = cat(&[
            b"<html>\njunk\n\x00\xff\n",
            &a,
            &a,
            b"\r\nWARC/1.0\r\nWARC-Ty",
        ]);
        let s = summary(&input);
        assert_eq!(
            s,
            [
                "err:record 1 (byte 0): expected a \"WARC/1.x\" line, found \"<html>\"",
                "ok:<urn:uuid:a>",
                "ok:<urn:uuid:a>",
                &format!(
                    "err:record 4 (byte {}): input ends inside the header block",
                    15 + 2 * a.len() + 2
                ),
            ]
        );
        // Stray bytes right after a body mean its Content-Length is wrong.
        let s = summary(&cat(&[&a, b"trailing junk"]));
        assert_eq!(s.len(), 1);
        assert!(s[0].ends_with("Content-Length is wrong"), "{s:?}");
    }

    #[test]
    fn bodies_over_the_limit_are_skipped_not_allocated() {
        let big = record("conversion", "big", &"x".repeat(1000));
        let huge = framed("conversion", "huge", &u64::MAX.to_string(), "tiny");
        let c = record("conversion", "c", "three");
        let items: Vec<_> = WetReader::new(&cat(&[&big, &huge, &c])[..])
            .max_record_bytes(100)
            .collect();
        assert_eq!(items.len(), 3);
        for (item, length) in items.iter().zip([1000, u64::MAX]) {
            let e = item.as_ref().expect_err("too large");
            assert!(
                matches!(e.kind, WetErrorKind::TooLarge { length: l, limit: 100 } if l == length)
            );
        }
        assert!(items[2].is_ok());
    }

    #[test]
    fn header_problems_skip_one_record() {
        let no_blank = b"WARC/1.0\r\nWARC-Type: conversion\r\n";
        let bad_line = b"WARC/1.0\r\nthis is not a header\r\nContent-Length: 1\r\n\r\nx\r\n\r\n";
        let long = format!(
            "WARC/1.0\r\nWARC-Target-URI: {}\r\n\r\n",
            "u".repeat(70_000)
        );
        let c = record("conversion", "c", "three");
        let s = summary(&cat(&[no_blank, &c, bad_line, long.as_bytes(), &c]));
        assert_eq!(s.len(), 5, "{s:?}");
        assert!(s[0].ends_with("header block ends without a blank line"));
        assert_eq!(s[1], "ok:<urn:uuid:c>");
        assert!(s[2]
            .ends_with("malformed header line \"this is not a header\": expected \"Name: value\""));
        assert!(s[3].ends_with("header block longer than 65536 bytes"));
        assert_eq!(s[4], "ok:<urn:uuid:c>");
    }

    #[test]
    fn non_utf8_headers_are_replaced_not_fatal() {
        let mut input = b"WARC/1.0\r\nWARC-Type: conversion\r\nWARC-Record-ID: <a>\r\n".to_vec();
        input.extend_from_slice(
            b"WARC-Target-URI: https://ex.com/\xff\xfe\r\nContent-Length: 1\r\n\r\n\xff\r\n\r\n",
        );
        let r = read_all(&input).remove(0).expect("lossy headers");
        assert_eq!(r.url.as_deref(), Some("https://ex.com/\u{fffd}\u{fffd}"));
        assert_eq!(r.body, b"\xff");
    }

    /// Yields `data`, then fails.
    struct Failing<'a>(&'a [u8]);

    impl io::Read for Failing<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            if self.0.is_empty() {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    "corrupt deflate stream",
                ));
            }
            let n = buf.len().min(self.0.len());
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    #[test]
    fn io_errors_end_the_stream() {
        let a = record("conversion", "a", "one");
        let b = record("conversion", "b", "two");
        let input = cat(&[&a, &b[..20]]);
        let items: Vec<_> = WetReader::new(io::BufReader::new(Failing(&input))).collect();
        assert_eq!(items.len(), 2);
        let e = items[1].as_ref().expect_err("io");
        assert!(e.is_fatal());
        assert_eq!(
            e.to_string(),
            format!(
                "record 2 (byte {}): read failed: corrupt deflate stream",
                a.len()
            )
        );
        assert!(std::error::Error::source(e).is_some());
    }

    fn sample() -> Vec<u8> {
        cat(&[
            &record("warcinfo", "info", "software: test\r\n"),
            &record(
                "conversion",
                "a",
                "Home\nNews\n\nThe council approved the budget.\n",
            ),
            &record(
                "conversion",
                "b",
                "首页\n新闻\n\n市议会周一批准了新预算。\n",
            ),
            &record(
                "conversion",
                "c",
                "Startseite\n\nDer Stadtrat hat den Haushalt beschlossen.\n",
            ),
        ])
    }

    proptest! {
        /// Any damage to a valid file: no panic, the stream ends, and each
        /// item consumed input (so items never exceed lines + 1).
        #[test]
        fn damaged_input_never_panics(
            edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0..3u8), 0..8),
            cut in any::<prop::sample::Index>(),
        ) {
            let mut input = sample();
            for (at, byte, op) in edits {
                let i = at.index(input.len());
                match op {
                    0 => input[i] = byte,
                    1 => input.insert(i, byte),
                    _ => { input.remove(i); }
                }
            }
            input.truncate(cut.index(input.len() + 1));
            let lines = input.iter().filter(|&&b| b == b'\n').count();
            let items = read_all(&input);
            prop_assert!(items.len() <= lines + 1);
        }

        /// One bad record among good ones costs exactly that record.
        #[test]
        fn one_bad_record_loses_nothing_else(
            bodies in proptest::collection::vec("[a-z \n市议会]{0,40}", 2..6),
            at in any::<prop::sample::Index>(),
            fault in 0..4u8,
            k in 1..10_000usize,
        ) {
            // Bodies end in a letter, so a wrong length never lands on a
            // line break that looks like a record end.
            let good: Vec<Vec<u8>> = bodies
                .iter()
                .enumerate()
                .map(|(i, b)| record("conversion", &i.to_string(), &format!("{b}.")))
                .collect();
            let at = at.index(good.len() + 1);
            let body = "Bad record body\nwith lines.";
            let length = match (fault, good.get(at)) {
                (0, _) => "12x".to_owned(),
                (1, _) => (body.len() - 1 - k % body.len()).to_string(),
                // Into the next record (4 bytes more would only take the
                // trailer, which is tolerated).
                (2, Some(next)) => (body.len() + 5 + k % (next.len() - 9)).to_string(),
                _ => (body.len() + 100_000 + k).to_string(),
            };
            let bad = framed("conversion", "bad", &length, body);
            let mut input = Vec::new();
            for (i, g) in good.iter().enumerate() {
                if i == at {
                    input.extend_from_slice(&bad);
                }
                input.extend_from_slice(g);
            }
            if at == good.len() {
                input.extend_from_slice(&bad);
            }
            let items = read_all(&input);
            let ids: Vec<String> = items.iter().filter_map(|r| r.as_ref().ok()).map(|r| r.record_id.clone()).collect();
            let want: Vec<String> = (0..good.len()).map(|i| format!("<urn:uuid:{i}>")).collect();
            prop_assert_eq!(ids, want);
            prop_assert_eq!(items.len(), good.len() + 1);
        }

        #[test]
        fn arbitrary_bytes_never_panic(input in proptest::collection::vec(any::<u8>(), 0..600)) {
            let mut with_header = b"WARC/1.0\r\nContent-Length: 5\r\n".to_vec();
            with_header.extend_from_slice(&input);
            let _ = read_all(&input);
            let _ = read_all(&with_header);
        }
    }
}
