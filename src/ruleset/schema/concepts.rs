//! The concept file (`rules/concepts.yaml`): YAML -> [`ConceptSpec`]s.
//!
//! A concept is one kind of clutter, defined once for every language: what
//! a match does and how a line must look around a phrase. Checked like a
//! rule file: unknown keys, wrong types and out-of-range numbers are
//! reported with their position, every problem at once.

use std::collections::HashSet;

use serde_saphyr::Spanned;

use super::{is_kebab, pos_of, Checker, Node, Pos};
use crate::error::RuleProblem;

/// What a phrase match does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ConceptAction {
    /// The line names itself as clutter.
    Drop,
    /// The article probably ends here.
    Boundary,
}

/// Where a phrase must stand in the normalised line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MatchMode {
    /// The whole line.
    Line,
    /// The line's start, then a separator and a bounded tail.
    Prefix,
    /// Anywhere in a short line, as whole words.
    Anywhere,
}

/// What may follow a prefix phrase (or surround a line phrase).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Tail {
    pub min_chars: usize,
    pub max_chars: usize,
    /// The tail must hold a digit (a date, a time).
    pub digit: bool,
    /// The tail must start with a capital letter in cased scripts (a name).
    pub capital: bool,
    /// A number may stand before or after a line phrase.
    pub counter: bool,
    /// No sentence may end inside the tail.
    pub one_sentence: bool,
}

/// Tail bounds when a concept names none: a line phrase has no tail, and a
/// prefix phrase without `max_chars` is refused.
const NO_TAIL: Tail = Tail {
    min_chars: 0,
    max_chars: 0,
    digit: false,
    capital: false,
    counter: false,
    one_sentence: false,
};

/// A tail longer than this is prose, whatever starts it.
const MAX_TAIL_CHARS: usize = 1_000;

/// One concept as written.
#[derive(Debug, Clone)]
pub(crate) struct ConceptSpec {
    pub id: String,
    pub why: String,
    pub action: ConceptAction,
    pub mode: MatchMode,
    /// Empty: any non-letter may follow the phrase.
    pub separators: Vec<String>,
    pub tail: Tail,
    /// For [`MatchMode::Anywhere`]: the longest line the concept applies to.
    pub max_line_chars: usize,
    pub min_position: Option<f64>,
    pub pos: Pos,
}

const CONCEPT_KEYS: &[&str] = &[
    "id",
    "why",
    "action",
    "match",
    "separator",
    "tail",
    "max_line_chars",
    "min_position",
];
const TAIL_KEYS: &[&str] = &[
    "min_chars",
    "max_chars",
    "digit",
    "capital",
    "counter",
    "one_sentence",
];

/// Parses and checks a concept file. `label` names the file in messages.
pub(crate) fn parse_concepts(label: &str, src: &str) -> Result<Vec<ConceptSpec>, Vec<RuleProblem>> {
    let mut cx = Checker {
        label,
        problems: Vec::new(),
    };
    let Some(root) = cx.root(src, "") else {
        return Err(cx.problems);
    };
    let mut out = Vec::new();
    for (_, value) in cx.map(&root, "a concept file", &["concepts"], None) {
        let Node::Seq(items) = &value.value else {
            let msg = format!(
                "\"concepts\" must be a list, not {}",
                value.value.type_name()
            );
            cx.at(pos_of(value), None, msg);
            continue;
        };
        out.extend(items.iter().filter_map(|item| cx.concept(item)));
    }
    let mut seen = HashSet::new();
    for c in &out {
        if !seen.insert(c.id.clone()) {
            let msg = "duplicate concept id: ids must be unique".to_owned();
            cx.at(c.pos, Some(&c.id), msg);
        }
    }
    if cx.problems.is_empty() {
        Ok(out)
    } else {
        cx.problems.sort_by_key(|p| (p.line, p.col));
        Err(cx.problems)
    }
}

impl Checker<'_> {
    fn concept(&mut self, node: &Spanned<Node>) -> Option<ConceptSpec> {
        let pos = pos_of(node);
        let before = self.problems.len();
        let mut c = ConceptSpec {
            id: String::new(),
            why: String::new(),
            action: ConceptAction::Drop,
            mode: MatchMode::Line,
            separators: Vec::new(),
            tail: NO_TAIL,
            max_line_chars: 0,
            min_position: None,
            pos,
        };
        let mut seen = HashSet::new();
        let mut tail_pos = None;
        for (key, value) in self.map(node, "a concept", CONCEPT_KEYS, None) {
            seen.insert(key);
            match key {
                "id" => {
                    c.id = self.string(value, key, None).unwrap_or_default();
                    if !c.id.is_empty() && !is_kebab(&c.id) {
                        let msg = format!("id \"{}\" must be kebab-case", c.id);
                        self.at(pos_of(value), None, msg);
                    }
                }
                "why" => c.why = self.string(value, key, None).unwrap_or_default(),
                "action" => match self.string(value, key, None).as_deref() {
                    Some("drop") => c.action = ConceptAction::Drop,
                    Some("boundary") => c.action = ConceptAction::Boundary,
                    Some(other) => {
                        let msg = format!("unknown action \"{other}\"; expected drop or boundary");
                        self.at(pos_of(value), None, msg);
                    }
                    None => {}
                },
                "match" => match self.string(value, key, None).as_deref() {
                    Some("line") => c.mode = MatchMode::Line,
                    Some("prefix") => c.mode = MatchMode::Prefix,
                    Some("anywhere") => c.mode = MatchMode::Anywhere,
                    Some(other) => {
                        let msg =
                            format!("unknown match \"{other}\"; expected line, prefix or anywhere");
                        self.at(pos_of(value), None, msg);
                    }
                    None => {}
                },
                "separator" => {
                    c.separators = self.strings(value, key, None);
                    if c.separators.iter().any(String::is_empty) {
                        let msg = "a separator must not be empty".to_owned();
                        self.at(pos_of(value), None, msg);
                    }
                }
                "tail" => {
                    tail_pos = Some(pos_of(value));
                    c.tail = self.tail(value);
                }
                "max_line_chars" => c.max_line_chars = self.count(value, key).unwrap_or(0),
                _ => {
                    c.min_position = self.number(value, key, None).filter(|p| {
                        let ok = (0.0..=1.0).contains(p);
                        if !ok {
                            let msg = format!("\"min_position\" must be from 0 to 1, not {p}");
                            self.at(pos_of(value), None, msg);
                        }
                        ok
                    });
                }
            }
        }
        if !matches!(node.value, Node::Map(_)) {
            return None;
        }
        for required in ["id", "why", "action", "match"] {
            if !seen.contains(required) {
                self.at(pos, None, format!("missing key \"{required}\""));
            }
        }
        if seen.contains("why") && c.why.trim().is_empty() {
            self.at(pos, None, "\"why\" must not be empty".into());
        }
        self.concept_consistency(&c, &seen, tail_pos.unwrap_or(pos));
        (self.problems.len() == before).then_some(c)
    }

    /// Keys that do not apply to the concept's match mode or action.
    fn concept_consistency(&mut self, c: &ConceptSpec, seen: &HashSet<&str>, tail_pos: Pos) {
        let id = Some(c.id.as_str()).filter(|s| !s.is_empty());
        if c.mode != MatchMode::Prefix && seen.contains("separator") {
            let msg = "\"separator\" only applies to match: prefix".to_owned();
            self.at(c.pos, id, msg);
        }
        if c.mode == MatchMode::Prefix && c.tail.max_chars == 0 {
            let msg = "a prefix concept needs \"tail: {max_chars: N}\"".to_owned();
            self.at(tail_pos, id, msg);
        }
        if c.mode != MatchMode::Prefix && (c.tail.max_chars > 0 || c.tail.min_chars > 0) {
            let msg = "tail lengths only apply to match: prefix".to_owned();
            self.at(tail_pos, id, msg);
        }
        if c.mode != MatchMode::Line && c.tail.counter {
            let msg = "\"counter\" only applies to match: line".to_owned();
            self.at(tail_pos, id, msg);
        }
        if c.tail.min_chars > c.tail.max_chars && c.mode == MatchMode::Prefix {
            let msg = "\"min_chars\" is larger than \"max_chars\"".to_owned();
            self.at(tail_pos, id, msg);
        }
        if c.mode == MatchMode::Anywhere && c.max_line_chars == 0 {
            let msg = "match: anywhere needs \"max_line_chars\"".to_owned();
            self.at(c.pos, id, msg);
        }
        if c.mode != MatchMode::Anywhere && seen.contains("max_line_chars") {
            let msg = "\"max_line_chars\" only applies to match: anywhere".to_owned();
            self.at(c.pos, id, msg);
        }
        if c.action != ConceptAction::Boundary && seen.contains("min_position") {
            let msg = "\"min_position\" only applies to action: boundary".to_owned();
            self.at(c.pos, id, msg);
        }
    }

    fn tail(&mut self, node: &Spanned<Node>) -> Tail {
        let mut t = NO_TAIL;
        for (key, value) in self.map(node, "tail", TAIL_KEYS, None) {
            match key {
                "min_chars" | "max_chars" => {
                    let n = self.count(value, key).unwrap_or(0);
                    if n > MAX_TAIL_CHARS {
                        let msg = format!("\"{key}\" must be at most {MAX_TAIL_CHARS}");
                        self.at(pos_of(value), None, msg);
                    } else if key == "min_chars" {
                        t.min_chars = n;
                    } else {
                        t.max_chars = n;
                    }
                }
                "digit" => t.digit = self.boolean(value, key, None).unwrap_or(false),
                "capital" => t.capital = self.boolean(value, key, None).unwrap_or(false),
                "counter" => t.counter = self.boolean(value, key, None).unwrap_or(false),
                _ => t.one_sentence = self.boolean(value, key, None).unwrap_or(false),
            }
        }
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(src: &str) -> Vec<String> {
        match parse_concepts("c.yaml", src) {
            Ok(_) => Vec::new(),
            Err(p) => p.iter().map(ToString::to_string).collect(),
        }
    }

    #[test]
    fn the_builtin_concepts_parse() {
        let src = include_str!("../../../rules/concepts.yaml");
        let concepts = parse_concepts("rules/concepts.yaml", src).expect("valid");
        let credit = concepts.iter().find(|c| c.id == "credit").expect("credit");
        assert_eq!(credit.mode, MatchMode::Prefix);
        assert_eq!(credit.tail.max_chars, 60);
        assert!(credit.separators.iter().any(|s| s == ":"));
    }

    #[test]
    fn unknown_keys_and_bad_values_are_reported_with_positions() {
        let src = "concepts:\n  - id: share\n    why: Buttons.\n    action: remove\n    match: line\n    colour: red\n  - id: read-more\n    why: Links.\n    action: drop\n    match: prefix\n    tail: {max: 3}\n";
        let p = problems(src);
        assert!(
            p.iter()
                .any(|m| m.starts_with("c.yaml:4:13: unknown action \"remove\"")),
            "{p:?}"
        );
        assert!(
            p.iter()
                .any(|m| m.starts_with("c.yaml:6:5: unknown key \"colour\"")),
            "{p:?}"
        );
        assert!(
            p.iter().any(|m| m.contains("unknown key \"max\" in tail")),
            "{p:?}"
        );
        assert!(
            p.iter()
                .any(|m| m.contains("needs \"tail: {max_chars: N}\"")),
            "{p:?}"
        );
    }

    #[test]
    fn keys_that_do_not_apply_are_refused() {
        let src = "concepts:\n  - id: share\n    why: Buttons.\n    action: drop\n    match: line\n    separator: [':']\n    min_position: 0.3\n";
        let p = problems(src);
        assert!(
            p.iter().any(|m| m.contains("\"separator\" only applies")),
            "{p:?}"
        );
        assert!(
            p.iter()
                .any(|m| m.contains("\"min_position\" only applies")),
            "{p:?}"
        );
    }
}
