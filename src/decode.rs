//! Decoding stage: bytes -> `String`, never failing.
//!
//! Order: a forced encoding (`--encoding`); a byte-order mark (UTF-8,
//! UTF-16LE/BE); valid UTF-8 (checked at GB/s); otherwise chardetng guesses
//! from a bounded prefix, since it costs far more per byte than decoding.
//! Malformed sequences become U+FFFD and are counted.

use encoding_rs::{DecoderResult, Encoding, UTF_8};

/// chardetng's guess settles well within this many bytes of real text, and
/// its cost grows with every byte fed.
const DETECT_PREFIX: usize = 64 * 1024;

/// The result of decoding.
#[derive(Debug, Clone)]
pub(crate) struct Decoded {
    pub text: String,
    pub encoding: &'static Encoding,
    /// Malformed byte sequences replaced by U+FFFD.
    pub replaced: usize,
}

/// Decodes `bytes`, with `forced` overriding every guess.
pub(crate) fn decode(bytes: &[u8], forced: Option<&'static Encoding>) -> Decoded {
    if let Some(enc) = forced {
        let body = match Encoding::for_bom(bytes) {
            Some((bom_enc, len)) if bom_enc == enc => &bytes[len..],
            _ => bytes,
        };
        return decode_with(enc, body);
    }
    if let Some((enc, len)) = Encoding::for_bom(bytes) {
        return decode_with(enc, &bytes[len..]);
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => {
            return Decoded {
                text: text.to_owned(),
                encoding: UTF_8,
                replaced: 0,
            }
        }
        // Only the last character is cut short: UTF-8 truncated mid-file.
        Err(e) if e.error_len().is_none() => return decode_with(UTF_8, bytes),
        Err(_) if mostly_utf8(bytes) => return decode_with(UTF_8, bytes),
        Err(_) => {}
    }
    decode_with(guess(bytes), bytes)
}

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

fn guess(bytes: &[u8]) -> &'static Encoding {
    let mut end = bytes.len().min(DETECT_PREFIX);
    // Cut at an ASCII byte so the prefix does not end inside a character,
    // which would count against the right multi-byte encoding.
    while end < bytes.len() && end > 0 && !bytes[end - 1].is_ascii() {
        end -= 1;
    }
    if end == 0 {
        end = bytes.len().min(DETECT_PREFIX);
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
        replaced,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_with_and_without_bom() {
        assert_eq!(decode("héllo".as_bytes(), None).text, "héllo");
        let d = decode(b"\xEF\xBB\xBFhi", None);
        assert_eq!((d.text.as_str(), d.encoding.name()), ("hi", "UTF-8"));
    }

    #[test]
    fn utf16_with_bom() {
        let d = decode(b"\xFF\xFEh\x00i\x00", None);
        assert_eq!((d.text.as_str(), d.encoding.name()), ("hi", "UTF-16LE"));
        let d = decode(b"\xFE\xFF\x00h\x00i", None);
        assert_eq!((d.text.as_str(), d.encoding.name()), ("hi", "UTF-16BE"));
    }

    #[test]
    fn malformed_bytes_are_counted() {
        let d = decode(b"abc\xFF\xFEdef", Some(UTF_8));
        assert_eq!(d.text, "abc\u{FFFD}\u{FFFD}def");
        assert_eq!(d.replaced, 2);
    }

    #[test]
    fn forced_encoding_wins() {
        let d = decode(b"\xCF\xF0\xE8\xE2\xE5\xF2", Some(encoding_rs::WINDOWS_1251));
        assert_eq!(d.text, "Привет");
    }

    #[test]
    fn lone_utf16_surrogate_is_replaced() {
        let d = decode(b"\xFF\xFEa\x00\x00\xD8b\x00", None);
        assert_eq!(d.text, "a\u{FFFD}b");
        assert_eq!(d.replaced, 1);
    }

    #[test]
    fn mostly_valid_utf8_stays_utf8() {
        let d = decode(
            "café – naïve ’quotes’ \u{FF}"
                .replace('\u{FF}', "")
                .as_bytes(),
            None,
        );
        assert_eq!(d.encoding, UTF_8);
        let mut bytes = "café – naïve ’quotes’ ".as_bytes().to_vec();
        bytes.push(0xFF);
        let d = decode(&bytes, None);
        assert_eq!((d.encoding, d.replaced), (UTF_8, 1));
    }

    #[test]
    fn truncated_last_character() {
        let bytes = &"abc é".as_bytes()[..5];
        let d = decode(bytes, None);
        assert_eq!(
            (d.text.as_str(), d.encoding, d.replaced),
            ("abc \u{FFFD}", UTF_8, 1)
        );
    }

    #[test]
    fn empty_input() {
        let d = decode(b"", None);
        assert_eq!((d.text.as_str(), d.replaced), ("", 0));
    }
}
