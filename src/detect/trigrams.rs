//! whatlang's combined method for Latin-script text, with its trigram half
//! computed from an inverted index.
//!
//! whatlang scores a text against each allowed language by looking each of
//! the language's 300 profile trigrams up in the text's trigram map: with
//! 25 Latin-script languages allowed that is 7,500 hash lookups per page,
//! the largest single cost of cleaning one (a fifth of the time). The same
//! sums come from the other side: each of the text's trigrams (at most 600)
//! is looked up once in an index from trigram to (language, rank) over
//! whatlang's own profiles (`latin_trigrams.json`, copied from the crate by
//! `tools/whatlang_profiles.py`). The alphabet half is whatlang's (its
//! `dev` API), and the halves are combined as whatlang combines them, so
//! the answer is whatlang's to the last bit: `fast_path_equals_whatlang`
//! compares the two on every fixture and seed page.

use std::sync::OnceLock;

use rustc_hash::FxHashMap;
use whatlang::dev::{alphabet_latin_calculate_scores, FilterList, LowercaseText};
use whatlang::Lang;

/// whatlang's constants (`trigrams/mod.rs`).
const MAX_TRIGRAM_DISTANCE: u32 = 300;
const MAX_TOTAL_DISTANCE: u32 = MAX_TRIGRAM_DISTANCE * MAX_TRIGRAM_DISTANCE;
const TEXT_TRIGRAMS_SIZE: usize = 600;

type Trigram = [char; 3];

/// The profiles, inverted.
struct Index {
    /// The languages in whatlang's profile order.
    langs: Vec<Lang>,
    /// For each trigram, the (language, rank) of every profile holding it.
    postings: FxHashMap<Trigram, Vec<(u8, u16)>>,
}

#[derive(serde::Deserialize)]
struct Profiles {
    languages: Vec<(String, Vec<String>)>,
}

fn index() -> &'static Index {
    static INDEX: OnceLock<Index> = OnceLock::new();
    INDEX.get_or_init(|| {
        let profiles: Profiles = serde_json::from_str(include_str!("latin_trigrams.json"))
            .expect("latin_trigrams.json is valid (tested)");
        let mut index = Index {
            langs: Vec::new(),
            postings: FxHashMap::default(),
        };
        for (l, (code, trigrams)) in profiles.languages.iter().enumerate() {
            let lang = Lang::from_code(code).expect("profile codes are whatlang's (tested)");
            index.langs.push(lang);
            for (rank, t) in trigrams.iter().enumerate() {
                let mut chars = t.chars();
                let trigram = [(); 3].map(|_| chars.next().unwrap_or(' '));
                let (l, rank) = (l as u8, rank as u16);
                index.postings.entry(trigram).or_default().push((l, rank));
            }
        }
        index
    })
}

/// Punctuation, digits and ASCII symbols count as spaces
/// (whatlang's `is_stop_char`).
fn to_trigram_char(c: char) -> char {
    if matches!(c, '\u{0000}'..='\u{0040}' | '\u{005B}'..='\u{0060}' | '\u{007B}'..='\u{007E}') {
        ' '
    } else {
        c
    }
}

/// The text's most frequent trigrams with their rank, as whatlang ranks
/// them (by count, then by trigram, both descending).
fn positions(text: &str) -> Vec<(Trigram, u32)> {
    let mut counts: FxHashMap<Trigram, u32> = FxHashMap::default();
    counts.reserve(text.len().min(2048));
    let mut chars = text.chars().map(to_trigram_char).chain(Some(' '));
    let mut c1 = ' ';
    let Some(mut c2) = chars.next() else {
        return Vec::new();
    };
    for c3 in chars {
        if !(c2 == ' ' && (c1 == ' ' || c3 == ' ')) {
            *counts.entry([c1, c2, c3]).or_insert(0) += 1;
        }
        c1 = c2;
        c2 = c3;
    }
    let mut ranked: Vec<(u32, Trigram)> = counts.into_iter().map(|(t, n)| (n, t)).collect();
    ranked.sort_unstable_by(|a, b| b.cmp(a));
    ranked
        .into_iter()
        .take(TEXT_TRIGRAMS_SIZE)
        .enumerate()
        .map(|(i, (_, t))| (t, i as u32))
        .collect()
}

/// whatlang's trigram scores of `text` (lowercased) against the allowed
/// Latin-script languages, best first, and the number of distinct
/// trigrams they were measured on.
fn trigram_scores(text: &str, filter: &FilterList) -> (Vec<(Lang, f64)>, usize) {
    let index = index();
    let positions = positions(text);
    let unique = positions.len();
    // Per language: the sum of rank distances of its trigrams the text
    // holds, and how many it holds.
    let mut near = vec![(0u32, 0u32); index.langs.len()];
    for (trigram, at) in &positions {
        for &(l, rank) in index.postings.get(trigram).into_iter().flatten() {
            let n = &mut near[l as usize];
            n.0 += at.abs_diff(u32::from(rank));
            n.1 += 1;
        }
    }
    let mut distances: Vec<(Lang, u32)> = Vec::new();
    for (&lang, &(sum, held)) in index.langs.iter().zip(&near) {
        if !filter.is_allowed(lang) {
            continue;
        }
        let mut dist = sum + (MAX_TRIGRAM_DISTANCE - held) * MAX_TRIGRAM_DISTANCE;
        let count = unique as u32;
        if MAX_TRIGRAM_DISTANCE > count {
            dist -= (MAX_TRIGRAM_DISTANCE - count) * MAX_TRIGRAM_DISTANCE;
        }
        distances.push((lang, dist.clamp(0, MAX_TOTAL_DISTANCE)));
    }
    distances.sort_unstable_by_key(|&(_, d)| d);
    let max_dist = unique as u32 * MAX_TRIGRAM_DISTANCE;
    let scores = distances
        .iter()
        .map(|&(lang, d)| (lang, (max_dist - d) as f64 / max_dist as f64))
        .collect();
    (scores, unique)
}

/// whatlang's `calculate_confidence`.
fn confidence(highest: f64, second: f64, count: usize) -> f64 {
    if highest == 0.0 {
        return 0.0;
    }
    if second == 0.0 {
        return highest;
    }
    let confident_rate = (3.0 / count as f64) + 0.015;
    let rate = (highest - second) / second;
    if rate > confident_rate {
        1.0
    } else {
        rate / confident_rate
    }
}

/// whatlang's answer (language, confidence) for `text` in Latin script:
/// its combined method, alphabets weighted against trigrams by length.
pub(crate) fn detect_latin(text: &str, filter: &FilterList) -> Option<(Lang, f64)> {
    let lower = LowercaseText::new(text);
    let alphabet = alphabet_latin_calculate_scores(&lower, filter);
    let (trigrams, count) = trigram_scores(&lower, filter);
    let mut langs: Vec<Lang> = alphabet.scores.iter().map(|x| x.0).collect();
    for (lang, _) in &trigrams {
        if !langs.contains(lang) {
            langs.push(*lang);
        }
    }
    let alphabet_weight =
        (-(alphabet.count as f64 / 300.0) + 2.0 / 3.0).clamp(1.0 / 3.0, 2.0 / 3.0);
    let trigram_weight = 1.0 - alphabet_weight;
    let score_of = |scores: &[(Lang, f64)], lang: Lang| {
        scores.iter().find(|(l, _)| *l == lang).map_or(0.0, |x| x.1)
    };
    let mut scores: Vec<(Lang, f64)> = langs
        .into_iter()
        .map(|lang| {
            let a = score_of(&alphabet.scores, lang);
            let t = score_of(&trigrams, lang);
            (lang, a * alphabet_weight + t * trigram_weight)
        })
        .collect();
    scores.sort_unstable_by(|a, b| b.1.partial_cmp(&a.1).unwrap_or(std::cmp::Ordering::Less));
    let mut best = scores.into_iter();
    let (lang, first) = best.next()?;
    let conf = match best.next() {
        Some((_, second)) => confidence(first, second, count),
        None => 1.0,
    };
    Some((lang, conf))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The text samples detection would read from every fixture and seed
    /// page, at both sample sizes, plus short and odd texts.
    fn samples() -> Vec<String> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
        let mut pages = Vec::new();
        let mut dirs = vec![root.join("fixtures"), root.join("seeds")];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).expect("test pages are readable") {
                let path = entry.expect("readable entry").path();
                if path.is_dir() {
                    dirs.push(path);
                } else if path.extension().is_some_and(|e| e == "txt") {
                    let bytes = std::fs::read(&path).expect("readable page");
                    pages.push(String::from_utf8_lossy(&bytes).into_owned());
                }
            }
        }
        assert!(pages.len() > 300, "found {} pages", pages.len());
        let mut out: Vec<String> = ["", " ", "a", "ab", "The", "Zürich 2024!", "ñ ñ ñ", "x"]
            .map(String::from)
            .into();
        for page in &pages {
            let text = crate::normalize::normalize(page);
            for size in [
                24,
                super::super::QUICK_SAMPLE_BYTES,
                super::super::SAMPLE_BYTES,
            ] {
                out.push(super::super::sample(&text, size));
            }
        }
        out
    }

    #[test]
    fn fast_path_equals_whatlang() {
        let filter = super::super::filter();
        let mut latin = 0;
        for sample in samples() {
            if whatlang::detect_script(&sample) != Some(whatlang::Script::Latin) {
                continue;
            }
            latin += 1;
            let reference = super::super::detector().detect(&sample);
            let fast = detect_latin(&sample, filter);
            let reference = reference.map(|i| (i.lang(), i.confidence()));
            // Bit for bit, so NaN (a text with no trigrams) is NaN too.
            let bits = |g: Option<(Lang, f64)>| g.map(|(l, c)| (l, c.to_bits()));
            assert_eq!(bits(fast), bits(reference), "{sample:?}");
        }
        assert!(latin > 500, "only {latin} Latin-script samples");
    }

    #[test]
    fn the_profiles_are_whatlangs_latin_languages_we_allow() {
        let index = index();
        let latin: Vec<&str> = super::super::LANGUAGES
            .iter()
            .copied()
            .filter(|c| {
                Lang::from_code(*c).is_some_and(|l| whatlang::Script::Latin.langs().contains(&l))
            })
            .collect();
        let codes: Vec<&str> = index.langs.iter().map(|l| l.code()).collect();
        let mut sorted = codes.clone();
        sorted.sort_unstable();
        let mut want = latin.clone();
        want.sort_unstable();
        assert_eq!(sorted, want);
        let entries: usize = index.postings.values().map(Vec::len).sum();
        assert_eq!(entries, 300 * codes.len());
    }
}
