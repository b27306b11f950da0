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
mod normalize;
mod render;
mod ruleset;
mod score;
mod segment;

use serde::Serialize;

pub use error::{Error, RuleProblem};
pub use ruleset::{RuleSet, RuleSetSummary, COMMON};
pub use segment::Action;

/// How a [`Cleaner`] treats its input.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Use this rule set instead of detecting the language (ISO 639-3 code,
    /// or `common` for the language-independent rules alone).
    pub lang: Option<String>,
    /// Decode bytes with this WHATWG encoding label instead of guessing.
    pub encoding: Option<String>,
    /// Fill [`Cleaned::lines`] with the fate of every input line.
    pub trace: bool,
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

/// One removed line or inline span.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Removal {
    /// 1-based line number in the input (after line-ending normalisation).
    pub line: usize,
    /// What removed it.
    #[serde(serialize_with = "action_name")]
    pub action: Action,
    /// The qualified id of the rule or judgement: `cmn/related-news`,
    /// `common/duplicate-caption`, `score/outside-body`.
    pub rule: String,
    /// The removed text: the whole line, or the span for inline removals.
    pub text: String,
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
    pub removed: Vec<Removal>,
    /// Every input line with its fate; empty unless [`Options::trace`].
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub lines: Vec<LineTrace>,
}

fn action_name<S: serde::Serializer>(a: &Action, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(a.name())
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
    /// `options.encoding` is not a WHATWG label.
    pub fn new(rules: RuleSet, options: Options) -> Result<Cleaner, Error> {
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
        let mut inline = Vec::new();
        apply::apply(&mut blocks, &layers.files, &mut inline);
        score::score(&mut blocks, &layers.score);
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
            removed: render::removals(&blocks, inline),
            lines,
        }
    }
}
