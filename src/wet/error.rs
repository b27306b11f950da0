//! The reader's errors: [`WetError`] (which record, where) and
//! [`WetErrorKind`] (what is wrong), with their messages.

use std::fmt;
use std::io;

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
