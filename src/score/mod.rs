//! Judgement stage: every line, with the rules' evidence -> kept or dropped.
//!
//! The model, in the order it runs:
//! 1. Evidence that decides: a line a drop rule matched is clutter that
//!    names itself, and goes. A boundary marker ("Related stories", past
//!    its rule's `min_position`) is kept as evidence for step 4.
//! 2. Structure (`structure`): a line printed twice in a row (a caption
//!    and its copy) loses both copies, a later copy of an earlier line
//!    loses the copy, and a comment thread (the same short action line,
//!    "Reply", recurring every few lines beside dates) goes as a whole.
//! 3. Each open line gets an emission score from what it looks like
//!    (`features`): prose (long, with punctuation, and with stop words
//!    where the language has a list) earns its length; a data line
//!    (digits among letters: dates, prices, quantities) half of it; short
//!    lines cost a share of a prose line (`short_cost`), and so does a
//!    line of any length that ends in a count ("Title (5139)": a most-read
//!    or archive link), so a list of them cannot bridge two regions. Lengths, terminals and digits
//!    come from the `script` module, so this works without a rule file.
//! 4. A Viterbi decoding (`sequence`) labels the whole page at once:
//!    article regions earn their lines' scores; opening a second region
//!    after a gap costs `switch_cost`, after a boundary marker
//!    `boundary_cost` (a marker no prose precedes is a menu item). A line
//!    in title case ("The 11 Biggest Questions About Dark Matter") costs
//!    `title_cost` whatever its length: a run of them is a link list. An
//!    article interrupted by an ad block or a related box is kept in
//!    parts; a link list after the marker is not.
//! 5. Edges: each region starts on a prose line; up to two lines that end a
//!    sentence may close it; up to two title lines before the first region
//!    stay, across a byline and share region; stray tokens inside go.
//!
//! The weights (`score:` in `rules/common.yaml`, overridable per language)
//! are fitted by `tools/tune.py` on labelled pages.
//!
//! Invariant: the judgement only drops lines or the tail of a marker line;
//! it never edits text otherwise.

mod features;
mod sequence;
mod structure;

use std::borrow::Cow;

use rustc_hash::FxHashSet as HashSet;

use crate::evidence::{Boundary, Evidence};
use crate::ruleset::schema::ScoreSpec;
use crate::segment::{Action, Block, Verdict};
use crate::Removals;

use features::{Class, Features};
use sequence::{Label, Step};

/// Judgement parameters after merging `common` with a language's file.
#[derive(Debug, Clone)]
pub(crate) struct ScoreParams {
    /// A line at least this long (in characters) can be prose; unset, the
    /// line's script decides (`script::default_lengths`).
    pub good_chars: Option<usize>,
    /// Below this a line is short: it stays only between prose lines.
    pub short_chars: Option<usize>,
    /// A title before the body must be at least this long.
    pub title_min_chars: Option<usize>,
    /// Share of stop words a prose line in a spaced script needs.
    pub stopword_density: f64,
    pub stopwords: HashSet<String>,
    /// Sentence terminals beyond Unicode's (a file may add its own).
    pub sentence_end: Vec<char>,
    /// A data line earns this share of its length.
    pub data_weight: f64,
    /// A short line costs this share of `good_chars`.
    pub short_cost: f64,
    /// A title-case line (`Features::title_case`) costs this share of
    /// `good_chars`, whatever its length; 0 when capitals say nothing, as
    /// in German, which capitalises every noun.
    pub title_cost: f64,
    /// Cost of a second article region after a gap, in characters.
    pub switch_cost: i64,
    /// Cost of an article region after a boundary marker, in characters.
    pub boundary_cost: i64,
}

/// Defaults where neither `common` nor the language's file sets a value;
/// the shipped `common.yaml` sets the fitted ones.
const DEFAULT_DATA_WEIGHT: f64 = 0.5;
const DEFAULT_SHORT_COST: f64 = 1.0 / 3.0;
/// How many lines that end a sentence may close a region: a short last
/// paragraph ("It passed.") weighs nothing or less in the decoding.
const MAX_CLOSING_LINES: usize = 2;

impl ScoreParams {
    /// Parameters from a merged spec.
    pub(crate) fn from_spec(spec: &ScoreSpec) -> ScoreParams {
        let cost = |c: Option<f64>| c.map_or(sequence::NEVER, |c| c.round() as i64);
        ScoreParams {
            good_chars: spec.good_chars,
            short_chars: spec.short_chars,
            title_min_chars: spec.title_min_chars,
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
                .unwrap_or_default()
                .chars()
                .collect(),
            data_weight: spec.data_weight.unwrap_or(DEFAULT_DATA_WEIGHT),
            short_cost: spec.short_cost.unwrap_or(DEFAULT_SHORT_COST),
            title_cost: spec.title_cost.unwrap_or(0.0),
            switch_cost: cost(spec.switch_cost),
            boundary_cost: cost(spec.boundary_cost),
        }
    }

    /// Prose, short and title lengths for a line measured as `m`.
    pub(crate) fn lengths(&self, m: &crate::script::Measure) -> (usize, usize, usize) {
        let (good, short, title) = crate::script::default_lengths(m);
        (
            self.good_chars.unwrap_or(good),
            self.short_chars.unwrap_or(short),
            self.title_min_chars.unwrap_or(title),
        )
    }
}

const OUTSIDE: &str = "score/outside-body";
const STRAY: &str = "score/stray-token";

/// Decides every block of `blocks` from the rules' `evidence` (by block
/// index, for the blocks that have any) and the blocks' own features.
/// Removals of part of a line (a boundary inside it) are added to
/// `removals`.
/// `headline` keeps the title lines before the body.
pub(crate) fn judge<'r>(
    blocks: &mut [Block<'_, 'r>],
    evidence: &[(usize, Evidence<'r>)],
    removals: &mut Removals,
    p: &ScoreParams,
    headline: bool,
) {
    let boundaries = boundaries(blocks, evidence, removals);
    for &(i, ev) in evidence {
        let block = &mut blocks[i];
        if block.verdict != Verdict::Undecided {
            continue;
        }
        if let Some(rule) = ev.drop {
            block.verdict = Verdict::Drop(Action::DropLine, &rule.id);
        }
    }
    structure::mark_repeats(blocks);
    structure::mark_comment_threads(blocks, p);
    decide(blocks, &boundaries, p, headline);
}

/// The boundary markers at or past their rule's minimum position (the
/// share of the page's text before them), as block indices. A marker line
/// is dropped from the marker on; text before the marker on the same line
/// stays open, to be judged like any line.
fn boundaries<'r>(
    blocks: &mut [Block<'_, 'r>],
    evidence: &[(usize, Evidence<'r>)],
    removals: &mut Removals,
) -> Vec<(usize, &'r str)> {
    let total: usize = blocks.iter().map(|b| b.text.len()).sum();
    let mut out = Vec::new();
    let mut before = 0;
    let mut at = 0;
    for &(i, ev) in evidence {
        // The share of the page's text before block i, measured before a
        // marker line loses its tail.
        before += blocks[at..i].iter().map(|b| b.text.len()).sum::<usize>();
        let position = before as f64 / total.max(1) as f64;
        before += blocks[i].text.len();
        at = i + 1;
        let block = &mut blocks[i];
        if block.verdict != Verdict::Undecided {
            continue;
        }
        let Some(Boundary { rule, start }) =
            ev.boundary.filter(|b| position >= b.rule.min_position)
        else {
            continue;
        };
        out.push((i, rule.id.as_str()));
        let head = block.text[..start].trim_end();
        if head.is_empty() {
            block.verdict = Verdict::Drop(Action::CutAfter, &rule.id);
        } else {
            removals.push(block.line, Action::CutAfter, &rule.id, &block.text[start..]);
            let head = head.to_owned();
            block.text = Cow::Owned(head);
        }
    }
    out
}

/// Labels the open blocks with the sequence model and trims the regions'
/// edges.
fn decide<'r>(
    blocks: &mut [Block<'_, 'r>],
    boundaries: &[(usize, &'r str)],
    p: &ScoreParams,
    headline: bool,
) {
    let open: Vec<usize> = (0..blocks.len()).filter(|&i| blocks[i].is_open()).collect();
    if open.is_empty() {
        return;
    }
    let mut feats: Vec<Features> = open
        .iter()
        .map(|&i| features::features(&blocks[i].text, p))
        .collect();
    // A page where no line has enough stop words for prose is most likely
    // in another language than detected, or written in a register the
    // list does not know: judged without the list, as a language without
    // a rule file would be, rather than losing its body.
    if p.stopword_density > 0.0 && !feats.iter().any(|f| f.class == Class::Prose) {
        let relaxed = ScoreParams {
            stopword_density: 0.0,
            ..p.clone()
        };
        feats = open
            .iter()
            .map(|&i| features::features(&blocks[i].text, &relaxed))
            .collect();
    }
    let has_prose = feats.iter().any(|f| f.class == Class::Prose);
    // A page of medium lines only (short paragraphs, a language whose lines
    // the parameters misjudge) still has a body: the medium lines are it.
    let prose = |f: &Features| f.class == Class::Prose || (!has_prose && f.class == Class::Medium);
    let emission = |f: &Features| -> i64 {
        let penalty = ((f.good_chars as f64 * p.short_cost) as i64).max(1);
        // A stray token is dropped even inside the body, so it must not
        // pull a region's edge out to itself (and the lines before it in):
        // cleaning the cleaned text again would then end the body earlier.
        if f.stray {
            -penalty
        } else if f.title_case && p.title_cost > 0.0 {
            // A run of other stories' headlines, written in title case,
            // is a link list even where its lines are long enough for
            // prose; inside the body such a line is a subheading, which
            // the prose around it carries.
            -((f.good_chars as f64 * p.title_cost) as i64).max(1)
        } else if prose(f) {
            f.chars as i64
        } else if f.data {
            (f.chars as f64 * p.data_weight) as i64
        } else if f.class == Class::Medium || closes(f) {
            // A short line that ends a sentence ("It passed.") may close
            // a region, so it must not cost one either: else cleaning the
            // cleaned text, where it sits between two regions, would drop
            // the region before it.
            0
        } else {
            -penalty
        }
    };
    let steps = steps(&open, boundaries, &feats, emission);
    let labels = sequence::decode(&steps, p.switch_cost, p.boundary_cost);
    let article: Vec<bool> = labels.iter().map(|&l| l == Label::Article).collect();
    let regions = regions(&article, &feats, prose);
    // The rule of the boundary each open line follows, for the removal.
    // As an index into `boundaries` (u32::MAX: none), 4 bytes a line.
    let mut after: Vec<u32> = Vec::with_capacity(open.len());
    let mut markers = boundaries.iter().enumerate().peekable();
    let mut current = u32::MAX;
    let index = |m: usize| u32::try_from(m).unwrap_or(u32::MAX);
    for &i in &open {
        while let Some((m, _)) = markers.next_if(|&(_, &(b, _))| b < i) {
            current = index(m);
        }
        after.push(current);
        if let Some((m, _)) = markers.next_if(|&(_, &(b, _))| b == i) {
            current = index(m);
        }
    }
    let mut keep = vec![false; open.len()];
    for &(first, last) in &regions {
        keep[first..=last].fill(true);
        // Closing lines never reach across a boundary marker.
        let closing = feats[last + 1..]
            .iter()
            .zip(&labels[last + 1..])
            .take(MAX_CLOSING_LINES)
            .take_while(|(f, &l)| l == Label::Outside && closes(f))
            .count();
        keep[last + 1..=last + closing].fill(true);
    }
    for (k, &i) in open.iter().enumerate() {
        blocks[i].verdict = if !keep[k] {
            match (labels[k], boundaries.get(after[k] as usize)) {
                (Label::AfterBoundary, Some(&(_, id))) => Verdict::Drop(Action::CutAfter, id),
                _ => Verdict::Drop(Action::Judge, OUTSIDE),
            }
        } else if feats[k].stray {
            Verdict::Drop(Action::Judge, STRAY)
        } else {
            Verdict::Keep
        };
    }
    if let Some(&(first, _)) = regions.first().filter(|_| headline) {
        structure::keep_title(blocks, &open, &feats, first);
    }
}

/// Whether a line may close a region: it ends a sentence and is more
/// than a menu word or a stray token.
fn closes(f: &Features) -> bool {
    f.ends_sentence && !f.single_word && !f.stray
}

/// The open lines in page order, with a `Boundary` step before the first
/// open line after each marker.
fn steps(
    open: &[usize],
    boundaries: &[(usize, &str)],
    feats: &[Features],
    emission: impl Fn(&Features) -> i64,
) -> Vec<Step> {
    let mut out = Vec::with_capacity(open.len() + boundaries.len());
    let mut markers = boundaries.iter().peekable();
    // A marker is a menu item while no prose line came before it.
    let first_prose = feats.iter().position(|f| f.class == Class::Prose);
    let menu = |k: usize| first_prose.is_none_or(|p| p >= k);
    for (k, (&i, f)) in open.iter().zip(feats).enumerate() {
        // A marker line whose head stays open comes before its boundary.
        while markers.next_if(|&&(b, _)| b < i).is_some() {
            out.push(Step::Boundary { menu: menu(k) });
        }
        out.push(Step::Line(emission(f)));
        if markers.next_if(|&&(b, _)| b == i).is_some() {
            out.push(Step::Boundary { menu: menu(k + 1) });
        }
    }
    let end = menu(feats.len());
    out.extend(markers.map(|_| Step::Boundary { menu: end }));
    out
}

/// The article regions as index ranges into the open lines, each trimmed
/// to start on a prose line: the lines before its first prose line are
/// weightless or worse, and the title logic decides about them.
fn regions(
    article: &[bool],
    feats: &[Features],
    prose: impl Fn(&Features) -> bool,
) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut k = 0;
    while k < article.len() {
        if !article[k] {
            k += 1;
            continue;
        }
        let mut last = k;
        while last + 1 < article.len() && article[last + 1] {
            last += 1;
        }
        let mut first = k;
        while first < last && !prose(&feats[first]) {
            first += 1;
        }
        out.push((first, last));
        k = last + 1;
    }
    out
}
