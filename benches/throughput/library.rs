//! In-process cases: the multilingual mix on one core and on all cores,
//! and the machine's own ratio for two CPU-bound threads.

use std::hint::black_box;

use dechaff::Cleaner;
use rayon::prelude::*;

use crate::inputs;
use crate::measure::{self, remark, timed, Row};
use crate::Ctx;

/// The mix's size at `--scale 1`.
const MIX_BYTES: f64 = 200e6;
/// The machine-ratio reference loop's input at `--scale 1`.
const REFERENCE_BYTES: f64 = 40e6;
/// The smallest reference, so tiny scales still give a usable ratio.
const REFERENCE_MIN: u64 = 4_000_000;
/// The share of the machine's ratio the library should reach (issue 3).
pub const SCALING_TARGET: f64 = 0.9;

/// Cleans every page on the current thread; returns the output bytes.
fn clean_all<T: AsRef<[u8]>>(cleaner: &Cleaner, pages: &[T]) -> usize {
    pages
        .iter()
        .map(|p| black_box(cleaner.clean_bytes(p.as_ref())).text.len())
        .sum()
}

/// A cleaner that has compiled every rule set the mix needs.
fn warm_cleaner(pages: &[Vec<u8>]) -> Cleaner {
    let cleaner = Cleaner::builtin();
    clean_all(&cleaner, pages);
    cleaner
}

/// Cases `mix/*`: the floor, one thread, all cores, and the scaling set
/// against the machine's ratio.
pub fn mix(ctx: &mut Ctx) {
    let ratio = ctx.machine_ratio();
    let pages = inputs::repeat_to(&ctx.pages, ctx.scaled(MIX_BYTES));
    let bytes: u64 = pages.iter().map(|p| p.len() as u64).sum();
    let cleaner = warm_cleaner(&ctx.pages);

    measure::reset_peak_rss();
    let (_, floor) = timed(|| {
        pages
            .iter()
            .map(|p| black_box(p.to_vec()).len())
            .sum::<usize>()
    });
    Row {
        name: "mix/floor to_vec".into(),
        bytes: Some(bytes),
        secs: floor,
        rss_mb: measure::peak_rss_mb(),
        ..Row::default()
    }
    .print();

    measure::reset_peak_rss();
    let (out, secs) = timed(|| clean_all(&cleaner, &pages));
    let one = Row {
        name: "mix/lib 1 thread".into(),
        bytes: Some(bytes),
        secs,
        rss_mb: measure::peak_rss_mb(),
        floor_secs: Some(floor),
        note: format!(
            "{} pages, {:.0}% removed; target >= 50 MB/s",
            pages.len(),
            100.0 * (1.0 - out as f64 / bytes as f64)
        ),
    };
    one.print();

    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(ctx.threads)
        .build()
        .expect("a thread pool");
    measure::reset_peak_rss();
    let (_, secs) = timed(|| {
        pool.install(|| {
            pages
                .par_iter()
                .map(|p| black_box(cleaner.clean_bytes(p)).text.len())
                .sum::<usize>()
        })
    });
    let all = Row {
        name: format!("mix/lib {} threads", ctx.threads),
        bytes: Some(bytes),
        secs,
        rss_mb: measure::peak_rss_mb(),
        floor_secs: Some(floor),
        note: "rayon par_iter, one shared Cleaner".into(),
    };
    all.print();
    scaling_remark(all.rate() / one.rate(), ratio);

    measure::reset_peak_rss();
    let (_, secs) = timed(|| pool.install(|| cleaner.clean_batch(&pages).len()));
    Row {
        name: format!("mix/lib batch {} threads", ctx.threads),
        bytes: Some(bytes),
        secs,
        rss_mb: measure::peak_rss_mb(),
        floor_secs: Some(floor),
        note: "Cleaner::clean_batch (holds every result)".into(),
    }
    .print();
    remark("peak MB of mix/* includes the input held in memory");
}

/// Prints a scaling figure against the machine's ratio.
pub fn scaling_remark(scaling: f64, machine: f64) {
    let share = scaling / machine;
    let verdict = if share >= SCALING_TARGET && scaling >= 1.0 {
        "ok"
    } else {
        "BELOW TARGET"
    };
    remark(&format!(
        "scaling {scaling:.2}x, machine ratio {machine:.2}x: {share:.2} of the machine \
         (target >= {SCALING_TARGET}, and >= 1.0x) {verdict}"
    ));
}

/// Combined over single throughput of the same CPU-bound loop (cleaning a
/// slice of the mix) on one thread and then on every thread at once, each
/// thread with its own `Cleaner` so nothing is shared but the hardware.
/// The single run is taken before and after the concurrent one and
/// averaged, so a change in the machine's load shows less.
pub fn machine_ratio(ctx: &Ctx) -> f64 {
    let target = ctx.scaled(REFERENCE_BYTES).max(REFERENCE_MIN);
    let pages = inputs::repeat_to(&ctx.pages, target);
    let cleaners: Vec<Cleaner> = (0..ctx.threads).map(|_| warm_cleaner(&ctx.pages)).collect();
    let single = || timed(|| clean_all(&cleaners[0], &pages)).1;
    let before = single();
    let (_, together) = timed(|| {
        std::thread::scope(|s| {
            for cleaner in &cleaners {
                s.spawn(|| clean_all(cleaner, &pages));
            }
        })
    });
    let after = single();
    let alone = (before + after) / 2.0;
    let ratio = ctx.threads as f64 * alone / together;
    let bytes: u64 = pages.iter().map(|p| p.len() as u64).sum();
    Row {
        name: "machine/1 thread".into(),
        bytes: Some(bytes),
        secs: alone,
        note: format!("reference loop (runs {before:.2} s, {after:.2} s)"),
        ..Row::default()
    }
    .print();
    Row {
        name: format!("machine/{} threads", ctx.threads),
        bytes: Some(bytes * ctx.threads as u64),
        secs: together,
        note: format!("independent Cleaners: ratio {ratio:.2}x"),
        ..Row::default()
    }
    .print();
    ratio
}
