//! Accounting for JSON Lines records: every input id must come out exactly
//! once, cleaned or rejected.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;

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
