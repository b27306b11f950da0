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
//!   throughput). Such a pattern joins the set without its word boundaries,
//!   which can only widen what it matches, and a line that this relaxed
//!   form matches is then checked with the real pattern: the slow engine
//!   runs only on the few lines that are candidates.
//! - **Anchoring.** One pattern that is not anchored at the line's start
//!   makes a set scan every line to its end; such patterns get sets of
//!   their own, so the anchored sets stop after a line's first bytes.
//! - **One compilation.** A set member is compiled only as part of its set,
//!   and its examples are checked through the set: compiling every pattern
//!   twice doubled the start-up cost of each language.

use regex_syntax::hir::{Hir, Look};

use crate::error::RuleProblem;
use crate::ruleset::compile::{
    check_examples, compile_pattern, problem, Exceeded, Rule, DFA_SIZE_LIMIT, REGEX_SIZE_LIMIT,
};
use crate::ruleset::lineset::LineSet;
use crate::ruleset::schema::RuleSpec;

/// Upper bounds of the sets by reach, in bytes: menu words and share
/// buttons; bounded sentences; everything else.
const SET_REACH: [usize; 3] = [256, 4096, usize::MAX];

/// An anchored set whose prefilter left at most this many of its members
/// tries them one by one; more, and one search of the whole set is cheaper.
const ALONE_AT_MOST: usize = 2;

/// Plain drop patterns of similar reach, matched together.
#[derive(Debug)]
struct DropSet {
    set: LineSet,
    /// `rules[i]` is the index in the file's drop rules of pattern `i`,
    /// and whether a match must be confirmed by the rule's own pattern.
    rules: Vec<(usize, bool)>,
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

/// How a drop rule is matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Fit {
    /// In a set, as written; the rule needs no matcher of its own.
    Exact,
    /// In a set as this relaxed pattern, confirmed by its own matcher.
    Relaxed(String),
    /// Alone (fancy patterns).
    Alone,
}

/// Where a drop rule goes, given its parsed pattern (`None` for fancy
/// rules and for patterns that do not parse, which compiling reports).
pub(crate) fn fit(spec: &RuleSpec, hir: Option<&Hir>) -> Fit {
    let word_bounded = |h: &Hir| h.properties().look_set().contains_word_unicode();
    match hir {
        Some(_) if spec.pattern.is_empty() => Fit::Alone,
        Some(h) if !word_bounded(h) => Fit::Exact,
        Some(_) => {
            let relaxed = without_word_boundaries(&spec.pattern);
            match regex_syntax::parse(&relaxed) {
                Ok(h) if !word_bounded(&h) => Fit::Relaxed(relaxed),
                _ => Fit::Alone,
            }
        }
        None => Fit::Alone,
    }
}

/// `pattern` with every `\b`, `\B` and `\b{...}` removed. An assertion
/// only narrows what a pattern matches, so the result matches at least
/// every line the original does.
fn without_word_boundaries(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len());
    let mut chars = pattern.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('b') if chars.peek() == Some(&'{') => {
                for c in chars.by_ref() {
                    if c == '}' {
                        break;
                    }
                }
            }
            Some('b' | 'B') => {}
            Some(next) => {
                out.push('\\');
                out.push(next);
            }
            None => out.push('\\'),
        }
    }
    out
}

/// Whether `hir` only matches from the start of the line.
pub(crate) fn starts_anchored(hir: &Hir) -> bool {
    hir.properties().look_set_prefix().contains(Look::Start)
}

/// A drop rule offered to a set.
pub(crate) struct Member<'a> {
    spec: &'a RuleSpec,
    anchored: bool,
    index: usize,
    pattern: std::borrow::Cow<'a, str>,
    verify: bool,
}

impl<'a> Member<'a> {
    /// A rule matched by its own pattern, in the set.
    pub(crate) fn exact(spec: &'a RuleSpec, index: usize, anchored: bool) -> Self {
        Member {
            spec,
            anchored,
            index,
            pattern: std::borrow::Cow::Borrowed(&spec.pattern),
            verify: false,
        }
    }

    /// A rule whose relaxed pattern is in the set.
    /// Removing word boundaries leaves a start anchor in place, so
    /// `anchored` is the original pattern's.
    pub(crate) fn relaxed(
        spec: &'a RuleSpec,
        index: usize,
        pattern: String,
        anchored: bool,
    ) -> Self {
        Member {
            spec,
            anchored,
            index,
            pattern: std::borrow::Cow::Owned(pattern),
            verify: true,
        }
    }
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
        members: &[Member<'_>],
        rules: &[Rule],
    ) -> Result<(), Vec<RuleProblem>> {
        let reach = |i: usize| rules[i].max_len.unwrap_or(usize::MAX);
        let mut problems = Vec::new();
        // Relaxed patterns get sets of their own: mixed with exact ones,
        // their open prefixes multiplied the DFA states of the whole set.
        let kinds = SET_REACH.iter().enumerate().flat_map(|k| {
            [
                (k, false, true),
                (k, true, true),
                (k, false, false),
                (k, true, false),
            ]
        });
        for ((bucket, &limit), verify, anchored) in kinds {
            let low = if bucket == 0 {
                0
            } else {
                SET_REACH[bucket - 1] + 1
            };
            let group: Vec<_> = members
                .iter()
                .filter(|m| m.verify == verify && m.anchored == anchored)
                .filter(|m| (low..=limit).contains(&reach(m.index)))
                .collect();
            if group.is_empty() {
                continue;
            }
            let patterns: Vec<&str> = group.iter().map(|m| m.pattern.as_ref()).collect();
            let built = LineSet::new(&patterns, anchored, REGEX_SIZE_LIMIT * 4, DFA_SIZE_LIMIT);
            let set = match built {
                Ok(set) => set,
                Err(e) => {
                    problems.extend(too_large(label, &group, &e));
                    continue;
                }
            };
            // A relaxed member's examples were checked with its own pattern.
            for (k, m) in group.iter().enumerate().filter(|(_, m)| !m.verify) {
                let matches = |ex: &str| Ok::<_, Exceeded>(set.is_match(k, ex));
                problems.extend(check_examples(label, m.spec, matches));
            }
            self.sets.push(DropSet {
                rules: group.iter().map(|m| (m.index, m.verify)).collect(),
                max_len: group.iter().map(|m| reach(m.index)).max().unwrap_or(0),
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
    /// Only rules for which `candidate` is true are tried (the others
    /// cannot match: see `literals`), and a set none of whose members is a
    /// candidate is not run.
    pub(crate) fn first_match<'a>(
        &self,
        rules: &'a [Rule],
        line: &str,
        candidate: impl Fn(usize) -> bool,
        skip: impl Fn(&Rule) -> bool,
        mut exceeded: impl FnMut(&'a Rule),
    ) -> Option<usize> {
        let confirmed = |&(i, verify): &(usize, bool)| {
            // A relaxed pattern is plain: its own matcher cannot fail.
            !verify || rules[i].pattern().is_match(line).unwrap_or(false)
        };
        let mut from_sets: Option<usize> = None;
        for set in self.sets.iter().filter(|s| line.len() <= s.max_len) {
            let wanted = set.rules.iter().filter(|r| candidate(r.0)).count();
            if wanted == 0 {
                continue;
            }
            if set.set.is_anchored() && wanted <= ALONE_AT_MOST && wanted < set.rules.len() {
                // Members are in file order: the first that matches is
                // the set's answer.
                let first = set.rules.iter().enumerate().find(|&(k, rule)| {
                    candidate(rule.0)
                        && from_sets.is_none_or(|best| rule.0 < best)
                        && set.set.is_match_of(k, line)
                        && confirmed(rule)
                });
                if let Some((_, rule)) = first {
                    from_sets = Some(rule.0);
                }
                continue;
            }
            set.set.for_each_match(line, |k| {
                let rule = set.rules[k];
                // A match of a rule the prefilter ruled out would be a
                // literal the extraction missed.
                debug_assert!(candidate(rule.0), "prefilter missed rule {}", rule.0);
                if from_sets.is_none_or(|best| rule.0 < best)
                    && candidate(rule.0)
                    && confirmed(&rule)
                {
                    from_sets = Some(rule.0);
                }
            });
        }
        let from_alone = self.alone.iter().copied().find(|&i| {
            let rule = &rules[i];
            if !candidate(i) || skip(rule) || !rule.may_match(line) {
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
fn too_large(label: &str, group: &[&Member<'_>], e: &str) -> Vec<RuleProblem> {
    let alone: Vec<RuleProblem> = group
        .iter()
        .filter_map(|m| {
            let message = compile_pattern(m.spec).err()?;
            Some(problem(label, m.spec, m.spec.pattern_pos, message))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_boundaries_are_removed_and_nothing_else() {
        let cases = [
            (
                r"(?i)^.{0,40}\bwe use cookies\b.*$",
                r"(?i)^.{0,40}we use cookies.*$",
            ),
            (r"\Bx\b{start}y\b{end-half}", "xy"),
            (r"a\\b\.c", r"a\\b\.c"),
            (r"[a-z\d]+\s\bend", r"[a-z\d]+\send"),
        ];
        for (pattern, relaxed) in cases {
            assert_eq!(without_word_boundaries(pattern), relaxed, "{pattern}");
        }
    }

    #[test]
    fn a_relaxed_pattern_matches_at_least_what_the_original_does() {
        let pattern = r"(?i)^(?:.{0,40}\b(?:sign up|subscribe)\b.{0,40}|ähnliche\b.*)$";
        let original = regex::Regex::new(pattern).expect("valid");
        let relaxed = regex::Regex::new(&without_word_boundaries(pattern)).expect("valid");
        for line in [
            "Sign up now",
            "Please subscribe!",
            "Ähnliche Artikel",
            "resubscribed",
            "ähnlicher",
        ] {
            assert!(!original.is_match(line) || relaxed.is_match(line), "{line}");
        }
        assert!(relaxed.is_match("resubscribed") && !original.is_match("resubscribed"));
    }
}
