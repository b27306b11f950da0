//! Rule compilation: [`RuleSpec`] -> matchers, checked against their examples.
//!
//! Patterns compile with `regex` unless a rule asks for `fancy: true`; both
//! engines get explicit size limits so a hostile pattern is refused at load
//! instead of eating memory. Plain line-drop patterns of one file are also
//! combined into one `RegexSet`, so a line is tested once per file rather
//! than once per rule.

use std::sync::OnceLock;

use crate::error::RuleProblem;
use crate::ruleset::dropset::{self, DropSets, Fit, Member};
use crate::ruleset::literals::{Candidates, Needs, Prefilter};
use crate::ruleset::phrase::{self, LazyLine, PhraseMatcher};
use crate::ruleset::schema::{Kind, RuleFile, RuleSpec};

/// Compiled program size cap per pattern. Ordinary clutter patterns need a
/// few hundred KiB at most; megabyte-sized programs come from mistakes such
/// as `\w{1000}` or from hostile files.
pub(crate) const REGEX_SIZE_LIMIT: usize = 4 << 20;
/// Lazy-DFA cache per pattern set, per thread. The default (2 MiB) thrashes
/// on Unicode-heavy sets of line patterns; 16 MiB keeps the DFA warm on
/// mixed pages.
pub(crate) const DFA_SIZE_LIMIT: usize = 16 << 20;
/// Lazy-DFA cache of a pattern matched alone, per thread: one pattern's
/// states fit in the default, and dozens of rules times threads times a
/// larger cache would dominate peak memory.
const DFA_SIZE_LIMIT_ALONE: usize = 2 << 20;
/// Backtracking budget of a fancy pattern per match attempt; past it the
/// rule is treated as not matching rather than letting one line hang.
/// A rule's attempts on one page share one such budget (see [`Budget`]).
pub(crate) const BACKTRACK_LIMIT: usize = 100_000;
/// The limits a fancy search is tried at, in turn: fancy-regex does not
/// report the steps a search took, only whether it stayed within its
/// limit, so a search that fails at one limit is rerun at the next, and
/// what it cost is known to within a factor of 16 (the failed tries are
/// counted too: they are work done).
const LADDER: [usize; 4] = [
    BACKTRACK_LIMIT / 4096,
    BACKTRACK_LIMIT / 256,
    BACKTRACK_LIMIT / 16,
    BACKTRACK_LIMIT,
];
/// Steps a fancy rule earns per byte of each line it is tried on. An
/// unanchored search takes about one step per byte it scans, and the
/// ladder charges at most about 17 times what a search took, so ordinary
/// patterns never run short, while the total stays linear in the page.
const STEPS_PER_BYTE: usize = 64;

/// What one fancy rule may still spend on one page, in backtracking steps:
/// one climb of the whole ladder (a single search of up to
/// [`BACKTRACK_LIMIT`] steps), plus [`STEPS_PER_BYTE`] for each byte of each
/// line the rule is tried on. Searches draw from it, so a rule that costs
/// just under the limit on each of many matches or lines runs dry and is
/// switched off instead of making a page take seconds.
#[derive(Debug, Clone)]
pub(crate) struct Budget {
    left: usize,
}

impl Budget {
    /// A fresh budget for one rule on one page.
    pub(crate) fn page() -> Budget {
        Budget {
            left: LADDER.iter().sum(),
        }
    }

    /// Earns the allowance of one line the rule is about to be tried on.
    pub(crate) fn grant(&mut self, line: &str) {
        let earned = STEPS_PER_BYTE.saturating_mul(line.len().saturating_add(1));
        self.left = self.left.saturating_add(earned);
    }
}

/// A fancy pattern compiled once per limit of [`LADDER`]: the top one at
/// load (it validates the pattern and runs the examples), the others on
/// first use.
#[derive(Debug)]
pub(crate) struct Ladder {
    source: String,
    lower: [OnceLock<fancy_regex::Regex>; LADDER.len() - 1],
    top: fancy_regex::Regex,
}

impl Ladder {
    fn rung(&self, i: usize) -> &fancy_regex::Regex {
        match self.lower.get(i) {
            None => &self.top,
            Some(cell) => cell.get_or_init(|| {
                build_fancy(&self.source, LADDER[i]).expect(
                    "the same pattern compiled at load with the top limit; only the limit differs",
                )
            }),
        }
    }

    /// Runs `search` at each limit in turn until it completes, drawing
    /// what each try may cost from `budget`.
    ///
    /// # Errors
    ///
    /// [`Exceeded`] when the next try would cost more than is left, or
    /// the search fails for another reason (a stack overflow).
    fn run<T>(
        &self,
        budget: &mut Budget,
        search: impl Fn(&fancy_regex::Regex) -> Result<T, fancy_regex::Error>,
    ) -> Result<T, Exceeded> {
        use fancy_regex::{Error, RuntimeError};
        for (i, &limit) in LADDER.iter().enumerate() {
            if limit > budget.left {
                break;
            }
            budget.left -= limit;
            match search(self.rung(i)) {
                Ok(found) => return Ok(found),
                Err(Error::RuntimeError(RuntimeError::BacktrackLimitExceeded)) => {}
                Err(_) => break,
            }
        }
        Err(Exceeded)
    }
}

fn build_fancy(pattern: &str, limit: usize) -> Result<fancy_regex::Regex, fancy_regex::Error> {
    fancy_regex::RegexBuilder::new(pattern)
        .backtrack_limit(limit)
        .delegate_size_limit(REGEX_SIZE_LIMIT)
        .delegate_dfa_size_limit(DFA_SIZE_LIMIT_ALONE)
        .build()
}

/// A compiled pattern of either engine.
#[derive(Debug)]
pub(crate) enum Pattern {
    Plain(regex::Regex),
    Fancy(Box<Ladder>),
    /// A plain pattern without lazy DFAs (forward NFA, PikeVM and
    /// backtracker only): a third of the memory, for rules that only
    /// confirm the rare candidate lines their set found.
    Lean(regex_automata::meta::Regex),
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
            Pattern::Lean(re) => Ok(re.find(text).map(|m| (m.start(), m.end()))),
            Pattern::Fancy(re) => match re.top.find(text) {
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
            Pattern::Lean(re) => Ok(re.is_match(text)),
            Pattern::Fancy(re) => re.top.is_match(text).map_err(|_| Exceeded),
        }
    }

    /// As [`Pattern::is_match`], a fancy pattern drawing its steps from
    /// `budget` (a plain one costs nothing).
    ///
    /// # Errors
    ///
    /// [`Exceeded`] when a fancy pattern runs out of `budget`.
    pub(crate) fn is_match_within(
        &self,
        text: &str,
        budget: &mut Budget,
    ) -> Result<bool, Exceeded> {
        match self {
            Pattern::Fancy(re) => re.run(budget, |re| re.is_match(text)),
            _ => self.is_match(text),
        }
    }

    /// Whether this is a fancy pattern, the only kind with a budget.
    pub(crate) fn is_fancy(&self) -> bool {
        matches!(self, Pattern::Fancy(_))
    }

    /// Every non-overlapping match; the range of capture group 1 when the
    /// pattern has one (so a rule can remove part of what it matches), else
    /// the whole match. The ranges come sorted and disjoint: a group inside
    /// a look-around can reach past its match (`(?=(aa))a`), and the spans
    /// of such groups that overlap are merged into one. A fancy pattern
    /// draws each search from `budget`.
    ///
    /// # Errors
    ///
    /// [`Exceeded`] when a fancy pattern runs out of `budget`; the matches
    /// found before are dropped too, so a rule applies to a line wholly or
    /// not at all.
    pub(crate) fn removal_ranges(
        &self,
        text: &str,
        budget: &mut Budget,
    ) -> Result<Vec<(usize, usize)>, Exceeded> {
        let mut out = Vec::new();
        match self {
            Pattern::Plain(re) => {
                let group = usize::from(re.captures_len() > 1);
                for caps in re.captures_iter(text) {
                    if let Some(m) = caps.get(group) {
                        out.push((m.start(), m.end()));
                    }
                }
            }
            Pattern::Lean(re) => {
                let group =
                    usize::from(re.group_info().group_len(regex_automata::PatternID::ZERO) > 1);
                for caps in re.captures_iter(text) {
                    if let Some(m) = caps.get_group(group) {
                        out.push((m.start, m.end));
                    }
                }
            }
            Pattern::Fancy(re) => fancy_ranges(re, text, budget, &mut out)?,
        }
        Ok(disjoint(out))
    }
}

/// The removal ranges of a fancy pattern, one budgeted search per match
/// (fancy-regex's own iterator gives each search a fresh limit). Follows
/// that iterator: an empty match moves the search one character on, and an
/// empty match right where the previous match ended is not counted.
fn fancy_ranges(
    re: &Ladder,
    text: &str,
    budget: &mut Budget,
    out: &mut Vec<(usize, usize)>,
) -> Result<(), Exceeded> {
    let group = usize::from(re.top.captures_len() > 1);
    let mut pos = 0;
    let mut last_end = None;
    while pos <= text.len() {
        let Some(caps) = re.run(budget, |r| r.captures_from_pos(text, pos))? else {
            break;
        };
        let Some(whole) = caps.get(0) else { break };
        let (start, end) = (whole.start(), whole.end());
        pos = if start == end {
            end + text[end..].chars().next().map_or(1, char::len_utf8)
        } else {
            end
        };
        if start == end && last_end == Some(end) {
            continue;
        }
        last_end = Some(end);
        if let Some(m) = caps.get(group) {
            out.push((m.start(), m.end()));
        }
    }
    Ok(())
}

/// Sorted, non-empty, non-overlapping ranges covering what `ranges` cover
/// (ranges that only touch stay apart: they are separate removals).
fn disjoint(mut ranges: Vec<(usize, usize)>) -> Vec<(usize, usize)> {
    ranges.retain(|&(start, end)| start < end);
    ranges.sort_unstable();
    let mut out: Vec<(usize, usize)> = Vec::with_capacity(ranges.len());
    for (start, end) in ranges {
        match out.last_mut() {
            Some(last) if start < last.1 => last.1 = last.1.max(end),
            _ => out.push((start, end)),
        }
    }
    out
}

/// A fancy pattern ran out of its backtracking budget on a line: the only
/// way a compiled pattern fails at match time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Exceeded;

/// One compiled rule, with its qualified id (`cmn/related-news`).
#[derive(Debug)]
pub(crate) struct Rule {
    pub id: String,
    /// `None` for a drop rule matched only through its file's set, which
    /// saves compiling the pattern twice.
    pattern: Option<Pattern>,
    pub min_position: f64,
    /// The longest line (in bytes) the pattern can match, when it is
    /// anchored at both ends and bounded; see [`Rule::may_match`].
    pub max_len: Option<usize>,
}

impl Rule {
    /// A phrase rule: matched by its file's phrase automaton, never by a
    /// pattern of its own.
    pub(crate) fn phrase(id: String, min_position: Option<f64>) -> Rule {
        Rule {
            id,
            pattern: None,
            min_position: min_position.unwrap_or(DEFAULT_MIN_POSITION),
            max_len: None,
        }
    }

    /// The rule's own matcher.
    pub(crate) fn pattern(&self) -> &Pattern {
        self.pattern
            .as_ref()
            .expect("only drop-set members lack a matcher, and they are matched in their set")
    }

    /// Whether the rule has a fancy pattern, whose searches need a
    /// [`Budget`].
    pub(crate) fn is_fancy(&self) -> bool {
        self.pattern.as_ref().is_some_and(Pattern::is_fancy)
    }

    /// False when `line` is too long for the rule to match at all. Most
    /// clutter patterns are `^...$` with bounded parts, and most of a page's
    /// bytes are in long prose lines, so this skips most regex work.
    pub(crate) fn may_match(&self, line: &str) -> bool {
        self.max_len.is_none_or(|n| line.len() <= n)
    }
}

/// The longest match of `pattern` in bytes, if it is anchored at the start
/// and end of the line and has no unbounded repetition.
fn anchored_max_len(hir: &regex_syntax::hir::Hir) -> Option<usize> {
    use regex_syntax::hir::Look;
    let p = hir.properties();
    let anchored =
        p.look_set_prefix().contains(Look::Start) && p.look_set_suffix().contains(Look::End);
    if anchored {
        p.maximum_len()
    } else {
        None
    }
}

/// The compiled rules of one file.
#[derive(Debug)]
pub(crate) struct CompiledFile {
    pub drop: Vec<Rule>,
    /// How `drop` is matched: mostly in sets, some rules alone.
    pub drop_sets: DropSets,
    pub cut: Vec<Rule>,
    pub inline: Vec<Rule>,
    /// The file's phrases (for a language, `common`'s too); its rules are
    /// in none of the lists above, so nothing asks them for a pattern.
    pub phrases: PhraseMatcher,
    /// The required literals of `drop`, `cut` and `inline`, in that order
    /// (slot `drop.len() + j` is `cut[j]`).
    pub prefilter: Prefilter,
    /// No line longer than this (bytes) can match a drop or cut pattern.
    pub pattern_reach: usize,
}

impl CompiledFile {
    /// The first drop rule matching `line`, by file order. Fancy rules for
    /// which `skip` is true are not tried; one that runs out of budget is
    /// passed to `exceeded` and counts as not matching.
    pub(crate) fn drop_match<'a>(
        &'a self,
        line: &LineView<'_, 'a>,
        skip: impl Fn(&Rule) -> bool,
        exceeded: impl FnMut(&'a Rule),
    ) -> Option<&'a Rule> {
        if let Some(rule) = line.phrases[0] {
            return Some(rule);
        }
        if !line.candidates.any() {
            return None;
        }
        let first = self.drop_sets.first_match(
            &self.drop,
            line.text,
            |i| line.candidates.has(i),
            skip,
            exceeded,
        );
        first.map(|i| &self.drop[i])
    }

    /// What the phrases say of a line (drop, boundary), with the patterns
    /// that may match it marked in `candidates`; the line is normalised
    /// only if a phrase or a literal needs it.
    pub(crate) fn prepare<'r>(
        &'r self,
        line: &mut LazyLine<'_, '_>,
        candidates: &mut Candidates,
    ) -> [Option<&'r Rule>; 2] {
        let text = line.text();
        if text.len() <= self.pattern_reach {
            self.prefilter
                .candidates(text, || line.normalized().folded(), candidates);
        } else {
            candidates.clear();
        }
        if self.phrases.skips(text.len()) {
            [None, None]
        } else {
            self.phrases.find_normalized(line.normalized())
        }
    }

    /// The boundary (`cut_after`) rule matching `line` that applies
    /// earliest on a page (the lowest `min_position`; file order breaks
    /// ties), with the byte offset where its match starts. `skip` and
    /// `exceeded` work as for [`CompiledFile::drop_match`].
    pub(crate) fn boundary_match<'a>(
        &'a self,
        view: &LineView<'_, 'a>,
        skip: impl Fn(&Rule) -> bool,
        mut exceeded: impl FnMut(&'a Rule),
    ) -> Option<(&'a Rule, usize)> {
        // A phrase boundary is a whole line: it starts at the line's start.
        let mut best: Option<(&'a Rule, usize)> = view.phrases[1].map(|rule| (rule, 0));
        let line = view.text;
        for (j, rule) in self.cut.iter().enumerate() {
            if !view.candidates.has(self.drop.len() + j) || skip(rule) || !rule.may_match(line) {
                continue;
            }
            if best.is_some_and(|(b, _)| b.min_position <= rule.min_position) {
                continue;
            }
            match rule.pattern().find(line) {
                Ok(Some((start, _))) => best = Some((rule, start)),
                Ok(None) => {}
                Err(Exceeded) => exceeded(rule),
            }
        }
        best
    }
}

/// One line as a file's matchers see it: its text, what its phrases
/// matched (drop, boundary), and which patterns may match it.
pub(crate) struct LineView<'t, 'r> {
    pub text: &'t str,
    phrases: [Option<&'r Rule>; 2],
    candidates: &'t Candidates,
}

impl<'t, 'r> LineView<'t, 'r> {
    /// A line with what [`CompiledFile::prepare`] found for it.
    pub(crate) fn new(
        text: &'t str,
        phrases: [Option<&'r Rule>; 2],
        candidates: &'t Candidates,
    ) -> Self {
        LineView {
            text,
            phrases,
            candidates,
        }
    }
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
    compile_with(label, name, file, None)
}

/// [`compile`], with `common`'s phrases (label, file) compiled into the
/// same automaton as the file's own, ahead of them: one pass per line for
/// both. `common`'s file is then layered without its phrases.
pub(crate) fn compile_with(
    label: &str,
    name: &str,
    file: &RuleFile,
    common: Option<(&str, &RuleFile)>,
) -> Result<CompiledFile, Vec<RuleProblem>> {
    let mut problems = Vec::new();
    let mut sources = Vec::with_capacity(2);
    if let Some((common_label, common_file)) = common {
        sources.push(phrase::Source {
            label: common_label,
            name: crate::ruleset::COMMON,
            file: common_file,
        });
    }
    sources.push(phrase::Source { label, name, file });
    let (phrases, phrase_problems) =
        PhraseMatcher::build_partial(&sources, phrase::builtin_concepts());
    problems.extend(phrase_problems);
    if common.is_none() {
        problems.extend(phrases.check_keep(label, &file.keep));
    }
    let mut out = CompiledFile {
        drop: Vec::new(),
        drop_sets: DropSets::default(),
        cut: Vec::new(),
        inline: Vec::new(),
        phrases,
        prefilter: Prefilter::default(),
        pattern_reach: 0,
    };
    let mut members = Vec::new();
    // The required literals of each rule, by kind, for the prefilter.
    let mut needs: [Vec<Option<Needs>>; 3] = Default::default();
    for spec in &file.rules {
        // Parsed once: the set, the reach and the anchoring all read it.
        let hir = (!spec.fancy)
            .then(|| regex_syntax::parse(&spec.pattern).ok())
            .flatten();
        let fit = match spec.kind {
            Kind::DropLines => dropset::fit(spec, hir.as_ref()),
            _ => Fit::Alone,
        };
        // A set member is compiled only as part of its set.
        let pattern = match &fit {
            Fit::Exact => None,
            Fit::Relaxed(_) => Some(compile_lean(spec)),
            Fit::Alone => Some(compile_pattern(spec)),
        };
        let pattern = match pattern {
            None => None,
            Some(Ok(p)) => {
                problems.extend(check_examples(label, spec, |ex| p.is_match(ex)));
                Some(p)
            }
            Some(Err(message)) => {
                problems.push(problem(label, spec, spec.pattern_pos, message));
                continue;
            }
        };
        let anchored = hir.as_ref().is_some_and(dropset::starts_anchored);
        let kind_index = match spec.kind {
            Kind::DropLines => 0,
            Kind::CutAfter => 1,
            Kind::RemoveInline => 2,
        };
        needs[kind_index].push(hir.as_ref().map(Needs::of));
        let rule = Rule {
            id: format!("{name}/{}", spec.id),
            max_len: hir.as_ref().and_then(anchored_max_len),
            pattern,
            min_position: spec.min_position.unwrap_or(DEFAULT_MIN_POSITION),
        };
        match spec.kind {
            Kind::DropLines => {
                let index = out.drop.len();
                match fit {
                    Fit::Exact => members.push(Member::exact(spec, index, anchored)),
                    Fit::Relaxed(pattern) => {
                        members.push(Member::relaxed(spec, index, pattern, anchored));
                    }
                    Fit::Alone => out.drop_sets.add_alone(index),
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
    out.drop_sets.add_sets(label, &members, &out.drop)?;
    out.prefilter = Prefilter::new(needs.into_iter().flatten().collect());
    out.pattern_reach = out
        .drop
        .iter()
        .chain(&out.cut)
        .map(|r| r.max_len.unwrap_or(usize::MAX))
        .max()
        .unwrap_or(0);
    Ok(out)
}

pub(crate) fn problem(
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

/// A plain pattern as [`Pattern::Lean`]; errors are reported as
/// [`compile_pattern`] would.
fn compile_lean(spec: &RuleSpec) -> Result<Pattern, String> {
    use regex_automata::meta;
    let config = meta::Config::new()
        .hybrid(false)
        .dfa(false)
        .onepass(false)
        .nfa_size_limit(Some(REGEX_SIZE_LIMIT));
    meta::Regex::builder()
        .configure(config)
        .build(&spec.pattern)
        .map(Pattern::Lean)
        .or_else(|_| compile_pattern(spec).and(Err("invalid pattern".into())))
}

pub(crate) fn compile_pattern(spec: &RuleSpec) -> Result<Pattern, String> {
    if spec.pattern.is_empty() {
        return Err("empty pattern: it would match every line".into());
    }
    if spec.fancy {
        build_fancy(&spec.pattern, BACKTRACK_LIMIT)
            .map(|top| {
                Pattern::Fancy(Box::new(Ladder {
                    source: spec.pattern.clone(),
                    lower: Default::default(),
                    top,
                }))
            })
            .map_err(|e| format!("invalid pattern: {}", last_line(&e.to_string())))
    } else {
        regex::RegexBuilder::new(&spec.pattern)
            .size_limit(REGEX_SIZE_LIMIT)
            .dfa_size_limit(DFA_SIZE_LIMIT_ALONE)
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
pub(crate) fn check_examples(
    label: &str,
    spec: &RuleSpec,
    matches: impl Fn(&str) -> Result<bool, Exceeded>,
) -> Vec<RuleProblem> {
    let mut out = Vec::new();
    let budget = |ex: &str| {
        format!(
            "example \"{ex}\" exceeds the backtracking limit of {BACKTRACK_LIMIT} steps; \
             simplify nested repetition"
        )
    };
    let expected = [(&spec.remove_examples, true), (&spec.keep_examples, false)];
    for (examples, remove) in expected {
        for ex in examples {
            let message = match matches(ex) {
                Ok(hit) if hit == remove => continue,
                Ok(_) if remove => format!("example to remove does not match: \"{ex}\""),
                Ok(_) => format!("example to keep matches: \"{ex}\""),
                Err(Exceeded) => budget(ex),
            };
            out.push(problem(label, spec, spec.pos, message));
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

    fn fancy(pattern: &str) -> Pattern {
        Pattern::Fancy(Box::new(Ladder {
            source: pattern.to_owned(),
            lower: Default::default(),
            top: build_fancy(pattern, BACKTRACK_LIMIT).expect("valid pattern"),
        }))
    }

    #[test]
    fn removal_ranges_are_sorted_and_disjoint() {
        assert_eq!(
            disjoint(vec![(2, 4), (0, 2), (1, 3), (5, 5), (7, 6)]),
            [(0, 4)]
        );
        assert_eq!(
            disjoint(vec![(3, 5), (0, 3)]),
            [(0, 3), (3, 5)],
            "touching stay apart"
        );
        let ranges = fancy("(?=(aa))a").removal_ranges("aaaa b aa", &mut Budget::page());
        assert_eq!(ranges, Ok(vec![(0, 4), (7, 9)]));
    }

    #[test]
    fn empty_matches_move_the_search_on() {
        // "a" at 0, then empty matches at 1 and 2, which remove nothing.
        let ranges = fancy("(a*)(?=b|$)").removal_ranges("ab", &mut Budget::page());
        assert_eq!(ranges, Ok(vec![(0, 1)]));
    }

    #[test]
    fn searches_draw_from_one_budget() {
        let p = fancy("(?<=x)y");
        let mut budget = Budget { left: 0 };
        assert_eq!(p.is_match_within("xy", &mut budget), Err(Exceeded));
        budget.grant("xy");
        assert_eq!(p.is_match_within("xy", &mut budget), Ok(true));
        assert!(budget.left < STEPS_PER_BYTE * 3, "the search was charged");
    }

    #[test]
    fn failing_examples_are_reported() {
        let e = errors("cut_after:\n  - id: x\n    why: y\n    pattern: '^Related$'\n    examples: {remove: [Related stories], keep: [Related]}\n");
        assert_eq!(e.len(), 2, "{e:?}");
        assert!(e[0].contains("example to remove does not match: \"Related stories\""));
        assert!(e[1].contains("example to keep matches: \"Related\""));
    }
}
