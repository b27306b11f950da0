//! The WET reader over real files: plain, gzip (one member per record) and
//! zstd (one frame per record), each with a warcinfo record, three pages in
//! different languages, a malformed record in the middle and a truncated
//! last record. Every record must come out as a document or an error.

mod wet_sample;

use dechaff::wet::{RecordKind, WetErrorKind, WetReader, WetRecord};
use dechaff::Cleaner;
use wet_sample::{Compression, SampleWet};

fn sample(compression: Compression) -> (tempfile::TempDir, SampleWet) {
    let dir = tempfile::tempdir().expect("temp dir");
    let sample = wet_sample::write_sample_wet(dir.path(), compression);
    (dir, sample)
}

/// Reads the file and checks the accounting and every field.
fn check(compression: Compression) {
    let (_dir, sample) = sample(compression);
    let items: Vec<_> = WetReader::open(&sample.path).expect("open").collect();
    assert_eq!(
        items.len(),
        sample.records,
        "{compression:?}: one item per record"
    );

    let docs: Vec<&WetRecord> = items.iter().flatten().filter(|r| r.is_document()).collect();
    let infos = items
        .iter()
        .flatten()
        .filter(|r| r.kind == RecordKind::WarcInfo)
        .count();
    let errors: Vec<_> = items.iter().filter_map(|r| r.as_ref().err()).collect();
    assert_eq!(infos, sample.infos);
    assert_eq!(docs.len(), sample.docs.len());
    assert_eq!(errors.len(), sample.errors);
    assert_eq!(infos + docs.len() + errors.len(), sample.records);

    for (got, want) in docs.iter().zip(&sample.docs) {
        assert_eq!(got.record_id, want.record_id);
        assert_eq!(got.url.as_deref(), Some(want.url));
        assert_eq!(got.date.as_deref(), Some(want.date));
        assert_eq!(got.content_type.as_deref(), Some("text/plain"));
        assert_eq!(got.body, want.body.as_bytes());
    }

    let numbers: Vec<u64> = errors.iter().map(|e| e.number).collect();
    assert_eq!(numbers, sample.error_records);
    assert!(matches!(
        errors[0].kind,
        WetErrorKind::BadContentLength { .. }
    ));
    assert!(errors[0].to_string().starts_with("record 3 (byte "));
    assert!(errors[0]
        .to_string()
        .ends_with("invalid Content-Length \"12x\": expected a number of bytes"));
    assert_eq!(errors[0].url.as_deref(), Some("https://bad.example.com/"));
    assert!(matches!(
        errors[1].kind,
        WetErrorKind::TruncatedBody { length: 5000, .. }
    ));
    assert!(errors.iter().all(|e| !e.is_fatal()));

    // Offsets point at each record's `WARC/1.0` line in the decompressed stream.
    let raw = wet_sample::sample_records();
    let mut offset = 0;
    for (item, record) in items.iter().zip(&raw) {
        let at = match item {
            Ok(r) => r.offset,
            Err(e) => e.offset,
        };
        assert_eq!(at, offset);
        offset += record.len() as u64;
    }
}

#[test]
fn plain_file_accounts_for_every_record() {
    check(Compression::Plain);
}

#[test]
fn gzip_members_account_for_every_record() {
    check(Compression::Gzip);
}

#[test]
fn zstd_frames_account_for_every_record() {
    check(Compression::Zstd);
}

#[test]
fn documents_clean_in_their_language() {
    let (_dir, sample) = sample(Compression::Gzip);
    let cleaner = Cleaner::builtin();
    let docs = WetReader::open(&sample.path)
        .expect("open")
        .flatten()
        .filter(WetRecord::is_document);
    for (record, want) in docs.zip(&sample.docs) {
        let cleaned = cleaner.clean_bytes(&record.body);
        assert_eq!(cleaned.lang, want.lang, "{}", want.url);
        assert!(
            cleaned.text.contains(want.keeps),
            "{}: {}",
            want.url,
            cleaned.text
        );
        assert!(
            !cleaned.text.contains(want.drops),
            "{}: {}",
            want.url,
            cleaned.text
        );
    }
}

#[test]
fn a_cut_gzip_file_ends_with_an_error_after_the_good_records() {
    let dir = tempfile::tempdir().expect("temp dir");
    let records = wet_sample::sample_records();
    let whole = wet_sample::encode(&records[..5], Compression::Gzip);
    let path = dir.path().join("cut.warc.wet.gz");
    std::fs::write(&path, &whole[..whole.len() - 30]).expect("write");
    let items: Vec<_> = WetReader::open(&path).expect("open").collect();
    // warcinfo, English, the bad record, Chinese, then the cut German member.
    assert_eq!(items.len(), 5);
    assert_eq!(items[..4].iter().filter(|r| r.is_err()).count(), 1);
    let last = items[4].as_ref().expect_err("cut member");
    assert_eq!(last.number, 5);
    assert!(last.is_fatal(), "{last}");
    assert!(last.to_string().contains("read failed: "), "{last}");
}

#[test]
fn open_reports_a_missing_file_with_its_path() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("missing.warc.wet.gz");
    let err = WetReader::open(&path).err().expect("missing file");
    assert!(err.to_string().starts_with(&path.display().to_string()));
}

#[test]
fn other_extensions_are_read_as_plain_text() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("sample.warc");
    let records = wet_sample::sample_records();
    std::fs::write(&path, records.concat()).expect("write");
    assert_eq!(WetReader::open(&path).expect("open").count(), records.len());
}
