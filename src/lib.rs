//! dechaff separates the article body from the clutter in scraped web text.
//!
//! A [`Cleaner`] decodes the bytes, normalises whitespace, detects the
//! page's language and script, applies the YAML rule set for that language
//! (plus the language-independent `common` set), scores the blocks that are
//! left with their neighbours, and returns the clean body as [`Cleaned`].
//! Everything dechaff keeps is the input's own text: it deletes and
//! normalises, it never invents.
//!
//! ```
//! let cleaner = dechaff::Cleaner::builtin();
//! let page = "Home\nNews\n\nThe council approved the new budget on Monday after a long debate about \
//!             school funding, road repairs and the cost of the new library.\n\nShare\n";
//! let cleaned = cleaner.clean(page);
//! assert!(cleaned.text.starts_with("The council approved"));
//! assert!(!cleaned.text.contains("Share"));
//! ```

#![deny(missing_docs)]

mod apply;
mod decode;
mod detect;
mod error;
mod evidence;
pub mod jsonl;
mod normalize;
mod removals;
mod render;
mod ruleset;
mod score;
mod script;
mod segment;
pub mod wet;

use serde::Serialize;

pub use error::{Error, RuleProblem};
pub use removals::{Iter as RemovalIter, Removal, Removals};
pub use ruleset::{RuleSet, RuleSetSummary, COMMON};
pub use segment::Action;

/// How a [`Cleaner`] treats its input.
#[derive(Debug, Clone)]
pub struct Options {
    /// Use this rule set instead of detecting the language (ISO 639-3 code,
    /// or `common` for the language-independent rules alone).
    pub lang: Option<String>,
    /// Decode bytes with this WHATWG encoding label instead of guessing.
    pub encoding: Option<String>,
    /// Fill [`Cleaned::lines`] with the fate of every input line.
    pub trace: bool,
    /// The safety net: when rules and scoring together would keep less than
    /// this share of the page's (non-space) characters, the page is kept as
    /// it was and [`Cleaned::safety_net`] says why. 0 switches the net off.
    pub min_kept: f64,
    /// Keep the article's headline (the title lines right before the body,
    /// across a byline, dateline and share region). Off for corpora whose
    /// gold is the body alone, such as an `articleBody`.
    pub headline: bool,
}

/// Default [`Options::min_kept`]. On the development benchmarks (406
/// pages) no page whose body was found keeps less than 5%; the two that
/// fall under 1% are pages where scoring found no body at all.
pub const DEFAULT_MIN_KEPT: f64 = 0.02;

impl Default for Options {
    fn default() -> Self {
        Options {
            lang: None,
            encoding: None,
            trace: false,
            min_kept: DEFAULT_MIN_KEPT,
            headline: true,
        }
    }
}

/// A configured cleaner: build once, reuse for every page, share between
/// threads (it is `Send + Sync`; rule sets compile on first use).
///
/// # Example
///
/// ```
/// use dechaff::{Cleaner, Options, RuleSet};
///
/// let options = Options { lang: Some("eng".into()), ..Options::default() };
/// let cleaner = Cleaner::new(RuleSet::builtin(), options).expect("eng is built in");
/// let cleaned = cleaner.clean_bytes(b"Related stories\n");
/// assert_eq!(cleaned.lang, "eng");
/// ```
#[derive(Debug)]
pub struct Cleaner {
    rules: RuleSet,
    options: Options,
    encoding: Option<&'static encoding_rs::Encoding>,
}

/// The fate of one input line, for `--explain`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LineTrace {
    /// 1-based line number.
    pub line: usize,
    /// The normalised line (before inline removals).
    pub text: String,
    /// Whether (what is left of) the line is in the output.
    pub kept: bool,
    /// What removed the line, if it was removed.
    #[serde(serialize_with = "opt_action_name")]
    pub action: Option<Action>,
    /// The rule that removed the line, if it was removed.
    pub rule: Option<String>,
}

/// A rule that failed on this page and was skipped for the rest of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Warning {
    /// The line where the rule failed.
    pub line: usize,
    /// The qualified rule id.
    pub rule: String,
    /// What happened.
    pub message: String,
}

/// Whether `bytes` look like a binary file rather than text: NUL bytes in
/// the first 8 KiB, unless the text is UTF-16 (with a BOM, or recognised
/// by where its zero bytes fall, as [`Cleaner::clean_bytes`] decodes it).
///
/// ```
/// assert!(dechaff::looks_binary(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"));
/// assert!(!dechaff::looks_binary(b"plain text\n"));
/// let utf16: Vec<u8> = "Some text in UTF-16, with no byte-order mark at all.\n"
///     .encode_utf16()
///     .flat_map(u16::to_le_bytes)
///     .collect();
/// assert!(!dechaff::looks_binary(&utf16));
/// ```
pub fn looks_binary(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(8192)];
    let bom = head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF]);
    head.contains(&0) && !bom && decode::utf16_without_bom(head).is_none()
}

/// Why the safety net kept a page whole.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SafetyNet {
    /// The share of the page's characters that cleaning would have kept.
    pub kept_share: f64,
    /// [`Options::min_kept`] at the time.
    pub threshold: f64,
    /// The rule (or judgement, such as `score/outside-body`) that would have
    /// removed the most characters.
    pub top_rule: String,
    /// The share of the page's characters that rule would have removed.
    pub top_rule_share: f64,
}

/// The result of cleaning one page.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cleaned {
    /// The clean body: kept blocks, one blank line between, trailing newline.
    pub text: String,
    /// The rule set used: a language code, or `common` when the language was
    /// not detected reliably or has no rule set.
    pub lang: String,
    /// The language whatlang detected (ISO 639-3), even without a rule set.
    pub detected_lang: Option<String>,
    /// ISO 15924 script: `Latn`, `Hans`, `Hant`, `Cyrl`, `Jpan`, `Kore`, ...
    pub script: Option<String>,
    /// whatlang's confidence, 0 to 1 (1 when `--lang` was given).
    pub lang_confidence: f64,
    /// The encoding the input was decoded from.
    pub encoding: String,
    /// Malformed byte sequences replaced by U+FFFD while decoding.
    pub replaced_bytes: usize,
    /// Every removed line and inline span, in line order.
    pub removed: Removals,
    /// Every input line with its fate; empty unless [`Options::trace`].
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub lines: Vec<LineTrace>,
    /// Characters in the normalised input, line breaks excluded.
    pub input_chars: usize,
    /// Rules that failed on this page (a fancy pattern out of budget).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<Warning>,
    /// Set when cleaning would have removed nearly everything and the page
    /// was kept as it was instead; `removed` is then empty.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub safety_net: Option<SafetyNet>,
}

impl Cleaned {
    /// Characters removed: input characters not in [`Cleaned::text`]
    /// (line breaks excluded on both sides).
    pub fn removed_chars(&self) -> usize {
        let kept = self.text.chars().filter(|&c| c != '\n').count();
        self.input_chars.saturating_sub(kept)
    }
}

fn opt_action_name<S: serde::Serializer>(a: &Option<Action>, s: S) -> Result<S::Ok, S::Error> {
    match a {
        Some(a) => s.serialize_str(a.name()),
        None => s.serialize_none(),
    }
}

impl Default for Cleaner {
    fn default() -> Self {
        Cleaner::builtin()
    }
}

impl Cleaner {
    /// A cleaner with the built-in rule sets and default options.
    pub fn builtin() -> Cleaner {
        Cleaner {
            rules: RuleSet::builtin(),
            options: Options::default(),
            encoding: None,
        }
    }

    /// A cleaner with the given rules and options.
    ///
    /// # Errors
    ///
    /// [`Error::UnknownLanguage`] if `options.lang` names neither a rule set
    /// nor a language whatlang knows; [`Error::UnknownEncoding`] if
    /// `options.encoding` is not a WHATWG label; [`Error::InvalidMinKept`]
    /// if `options.min_kept` is NaN, infinite, negative or above 1 (such a
    /// threshold would keep every page whole, or none).
    pub fn new(rules: RuleSet, options: Options) -> Result<Cleaner, Error> {
        // `contains` is false for NaN, so NaN is refused too.
        if !(0.0..=1.0).contains(&options.min_kept) {
            return Err(Error::InvalidMinKept(options.min_kept));
        }
        if let Some(code) = &options.lang {
            let known = code == COMMON
                || rules.has_language(code)
                || whatlang::Lang::from_code(code.as_str()).is_some();
            if !known {
                return Err(Error::UnknownLanguage(code.clone()));
            }
        }
        let encoding = match &options.encoding {
            Some(label) => Some(
                encoding_rs::Encoding::for_label(label.trim().as_bytes())
                    .ok_or_else(|| Error::UnknownEncoding(label.clone()))?,
            ),
            None => None,
        };
        Ok(Cleaner {
            rules,
            options,
            encoding,
        })
    }

    /// The rule sets this cleaner uses.
    pub fn rules(&self) -> &RuleSet {
        &self.rules
    }

    /// Cleans text that is already decoded.
    pub fn clean(&self, text: &str) -> Cleaned {
        self.run(text, "UTF-8", 0)
    }

    /// Decodes `bytes` (BOM, UTF-8, or a guessed legacy encoding unless
    /// [`Options::encoding`] is set), then cleans the text. Never fails:
    /// malformed sequences are replaced and counted in
    /// [`Cleaned::replaced_bytes`].
    pub fn clean_bytes(&self, bytes: &[u8]) -> Cleaned {
        let decoded = decode::decode(bytes, self.encoding);
        self.run(&decoded.text, decoded.encoding.name(), decoded.replaced)
    }

    fn run(&self, text: &str, encoding: &str, replaced: usize) -> Cleaned {
        let normalized = normalize::normalize(text);
        let (code, detected, script, confidence) = match &self.options.lang {
            Some(code) => (
                Some(code.as_str()),
                Some(code.clone()),
                detect::script_of(&normalized),
                1.0,
            ),
            None => {
                let d = detect::detect(&normalized);
                (d.lang, d.lang.map(str::to_owned), d.script, d.confidence)
            }
        };
        let layers = self.rules.layers(code);
        let mut blocks = segment::segment(&normalized);
        let mut inline = Removals::default();
        let mut guard = apply::Guard::default();
        let evidence = apply::apply(&mut blocks, &layers.files, &mut inline, &mut guard);
        score::judge(
            &mut blocks,
            &evidence,
            &mut inline,
            layers.score,
            self.options.headline,
        );
        let mut removed = render::removals(&blocks, inline);
        let safety_net = safety_net(&normalized, &blocks, &removed, self.options.min_kept);
        if safety_net.is_some() {
            // Dropped first: two block lists of a page of short lines
            // would double its peak memory.
            drop(blocks);
            blocks = segment::segment(&normalized);
            for block in &mut blocks {
                block.verdict = segment::Verdict::Keep;
            }
            removed.clear();
        }
        let lines = if self.options.trace {
            render::trace(&normalized, &blocks)
        } else {
            Vec::new()
        };
        Cleaned {
            text: render::text(&blocks),
            lang: layers.name.to_owned(),
            detected_lang: detected,
            script: script.map(str::to_owned),
            lang_confidence: confidence,
            encoding: encoding.to_owned(),
            replaced_bytes: replaced,
            removed,
            lines,
            input_chars: chars_but_line_breaks(&normalized),
            warnings: guard.warnings,
            safety_net,
        }
    }

    /// Cleans many documents in parallel on the current rayon pool (wrap the
    /// call in `ThreadPool::install` to cap the threads). Results come back
    /// in input order.
    ///
    /// # Example
    ///
    /// ```
    /// let cleaner = dechaff::Cleaner::builtin();
    /// let pages = ["Menu\n", "Other page\n"];
    /// let cleaned = cleaner.clean_batch(&pages);
    /// assert_eq!(cleaned.len(), 2);
    /// ```
    pub fn clean_batch<D: AsRef<[u8]> + Sync>(&self, docs: &[D]) -> Vec<Cleaned> {
        use rayon::prelude::*;
        docs.par_iter()
            .map(|d| self.clean_bytes(d.as_ref()))
            .collect()
    }
}

/// The characters of `text` other than `\n`, counted on its bytes: every
/// byte that does not continue a UTF-8 sequence starts a character.
fn chars_but_line_breaks(text: &str) -> usize {
    text.bytes()
        .filter(|&b| !(0x80..0xC0).contains(&b) && b != b'\n')
        .count()
}

/// The safety net's verdict: `Some` when what is left is under `min_kept`
/// of the page's non-space characters. Counting non-space characters keeps
/// indentation and blank lines from diluting the share.
fn safety_net(
    normalized: &str,
    blocks: &[segment::Block<'_, '_>],
    removed: &Removals,
    min_kept: f64,
) -> Option<SafetyNet> {
    if min_kept <= 0.0 {
        return None;
    }
    let solid = |s: &str| s.chars().filter(|c| !c.is_whitespace()).count();
    // No page has more characters than bytes: once the kept text reaches
    // the share of the page's bytes, it reaches the share of its
    // characters, and the page need not be counted at all (most pages
    // keep far more than the threshold).
    let enough = min_kept * normalized.len() as f64;
    let mut kept = 0;
    for block in blocks
        .iter()
        .filter(|b| b.verdict == segment::Verdict::Keep)
    {
        kept += solid(&block.text);
        if kept as f64 >= enough {
            return None;
        }
    }
    let total = solid(normalized);
    if total == 0 {
        return None;
    }
    let kept_share = kept as f64 / total as f64;
    if kept_share >= min_kept {
        return None;
    }
    let mut by_rule: Vec<(&str, usize)> = Vec::new();
    for r in removed {
        let n = solid(r.text);
        match by_rule.iter_mut().find(|(id, _)| *id == r.rule) {
            Some((_, sum)) => *sum += n,
            None => by_rule.push((r.rule, n)),
        }
    }
    let (top_rule, top) = by_rule
        .into_iter()
        .max_by_key(|&(_, n)| n)
        .unwrap_or(("none", 0));
    Some(SafetyNet {
        kept_share,
        threshold: min_kept,
        top_rule: top_rule.to_owned(),
        top_rule_share: top as f64 / total as f64,
    })
}
