//! Decoding stage: bytes -> `String`, never failing.
//!
//! Order: a byte-order mark, unless the bytes behind it contradict it; a
//! forced encoding (`--encoding`); UTF-16 without a BOM, recognised by its
//! zero bytes; valid UTF-8 (checked at GB/s); otherwise the page is decoded
//! line by line: UTF-8 lines as UTF-8, the others in the legacy encoding
//! chardetng guesses from them (a bounded prefix, since it costs far more
//! per byte than decoding). Malformed sequences become U+FFFD and are
//! counted; nothing panics, whatever the bytes.
//!
//! # Lying byte-order marks
//!
//! The WHATWG Encoding Standard lets a BOM win over everything, for
//! consistency between the parts of a browser. dechaff only wants the
//! page's text, and a BOM is three or two bytes that any tool may have
//! prepended to a file it never converted, so the bytes behind a BOM are
//! checked against it, cheaply:
//! - a UTF-8 BOM stands if the rest is UTF-8, perhaps with a few broken
//!   bytes (the test used for pages without a BOM); a UTF-8 BOM before GBK
//!   text is ignored and the text is decoded as GBK, where honouring it
//!   would turn every character into U+FFFD;
//! - a UTF-16 BOM stands unless the rest holds no zero byte and is valid
//!   UTF-8 (ASCII text behind a UTF-16 BOM would decode as a string of
//!   unrelated CJK characters; real UTF-16 has zero bytes in its spaces,
//!   line breaks and digits, and CJK-only UTF-16 that is also valid UTF-8 is
//!   vanishingly rare beyond a few characters); and its byte order gives
//!   way when the line breaks and spaces of the rest are all in the other
//!   byte order.
//!
//! A BOM that stands also wins over `--encoding`, as in the Standard: a
//! label is usually set for a whole batch, a BOM is evidence about one file.

use encoding_rs::{DecoderResult, Encoding, UTF_16BE, UTF_16LE, UTF_8};

/// chardetng's guess settles well within this many bytes of real text, and
/// its cost grows with every byte fed.
const DETECT_PREFIX: usize = 64 * 1024;

/// The result of decoding.
#[derive(Debug, Clone)]
pub(crate) struct Decoded {
    pub text: String,
    /// The encoding of most of the page.
    pub encoding: &'static Encoding,
    /// A second encoding some lines were decoded from: a page assembled
    /// from a UTF-8 template and legacy-encoded content, or the reverse.
    #[allow(dead_code)] // Not shown yet: `Cleaned::encoding` is one name.
    pub mixed_with: Option<&'static Encoding>,
    /// Malformed byte sequences replaced by U+FFFD.
    pub replaced: usize,
}

/// Decodes `bytes`, with `forced` overriding every guess but a BOM.
pub(crate) fn decode(bytes: &[u8], forced: Option<&'static Encoding>) -> Decoded {
    let mut body = bytes;
    if let Some((enc, len)) = Encoding::for_bom(bytes) {
        body = &bytes[len..];
        if let Some(enc) = believed_bom(enc, body) {
            return decode_with(enc, body);
        }
    }
    if let Some(enc) = forced {
        return decode_with(enc, body);
    }
    if let Some(enc) = utf16_without_bom(body) {
        return decode_with(enc, body);
    }
    match std::str::from_utf8(body) {
        Ok(text) => Decoded {
            text: text.to_owned(),
            encoding: UTF_8,
            mixed_with: None,
            replaced: 0,
        },
        // Only the last character is cut short: UTF-8 truncated mid-file.
        Err(e) if e.error_len().is_none() => decode_with(UTF_8, body),
        Err(_) => decode_lines(body),
    }
}

/// The encoding to decode `body` with, if the BOM of `enc` is to be
/// believed (see the module documentation).
fn believed_bom(enc: &'static Encoding, body: &[u8]) -> Option<&'static Encoding> {
    if enc == UTF_8 {
        return match std::str::from_utf8(body) {
            Ok(_) => Some(UTF_8),
            Err(e) if e.error_len().is_none() => Some(UTF_8),
            Err(_) => mostly_utf8(body).then_some(UTF_8),
        };
    }
    if body.len() >= MIN_LYING_UTF16_BODY && !body.contains(&0) && std::str::from_utf8(body).is_ok()
    {
        return None;
    }
    let (le, be) = utf16_breaks(body);
    Some(match (enc == UTF_16LE, le, be) {
        (true, 0, 1..) => UTF_16BE,
        (false, 1.., 0) => UTF_16LE,
        _ => enc,
    })
}

/// Below this many bytes, text behind a UTF-16 BOM that is also valid UTF-8
/// could be a few CJK characters whose bytes happen to be ASCII.
const MIN_LYING_UTF16_BODY: usize = 16;

/// Line breaks and spaces as UTF-16 code units in each byte order: pairs
/// `(x, 0)` (little-endian) and `(0, x)` (big-endian) at even offsets.
fn utf16_breaks(body: &[u8]) -> (usize, usize) {
    let prefix = &body[..body.len().min(DETECT_PREFIX)];
    let blank = |b: u8| matches!(b, b'\n' | b'\r' | b' ');
    let (mut le, mut be) = (0, 0);
    for unit in prefix.chunks_exact(2) {
        le += usize::from(blank(unit[0]) && unit[1] == 0);
        be += usize::from(unit[0] == 0 && blank(unit[1]));
    }
    (le, be)
}

/// UTF-16 without a BOM: text in a Latin or Cyrillic script has a zero
/// byte in many code units (spaces, line breaks, digits, ASCII letters), all
/// on the same side and spread over the whole text; other text has (almost)
/// no zero bytes at all, and binary data has them on both sides. A file
/// that is UTF-16 only in part (ASCII, then UTF-16) is not: its ASCII part
/// would decode as CJK characters, while as UTF-8 both parts stay legible.
pub(crate) fn utf16_without_bom(bytes: &[u8]) -> Option<&'static Encoding> {
    let prefix = &bytes[..bytes.len().min(DETECT_PREFIX)];
    let units = prefix.len() / 2;
    if units < MIN_UTF16_UNITS {
        return None;
    }
    let zeros = |part: &[u8]| {
        part.chunks_exact(2).fold((0, 0), |(even, odd), unit| {
            (
                even + usize::from(unit[0] == 0),
                odd + usize::from(unit[1] == 0),
            )
        })
    };
    let (even, odd) = zeros(prefix);
    // Every window of the text has a zero byte on the side of the whole.
    let everywhere = |side: fn((usize, usize)) -> usize| {
        prefix
            .chunks_exact(2 * UTF16_WINDOW_UNITS)
            .all(|window| side(zeros(window)) > 0)
    };
    let (le, be) = utf16_breaks(prefix);
    // One side has zeros in a tenth of the units or more, the other side
    // under a tenth as many, and the line breaks agree.
    let one_sided = |this: usize, other: usize| this * 10 >= units && other * 10 < this;
    if one_sided(odd, even) && le > 0 && be == 0 && everywhere(|(_, odd)| odd) {
        Some(UTF_16LE)
    } else if one_sided(even, odd) && be > 0 && le == 0 && everywhere(|(even, _)| even) {
        Some(UTF_16BE)
    } else {
        None
    }
}

/// Code units per window in which UTF-16 text without a BOM must show a
/// zero byte: Latin and Cyrillic text has a space or a line break every
/// dozen characters or so.
const UTF16_WINDOW_UNITS: usize = 48;

/// Fewer code units than this say nothing about their byte order.
const MIN_UTF16_UNITS: usize = 8;

/// UTF-8 with a few broken bytes (a bad copy, a truncated upload) is still
/// UTF-8: valid multi-byte sequences far outnumber the invalid ones, which
/// a legacy encoding would make improbable.
fn mostly_utf8(bytes: &[u8]) -> bool {
    let prefix = &bytes[..bytes.len().min(DETECT_PREFIX)];
    let (mut valid_multibyte, mut invalid) = (0usize, 0usize);
    for chunk in prefix.utf8_chunks() {
        valid_multibyte += chunk.valid().chars().filter(|c| !c.is_ascii()).count();
        invalid += usize::from(!chunk.invalid().is_empty());
    }
    valid_multibyte >= MOSTLY_UTF8_RATIO * invalid
}

/// Valid non-ASCII characters needed per invalid sequence to call a
/// non-UTF-8 input "UTF-8 with errors". In legacy-encoded text a valid
/// UTF-8 multi-byte sequence is a rare accident (windows-1252 would need
/// pairs like "Ã©"), so even one per error is strong evidence.
const MOSTLY_UTF8_RATIO: usize = 1;

/// Non-ASCII bytes in the invalid lines of a mostly-UTF-8 page needed to
/// decode those lines in a legacy encoding: fewer are broken UTF-8 (a
/// stray byte, a cut character) and become U+FFFD.
const MIN_LEGACY_BYTES: usize = 16;

/// Non-ASCII characters a valid UTF-8 line of a mostly-legacy page needs
/// to be taken as UTF-8. A line of one or two GBK or Shift_JIS characters
/// is valid UTF-8 by accident now and then; three in a row almost never.
const MIN_UTF8_CHARS: usize = 3;

/// Decodes a page that is not valid UTF-8, line by line: a page put
/// together from a UTF-8 template and legacy-encoded content (or the
/// reverse) comes out readable in both parts. Line breaks are safe places
/// to switch, since no byte of a multi-byte character in the ASCII-based
/// legacy encodings is a line feed.
fn decode_lines(bytes: &[u8]) -> Decoded {
    let lines: Vec<&[u8]> = bytes.split_inclusive(|&b| b == b'\n').collect();
    // Per line: valid non-ASCII UTF-8 characters, and whether the line is
    // (mostly) UTF-8 by the page-wide test.
    let utf8: Vec<(usize, bool)> = lines
        .iter()
        .map(|line| {
            let chars = line
                .utf8_chunks()
                .map(|c| c.valid().chars().filter(|c| !c.is_ascii()).count())
                .sum();
            (
                chars,
                std::str::from_utf8(line).is_ok() || mostly_utf8(line),
            )
        })
        .collect();
    let mut legacy_lines = Vec::new();
    let mut legacy_bytes = 0;
    for (line, &(_, is_utf8)) in lines.iter().zip(&utf8) {
        if !is_utf8 && legacy_lines.len() < DETECT_PREFIX {
            legacy_lines.extend_from_slice(line);
            legacy_bytes += line.iter().filter(|b| !b.is_ascii()).count();
        }
    }
    let mostly = mostly_utf8(bytes);
    if mostly && legacy_bytes < MIN_LEGACY_BYTES {
        return decode_with(UTF_8, bytes);
    }
    let legacy = guess(if legacy_lines.is_empty() {
        bytes
    } else {
        &legacy_lines
    });
    if legacy == UTF_8 || !legacy.is_ascii_compatible() {
        return decode_with(if mostly { UTF_8 } else { legacy }, bytes);
    }
    let main = if mostly { UTF_8 } else { legacy };
    let mut out = Decoded {
        text: String::with_capacity(bytes.len().saturating_mul(2)),
        encoding: main,
        mixed_with: None,
        replaced: 0,
    };
    // Consecutive lines in one encoding are decoded together: a run of
    // bytes `start..end`.
    let (mut start, mut end, mut run_enc) = (0, 0, main);
    for (line, (chars, is_utf8)) in lines.into_iter().zip(utf8) {
        // In a legacy page, a short line is valid UTF-8 by accident now and then.
        let enc = if is_utf8 && (mostly || chars >= MIN_UTF8_CHARS) {
            UTF_8
        } else {
            legacy
        };
        if enc != run_enc {
            out.push(decode_with(run_enc, &bytes[start..end]));
            (start, run_enc) = (end, enc);
        }
        end += line.len();
    }
    out.push(decode_with(run_enc, &bytes[start..end]));
    out
}

impl Decoded {
    /// Appends the decoding of the next run of bytes.
    fn push(&mut self, part: Decoded) {
        if part.encoding != self.encoding && !part.text.is_empty() {
            self.mixed_with = Some(part.encoding);
        }
        self.text.push_str(&part.text);
        self.replaced += part.replaced;
    }
}

/// chardetng's guess for `bytes` (a prefix of at most [`DETECT_PREFIX`]).
fn guess(bytes: &[u8]) -> &'static Encoding {
    let mut end = bytes.len().min(DETECT_PREFIX);
    // End the sample after an ASCII byte, so that it does not end inside a
    // character (cut by the prefix limit, or by a truncated file), which
    // would count against the right multi-byte encoding. No byte of a
    // multi-byte character is ASCII except a last one.
    if let Some(i) = bytes[..end].iter().rposition(u8::is_ascii) {
        end = i + 1;
    }
    let mut det = chardetng::EncodingDetector::new();
    det.feed(&bytes[..end], end == bytes.len());
    // No TLD hint: scraped text has lost its URL; allow UTF-8 so a mostly
    // valid UTF-8 file with a few bad bytes stays UTF-8.
    det.guess(None, true)
}

/// Decodes with replacement, counting each malformed sequence.
fn decode_with(enc: &'static Encoding, bytes: &[u8]) -> Decoded {
    let mut decoder = enc.new_decoder_without_bom_handling();
    let cap = decoder
        .max_utf8_buffer_length_without_replacement(bytes.len())
        .unwrap_or(bytes.len().saturating_mul(3))
        .max(16);
    let mut text = String::with_capacity(cap);
    let mut replaced = 0;
    let mut input = bytes;
    loop {
        let (result, read) = decoder.decode_to_string_without_replacement(input, &mut text, true);
        input = &input[read..];
        match result {
            DecoderResult::InputEmpty => break,
            DecoderResult::OutputFull => text.reserve(input.len().saturating_mul(3).max(16)),
            DecoderResult::Malformed(_, _) => {
                replaced += 1;
                text.push('\u{FFFD}');
            }
        }
    }
    Decoded {
        text,
        encoding: enc,
        mixed_with: None,
        replaced,
    }
}

#[cfg(test)]
mod tests;
