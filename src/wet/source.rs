//! The byte source under the reader: one buffer in front of the inner
//! reader, filled on demand, so that the parser can look as far ahead as a
//! record's `Content-Length` before deciding what the bytes are, and a
//! misframed record gives back what belongs to the next one without any
//! byte being copied or scanned again (resynchronising stays linear).

use std::io::{self, BufRead};

/// Consumed bytes at the front of the buffer are dropped once they are at
/// least this many and at least half of it, so that dropping them (moving
/// the rest) costs no more than the bytes consumed since the last time.
const COMPACT_MIN: usize = 1 << 16;

/// A buffered reader that counts consumed bytes and can look far ahead.
pub(super) struct Source<R> {
    inner: R,
    /// Bytes read from `inner`; `buf[at..]` is not consumed yet.
    buf: Vec<u8>,
    at: usize,
    /// `inner` has no more bytes.
    eof: bool,
    /// A read error met while filling; returned once the bytes before it
    /// are consumed, so that it is reported with the record it hits.
    error: Option<io::Error>,
    /// Bytes consumed so far.
    pub(super) pos: u64,
    /// Bytes read from `inner`, copied out or scanned: the reader's work,
    /// which tests compare with the input size to check that it is linear.
    pub(super) work: u64,
}

impl<R: BufRead> Source<R> {
    pub(super) fn new(inner: R) -> Source<R> {
        Source {
            inner,
            buf: Vec::new(),
            at: 0,
            eof: false,
            error: None,
            pos: 0,
            work: 0,
        }
    }

    /// The bytes read ahead and not consumed.
    pub(super) fn ahead(&self) -> &[u8] {
        &self.buf[self.at..]
    }

    /// Reads until at least `n` bytes are ahead, the input ends or a read
    /// fails (the error is kept, see [`Source::take_error`]). Returns the
    /// bytes ahead, which may be more than `n`.
    pub(super) fn fill_to(&mut self, n: usize) -> usize {
        while self.buf.len() - self.at < n && !self.eof && self.error.is_none() {
            if self.at == self.buf.len() {
                self.buf.clear();
                self.at = 0;
            } else if self.at >= COMPACT_MIN && 2 * self.at >= self.buf.len() {
                self.buf.drain(..self.at);
                self.at = 0;
            }
            match self.inner.fill_buf() {
                Ok([]) => self.eof = true,
                Ok(chunk) => {
                    let k = chunk.len();
                    self.buf.extend_from_slice(chunk);
                    self.inner.consume(k);
                    self.work += k as u64;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => self.error = Some(e),
            }
        }
        self.buf.len() - self.at
    }

    /// The read error that stopped [`Source::fill_to`], if any.
    pub(super) fn take_error(&mut self) -> Option<io::Error> {
        self.error.take()
    }

    /// Consumes `n` bytes that are ahead.
    pub(super) fn consume(&mut self, n: usize) {
        debug_assert!(n <= self.buf.len() - self.at);
        self.at += n;
        self.pos += n as u64;
    }

    /// Copies out and consumes `n` bytes that are ahead.
    pub(super) fn take(&mut self, n: usize) -> Vec<u8> {
        let out = self.ahead()[..n].to_vec();
        self.work += n as u64;
        self.consume(n);
        out
    }

    /// Counts `n` bytes looked at by a scan of the parser.
    pub(super) fn scanned(&mut self, n: usize) {
        self.work += n as u64;
    }

    /// Whether the bytes ahead start with `prefix`.
    pub(super) fn starts_with(&mut self, prefix: &[u8]) -> bool {
        self.fill_to(prefix.len());
        self.ahead().starts_with(prefix)
    }

    /// Makes the next line available without consuming it: returns its
    /// length (line ending included, or `limit` if it is longer, or up to
    /// the end of the input) and whether it ends in a line break. `None`
    /// at the end of the input.
    ///
    /// # Errors
    ///
    /// A read error met before any byte of the line.
    pub(super) fn peek_line(&mut self, limit: usize) -> io::Result<Option<(usize, bool)>> {
        let mut scanned = 0;
        loop {
            let ahead = self.ahead();
            let found = memchr::memchr(b'\n', &ahead[scanned..]);
            let len = ahead.len();
            if let Some(i) = found {
                self.scanned(i + 1);
                return Ok(Some(((scanned + i + 1).min(limit), scanned + i < limit)));
            }
            self.scanned(len - scanned);
            scanned = len;
            if scanned >= limit {
                return Ok(Some((limit, false)));
            }
            if self.fill_to(scanned + 1) == scanned {
                if scanned > 0 {
                    return Ok(Some((scanned, false)));
                }
                return match self.take_error() {
                    Some(e) => Err(e),
                    None => Ok(None),
                };
            }
        }
    }

    /// Consumes the rest of the current line, line break included, however
    /// long it is.
    pub(super) fn skip_line(&mut self) {
        loop {
            let ahead = self.ahead();
            let found = memchr::memchr(b'\n', ahead);
            let n = ahead.len();
            if let Some(i) = found {
                self.scanned(i + 1);
                self.consume(i + 1);
                return;
            }
            self.scanned(n);
            self.consume(n);
            if self.fill_to(1) == 0 {
                return;
            }
        }
    }

    /// Reads one line into `out` (cleared first), keeping at most `limit`
    /// bytes and discarding the rest of a longer line. `None` at the end of
    /// the input; `Some(true)` if the line was cut.
    ///
    /// # Errors
    ///
    /// A read error met before the line ended.
    pub(super) fn read_line(
        &mut self,
        limit: usize,
        out: &mut Vec<u8>,
    ) -> io::Result<Option<bool>> {
        out.clear();
        let mut seen = false;
        let mut cut = false;
        loop {
            if self.fill_to(1) == 0 {
                if let Some(e) = self.take_error() {
                    return Err(e);
                }
                return Ok(seen.then_some(cut));
            }
            seen = true;
            let ahead = self.ahead();
            let (take, ends) = match memchr::memchr(b'\n', ahead) {
                Some(i) => (i + 1, true),
                None => (ahead.len(), false),
            };
            let keep = take.min(limit - out.len());
            cut |= keep < take;
            out.extend_from_slice(&ahead[..keep]);
            self.work += take as u64;
            self.consume(take);
            if ends {
                return Ok(Some(cut));
            }
        }
    }
}
