//! Rule stage: blocks -> blocks with inline spans removed, plus the
//! [`Evidence`] of every line for the judgement to weigh.
//!
//! Inline removals run first, so drop patterns and boundary markers see
//! the text that would be kept; then each line is tested against the drop
//! patterns and the boundary markers (common first, then the language's).
//! Nothing here drops a whole line: that is the judgement's decision.
//!
//! A fancy pattern draws every search on a page from one [`Budget`] per
//! rule; one that runs dry is switched off for the rest of the page and
//! reported as a [`Warning`]: a pathological rule costs at most one budget
//! per page (which grows only linearly with the page), never a hang.

use std::borrow::Cow;

use crate::evidence::{Boundary, Evidence};
use crate::normalize::collapse_spaces;
use crate::ruleset::compile::{Budget, CompiledFile, Exceeded, LineView, Rule, BACKTRACK_LIMIT};
use crate::ruleset::literals::Candidates;
use crate::ruleset::phrase::{LazyLine, Normalized};
use crate::segment::{Action, Block, Verdict};
use crate::{Removals, Warning};

/// Rules switched off for this page, and why; what the fancy ones may
/// still spend.
#[derive(Default)]
pub(crate) struct Guard<'r> {
    off: Vec<&'r Rule>,
    /// The page budget of each fancy rule tried so far (few rules are
    /// fancy, so a list beats a map).
    budgets: Vec<(&'r Rule, Budget)>,
    pub warnings: Vec<Warning>,
}

impl<'r> Guard<'r> {
    fn is_off(&self, rule: &Rule) -> bool {
        self.off.iter().any(|r| std::ptr::eq(*r, rule))
    }

    /// `rule`'s budget for this page, credited with `text`, the line it is
    /// about to be tried on.
    fn budget(&mut self, rule: &'r Rule, text: &str) -> &mut Budget {
        let i = match self
            .budgets
            .iter()
            .position(|(r, _)| std::ptr::eq(*r, rule))
        {
            Some(i) => i,
            None => {
                self.budgets.push((rule, Budget::page()));
                self.budgets.len() - 1
            }
        };
        let budget = &mut self.budgets[i].1;
        budget.grant(text);
        budget
    }

    /// Tries each fancy drop and boundary rule of `files` on `text` within
    /// its page budget, before the matchers that give each search a fresh
    /// limit see the line. Returns the rules that do not match, for those
    /// matchers to skip (a rule that matches is searched once more there,
    /// at no more cost than here); a rule that runs dry is switched off.
    fn probe_fancy(
        &mut self,
        files: &[&'r CompiledFile],
        text: &str,
        line: usize,
    ) -> Vec<&'r Rule> {
        let mut unmatched = Vec::new();
        let fancy = files.iter().flat_map(|f| f.drop.iter().chain(&f.cut));
        for rule in fancy.filter(|r| r.is_fancy()) {
            if self.is_off(rule) || !rule.may_match(text) {
                continue;
            }
            match rule
                .pattern()
                .is_match_within(text, self.budget(rule, text))
            {
                Ok(true) => {}
                Ok(false) => unmatched.push(rule),
                Err(Exceeded) => self.switch_off(rule, line),
            }
        }
        unmatched
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
/// `removals`) and returns the evidence of every block that has any, as
/// (block index, evidence) in block order: most lines have none, and a
/// page of a million short lines should not hold a million empty entries.
/// Blocks that inline removals emptied get no evidence.
pub(crate) fn apply<'t, 'r>(
    blocks: &mut [Block<'t, 'r>],
    files: &[&'r CompiledFile],
    removals: &mut Removals,
    guard: &mut Guard<'r>,
) -> Vec<(usize, Evidence<'r>)> {
    // One normalised line, and one candidate set and phrase result per
    // file, reused from line to line.
    let mut norm = Normalized::default();
    let mut candidates = vec![Candidates::default(); files.len()];
    let mut phrases: Vec<[Option<&'r Rule>; 2]> = vec![[None, None]; files.len()];
    if files.iter().any(|f| !f.inline.is_empty()) {
        for block in blocks.iter_mut() {
            remove_inline(block, files, removals, guard, &mut norm, &mut candidates[0]);
        }
    }
    let mut out = Vec::new();
    for (i, block) in blocks.iter().enumerate() {
        if block.verdict != Verdict::Undecided {
            continue;
        }
        let text: &str = &block.text;
        let mut line = LazyLine::new(text, &mut norm);
        for ((f, c), p) in files.iter().zip(&mut candidates).zip(&mut phrases) {
            *p = f.prepare(&mut line, c);
        }
        let view = |k: usize| LineView::new(text, phrases[k], &candidates[k]);
        let unmatched = guard.probe_fancy(files, text, block.line);
        let mut exceeded: Vec<&'r Rule> = Vec::new();
        let skip = |r: &Rule| guard.is_off(r) || unmatched.iter().any(|u| std::ptr::eq(*u, r));
        let drop = files
            .iter()
            .enumerate()
            .find_map(|(k, f)| f.drop_match(&view(k), skip, |r| exceeded.push(r)));
        let boundary = files
            .iter()
            .enumerate()
            .filter_map(|(k, f)| f.boundary_match(&view(k), skip, |r| exceeded.push(r)))
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
        if drop.is_some() || boundary.is_some() {
            out.push((i, Evidence { drop, boundary }));
        }
    }
    out
}

/// Applies the inline rules of `files` to one block. The prefilter runs on
/// the line as it stands: again after each removal, which can join text
/// into a literal that was not there before.
fn remove_inline<'r>(
    block: &mut Block<'_, 'r>,
    files: &[&'r CompiledFile],
    removals: &mut Removals,
    guard: &mut Guard<'r>,
    norm: &mut Normalized,
    candidates: &mut Candidates,
) {
    for file in files {
        if file.inline.is_empty() {
            continue;
        }
        let mut stale = true;
        let first_slot = file.drop.len() + file.cut.len();
        for (k, rule) in file.inline.iter().enumerate() {
            if guard.is_off(rule) || !rule.may_match(&block.text) {
                continue;
            }
            if stale {
                let mut line = LazyLine::new(&block.text, norm);
                file.prefilter
                    .candidates(&block.text, || line.normalized().folded(), candidates);
                stale = false;
            }
            if !candidates.has(first_slot + k) {
                continue;
            }
            // Only fancy searches draw from a budget; plain ones cannot run long.
            let mut unlimited = Budget::page();
            let budget = if rule.is_fancy() {
                guard.budget(rule, &block.text)
            } else {
                &mut unlimited
            };
            let ranges = match rule.pattern().removal_ranges(&block.text, budget) {
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
                removals.push(
                    block.line,
                    Action::RemoveInline,
                    &rule.id,
                    &block.text[start..end],
                );
                at = end;
            }
            kept.push_str(&block.text[at..]);
            // Removing a span can leave a double or edge space behind.
            block.text = Cow::Owned(collapse_spaces(&kept));
            stale = true;
            if block.text.is_empty() {
                block.verdict = Verdict::Drop(Action::RemoveInline, &rule.id);
                return;
            }
        }
    }
}
