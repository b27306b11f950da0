//! One test per kind of damaged input: a malformed record costs that
//! record only and is reported with its position and what is wrong; an
//! I/O error ends the stream.

use std::io;

use super::*;

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
        assert!(matches!(e.kind, WetErrorKind::TooLarge { length: l, limit: 100 } if l == length));
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
    assert!(
        s[2].ends_with("malformed header line \"this is not a header\": expected \"Name: value\"")
    );
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

#[test]
fn stray_bytes_before_a_version_line_lose_no_record() {
    let a = record("conversion", "a", "one");
    let b = record("conversion", "b", "two");
    let c = record("conversion", "c", "three");
    let input = cat(&[&a, b"xyz", &b, b"<junk> more junk", &c]);
    let s = summary(&input);
    assert_eq!(
        s,
        [
            "ok:<urn:uuid:a>",
            &format!(
                "err:record 2 (byte {}): expected a \"WARC/1.x\" line, found \"xyz\"",
                a.len()
            ),
            "ok:<urn:uuid:b>",
            &format!(
                "err:record 4 (byte {}): expected a \"WARC/1.x\" line, found \"<junk> more junk\"",
                a.len() + 3 + b.len()
            ),
            "ok:<urn:uuid:c>",
        ]
    );
    let items = read_all(&input);
    let b_read = items[2].as_ref().expect("b");
    assert_eq!(b_read.offset, (a.len() + 3) as u64);
    // Behind a bad record, the stray bytes belong to it: one error.
    let bad = framed("conversion", "bad", "12x", "body");
    let s = summary(&cat(&[&bad, b"\x00\x01", &c]));
    assert_eq!(s.len(), 2, "{s:?}");
    assert_eq!(s[1], "ok:<urn:uuid:c>");
}

#[test]
fn any_number_of_line_breaks_after_a_body_is_a_frame() {
    for n in 0..=140 {
        let a = record("conversion", "a", "one.");
        let breaks = "\r\n".repeat(n / 2) + if n % 2 == 1 { "\n" } else { "" };
        let input = cat(&[&a, breaks.as_bytes(), &record("conversion", "b", "two.")]);
        assert_eq!(
            summary(&input),
            ["ok:<urn:uuid:a>", "ok:<urn:uuid:b>"],
            "{n} extra line breaks"
        );
    }
}

#[test]
fn a_bom_before_the_first_record_is_skipped() {
    let a = record("conversion", "a", "one");
    let items = read_all(&cat(&[b"\xef\xbb\xbf", &a, &a]));
    assert_eq!(items.len(), 2);
    assert_eq!(items[0].as_ref().expect("a").offset, 3);
    assert!(items[1].is_ok());
}

/// Thousands of records whose `Content-Length` reaches past the end of the
/// file: each is reported, each record it swallowed is read, and the reader's work
/// (bytes read, copied or scanned) stays a small multiple of the input,
/// where re-reading each swallowed stretch cost records x length.
#[test]
fn resynchronising_after_huge_lengths_is_linear() {
    let n = 2_000;
    let mut input = Vec::new();
    for i in 0..n {
        let body = format!("Page {i} of the crawl, with a line of text.\n");
        let length = if i % 2 == 0 { 1 << 20 } else { body.len() };
        input.extend(framed(
            "conversion",
            &i.to_string(),
            &length.to_string(),
            &body,
        ));
    }
    let mut reader = WetReader::new(&input[..]);
    let items: Vec<_> = reader.by_ref().collect();
    assert_eq!(items.len(), n);
    let ok = items.iter().filter(|r| r.is_ok()).count();
    assert_eq!(ok, n / 2);
    for (i, item) in items.iter().enumerate() {
        assert_eq!(item.is_err(), i % 2 == 0, "record {i}");
    }
    let work = reader.src.work;
    assert!(
        work < 6 * input.len() as u64,
        "{work} bytes of work for {} bytes of input",
        input.len()
    );
}
