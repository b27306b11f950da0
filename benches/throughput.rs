//! Throughput, peak memory and start-up of dechaff, against a plain copy of
//! the same bytes (the floor).
//!
//! ```sh
//! cargo bench --bench throughput                      # the full run (minutes)
//! cargo bench --bench throughput -- --scale 0.05      # a quick development run
//! cargo bench --bench throughput -- --big             # also the 1 GB memory cases
//! cargo bench --bench throughput -- --only mix,bounds # some cases only
//! ```
//!
//! `--scale F` multiplies every input size (not the start-up runs). Each case
//! prints one line: input MB, seconds, MB/s, peak resident memory, and how
//! many times slower than its floor it is. Inputs are generated into a
//! temporary directory under `target/tmp` and removed at the end.
//!
//! Cases (`--only` takes their names, comma-separated):
//!
//! - `mix`: the multilingual mix (every `tests/fixtures/**/*.txt` and
//!   `../shared/bench/dev/input/*`, repeated to 200 MB) cleaned in process
//!   with `Cleaner::clean_bytes`, on one thread and on a rayon pool of all
//!   cores. The scaling (all cores / one core) is set against the machine's
//!   own ratio, measured in the same run: the same CPU-bound loop on one
//!   thread, then on all threads at once, each with its own `Cleaner`.
//!   Also `Cleaner::clean_batch` on the same pool. Peak memory here is the
//!   bench process's: the input held in memory, the `Cleaner` and its
//!   caches. Floor: `to_vec` of every page.
//! - `dir`: the mix as a directory of files, `dechaff DIR -o OUT -j 1` and
//!   `-j 2`; peak memory of the child (`wait4`). Floor: `cp -r`.
//! - `file`: one 100 MB page (the UTF-8 pages of the mix concatenated),
//!   `dechaff FILE -o OUT`. Floor: `cp`.
//! - `jsonl`: 100 000 records `{"id", "url", "text"}` of 2-20 KB
//!   (log-uniform, about 800 MB in all), `dechaff --jsonl IN -o OUT -j 1`
//!   and `-j 2`; every id must come out, cleaned or rejected. Floor: `cp`.
//! - `wet`: 40 records of 8 MB through `--wet` and the same pages through
//!   `--jsonl` (peak memory, batches capped by bytes), and 64,000 records
//!   with far too large `Content-Length`s read at a quarter and at full
//!   size (resynchronisation in linear time); see `records::wet`.
//! - `startup`: `dechaff --help`, and the first document (a short English
//!   and a short Chinese page): median of 20 runs each.
//! - `bounds`: linear time (issue 4): a 100 MB page, one 50 MB line,
//!   1 000 000 one-character lines, one line repeated 100 000 times, each at
//!   a quarter and at full size; the time ratio should be about 4.
//! - `big` (only with `--big`): a 1 GB directory and a 1 GB JSON Lines
//!   stream (stdin to stdout) at `-j 2`, and the same at 250 MB: peak
//!   memory should stay under 200 MB and flat in the input size.

// The crate root is benches/, so the case modules are named by path.
#[path = "throughput/big.rs"]
mod big;
#[path = "throughput/bounds.rs"]
mod bounds;
#[path = "throughput/cli.rs"]
mod cli;
#[path = "throughput/inputs.rs"]
mod inputs;
#[path = "throughput/library.rs"]
mod library;
#[path = "throughput/measure.rs"]
mod measure;
#[path = "throughput/records.rs"]
mod records;

use std::path::PathBuf;
use std::process::Command;

/// Every case name `--only` accepts, in the order they run.
const CASES: [&str; 8] = [
    "startup", "mix", "dir", "file", "jsonl", "wet", "bounds", "big",
];

/// What the command line asked for.
struct Args {
    scale: f64,
    big: bool,
    only: Option<Vec<String>>,
}

/// Shared by every case: the settings, the scratch directory and the corpus.
pub struct Ctx {
    /// Multiplies every input size.
    pub scale: f64,
    /// Threads for the "all cores" cases.
    pub threads: usize,
    /// The release-built binary.
    pub bin: PathBuf,
    /// Scratch space for generated inputs and outputs.
    pub tmp: tempfile::TempDir,
    /// The distinct pages of the mix, as read from disk.
    pub pages: Vec<Vec<u8>>,
    /// Combined / single throughput of independent CPU-bound threads,
    /// measured once when a case first needs it.
    machine_ratio: Option<f64>,
}

impl Ctx {
    /// Bytes, scaled by `--scale`.
    pub fn scaled(&self, bytes: f64) -> u64 {
        (bytes * self.scale).max(1.0) as u64
    }

    /// The pages that are valid UTF-8 (for JSON and concatenation).
    pub fn utf8_pages(&self) -> Vec<&str> {
        self.pages
            .iter()
            .filter_map(|p| std::str::from_utf8(p).ok())
            .collect()
    }

    /// The machine's own scaling ratio, measured on first use.
    pub fn machine_ratio(&mut self) -> f64 {
        if self.machine_ratio.is_none() {
            self.machine_ratio = Some(library::machine_ratio(self));
        }
        self.machine_ratio.expect("set just above")
    }
}

fn main() {
    let mut raw = std::env::args_os().skip(1);
    if raw.next().is_some_and(|a| a == measure::LAUNCH) {
        measure::launch(raw);
    }
    let args = match parse_args() {
        Ok(args) => args,
        Err(message) => {
            eprintln!("throughput: {message}");
            eprintln!(
                "usage: cargo bench --bench throughput -- [--scale F] [--big] [--only NAME,..]"
            );
            eprintln!("cases: {}", CASES.join(", "));
            std::process::exit(2);
        }
    };
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let target_tmp = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let tmp = tempfile::Builder::new()
        .prefix("throughput-")
        .tempdir_in(&target_tmp)
        .expect("target/tmp is writable");
    let (pages, source) = inputs::load_corpus();
    print_machine(threads, args.scale);
    println!("mix: {source}");
    let mut ctx = Ctx {
        scale: args.scale,
        threads,
        bin: PathBuf::from(env!("CARGO_BIN_EXE_dechaff")),
        tmp,
        pages,
        machine_ratio: None,
    };
    measure::header();
    for case in CASES {
        let wanted = match &args.only {
            Some(only) => only.iter().any(|o| o == case),
            None => case != "big" || args.big,
        };
        if !wanted {
            continue;
        }
        match case {
            "startup" => cli::startup(&ctx),
            "mix" => library::mix(&mut ctx),
            "dir" => cli::dir(&mut ctx),
            "file" => cli::file(&ctx),
            "jsonl" => cli::jsonl(&mut ctx),
            "wet" => records::wet(&ctx),
            "bounds" => bounds::bounds(&ctx),
            "big" => big::big(&ctx),
            _ => unreachable!("CASES lists every case"),
        }
    }
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        scale: 1.0,
        big: false,
        only: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) => (f.to_owned(), Some(v.to_owned())),
            None => (arg.clone(), None),
        };
        let mut value = || inline.clone().or_else(|| it.next());
        match flag.as_str() {
            // `cargo bench` passes --bench to every bench binary.
            "--bench" => {}
            "--big" => args.big = true,
            "--scale" => {
                let v = value().ok_or("--scale needs a number")?;
                args.scale = v
                    .parse()
                    .ok()
                    .filter(|s: &f64| *s > 0.0)
                    .ok_or(format!("--scale: \"{v}\" is not a positive number"))?;
            }
            "--only" => {
                let v = value().ok_or("--only needs a case name")?;
                let names: Vec<String> = v.split(',').map(str::to_owned).collect();
                if let Some(bad) = names.iter().find(|n| !CASES.contains(&n.as_str())) {
                    return Err(format!("--only: unknown case \"{bad}\""));
                }
                args.only = Some(names);
            }
            _ => return Err(format!("unknown argument \"{arg}\"")),
        }
    }
    Ok(args)
}

/// Prints what the numbers were measured on.
fn print_machine(threads: usize, scale: f64) {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|l| {
            l.strip_prefix("model name")
                .map(|v| v.trim_start_matches([' ', '\t', ':']))
        })
        .unwrap_or("unknown");
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let mem_gb = meminfo
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|v| v.trim().trim_end_matches(" kB").parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1e6);
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let load: Vec<&str> = load.split_whitespace().take(3).collect();
    let output = |cmd: &str, args: &[&str]| {
        Command::new(cmd)
            .args(args)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
            .unwrap_or_else(|| "unknown".into())
    };
    let rustc = output("rustc", &["--version"]);
    let commit = output("git", &["describe", "--always", "--dirty"]);
    println!(
        "machine: {model}, {threads} threads, {mem_gb:.0} GB RAM, load {}",
        load.join(" ")
    );
    println!("build: {rustc}, dechaff {commit}, scale {scale}");
}
