//! In-process Rust reference for `python/bench/throughput.py`: cleans the
//! `text` of every record of a JSON Lines file with one built-in
//! [`dechaff::Cleaner`] and times the cleaning loop alone.
//!
//! ```sh
//! cargo build --release --example throughput_inprocess
//! target/release/examples/throughput_inprocess docs.jsonl --threads 2
//! ```
//!
//! Prints one JSON object: `threads`, `docs`, `bytes` (input text),
//! `kept_bytes` (cleaned text, so the caller can check that it cleaned the
//! same documents to the same result) and `seconds`. Reading and parsing
//! the file, and compiling the rule set of each language met, happen
//! before the clock starts: what is timed is what `clean_arrow` does with
//! a batch already in memory.

use std::collections::HashSet;
use std::process::ExitCode;
use std::time::Instant;

use rayon::prelude::*;
use serde::Deserialize;

/// One input record; other keys (such as `id`) are ignored.
#[derive(Deserialize)]
struct Record {
    text: String,
}

fn usage() -> ExitCode {
    eprintln!("usage: throughput_inprocess FILE.jsonl [--threads N]");
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (path, threads) = match args.as_slice() {
        [path] => (path, 1),
        [path, flag, n] if flag == "--threads" => match n.parse::<usize>() {
            Ok(n) if n > 0 => (path, n),
            _ => return usage(),
        },
        _ => return usage(),
    };
    let source = match std::fs::read_to_string(path) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("throughput_inprocess: {path}: {e}");
            return ExitCode::from(1);
        }
    };
    let mut docs = Vec::new();
    for (i, line) in source.lines().enumerate() {
        match serde_json::from_str::<Record>(line) {
            Ok(r) => docs.push(r.text),
            Err(e) => {
                eprintln!("throughput_inprocess: {path}:{}: {e}", i + 1);
                return ExitCode::from(1);
            }
        }
    }
    drop(source);
    let bytes: usize = docs.iter().map(String::len).sum();

    let cleaner = dechaff::Cleaner::builtin();
    let pool = match rayon::ThreadPoolBuilder::new().num_threads(threads).build() {
        Ok(p) => p,
        Err(e) => {
            eprintln!("throughput_inprocess: threads {threads}: {e}");
            return ExitCode::from(1);
        }
    };
    // Rule sets compile on first use of each language, and the regex
    // engines' lazy DFA caches are per thread: every thread that will clean
    // cleans each distinct page once, so the timing holds neither, as in
    // the Python bench.
    let distinct: HashSet<&str> = docs.iter().map(String::as_str).collect();
    let warm = || {
        for d in &distinct {
            cleaner.clean_bytes(d.as_bytes());
        }
    };
    if threads == 1 {
        warm();
    } else {
        pool.broadcast(|_| warm());
    }

    let started = Instant::now();
    let kept_bytes: usize = if threads == 1 {
        docs.iter()
            .map(|d| cleaner.clean_bytes(d.as_bytes()).text.len())
            .sum()
    } else {
        pool.install(|| {
            docs.par_iter()
                .map(|d| cleaner.clean_bytes(d.as_bytes()).text.len())
                .sum()
        })
    };
    let seconds = started.elapsed().as_secs_f64();

    println!(
        "{{\"threads\": {threads}, \"docs\": {}, \"bytes\": {bytes}, \"kept_bytes\": {kept_bytes}, \"seconds\": {seconds:.6}}}",
        docs.len()
    );
    ExitCode::SUCCESS
}
