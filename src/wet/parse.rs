//! Record framing and header parsing: finds the next `WARC/1.` line,
//! reads the header block and the body of one record, and checks that the
//! next record follows. On a framing error it pushes back whatever looks
//! like the next record, so that one bad record never loses the rest.

use std::io::BufRead;

use super::{
    RecordKind, WetError, WetErrorKind, WetReader, WetRecord, MAX_HEADER_BYTES, MAX_LINE_BYTES,
    MAX_TRAILER_NEWLINES, NEXT_LINE_WINDOW, VERSION_PREFIX,
};

const UTF8_BOM: &[u8] = b"\xef\xbb\xbf";

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
    pub(super) fn step(&mut self) -> Option<Result<WetRecord, WetError>> {
        if self.src.pos == 0 && self.src.starts_with(UTF8_BOM) {
            // Editors and some Windows tools put one in front of text files.
            self.src.consume(UTF8_BOM.len());
        }
        let start = loop {
            let at = self.src.pos;
            let (len, whole) = match self.src.peek_line(MAX_LINE_BYTES) {
                Err(e) => {
                    let next = self.number + 1;
                    return Some(Err(self.error(next, at, None, WetErrorKind::Io(e))));
                }
                Ok(None) => {
                    self.done = true;
                    return None;
                }
                Ok(Some(line)) => line,
            };
            let text = trim_eol(&self.src.ahead()[..len]);
            if text.starts_with(VERSION_PREFIX) {
                self.src.skip_line();
                break at;
            }
            if text.is_empty() {
                self.src.skip_line();
                continue;
            }
            // Stray bytes in front of a version line: they are the bad
            // "record"; the version line behind them starts a real one.
            let version_at = version_behind(text).filter(|_| whole);
            let found = (!self.resync).then(|| snippet(&text[..version_at.unwrap_or(text.len())]));
            match version_at {
                Some(k) => self.src.consume(k),
                None => self.src.skip_line(),
            }
            let Some(found) = found else {
                // Part of the bad record already reported.
                self.resync = version_at.is_none();
                continue;
            };
            // Stray bytes between records count as one bad record.
            self.resync = version_at.is_none();
            self.number += 1;
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
            if self.src.starts_with(VERSION_PREFIX) {
                // The next record: leave it for the next call.
                return Err(WetErrorKind::MissingBlankLine);
            }
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
    /// end) follows. On a framing error, consumes the bad body only up to
    /// the first line inside it that starts a record, so that the records
    /// a too-large `Content-Length` swallowed are read next. Nothing is
    /// copied before the framing is known to be right, and nothing
    /// consumed is looked at again: a run of bad lengths costs linear time.
    fn body(&mut self, length: u64) -> Result<Vec<u8>, WetErrorKind> {
        let want = usize::try_from(length).expect("length is at most max_record, in memory");
        let found = self.src.fill_to(want);
        if found < want {
            if let Some(e) = self.src.take_error() {
                return Err(WetErrorKind::Io(e));
            }
            self.recover(found);
            let found = found as u64;
            return Err(WetErrorKind::TruncatedBody { length, found });
        }
        let Some(newlines) = self.framed(want) else {
            self.recover(want);
            return Err(WetErrorKind::LengthMismatch { length });
        };
        let body = self.src.take(want);
        self.src.consume(newlines);
        Ok(body)
    }

    /// Whether a body of `length` bytes is followed by line breaks and then
    /// the next record, the end of the input (perhaps cut inside the next
    /// version line), or more line breaks than we look at. Returns how many
    /// line breaks follow. Anything else means `Content-Length` is wrong,
    /// even before stray bytes at the end: better lose a record than pass
    /// on a wrong body.
    fn framed(&mut self, length: usize) -> Option<usize> {
        let window = length + MAX_TRAILER_NEWLINES;
        let got = self.src.fill_to(window);
        let newlines = self.src.ahead()[length..]
            .iter()
            .take_while(|&&b| b == b'\r' || b == b'\n')
            .count();
        self.src.scanned(newlines);
        if length + newlines == got {
            // Only line breaks up to the end, or more than we look at.
            return Some(newlines);
        }
        // Enough to see the whole next line, however many breaks came first.
        let next = length + newlines;
        let got = self.src.fill_to(next + NEXT_LINE_WINDOW);
        let at_end = got < next + NEXT_LINE_WINDOW;
        let rest = &self.src.ahead()[next..];
        let (line_end, whole) = match memchr::memchr(b'\n', rest) {
            Some(i) => (i + 1, true),
            None => (rest.len(), at_end),
        };
        let framed = rest.starts_with(VERSION_PREFIX)
            || (at_end && VERSION_PREFIX.starts_with(rest))
            || (whole && version_behind(trim_eol(&rest[..line_end])).is_some());
        self.src.scanned(line_end.min(NEXT_LINE_WINDOW));
        framed.then_some(newlines)
    }

    /// Consumes a misframed body of `len` bytes up to the first line in it
    /// that starts a record (a `WARC/1.` line, one behind stray bytes, or
    /// the body's last bytes if they begin one), or all of it.
    fn recover(&mut self, len: usize) {
        let body = &self.src.ahead()[..len];
        let finder = memchr::memmem::Finder::new(VERSION_PREFIX);
        let mut from = 0;
        let start = loop {
            let Some(i) = finder.find(&body[from..]).map(|i| from + i) else {
                break None;
            };
            let line_start = i == 0 || body[i - 1] == b'\n';
            let line_end = memchr::memchr(b'\n', &body[i..]).map_or(len, |e| i + e + 1);
            if line_start || version_behind(trim_eol(&body[i..line_end])) == Some(0) {
                break Some(i);
            }
            from = i + 1;
        };
        // The body may end inside the version line, the rest still to come.
        let start = start.or_else(|| {
            let line = body.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
            let tail = &body[line..];
            (!tail.is_empty() && VERSION_PREFIX.starts_with(tail)).then_some(line)
        });
        let take = start.unwrap_or(len);
        self.src.scanned(take);
        self.src.consume(take);
    }
}

/// Where a version line (`WARC/1.0`, `WARC/1.1`, ...) starts at the end of
/// `line` (without its line break), if it ends in one: after `k` stray
/// bytes, `Some(k)`.
fn version_behind(line: &[u8]) -> Option<usize> {
    let digits = line.iter().rev().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 || digits > 2 {
        return None;
    }
    let head = &line[..line.len() - digits];
    head.ends_with(VERSION_PREFIX)
        .then(|| head.len() - VERSION_PREFIX.len())
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
