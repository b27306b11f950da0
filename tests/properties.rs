//! Property tests: invariants of cleaning over generated pages.
//!
//! Pages mix scripts (Latin, Han, Cyrillic, kana, Arabic, emoji), control
//! and invisible characters, every line ending, very long lines, thousands
//! of short lines, repeated lines and clutter phrases. The invariants
//! themselves live in `fuzz/src/lib.rs` (`check`), shared with the fuzz
//! targets; see its documentation. This file adds idempotence and the
//! exceptions to it, named and tested one by one.

use std::sync::LazyLock;

use dechaff::{Action, Cleaned, Cleaner, Options, RuleSet};
use proptest::prelude::*;

#[allow(dead_code)]
#[path = "../fuzz/src/lib.rs"]
mod fuzz_bodies;

use fuzz_bodies::{check, split_lines, Input};

fn cleaner(lang: Option<&str>, trace: bool) -> Cleaner {
    let options = Options {
        lang: lang.map(str::to_owned),
        trace,
        ..Options::default()
    };
    Cleaner::new(RuleSet::builtin(), options).expect("valid options")
}

/// Rule sets compile on first use: one cleaner per configuration, shared
/// by every case.
static DETECT: LazyLock<Cleaner> = LazyLock::new(|| cleaner(None, true));
const LANGS: [&str; 6] = ["common", "eng", "cmn", "rus", "jpn", "nob"];
static FIXED: LazyLock<Vec<Cleaner>> =
    LazyLock::new(|| LANGS.iter().map(|l| cleaner(Some(l), true)).collect());

// ---------------------------------------------------------------- pages

const LATIN: &[&str] = &[
    "the",
    "of",
    "and",
    "to",
    "in",
    "is",
    "that",
    "council",
    "budget",
    "approved",
    "library",
    "river",
    "bridge",
    "Monday",
    "residents",
    "school",
    "funding",
    "debate",
    "new",
    "old",
    "og",
    "i",
    "på",
    "er",
    "det",
    "som",
    "kommunen",
    "vedtok",
    "Grüße",
    "café",
    "naïve",
];
const CYRILLIC: &[&str] = &[
    "в",
    "и",
    "на",
    "что",
    "новое",
    "здание",
    "городской",
    "библиотеки",
    "открылось",
    "жителей",
    "неделе",
    "сотни",
];
const ARABIC: &[&str] = &[
    "في",
    "من",
    "على",
    "المدينة",
    "مكتبة",
    "جديدة",
    "افتتحت",
    "السكان",
];
const EMOJI: &[&str] = &["😀", "👍🏽", "👨‍👩‍👧", "🇳🇴", "❤️", "🔥"];
const CLUTTER: &[&str] = &[
    "Share",
    "Tweet",
    "Related stories",
    "相关新闻",
    "相關新聞",
    "Foto: NTB",
    "Photo: AP",
    "Advertisement",
    "Read more",
    "Les også",
    "Читайте также",
    "関連記事",
    "관련기사",
    "© 2024 Example Media",
    "https://example.com/news/1",
    "12:30 | 11/12/2023",
    "news@example.com",
    "Home",
    "News",
    "12",
    "* * *",
    "en",
    "[Advertisement]",
    "关(guān)系",
    "[사진=연합뉴스]",
    "Hà Nội (TTXVN) -",
    "(完)",
    "上一篇",
];
/// Characters normalisation treats specially, and plain controls.
const ODD: &[char] = &[
    '\0', '\u{1}', '\u{7}', '\u{1b}', '\t', '\u{b}', '\u{c}', '\u{7f}', '\u{85}', '\u{a0}',
    '\u{ad}', '\u{180e}', '\u{2000}', '\u{200b}', '\u{200c}', '\u{200d}', '\u{2028}', '\u{2029}',
    '\u{202f}', '\u{2060}', '\u{3000}', '\u{feff}', '\u{fffd}', ' ', '\r',
];

fn spaced(words: &'static [&'static str], max: usize) -> impl Strategy<Value = String> {
    (
        prop::collection::vec(prop::sample::select(words), 1..max),
        prop::sample::select(&[".", "!", "?", "", ","][..]),
    )
        .prop_map(|(w, end)| w.join(" ") + end)
}

fn unspaced(range: (char, char), max: usize) -> impl Strategy<Value = String> {
    (
        prop::collection::vec(proptest::char::range(range.0, range.1), 1..max),
        prop::sample::select(&["。", "！", "", "，"][..]),
    )
        .prop_map(|(c, end)| c.into_iter().collect::<String>() + end)
}

/// One line of a page (no line break inside, except the odd ones).
fn line() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => spaced(LATIN, 40),
        2 => spaced(CYRILLIC, 30),
        1 => spaced(ARABIC, 20),
        1 => spaced(EMOJI, 6),
        3 => unspaced(('\u{4E00}', '\u{4FFF}'), 80),
        1 => unspaced(('\u{3041}', '\u{30FF}'), 60),
        1 => unspaced(('\u{AC00}', '\u{AC80}'), 40),
        4 => prop::sample::select(CLUTTER).prop_map(str::to_owned),
        1 => "[a-z]{1,3}",
        1 => prop::collection::vec(
            prop_oneof![prop::sample::select(ODD), any::<char>(), proptest::char::range('a', 'e')],
            0..30
        )
        .prop_map(String::from_iter),
        1 => Just(String::new()),
        // A clutter phrase glued into prose.
        1 => (spaced(LATIN, 15), prop::sample::select(CLUTTER), spaced(LATIN, 15))
            .prop_map(|(a, c, b)| format!("{a} {c} {b}")),
    ]
}

const BREAKS: &[&str] = &["\n", "\n", "\n", "\n\n", "\r\n", "\r", "\u{2028}", "\n \n"];

/// A page: lines, some repeated, joined by assorted line breaks.
fn page(max_lines: usize) -> impl Strategy<Value = String> {
    (
        prop::collection::vec((line(), prop::sample::select(BREAKS)), 0..max_lines),
        prop::collection::vec(
            (any::<prop::sample::Index>(), any::<prop::sample::Index>()),
            0..4,
        ),
        any::<bool>(),
    )
        .prop_map(|(mut lines, repeats, final_break)| {
            // Copy some lines elsewhere: captions twice in a row, the title again.
            for (from, to) in repeats {
                if !lines.is_empty() {
                    let copy = lines[from.index(lines.len())].clone();
                    let at = to.index(lines.len() + 1);
                    lines.insert(at, copy);
                }
            }
            let mut page = String::new();
            let n = lines.len();
            for (i, (text, brk)) in lines.into_iter().enumerate() {
                page.push_str(&text);
                if i + 1 < n || final_break {
                    page.push_str(brk);
                }
            }
            page
        })
}

/// A page with one very long line or thousands of short ones.
fn big_page() -> impl Strategy<Value = String> {
    prop_oneof![
        (page(10), spaced(LATIN, 40), 200..2000usize)
            .prop_map(|(p, s, n)| format!("{p}\n{}\n{p}", s.repeat(n))),
        (
            prop::collection::vec(prop::sample::select(CLUTTER), 1..8),
            1000..4000usize
        )
            .prop_map(|(c, n)| (0..n)
                .map(|i| c[i % c.len()])
                .collect::<Vec<_>>()
                .join("\n")),
        (line(), 1000..4000usize).prop_map(|(l, n)| format!("{l}\n").repeat(n)),
        (page(20), "[a-zæøå]{1,2}", 2000..5000usize)
            .prop_map(|(p, s, n)| format!("{p}\n{}{p}", format!("{s}\n").repeat(n))),
    ]
}

/// Encodes `page` as dechaff meets it on the web: UTF-8 with or without
/// BOM, UTF-16 with BOM, or a legacy encoding (lossily).
fn encode(page: &str, how: u8) -> Vec<u8> {
    match how % 5 {
        0 => page.as_bytes().to_vec(),
        1 => [&b"\xEF\xBB\xBF"[..], page.as_bytes()].concat(),
        2 => [0xFF, 0xFE]
            .into_iter()
            .chain(page.encode_utf16().flat_map(u16::to_le_bytes))
            .collect(),
        3 => encoding_rs::GBK.encode(page).0.into_owned(),
        _ => encoding_rs::WINDOWS_1251.encode(page).0.into_owned(),
    }
}

// ---------------------------------------------------------------- invariants

/// `n` cases from a fixed seed, so that `cargo test` (and CI) checks the
/// same pages on every run; a soak run (`DECHAFF_PROPTEST_SOAK=10 cargo
/// test --release --test properties`) draws ten times as many per unit,
/// from a random seed, to find new failures. Random seeds in every run
/// made a rare failure a flaky build rather than a reported defect.
fn config(n: u32) -> ProptestConfig {
    let soak: u32 = std::env::var("DECHAFF_PROPTEST_SOAK")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    if soak == 0 {
        ProptestConfig {
            cases: n,
            rng_seed: proptest::test_runner::RngSeed::Fixed(0x6465_6368_6166_6621),
            ..ProptestConfig::default()
        }
    } else {
        ProptestConfig {
            cases: n * 10 * soak,
            ..ProptestConfig::default()
        }
    }
}

proptest! {
    #![proptest_config(config(256))]

    /// Never panics; shape, size, JSON and trace invariants (`check`).
    #[test]
    fn cleaning_keeps_invariants(page in page(60)) {
        check(&DETECT.clean(&page), Input::Text(&page));
    }

    /// The same with every built-in language forced.
    #[test]
    fn forced_language_keeps_invariants(page in page(40), lang in 0..LANGS.len()) {
        check(&FIXED[lang].clean(&page), Input::Text(&page));
    }

    /// Decoding first: the page as bytes in assorted encodings.
    #[test]
    fn clean_bytes_keeps_invariants(page in page(40), how in any::<u8>()) {
        let bytes = encode(&page, how);
        let cleaned = DETECT.clean_bytes(&bytes);
        check(&cleaned, Input::Bytes(&bytes));
        if how % 5 == 2 {
            // UTF-16 with BOM round-trips exactly: the lines are the page's.
            prop_assert_eq!(cleaned.lines.len(), split_lines(&page).len());
            prop_assert_eq!(cleaned.replaced_bytes, 0);
        }
    }

    /// Arbitrary bytes, not only encoded text.
    #[test]
    fn arbitrary_bytes_keep_invariants(bytes in prop::collection::vec(any::<u8>(), 0..3000)) {
        check(&DETECT.clean_bytes(&bytes), Input::Bytes(&bytes));
    }

    /// Cleaning cleaned text changes nothing, with the language fixed
    /// (see `reclean_difference` for the one named exception).
    #[test]
    fn cleaning_is_idempotent(page in page(60), lang in 0..LANGS.len()) {
        let once = FIXED[lang].clean(&page);
        let twice = FIXED[lang].clean(&once.text);
        if let Some(why) = reclean_difference(&once, &twice) {
            prop_assert!(false, "{} ({}): {:?} -> {:?}", why, LANGS[lang], once.text, twice.text);
        }
    }

    /// With detection, too, as long as the cleaned text is detected as the
    /// same language (a page's menus and captions can tip detection).
    #[test]
    fn cleaning_is_idempotent_with_detection(page in page(60)) {
        let once = DETECT.clean(&page);
        let twice = DETECT.clean(&once.text);
        if twice.lang != once.lang {
            // Named exception: see `detection_changes_on_cleaned_text`.
            return Ok(());
        }
        if let Some(why) = reclean_difference(&once, &twice) {
            prop_assert!(false, "{} ({}): {:?} -> {:?}", why, once.lang, once.text, twice.text);
        }
    }
}

proptest! {
    #![proptest_config(config(16))]

    /// Very long lines and thousands of short or repeated lines.
    #[test]
    fn big_pages_keep_invariants(page in big_page()) {
        let once = DETECT.clean(&page);
        check(&once, Input::Text(&page));
        let fixed = &FIXED[1];
        let once = fixed.clean(&page);
        let twice = fixed.clean(&once.text);
        prop_assert!(reclean_difference(&once, &twice).is_none());
    }
}

/// Why cleaning `once.text` again (giving `twice`) did not give the same
/// text, or `None` if it did or the difference is a named exception:
///
/// - a cut marker whose rule ignores the first part of a page
///   (`min_position`) was in that part of the page, but is past it in the
///   cleaned text, which lost the menus before it or kept little after it:
///   the second cleaning cuts there (see `cut_marker_moves_past_min_position`).
fn reclean_difference(once: &Cleaned, twice: &Cleaned) -> Option<String> {
    if twice.text == once.text {
        return None;
    }
    let blocks = |c: &Cleaned| -> Vec<String> {
        c.text
            .trim_end_matches('\n')
            .split("\n\n")
            .filter(|b| !b.is_empty())
            .map(str::to_owned)
            .collect()
    };
    if let Some(cut) = twice.removed.iter().find(|r| r.action == Action::CutAfter) {
        // `once.text` has one block every other line: the cut line is block m.
        let m = (cut.line - 1) / 2;
        let (before, after) = (blocks(once), blocks(twice));
        // What is left is a head of the page up to the marker (whose own
        // block keeps at most the text before the marker); scoring may
        // then end the body earlier, as for any page that ends there.
        let k = after.len();
        let head = k <= m + 1
            && after[..k.min(m)] == before[..k.min(m)]
            && (k <= m || before[m].starts_with(after[m].as_str()));
        if head {
            return None;
        }
    }
    let removals: Vec<String> = twice
        .removed
        .iter()
        .map(|r| format!("{} {} {} {:?}", r.line, r.action.name(), r.rule, r.text))
        .collect();
    Some(format!("re-cleaning removed {removals:?}"))
}

// ---------------------------------------------------------------- named cases

/// Known defect, found by the property above: a near tie in the sequence
/// model. Cleaned once, the region reaches back to the short Han line
/// through a line worth 4 that the cleaning drops; cleaned again, the
/// region starts at the last line (106 against 103 with the Han prose
/// line and the short English line before it), the title logic then takes
/// the Han prose line as the headline and drops the short line above it.
/// Run with `cargo test --test properties -- --ignored`.
#[test]
#[ignore = "known defect: re-cleaning a near tie drops a line above the headline"]
fn near_tie_re_cleaning_keeps_the_line_above_the_headline() {
    let page = "the.\nthe.\nthe.\nthe.\nفي.\n0¡0\u{e000}¡aA0\n一一一一一一一一一一。\n\n\
        一一丁伃仫佀侥丰侠仺传侑侵侰伴俭伜伬伷丩俙乊俋佱习佌仞侄两伎京二亣俩亝仜俀仂亇仓仔仛丩侅侥侳伒了伳人佟侜伅优俞亥俛佴侅俾仏俭一伐侺俑亖俗丼任乁丰侔佩乶侩，\n \n\
        vedtok council old det in residents budget of new of is\nفي.\n\
        на библиотеки новое неделе библиотеки новое на новое неделе и открылось жителей новое неделе неделе новое здание городской,\n \n";
    let once = DETECT.clean(page);
    let twice = DETECT.clean(&once.text);
    assert_eq!(twice.lang, once.lang);
    assert_eq!(reclean_difference(&once, &twice), None);
}

/// The exception to idempotence: "相关新闻" at 20% of the page is ignored
/// (cmn/related-news applies from 30% on), but the cleaned text lost the
/// menu after it, so there it stands later and cuts.
#[test]
fn cut_marker_moves_past_min_position() {
    let prose = "经过一年多的施工，市中心的城市公园改造工程于本周正式完工，新增了步行道、儿童游乐区和大片绿地，附近居民纷纷前来参观。";
    let footer = "首页\n新闻\n体育\n财经\n科技\n娱乐\n汽车\n房产\n".repeat(8);
    let page = format!("{prose}\n相关新闻\n{prose}完工了。\n{footer}");
    let cmn = &FIXED[2];
    let once = cmn.clean(&page);
    assert!(once.text.contains("相关新闻"), "{once:#?}");
    let twice = cmn.clean(&once.text);
    assert!(!twice.text.contains("相关新闻"), "{twice:#?}");
    assert!(reclean_difference(&once, &twice).is_none());
}

/// The other exception: language detection samples a page's longest
/// lines, and the cleaned text lacks the dropped ones. Here a long Japanese
/// copyright footer makes a Chinese page Japanese; common/copyright drops
/// it, and the article left is detected as Chinese, whose rules also drop
/// the share line "分享到：微信" that the Japanese rules left in the body.
#[test]
fn detection_changes_on_cleaned_text() {
    let footer = format!(
        "©{}",
        "このサイトの記事や写真の無断転載を禁じます。すべての著作権は運営会社に帰属します。"
            .repeat(20)
    );
    let prose = [
        "经过一年多的施工，市中心的城市公园改造工程于本周正式完工，新增了步行道、儿童游乐区和大片绿地，附近居民纷纷前来参观。",
        "负责该项目的工程师表示，改造过程中保留了公园内的老树，并新建了雨水收集系统，以减少夏季暴雨对周边街道的影响。",
        "市政府表示，今后还将对其他几个老旧公园进行类似的改造，让更多市民享受到更好的公共空间。",
    ];
    let page = format!(
        "{footer}\n{}\n分享到：微信\n{}\n{}\n",
        prose[0], prose[1], prose[2]
    );
    let once = DETECT.clean(&page);
    assert_eq!(once.lang, "jpn", "{once:#?}");
    assert!(once.text.contains("\n分享到：微信\n"));
    let twice = DETECT.clean(&once.text);
    assert_eq!(twice.lang, "cmn");
    assert_eq!(twice.text, once.text.replace("分享到：微信\n\n", ""));
}

/// A page of one blank line has one trace entry (it had none).
#[test]
fn one_blank_line_is_one_trace_line() {
    for page in ["\n", " \n", "\r\n", "\u{200B}\n"] {
        let c = DETECT.clean(page);
        assert_eq!(c.lines.len(), 1, "{page:?}");
        assert_eq!(split_lines(page).len(), 1);
        check(&c, Input::Text(page));
    }
    assert!(DETECT.clean("").lines.is_empty());
    assert!(
        DETECT.clean("  \t").lines.is_empty(),
        "an unterminated blank line is no line"
    );
}

/// The output may be longer than the input by its blank lines: two prose
/// lines written without a blank line between come out with one.
#[test]
fn blank_lines_between_blocks_may_lengthen_the_output() {
    let a =
        "The council approved the new budget on Monday after a long debate about school funding.";
    let b =
        "The mayor said the vote showed that the town could still agree on the things that matter.";
    let page = format!("{a}\n{b}");
    let c = DETECT.clean(&page);
    assert_eq!(c.text, format!("{a}\n\n{b}\n"));
    assert_eq!(c.text.chars().count(), page.chars().count() + 2);
    check(&c, Input::Text(&page));
}

/// The checks themselves catch what they should (no tautologies): a kept
/// line that is not the input's, an unaccounted removal, broken JSON shape.
#[test]
fn check_rejects_invented_text() {
    let page = "Home\n\nThe council approved the new budget on Monday after a long debate about school funding.\n";
    let good = DETECT.clean(page);
    check(&good, Input::Text(page));
    let mut invented = good.clone();
    invented.text = invented.text.replace("council", "cabinet");
    assert!(std::panic::catch_unwind(|| check(&invented, Input::Text(page))).is_err());
    let mut lost = good.clone();
    lost.removed.clear();
    assert!(std::panic::catch_unwind(|| check(&lost, Input::Text(page))).is_err());
    let mut unkept = good.clone();
    unkept.text.clear();
    assert!(std::panic::catch_unwind(|| check(&unkept, Input::Text(page))).is_err());
    let mut miscounted = good;
    miscounted.lines.pop();
    assert!(std::panic::catch_unwind(|| check(&miscounted, Input::Text(page))).is_err());
}

/// A line that an inline rule empties is accounted for by its span alone
/// (it also had a removal with empty text).
#[test]
fn emptied_line_has_only_its_spans() {
    let kor = cleaner(Some("kor"), true);
    let page = "[사진=연합뉴스]\n시립 도서관의 새 건물이 이번 주에 문을 열었으며, 첫날부터 많은 시민들이 방문했다. 새 건물에는 어린이 독서실과 학습 공간이 마련되어 있다.\n";
    let c = kor.clean(page);
    let own: Vec<_> = c.removed.iter().filter(|r| r.line == 1).collect();
    assert_eq!(own.len(), 1, "{own:?}");
    assert_eq!(
        (own[0].rule, own[0].text),
        ("kor/photo-credit-inline", "[사진=연합뉴스]")
    );
    assert!(c.removed.iter().all(|r| !r.text.is_empty()));
    check(&c, Input::Text(page));
}
