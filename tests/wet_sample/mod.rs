//! Builds small Common Crawl WET files for tests: a `warcinfo` record,
//! English, Chinese and German pages with menus around an article, a
//! malformed record in the middle and a truncated last record.
//!
//! Shared by `tests/wet.rs` (the reader) and the CLI tests: include it with
//! `mod wet_sample;`.

#![allow(dead_code)] // each test crate uses a different part

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

/// How the sample file is compressed; also picks its extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    /// `sample.warc.wet`
    Plain,
    /// `sample.warc.wet.gz`: one gzip member per record, as Common Crawl writes.
    Gzip,
    /// `sample.warc.wet.zst`: one zstd frame per record.
    Zstd,
}

/// One conversion record of the sample, and what cleaning should do to it.
#[derive(Debug, Clone, Copy)]
pub struct SampleDoc {
    /// `WARC-Target-URI`.
    pub url: &'static str,
    /// `WARC-Record-ID`.
    pub record_id: &'static str,
    /// `WARC-Date`.
    pub date: &'static str,
    /// The language dechaff should detect (ISO 639-3).
    pub lang: &'static str,
    /// The page text (the record body).
    pub body: &'static str,
    /// A sentence of the article that cleaning must keep.
    pub keeps: &'static str,
    /// A menu line that cleaning should remove.
    pub drops: &'static str,
}

/// What the sample holds: `records` = `infos` + `docs.len()` + `errors`.
#[derive(Debug, Clone)]
pub struct SampleWet {
    /// The written file.
    pub path: PathBuf,
    /// Records in the stream, bad ones included.
    pub records: usize,
    /// `warcinfo` records (not documents).
    pub infos: usize,
    /// The good conversion records, in file order.
    pub docs: Vec<SampleDoc>,
    /// Malformed records: the bad one in the middle and the truncated last one.
    pub errors: usize,
    /// The record numbers (1-based) of the malformed records.
    pub error_records: Vec<u64>,
}

pub const DATE: &str = "2024-05-01T10:00:00Z";

pub const DOCS: [SampleDoc; 3] = [
    SampleDoc {
        url: "https://news.example.com/city/budget",
        record_id: "<urn:uuid:00000000-0000-4000-8000-000000000001>",
        date: DATE,
        lang: "eng",
        body: "Home\nNews\nSport\nWeather\n\nCouncil approves new budget\n\n\
The city council approved the new budget on Monday after a long debate about school funding, road repairs and the cost of the new library.\n\n\
The mayor said the plan would keep taxes flat while adding two hundred teachers to the schools over the next three years.\n\n\
Share on Facebook\n\nRelated stories\n\nBridge closes for repairs\n",
        keeps: "The city council approved the new budget on Monday",
        drops: "Share on Facebook",
    },
    SampleDoc {
        url: "https://news.example.cn/city/budget.html",
        record_id: "<urn:uuid:00000000-0000-4000-8000-000000000002>",
        date: "2024-05-01T10:00:01Z",
        lang: "cmn",
        body: "首页\n新闻\n体育\n财经\n\n市议会通过新预算\n\n\
市议会周一在就学校经费、道路维修和新图书馆费用进行长时间辩论后，通过了新的年度预算。市长表示，这项计划将在保持税率不变的同时，在未来三年内为学校增加两百名教师。\n\n\
议员们表示，新预算还将用于改善公共交通，并为老年人提供更多的社区服务。预算将于下个月开始执行。\n\n\
分享到：\n\n相关新闻\n\n大桥将封闭维修\n",
        keeps: "市议会周一在就学校经费",
        drops: "分享到：",
    },
    SampleDoc {
        url: "https://nachrichten.example.de/stadt/haushalt",
        record_id: "<urn:uuid:00000000-0000-4000-8000-000000000003>",
        date: "2024-05-01T10:00:02Z",
        lang: "deu",
        body: "Startseite\nNachrichten\nSport\nWetter\n\nStadtrat beschließt neuen Haushalt\n\n\
Der Stadtrat hat am Montag nach einer langen Debatte über Schulgeld, Straßenreparaturen und die Kosten der neuen Bibliothek den neuen Haushalt beschlossen.\n\n\
Der Bürgermeister sagte, der Plan halte die Steuern stabil und bringe in den nächsten drei Jahren zweihundert zusätzliche Lehrer an die Schulen.\n\n\
Auf Facebook teilen\n\nWeitere Nachrichten\n\nBrücke wird repariert\n",
        keeps: "Der Stadtrat hat am Montag nach einer langen Debatte",
        drops: "Auf Facebook teilen",
    },
];

/// One WARC record with CRLF headers, `Content-Length` taken from `body`
/// unless `length` overrides it, and the CRLF CRLF trailer.
pub fn wet_record(
    kind: &str,
    id: &str,
    url: Option<&str>,
    date: &str,
    body: &str,
    length: Option<&str>,
) -> Vec<u8> {
    let mut head = format!("WARC/1.0\r\nWARC-Type: {kind}\r\n");
    if let Some(url) = url {
        head.push_str(&format!("WARC-Target-URI: {url}\r\n"));
    }
    let length = length.map_or(body.len().to_string(), str::to_owned);
    head.push_str(&format!(
        "WARC-Date: {date}\r\nWARC-Record-ID: {id}\r\nContent-Type: text/plain\r\nContent-Length: {length}\r\n\r\n"
    ));
    let mut out = head.into_bytes();
    out.extend_from_slice(body.as_bytes());
    out.extend_from_slice(b"\r\n\r\n");
    out
}

/// The sample's records in order, uncompressed, one `Vec` per record:
/// warcinfo, English, malformed (`Content-Length: 12x`), Chinese, German,
/// and a last record whose `Content-Length` runs past the end of the file.
pub fn sample_records() -> Vec<Vec<u8>> {
    let info = "software: dechaff-tests\r\nformat: WARC File Format 1.0\r\n";
    let conversion =
        |d: &SampleDoc| wet_record("conversion", d.record_id, Some(d.url), d.date, d.body, None);
    let bad = wet_record(
        "conversion",
        "<urn:uuid:00000000-0000-4000-8000-0000000000ba>",
        Some("https://bad.example.com/"),
        DATE,
        "Home\nThis record's length is not a number.\n",
        Some("12x"),
    );
    let mut truncated = wet_record(
        "conversion",
        "<urn:uuid:00000000-0000-4000-8000-0000000000ee>",
        Some("https://cut.example.com/"),
        DATE,
        "The crawler stopped writing in the middle of this page",
        Some("5000"),
    );
    truncated.truncate(truncated.len() - 4);
    vec![
        wet_record(
            "warcinfo",
            "<urn:uuid:00000000-0000-4000-8000-000000000000>",
            None,
            DATE,
            info,
            None,
        ),
        conversion(&DOCS[0]),
        bad,
        conversion(&DOCS[1]),
        conversion(&DOCS[2]),
        truncated,
    ]
}

/// Compresses each record on its own (gzip members or zstd frames) and
/// concatenates them, as Common Crawl does.
pub fn encode(records: &[Vec<u8>], compression: Compression) -> Vec<u8> {
    let mut out = Vec::new();
    for r in records {
        match compression {
            Compression::Plain => out.extend_from_slice(r),
            Compression::Gzip => {
                let mut gz =
                    flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
                gz.write_all(r).expect("gzip to memory");
                out.extend(gz.finish().expect("gzip to memory"));
            }
            Compression::Zstd => out.extend(zstd::encode_all(&r[..], 3).expect("zstd to memory")),
        }
    }
    out
}

/// Writes the sample to `dir/sample.warc.wet[.gz|.zst]` and says what it holds.
pub fn write_sample_wet(dir: &Path, compression: Compression) -> SampleWet {
    let name = match compression {
        Compression::Plain => "sample.warc.wet",
        Compression::Gzip => "sample.warc.wet.gz",
        Compression::Zstd => "sample.warc.wet.zst",
    };
    let path = dir.join(name);
    fs::write(&path, encode(&sample_records(), compression)).expect("write sample WET file");
    SampleWet {
        path,
        records: 6,
        infos: 1,
        docs: DOCS.to_vec(),
        errors: 2,
        error_records: vec![3, 6],
    }
}
