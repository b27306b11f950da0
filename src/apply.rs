//! Rule stage: blocks -> blocks with inline spans removed, cut markers
//! applied and pattern-matched lines dropped.
//!
//! Order matters: inline removals run first, so line patterns and cut
//! markers see the text that would be kept; then the earliest cut marker
//! past its minimum position removes everything after it; then each line
//! left is tested against the drop patterns (common first, then the
//! language's).

use std::borrow::Cow;

use crate::ruleset::compile::CompiledFile;
use crate::segment::{Action, Block, Verdict};
use crate::Removal;

/// Applies the pattern rules of `files` to `blocks`, recording inline
/// removals in `removals` (line verdicts are recorded by the caller).
pub(crate) fn apply<'t, 'r>(
    blocks: &mut [Block<'t, 'r>],
    files: &[&'r CompiledFile],
    removals: &mut Vec<Removal>,
) {
    for block in blocks.iter_mut() {
        remove_inline(block, files, removals);
    }
    cut(blocks, files, removals);
    for block in blocks
        .iter_mut()
        .filter(|b| b.verdict == Verdict::Undecided)
    {
        if let Some(rule) = files.iter().find_map(|f| f.drop_match(&block.text)) {
            block.verdict = Verdict::Drop(Action::DropLine, &rule.id);
        }
    }
}

fn remove_inline<'r>(
    block: &mut Block<'_, 'r>,
    files: &[&'r CompiledFile],
    removals: &mut Vec<Removal>,
) {
    for rule in files.iter().flat_map(|f| f.inline.iter()) {
        let ranges = rule.pattern.removal_ranges(&block.text);
        if ranges.is_empty() {
            continue;
        }
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
fn cut<'r>(blocks: &mut [Block<'_, 'r>], files: &[&'r CompiledFile], removals: &mut Vec<Removal>) {
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
        let hit = files
            .iter()
            .flat_map(|f| f.cut.iter())
            .filter(|r| position >= r.min_position)
            .find_map(|r| r.pattern.find(&block.text).map(|(start, _)| (r, start)));
        if let Some((rule, start)) = hit {
            found = Some((i, rule, start));
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
