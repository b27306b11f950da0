//! Line-drop matching: the plain `drop_lines` patterns of one file in a few
//! `RegexSet`s, so a line is scanned once per set rather than once per rule.
//!
//! Measured with perf on the development pages:
//! - **Reach.** A pattern anchored at both ends with bounded repetition
//!   cannot match a line longer than its maximum length. Sets are grouped by
//!   that reach, and the long prose lines that hold most of a page's bytes
//!   skip the short-reach sets.
//! - **Word boundaries.** A Unicode `\b` stops a set's lazy DFA at the first
//!   non-ASCII byte, and the whole set falls back to the PikeVM (this halved
//!   throughput); such patterns are tried alone, where they cost only
//!   themselves.
//! - **One compilation.** A set member is compiled only as part of its set,
//!   and its examples are checked through the set: compiling every pattern
//!   twice doubled the start-up cost of each language.

use crate::error::RuleProblem;
use crate::ruleset::compile::{
    check_examples, compile_pattern, problem, Exceeded, Rule, DFA_SIZE_LIMIT, REGEX_SIZE_LIMIT,
};
use crate::ruleset::schema::RuleSpec;

/// Upper bounds of the sets by reach, in bytes: menu words and share
/// buttons; bounded sentences; everything else.
const SET_REACH: [usize; 3] = [256, 4096, usize::MAX];

/// Plain drop patterns of similar reach, matched together.
#[derive(Debug)]
struct DropSet {
    set: regex::RegexSet,
    /// `rules[i]` is the index in the file's drop rules of pattern `i`.
    rules: Vec<usize>,
    /// The longest line any pattern of the set can match.
    max_len: usize,
}

/// The drop rules of one file, ready to test lines.
#[derive(Debug, Default)]
pub(crate) struct DropSets {
    sets: Vec<DropSet>,
    /// Rules tried one by one: fancy ones, and plain ones with a Unicode
    /// word boundary.
    alone: Vec<usize>,
}

/// Whether a rule joins a set (else it is compiled and tried alone).
pub(crate) fn fits_a_set(spec: &RuleSpec) -> bool {
    !spec.fancy
        && regex_syntax::parse(&spec.pattern)
            .is_ok_and(|hir| !hir.properties().look_set().contains_word_unicode())
}

impl DropSets {
    /// Adds a rule that is tried alone.
    pub(crate) fn add_alone(&mut self, index: usize) {
        self.alone.push(index);
    }

    /// Builds the sets of `members` (each with its index in `rules`) and
    /// checks every member's examples through its set.
    ///
    /// # Errors
    ///
    /// Every failing example, or the members too large to compile.
    pub(crate) fn add_sets(
        &mut self,
        label: &str,
        members: &[(&RuleSpec, usize)],
        rules: &[Rule],
    ) -> Result<(), Vec<RuleProblem>> {
        let reach = |i: usize| rules[i].max_len.unwrap_or(usize::MAX);
        let mut problems = Vec::new();
        for (bucket, &limit) in SET_REACH.iter().enumerate() {
            let low = if bucket == 0 {
                0
            } else {
                SET_REACH[bucket - 1] + 1
            };
            let group: Vec<_> = members
                .iter()
                .filter(|&&(_, i)| (low..=limit).contains(&reach(i)))
                .collect();
            if group.is_empty() {
                continue;
            }
            let built = regex::RegexSetBuilder::new(group.iter().map(|(s, _)| &s.pattern))
                .size_limit(REGEX_SIZE_LIMIT * 4)
                .dfa_size_limit(DFA_SIZE_LIMIT)
                .build();
            let set = match built {
                Ok(set) => set,
                Err(e) => {
                    problems.extend(too_large(label, &group, &e));
                    continue;
                }
            };
            for (k, (spec, _)) in group.iter().enumerate() {
                let matches = |ex: &str| Ok::<_, Exceeded>(set.matches(ex).matched(k));
                problems.extend(check_examples(label, spec, matches));
            }
            self.sets.push(DropSet {
                rules: group.iter().map(|&&(_, i)| i).collect(),
                max_len: group.iter().map(|&&(_, i)| reach(i)).max().unwrap_or(0),
                set,
            });
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems)
        }
    }

    /// The index of the first drop rule (by file order) matching `line`.
    /// Rules alone for which `skip` is true are not tried; a fancy one that
    /// runs out of budget is passed to `exceeded` and counts as not matching.
    pub(crate) fn first_match<'a>(
        &self,
        rules: &'a [Rule],
        line: &str,
        skip: impl Fn(&Rule) -> bool,
        mut exceeded: impl FnMut(&'a Rule),
    ) -> Option<usize> {
        let from_sets = self
            .sets
            .iter()
            .filter(|s| line.len() <= s.max_len)
            .flat_map(|s| s.set.matches(line).into_iter().map(|i| s.rules[i]))
            .min();
        let from_alone = self.alone.iter().copied().find(|&i| {
            let rule = &rules[i];
            if skip(rule) || !rule.may_match(line) {
                return false;
            }
            match rule.pattern().is_match(line) {
                Ok(m) => m,
                Err(Exceeded) => {
                    exceeded(rule);
                    false
                }
            }
        });
        from_sets.into_iter().chain(from_alone).min()
    }
}

/// A set failed to compile: name the members that fail alone, or else say
/// that they are too large together.
fn too_large(label: &str, group: &[&(&RuleSpec, usize)], e: &regex::Error) -> Vec<RuleProblem> {
    let alone: Vec<RuleProblem> = group
        .iter()
        .filter_map(|(spec, _)| {
            let message = compile_pattern(spec).err()?;
            Some(problem(label, spec, spec.pattern_pos, message))
        })
        .collect();
    if !alone.is_empty() {
        return alone;
    }
    vec![RuleProblem {
        file: label.to_owned(),
        line: 0,
        col: 0,
        rule: None,
        message: format!("the drop_lines patterns together are too large: {e}"),
    }]
}
