//! Rule sets: the embedded `rules/*.yaml`, user overlays, lazy compilation.
//!
//! Input: YAML sources (embedded with `include_str!`, or files of a user's
//! `--rules DIR`). Output: a [`RuleSet`] that hands out compiled rules per
//! language. Built-in files are parsed up front (cheap) but compiled only
//! when a page in their language first needs them; user files are compiled
//! at load so that a bad pattern is reported before any cleaning starts.

pub(crate) mod compile;
mod dropset;
mod lineset;
pub(crate) mod literals;
pub(crate) mod phrase;
pub(crate) mod schema;

use std::path::Path;
use std::sync::OnceLock;

use crate::error::{Error, RuleProblem};
use crate::score::ScoreParams;
use compile::CompiledFile;
use schema::{Kind, RuleFile};

/// The name of the rule set that applies to every page.
pub const COMMON: &str = "common";

macro_rules! builtin {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!("../../rules/", $name, ".yaml")))),*]
    };
}

/// Every rule file shipped in the binary, by name.
const BUILTIN: &[(&str, &str)] = builtin!(
    "common", "ara", "ben", "bul", "cat", "ces", "cmn", "dan", "deu", "ell", "eng", "est", "fin",
    "fra", "heb", "hin", "hrv", "hun", "ind", "ita", "jpn", "kor", "lav", "lit", "nld", "nob",
    "pes", "pol", "por", "ron", "rus", "slk", "slv", "spa", "srp", "swe", "tha", "tur", "ukr",
    "urd", "vie",
);

#[derive(Debug)]
struct Entry {
    name: String,
    label: String,
    file: RuleFile,
    compiled: OnceLock<CompiledFile>,
    /// `common` only: its phrases alone, for pages without a language file
    /// (a language file compiles them into its own automaton).
    phrases: OnceLock<CompiledFile>,
    /// The judgement's parameters: `common`'s, merged with this file's for
    /// a language. Built once, not per page: the stop words alone are a
    /// set of a few hundred lowercased strings.
    score: OnceLock<ScoreParams>,
}

impl Entry {
    fn new(name: String, label: String, file: RuleFile) -> Entry {
        Entry {
            name,
            label,
            file,
            compiled: OnceLock::new(),
            phrases: OnceLock::new(),
            score: OnceLock::new(),
        }
    }

    /// The compiled file; a language file holds `common`'s phrases too,
    /// and `common` itself none (see [`Entry::common_phrases`]).
    fn compiled(&self, common: Option<&Entry>) -> &CompiledFile {
        self.compiled.get_or_init(|| {
            let compiled = if self.name == COMMON {
                let mut bare = self.file.clone();
                bare.phrases.clear();
                compile::compile(&self.label, &self.name, &bare)
            } else {
                let common = common.map(|c| (c.label.as_str(), &c.file));
                compile::compile_with(&self.label, &self.name, &self.file, common)
            };
            compiled.expect("rule files are compiled once at load or checked by tests/rules.rs")
        })
    }

    /// `common`'s phrases without its patterns.
    fn common_phrases(&self) -> &CompiledFile {
        self.phrases.get_or_init(|| {
            let mut only = self.file.clone();
            only.rules.clear();
            compile::compile(&self.label, &self.name, &only)
                .expect("rule files are compiled once at load or checked by tests/rules.rs")
        })
    }
}

/// A collection of rule files: `common` plus one file per language.
///
/// Built once and shared: cloning is not needed, since a [`crate::Cleaner`]
/// owns its rule set and is `Send + Sync`.
///
/// # Example
///
/// ```
/// let rules = dechaff::RuleSet::builtin();
/// assert!(rules.summaries().iter().any(|s| s.name == "cmn"));
/// ```
#[derive(Debug)]
pub struct RuleSet {
    entries: Vec<Entry>,
}

/// What `dechaff rules` shows of one rule file.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RuleSetSummary {
    /// The file's name without `.yaml`: `common` or a language code.
    pub name: String,
    /// Further language codes the file serves (e.g. `nno` for `nob`).
    pub also: Vec<String>,
    /// Number of `drop_lines` rules.
    pub drop_lines: usize,
    /// Number of `cut_after` rules.
    pub cut_after: usize,
    /// Number of `remove_inline` rules.
    pub remove_inline: usize,
    /// Number of phrases, over all concepts.
    pub phrases: usize,
    /// The qualified id of every rule and of every concept the file lists
    /// phrases for (`eng/share-bar`, `tur/share`), in file order: the ids
    /// that [`crate::Removal::rule`] cites.
    pub ids: Vec<String>,
    /// Where the file came from: `built-in` or the user's path.
    pub origin: String,
}

impl RuleSet {
    /// The rule sets embedded in the binary.
    pub fn builtin() -> RuleSet {
        let entries = BUILTIN
            .iter()
            .map(|(name, src)| {
                let label = format!("rules/{name}.yaml");
                let file = schema::parse(&label, src)
                    .expect("built-in rule files are checked by tests/rules.rs");
                Entry::new((*name).to_owned(), label, file)
            })
            .collect();
        RuleSet { entries }
    }

    /// The built-in sets overlaid with every `*.yaml` file in `dir`.
    ///
    /// A file replaces the built-in file of the same name, or, with
    /// `extend: true`, adds its rules to it (a rule with the same id replaces
    /// the built-in one). A new name adds a language.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] if `dir` cannot be read; [`Error::Rules`] listing every
    /// problem of every file if any file is invalid.
    pub fn builtin_with_dir(dir: &Path) -> Result<RuleSet, Error> {
        overlay(dir).map(|(set, _)| set)
    }

    /// Parses, compiles and runs the examples of every rule file in `dir`,
    /// and compiles each `extend: true` file merged with the built-in file
    /// it extends, without keeping the result. Returns how many files were
    /// checked.
    ///
    /// # Errors
    ///
    /// As for [`RuleSet::builtin_with_dir`].
    pub fn check_dir(dir: &Path) -> Result<usize, Error> {
        overlay(dir).map(|(_, n)| n)
    }

    /// Adds one rule file given as YAML source, as `--rules` would.
    ///
    /// # Errors
    ///
    /// [`Error::Rules`] with every problem found, labelled with `label`.
    pub fn add_yaml(&mut self, label: &str, src: &str) -> Result<(), Error> {
        let stem = Path::new(label)
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or(label)
            .to_owned();
        let file = parse_and_compile(label, &stem, src).map_err(Error::Rules)?;
        self.add(label.to_owned(), stem, file).map_err(Error::Rules)
    }

    /// Adds a checked file; the set is unchanged when an `extend: true`
    /// file fails merged with the file it extends.
    fn add(&mut self, label: String, name: String, file: RuleFile) -> Result<(), Vec<RuleProblem>> {
        let found = self.entries.iter().position(|e| e.name == name);
        let entry = match found {
            Some(i) if file.extend => {
                let base = &self.entries[i];
                let mut merged = base.file.clone();
                for rule in &file.rules {
                    merged
                        .rules
                        .retain(|r| !(r.id == rule.id && r.kind == rule.kind));
                    merged.rules.push(rule.clone());
                }
                merged.also.extend(file.also.iter().cloned());
                phrase::merge_phrases(&mut merged, file.phrases.clone(), file.keep.clone());
                merge_score(&mut merged.score, file.score.clone());
                // Checked now, not on the first page: rules that pass alone
                // can fail together (their drop sets outgrow the size
                // limit), and a lazy compilation cannot report that.
                compile::compile(&label, &name, &merged)
                    .map_err(|p| locate_merged(p, &label, &file, &base.label))?;
                Entry::new(name, label, merged)
            }
            _ => Entry::new(name, label, file),
        };
        if let Some(i) = found {
            self.entries.remove(i);
        }
        // Language files hold common's phrases: a new common means they
        // compile again.
        if entry.name == COMMON {
            for e in &mut self.entries {
                e.compiled = OnceLock::new();
                e.score = OnceLock::new();
            }
        }
        self.entries.push(entry);
        Ok(())
    }

    /// One line per rule file, sorted by name.
    pub fn summaries(&self) -> Vec<RuleSetSummary> {
        let mut out: Vec<_> = self
            .entries
            .iter()
            .map(|e| {
                let count = |k: Kind| e.file.rules.iter().filter(|r| r.kind == k).count();
                RuleSetSummary {
                    name: e.name.clone(),
                    also: e.file.also.clone(),
                    drop_lines: count(Kind::DropLines),
                    cut_after: count(Kind::CutAfter),
                    remove_inline: count(Kind::RemoveInline),
                    phrases: e.file.phrases.iter().map(|l| l.phrases.len()).sum(),
                    ids: summary_ids(&e.name, &e.file),
                    origin: if e.label.starts_with("rules/")
                        && BUILTIN.iter().any(|(n, _)| *n == e.name)
                    {
                        "built-in".to_owned()
                    } else {
                        e.label.clone()
                    },
                }
            })
            .collect();
        out.sort_by(|a, b| a.name.cmp(&b.name));
        out
    }

    /// Whether a language-specific file serves `code`.
    pub fn has_language(&self, code: &str) -> bool {
        self.language(code).is_some()
    }

    fn entry(&self, name: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.name == name)
    }

    fn language(&self, code: &str) -> Option<&Entry> {
        if code == COMMON {
            return None;
        }
        let serving = |code: &str| {
            self.entry(code).or_else(|| {
                self.entries
                    .iter()
                    .find(|e| e.file.also.iter().any(|a| a == code))
            })
        };
        // A language without a file of its own gets a close sibling's
        // (Danish: Bokmål's) rather than none.
        serving(code).or_else(|| crate::detect::family(code).find_map(serving))
    }

    /// The layers that apply to a page in `code` (common first), the name of
    /// the language file used, and the merged scoring parameters.
    pub(crate) fn layers(&self, code: Option<&str>) -> Layers<'_> {
        let common = self.entry(COMMON);
        let lang = code.and_then(|c| self.language(c));
        let mut files = Vec::with_capacity(2);
        if let Some(c) = common {
            files.push(c.compiled(None));
        }
        match (lang, common) {
            (Some(l), _) => files.push(l.compiled(common)),
            (None, Some(c)) => files.push(c.common_phrases()),
            (None, None) => {}
        }
        let score = match lang.or(common) {
            Some(entry) => entry.score.get_or_init(|| {
                let mut score = common.map(|c| c.file.score.clone()).unwrap_or_default();
                if let Some(l) = lang {
                    merge_score(&mut score, l.file.score.clone());
                }
                ScoreParams::from_spec(&score)
            }),
            None => default_params(),
        };
        Layers {
            files,
            name: lang.map_or(COMMON, |l| l.name.as_str()),
            score,
        }
    }
}

/// The parameters of a rule set with neither `common` nor the language.
fn default_params() -> &'static ScoreParams {
    static DEFAULT: OnceLock<ScoreParams> = OnceLock::new();
    DEFAULT.get_or_init(|| ScoreParams::from_spec(&schema::ScoreSpec::default()))
}

/// The compiled rules and parameters that clean one page.
pub(crate) struct Layers<'a> {
    pub files: Vec<&'a CompiledFile>,
    pub name: &'a str,
    pub score: &'a ScoreParams,
}

fn merge_score(base: &mut schema::ScoreSpec, over: schema::ScoreSpec) {
    macro_rules! take {
        ($($f:ident),*) => { $( if over.$f.is_some() { base.$f = over.$f; } )* };
    }
    take!(
        good_chars,
        short_chars,
        title_min_chars,
        stopword_density,
        stopwords,
        sentence_end,
        data_weight,
        short_cost,
        title_cost,
        switch_cost,
        boundary_cost
    );
}

/// The built-in sets overlaid with the files of `dir`, and how many files
/// there were; every problem of every file, merged ones included, at once.
fn overlay(dir: &Path) -> Result<(RuleSet, usize), Error> {
    let files = load_dir(dir)?;
    let count = files.len();
    let mut set = RuleSet::builtin();
    let mut problems = Vec::new();
    for (label, name, file) in files {
        if let Err(p) = set.add(label, name, file) {
            problems.extend(p);
        }
    }
    if problems.is_empty() {
        Ok((set, count))
    } else {
        Err(Error::Rules(problems))
    }
}

/// Pins each problem of a merged file to a file the user can fix: a rule's
/// own problem to the file that defines the rule; a problem of the merge as
/// a whole (the drop sets too large together) to the extending file, at its
/// first drop rule, naming the file it extends.
fn locate_merged(
    problems: Vec<RuleProblem>,
    label: &str,
    file: &RuleFile,
    base_label: &str,
) -> Vec<RuleProblem> {
    let first_drop = file
        .rules
        .iter()
        .find(|r| r.kind == Kind::DropLines)
        .or(file.rules.first())
        .map(|r| r.pos)
        .unwrap_or_default();
    problems
        .into_iter()
        .map(|mut p| {
            match &p.rule {
                Some(id) if !file.rules.iter().any(|r| &r.id == id) => {
                    base_label.clone_into(&mut p.file);
                }
                Some(_) => label.clone_into(&mut p.file),
                None => {
                    label.clone_into(&mut p.file);
                    (p.line, p.col) = (first_drop.line, first_drop.col);
                    p.message = format!(
                        "merged with {base_label} (\"extend: true\"): {}; \
                         use fewer or simpler drop_lines rules",
                        p.message
                    );
                }
            }
            p
        })
        .collect()
}

fn parse_and_compile(label: &str, stem: &str, src: &str) -> Result<RuleFile, Vec<RuleProblem>> {
    let (file, mut problems) = schema::parse_partial(label, src);
    let Some(file) = file else {
        return Err(problems);
    };
    if let Err(more) = compile::compile(label, stem, &file) {
        problems.extend(more);
    }
    if !file.lang.is_empty() && file.lang != stem {
        problems.push(RuleProblem {
            file: label.to_owned(),
            line: 1,
            col: 1,
            rule: None,
            message: format!(
                "\"lang: {}\" does not match the file name; name the file {}.yaml",
                file.lang, file.lang
            ),
        });
    }
    if problems.is_empty() {
        Ok(file)
    } else {
        problems.sort_by_key(|p| (p.line, p.col));
        Err(problems)
    }
}

/// A problem with a whole file of a rules directory.
fn file_problem(path: &Path, message: String) -> RuleProblem {
    RuleProblem {
        file: path.display().to_string(),
        line: 0,
        col: 0,
        rule: None,
        message,
    }
}

/// The `*.yaml` and `*.yml` paths of `dir`, sorted. Every such name is
/// meant as a rule file, so one that cannot be read as a file (a dangling
/// or looping link, a directory), or a second file for the same set
/// (`eng.yaml` beside `eng.yml`, where one would silently win), is a
/// problem rather than skipped.
fn rule_paths(
    dir: &Path,
    problems: &mut Vec<RuleProblem>,
) -> Result<Vec<std::path::PathBuf>, Error> {
    let read = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
    let mut paths = Vec::new();
    for entry in read {
        let path = entry.map_err(|e| Error::io(dir, e))?.path();
        let is_yaml = matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("yaml" | "yml")
        );
        if is_yaml {
            paths.push(path);
        }
    }
    paths.sort();
    let mut kept: Vec<std::path::PathBuf> = Vec::with_capacity(paths.len());
    for path in paths {
        match std::fs::metadata(&path) {
            Err(e) => {
                problems.push(file_problem(&path, format!("cannot read rule file: {e}")));
                continue;
            }
            Ok(m) if m.is_dir() => {
                let message = "is a directory, not a rule file; rename it".to_owned();
                problems.push(file_problem(&path, message));
                continue;
            }
            Ok(m) if !m.is_file() => {
                let message = "not a regular file; a rule file must be one".to_owned();
                problems.push(file_problem(&path, message));
                continue;
            }
            Ok(_) => {}
        }
        let twin = kept.iter().find(|k| k.file_stem() == path.file_stem());
        if let Some(twin) = twin {
            let message = format!(
                "\"{}\" defines the same rule set; keep one of the two files",
                twin.display()
            );
            problems.push(file_problem(&path, message));
            continue;
        }
        kept.push(path);
    }
    Ok(kept)
}

/// At most one byte more than a rule file may hold: enough to tell that a
/// file is too large without reading it all.
fn read_capped(path: &Path) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let mut bytes = Vec::new();
    std::fs::File::open(path)?
        .take(schema::MAX_RULE_FILE_BYTES as u64 + 1)
        .read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// Reads, parses and compiles every rule file in `dir`, collecting every
/// problem of every file before failing.
fn load_dir(dir: &Path) -> Result<Vec<(String, String, RuleFile)>, Error> {
    let mut problems = Vec::new();
    let paths = rule_paths(dir, &mut problems)?;
    let mut files = Vec::new();
    for path in paths {
        let label = path.display().to_string();
        let bytes = read_capped(&path).map_err(|e| Error::io(&path, e))?;
        if bytes.len() > schema::MAX_RULE_FILE_BYTES {
            // Refused before it is read whole: a rules directory can hold
            // anything, a huge file included.
            problems.push(RuleProblem {
                file: label,
                line: 0,
                col: 0,
                rule: None,
                message: format!("file is larger than {} bytes", schema::MAX_RULE_FILE_BYTES),
            });
            continue;
        }
        let Ok(src) = String::from_utf8(bytes) else {
            problems.push(RuleProblem {
                file: label,
                line: 0,
                col: 0,
                rule: None,
                message: "not valid UTF-8: save rule files as UTF-8".into(),
            });
            continue;
        };
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_owned();
        if stem == phrase::CONCEPTS_STEM {
            // The concept file is checked, never loaded: concepts are the
            // built-in ones, shared by every language.
            if let Err(p) = schema::parse_concepts(&label, &src) {
                problems.extend(p);
            }
            continue;
        }
        match parse_and_compile(&label, &stem, &src) {
            Ok(file) => files.push((label, stem, file)),
            Err(p) => problems.extend(p),
        }
    }
    if problems.is_empty() {
        Ok(files)
    } else {
        Err(Error::Rules(problems))
    }
}

/// Rule ids, then concept ids (a concept listed twice counts once).
fn summary_ids(name: &str, file: &RuleFile) -> Vec<String> {
    let mut ids: Vec<String> = file
        .rules
        .iter()
        .map(|r| format!("{name}/{}", r.id))
        .collect();
    for list in &file.phrases {
        let id = format!("{name}/{}", list.concept);
        if !list.phrases.is_empty() && !ids.contains(&id) {
            ids.push(id);
        }
    }
    ids
}
