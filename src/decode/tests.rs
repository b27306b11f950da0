//! Decoding behaviours, one per test: BOMs that stand or lie, UTF-16
//! without a BOM, truncation, mixed and forced encodings.

use super::*;
use encoding_rs::{GBK, SHIFT_JIS, WINDOWS_1251};

const ZH: &str =
    "经过一年多的施工，市中心的城市公园改造工程于本周正式完工，附近居民纷纷前来参观。\n";
const EN: &str = "The city's new library opened its doors this week.\n";

fn utf16le(s: &str) -> Vec<u8> {
    s.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

fn utf16be(s: &str) -> Vec<u8> {
    s.encode_utf16().flat_map(u16::to_be_bytes).collect()
}

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
    let d = decode(b"\xCF\xF0\xE8\xE2\xE5\xF2", Some(WINDOWS_1251));
    assert_eq!(d.text, "Привет");
}

#[test]
fn forced_encoding_is_honoured_even_when_wrong() {
    // UTF-8 text forced to GBK: the user's word, mojibake and all.
    let d = decode("Привет, мир".as_bytes(), Some(GBK));
    assert_eq!(d.encoding, GBK);
    assert_ne!(d.text, "Привет, мир");
}

#[test]
fn a_standing_bom_beats_a_forced_encoding() {
    let mut bytes = vec![0xFF, 0xFE];
    bytes.extend(utf16le(EN));
    let d = decode(&bytes, Some(GBK));
    assert_eq!((d.text.as_str(), d.encoding), (EN, UTF_16LE));
}

#[test]
fn lone_utf16_surrogate_is_replaced() {
    let d = decode(b"\xFF\xFEa\x00\x00\xD8b\x00", None);
    assert_eq!(d.text, "a\u{FFFD}b");
    assert_eq!(d.replaced, 1);
    let d = decode(b"\xFE\xFF\x00a\xDC\x00\x00b", None);
    assert_eq!((d.text.as_str(), d.replaced), ("a\u{FFFD}b", 1));
}

#[test]
fn odd_length_utf16_loses_only_the_last_byte() {
    let d = decode(b"\xFF\xFEa\x00b\x00c", None);
    assert_eq!((d.text.as_str(), d.replaced), ("ab\u{FFFD}", 1));
}

#[test]
fn mostly_valid_utf8_stays_utf8() {
    let mut bytes = "café – naïve ’quotes’ ".as_bytes().to_vec();
    bytes.push(0xFF);
    let d = decode(&bytes, None);
    assert_eq!((d.encoding, d.replaced, d.mixed_with), (UTF_8, 1, None));
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
fn utf8_bom_before_gbk_is_ignored() {
    let bytes = [&b"\xEF\xBB\xBF"[..], &GBK.encode(ZH).0].concat();
    let d = decode(&bytes, None);
    assert_eq!((d.text.as_str(), d.encoding, d.replaced), (ZH, GBK, 0));
    // A forced encoding then applies to the text behind the BOM.
    let d = decode(&bytes, Some(GBK));
    assert_eq!(d.text, ZH);
}

#[test]
fn utf16_bom_before_ascii_is_ignored() {
    let bytes = [&b"\xFF\xFE"[..], EN.as_bytes()].concat();
    let d = decode(&bytes, None);
    assert_eq!((d.text.as_str(), d.encoding), (EN, UTF_8));
    let bytes = [&b"\xFE\xFF"[..], "Grüße aus Köln\n".as_bytes()].concat();
    assert_eq!(decode(&bytes, None).text, "Grüße aus Köln\n");
    // Too short to tell: the BOM stands.
    assert_eq!(decode(b"\xFF\xFEHi", None).encoding, UTF_16LE);
}

#[test]
fn utf16_bom_with_the_wrong_byte_order() {
    let bytes = [&b"\xFF\xFE"[..], &utf16be(EN)].concat();
    let d = decode(&bytes, None);
    assert_eq!((d.text.as_str(), d.encoding), (EN, UTF_16BE));
    // CJK text whose characters end in a zero byte (一 is U+4E00) keeps
    // its BOM's byte order: only line breaks and spaces decide.
    let text = "一一一一一一\n一一\n";
    let bytes = [&b"\xFF\xFE"[..], &utf16le(text)].concat();
    assert_eq!(decode(&bytes, None).text, text);
}

#[test]
fn utf16_without_bom_is_recognised() {
    let d = decode(&utf16le(EN), None);
    assert_eq!((d.text.as_str(), d.encoding), (EN, UTF_16LE));
    let ru = "Новое здание городской библиотеки открылось на этой неделе.\n";
    let d = decode(&utf16be(ru), None);
    assert_eq!((d.text.as_str(), d.encoding), (ru, UTF_16BE));
    // ASCII, then UTF-16: the ASCII must not become CJK characters.
    let mut bytes = "Home\nNews\n\nThe town council voted to reopen the old river ferry.\n"
        .repeat(3)
        .into_bytes();
    bytes.extend(utf16be(ru));
    assert_eq!(utf16_without_bom(&bytes), None);
    assert!(decode(&bytes, None).text.starts_with("Home\nNews\n"));
    // Zero bytes on both sides are binary, not UTF-16.
    let binary: Vec<u8> = (0..64u8)
        .map(|i| if i % 3 == 0 { 0 } else { b'a' + i % 26 })
        .collect();
    assert_eq!(utf16_without_bom(&binary), None);
}

#[test]
fn mixed_utf8_and_gbk_lines_both_decode() {
    let menu = "首页 · 新闻 · 体育 · 财经\n";
    let bytes = [menu.as_bytes(), &GBK.encode(ZH).0, &GBK.encode(ZH).0].concat();
    let d = decode(&bytes, None);
    assert_eq!(d.text, format!("{menu}{ZH}{ZH}"));
    assert_eq!(
        (d.encoding, d.mixed_with, d.replaced),
        (GBK, Some(UTF_8), 0)
    );
    // UTF-8 majority with one Shift_JIS paragraph.
    let ja = "市立図書館の新しい建物が今週開館し、初日から多くの市民が訪れました。\n";
    let bytes = [ZH.as_bytes(), ZH.as_bytes(), &SHIFT_JIS.encode(ja).0].concat();
    let d = decode(&bytes, None);
    assert_eq!(d.text, format!("{ZH}{ZH}{ja}"));
    assert_eq!((d.encoding, d.mixed_with), (UTF_8, Some(SHIFT_JIS)));
}

#[test]
fn short_gbk_lines_in_a_gbk_page_stay_gbk() {
    // "一也" in GBK is D2 BB D2 B2, valid UTF-8 for "һҲ": two
    // characters are no evidence.
    let page = format!("一也\n{ZH}{ZH}");
    assert!(std::str::from_utf8(&GBK.encode("一也").0).is_ok());
    let d = decode(&GBK.encode(&page).0, None);
    assert_eq!((d.text, d.encoding, d.mixed_with), (page, GBK, None));
}

#[test]
fn empty_input() {
    let d = decode(b"", None);
    assert_eq!((d.text.as_str(), d.replaced), ("", 0));
    for bom in [&b"\xEF\xBB\xBF"[..], b"\xFF\xFE", b"\xFE\xFF"] {
        assert_eq!(decode(bom, None).text, "");
    }
}
