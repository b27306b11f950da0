//! Rule compilation: [`RuleSpec`] -> matchers, checked against their examples.
//!
//! Patterns compile with `regex` unless a rule asks for `fancy: true`; both
//! engines get explicit size limits so a hostile pattern is refused at load
//! instead of eating memory. Plain line-drop patterns of one file are also
//! combined into one `RegexSet`, so a line is tested once per file rather
//! than once per rule.

use crate::error::RuleProblem;
use crate::ruleset::schema::{Kind, RuleFile, RuleSpec};

/// Compiled program size cap per pattern. Ordinary clutter patterns need a
/// few hundred KiB at most; megabyte-sized programs come from mistakes such
/// as `\w{1000}` or from hostile files.
pub(crate) const REGEX_SIZE_LIMIT: usize = 4 << 20;
/// Lazy-DFA cache per pattern set. The default (2 MiB) thrashes on Unicode-
/// heavy sets of line patterns; 16 MiB keeps the DFA warm on mixed pages.
const DFA_SIZE_LIMIT: usize = 16 << 20;
/// Backtracking budget of a fancy pattern per match attempt; past it the
/// rule is treated as not matching rather than letting one line hang.
pub(crate) const BACKTRACK_LIMIT: usize = 100_000;

/// A compiled pattern of either engine.
#[derive(Debug)]
pub(crate) enum Pattern {
    Plain(regex::Regex),
    Fancy(Box<fancy_regex::Regex>),
}

impl Pattern {
    /// The first match as a byte range.
    ///
    /// # Errors
    ///
    /// [`Exceeded`] when a fancy pattern runs out of backtracking budget.
    pub(crate) fn find(&self, text: &str) -> Result<Option<(usize, usize)>, Exceeded> {
        match self {
            Pattern::Plain(re) => Ok(re.find(text).map(|m| (m.start(), m.end()))),
            Pattern::Fancy(re) => match re.find(text) {
                Ok(m) => Ok(m.map(|m| (m.start(), m.end()))),
                Err(_) => Err(Exceeded),
            },
        }
    }

    /// Whether the pattern matches anywhere in `text`; cheaper than
    /// [`Pattern::find`], which must also find where the match starts.
    ///
    /// # Errors
    ///
    /// [`Exceeded`] when a fancy pattern runs out of backtracking budget.
    pub(crate) fn is_match(&self, text: &str) -> Result<bool, Exceeded> {
        match self {
            Pattern::Plain(re) => Ok(re.is_match(text)),
            Pattern::Fancy(re) => re.is_match(text).map_err(|_| Exceeded),
        }
    }

    /// Every non-overlapping match; the range of capture group 1 when the
    /// pattern has one (so a rule can remove part of what it matches), else
    /// the whole match.
    ///
    /// # Errors
    ///
    /// [`Exceeded`] when a fancy pattern runs out of backtracking budget;
    /// the matches found before are dropped too, so a rule applies to a
    /// line wholly or not at all.
    pub(crate) fn removal_ranges(&self, text: &str) -> Result<Vec<(usize, usize)>, Exceeded> {
        let mut out = Vec::new();
        match self {
            Pattern::Plain(re) => {
                let group = usize::from(re.captures_len() > 1);
                for caps in re.captures_iter(text) {
                    if let Some(m) = caps.get(group) {
                        if m.start() < m.end() {
                            out.push((m.start(), m.end()));
                        }
                    }
                }
            }
            Pattern::Fancy(re) => {
                let group = usize::from(re.captures_len() > 1);
                for caps in re.captures_iter(text) {
                    let caps = caps.map_err(|_| Exceeded)?;
                    if let Some(m) = caps.get(group) {
                        if m.start() < m.end() {
                            out.push((m.start(), m.end()));
                        }
                    }
                }
            }
        }
        Ok(out)
    }
}

/// A fancy pattern ran out of its backtracking budget on a line: the only
/// way a compiled pattern fails at match time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Exceeded;

/// One compiled rule, with its qualified id (`cmn/related-news`).
#[derive(Debug)]
pub(crate) struct Rule {
    pub id: String,
    pub pattern: Pattern,
    pub min_position: f64,
    /// The longest line (in bytes) the pattern can match, when it is
    /// anchored at both ends and bounded; see [`Rule::may_match`].
    pub max_len: Option<usize>,
}

impl Rule {
    /// False when `line` is too long for the rule to match at all. Most
    /// clutter patterns are `^...$` with bounded parts, and most of a page's
    /// bytes are in long prose lines, so this skips most regex work.
    pub(crate) fn may_match(&self, line: &str) -> bool {
        self.max_len.is_none_or(|n| line.len() <= n)
    }
}

/// The longest match of `pattern` in bytes, if it is anchored at the start
/// and end of the line and has no unbounded repetition.
fn anchored_max_len(pattern: &str) -> Option<usize> {
    use regex_syntax::hir::Look;
    let hir = regex_syntax::parse(pattern).ok()?;
    let p = hir.properties();
    let anchored =
        p.look_set_prefix().contains(Look::Start) && p.look_set_suffix().contains(Look::End);
    if anchored {
        p.maximum_len()
    } else {
        None
    }
}

/// Plain drop patterns of similar reach, matched together in one set.
#[derive(Debug)]
pub(crate) struct DropSet {
    pub set: regex::RegexSet,
    /// `rules[i]` is the index in `CompiledFile::drop` of the set's pattern `i`.
    pub rules: Vec<usize>,
    /// The longest line any pattern of the set can match.
    pub max_len: usize,
}

/// Upper bounds of the drop sets by reach: short anchored patterns (menu
/// words, share buttons) skip every line of prose; bounded ones skip long
/// paragraphs; the rest see every line.
const SET_REACH: [usize; 3] = [256, 4096, usize::MAX];

/// The compiled rules of one file.
#[derive(Debug)]
pub(crate) struct CompiledFile {
    pub drop: Vec<Rule>,
    /// Plain drop patterns, grouped by reach (see [`SET_REACH`]).
    pub drop_sets: Vec<DropSet>,
    /// Indices in `drop` of rules tried one by one: fancy ones, and plain
    /// ones with a Unicode word boundary (see [`slows_a_set`]).
    pub drop_single: Vec<usize>,
    pub cut: Vec<Rule>,
    pub inline: Vec<Rule>,
}

impl CompiledFile {
    /// The first drop rule matching `line`, by file order. Fancy rules for
    /// which `skip` is true are not tried; one that runs out of budget is
    /// passed to `exceeded` and counts as not matching.
    pub(crate) fn drop_match<'a>(
        &'a self,
        line: &str,
        skip: impl Fn(&Rule) -> bool,
        mut exceeded: impl FnMut(&'a Rule),
    ) -> Option<&'a Rule> {
        let from_set = self
            .drop_sets
            .iter()
            .filter(|s| line.len() <= s.max_len)
            .flat_map(|s| s.set.matches(line).into_iter().map(|i| s.rules[i]))
            .min();
        let from_single = self.drop_single.iter().copied().find(|&i| {
            let rule = &self.drop[i];
            if skip(rule) || !rule.may_match(line) {
                return false;
            }
            match rule.pattern.is_match(line) {
                Ok(m) => m,
                Err(Exceeded) => {
                    exceeded(rule);
                    false
                }
            }
        });
        let first = match (from_set, from_single) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        first.map(|i| &self.drop[i])
    }
}

/// Whether a plain pattern would make the whole `RegexSet` slow: a Unicode
/// word boundary (`\b` without `(?-u)`) stops the lazy DFA at the first
/// non-ASCII byte, and the set then falls back to the PikeVM for every
/// pattern, which halved throughput on a mixed corpus. Alone, such a
/// pattern costs only itself, and anchored patterns fail fast.
fn slows_a_set(pattern: &str) -> bool {
    regex_syntax::parse(pattern)
        .is_ok_and(|hir| hir.properties().look_set().contains_word_unicode())
}

/// Default position before which cut markers are ignored: a "Related"
/// heading in the first fifth of a page is a menu, not the article's end.
const DEFAULT_MIN_POSITION: f64 = 0.2;

/// Compiles every rule of `file`; `label` and `name` qualify messages and ids.
pub(crate) fn compile(
    label: &str,
    name: &str,
    file: &RuleFile,
) -> Result<CompiledFile, Vec<RuleProblem>> {
    let mut problems = Vec::new();
    let mut out = CompiledFile {
        drop: Vec::new(),
        drop_sets: Vec::new(),
        drop_single: Vec::new(),
        cut: Vec::new(),
        inline: Vec::new(),
    };
    let mut plain_drop: [Vec<(&str, usize, usize)>; SET_REACH.len()] = Default::default();
    for spec in &file.rules {
        let pattern = match compile_pattern(spec) {
            Ok(p) => p,
            Err(message) => {
                problems.push(problem(label, spec, spec.pattern_pos, message));
                continue;
            }
        };
        problems.extend(check_examples(label, spec, &pattern));
        let rule = Rule {
            id: format!("{name}/{}", spec.id),
            max_len: match pattern {
                Pattern::Plain(_) => anchored_max_len(&spec.pattern),
                Pattern::Fancy(_) => None,
            },
            pattern,
            min_position: spec.min_position.unwrap_or(DEFAULT_MIN_POSITION),
        };
        match spec.kind {
            Kind::DropLines => {
                match rule.pattern {
                    Pattern::Plain(_) if !slows_a_set(&spec.pattern) => {
                        let reach = rule.max_len.unwrap_or(usize::MAX);
                        let bucket = SET_REACH.iter().position(|&r| reach <= r);
                        let bucket = bucket.expect("the last reach is unbounded");
                        plain_drop[bucket].push((spec.pattern.as_str(), out.drop.len(), reach));
                    }
                    _ => out.drop_single.push(out.drop.len()),
                }
                out.drop.push(rule);
            }
            Kind::CutAfter => out.cut.push(rule),
            Kind::RemoveInline => out.inline.push(rule),
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    for group in plain_drop.iter().filter(|g| !g.is_empty()) {
        let set = regex::RegexSetBuilder::new(group.iter().map(|(p, _, _)| p))
            .size_limit(REGEX_SIZE_LIMIT * 4)
            .dfa_size_limit(DFA_SIZE_LIMIT)
            .build()
            .map_err(|e| {
                vec![RuleProblem {
                    file: label.to_owned(),
                    line: 0,
                    col: 0,
                    rule: None,
                    message: format!(
                        "the drop_lines patterns together are too large: {}",
                        regex_message(&e)
                    ),
                }]
            })?;
        out.drop_sets.push(DropSet {
            set,
            rules: group.iter().map(|&(_, i, _)| i).collect(),
            max_len: group.iter().map(|&(_, _, n)| n).max().unwrap_or(usize::MAX),
        });
    }
    Ok(out)
}

fn problem(
    label: &str,
    spec: &RuleSpec,
    pos: crate::ruleset::schema::Pos,
    message: String,
) -> RuleProblem {
    RuleProblem {
        file: label.to_owned(),
        line: pos.line,
        col: pos.col,
        rule: Some(spec.id.clone()),
        message,
    }
}

fn compile_pattern(spec: &RuleSpec) -> Result<Pattern, String> {
    if spec.pattern.is_empty() {
        return Err("empty pattern: it would match every line".into());
    }
    if spec.fancy {
        fancy_regex::RegexBuilder::new(&spec.pattern)
            .backtrack_limit(BACKTRACK_LIMIT)
            .delegate_size_limit(REGEX_SIZE_LIMIT)
            .delegate_dfa_size_limit(DFA_SIZE_LIMIT)
            .build()
            .map(|re| Pattern::Fancy(Box::new(re)))
            .map_err(|e| format!("invalid pattern: {}", last_line(&e.to_string())))
    } else {
        regex::RegexBuilder::new(&spec.pattern)
            .size_limit(REGEX_SIZE_LIMIT)
            .dfa_size_limit(DFA_SIZE_LIMIT)
            .build()
            .map(Pattern::Plain)
            .map_err(|e| {
                let msg = regex_message(&e);
                let hint = if msg.contains("look-around") || msg.contains("backreferences") {
                    "; look-around and back-references need \"fancy: true\""
                } else {
                    ""
                };
                format!("invalid pattern: {msg}{hint}")
            })
    }
}

fn regex_message(e: &regex::Error) -> String {
    match e {
        regex::Error::CompiledTooBig(limit) => {
            format!("compiled pattern exceeds the size limit of {limit} bytes")
        }
        other => last_line(&other.to_string()),
    }
}

/// The regex crates print the pattern with a caret line before the message;
/// the message alone is what belongs after `file:line:col:`.
fn last_line(text: &str) -> String {
    let line = text
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or(text);
    line.trim().trim_start_matches("error: ").to_owned()
}

/// Runs a rule's examples: each `remove` line must match, no `keep` line may.
fn check_examples(label: &str, spec: &RuleSpec, pattern: &Pattern) -> Vec<RuleProblem> {
    let mut out = Vec::new();
    let budget = |ex: &str| {
        format!(
            "example \"{ex}\" exceeds the backtracking limit of {BACKTRACK_LIMIT} steps; \
             simplify nested repetition"
        )
    };
    for ex in &spec.remove_examples {
        match pattern.find(ex) {
            Ok(Some(_)) => {}
            Ok(None) => {
                let msg = format!("example to remove does not match: \"{ex}\"");
                out.push(problem(label, spec, spec.pos, msg));
            }
            Err(Exceeded) => out.push(problem(label, spec, spec.pos, budget(ex))),
        }
    }
    for ex in &spec.keep_examples {
        match pattern.find(ex) {
            Ok(None) => {}
            Ok(Some(_)) => {
                let msg = format!("example to keep matches: \"{ex}\"");
                out.push(problem(label, spec, spec.pos, msg));
            }
            Err(Exceeded) => out.push(problem(label, spec, spec.pos, budget(ex))),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ruleset::schema::parse;

    fn errors(body: &str) -> Vec<String> {
        let src = format!("lang: eng\n{body}");
        let file = parse("t.yaml", &src).expect("schema is valid");
        match compile("t.yaml", "eng", &file) {
            Ok(_) => Vec::new(),
            Err(p) => p.iter().map(ToString::to_string).collect(),
        }
    }

    #[test]
    fn look_around_suggests_fancy() {
        let e = errors("drop_lines:\n  - id: x\n    why: y\n    pattern: '(?<=a)b'\n    examples: {remove: [ab], keep: [b]}\n");
        assert_eq!(e.len(), 1, "{e:?}");
        assert!(
            e[0].starts_with("t.yaml:5:14: rule \"x\": invalid pattern:"),
            "{e:?}"
        );
        assert!(e[0].contains("need \"fancy: true\""), "{e:?}");
    }

    #[test]
    fn fancy_look_behind_compiles() {
        let e = errors("drop_lines:\n  - id: x\n    why: y\n    pattern: '(?<=a)b'\n    fancy: true\n    examples: {remove: [ab], keep: [b]}\n");
        assert!(e.is_empty(), "{e:?}");
    }

    #[test]
    fn huge_patterns_are_refused() {
        let e = errors("drop_lines:\n  - id: x\n    why: y\n    pattern: '\\w{5000}'\n    examples: {remove: [a], keep: [b]}\n");
        assert_eq!(e.len(), 1, "{e:?}");
        assert!(e[0].contains("size limit"), "{e:?}");
    }

    #[test]
    fn failing_examples_are_reported() {
        let e = errors("cut_after:\n  - id: x\n    why: y\n    pattern: '^Related$'\n    examples: {remove: [Related stories], keep: [Related]}\n");
        assert_eq!(e.len(), 2, "{e:?}");
        assert!(e[0].contains("example to remove does not match: \"Related stories\""));
        assert!(e[1].contains("example to keep matches: \"Related\""));
    }
}
