//! Generated inputs: the multilingual mix and the files, trees and JSON
//! Lines streams written from it.

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

/// Files per subdirectory of a generated tree.
const FILES_PER_DIR: usize = 250;
/// Record text sizes, log-uniform between these (typical article pages).
const RECORD_MIN: f64 = 2_000.0;
const RECORD_MAX: f64 = 20_000.0;

/// Reads the distinct pages of the mix: every fixture (without its `#!`
/// options line) and every dev-benchmark page, in a fixed order. Returns
/// them with a line saying where they came from.
pub fn load_corpus() -> (Vec<Vec<u8>>, String) {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut fixtures = Vec::new();
    walk(&root.join("tests/fixtures"), &mut fixtures);
    fixtures.retain(|p| p.extension().is_some_and(|e| e == "txt"));
    let dev_dir = root.join("../shared/bench/dev/input");
    let mut dev = Vec::new();
    walk(&dev_dir, &mut dev);
    let mut pages = Vec::new();
    for path in fixtures.iter().chain(&dev) {
        let bytes = fs::read(path).expect("corpus files are readable");
        pages.push(strip_options(bytes));
    }
    let bytes: usize = pages.iter().map(Vec::len).sum();
    let mut source = format!(
        "{} fixtures + {} dev pages, {:.2} MB distinct",
        fixtures.len(),
        dev.len(),
        bytes as f64 / 1e6
    );
    if dev.is_empty() {
        source.push_str(&format!(" ({} absent: fixtures only)", dev_dir.display()));
    }
    assert!(!pages.is_empty(), "no fixtures under tests/fixtures");
    (pages, source)
}

/// Drops a fixture's first line if it is a `#! lang=...` options line.
fn strip_options(bytes: Vec<u8>) -> Vec<u8> {
    if !bytes.starts_with(b"#!") {
        return bytes;
    }
    match bytes.iter().position(|&b| b == b'\n') {
        Some(nl) => bytes[nl + 1..].to_vec(),
        None => Vec::new(),
    }
}

/// Every file under `dir`, sorted; nothing if `dir` does not exist.
fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| Some(e.ok()?.path())).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            walk(&path, out);
        } else {
            out.push(path);
        }
    }
}

/// Cycles through `pages` until at least `target` bytes have been taken.
pub fn cycle<T: AsRef<[u8]>>(pages: &[T], target: u64) -> impl Iterator<Item = &T> {
    let mut taken = 0u64;
    pages.iter().cycle().take_while(move |p| {
        let more = taken < target;
        taken += p.as_ref().len() as u64;
        more
    })
}

/// Copies of `pages`, repeated to at least `target` bytes (distinct
/// allocations, as pages arriving from a crawl would be).
pub fn repeat_to(pages: &[Vec<u8>], target: u64) -> Vec<Vec<u8>> {
    cycle(pages, target).cloned().collect()
}

/// Writes `pages`, repeated to `target` bytes, as files in a two-level
/// tree under `dir`. Returns (files, bytes).
pub fn write_tree(dir: &Path, pages: &[Vec<u8>], target: u64) -> io::Result<(u64, u64)> {
    let (mut files, mut bytes) = (0u64, 0u64);
    for (i, page) in cycle(pages, target).enumerate() {
        let sub = dir.join(format!("{:04}", i / FILES_PER_DIR));
        if i % FILES_PER_DIR == 0 {
            fs::create_dir_all(&sub)?;
        }
        fs::write(sub.join(format!("page-{i:07}.txt")), page)?;
        files += 1;
        bytes += page.len() as u64;
    }
    Ok((files, bytes))
}

/// Writes one page made of `pages` concatenated (a blank line between)
/// to at least `target` bytes. Returns the bytes written.
pub fn write_concat(path: &Path, pages: &[&str], target: u64) -> io::Result<u64> {
    let mut out = BufWriter::new(File::create(path)?);
    let mut bytes = 0u64;
    for page in cycle(pages, target) {
        out.write_all(page.as_bytes())?;
        out.write_all(b"\n\n")?;
        bytes += page.len() as u64 + 2;
    }
    out.flush()?;
    Ok(bytes)
}

/// When a generated JSON Lines stream ends.
#[derive(Clone, Copy)]
pub enum Until {
    /// After this many records.
    Records(u64),
    /// Once this many bytes are written.
    Bytes(u64),
}

/// Writes `{"id", "url", "text"}` records whose texts run through `pages`,
/// each cut at a line end near a size drawn log-uniformly from 2-20 KB.
/// Returns (records, bytes).
pub fn write_jsonl(path: &Path, pages: &[&str], until: Until) -> io::Result<(u64, u64)> {
    #[derive(serde::Serialize)]
    struct Record<'a> {
        id: u64,
        url: String,
        text: &'a str,
    }
    let mut out = BufWriter::new(File::create(path)?);
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let (mut id, mut bytes, mut next) = (0u64, 0u64, 0usize);
    let mut text = String::new();
    loop {
        match until {
            Until::Records(n) if id >= n => break,
            Until::Bytes(n) if bytes >= n => break,
            _ => {}
        }
        let size = (RECORD_MIN.ln() + rng.unit() * (RECORD_MAX / RECORD_MIN).ln()).exp() as usize;
        text.clear();
        while text.len() < size {
            text.push_str(pages[next % pages.len()]);
            text.push_str("\n\n");
            next += 1;
        }
        let record = Record {
            id,
            url: format!(
                "https://news.example.com/{}/article-{id}.html",
                2000 + id % 25
            ),
            text: cut_near(&text, size),
        };
        let mut line = serde_json::to_vec(&record).expect("records serialize");
        line.push(b'\n');
        out.write_all(&line)?;
        bytes += line.len() as u64;
        id += 1;
    }
    out.flush()?;
    Ok((id, bytes))
}

/// `text` cut to at most `size` bytes, at the last line end past half of
/// it if there is one, else at a character boundary.
fn cut_near(text: &str, size: usize) -> &str {
    let mut end = size.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    match text[..end].rfind('\n') {
        Some(nl) if nl > end / 2 => &text[..nl + 1],
        _ => &text[..end],
    }
}

/// xorshift64*: deterministic inputs without a dependency.
struct Rng(u64);

impl Rng {
    /// A number in [0, 1).
    fn unit(&mut self) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Counts the files under `dir` (recursively).
pub fn count_files(dir: &Path) -> u64 {
    let mut files = Vec::new();
    walk(dir, &mut files);
    files.len() as u64
}

/// Removes a generated file or tree, ignoring what is already gone.
pub fn remove(path: &Path) {
    let _ = if path.is_dir() {
        fs::remove_dir_all(path)
    } else {
        fs::remove_file(path)
    };
}
