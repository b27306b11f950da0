//! The byte source under the reader: a buffered reader that counts the
//! bytes consumed, peeks ahead and takes bytes back, so that a misframed
//! record can return what belongs to the next one.

use std::io::{self, BufRead};

/// A buffered reader that counts consumed bytes and can take bytes back.
pub(super) struct Source<R> {
    inner: R,
    /// Bytes pushed back, read before `inner`; `pending[at..]` is unread.
    pending: Vec<u8>,
    at: usize,
    /// A read error met while peeking, returned after `pending`.
    error: Option<io::Error>,
    /// Bytes consumed so far, pushed-back bytes not counted.
    pub(super) pos: u64,
}

impl<R: BufRead> Source<R> {
    pub(super) fn new(inner: R) -> Source<R> {
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
    pub(super) fn unread(&mut self, bytes: &[u8]) {
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
    pub(super) fn read_line(
        &mut self,
        limit: usize,
        out: &mut Vec<u8>,
    ) -> io::Result<Option<bool>> {
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
    pub(super) fn read_up_to(&mut self, length: u64) -> io::Result<Vec<u8>> {
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
    pub(super) fn peek(&mut self, n: usize) -> Vec<u8> {
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
    pub(super) fn skip(&mut self, mut n: usize) {
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
