//! Unit tests of the reader: well-formed input and properties of damaged
//! input here, one test per kind of damage in [`faults`].

mod faults;

use super::*;
use proptest::prelude::*;

/// A well-formed record with CRLF headers and the two-CRLF trailer.
fn record(kind: &str, id: &str, body: &str) -> Vec<u8> {
    framed(kind, id, &body.len().to_string(), body)
}

fn framed(kind: &str, id: &str, length: &str, body: &str) -> Vec<u8> {
    format!(
        "WARC/1.0\r\nWARC-Type: {kind}\r\nWARC-Target-URI: https://example.com/{id}\r\n\
         WARC-Date: 2024-05-01T10:00:00Z\r\nWARC-Record-ID: <urn:uuid:{id}>\r\n\
         Content-Type: text/plain\r\nContent-Length: {length}\r\n\r\n{body}\r\n\r\n"
    )
    .into_bytes()
}

fn read_all(input: &[u8]) -> Vec<Result<WetRecord, WetError>> {
    WetReader::new(input).collect()
}

/// `ok:<id>` or `err:<message>` per item.
fn summary(input: &[u8]) -> Vec<String> {
    read_all(input)
        .into_iter()
        .map(|r| match r {
            Ok(r) => format!("ok:{}", r.record_id),
            Err(e) => format!("err:{e}"),
        })
        .collect()
}

fn cat(parts: &[&[u8]]) -> Vec<u8> {
    parts.concat()
}

#[test]
fn reads_fields_numbers_and_offsets() {
    let info = record("warcinfo", "info", "isPartOf: CC-MAIN-2024-18\r\n");
    let a = record("conversion", "a", "Hello world\n");
    let input = cat(&[&info, &a]);
    let items = read_all(&input);
    assert_eq!(items.len(), 2);
    let first = items[0].as_ref().expect("warcinfo");
    assert_eq!(first.kind, RecordKind::WarcInfo);
    assert!(!first.is_document());
    let doc = items[1].as_ref().expect("conversion");
    assert!(doc.is_document());
    assert_eq!(doc.number, 2);
    assert_eq!(doc.offset, info.len() as u64);
    assert_eq!(doc.record_id, "<urn:uuid:a>");
    assert_eq!(doc.url.as_deref(), Some("https://example.com/a"));
    assert_eq!(doc.date.as_deref(), Some("2024-05-01T10:00:00Z"));
    assert_eq!(doc.content_type.as_deref(), Some("text/plain"));
    assert_eq!(doc.body, b"Hello world\n");
}

#[test]
fn accepts_lf_endings_any_case_folding_and_extra_blank_lines() {
    let input = b"\n\nWARC/1.1\nwarc-type: Conversion\nWARC-Record-ID:\n  <urn:x>\n\
                  X-Unknown: a\n continued\nWARC-Identified-Content-Language: deu,eng\n\
                  content-length: 3\n\nabc\n\n\n\n";
    let items = read_all(input);
    assert_eq!(items.len(), 1);
    let r = items[0].as_ref().expect("lenient parse");
    assert_eq!(r.kind, RecordKind::Conversion);
    assert_eq!(r.record_id, "<urn:x>");
    assert_eq!(r.language.as_deref(), Some("deu,eng"));
    assert_eq!(r.body, b"abc");
}

#[test]
fn empty_and_blank_inputs_have_no_records() {
    assert!(read_all(b"").is_empty());
    assert!(read_all(b"\r\n\n\r\n").is_empty());
}

fn sample() -> Vec<u8> {
    cat(&[
        &record("warcinfo", "info", "software: test\r\n"),
        &record(
            "conversion",
            "a",
            "Home\nNews\n\nThe council approved the budget.\n",
        ),
        &record(
            "conversion",
            "b",
            "首页\n新闻\n\n市议会周一批准了新预算。\n",
        ),
        &record(
            "conversion",
            "c",
            "Startseite\n\nDer Stadtrat hat den Haushalt beschlossen.\n",
        ),
    ])
}

proptest! {
    /// Any damage to a valid file: no panic, the stream ends, and each
    /// item consumed input (so items never exceed lines + 1).
    #[test]
    fn damaged_input_never_panics(
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0..3u8), 0..8),
        cut in any::<prop::sample::Index>(),
    ) {
        let mut input = sample();
        for (at, byte, op) in edits {
            let i = at.index(input.len());
            match op {
                0 => input[i] = byte,
                1 => input.insert(i, byte),
                _ => { input.remove(i); }
            }
        }
        input.truncate(cut.index(input.len() + 1));
        let lines = input.iter().filter(|&&b| b == b'\n').count();
        let items = read_all(&input);
        prop_assert!(items.len() <= lines + 1);
    }

    /// One bad record among good ones costs exactly that record.
    #[test]
    fn one_bad_record_loses_nothing_else(
        bodies in proptest::collection::vec("[a-z \n市议会]{0,40}", 2..6),
        at in any::<prop::sample::Index>(),
        fault in 0..4u8,
        k in 1..10_000usize,
    ) {
        // Bodies end in a letter, so a wrong length never lands on a
        // line break that looks like a record end.
        let good: Vec<Vec<u8>> = bodies
            .iter()
            .enumerate()
            .map(|(i, b)| record("conversion", &i.to_string(), &format!("{b}.")))
            .collect();
        let at = at.index(good.len() + 1);
        let body = "Bad record body\nwith lines.";
        let length = match (fault, good.get(at)) {
            (0, _) => "12x".to_owned(),
            (1, _) => (body.len() - 1 - k % body.len()).to_string(),
            // Into the next record (4 bytes more would only take the
            // trailer, which is tolerated).
            (2, Some(next)) => (body.len() + 5 + k % (next.len() - 9)).to_string(),
            _ => (body.len() + 100_000 + k).to_string(),
        };
        let bad = framed("conversion", "bad", &length, body);
        let mut input = Vec::new();
        for (i, g) in good.iter().enumerate() {
            if i == at {
                input.extend_from_slice(&bad);
            }
            input.extend_from_slice(g);
        }
        if at == good.len() {
            input.extend_from_slice(&bad);
        }
        let items = read_all(&input);
        let ids: Vec<String> = items.iter().filter_map(|r| r.as_ref().ok()).map(|r| r.record_id.clone()).collect();
        let want: Vec<String> = (0..good.len()).map(|i| format!("<urn:uuid:{i}>")).collect();
        prop_assert_eq!(ids, want);
        prop_assert_eq!(items.len(), good.len() + 1);
    }

    #[test]
    fn arbitrary_bytes_never_panic(input in proptest::collection::vec(any::<u8>(), 0..600)) {
        let mut with_header = b"WARC/1.0\r\nContent-Length: 5\r\n".to_vec();
        with_header.extend_from_slice(&input);
        let _ = read_all(&input);
        let _ = read_all(&with_header);
    }
}
