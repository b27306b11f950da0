//! Rule stage: blocks -> blocks with inline spans removed, plus the
//! [`Evidence`] of every line for the judgement to weigh.
//!
//! Inline removals run first, so drop patterns and boundary markers see
//! the text that would be kept; then each line is tested against the drop
//! patterns and the boundary markers (common first, then the language's).
//! Nothing here drops a whole line: that is the judgement's decision.
//!
//! A fancy pattern that runs out of backtracking budget is switched off for
//! the rest of the page and reported as a [`Warning`]: one pathological
//! line costs at most one budget per rule, never a hang.

use std::borrow::Cow;

use crate::evidence::{Boundary, Evidence};
use crate::ruleset::compile::{CompiledFile, Exceeded, Rule, BACKTRACK_LIMIT};
use crate::segment::{Action, Block, Verdict};
use crate::{Removal, Warning};

/// Rules switched off for this page, and why.
#[derive(Default)]
pub(crate) struct Guard<'r> {
    off: Vec<&'r Rule>,
    pub warnings: Vec<Warning>,
}

impl<'r> Guard<'r> {
    fn is_off(&self, rule: &Rule) -> bool {
        self.off.iter().any(|r| std::ptr::eq(*r, rule))
    }

    fn switch_off(&mut self, rule: &'r Rule, line: usize) {
        if self.is_off(rule) {
            return;
        }
        self.off.push(rule);
        self.warnings.push(Warning {
            line,
            rule: rule.id.clone(),
            message: format!(
                "backtracking limit of {BACKTRACK_LIMIT} steps exceeded; \
                 rule skipped for the rest of the page"
            ),
        });
    }
}

/// Applies the inline removals of `files` to `blocks` (recorded in
/// `removals`) and returns the evidence for every block, index for index.
/// Blocks that inline removals emptied get no evidence.
pub(crate) fn apply<'t, 'r>(
    blocks: &mut [Block<'t, 'r>],
    files: &[&'r CompiledFile],
    removals: &mut Vec<Removal>,
    guard: &mut Guard<'r>,
) -> Vec<Evidence<'r>> {
    for block in blocks.iter_mut() {
        remove_inline(block, files, removals, guard);
    }
    blocks
        .iter()
        .map(|block| {
            if block.verdict != Verdict::Undecided {
                return Evidence::default();
            }
            let mut exceeded: Vec<&'r Rule> = Vec::new();
            let skip = |r: &Rule| guard.is_off(r);
            let drop = files
                .iter()
                .find_map(|f| f.drop_match(&block.text, skip, |r| exceeded.push(r)));
            let boundary = files
                .iter()
                .filter_map(|f| f.boundary_match(&block.text, skip, |r| exceeded.push(r)))
                .reduce(|a, b| {
                    if b.0.min_position < a.0.min_position {
                        b
                    } else {
                        a
                    }
                })
                .map(|(rule, start)| Boundary { rule, start });
            for rule in exceeded {
                guard.switch_off(rule, block.line);
            }
            Evidence { drop, boundary }
        })
        .collect()
}

fn remove_inline<'r>(
    block: &mut Block<'_, 'r>,
    files: &[&'r CompiledFile],
    removals: &mut Vec<Removal>,
    guard: &mut Guard<'r>,
) {
    for rule in files.iter().flat_map(|f| f.inline.iter()) {
        if guard.is_off(rule) || !rule.may_match(&block.text) {
            continue;
        }
        let ranges = match rule.pattern().removal_ranges(&block.text) {
            Ok(ranges) if ranges.is_empty() => continue,
            Ok(ranges) => ranges,
            Err(Exceeded) => {
                guard.switch_off(rule, block.line);
                continue;
            }
        };
        let mut kept = String::with_capacity(block.text.len());
        let mut at = 0;
        for (start, end) in ranges {
            kept.push_str(&block.text[at..start]);
            removals.push(Removal {
                line: block.line,
                action: Action::RemoveInline,
                rule: rule.id.clone(),
                text: block.text[start..end].to_owned(),
            });
            at = end;
        }
        kept.push_str(&block.text[at..]);
        block.text = Cow::Owned(tidy_spaces(&kept));
        if block.text.is_empty() {
            block.verdict = Verdict::Drop(Action::RemoveInline, &rule.id);
            return;
        }
    }
}

/// Removing a span can leave a double or edge space behind.
fn tidy_spaces(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}
