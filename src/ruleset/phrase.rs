//! Phrase rules: the `phrases:` lists of rule files -> one matcher per
//! language.
//!
//! A language's phrases and `common`'s compile together: line phrases
//! ("Share", "相关新闻") into a hash table of normalised lines, prefix and
//! anywhere phrases ("Source", "All rights reserved") into one Aho-Corasick
//! automaton (leftmost-longest) over the normalised line. A hit is then
//! checked by position against its concept (see `rules/concepts.yaml`): a
//! prefix phrase must start the line and be followed by the concept's
//! separator and a bounded tail; an anywhere phrase must stand as whole
//! words in a short line.
//!
//! Lines and phrases are normalised the same way ([`normalize_into`]):
//! lowercase, full-width ASCII folded to ASCII, space runs folded to one,
//! leading and trailing decoration (bullets, arrows, pipes, brackets, a
//! trailing colon) trimmed. Most of a page's bytes are in prose lines
//! longer than any phrase can match; those are skipped before any work.
//!
//! Invariant: every [`Rule`] a matcher returns has no pattern: callers only
//! read its id and `min_position`.

use std::cell::RefCell;
use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, MatchKind};
use rustc_hash::FxHashMap;

use crate::error::RuleProblem;
use crate::ruleset::compile::Rule;
use crate::ruleset::schema::{
    parse_concepts, ConceptAction, ConceptSpec, Located, MatchMode, PhraseList, Pos, RuleFile, Tail,
};
use crate::script::{has_digit, is_number};

/// The name of the concept file in a rules directory (`concepts.yaml`).
pub(crate) const CONCEPTS_STEM: &str = "concepts";

/// The concept file shipped in the binary.
const CONCEPTS_SRC: &str = include_str!("../../rules/concepts.yaml");

/// A phrase longer than this is a sentence, not a label.
const MAX_PHRASE_CHARS: usize = 200;
/// Room for decoration, a separator and a counter around a phrase, so the
/// cheap length test before normalisation never skips a line that could
/// match.
const SLACK_CHARS: usize = 40;

/// The built-in concepts, parsed once.
pub(crate) fn builtin_concepts() -> &'static [ConceptSpec] {
    static CONCEPTS: OnceLock<Vec<ConceptSpec>> = OnceLock::new();
    CONCEPTS.get_or_init(|| {
        parse_concepts("rules/concepts.yaml", CONCEPTS_SRC)
            .expect("rules/concepts.yaml is checked by its unit test")
    })
}

/// A line after normalisation, with the way back to the original text.
#[derive(Debug, Default)]
pub(crate) struct Normalized {
    buf: String,
    lo: usize,
    hi: usize,
    original: String,
}

impl Normalized {
    fn text(&self) -> &str {
        &self.buf[self.lo..self.hi]
    }

    /// The whole folded line, decoration included: what the regex
    /// prefilter searches ([`crate::ruleset::literals`]).
    pub(crate) fn folded(&self) -> &str {
        &self.buf
    }

    /// The original text from the character at `at` (an offset in
    /// [`Normalized::text`]) on. Folding the line again up to `at` costs
    /// less than a map kept for every line: only prefix tails ask.
    fn original_from(&self, at: usize) -> &str {
        let target = at + self.lo;
        let mut written = 0;
        let mut space = false;
        for (i, c) in self.original.char_indices() {
            let mut found = false;
            fold_char(c, |f| {
                if f == ' ' {
                    space = written > 0;
                    return;
                }
                if space {
                    // The space stands for the run before this character.
                    found |= written >= target;
                    written += 1;
                    space = false;
                }
                found |= written >= target;
                written += f.len_utf8();
            });
            if found {
                return &self.original[i..];
            }
        }
        ""
    }
}

/// Decoration trimmed from both ends of a line: bullets, arrows, pipes,
/// brackets, dashes and ellipses that widgets print around their labels.
fn is_decoration(c: char) -> bool {
    matches!(
        c,
        ' ' | '•'
            | '·'
            | '‣'
            | '◦'
            | '▪'
            | '▫'
            | '■'
            | '□'
            | '●'
            | '○'
            | '◆'
            | '◇'
            | '►'
            | '▶'
            | '▸'
            | '▹'
            | '▷'
            | '◀'
            | '◁'
            | '◂'
            | '◄'
            | '«'
            | '»'
            | '‹'
            | '›'
            | '<'
            | '>'
            | '→'
            | '←'
            | '↑'
            | '↓'
            | '⇒'
            | '➔'
            | '➜'
            | '➤'
            | '|'
            | '¦'
            | '│'
            | '…'
            | '*'
            | '-'
            | '–'
            | '—'
            | '='
            | '~'
            | '_'
            | '/'
            | '\\'
            | '('
            | ')'
            | '['
            | ']'
            | '{'
            | '}'
            | '【'
            | '】'
            | '「'
            | '」'
            | '『'
            | '』'
            | '〈'
            | '〉'
            | '《'
            | '》'
            | '〔'
            | '〕'
    )
}

/// A line and its normalised form, made on first use.
pub(crate) struct LazyLine<'t, 'n> {
    text: &'t str,
    norm: &'n mut Normalized,
    done: bool,
}

impl<'t, 'n> LazyLine<'t, 'n> {
    /// `text`, to be normalised into `norm` when first asked.
    pub(crate) fn new(text: &'t str, norm: &'n mut Normalized) -> Self {
        LazyLine {
            text,
            norm,
            done: false,
        }
    }

    pub(crate) fn text(&self) -> &'t str {
        self.text
    }

    pub(crate) fn normalized(&mut self) -> &Normalized {
        if !self.done {
            normalize_into(self.text, self.norm);
            self.done = true;
        }
        self.norm
    }
}

/// The Indic letters with a nukta that Unicode also encodes precomposed
/// (Devanagari क़ … य़, Bengali ড় ঢ় য়, Gurmukhi, Oriya). Their normal form
/// (NFC) is the letter followed by the nukta, as phrase files write them,
/// but pages often type the precomposed code point.
fn nukta_decomposition(c: char) -> Option<(char, char)> {
    let (base, nukta) = match c as u32 {
        0x0958 => (0x0915, 0x093C),
        0x0959 => (0x0916, 0x093C),
        0x095A => (0x0917, 0x093C),
        0x095B => (0x091C, 0x093C),
        0x095C => (0x0921, 0x093C),
        0x095D => (0x0922, 0x093C),
        0x095E => (0x092B, 0x093C),
        0x095F => (0x092F, 0x093C),
        0x09DC => (0x09A1, 0x09BC),
        0x09DD => (0x09A2, 0x09BC),
        0x09DF => (0x09AF, 0x09BC),
        0x0A33 => (0x0A32, 0x0A3C),
        0x0A36 => (0x0A38, 0x0A3C),
        0x0A59 => (0x0A16, 0x0A3C),
        0x0A5A => (0x0A17, 0x0A3C),
        0x0A5B => (0x0A1C, 0x0A3C),
        0x0A5E => (0x0A2B, 0x0A3C),
        0x0B5C => (0x0B21, 0x0B3C),
        0x0B5D => (0x0B22, 0x0B3C),
        _ => return None,
    };
    Some((char::from_u32(base)?, char::from_u32(nukta)?))
}

/// Folds one character as lines and phrases are folded: full-width ASCII
/// to ASCII, any space to ' ', lowercase, and the few letters whose case
/// folding is not their lowercase (ſ, final ς, µ, the Greek symbol forms
/// and the Cyrillic letter variants), so a case-insensitive pattern's
/// class folds to one character. Spelling variants fold too: typographic
/// apostrophes to ', Turkish İ to i, Romanian ş ţ to ș ț, Russian ё to е,
/// precomposed Indic nukta letters to letter and nukta.
pub(crate) fn fold_char(c: char, mut push: impl FnMut(char)) {
    if c.is_ascii() {
        let c = if c.is_ascii_whitespace() || c == '\u{b}' {
            ' '
        } else {
            c.to_ascii_lowercase()
        };
        push(c);
        return;
    }
    if matches!(c as u32, 0x3001..=0x9FFF | 0xAC00..=0xD7A3) {
        // CJK punctuation, kana, Han and Hangul have no case and no space.
        push(c);
        return;
    }
    if let Some((base, nukta)) = nukta_decomposition(c) {
        push(base);
        push(nukta);
        return;
    }
    let c = match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        c if c.is_whitespace() => ' ',
        // Typographic apostrophes and the modifier letter are one
        // apostrophe: "Don’t miss" is "Don't miss".
        '\u{2018}' | '\u{2019}' | '\u{02BC}' => '\'',
        // Turkish dotted capital I: its lowercase is i plus a combining
        // dot, which "ILGILI" or "ilgili" would not match.
        'İ' => 'i',
        c => c,
    };
    for low in c.to_lowercase() {
        push(match low {
            'ſ' => 's',
            'ς' => 'σ',
            'µ' => 'μ',
            'ϐ' => 'β',
            'ϑ' => 'θ',
            'ϕ' => 'φ',
            'ϖ' => 'π',
            'ϰ' => 'κ',
            'ϱ' => 'ρ',
            'ϵ' => 'ε',
            'ẛ' => 'ṡ',
            '\u{1FBE}' => 'ι',
            // Romanian s and t with a cedilla, as legacy fonts and keyboards
            // write them, are the letters with a comma below.
            'ş' => 'ș',
            'ţ' => 'ț',
            // Russian ё is mostly printed as е.
            'ё' => 'е',
            // Cyrillic rounded and tall letter forms.
            'ᲀ' => 'в',
            'ᲁ' => 'д',
            'ᲂ' => 'о',
            'ᲃ' => 'с',
            'ᲄ' | 'ᲅ' => 'т',
            'ᲆ' => 'ъ',
            'ᲇ' => 'ѣ',
            'ᲈ' => 'ꙋ',
            other => other,
        });
    }
}

/// Normalises `line` into `out` (see the module docs), reusing its buffers.
pub(crate) fn normalize_into(line: &str, out: &mut Normalized) {
    out.buf.clear();
    out.original.clear();
    out.original.push_str(line);
    let mut space = false;
    if line.is_ascii() {
        // Most lines: one byte per character, no table lookups.
        for b in line.bytes() {
            if b.is_ascii_whitespace() || b == 0x0B {
                space = !out.buf.is_empty();
                continue;
            }
            if space {
                out.buf.push(' ');
                space = false;
            }
            out.buf.push(char::from(b.to_ascii_lowercase()));
        }
    } else {
        normalize_chars(line, &mut out.buf);
    }
    trim_decoration(out);
}

/// [`normalize_into`]'s folding for any text.
fn normalize_chars(line: &str, buf: &mut String) {
    let mut space = false;
    for c in line.chars() {
        fold_char(c, |f| {
            if f == ' ' {
                space = !buf.is_empty();
                return;
            }
            if space {
                buf.push(' ');
                space = false;
            }
            buf.push(f);
        });
    }
}

/// Sets the bounds of `out`'s text: decoration and a trailing colon off.
fn trim_decoration(out: &mut Normalized) {
    let text = out.buf.as_str();
    let lo = text.len() - text.trim_start_matches(is_decoration).len();
    let mut hi = text.trim_end_matches(is_decoration).len().max(lo);
    // A trailing colon ("Tags:", "相关新闻：") and then decoration again
    // ("Read more ...:"); a run of dots is an ellipsis, one dot is kept
    // ("Fot.").
    loop {
        let t = &text[lo..hi];
        let cut = t
            .strip_suffix(':')
            .or_else(|| t.strip_suffix('：'))
            .or_else(|| t.strip_suffix("..").map(|s| s.trim_end_matches('.')));
        match cut {
            Some(s) => hi = lo + s.trim_end_matches(is_decoration).len(),
            None => break,
        }
    }
    out.lo = lo;
    out.hi = hi;
}

/// A phrase as the matcher compares it.
pub(crate) fn normalize_phrase(phrase: &str) -> String {
    let mut n = Normalized::default();
    normalize_into(phrase, &mut n);
    n.text().to_owned()
}

/// Adds an `extend: true` file's phrases and keep sentences to the file it
/// extends. A phrase the base already lists (once normalised) for the same
/// concept, or for any whole-line concept, is left out: the two files were
/// each checked alone, and together they must still compile.
pub(crate) fn merge_phrases(base: &mut RuleFile, lists: Vec<PhraseList>, keep: Vec<Located>) {
    let line_concept = |id: &str| {
        builtin_concepts()
            .iter()
            .any(|c| c.id == id && c.mode == MatchMode::Line)
    };
    let mut known: rustc_hash::FxHashSet<(String, String)> = Default::default();
    let mut line_keys: rustc_hash::FxHashSet<String> = Default::default();
    for list in &base.phrases {
        for p in &list.phrases {
            let key = normalize_phrase(&p.text);
            if line_concept(&list.concept) {
                line_keys.insert(key.clone());
            }
            known.insert((list.concept.clone(), key));
        }
    }
    for mut list in lists {
        let line = line_concept(&list.concept);
        list.phrases.retain(|p| {
            let key = normalize_phrase(&p.text);
            let repeated = known.contains(&(list.concept.clone(), key.clone()))
                || (line && line_keys.contains(&key));
            let fresh = !repeated;
            if fresh && line {
                line_keys.insert(key.clone());
            }
            known.insert((list.concept.clone(), key));
            fresh
        });
        base.phrases.push(list);
    }
    base.keep.extend(keep);
}

/// Letters and digits of scripts written with spaces between words: a
/// phrase ending in one must not be followed by another ("ad" is not
/// "adventure"). Han, kana, Thai and similar scripts have no spaces, so
/// any character may follow there.
fn is_word_char(c: char) -> bool {
    crate::script::is_alphanumeric(c)
        && !matches!(c,
            '\u{0E00}'..='\u{0EFF}'     // Thai, Lao
            | '\u{1000}'..='\u{109F}'   // Myanmar
            | '\u{1780}'..='\u{17FF}'   // Khmer
            | '\u{3040}'..='\u{30FF}'   // kana
            | '\u{31F0}'..='\u{31FF}'
            | '\u{3400}'..='\u{4DBF}'   // Han
            | '\u{4E00}'..='\u{9FFF}'
            | '\u{F900}'..='\u{FAFF}'
            | '\u{FF66}'..='\u{FF9F}'
            | '\u{20000}'..='\u{3FFFF}')
}

/// Digit runs (with inner `.` or `,`: "1.2", "1,024") become `#`, so a
/// counter concept's phrase matches any number, in any script's digits
/// ("نظرات (۱۸)", "মন্তব্য (১৮)").
fn fold_digits(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if !is_number(c) {
            out.push(c);
            continue;
        }
        out.push('#');
        while let Some(&n) = chars.peek() {
            if is_number(n) {
                chars.next();
            } else if matches!(n, '.' | ',') {
                let mut ahead = chars.clone();
                ahead.next();
                if ahead.peek().copied().is_some_and(is_number) {
                    chars.next();
                } else {
                    break;
                }
            } else {
                break;
            }
        }
    }
    out
}

/// A folded line without the counter before or after its words: "# comments",
/// "#k shares", "comments (#", "(#) comments" -> "comments".
fn strip_counter(folded: &str) -> Option<&str> {
    let t = folded;
    let lead = t
        .strip_prefix('#')
        .map(|s| s.strip_prefix(['k', 'm']).unwrap_or(s))
        .or_else(|| t.strip_prefix("(#)"))
        .or_else(|| t.strip_prefix("[#]"))
        .filter(|s| s.starts_with(' '));
    if let Some(s) = lead {
        return Some(s.trim_start_matches(is_decoration));
    }
    let s = t
        .strip_suffix(')')
        .or_else(|| t.strip_suffix(']'))
        .unwrap_or(t);
    let s = s.strip_suffix('#')?;
    let s = s.strip_suffix(['(', '[']).unwrap_or(s);
    let stripped = s.trim_end_matches(|c: char| is_decoration(c) || c == ':');
    (stripped.len() < t.len() && !stripped.is_empty()).then_some(stripped)
}

/// Which rule and which phrase a hit came from.
#[derive(Debug, Clone, Copy)]
struct Hit {
    rule: u32,
    phrase: u32,
}

/// One source of phrases: a rule file and the name that qualifies its ids.
pub(crate) struct Source<'a> {
    pub label: &'a str,
    pub name: &'a str,
    pub file: &'a RuleFile,
}

/// The phrases of one or more rule files, compiled; see the module docs.
#[derive(Debug, Default)]
pub(crate) struct PhraseMatcher {
    /// One rule per (file, concept) with phrases: common's first, then by
    /// concept order. A lower index wins when several match a line.
    rules: Vec<Rule>,
    /// The concept of each rule.
    concept: Vec<&'static ConceptSpec>,
    /// The phrases as written, for messages.
    phrases: Vec<Located>,
    line: FxHashMap<Box<str>, Vec<Hit>>,
    /// Line phrases of counter concepts, digits folded.
    counter: FxHashMap<Box<str>, Vec<Hit>>,
    automaton: Option<AhoCorasick>,
    /// The hits of each automaton pattern.
    patterns: Vec<Vec<Hit>>,
    /// Prefix phrases by text, to retry shorter ones when the longest
    /// phrase at the line's start fails its tail.
    prefixes: FxHashMap<Box<str>, u32>,
    /// No line longer than this (in bytes) can match.
    max_bytes: usize,
    has: [bool; 2],
}

fn action_index(a: ConceptAction) -> usize {
    match a {
        ConceptAction::Drop => 0,
        ConceptAction::Boundary => 1,
    }
}

thread_local! {
    static SCRATCH: RefCell<Normalized> = RefCell::new(Normalized::default());
}

impl PhraseMatcher {
    /// Compiles the phrases of `sources` (common first) against `concepts`.
    ///
    /// # Errors
    ///
    /// Every unknown concept id, phrase empty after normalisation, overlong
    /// phrase and duplicate phrase, each at its position in its file.
    #[cfg(test)]
    pub(crate) fn build(
        sources: &[Source<'_>],
        concepts: &'static [ConceptSpec],
    ) -> Result<PhraseMatcher, Vec<RuleProblem>> {
        let (m, problems) = PhraseMatcher::build_partial(sources, concepts);
        if problems.is_empty() {
            Ok(m)
        } else {
            Err(problems)
        }
    }

    /// [`PhraseMatcher::build`], returning the matcher of the valid phrases
    /// with the problems, so keep sentences can be checked as well.
    pub(crate) fn build_partial(
        sources: &[Source<'_>],
        concepts: &'static [ConceptSpec],
    ) -> (PhraseMatcher, Vec<RuleProblem>) {
        let mut m = PhraseMatcher::default();
        let mut problems = Vec::new();
        let mut ac_texts: Vec<String> = Vec::new();
        let mut ac_index: FxHashMap<String, u32> = FxHashMap::default();
        let mut max_chars = 0;
        for source in sources {
            let at = |pos: Pos, message: String| RuleProblem {
                file: source.label.to_owned(),
                line: pos.line,
                col: pos.col,
                rule: None,
                message,
            };
            for list in &source.file.phrases {
                if !concepts.iter().any(|c| c.id == list.concept) {
                    let known: Vec<&str> = concepts.iter().map(|c| c.id.as_str()).collect();
                    let msg = format!(
                        "unknown concept \"{}\"; expected one of: {}",
                        list.concept,
                        known.join(", ")
                    );
                    problems.push(at(list.pos, msg));
                }
            }
            // Within a file: the normalised text of each phrase, by concept
            // and by mode, to find duplicates.
            let mut seen: FxHashMap<(String, &str), &Located> = FxHashMap::default();
            // A line may be both clutter and a boundary ("Sponsored
            // content" drops a box early and ends the article late), but
            // not two kinds of clutter.
            let mut seen_line: FxHashMap<(String, usize), (&str, &Located)> = FxHashMap::default();
            for concept in concepts {
                let lists = source
                    .file
                    .phrases
                    .iter()
                    .filter(|l| l.concept == concept.id);
                let phrases: Vec<&Located> = lists.flat_map(|l| &l.phrases).collect();
                if phrases.is_empty() {
                    continue;
                }
                let rule = m.rules.len() as u32;
                m.rules.push(Rule::phrase(
                    format!("{}/{}", source.name, concept.id),
                    concept.min_position,
                ));
                m.concept.push(concept);
                m.has[action_index(concept.action)] = true;
                for phrase in phrases {
                    let key = normalize_phrase(&phrase.text);
                    let chars = key.chars().count();
                    if key.is_empty() {
                        let msg = format!(
                            "phrase \"{}\" is empty after normalisation (case, spaces and \
                             decoration are ignored)",
                            phrase.text
                        );
                        problems.push(at(phrase.pos, msg));
                        continue;
                    }
                    if chars > MAX_PHRASE_CHARS {
                        let msg = format!(
                            "phrase \"{}\" is longer than {MAX_PHRASE_CHARS} characters",
                            phrase.text
                        );
                        problems.push(at(phrase.pos, msg));
                        continue;
                    }
                    if let Some(first) = seen.get(&(key.clone(), concept.id.as_str())) {
                        let msg = format!(
                            "duplicate phrase \"{}\": \"{}\" at line {}:{} reads the same \
                             once normalised (\"{key}\")",
                            phrase.text, first.text, first.pos.line, first.pos.col
                        );
                        problems.push(at(phrase.pos, msg));
                        continue;
                    }
                    seen.insert((key.clone(), concept.id.as_str()), phrase);
                    if concept.mode == MatchMode::Line {
                        let slot = (key.clone(), action_index(concept.action));
                        if let Some((other, first)) = seen_line.get(&slot) {
                            let msg = format!(
                                "phrase \"{}\" is also listed under \"{other}\" (line {}); a \
                                 line can name only one kind of clutter",
                                phrase.text, first.pos.line
                            );
                            problems.push(at(phrase.pos, msg));
                            continue;
                        }
                        seen_line.insert(slot, (concept.id.as_str(), phrase));
                    }
                    let hit = Hit {
                        rule,
                        phrase: m.phrases.len() as u32,
                    };
                    m.phrases.push(phrase.clone());
                    let reach = match concept.mode {
                        MatchMode::Line => chars,
                        MatchMode::Prefix => chars + concept.tail.max_chars,
                        MatchMode::Anywhere => concept.max_line_chars,
                    };
                    max_chars = max_chars.max(reach);
                    match concept.mode {
                        MatchMode::Line => {
                            if concept.tail.counter {
                                let folded = fold_digits(&key).into_boxed_str();
                                m.counter.entry(folded).or_default().push(hit);
                            }
                            m.line.entry(key.into_boxed_str()).or_default().push(hit);
                        }
                        MatchMode::Prefix | MatchMode::Anywhere => {
                            let next = ac_texts.len() as u32;
                            let id = *ac_index.entry(key.clone()).or_insert(next);
                            if id == next {
                                ac_texts.push(key.clone());
                                m.patterns.push(Vec::new());
                            }
                            m.patterns[id as usize].push(hit);
                            if concept.mode == MatchMode::Prefix {
                                m.prefixes.insert(key.into_boxed_str(), id);
                            }
                        }
                    }
                }
            }
        }
        if !ac_texts.is_empty() {
            let built = AhoCorasick::builder()
                .match_kind(MatchKind::LeftmostLongest)
                .build(&ac_texts);
            match built {
                Ok(ac) => m.automaton = Some(ac),
                Err(e) => problems.push(RuleProblem {
                    file: sources.last().map_or("", |s| s.label).to_owned(),
                    line: 0,
                    col: 0,
                    rule: None,
                    message: format!("the phrases do not compile: {e}"),
                }),
            }
        }
        // UTF-8 needs at most four bytes a character.
        m.max_bytes = (max_chars + SLACK_CHARS) * 4;
        problems.sort_by_key(|p| (p.line, p.col));
        (m, problems)
    }

    /// The first rule (common's before the language's, then by concept
    /// order) whose phrase matches `line` with the given action.
    #[cfg(test)]
    pub(crate) fn find(&self, line: &str, action: ConceptAction) -> Option<&Rule> {
        self.find_hit(line, action)
            .map(|h| &self.rules[h.rule as usize])
    }

    fn find_hit(&self, line: &str, action: ConceptAction) -> Option<Hit> {
        if !self.has[action_index(action)] || line.len() > self.max_bytes || line.is_empty() {
            return None;
        }
        SCRATCH.with(|scratch| {
            let mut n = scratch.borrow_mut();
            normalize_into(line, &mut n);
            self.best(&n, action)
        })
    }

    fn best(&self, n: &Normalized, action: ConceptAction) -> Option<Hit> {
        self.best_both(n)[action_index(action)]
    }

    /// The best hit of each action (drop, boundary) on one normalised
    /// line: one pass of the tables and the automaton serves both.
    fn best_both(&self, n: &Normalized) -> [Option<Hit>; 2] {
        let mut best: [Option<Hit>; 2] = [None, None];
        let text = n.text();
        if text.is_empty() {
            return best;
        }
        let slot = |h: &Hit| action_index(self.concept[h.rule as usize].action);
        let mut offer = |h: Hit| {
            let b = &mut best[slot(&h)];
            if b.is_none_or(|b| h.rule < b.rule) {
                *b = Some(h);
            }
        };
        for h in self.line.get(text).into_iter().flatten() {
            offer(*h);
        }
        if !self.counter.is_empty() && has_digit(text) {
            let folded = fold_digits(text);
            let keys = [Some(folded.as_str()), strip_counter(&folded)];
            for key in keys.into_iter().flatten() {
                for h in self.counter.get(key).into_iter().flatten() {
                    offer(*h);
                }
            }
        }
        let Some(ac) = &self.automaton else {
            return best;
        };
        for m in ac.find_iter(text) {
            let mut found_here = [false; 2];
            for &h in &self.patterns[m.pattern().as_usize()] {
                if self.fits(n, h, m.start(), m.end()) {
                    found_here[slot(&h)] = true;
                    offer(h);
                }
            }
            if m.start() == 0 && found_here != [true; 2] {
                // The longest phrase at the start failed its tail: a
                // shorter phrase it begins with may still fit.
                for k in (1..m.end()).rev().filter(|&k| text.is_char_boundary(k)) {
                    let Some(&id) = self.prefixes.get(&text[..k]) else {
                        continue;
                    };
                    for &h in &self.patterns[id as usize] {
                        if !found_here[slot(&h)] && self.fits(n, h, 0, k) {
                            offer(h);
                        }
                    }
                }
            }
        }
        best
    }

    /// The drop rule and the boundary rule whose phrases match the line
    /// `n` holds, as [`PhraseMatcher::find`] would give them.
    pub(crate) fn find_normalized(&self, n: &Normalized) -> [Option<&Rule>; 2] {
        self.best_both(n)
            .map(|h| h.map(|h| &self.rules[h.rule as usize]))
    }

    /// Whether a line of `len` bytes is too long for any phrase (or there
    /// are none): such lines need no normalising for phrases.
    pub(crate) fn skips(&self, len: usize) -> bool {
        (!self.has[0] && !self.has[1]) || len > self.max_bytes || len == 0
    }

    /// Whether the phrase of `h`, found at `start..end` of the normalised
    /// line, stands where its concept needs it.
    fn fits(&self, n: &Normalized, h: Hit, start: usize, end: usize) -> bool {
        let text = n.text();
        let concept = self.concept[h.rule as usize];
        let before = text[..start].chars().next_back();
        let first = text[start..end].chars().next();
        let last = text[..end].chars().next_back();
        let after = text[end..].chars().next();
        let joined = |a: Option<char>, b: Option<char>| matches!((a, b), (Some(a), Some(b)) if is_word_char(a) && is_word_char(b));
        if joined(last, after) {
            return false;
        }
        match concept.mode {
            MatchMode::Line => false,
            MatchMode::Anywhere => {
                !joined(before, first) && text.chars().count() <= concept.max_line_chars
            }
            MatchMode::Prefix => {
                if start != 0 {
                    return false;
                }
                let rest = &text[end..];
                let abbreviation = last == Some('.');
                let tail = match separated(rest, &concept.separators, abbreviation) {
                    Some(tail) => tail,
                    None => return false,
                };
                let tail_at = text.len() - tail.len();
                tail_fits(tail, &concept.tail, || n.original_from(tail_at))
            }
        }
    }

    /// Checks the file's `keep` sentences against its own phrases: each
    /// phrase that matches one is a problem at the phrase's position.
    pub(crate) fn check_keep(&self, label: &str, keep: &[Located]) -> Vec<RuleProblem> {
        let mut out = Vec::new();
        for sentence in keep {
            for action in [ConceptAction::Drop, ConceptAction::Boundary] {
                let Some(h) = self.find_hit(&sentence.text, action) else {
                    continue;
                };
                let phrase = &self.phrases[h.phrase as usize];
                let concept = &self.concept[h.rule as usize].id;
                out.push(RuleProblem {
                    file: label.to_owned(),
                    line: phrase.pos.line,
                    col: phrase.pos.col,
                    rule: None,
                    message: format!(
                        "phrase \"{}\" ({concept}) matches the keep sentence at line {}: \"{}\"",
                        phrase.text, sentence.pos.line, sentence.text
                    ),
                });
            }
        }
        out
    }
}

/// The tail after the separator that must follow a prefix phrase, or
/// `None` when none does. A phrase ending in a dot ("Fot.") is its own
/// separator before a space.
fn separated<'t>(rest: &'t str, separators: &[String], abbreviation: bool) -> Option<&'t str> {
    if rest.is_empty() {
        return Some(rest);
    }
    let trimmed = rest.trim_start_matches(' ');
    let spaced = trimmed.len() < rest.len();
    if separators.is_empty() || (abbreviation && spaced) {
        return Some(trimmed);
    }
    for sep in separators {
        if sep == " " {
            if spaced {
                return Some(trimmed);
            }
            continue;
        }
        let needs_space = sep.starts_with(' ');
        if needs_space && !spaced {
            continue;
        }
        if let Some(after) = trimmed.strip_prefix(sep.trim_start()) {
            return Some(after.trim_start_matches(' '));
        }
    }
    None
}

/// A full stop with this much text after it ends a sentence; shorter
/// remainders are initials and abbreviations ("J. Smith", "Fot. PAP").
const MIN_NEXT_SENTENCE_CHARS: usize = 20;

fn tail_fits<'o>(tail: &str, t: &Tail, original: impl FnOnce() -> &'o str) -> bool {
    let chars = tail.chars().count();
    if chars < t.min_chars || chars > t.max_chars {
        return false;
    }
    if t.digit && !tail.chars().any(char::is_numeric) {
        return false;
    }
    if t.one_sentence {
        let mut it = tail.char_indices().peekable();
        while let Some((i, c)) = it.next() {
            let ends = match c {
                '.' | '!' | '?' => {
                    let rest = &tail[i + 1..];
                    rest.starts_with(' ') && rest.chars().count() > MIN_NEXT_SENTENCE_CHARS
                }
                // 。 ！ ？ । ۔ ؟ ...: no abbreviation ends in them.
                c if crate::script::is_terminal(c) && c != '…' => it.peek().is_some(),
                _ => false,
            };
            if ends {
                return false;
            }
        }
    }
    if t.capital {
        let first = original().chars().find(|c| c.is_alphabetic());
        if first.is_some_and(char::is_lowercase) {
            return false;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ruleset::schema::parse;

    fn norm(s: &str) -> String {
        normalize_phrase(s)
    }

    #[test]
    fn normalisation_folds_case_width_spaces_and_decoration() {
        assert_eq!(norm("  » Read   MORE… "), "read more");
        assert_eq!(norm("ＳＨＡＲＥ"), "share");
        assert_eq!(norm("Tags:"), "tags");
        assert_eq!(norm("相关新闻："), "相关新闻");
        assert_eq!(norm("(END)"), "end");
        assert_eq!(norm("-- End --"), "end");
        assert_eq!(norm("[Advertisement]"), "advertisement");
        assert_eq!(norm("Fot."), "fot.");
        assert_eq!(norm("Read more...:"), "read more");
        assert_eq!(norm("•••"), "");
    }

    #[test]
    fn spelling_variants_fold_to_one_form() {
        assert_eq!(norm("Don’t miss"), norm("Don't miss"));
        assert_eq!(norm("İLGİLİ KONULAR"), "ilgili konular");
        assert_eq!(
            norm("Distribuiţi pe Facebook"),
            norm("Distribuiți pe Facebook")
        );
        assert_eq!(norm("Ещё новости"), "еще новости");
        // Bengali "আরও পড়ুন" with the precomposed ড় (U+09DC) and in NFC.
        assert_eq!(norm("আরও প\u{09DC}ুন"), norm("আরও প\u{09A1}\u{09BC}ুন"));
        assert_eq!(norm("\u{095B}"), "\u{091C}\u{093C}");
    }

    #[test]
    fn counters_fold_and_strip() {
        assert_eq!(
            fold_digits("1.2k shares, 1,024 likes 3."),
            "#k shares, # likes #."
        );
        assert_eq!(strip_counter("# comments"), Some("comments"));
        assert_eq!(strip_counter("comments (#"), Some("comments"));
        assert_eq!(strip_counter("#k shares"), Some("shares"));
        assert_eq!(strip_counter("comments"), None);
        assert_eq!(strip_counter("#"), None);
    }

    #[test]
    fn counters_in_any_script_fold() {
        assert_eq!(fold_digits("نظرات (۱۸)"), "نظرات (#)");
        assert_eq!(fold_digits("মন্তব্য ১৮"), "মন্তব্য #");
        assert!(has_digit("१२ टिप्पणियां") && !has_digit("टिप्पणियां"));
    }

    fn matcher(body: &str) -> PhraseMatcher {
        let file = parse("t.yaml", &format!("lang: eng\n{body}")).expect("valid");
        let source = Source {
            label: "t.yaml",
            name: "eng",
            file: &file,
        };
        PhraseMatcher::build(&[source], builtin_concepts()).expect("valid phrases")
    }

    fn id(m: &PhraseMatcher, line: &str) -> Option<String> {
        m.find(line, ConceptAction::Drop).map(|r| r.id.clone())
    }

    #[test]
    fn each_mode_anchors_by_position() {
        let m = matcher(
            "phrases:\n  share: [Share]\n  credit: [Source, Fot.]\n  byline: [By]\n  copyright: [All rights reserved]\n  comments: [Comments]\n  date-stamp: [Published]\n  advert: [Ad]\n",
        );
        assert_eq!(id(&m, "» Share"), Some("eng/share".into()));
        assert_eq!(id(&m, "Share prices fell"), None);
        assert_eq!(id(&m, "Source: Reuters"), Some("eng/credit".into()));
        assert_eq!(id(&m, "Source code"), None);
        assert_eq!(id(&m, "Sources: two officials"), None);
        assert_eq!(id(&m, "Fot. PAP/Radek"), Some("eng/credit".into()));
        assert_eq!(
            id(
                &m,
                "Source: the report. It said many things about the council budget"
            ),
            None
        );
        assert_eq!(id(&m, "By Jane Doe"), Some("eng/byline".into()));
        assert_eq!(id(&m, "By the end of the season"), None);
        assert_eq!(
            id(&m, "© 2024 Example. All rights reserved."),
            Some("eng/copyright".into())
        );
        assert_eq!(id(&m, "12 Comments"), Some("eng/comments".into()));
        assert_eq!(id(&m, "Comments (3)"), Some("eng/comments".into()));
        assert_eq!(
            id(&m, "Published 14.04.2025"),
            Some("eng/date-stamp".into())
        );
        assert_eq!(id(&m, "Published by Penguin"), None);
        assert_eq!(id(&m, "[Ad]"), Some("eng/advert".into()));
        assert_eq!(id(&m, "Adventure"), None);
    }

    #[test]
    fn a_shorter_prefix_is_tried_when_the_longest_fails() {
        let m = matcher("phrases:\n  credit: [Photo, Photo by]\n");
        // "photo by" is the longest phrase at the start, but its tail has
        // no separator; "photo" then fails too: nothing matches.
        assert_eq!(id(&m, "Photo by Jane"), None);
        assert_eq!(id(&m, "Photo: Jane Doe"), Some("eng/credit".into()));
        assert_eq!(id(&m, "Photo by: Jane Doe"), Some("eng/credit".into()));
    }

    #[test]
    fn a_credit_is_one_sentence_in_any_script() {
        let m = matcher("phrases:\n  credit: [সূত্র]\n");
        assert_eq!(id(&m, "সূত্র: প্রথম আলো"), Some("eng/credit".into()));
        // Two sentences ended by the danda: the line is prose, not a credit.
        assert_eq!(id(&m, "সূত্র: তিনি বলেন। পরে আরও কথা"), None);
    }

    #[test]
    fn boundaries_and_drops_are_apart() {
        let m = matcher("phrases:\n  related-news: [Related stories]\n  end-marker: ['(END)']\n");
        assert!(m.find("Related stories", ConceptAction::Drop).is_none());
        let r = m
            .find("Related Stories:", ConceptAction::Boundary)
            .expect("hit");
        assert_eq!((r.id.as_str(), r.min_position), ("eng/related-news", 0.3));
        assert!(m.find("-- End --", ConceptAction::Boundary).is_some());
    }

    fn problems(body: &str) -> Vec<String> {
        let file = parse("t.yaml", &format!("lang: eng\n{body}")).expect("valid");
        let source = Source {
            label: "t.yaml",
            name: "eng",
            file: &file,
        };
        match PhraseMatcher::build(&[source], builtin_concepts()) {
            Ok(m) => m
                .check_keep("t.yaml", &file.keep)
                .iter()
                .map(ToString::to_string)
                .collect(),
            Err(p) => p.iter().map(ToString::to_string).collect(),
        }
    }

    #[test]
    fn phrase_problems_are_reported_at_their_position() {
        let p = problems(
            "phrases:\n  shares: [Share]\n  share: [Share, '  SHARE ', '•••']\n  advert: [Share]\n",
        );
        assert!(
            p.iter()
                .any(|m| m.starts_with("t.yaml:3:3: unknown concept \"shares\"")),
            "{p:?}"
        );
        assert!(
            p.iter()
                .any(|m| m.starts_with("t.yaml:4:18: duplicate phrase \"  SHARE \"")),
            "{p:?}"
        );
        assert!(
            p.iter()
                .any(|m| m.starts_with("t.yaml:4:30: phrase \"•••\" is empty")),
            "{p:?}"
        );
        assert!(
            p.iter()
                .any(|m| m
                    .starts_with("t.yaml:5:12: phrase \"Share\" is also listed under \"share\"")),
            "{p:?}"
        );
    }

    #[test]
    fn a_phrase_matching_a_keep_sentence_is_reported() {
        let p = problems("phrases:\n  credit: [Source]\n  read-more: [Read more]\nkeep:\n  - 'Source: the minister, who spoke to reporters.'\n  - 'Read more books, the mayor said.'\n");
        assert_eq!(p.len(), 1, "{p:?}");
        assert!(
            p[0].starts_with(
                "t.yaml:3:12: phrase \"Source\" (credit) matches the keep sentence at line 6"
            ),
            "{p:?}"
        );
    }
}
