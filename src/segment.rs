//! Segmentation stage: normalised text -> blocks, one per non-blank line.
//!
//! The scrapers dechaff serves print one block element per line, so a
//! line is the unit every later stage keeps or drops; blank lines only
//! separate and are not blocks.

use std::borrow::Cow;

/// What became of a block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict<'r> {
    Undecided,
    Keep,
    /// Removed by the rule or judgement with this qualified id.
    Drop(Action, &'r str),
}

/// How a line or span was removed; shown in traces and snapshots.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// A `drop_lines` pattern matched the line.
    DropLine,
    /// A `cut_after` marker at or before this line.
    CutAfter,
    /// A `remove_inline` pattern removed a span of the line.
    RemoveInline,
    /// Block scoring or a structural judgement (repeats, captions).
    Judge,
}

impl Action {
    /// The name used in traces and JSON: `drop_lines`, `cut_after`, ...
    pub fn name(self) -> &'static str {
        match self {
            Action::DropLine => "drop_lines",
            Action::CutAfter => "cut_after",
            Action::RemoveInline => "remove_inline",
            Action::Judge => "judge",
        }
    }
}

/// One line of the page.
#[derive(Debug, Clone)]
pub(crate) struct Block<'t, 'r> {
    /// 1-based line number in the normalised text.
    pub line: usize,
    /// The line after inline removals.
    pub text: Cow<'t, str>,
    pub verdict: Verdict<'r>,
}

impl Block<'_, '_> {
    pub(crate) fn is_open(&self) -> bool {
        matches!(self.verdict, Verdict::Undecided | Verdict::Keep)
    }
}

/// Splits `text` into blocks, skipping blank lines.
pub(crate) fn segment<'t, 'r>(text: &'t str) -> Vec<Block<'t, 'r>> {
    // Sized once: doubling would leave up to half the list unused, which
    // on a page of short lines weighs more than the page.
    let lines = text.split('\n').filter(|l| !l.is_empty()).count();
    let mut blocks = Vec::with_capacity(lines);
    for (i, line) in text.split('\n').enumerate() {
        if !line.is_empty() {
            blocks.push(Block {
                line: i + 1,
                text: Cow::Borrowed(line),
                verdict: Verdict::Undecided,
            });
        }
    }
    blocks
}
