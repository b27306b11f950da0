//! Peak heap memory of cleaning one page, counted by a global allocator
//! (allocations, not time: deterministic on every machine). Issue 10,
//! defect 18: a page of one-character lines once peaked at about 125
//! times its size, because every line held owned strings and vectors.
//! The benchmark (`cargo bench --bench throughput -- --only file`) reports
//! the same figure for the binary.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

struct Counting;

static NOW: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is forwarded to the system allocator unchanged; the
// counters only observe sizes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let now = NOW.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
        PEAK.fetch_max(now, Ordering::Relaxed);
        // SAFETY: the caller's contract is passed on as it is.
        unsafe { System.alloc(layout) }
    }

    // Counted as the change in size: a large buffer grows in place
    // (mremap), it is not held twice.
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if new_size >= layout.size() {
            let now = NOW.fetch_add(new_size - layout.size(), Ordering::Relaxed) + new_size
                - layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        } else {
            NOW.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
        }
        // SAFETY: as for alloc.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        NOW.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: as for alloc.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

/// Bytes allocated at the peak of `f`, above what was live before it.
fn peak_of(f: impl FnOnce()) -> usize {
    let base = NOW.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    f();
    PEAK.load(Ordering::Relaxed) - base
}

#[test]
fn a_page_of_short_lines_costs_a_bounded_number_of_bytes_per_line() {
    // One test function: the counters are global, and tests run in
    // parallel threads.
    let options = dechaff::Options {
        lang: Some("common".into()),
        min_kept: 0.0,
        ..dechaff::Options::default()
    };
    let cleaner = dechaff::Cleaner::new(dechaff::RuleSet::builtin(), options).unwrap();
    cleaner.clean("warm up the rules\n");
    for (name, line, per_line) in [
        // Most lines are later copies of the first four, removed as repeats.
        ("one-character lines", "a\nb\nc\nd\n", 120),
        // Every line kept: the output holds them all.
        ("numbered lines", "", 120),
    ] {
        let lines = 200_000;
        let page: String = if line.is_empty() {
            (0..lines).map(|i| format!("{i}\n")).collect()
        } else {
            line.repeat(lines / 4)
        };
        let mut cleaned = None;
        let peak = peak_of(|| cleaned = Some(cleaner.clean(&page)));
        let cleaned = cleaned.unwrap();
        eprintln!("{name}: {} bytes per line at the peak", peak / lines);
        assert!(cleaned.text.len() + cleaned.removed.len() > 0);
        let bound = per_line * lines + 4 * page.len();
        assert!(
            peak <= bound,
            "{name}: {peak} bytes at the peak for {} bytes of {lines} lines \
             ({} per line; at most {per_line} per line plus 4x the page)",
            page.len(),
            peak / lines
        );
    }
}
