//! Rendering stage: decided blocks -> clean text and the removal list.
//!
//! Kept blocks are joined with one blank line and end with a newline; an
//! empty result is the empty string. Every dropped line becomes one
//! [`crate::Removal`], merged in line order with the inline removals.

use crate::segment::{Block, Verdict};
use crate::{LineTrace, Removals};

/// The clean text of `blocks`.
pub(crate) fn text(blocks: &[Block<'_, '_>]) -> String {
    let kept = || blocks.iter().filter(|b| b.verdict == Verdict::Keep);
    // Sized once: a doubling buffer can end up twice the output's size.
    let mut out = String::with_capacity(kept().map(|b| b.text.len() + 2).sum());
    for block in kept() {
        if !out.is_empty() {
            out.push_str("\n\n");
        }
        out.push_str(&block.text);
    }
    if !out.is_empty() {
        out.push('\n');
    }
    out
}

/// Adds one removal per dropped line to `inline` and sorts by line.
pub(crate) fn removals(blocks: &[Block<'_, '_>], mut all: Removals) -> Removals {
    // A line that inline removals emptied is accounted for by its spans;
    // a removal of the empty rest would show nothing.
    let dropped = || {
        blocks.iter().filter_map(|b| match b.verdict {
            Verdict::Drop(action, rule) if !b.text.is_empty() => Some((b, action, rule)),
            _ => None,
        })
    };
    all.reserve(
        dropped().count(),
        dropped().map(|(b, ..)| b.text.len()).sum(),
    );
    for (block, action, rule) in dropped() {
        all.push(block.line, action, rule, &block.text);
    }
    // Stable: a line's inline removals stay before its line removal.
    all.sort_by_line();
    all
}

/// Every line of `normalized`, blank ones included, with its fate.
pub(crate) fn trace(normalized: &str, blocks: &[Block<'_, '_>]) -> Vec<LineTrace> {
    if normalized.is_empty() {
        return Vec::new();
    }
    // A final newline ends the last line; it does not start another, but a
    // page of one blank line ("\n") still has that line.
    let body = normalized.strip_suffix('\n').unwrap_or(normalized);
    let mut out: Vec<LineTrace> = body
        .split('\n')
        .enumerate()
        .map(|(i, line)| LineTrace {
            line: i + 1,
            text: line.to_owned(),
            kept: false,
            action: None,
            rule: None,
        })
        .collect();
    for block in blocks {
        let t = &mut out[block.line - 1];
        match block.verdict {
            Verdict::Keep => t.kept = true,
            Verdict::Drop(action, rule) => {
                t.action = Some(action);
                t.rule = Some(rule.to_owned());
            }
            Verdict::Undecided => {}
        }
    }
    out
}
