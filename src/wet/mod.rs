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
//! starts with `WARC/1.` (or ends in a version line behind stray bytes),
//! also inside the bad record's body when its `Content-Length` was too
//! large, so one bad record never loses the rest. Resynchronising is
//! linear: a body is checked for framing before it is copied, and a
//! misframed one is consumed only up to the record start found in it, so
//! no byte is scanned twice however many lengths are wrong. A UTF-8 BOM
//! at the start is skipped. Only an I/O error (such as a corrupt gzip
//! member) ends the stream early.
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

mod error;
mod parse;
mod source;
#[cfg(test)]
mod tests;

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;

pub use error::{WetError, WetErrorKind};
use source::Source;

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

/// Line breaks looked at after a body before deciding that whatever comes
/// after them is far enough away not to matter (the standard says exactly
/// two CRLFs, some writers add more); the next line is then skipped over
/// like any blank line. Whatever comes after fewer breaks is looked at.
const MAX_TRAILER_NEWLINES: usize = 64;

/// Bytes of the line after a body's trailer looked at to find the next
/// version line, stray bytes in front of it included.
const NEXT_LINE_WINDOW: usize = 256;

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
