//! Required literals: a prefilter that keeps most lines away from the
//! regex engines.
//!
//! For each plain pattern the compiler derives, from its syntax tree, a
//! small set of strings of which every match must contain one ("share",
//! "cookies", "(" for a bracketed credit). The strings of all of a file's
//! patterns go into one Aho-Corasick automaton, which runs once over the
//! line as phrases normalise it ([`fold_char`]); a pattern is then tried
//! only on lines where one of its strings occurs. Most lines hold none, and
//! the automaton costs far less than one lazy-DFA pass of a set.
//!
//! The strings are folded as lines are, character by character, so a line
//! the pattern matches always holds one of them once folded: a literal
//! character folds to what the line's character folds to, a class to the
//! folds of its members (a case-insensitive `s` is `S`, `s` and `ſ`, which
//! all fold to `s`). Runs of spaces are folded to one in both, and a
//! string's edge spaces are dropped, as the line's are.
//!
//! Two cheaper conditions come from the same tree and are tested first,
//! on the line as it stands: the characters a `^`-anchored pattern can
//! start with (`^[^\p{L}]+$` cannot match a line that starts with a
//! letter), and whether every match holds a digit (`\d{1,2}:\d{2}`). The
//! automaton runs only when a rule that needs it passes them.
//!
//! A pattern with none of the three (a fancy pattern, `.{3}`) is tried on
//! every line, as before.

use aho_corasick::{AhoCorasick, MatchKind};
use regex_syntax::hir::{Class, ClassUnicode, ClassUnicodeRange, Hir, HirKind, Look};

use crate::normalize::collapse_spaces;
use crate::ruleset::phrase::fold_char;
// Any numeric character counts: wider than `\d`, so still a sound test.
use crate::script::has_digit;

/// Above this many strings a set is given up (cross products grow fast).
const MAX_SET: usize = 64;
/// A class of more characters than this is no literal ("[a-z]").
const MAX_CLASS: usize = 12;

/// What is known of the strings a syntax node matches.
#[derive(Debug, Clone)]
struct Info {
    /// Every string the node can match, folded, when they are few.
    exact: Option<Vec<String>>,
    /// Some string of this set occurs in every match.
    required: Option<Vec<String>>,
}

impl Info {
    fn exact(set: Vec<String>) -> Info {
        Info {
            exact: Some(set),
            required: None,
        }
    }

    fn none() -> Info {
        Info {
            exact: None,
            required: None,
        }
    }

    /// The best set every match contains a member of: the exact set is one
    /// too, unless it holds the empty string.
    fn best_required(&self) -> Option<Vec<String>> {
        let from_exact = self.exact.clone().map(minimal);
        better(from_exact, self.required.clone().map(minimal))
    }
}

/// What a line must have for a pattern to match it.
#[derive(Debug, Clone, Default)]
pub(crate) struct Needs {
    /// One of these strings, folded ([`required`]).
    pub literals: Option<Vec<String>>,
    /// A first character in this class (start-anchored patterns only).
    pub first: Option<ClassUnicode>,
    /// A digit (`\d`) somewhere.
    pub digit: bool,
    /// No line longer than this (bytes) can match.
    pub max_len: Option<usize>,
}

impl Needs {
    /// Everything the syntax tree of a pattern says.
    pub(crate) fn of(hir: &Hir) -> Needs {
        let anchored = hir.properties().look_set_prefix().contains(Look::Start);
        let p = hir.properties();
        let bounded = anchored && p.look_set_suffix().contains(Look::End);
        Needs {
            literals: required(hir),
            first: if anchored { first_chars(hir).0 } else { None },
            digit: needs_digit(hir),
            max_len: if bounded { p.maximum_len() } else { None },
        }
    }
}

/// The characters a match of `hir` can start with (`None`: any), and
/// whether it can match the empty string. Assertions match empty.
fn first_chars(hir: &Hir) -> (Option<ClassUnicode>, bool) {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => (Some(ClassUnicode::empty()), true),
        HirKind::Literal(lit) => match std::str::from_utf8(&lit.0)
            .ok()
            .and_then(|s| s.chars().next())
        {
            Some(c) => (
                Some(ClassUnicode::new([ClassUnicodeRange::new(c, c)])),
                false,
            ),
            None => (None, false),
        },
        HirKind::Class(Class::Unicode(c)) => (Some(c.clone()), false),
        HirKind::Class(Class::Bytes(c)) => (c.to_unicode_class(), false),
        HirKind::Capture(cap) => first_chars(&cap.sub),
        HirKind::Repetition(rep) => {
            let (class, empty) = first_chars(&rep.sub);
            (class, empty || rep.min == 0)
        }
        HirKind::Concat(children) => {
            let mut out = ClassUnicode::empty();
            for child in children {
                let (class, empty) = first_chars(child);
                let Some(class) = class else {
                    return (None, false);
                };
                out.union(&class);
                if !empty {
                    return (Some(out), false);
                }
            }
            (Some(out), true)
        }
        HirKind::Alternation(children) => {
            let mut out = ClassUnicode::empty();
            let mut any_empty = false;
            for child in children {
                let (class, empty) = first_chars(child);
                let Some(class) = class else {
                    return (None, false);
                };
                out.union(&class);
                any_empty |= empty;
            }
            (Some(out), any_empty)
        }
    }
}

/// Whether every match of `hir` holds a decimal digit.
fn needs_digit(hir: &Hir) -> bool {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => false,
        HirKind::Literal(lit) => lit.0.iter().any(u8::is_ascii_digit),
        HirKind::Class(Class::Unicode(c)) => {
            let mut outside = c.clone();
            outside.difference(digits());
            !c.ranges().is_empty() && outside.ranges().is_empty()
        }
        HirKind::Class(Class::Bytes(c)) => {
            !c.ranges().is_empty()
                && c.ranges()
                    .iter()
                    .all(|r| r.start().is_ascii_digit() && r.end().is_ascii_digit())
        }
        HirKind::Capture(cap) => needs_digit(&cap.sub),
        HirKind::Repetition(rep) => rep.min > 0 && needs_digit(&rep.sub),
        HirKind::Concat(children) => children.iter().any(needs_digit),
        HirKind::Alternation(children) => children.iter().all(needs_digit),
    }
}

/// `\d`: Unicode decimal digits.
fn digits() -> &'static ClassUnicode {
    static DIGITS: std::sync::OnceLock<ClassUnicode> = std::sync::OnceLock::new();
    DIGITS.get_or_init(|| match regex_syntax::parse(r"\d").map(Hir::into_kind) {
        Ok(HirKind::Class(Class::Unicode(c))) => c,
        _ => ClassUnicode::empty(),
    })
}

/// The strings of which every match of `hir` holds one (folded, edge
/// spaces trimmed), or `None` when there is no useful set.
pub(crate) fn required(hir: &Hir) -> Option<Vec<String>> {
    let set = walk(hir).best_required()?;
    let set: Vec<String> = set.iter().map(|s| collapse_spaces(s)).collect();
    if set.iter().any(String::is_empty) {
        return None;
    }
    Some(minimal(set))
}

fn walk(hir: &Hir) -> Info {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => Info::exact(vec![String::new()]),
        HirKind::Literal(lit) => match std::str::from_utf8(&lit.0) {
            Ok(s) => Info::exact(vec![fold_str(s)]),
            Err(_) => Info::none(),
        },
        HirKind::Class(class) => match class_strings(class) {
            Some(set) => Info::exact(set),
            None => Info::none(),
        },
        HirKind::Capture(cap) => walk(&cap.sub),
        HirKind::Repetition(rep) => {
            let sub = walk(&rep.sub);
            // A run of spaces folds to one space in the line, however long.
            let spaces = matches!(&sub.exact, Some(s) if s.len() == 1 && s[0] == " ");
            if spaces && rep.max != Some(0) {
                let mut set = vec![" ".to_owned()];
                if rep.min == 0 {
                    set.insert(0, String::new());
                }
                return Info::exact(set);
            }
            match (rep.min, rep.max) {
                (0, Some(0)) => Info::exact(vec![String::new()]),
                (0, Some(1)) => match sub.exact {
                    Some(mut set) => {
                        set.push(String::new());
                        Info::exact(dedup(set))
                    }
                    None => Info::none(),
                },
                (0, _) => Info::none(),
                (1, Some(1)) => sub,
                _ => Info {
                    exact: None,
                    required: sub.best_required(),
                },
            }
        }
        HirKind::Concat(children) => concat(children),
        HirKind::Alternation(children) => alternation(children),
    }
}

fn concat(children: &[Hir]) -> Info {
    let mut whole = Some(vec![String::new()]);
    let mut run = vec![String::new()];
    let mut best: Option<Vec<String>> = None;
    for child in children {
        let info = walk(child);
        whole = match (whole, &info.exact) {
            (Some(w), Some(e)) => product(&w, e),
            _ => None,
        };
        match &info.exact {
            Some(e) => match product(&run, e) {
                Some(p) => run = p,
                None => {
                    // Too many strings together: the run so far is a
                    // required set of its own, and the child starts anew.
                    best = better(best, Some(minimal(std::mem::take(&mut run))));
                    run = e.clone();
                }
            },
            None => {
                best = better(best, Some(minimal(std::mem::take(&mut run))));
                best = better(best, info.required.map(minimal));
                run = vec![String::new()];
            }
        }
    }
    best = better(best, Some(minimal(run)));
    Info {
        exact: whole,
        required: best,
    }
}

fn alternation(children: &[Hir]) -> Info {
    let infos: Vec<Info> = children.iter().map(walk).collect();
    let exact = infos
        .iter()
        .map(|i| i.exact.clone())
        .collect::<Option<Vec<Vec<String>>>>()
        .map(|sets| dedup(sets.concat()))
        .filter(|s| s.len() <= MAX_SET);
    // Every branch must hold one of its own strings: the union holds one
    // of every match's.
    let required = infos
        .iter()
        .map(Info::best_required)
        .collect::<Option<Vec<Vec<String>>>>()
        .map(|sets| minimal(sets.concat()))
        .filter(|s| s.len() <= MAX_SET * 4);
    Info { exact, required }
}

/// The folded strings of a class's characters, when it has few.
fn class_strings(class: &Class) -> Option<Vec<String>> {
    let chars: Vec<char> = match class {
        Class::Unicode(c) => {
            let mut out = Vec::new();
            for r in c.ranges() {
                let n = (r.end() as u32 - r.start() as u32 + 1) as usize;
                if out.len() + n > MAX_CLASS * 4 {
                    return None;
                }
                out.extend(r.start()..=r.end());
            }
            out
        }
        Class::Bytes(c) => {
            let mut out = Vec::new();
            for r in c.ranges() {
                if r.end() >= 0x80 || out.len() + usize::from(r.end() - r.start()) >= MAX_CLASS * 4
                {
                    return None;
                }
                out.extend((r.start()..=r.end()).map(char::from));
            }
            out
        }
    };
    let set = dedup(
        chars
            .iter()
            .map(|&c| fold_str(c.encode_utf8(&mut [0; 4])))
            .collect(),
    );
    (set.len() <= MAX_CLASS).then_some(set)
}

/// Every concatenation of a string of `a` with one of `b`, unless too many.
fn product(a: &[String], b: &[String]) -> Option<Vec<String>> {
    if a.len() * b.len() > MAX_SET {
        return None;
    }
    let mut out = Vec::with_capacity(a.len() * b.len());
    for x in a {
        for y in b {
            out.push(format!("{x}{y}"));
        }
    }
    Some(dedup(out))
}

/// The more selective of two required sets: the one whose shortest string
/// (spaces folded) is longer, then the smaller one.
fn better(a: Option<Vec<String>>, b: Option<Vec<String>>) -> Option<Vec<String>> {
    let rank = |s: &Vec<String>| {
        let shortest = s
            .iter()
            .map(|x| collapse_spaces(x).chars().count())
            .min()
            .unwrap_or(0);
        (shortest, std::cmp::Reverse(s.len()))
    };
    match (a, b) {
        (Some(a), Some(b)) => Some(if rank(&b) > rank(&a) { b } else { a }),
        (a, b) => a.or(b),
    }
}

/// The set without strings that hold another member: a line holding the
/// longer one holds the shorter too.
fn minimal(set: Vec<String>) -> Vec<String> {
    let mut set = dedup(set);
    set.sort_by_key(String::len);
    let mut out: Vec<String> = Vec::with_capacity(set.len());
    for s in set {
        if !out.iter().any(|kept| s.contains(kept.as_str())) {
            out.push(s);
        }
    }
    out
}

fn dedup(mut set: Vec<String>) -> Vec<String> {
    set.sort_unstable();
    set.dedup();
    set
}

fn fold_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        fold_char(c, |f| out.push(f));
    }
    out
}

/// Lower bounds of the line lengths (bytes) each automaton serves: a
/// long line is searched only for the literals of rules that can match
/// lines that long, a handful, where the automaton's own prefilter skips
/// most bytes.
const REACH_FLOORS: [usize; 3] = [0, 256, 4096];

/// The necessary conditions of several rules, tested once per line.
///
/// The conditions are laid out as bit masks over the slots, so a line
/// costs a few word operations however many rules there are: the slots a
/// line's first character admits are one precomputed mask (found by a
/// binary search over the boundaries of every first-character class),
/// and the length, digit and literal conditions clear bits from it.
#[derive(Debug, Default)]
pub(crate) struct Prefilter {
    /// One automaton per [`REACH_FLOORS`] entry, over the literals of the
    /// slots that can match lines longer than the floor.
    automata: Vec<Option<Literals>>,
    /// Words per slot mask.
    words: usize,
    /// Code points at which some first-character class starts or ends,
    /// ascending, starting with 0: between two of them every class either
    /// holds every character or none.
    bounds: Vec<u32>,
    /// `words` words per entry of `bounds`: the slots a line whose first
    /// character falls in that interval may match.
    first: Vec<u64>,
    /// The slots an empty line may match (those with no first-character
    /// condition).
    empty: Vec<u64>,
    /// Slots that cannot match lines longer than some length, as (that
    /// length, slot), shortest first.
    bounded: Vec<(usize, u32)>,
    /// Slots whose every match holds a digit.
    digit: Vec<u64>,
    /// Slots that wait for one of their literals.
    literal: Vec<u64>,
}

#[derive(Debug)]
struct Literals {
    automaton: AhoCorasick,
    /// The rule slots each automaton pattern makes candidates.
    enables: Vec<Vec<u32>>,
}

impl Literals {
    /// An automaton over the literals of `slots` that `keep` selects;
    /// `None` if there are none (or, never seen at these sizes, they do not
    /// build: the caller then tries those slots whatever their literals).
    fn build(needs: &[Needs], keep: impl Fn(&Needs) -> bool) -> Result<Option<Literals>, ()> {
        let mut texts: Vec<&str> = Vec::new();
        let mut enables: Vec<Vec<u32>> = Vec::new();
        for (slot, need) in needs.iter().enumerate().filter(|(_, n)| keep(n)) {
            for s in need.literals.iter().flatten() {
                match texts.iter().position(|t| *t == s) {
                    Some(i) => enables[i].push(slot as u32),
                    None => {
                        texts.push(s);
                        enables.push(vec![slot as u32]);
                    }
                }
            }
        }
        if texts.is_empty() {
            return Ok(None);
        }
        // Standard semantics for overlapping search: every occurrence of
        // every string counts, so none hides another.
        AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .build(&texts)
            .map(|automaton| Some(Literals { automaton, enables }))
            .map_err(|_| ())
    }
}

/// Which rule slots may match the current line.
#[derive(Debug, Default, Clone)]
pub(crate) struct Candidates {
    bits: Vec<u64>,
    /// Scratch: the slots still waiting for a literal.
    waiting: Vec<u64>,
}

impl Candidates {
    /// Whether slot `i` may match.
    pub(crate) fn has(&self, i: usize) -> bool {
        i / 64 < self.bits.len() && has_bit(&self.bits, i)
    }

    /// No slot may match.
    pub(crate) fn clear(&mut self) {
        self.bits.iter_mut().for_each(|w| *w = 0);
    }

    /// Whether any slot may match.
    pub(crate) fn any(&self) -> bool {
        self.bits.iter().any(|&w| w != 0)
    }
}

fn set_bit(bits: &mut [u64], i: usize) {
    bits[i / 64] |= 1 << (i % 64);
}

fn clear_bit(bits: &mut [u64], i: usize) {
    bits[i / 64] &= !(1 << (i % 64));
}

fn has_bit(bits: &[u64], i: usize) -> bool {
    bits[i / 64] & (1 << (i % 64)) != 0
}

fn overlaps(a: &[u64], b: &[u64]) -> bool {
    a.iter().zip(b).any(|(x, y)| x & y != 0)
}

/// Whether `class` holds `c`: a binary search, since a class such as
/// `[^\p{L}]` has hundreds of ranges and is asked at every bound.
fn holds(class: &ClassUnicode, c: char) -> bool {
    let ranges = class.ranges();
    let i = ranges.partition_point(|r| r.end() < c);
    ranges.get(i).is_some_and(|r| r.start() <= c)
}

impl Prefilter {
    /// A prefilter over rules with what each needs (`None`: a rule tried on
    /// every line).
    pub(crate) fn new(needs: Vec<Option<Needs>>) -> Prefilter {
        let needs: Vec<Needs> = needs.into_iter().map(Option::unwrap_or_default).collect();
        let words = needs.len().div_ceil(64);
        let mut has_literals: Vec<bool> = needs.iter().map(|n| n.literals.is_some()).collect();
        let mut automata = Vec::with_capacity(REACH_FLOORS.len());
        for floor in REACH_FLOORS {
            let reaches = |n: &Needs| n.max_len.is_none_or(|m| m > floor);
            match Literals::build(&needs, reaches) {
                Ok(lits) => automata.push(lits),
                Err(()) => {
                    for (lit, need) in has_literals.iter_mut().zip(&needs) {
                        *lit &= !reaches(need);
                    }
                    automata.push(None);
                }
            }
        }
        let mut bounds: Vec<u32> = vec![0];
        for class in needs.iter().filter_map(|n| n.first.as_ref()) {
            for r in class.ranges() {
                bounds.push(u32::from(r.start()));
                bounds.push(u32::from(r.end()) + 1);
            }
        }
        bounds.sort_unstable();
        bounds.dedup();
        let mut first = vec![0u64; bounds.len() * words];
        for (k, &at) in bounds.iter().enumerate() {
            let mask = &mut first[k * words..(k + 1) * words];
            for (i, need) in needs.iter().enumerate() {
                // A bound past the last code point, or in the surrogate
                // gap, stands for no character any class holds.
                let admits = match (&need.first, char::from_u32(at)) {
                    (None, _) => true,
                    (Some(class), Some(c)) => holds(class, c),
                    (Some(_), None) => false,
                };
                if admits {
                    set_bit(mask, i);
                }
            }
        }
        let mask_of = |test: &dyn Fn(usize, &Needs) -> bool| {
            let mut mask = vec![0u64; words];
            for (i, need) in needs.iter().enumerate() {
                if test(i, need) {
                    set_bit(&mut mask, i);
                }
            }
            mask
        };
        let empty = mask_of(&|_, n| n.first.is_none());
        let digit = mask_of(&|_, n| n.digit);
        let literal = mask_of(&|i, _| has_literals[i]);
        let mut bounded: Vec<(usize, u32)> = needs
            .iter()
            .enumerate()
            .filter_map(|(i, n)| Some((n.max_len?, i as u32)))
            .collect();
        bounded.sort_unstable();
        Prefilter {
            automata,
            words,
            bounds,
            first,
            empty,
            bounded,
            digit,
            literal,
        }
    }

    /// Marks in `out` every slot that may match `line`; `folded` gives the
    /// line folded as [`crate::ruleset::phrase::Normalized`] holds it, and
    /// is asked for only when a slot's literals are to be looked up.
    pub(crate) fn candidates<'a>(
        &self,
        line: &str,
        folded: impl FnOnce() -> &'a str,
        out: &mut Candidates,
    ) {
        let words = self.words;
        let admitted = match line.chars().next() {
            None => &self.empty[..],
            Some(c) => {
                let k = self.bounds.partition_point(|&b| b <= u32::from(c)) - 1;
                &self.first[k * words..(k + 1) * words]
            }
        };
        out.bits.clear();
        out.bits.extend_from_slice(admitted);
        for &(max_len, slot) in &self.bounded {
            if max_len >= line.len() {
                break;
            }
            clear_bit(&mut out.bits, slot as usize);
        }
        if overlaps(&out.bits, &self.digit) && !has_digit(line) {
            for (w, d) in out.bits.iter_mut().zip(&self.digit) {
                *w &= !d;
            }
        }
        if !overlaps(&out.bits, &self.literal) {
            return;
        }
        let floor = REACH_FLOORS
            .iter()
            .rposition(|&f| f < line.len())
            .unwrap_or(0);
        let Some(lits) = self.automata.get(floor).and_then(Option::as_ref) else {
            return;
        };
        // Slots that passed so far and need a literal wait for it.
        out.waiting.clear();
        for (w, l) in out.bits.iter_mut().zip(&self.literal) {
            out.waiting.push(*w & l);
            *w &= !l;
        }
        let mut left: usize = out.waiting.iter().map(|w| w.count_ones() as usize).sum();
        for m in lits.automaton.find_overlapping_iter(folded()) {
            for &slot in &lits.enables[m.pattern().as_usize()] {
                let slot = slot as usize;
                if has_bit(&out.waiting, slot) {
                    set_bit(&mut out.bits, slot);
                    clear_bit(&mut out.waiting, slot);
                    left -= 1;
                }
            }
            if left == 0 {
                break;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(pattern: &str) -> Option<Vec<String>> {
        required(&regex_syntax::parse(pattern).expect("valid"))
    }

    fn strings(v: &[&str]) -> Option<Vec<String>> {
        Some(v.iter().map(|s| (*s).to_owned()).collect())
    }

    #[test]
    fn literals_are_folded_and_chosen_by_selectivity() {
        assert_eq!(req(r"(?i)^share$"), strings(&["share"]));
        assert_eq!(
            req(r"(?i)^(?:read more|continue reading)\s*:?$"),
            strings(&["read more", "continue reading"])
        );
        // The longer run wins over the short one.
        assert_eq!(
            req(r"(?i)^by\s+\w+ (?:writes|wrote)$"),
            strings(&["wrote", "writes"])
        );
        assert_eq!(
            req(r"^.{0,40}\bwe use cookies\b.*$"),
            strings(&["we use cookies"])
        );
        // Full-width and case fold as lines do.
        assert_eq!(req(r"^ＳＨＡＲＥ"), strings(&["share"]));
        assert_eq!(req(r"[(（]\d+[)）]"), strings(&["("]));
    }

    #[test]
    fn patterns_without_a_literal_have_no_set() {
        assert_eq!(req(r"^.{1,20}$"), None);
        assert_eq!(req(r"(?i)^(?:share|.{0,3})$"), None, "one branch has none");
        assert_eq!(req(r"^\p{Lu}\w+$"), None);
        assert_eq!(req(r"x?"), None);
    }

    #[test]
    fn a_required_set_is_minimal() {
        assert_eq!(
            req(r"(?i)^(?:related|related stories|more)$"),
            strings(&["more", "related"])
        );
    }

    /// The property the prefilter rests on: a line a pattern matches holds
    /// one of the pattern's strings once folded.
    #[test]
    fn every_match_holds_a_required_string() {
        let cases = [
            (r"(?i)^(?:by|written by)\s+\p{Lu}\w+$", "WRITTEN BY \t Jane"),
            (r"(?i)^.{0,20}\bsign up\b", "Please SIGN UP now"),
            (r"(?i)σχόλια", "ΣΧΌΛΙΑ"),
            (r"(?i)\bstraße\b", "STRAẞE"),
            (r"(?i)^kelvin$", "\u{212A}elvin"),
            (r"(?i)^ſite$", "SITE"),
            (r"(?i)photos?\s*:", "PHOTO :"),
        ];
        for (pattern, line) in cases {
            let re = regex::Regex::new(pattern).expect("valid");
            assert!(re.is_match(line), "{pattern} should match {line}");
            let set = req(pattern).expect("has a set");
            let mut folded = crate::ruleset::phrase::Normalized::default();
            crate::ruleset::phrase::normalize_into(line, &mut folded);
            assert!(
                set.iter().any(|s| folded.folded().contains(s.as_str())),
                "{pattern}: {set:?} not in {:?}",
                folded.folded()
            );
        }
    }

    #[test]
    fn candidates_are_the_rules_whose_strings_occur() {
        let needs = |v: &[&str]| {
            Some(Needs {
                literals: strings(v),
                ..Needs::default()
            })
        };
        let p = Prefilter::new(vec![
            needs(&["share"]),
            None,
            needs(&["cookies", "privacy"]),
        ]);
        let mut c = Candidates::default();
        p.candidates("Our privacy policy", || "our privacy policy", &mut c);
        assert!(!c.has(0) && c.has(1) && c.has(2));
        p.candidates("Share this", || "share this", &mut c);
        assert!(c.has(0) && c.has(1) && !c.has(2));
        c.clear();
        assert!(!c.any());
    }

    #[test]
    fn first_characters_and_digits_rule_lines_out() {
        let of = |p: &str| Some(Needs::of(&regex_syntax::parse(p).expect("valid")));
        let p = Prefilter::new(vec![
            of(r"^[^\p{L}]+$"),
            of(r"^[^.!?]{0,30}\d{1,2}:\d{2}$"),
            of(r"(?i)^(?:share|tweet)$"),
        ]);
        let mut c = Candidates::default();
        let mut check = |line: &str, want: [bool; 3]| {
            let folded = line.to_lowercase();
            p.candidates(line, || folded.as_str(), &mut c);
            assert_eq!([c.has(0), c.has(1), c.has(2)], want, "{line}");
        };
        check("12:30", [true, true, false]);
        check("Updated at 12:30", [false, true, false]);
        check("Tweet", [false, false, true]);
        check("Prose without numbers", [false, false, false]);
        check("١٢:٣٠", [true, true, false]);
    }

    #[test]
    fn conditions_hold_past_the_first_mask_word() {
        let of = |p: &str| Some(Needs::of(&regex_syntax::parse(p).expect("valid")));
        // Even slots start with a to c or a Cyrillic letter; odd ones need
        // a digit; the last one needs a literal and is short.
        let mut needs: Vec<Option<Needs>> = (0..70)
            .map(|i| {
                if i % 2 == 0 {
                    of(r"^[a-cж]")
                } else {
                    of(r"\d")
                }
            })
            .collect();
        needs.push(of(r"^.{0,10}share$"));
        let p = Prefilter::new(needs);
        let mut c = Candidates::default();
        let mut check = |line: &str, even: bool, odd: bool, last: bool| {
            let folded = line.to_lowercase();
            p.candidates(line, || folded.as_str(), &mut c);
            for i in 0..70 {
                assert_eq!(c.has(i), if i % 2 == 0 { even } else { odd }, "{line} {i}");
            }
            assert_eq!(c.has(70), last, "{line}");
        };
        check("b", true, false, false);
        check("жили 2", true, true, false);
        check("1 share", false, true, true);
        check("é", false, false, false);
        check(
            "a line longer than any match of the last slot: share",
            true,
            false,
            false,
        );
        check("", false, false, false);
    }

    #[test]
    fn first_characters_follow_optional_parts() {
        let first = |p: &str| first_chars(&regex_syntax::parse(p).expect("valid")).0;
        let class = first(r"^(?:www\.)?x").expect("bounded");
        let has = |c: char| {
            class
                .ranges()
                .iter()
                .any(|r| r.start() <= c && c <= r.end())
        };
        assert!(has('w') && has('x') && !has('a'));
        let any = first(r"^.?x").expect("bounded");
        assert!(any
            .ranges()
            .iter()
            .any(|r| r.start() <= 'a' && 'é' <= r.end()));
        assert!(!needs_digit(&regex_syntax::parse(r"\d?x").expect("valid")));
        assert!(needs_digit(
            &regex_syntax::parse(r"(?:a\d|\d{2}b)").expect("valid")
        ));
    }
}
