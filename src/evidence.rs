//! The seam between the rule stage and the judgement: per-line evidence.
//!
//! Rules say what a line names itself as; they do not decide its fate on
//! their own. For every line the rule stage records which drop rule matched
//! (clutter that names itself: "Share", "相关新闻", "Kilde: NTB") and which
//! boundary marker matched (a "Related stories" heading, where the article
//! probably ends). The judgement (`score`) then decides every line: a drop
//! match is decisive, a boundary is weighed against what follows it.
//!
//! Whatever matches (regex rules today, phrase automata too) fills the same
//! [`Evidence`], so the engine and the judgement change independently.

use crate::ruleset::compile::Rule;

/// What the rules found on one line.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Evidence<'r> {
    /// The first drop rule that matched the line (by file order, common
    /// first): clutter that names itself.
    pub drop: Option<&'r Rule>,
    /// The first boundary marker that matched the line.
    pub boundary: Option<Boundary<'r>>,
}

/// A `cut_after` marker: evidence that the article ends at `start`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Boundary<'r> {
    pub rule: &'r Rule,
    /// Byte offset in the line where the marker starts; text before it on
    /// the same line belongs to what precedes the boundary.
    pub start: usize,
}
