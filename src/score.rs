//! Scoring stage: blocks the rules left open -> kept or dropped.
//!
//! Clutter that does not name itself is found by what it looks like and
//! where it stands:
//! 1. repeats: a line printed twice in a row (an image caption and its
//!    copy) loses both copies; a later copy of an earlier line (the title
//!    again above the comments, the lede again after a dateline) loses the
//!    later copy;
//! 2. each open block is classed as prose (long, with stop words or
//!    sentence punctuation), medium or short;
//! 3. the body is the run of blocks with the best balance of prose against
//!    the short lines between it (a maximum-sum segment), so menus before
//!    and link lists after fall away while subheadings inside stay;
//! 4. up to two title-like lines right before the body stay; stray tokens
//!    inside it (a lone "en", a lone number) go.
//!
//! Invariant: scoring only drops blocks; it never edits text.

use std::borrow::Cow;

use rustc_hash::FxHashSet as HashSet;

use crate::evidence::{Boundary, Evidence};
use crate::Removal;

use crate::ruleset::schema::ScoreSpec;
use crate::segment::{Action, Block, Verdict};

/// Scoring parameters after merging `common` with a language's file.
#[derive(Debug, Clone)]
pub(crate) struct ScoreParams {
    /// A line at least this long (in characters) can be prose.
    pub good_chars: usize,
    /// Below this a line is short: it stays only between prose lines.
    pub short_chars: usize,
    /// A title before the body must be at least this long.
    pub title_min_chars: usize,
    /// Share of stop words a prose line in a spaced script needs.
    pub stopword_density: f64,
    pub stopwords: HashSet<String>,
    pub sentence_end: Vec<char>,
}

/// Defaults that suit spaced scripts; CJK files lower the lengths.
const DEFAULT_GOOD_CHARS: usize = 80;
const DEFAULT_SHORT_CHARS: usize = 30;
const DEFAULT_TITLE_MIN_CHARS: usize = 12;
const DEFAULT_SENTENCE_END: &str = ".!?。！？…";
/// A repeat with a dateline prefix ("Hanoi —", "越通社河内——") is a repeat
/// only if the earlier line is a real sentence, not a word that recurs.
const MIN_REPEAT_CHARS: usize = 30;
const MAX_REPEAT_PREFIX_CHARS: usize = 30;
/// How many title or subtitle lines may precede the body.
const MAX_TITLE_LINES: usize = 2;
/// Rule-dropped lines (datelines, bylines, share bars of five to eight
/// buttons) allowed between title and body.
const MAX_TITLE_GAP: usize = 8;
/// Lines that end a sentence may close the body: a short last paragraph
/// ("It passed.") weighs nothing or less in the segment search.
const MAX_CLOSING_LINES: usize = 2;

impl ScoreParams {
    pub(crate) fn from_spec(spec: &ScoreSpec) -> ScoreParams {
        ScoreParams {
            good_chars: spec.good_chars.unwrap_or(DEFAULT_GOOD_CHARS),
            short_chars: spec.short_chars.unwrap_or(DEFAULT_SHORT_CHARS),
            title_min_chars: spec.title_min_chars.unwrap_or(DEFAULT_TITLE_MIN_CHARS),
            stopword_density: spec.stopword_density.unwrap_or(0.0),
            stopwords: spec
                .stopwords
                .iter()
                .flatten()
                .map(|w| w.to_lowercase())
                .collect(),
            sentence_end: spec
                .sentence_end
                .as_deref()
                .unwrap_or(DEFAULT_SENTENCE_END)
                .chars()
                .collect(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    Prose,
    Medium,
    Short,
}

struct Features {
    chars: usize,
    class: Class,
    stray: bool,
    /// The last character (before closing quotes) ends a sentence.
    ends_sentence: bool,
    /// Digits among letters: a date, a price, a numbered item, a table row.
    /// Lines like these are the article's data more often than its
    /// navigation (menus rarely hold digits), so they add to the body at
    /// half their length: enough to carry a table or a schedule that
    /// follows the prose.
    data: bool,
    /// One word in a spaced script: a menu item, never a title.
    single_word: bool,
}

const DUPLICATE: &str = "common/duplicate-caption";
const REPEAT: &str = "common/repeated-line";
const OUTSIDE: &str = "score/outside-body";
const STRAY: &str = "score/stray-token";

/// Decides every block of `blocks` from the rules' `evidence` (one entry
/// per block) and the blocks' own features. Removals of part of a line (a
/// boundary inside it) are added to `removals`.
pub(crate) fn judge<'r>(
    blocks: &mut [Block<'_, 'r>],
    evidence: &[Evidence<'r>],
    removals: &mut Vec<Removal>,
    p: &ScoreParams,
) {
    cut_at_boundary(blocks, evidence, removals);
    for (block, ev) in blocks.iter_mut().zip(evidence) {
        if block.verdict != Verdict::Undecided {
            continue;
        }
        if let Some(rule) = ev.drop {
            block.verdict = Verdict::Drop(Action::DropLine, &rule.id);
        }
    }
    score(blocks, p);
}

/// The first boundary marker at or past its rule's minimum position (the
/// share of the page's text before it) removes everything from the marker
/// on; text before the marker on the same line stays.
fn cut_at_boundary<'r>(
    blocks: &mut [Block<'_, 'r>],
    evidence: &[Evidence<'r>],
    removals: &mut Vec<Removal>,
) {
    let total: usize = blocks.iter().map(|b| b.text.len()).sum();
    if total == 0 {
        return;
    }
    let mut before = 0;
    let mut found = None;
    for (i, (block, ev)) in blocks.iter().zip(evidence).enumerate() {
        let position = before as f64 / total as f64;
        before += block.text.len();
        if block.verdict != Verdict::Undecided {
            continue;
        }
        if let Some(b) = ev.boundary.filter(|b| position >= b.rule.min_position) {
            found = Some((i, b));
            break;
        }
    }
    let Some((at, Boundary { rule, start })) = found else {
        return;
    };
    let head = blocks[at].text[..start].trim_end();
    if head.is_empty() {
        blocks[at].verdict = Verdict::Drop(Action::CutAfter, &rule.id);
    } else {
        removals.push(Removal {
            line: blocks[at].line,
            action: Action::CutAfter,
            rule: rule.id.clone(),
            text: blocks[at].text[start..].to_owned(),
        });
        let head = head.to_owned();
        blocks[at].text = Cow::Owned(head);
    }
    for block in &mut blocks[at + 1..] {
        if block.is_open() {
            block.verdict = Verdict::Drop(Action::CutAfter, &rule.id);
        }
    }
}

/// Decides every open block of `blocks`.
fn score(blocks: &mut [Block<'_, '_>], p: &ScoreParams) {
    mark_repeats(blocks);
    let open: Vec<usize> = (0..blocks.len()).filter(|&i| blocks[i].is_open()).collect();
    if open.is_empty() {
        return;
    }
    let feats: Vec<Features> = open.iter().map(|&i| features(&blocks[i].text, p)).collect();
    let Some((first, mut last)) = body(&feats, p) else {
        for &i in &open {
            blocks[i].verdict = Verdict::Drop(Action::Judge, OUTSIDE);
        }
        return;
    };
    let closing = feats[last + 1..]
        .iter()
        .take(MAX_CLOSING_LINES)
        .take_while(|f| f.ends_sentence && !f.single_word && !f.stray)
        .count();
    last += closing;
    for (k, &i) in open.iter().enumerate() {
        blocks[i].verdict = if k < first || k > last {
            Verdict::Drop(Action::Judge, OUTSIDE)
        } else if feats[k].stray {
            Verdict::Drop(Action::Judge, STRAY)
        } else {
            Verdict::Keep
        };
    }
    keep_title(blocks, open[first], &feats[..first], &open[..first], p);
}

/// Drops both copies of a line printed twice in a row, and later copies of
/// earlier lines (also behind a short dateline prefix).
fn mark_repeats(blocks: &mut [Block<'_, '_>]) {
    let open: Vec<usize> = (0..blocks.len()).filter(|&i| blocks[i].is_open()).collect();
    let mut verdicts: Vec<(usize, &'static str)> = Vec::new();
    {
        let mut seen: HashSet<&str> = HashSet::default();
        for (k, &i) in open.iter().enumerate() {
            let text: &str = &blocks[i].text;
            let twin = |j: Option<&usize>| j.is_some_and(|&j| blocks[j].text == text);
            if twin(k.checked_sub(1).and_then(|p| open.get(p))) || twin(open.get(k + 1)) {
                verdicts.push((i, DUPLICATE));
            } else if seen.contains(text) || has_seen_suffix(text, &seen) {
                verdicts.push((i, REPEAT));
            }
            seen.insert(text);
        }
    }
    for (i, id) in verdicts {
        blocks[i].verdict = Verdict::Drop(Action::Judge, id);
    }
}

/// Whether `text` is a seen line of at least [`MIN_REPEAT_CHARS`] behind a
/// prefix of at most [`MAX_REPEAT_PREFIX_CHARS`] ("Hanoi (VNA) –"). Tries
/// each suffix start in the prefix window: linear in the line, not in the
/// number of lines seen.
fn has_seen_suffix(text: &str, seen: &HashSet<&str>) -> bool {
    let total = text.chars().count();
    text.char_indices()
        .enumerate()
        .skip(1)
        .take(MAX_REPEAT_PREFIX_CHARS)
        .take_while(|(skipped, _)| total - skipped >= MIN_REPEAT_CHARS)
        .any(|(_, (at, _))| seen.contains(&text[at..]))
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF
        | 0xAC00..=0xD7AF | 0x20000..=0x3FFFF)
}

fn features(text: &str, p: &ScoreParams) -> Features {
    let mut chars = 0;
    let mut cjk = 0;
    let mut letters = 0;
    let mut punct = false;
    for c in text.chars() {
        if c.is_whitespace() {
            continue;
        }
        chars += 1;
        if is_cjk(c) {
            cjk += 1;
        }
        if c.is_alphabetic() {
            letters += 1;
        }
        if p.sentence_end.contains(&c) || matches!(c, ',' | '，' | '、' | ';' | '；') {
            punct = true;
        }
    }
    let words: Vec<&str> = text.split_whitespace().collect();
    let dense = if p.stopword_density <= 0.0 || cjk * 2 > chars || words.len() < 4 {
        true
    } else {
        let stop = words
            .iter()
            .filter(|w| {
                let w = w.trim_matches(|c: char| !c.is_alphanumeric());
                // Most words are lowercase already: look them up without
                // allocating a lowercased copy.
                if w.chars().any(char::is_uppercase) {
                    p.stopwords.contains(&w.to_lowercase())
                } else {
                    p.stopwords.contains(w)
                }
            })
            .count();
        stop as f64 / words.len() as f64 >= p.stopword_density
    };
    let class = if chars >= p.good_chars && dense && punct {
        Class::Prose
    } else if chars >= p.short_chars && dense {
        Class::Medium
    } else {
        Class::Short
    };
    let ends_sentence = text
        .trim_end_matches(['"', '\'', '”', '’', '»', '」', '』', ')', '）'])
        .chars()
        .next_back()
        .is_some_and(|c| p.sentence_end.contains(&c));
    let single = words.len() == 1;
    let stray = letters == 0
        || (single && chars <= 2)
        || (single && cjk == 0 && text.chars().next().is_some_and(char::is_lowercase));
    Features {
        chars,
        class,
        stray,
        ends_sentence,
        data: letters > 0 && text.chars().any(|c| c.is_ascii_digit()),
        single_word: single && cjk == 0,
    }
}

/// The body as a range of indices into `feats`: the maximum-sum segment,
/// where prose counts its length and each short line between costs a
/// share of a prose line.
fn body(feats: &[Features], p: &ScoreParams) -> Option<(usize, usize)> {
    let has_prose = feats.iter().any(|f| f.class == Class::Prose);
    // A page of medium lines only (short paragraphs, a language whose lines
    // the parameters misjudge) still has a body: the medium lines are it.
    let prose = |f: &Features| f.class == Class::Prose || (!has_prose && f.class == Class::Medium);
    let penalty = (p.good_chars / 3).max(1) as i64;
    let weight = |f: &Features| -> i64 {
        // A stray token is dropped even inside the body, so it must not
        // pull the body's edge out to itself (and the lines before it in):
        // cleaning the cleaned text again would then end the body earlier.
        if f.stray {
            -penalty
        } else if prose(f) {
            f.chars as i64
        } else if f.data {
            (f.chars / 2) as i64
        } else if f.class == Class::Medium {
            0
        } else {
            -penalty
        }
    };
    let (mut best, mut best_range) = (0i64, None);
    let (mut sum, mut start) = (0i64, 0usize);
    for (k, f) in feats.iter().enumerate() {
        if sum <= 0 {
            sum = 0;
            start = k;
        }
        sum += weight(f);
        if sum > best {
            best = sum;
            best_range = Some((start, k));
        }
    }
    let (mut first, last) = best_range?;
    // A segment never starts on a weightless line: trim leading medium lines
    // back to the first prose line, the title logic decides about them.
    while first < last && !prose(&feats[first]) {
        first += 1;
    }
    Some((first, last))
}

/// Keeps up to [`MAX_TITLE_LINES`] title-like lines right before the body.
fn keep_title(
    blocks: &mut [Block<'_, '_>],
    body_start: usize,
    before: &[Features],
    before_idx: &[usize],
    p: &ScoreParams,
) {
    let mut taken = 0;
    let mut k = before.len();
    let mut last_line = body_start;
    while k > 0 && taken < MAX_TITLE_LINES {
        k -= 1;
        let i = before_idx[k];
        let dropped_between = blocks[i + 1..last_line]
            .iter()
            .filter(|b| !b.is_open())
            .count();
        if dropped_between > MAX_TITLE_GAP || before[k].stray || before[k].chars < p.title_min_chars
        {
            break;
        }
        blocks[i].verdict = Verdict::Keep;
        taken += 1;
        last_line = i;
    }
}
