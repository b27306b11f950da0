//! Record framing and header parsing: finds the next `WARC/1.` line,
//! reads the header block and the body of one record, and checks that the
//! next record follows. On a framing error it pushes back whatever looks
//! like the next record, so that one bad record never loses the rest.

use std::io::BufRead;

use super::{
    RecordKind, WetError, WetErrorKind, WetReader, WetRecord, MAX_HEADER_BYTES, MAX_LINE_BYTES,
    MAX_TRAILER_NEWLINES, VERSION_PREFIX,
};

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
