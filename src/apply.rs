//! Rule stage: blocks -> blocks with inline spans removed, cut markers
//! applied and pattern-matched lines dropped.
//!
//! Order matters: inline removals run first, so line patterns and cut
//! markers see the text that would be kept; then the earliest cut marker
//! past its minimum position removes everything after it; then each line
//! left is tested against the drop patterns (common first, then the
//! language's).
//!
//! A fancy pattern that runs out of backtracking budget is switched off for
//! the rest of the page and reported as a [`Warning`]: one pathological
//! line costs at most one budget per rule, never a hang.

use std::borrow::Cow;

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

/// Applies the pattern rules of `files` to `blocks`, recording inline
/// removals in `removals` (line verdicts are recorded by the caller).
pub(crate) fn apply<'t, 'r>(
    blocks: &mut [Block<'t, 'r>],
    files: &[&'r CompiledFile],
    removals: &mut Vec<Removal>,
    guard: &mut Guard<'r>,
) {
    for block in blocks.iter_mut() {
        remove_inline(block, files, removals, guard);
    }
    cut(blocks, files, removals, guard);
    for block in blocks
        .iter_mut()
        .filter(|b| b.verdict == Verdict::Undecided)
    {
        let mut exceeded: Vec<&'r Rule> = Vec::new();
        let hit = files
            .iter()
            .find_map(|f| f.drop_match(&block.text, |r| guard.is_off(r), |r| exceeded.push(r)));
        for rule in exceeded {
            guard.switch_off(rule, block.line);
        }
        if let Some(rule) = hit {
            block.verdict = Verdict::Drop(Action::DropLine, &rule.id);
        }
    }
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

/// Finds the first cut marker at or past its rule's minimum position and
/// removes everything from the marker on; text before the marker on the
/// same line stays.
fn cut<'r>(
    blocks: &mut [Block<'_, 'r>],
    files: &[&'r CompiledFile],
    removals: &mut Vec<Removal>,
    guard: &mut Guard<'r>,
) {
    let total: usize = blocks.iter().map(|b| b.text.len()).sum();
    if total == 0 {
        return;
    }
    let mut before = 0;
    let mut found = None;
    for (i, block) in blocks.iter().enumerate() {
        let position = before as f64 / total as f64;
        before += block.text.len();
        if block.verdict != Verdict::Undecided {
            continue;
        }
        for rule in files.iter().flat_map(|f| f.cut.iter()) {
            if position < rule.min_position || guard.is_off(rule) || !rule.may_match(&block.text) {
                continue;
            }
            match rule.pattern().find(&block.text) {
                Ok(Some((start, _))) => {
                    found = Some((i, rule, start));
                    break;
                }
                Ok(None) => {}
                Err(Exceeded) => guard.switch_off(rule, block.line),
            }
        }
        if found.is_some() {
            break;
        }
    }
    let Some((at, rule, start)) = found else {
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
