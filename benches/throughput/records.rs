//! Accounting for JSON Lines records (every input id must come out exactly
//! once, cleaned or rejected), and the WET cases (`wet`).

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;

use crate::Ctx;

/// Only the id of a record; other fields are skipped.
#[derive(serde::Deserialize)]
struct IdOnly {
    id: Option<u64>,
}

/// Tallies of one check.
#[derive(Default)]
struct Tally {
    lines: u64,
    without_id: u64,
    duplicates: u64,
}

/// Reads `out` and `rejects` (if present) and returns a verdict such as
/// `100000 in, 99800 out, 200 rejected: every record once`. A rejected
/// line counts for its id if it carries one, else for one missing id.
pub fn check(records: u64, out: &Path, rejects: &Path) -> String {
    let mut seen = vec![false; usize::try_from(records).expect("record count fits memory")];
    let kept = tally(out, &mut seen);
    let rejected = tally(rejects, &mut seen);
    let ids = seen.iter().filter(|s| **s).count() as u64;
    let duplicates = kept.duplicates + rejected.duplicates;
    let mut verdict = format!(
        "{records} in, {} out, {} rejected",
        kept.lines, rejected.lines
    );
    if kept.without_id > 0 {
        verdict.push_str(&format!(": {} OUTPUT LINES WITHOUT ID", kept.without_id));
    } else if duplicates > 0 {
        verdict.push_str(&format!(": {duplicates} DUPLICATED"));
    } else if ids + rejected.without_id == records {
        verdict.push_str(": every record once");
    } else {
        let lost = records - ids - rejected.without_id.min(records - ids);
        verdict.push_str(&format!(": {lost} LOST"));
    }
    verdict
}

/// Counts the lines of `path` and marks their ids in `seen`.
fn tally(path: &Path, seen: &mut [bool]) -> Tally {
    let mut t = Tally::default();
    let Ok(file) = File::open(path) else {
        return t;
    };
    for line in BufReader::new(file).split(b'\n') {
        let line = line.expect("outputs are readable");
        if line.is_empty() {
            continue;
        }
        t.lines += 1;
        let id = serde_json::from_slice::<IdOnly>(&line)
            .ok()
            .and_then(|r| r.id);
        match id.and_then(|id| seen.get_mut(usize::try_from(id).ok()?)) {
            Some(s) if *s => t.duplicates += 1,
            Some(s) => *s = true,
            None => t.without_id += 1,
        }
    }
    t
}

/// Case `wet/*` (issue 10, defects 16 and 17).
///
/// - `wet/batch memory`: 40 records of 8 MB through `dechaff --wet`, and
///   the same 40 pages as JSON Lines: peak memory of each (`wait4`). WET
///   batches are capped by bytes as JSON Lines batches are, so both peaks
///   should be alike (before the cap: 727 MB against 124 MB).
/// - `wet/resync`: records whose `Content-Length` reaches past the end of
///   the file, read by `WetReader` in process, at a quarter and at full
///   size (16,000 and 64,000 records): the time ratio of a linear reader
///   is about 4 (before: 0.37 s for 4,000, 8.5 s for 16,000).
pub fn wet(ctx: &Ctx) {
    wet_batch_memory(ctx);
    wet_resync(ctx);
}

/// One WARC conversion record with the given declared length.
fn wet_record(id: usize, body: &str, length: usize) -> Vec<u8> {
    let mut out = format!(
        "WARC/1.0\r\nWARC-Type: conversion\r\nWARC-Target-URI: https://example.com/{id}\r\n\
         WARC-Date: 2024-05-01T10:00:00Z\r\nWARC-Record-ID: <urn:uuid:{id}>\r\n\
         Content-Type: text/plain\r\nContent-Length: {length}\r\n\r\n"
    )
    .into_bytes();
    out.extend_from_slice(body.as_bytes());
    out.extend_from_slice(b"\r\n\r\n");
    out
}

fn wet_batch_memory(ctx: &Ctx) {
    let size = ctx.scaled(8e6) as usize;
    let pages = ctx.utf8_pages();
    let mut page = String::with_capacity(size + 100_000);
    for p in pages.iter().cycle() {
        if page.len() >= size {
            break;
        }
        page.push_str(p);
        page.push('\n');
    }
    let tmp = ctx.tmp.path();
    let (wet, jsonl) = (tmp.join("big.warc.wet"), tmp.join("big.jsonl"));
    let mut wet_bytes = Vec::new();
    let mut jsonl_bytes = Vec::new();
    for id in 0..40 {
        wet_bytes.extend(wet_record(id, &page, page.len()));
        let line = serde_json::json!({"id": id, "text": page}).to_string();
        jsonl_bytes.extend_from_slice(line.as_bytes());
        jsonl_bytes.push(b'\n');
    }
    std::fs::write(&wet, &wet_bytes).expect("scratch is writable");
    std::fs::write(&jsonl, &jsonl_bytes).expect("scratch is writable");
    crate::cli::settle();
    let bin = crate::cli::Bin::new(ctx);
    let out = tmp.join("out.jsonl");
    let mut peaks = Vec::new();
    for (mode, input, bytes) in [
        ("--wet", &wet, wet_bytes.len()),
        ("--jsonl", &jsonl, jsonl_bytes.len()),
    ] {
        let mut cmd = bin.cmd();
        cmd.arg(mode).arg(input).arg("-o").arg(&out);
        let run = crate::measure::run_child(&mut cmd, None, None, tmp);
        let name = format!("wet/batch memory {mode}");
        let note = format!("40 records of {:.1} MB", page.len() as f64 / 1e6);
        crate::cli::row(&name, bytes as u64, &run, None, &note).print();
        crate::measure::remark(&run.summary());
        peaks.push(run.rss_mb);
        crate::inputs::remove(&out);
    }
    crate::measure::remark(&format!(
        "peak memory --wet / --jsonl on the same pages: {:.2} (capped batches: about 1)",
        peaks[0] / peaks[1]
    ));
    crate::inputs::remove(&wet);
    crate::inputs::remove(&jsonl);
}

fn wet_resync(ctx: &Ctx) {
    let full = ctx.scaled(64_000.0) as usize;
    let build = |n: usize| -> Vec<u8> {
        (0..n)
            .flat_map(|i| {
                let body = format!("Page {i} of the crawl: a short line of text.\n");
                // Past the end of the file: a length that lands inside the
                // file may end exactly where a later record ends, and then
                // swallows the records in between unnoticed (the reader's
                // documented limit), which would spoil the count.
                wet_record(i, &body, body.len() + 60_000_000)
            })
            .collect()
    };
    let mut secs = Vec::new();
    for (label, n) in [("/4", full / 4), ("", full)] {
        let input = build(n);
        crate::measure::reset_peak_rss();
        let (items, s) = crate::measure::timed(|| {
            dechaff::wet::WetReader::new(&input[..])
                .map(|r| r.is_err())
                .filter(|&bad| bad)
                .count()
        });
        let row = crate::measure::Row {
            name: format!("wet/resync {n} bad lengths{label}"),
            bytes: Some(input.len() as u64),
            secs: s,
            rss_mb: crate::measure::peak_rss_mb(),
            note: format!("{items} of {n} records reported"),
            ..crate::measure::Row::default()
        };
        row.print();
        secs.push(s);
    }
    let ratio = secs[1] / secs[0].max(1e-9);
    crate::measure::remark(&format!(
        "time ratio full / quarter {ratio:.2} (linear ~4, quadratic ~16){}",
        if secs[1] < 0.05 {
            ": too short to judge at this scale"
        } else {
            ""
        }
    ));
}
