//! What one line looks like to the judgement: its class (prose, medium,
//! short) and the flags the edges of a region need.

use super::ScoreParams;
use crate::script;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Class {
    Prose,
    Medium,
    Short,
}

/// Lengths are `u32` (saturating) so that a page of a million short
/// lines holds 16 bytes per line here, not 40.
pub(crate) struct Features {
    /// Characters that count (`script::Measure::chars`).
    pub chars: u32,
    pub class: Class,
    /// The prose and title lengths that applied to this line.
    pub good_chars: u32,
    pub title_min_chars: u32,
    /// A token that is never article text on its own: no letters, one or
    /// two characters, or one lowercase word.
    pub stray: bool,
    /// The last character (before closing quotes) ends a sentence.
    pub ends_sentence: bool,
    /// Digits among letters: a date, a price, a numbered item, a table row.
    /// Lines like these are the article's data more often than its
    /// navigation (menus rarely hold digits), so they add to the body at
    /// `data_weight` of their length: enough to carry a table or a
    /// schedule that follows the prose.
    pub data: bool,
    /// One word in a spaced script: a menu item, never a title.
    pub single_word: bool,
    /// Ends in a bracketed count ("Title (5139)", "March 2024 (12)"): a
    /// link in a list of most-read stories, archives or categories, with
    /// its views or posts counted. Never prose, and never a title.
    pub counted: bool,
    /// At least four cased words, four in five of them capitalised: how
    /// English sites write the headlines of other stories in a link list.
    pub title_case: bool,
}

/// How many cased words a line needs before its capitals say anything.
const TITLE_CASE_WORDS: usize = 4;

/// Closing quotes and brackets that may follow a sentence's terminal.
const CLOSERS: &[char] = &['"', '\'', '”', '’', '»', '」', '』', ')', '）'];

pub(crate) fn features(text: &str, p: &ScoreParams) -> Features {
    let m = script::measure(text);
    let ends = |c: char| script::is_terminal(c) || p.sentence_end.contains(&c);
    let punct = m.punctuation || text.chars().any(|c| p.sentence_end.contains(&c));
    // Words, and of the words that start with a cased letter, how many
    // start with a capital.
    let (mut words, mut cased, mut upper) = (0usize, 0usize, 0usize);
    for w in text.split_whitespace() {
        words += 1;
        let first = w.chars().find(|&c| script::is_alphanumeric(c));
        if let Some(c) = first.filter(|c| c.is_uppercase() || c.is_lowercase()) {
            cased += 1;
            upper += usize::from(c.is_uppercase());
        }
    }
    // Stop words are only counted in scripts that space their words.
    let unspaced = (m.cjk + m.phrase_spaced) * 2 > m.chars;
    let dense = p.stopword_density <= 0.0 || unspaced || words < 4 || {
        let stop = text
            .split_whitespace()
            .filter(|w| {
                let w = w.trim_matches(|c: char| !script::is_alphanumeric(c));
                // Most words are lowercase already: look them up without
                // allocating a lowercased copy.
                if w.chars().any(char::is_uppercase) {
                    p.stopwords.contains(&w.to_lowercase())
                } else {
                    p.stopwords.contains(w)
                }
            })
            .count();
        stop as f64 / words as f64 >= p.stopword_density
    };
    // A line cut short with an ellipsis is a teaser of another page: it
    // may stand inside the body, but it does not carry it.
    let truncated = text.ends_with('…') || text.ends_with("...");
    let counted = ends_in_counter(text);
    let (good_chars, short_chars, title_min_chars) = p.lengths(&m);
    let class = if m.chars >= good_chars && dense && punct && !truncated && !counted {
        Class::Prose
    } else if m.chars >= short_chars && dense && !counted {
        Class::Medium
    } else {
        Class::Short
    };
    let ends_sentence = text
        .trim_end_matches(CLOSERS)
        .chars()
        .next_back()
        .is_some_and(ends)
        && !truncated;
    let single = words == 1 && !unspaced;
    let stray = m.letters == 0
        || (words == 1 && m.chars <= 2)
        || (single && m.cjk == 0 && text.chars().next().is_some_and(char::is_lowercase));
    let narrow = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    let title_case = cased >= TITLE_CASE_WORDS && upper * 5 >= cased * 4;
    Features {
        chars: narrow(m.chars),
        class,
        good_chars: narrow(good_chars),
        title_min_chars: narrow(title_min_chars),
        stray,
        ends_sentence,
        data: m.letters > 0 && m.digits > 0 && !counted,
        single_word: single && m.cjk == 0,
        counted,
        title_case,
    }
}

/// Whether `text` ends in a bracketed count, as category and archive
/// links print it ("Politics (47)", "Comments (3)"): navigation, not data.
fn ends_in_counter(text: &str) -> bool {
    let Some(rest) = text.strip_suffix(')').or_else(|| text.strip_suffix(']')) else {
        return false;
    };
    let digits = rest.len() - rest.trim_end_matches(|c: char| c.is_numeric()).len();
    digits > 0 && rest[..rest.len() - digits].ends_with(['(', '['])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_are_not_data() {
        assert!(ends_in_counter("Politics (47)"));
        assert!(ends_in_counter("Comments [3]"));
        assert!(!ends_in_counter("Population grew (2021)."));
        assert!(!ends_in_counter("A road (the A1)"));
    }
}
