//! Linear time (issue 4): pathological page shapes, each cleaned in
//! process at a quarter of its size and at full size. The time ratio of a
//! linear cleaner is about 4; a quadratic one shows about 16.

use std::fmt::Write;
use std::hint::black_box;

use dechaff::Cleaner;

use crate::measure::{self, timed, Row};
use crate::Ctx;

/// If the quarter-size run takes longer than this, the full size (16 times
/// as long if quadratic) is skipped.
const QUARTER_LIMIT_SECS: f64 = 30.0;
/// Full-size runs shorter than this are too noisy to call superlinear.
const MIN_JUDGED_SECS: f64 = 0.2;
/// A time ratio above this (linear: 4, quadratic: 16) counts as superlinear.
const SUPERLINEAR_RATIO: f64 = 6.0;
/// Characters cycled through by the one-character-lines page.
const ONE_CHARS: [&str; 8] = ["a", "1", "中", "S", "é", ".", "—", "x"];
/// The line of the repeated-line page: a dateline, digits, clutter words.
const REPEATED: &str = "LONDON, March 3 (Reuters) - Share prices rose 12% on Monday, \
                        相关新闻 said, after 4 days of losses.\n";

/// One shape: its name, and how to build it at a given full-size fraction.
struct Shape {
    name: &'static str,
    build: Box<dyn Fn(f64) -> String>,
}

/// Case `bounds/*`.
pub fn bounds(ctx: &Ctx) {
    let page_bytes = ctx.scaled(100e6) as usize;
    let line_bytes = ctx.scaled(50e6) as usize;
    let one_lines = ctx.scaled(1e6) as usize;
    let repeats = ctx.scaled(1e5) as usize;
    let shapes = [
        Shape {
            name: "page 100 MB",
            build: Box::new(move |f| exercise_page((page_bytes as f64 * f) as usize)),
        },
        Shape {
            name: "one 50 MB line",
            build: Box::new(move |f| {
                exercise_page((line_bytes as f64 * f) as usize).replace('\n', " ")
            }),
        },
        Shape {
            name: "1M one-char lines",
            build: Box::new(move |f| {
                let n = (one_lines as f64 * f) as usize;
                (0..n)
                    .map(|i| ONE_CHARS[i % ONE_CHARS.len()])
                    .collect::<Vec<_>>()
                    .join("\n")
            }),
        },
        Shape {
            name: "one line x 100k",
            build: Box::new(move |f| REPEATED.repeat((repeats as f64 * f) as usize)),
        },
    ];
    let cleaner = Cleaner::builtin();
    cleaner.clean(&exercise_page(100_000)); // compile the rule sets first
    for shape in &shapes {
        let quarter = run(
            &cleaner,
            &format!("bounds/{} /4", shape.name),
            &shape.build,
            0.25,
        );
        if quarter.secs > QUARTER_LIMIT_SECS {
            measure::remark(&format!(
                "full size skipped: the quarter took {:.1} s",
                quarter.secs
            ));
            continue;
        }
        let full = run(
            &cleaner,
            &format!("bounds/{}", shape.name),
            &shape.build,
            1.0,
        );
        let ratio = full.secs / quarter.secs;
        let verdict = if full.secs < MIN_JUDGED_SECS {
            "too short to judge at this scale"
        } else if ratio < SUPERLINEAR_RATIO {
            "linear"
        } else {
            "SUPERLINEAR"
        };
        measure::remark(&format!(
            "time ratio full / quarter {ratio:.2} (linear ~4): {verdict}"
        ));
    }
}

/// Builds one input, cleans it and prints its row.
fn run(cleaner: &Cleaner, name: &str, build: &dyn Fn(f64) -> String, fraction: f64) -> Row {
    let text = build(fraction);
    measure::reset_peak_rss();
    let (out, secs) = timed(|| black_box(cleaner.clean_bytes(text.as_bytes())).text.len());
    let row = Row {
        name: name.to_owned(),
        bytes: Some(text.len() as u64),
        secs,
        rss_mb: measure::peak_rss_mb(),
        note: format!("{} lines, {out} bytes kept", text.lines().count()),
        ..Row::default()
    };
    row.print();
    row
}

/// A page of about `size` bytes that exercises the rules: English and
/// Chinese prose with datelines and digits, share buttons, adverts, a menu,
/// bylines, prose that merely mentions clutter words, and a related-news
/// cut marker at the end.
pub fn exercise_page(size: usize) -> String {
    let mut page = String::with_capacity(size + 1024);
    let mut n = 0usize;
    while page.len() < size {
        n += 1;
        let _ = write!(
            page,
            "LONDON, March {d} (Reuters) - The city council approved {n} new schools on Monday \
             after a long debate about funding, road repairs and the cost of the new library, \
             officials said.\n\
             Share\n\
             Advertisement\n\
             Related stories were published later in the week, and {m} of them drew comments.\n\
             市政府昨日召开新闻发布会，宣布第{n}期城市公园改造工程已经全部完工，\
             相关新闻报道称附近居民纷纷前来参观。\n\
             Home | News | Sport | Business\n\
             Photo: Reuters\n\
             By John Smith | Updated 12:{m:02} GMT\n\n",
            d = n % 28 + 1,
            m = n % 60,
        );
    }
    page.push_str("Related stories\nCouncil approves budget\n相关新闻\n");
    page
}
