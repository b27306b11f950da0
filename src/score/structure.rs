//! Structure the judgement reads across lines: repeats, comment threads
//! and titles.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use super::features::{self, Class, Features};
use super::ScoreParams;
use crate::segment::{Action, Block, Verdict};

const DUPLICATE: &str = "common/duplicate-caption";
const REPEAT: &str = "common/repeated-line";
const COMMENTS: &str = "score/comment-thread";
/// A repeat with a dateline prefix ("Hanoi —", "越通社河内——") is a repeat
/// only if the earlier line is a real sentence, not a word that recurs.
const MIN_REPEAT_CHARS: usize = 30;
const MAX_REPEAT_PREFIX_CHARS: usize = 30;

/// Drops both copies of a line printed twice in a row, a line that is one
/// text printed twice, and later copies of earlier lines (also behind a
/// short dateline prefix).
pub(crate) fn mark_repeats(blocks: &mut [Block<'_, '_>]) {
    // One byte per open line, not a list of (index, id): on a page of a
    // million repeated short lines the list would outweigh the page.
    let open: Vec<usize> = (0..blocks.len()).filter(|&i| blocks[i].is_open()).collect();
    let mut found: Vec<Option<Repeat>> = vec![None; open.len()];
    {
        let mut seen: HashSet<&str> = HashSet::default();
        for (k, &i) in open.iter().enumerate() {
            let text: &str = &blocks[i].text;
            let twin = |j: Option<&usize>| j.is_some_and(|&j| blocks[j].text == text);
            if twin(k.checked_sub(1).and_then(|p| open.get(p)))
                || twin(open.get(k + 1))
                || printed_twice(text)
            {
                found[k] = Some(Repeat::Twin);
            } else if seen.contains(text) || has_seen_suffix(text, &seen) {
                found[k] = Some(Repeat::Later);
            }
            seen.insert(text);
        }
    }
    for (&i, copy) in open.iter().zip(found) {
        let id = match copy {
            Some(Repeat::Twin) => DUPLICATE,
            Some(Repeat::Later) => REPEAT,
            None => continue,
        };
        blocks[i].verdict = Verdict::Drop(Action::Judge, id);
    }
}

/// What [`mark_repeats`] found a line to be a copy of.
#[derive(Clone, Copy)]
enum Repeat {
    /// Its neighbour, or itself (printed twice on one line).
    Twin,
    /// An earlier line.
    Later,
}

/// Whether `text` is one text printed twice on one line ("Best deals of
/// 2019 Best deals of 2019"): a link's text and its title, a teaser.
fn printed_twice(text: &str) -> bool {
    let half = text.len() / 2;
    text.len() >= 2 * MIN_REPEAT_CHARS
        && text.is_char_boundary(half)
        && text[half..].starts_with(' ')
        && text[..half] == text[half + 1..]
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

/// A comment thread's action line ("Reply", "Antworten", "回复", "Report")
/// is short: a few words at most.
const MAX_ACTION_CHARS: usize = 24;
const MAX_ACTION_WORDS: usize = 3;
/// A thread is at least this many groups, each ending in the same action
/// line...
const MIN_THREAD_GROUPS: usize = 3;
/// ...at most this many lines apart (name, time, a few paragraphs)...
const MAX_GROUP_LINES: usize = 12;
/// ...and at least this share of the groups looks like a comment: a stamp
/// (a short line with a digit: a time, a date, a score) and a sentence.
/// Teaser lists repeat their "Read more", articles their "Advertisement"
/// and product lists their features too, but a thread is stamped talk.
const MIN_COMMENT_SHARE: f64 = 0.5;
const MAX_STAMP_CHARS: usize = 40;
const MAX_RELATIVE_WORDS: usize = 4;

/// A thread repeats its action lines ("Reply", "Report", "Like"); a
/// product grid or a schedule repeats most of its lines in every group.
const MAX_ACTION_LINES: usize = 3;

/// How many distinct short lines recur in at least [`MIN_THREAD_GROUPS`]
/// places of `span`.
fn template_lines(span: &[Block<'_, '_>]) -> usize {
    let mut counts: HashMap<&str, usize> = HashMap::default();
    for b in span {
        if b.text.chars().count() <= MAX_ACTION_CHARS {
            *counts.entry(&b.text).or_default() += 1;
        }
    }
    counts.values().filter(|&&n| n >= MIN_THREAD_GROUPS).count()
}

/// A short line that dates a comment: a time or date ("12:11 PM",
/// "06.11.23", "2019"), a CJK date ("3月5日"), or a relative time, where a
/// number stands as a word before the unit ("3 hours ago", "vor 2
/// Stunden"). Product lines carry numbers too, but not in these shapes:
/// a price ("$139.00") has a currency sign, a model name ends in its
/// number ("Apple Watch Series 3") or fuses it with a unit ("38mm").
fn is_stamp(text: &str) -> bool {
    if text.chars().count() > MAX_STAMP_CHARS
        || !text.chars().any(char::is_numeric)
        || text.chars().any(crate::script::is_currency)
    {
        return false;
    }
    let bytes = text.as_bytes();
    // Digit runs as byte ranges (ASCII digits: dates and times on the web
    // are written with them in nearly every script).
    let mut runs: Vec<(usize, usize)> = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii_digit() {
            let start = i;
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
            runs.push((start, i));
        } else {
            i += 1;
        }
    }
    let dated = runs
        .windows(2)
        .any(|w| w[1].0 == w[0].1 + 1 && matches!(bytes[w[0].1], b':' | b'.' | b'/' | b'-'));
    let year = runs.iter().any(|&(a, b)| {
        b - a == 4 && (text[a..b].starts_with("19") || text[a..b].starts_with("20"))
    });
    let cjk_date = runs.iter().any(|&(_, b)| {
        text[b..]
            .chars()
            .next()
            .is_some_and(|c| "年月日天时時分秒周週".contains(c))
    });
    // "3 hours ago", "vor 2 Stunden": the number leads a line of a few
    // words; in "Brightwood Pruner 7 with charger" it follows a name.
    let words: Vec<&str> = text
        .split_whitespace()
        .take(MAX_RELATIVE_WORDS + 1)
        .collect();
    let relative = words.len() <= MAX_RELATIVE_WORDS
        && words
            .iter()
            .take(2)
            .take(words.len() - 1)
            .any(|w| w.chars().all(|c| c.is_ascii_digit()));
    dated || year || cjk_date || relative
}

/// Drops the open lines of comment threads, recognised by their
/// structure: the same short action line recurring every few lines, with
/// times or dates in most groups. When nothing that could be prose is
/// left outside the threads, the page is a forum thread whose posts are
/// its content, and nothing is dropped.
pub(crate) fn mark_comment_threads(blocks: &mut [Block<'_, '_>], p: &ScoreParams) {
    // u32 positions: a page of short lines lists nearly every line here.
    let mut at: HashMap<&str, Vec<u32>> = HashMap::default();
    for (i, b) in blocks.iter().enumerate() {
        let t: &str = &b.text;
        let short = t.chars().count() <= MAX_ACTION_CHARS
            && t.split_whitespace().count() <= MAX_ACTION_WORDS
            && t.chars().any(crate::script::is_letter);
        if let (true, Ok(i)) = (short, u32::try_from(i)) {
            at.entry(t).or_default().push(i);
        }
    }
    let mut spans: Vec<(usize, usize)> = Vec::new();
    for positions in at.values().filter(|v| v.len() >= MIN_THREAD_GROUPS) {
        let positions: Vec<usize> = positions.iter().map(|&i| i as usize).collect();
        for run in positions.chunk_by(|a, b| (2..=MAX_GROUP_LINES).contains(&(b - a))) {
            if run.len() < MIN_THREAD_GROUPS {
                continue;
            }
            let mut gaps: Vec<usize> = run.windows(2).map(|w| w[1] - w[0]).collect();
            gaps.sort_unstable();
            let gap = gaps[gaps.len() / 2];
            let first = run[0].saturating_sub(gap - 1);
            let groups =
                std::iter::once((first, run[0])).chain(run.windows(2).map(|w| (w[0] + 1, w[1])));
            let (mut comments, mut total) = (0, 0);
            for (a, b) in groups {
                total += 1;
                let group = &blocks[a..b];
                let stamped = group.iter().any(|b| is_stamp(&b.text));
                let said = group.iter().any(|b| {
                    let f = features::features(&b.text, p);
                    f.ends_sentence && f.class != Class::Short
                });
                comments += usize::from(stamped && said);
            }
            if comments as f64 >= MIN_COMMENT_SHARE * total as f64
                && template_lines(&blocks[first..=run[run.len() - 1]]) <= MAX_ACTION_LINES
            {
                spans.push((first, run[run.len() - 1]));
            }
        }
    }
    if spans.is_empty() {
        return;
    }
    // A mask, not a search of the spans per line: a page can hold
    // thousands of small threads.
    let mut mask = vec![false; blocks.len()];
    for &(a, b) in &spans {
        mask[a..=b].fill(true);
    }
    let inside = |i: usize| mask[i];
    let prose_outside = blocks.iter().enumerate().any(|(i, b)| {
        b.is_open() && !inside(i) && features::features(&b.text, p).class == Class::Prose
    });
    if !prose_outside {
        return;
    }
    for (i, b) in blocks.iter_mut().enumerate() {
        if b.is_open() && inside(i) {
            b.verdict = Verdict::Drop(Action::Judge, COMMENTS);
        }
    }
}

/// How many open lines before the body are looked at for the headline.
const TITLE_WINDOW: usize = 4;
/// Rule-dropped lines (datelines, bylines, share bars of many buttons)
/// allowed between two lines of the title region.
const MAX_TITLE_GAP: usize = 16;

/// Keeps the headline right before the body (open index `first` into
/// `open`): of the last few open lines before it, across a byline,
/// dateline and share region, the longest that could be a title. A line
/// between it and the body stays too when it is at least half as long and
/// not a stamp: a subtitle, not a byline ("Chief reporter") or a date.
pub(crate) fn keep_title(
    blocks: &mut [Block<'_, '_>],
    open: &[usize],
    feats: &[Features],
    first: usize,
) {
    let mut candidates: Vec<usize> = Vec::new();
    let mut k = first;
    let mut last_line = open[first];
    while k > 0 && candidates.len() < TITLE_WINDOW {
        k -= 1;
        let i = open[k];
        let between = blocks[i + 1..last_line]
            .iter()
            .filter(|b| !b.is_open())
            .count();
        if between > MAX_TITLE_GAP || feats[k].stray || feats[k].single_word || feats[k].counted {
            break;
        }
        candidates.push(k);
        last_line = i;
    }
    let longest = |among: &[usize]| {
        among
            .iter()
            .copied()
            .filter(|&k| feats[k].chars >= feats[k].title_min_chars)
            .max_by_key(|&k| (feats[k].chars, k))
    };
    let Some(title) = longest(&candidates) else {
        return;
    };
    blocks[open[title]].verdict = Verdict::Keep;
    let subtitle = |k: usize| {
        feats[k].chars >= feats[k].title_min_chars
            && u64::from(feats[k].chars) * 2 >= u64::from(feats[title].chars)
            && !feats[k].data
    };
    for &k in candidates.iter().filter(|&&k| k > title) {
        if subtitle(k) {
            blocks[open[k]].verdict = Verdict::Keep;
        }
    }
    // The longest line right before the body may be the standfirst under
    // the headline: then the headline is the longest line above it.
    if candidates.first() == Some(&title)
        && u64::from(feats[title].chars) * 2 >= u64::from(feats[title].good_chars)
    {
        if let Some(head) = longest(&candidates[1..]) {
            blocks[open[head]].verdict = Verdict::Keep;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::is_stamp;

    #[test]
    fn stamps_date_a_comment() {
        for stamp in [
            "12:11 PM",
            "06.11.23 - 14:00",
            "11 March 2024 at 11:35",
            "2019-11-20",
            "3 hours ago",
            "vor 2 Stunden",
            "hace 2 días",
            "2024年3月5日",
            "3天前",
        ] {
            assert!(is_stamp(stamp), "{stamp}");
        }
    }

    #[test]
    fn product_lines_are_not_stamps() {
        for line in [
            "$139.00",
            "12,99 €",
            "Apple Watch Series 3",
            "Brightwood Pruner 7 with charger",
            "GPS, 38mm",
            "Reply",
        ] {
            assert!(!is_stamp(line), "{line}");
        }
    }
}
