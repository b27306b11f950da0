//! Cases that run the release binary: start-up, a directory, one large
//! file, JSON Lines, and the 1 GB memory cases. Peak memory is the child's
//! own, from `wait4`.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::inputs::{self, Until};
use crate::library::scaling_remark;
use crate::measure::{self, remark, run_child, ChildRun, Row};
use crate::records;
use crate::Ctx;

/// Start-up runs per figure (the median is reported).
const STARTUP_RUNS: usize = 20;

/// A short English page: a menu, a headline, a byline, two paragraphs,
/// share and related-stories clutter.
const SMALL_ENG: &str = "Home\nNews\nSport\nWeather\n\nCouncil approves new budget for schools\n\n\
    By Jane Doe | Updated 14:02 GMT\n\nThe city council approved the new budget on Monday after \
    a long debate about school funding, road repairs and the cost of the new library.\n\n\
    Officials said the plan would add 12 teachers and repair 40 kilometres of road by the end \
    of next year, while the library would open in the spring.\n\nShare\nRelated stories\n\
    Mayor opens new park\n";
/// A short Chinese page of the same shape.
const SMALL_CMN: &str = "首页\n新闻\n体育\n\n城市公园改造工程正式完工\n\n2024年3月5日 来源：本报\n\n\
    市政府昨日召开新闻发布会，宣布城市公园改造工程已经全部完工，新增步行道、儿童游乐区和大片绿地，\
    附近居民纷纷前来参观。\n\n据介绍，改造工程历时十个月，共投入资金三千万元，新建停车位两百个。\n\n\
    分享到：\n相关新闻\n市长出席新公园开园仪式\n";

/// The binary, and which batch flags its `--help` lists (builds from
/// before the batch modes lack them; their cases then shrink or skip).
pub struct Bin {
    /// The binary.
    path: PathBuf,
    /// `-j N` is offered.
    pub jobs: bool,
    /// `--jsonl` is offered.
    pub jsonl: bool,
    /// `--rejects FILE` is offered.
    pub rejects: bool,
}

impl Bin {
    /// Reads the flags from `--help`.
    pub fn new(ctx: &Ctx) -> Bin {
        let help = Command::new(&ctx.bin)
            .arg("--help")
            .output()
            .expect("the binary runs");
        let help = String::from_utf8_lossy(&help.stdout);
        Bin {
            path: ctx.bin.clone(),
            jobs: help.contains("--jobs") || help.contains("-j "),
            jsonl: help.contains("--jsonl"),
            rejects: help.contains("--rejects"),
        }
    }

    /// A command running the binary.
    pub fn cmd(&self) -> Command {
        Command::new(&self.path)
    }

    /// The `-j` values to run: 1 and all threads, or only the default
    /// while the binary has no `-j`.
    fn job_counts(&self, ctx: &Ctx) -> Vec<Option<usize>> {
        if self.jobs {
            vec![Some(1), Some(ctx.threads)]
        } else {
            remark("the binary has no -j yet: one run with its default");
            vec![None]
        }
    }
}

/// Runs `cp` (`-r` for trees) as the floor and prints its row.
fn floor_copy(ctx: &Ctx, name: &str, from: &Path, bytes: u64) -> f64 {
    let to = ctx.tmp.path().join("floor-copy");
    let mut cp = Command::new("cp");
    cp.arg("-r").arg(from).arg(&to);
    let run = run_child(&mut cp, None, None, ctx.tmp.path());
    assert_eq!(run.code, 0, "cp failed: {}", run.stderr);
    row(name, bytes, &run, None, "").print();
    inputs::remove(&to);
    run.secs
}

/// The table row of a child run.
pub fn row(name: &str, bytes: u64, run: &ChildRun, floor: Option<f64>, note: &str) -> Row {
    Row {
        name: name.to_owned(),
        bytes: Some(bytes),
        secs: run.secs,
        rss_mb: Some(run.rss_mb),
        floor_secs: floor,
        note: note.to_owned(),
    }
}

/// Flushes written inputs so their write-back does not overlap a timing.
pub fn settle() {
    // SAFETY: sync takes no arguments and cannot fail.
    unsafe { libc::sync() };
}

/// Case `startup/*`: `--help` and the first document, median of 20.
pub fn startup(ctx: &Ctx) {
    let bin = Bin::new(ctx);
    let tmp = ctx.tmp.path();
    let mut help = bin.cmd();
    help.arg("--help");
    let cases = [
        ("startup/--help", help, 5.0),
        (
            "startup/first doc eng",
            page_cmd(&bin, tmp, "small-eng.txt", SMALL_ENG),
            60.0,
        ),
        (
            "startup/first doc cmn",
            page_cmd(&bin, tmp, "small-cmn.txt", SMALL_CMN),
            60.0,
        ),
    ];
    for (name, mut cmd, target) in cases {
        let (ms, rss, code) = measure::median_ms(&mut cmd, STARTUP_RUNS, tmp);
        let verdict = if code != 0 {
            format!("EXIT {code}")
        } else if ms < target {
            "ok".into()
        } else {
            "ABOVE TARGET".into()
        };
        Row {
            name: name.into(),
            secs: ms / 1e3,
            rss_mb: Some(rss),
            note: format!("median of {STARTUP_RUNS}: {ms:.1} ms (target < {target} ms) {verdict}"),
            ..Row::default()
        }
        .print();
    }
}

/// `dechaff PAGE` for a page written to `tmp/name`.
fn page_cmd(bin: &Bin, tmp: &Path, name: &str, text: &str) -> Command {
    let path = tmp.join(name);
    std::fs::write(&path, text).expect("scratch is writable");
    let mut cmd = bin.cmd();
    cmd.arg(path);
    cmd
}

/// Case `dir/*`: the mix as a tree of files, at one and all threads.
pub fn dir(ctx: &mut Ctx) {
    let bin = Bin::new(ctx);
    let input = ctx.tmp.path().join("dir-in");
    let (files, bytes) =
        inputs::write_tree(&input, &ctx.pages, ctx.scaled(200e6)).expect("scratch is writable");
    settle();
    let floor = floor_copy(ctx, "dir/floor cp -r", &input, bytes);
    let mut rates = Vec::new();
    for jobs in bin.job_counts(ctx) {
        let out = ctx.tmp.path().join("dir-out");
        let mut cmd = bin.cmd();
        cmd.arg(&input).arg("-o").arg(&out);
        let label = jobs.map_or("default".into(), |j| format!("-j {j}"));
        if let Some(j) = jobs {
            cmd.arg("-j").arg(j.to_string());
        }
        let run = run_child(&mut cmd, None, None, ctx.tmp.path());
        let written = inputs::count_files(&out);
        let check = if written == files {
            "all files out"
        } else {
            "FILES MISSING"
        };
        let r = row(
            &format!("dir/cli {label}"),
            bytes,
            &run,
            Some(floor),
            &format!("{files} files in, {written} out: {check}"),
        );
        r.print();
        remark(&run.summary());
        rates.push(r.rate());
        inputs::remove(&out);
        settle();
    }
    if let [one, all] = rates[..] {
        scaling_remark(all / one, ctx.machine_ratio());
    }
    inputs::remove(&input);
}

/// Case `file/*`: one 100 MB page through the CLI.
pub fn file(ctx: &Ctx) {
    let bin = Bin::new(ctx);
    let input = ctx.tmp.path().join("page.txt");
    let bytes = inputs::write_concat(&input, &ctx.utf8_pages(), ctx.scaled(100e6))
        .expect("scratch is writable");
    settle();
    let floor = floor_copy(ctx, "file/floor cp", &input, bytes);
    let out = ctx.tmp.path().join("page-out.txt");
    let mut cmd = bin.cmd();
    cmd.arg(&input).arg("-o").arg(&out);
    let run = run_child(&mut cmd, None, None, ctx.tmp.path());
    let kept = std::fs::metadata(&out).map_or(0, |m| m.len());
    let note = if run.code == 0 {
        format!("{kept} bytes kept")
    } else {
        run.summary()
    };
    row("file/cli 100 MB page", bytes, &run, Some(floor), &note).print();
    inputs::remove(&out);
    inputs::remove(&input);
    short_lines(ctx, &bin);
}

/// Peak memory on pages of short lines (issue 10, defect 18), where
/// per-line state outweighs the text: 20 MB of one-character lines, and of
/// lines of 1 to 12 words with a blank line between.
fn short_lines(ctx: &Ctx, bin: &Bin) {
    let size = ctx.scaled(20e6) as usize;
    let words = [
        "the", "council", "said", "road", "budget", "new", "of", "school",
    ];
    let one_char: String = (0..size / 2)
        .map(|i| ["a\n", "b\n", "c\n", "d\n"][i % 4])
        .collect();
    let mut mixed = String::with_capacity(size + 100);
    let mut i = 0usize;
    while mixed.len() < size {
        let n = [1, 1, 2, 3, 12][i % 5];
        for k in 0..n {
            if k > 0 {
                mixed.push(' ');
            }
            mixed.push_str(words[(i * 7 + k * 3) % words.len()]);
        }
        mixed.push_str(if n > 10 { ".\n\n" } else { "\n\n" });
        i += 1;
    }
    for (name, text) in [("one-character lines", one_char), ("short lines", mixed)] {
        let input = ctx.tmp.path().join("short.txt");
        std::fs::write(&input, &text).expect("scratch is writable");
        let out = ctx.tmp.path().join("short-out.txt");
        let mut cmd = bin.cmd();
        cmd.arg(&input)
            .arg("-o")
            .arg(&out)
            .arg("--min-kept")
            .arg("0");
        let run = run_child(&mut cmd, None, None, ctx.tmp.path());
        let bytes = text.len() as u64;
        let note = format!(
            "{} lines; peak {:.1}x the input",
            text.lines().filter(|l| !l.is_empty()).count(),
            run.rss_mb * 1e6 / bytes as f64
        );
        row(&format!("file/cli {name}"), bytes, &run, None, &note).print();
        inputs::remove(&out);
        inputs::remove(&input);
    }
}

/// A generated JSON Lines input.
pub struct Jsonl {
    /// Where it is.
    pub path: PathBuf,
    /// How many records it holds.
    pub records: u64,
}

/// Case `jsonl/*`: 100 000 records through `--jsonl`, at one and all
/// threads, every id accounted for.
pub fn jsonl(ctx: &mut Ctx) {
    let bin = Bin::new(ctx);
    if !bin.jsonl {
        remark("jsonl: the binary has no --jsonl yet: skipped");
        return;
    }
    let path = ctx.tmp.path().join("in.jsonl");
    let until = Until::Records(ctx.scaled(1e5));
    let (records, bytes) =
        inputs::write_jsonl(&path, &ctx.utf8_pages(), until).expect("scratch is writable");
    let input = Jsonl { path, records };
    settle();
    let floor = floor_copy(ctx, "jsonl/floor cp", &input.path, bytes);
    let mut rates = Vec::new();
    for jobs in bin.job_counts(ctx) {
        let label = jobs.map_or("default".into(), |j| format!("-j {j}"));
        let (run, check) = run_jsonl(ctx, &bin, &input, jobs, false);
        let r = row(
            &format!("jsonl/cli {label}"),
            bytes,
            &run,
            Some(floor),
            &check,
        );
        r.print();
        remark(&run.summary());
        rates.push(r.rate());
    }
    if let [one, all] = rates[..] {
        scaling_remark(all / one, ctx.machine_ratio());
    }
    inputs::remove(&input.path);
}

/// Runs `--jsonl` over `input` (from the file, or with `stream` from stdin
/// to stdout), checks that every record came out cleaned or rejected, and
/// removes the outputs. Returns the run and the check's verdict.
pub fn run_jsonl(
    ctx: &Ctx,
    bin: &Bin,
    input: &Jsonl,
    jobs: Option<usize>,
    stream: bool,
) -> (ChildRun, String) {
    let tmp = ctx.tmp.path();
    let (out, rejects) = (tmp.join("out.jsonl"), tmp.join("rejects.jsonl"));
    let mut cmd = bin.cmd();
    // Without an input the stream is stdin; without -o, stdout.
    cmd.arg("--jsonl");
    if !stream {
        cmd.arg(&input.path).arg("-o").arg(&out);
    }
    if bin.rejects {
        cmd.arg("--rejects").arg(&rejects);
    }
    if let Some(j) = jobs {
        cmd.arg("-j").arg(j.to_string());
    }
    let run = if stream {
        run_child(&mut cmd, Some(&input.path), Some(&out), tmp)
    } else {
        run_child(&mut cmd, None, None, tmp)
    };
    let check = records::check(input.records, &out, &rejects);
    inputs::remove(&out);
    inputs::remove(&rejects);
    settle();
    (run, check)
}
