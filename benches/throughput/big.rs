//! Case `big/*` (with `--big`): peak memory of the batch modes must stay
//! under 200 MB and flat in the input size, shown at 250 MB and 1 GB.

use crate::cli::{self, Bin, Jsonl};
use crate::inputs::{self, Until};
use crate::measure::{remark, run_child};
use crate::Ctx;

/// The two input sizes at `--scale 1`.
const SIZES: [f64; 2] = [250e6, 1e9];
/// Peak memory the batch modes must stay under (issue 3), MB.
const RSS_TARGET_MB: f64 = 200.0;

/// Case `big/*`: a directory and a JSON Lines stream at each size.
pub fn big(ctx: &Ctx) {
    let bin = Bin::new(ctx);
    let jobs = bin.jobs.then_some(ctx.threads);
    let label = jobs.map_or("default".into(), |j| format!("-j {j}"));
    let mut dir_rss = Vec::new();
    for size in SIZES {
        let input = ctx.tmp.path().join("big-in");
        let out = ctx.tmp.path().join("big-out");
        let (files, bytes) =
            inputs::write_tree(&input, &ctx.pages, ctx.scaled(size)).expect("scratch is writable");
        cli::settle();
        let mut cmd = bin.cmd();
        cmd.arg(&input).arg("-o").arg(&out);
        if let Some(j) = jobs {
            cmd.arg("-j").arg(j.to_string());
        }
        let run = run_child(&mut cmd, None, None, ctx.tmp.path());
        let written = inputs::count_files(&out);
        let name = format!("big/dir {} {label}", size_label(size * ctx.scale));
        let note = format!("{files} files in, {written} out");
        cli::row(&name, bytes, &run, None, &note).print();
        remark(&run.summary());
        dir_rss.push(run.rss_mb);
        inputs::remove(&out);
        inputs::remove(&input);
        cli::settle();
    }
    flatness("directory", &dir_rss);
    if !bin.jsonl {
        remark("big/jsonl: the binary has no --jsonl yet: skipped");
        return;
    }
    let mut jsonl_rss = Vec::new();
    for size in SIZES {
        let path = ctx.tmp.path().join("big.jsonl");
        let until = Until::Bytes(ctx.scaled(size));
        let (records, bytes) =
            inputs::write_jsonl(&path, &ctx.utf8_pages(), until).expect("scratch is writable");
        let input = Jsonl { path, records };
        cli::settle();
        let (run, check) = cli::run_jsonl(ctx, &bin, &input, jobs, true);
        let name = format!("big/jsonl {} {label}", size_label(size * ctx.scale));
        cli::row(
            &name,
            bytes,
            &run,
            None,
            &format!("stdin to stdout; {check}"),
        )
        .print();
        remark(&run.summary());
        jsonl_rss.push(run.rss_mb);
        inputs::remove(&input.path);
    }
    flatness("JSON Lines", &jsonl_rss);
}

/// Prints whether peak memory stayed under the target and flat.
fn flatness(what: &str, rss: &[f64]) {
    if let [small, large] = rss[..] {
        let ok = large < RSS_TARGET_MB && large < small * 1.5;
        remark(&format!(
            "{what}: peak {small:.0} MB at the smaller size, {large:.0} MB at 4x \
             (target < {RSS_TARGET_MB} MB and flat): {}",
            if ok { "ok" } else { "NOT MET" }
        ));
    }
}

/// `250 MB`, `1 GB`, `2.5 MB`: a size for a case name.
fn size_label(bytes: f64) -> String {
    match bytes {
        b if b >= 1e9 => format!("{} GB", (b / 1e8).round() / 10.0),
        b if b >= 10e6 => format!("{:.0} MB", b / 1e6),
        b => format!("{} MB", (b / 1e5).round() / 10.0),
    }
}
