//! The bodies of dechaff's fuzz targets and the invariants they check.
//!
//! Each `fuzz_targets/<name>.rs` calls the function of the same name here;
//! `tests/fuzz_replay.rs` includes this file with `#[path]` and feeds every
//! committed corpus and regression input through the same functions on the
//! stable toolchain, and `tests/properties.rs` reuses [`check`]. So this
//! file depends on nothing but `dechaff`, `serde_json` and `std`.
//!
//! A body panics exactly when dechaff panics or breaks an invariant; a
//! rule file that fails to load is a normal outcome, not a finding.

use std::sync::OnceLock;

use dechaff::{Action, Cleaned, Cleaner, Options, RuleSet};

/// Decodes and cleans arbitrary bytes with the built-in rules, tracing
/// every line, and checks the result.
pub fn clean_bytes(data: &[u8]) {
    static CLEANER: OnceLock<Cleaner> = OnceLock::new();
    let cleaner = CLEANER.get_or_init(|| tracing_cleaner(None, None));
    check(&cleaner.clean_bytes(data), Input::Bytes(data));
}

/// The (language, encoding) pairs the first input byte of
/// [`clean_options`] picks from. No language means detection, no encoding
/// means guessing; `ita` has no rule set (so `common`), `nno` is served by
/// `nob`'s `also`, and `iso-2022-kr` is the Encoding Standard's
/// "replacement" encoding. Few pairs detect the language, since a cleaner
/// that detects may compile every rule set (about 200 MB).
pub const COMBOS: [(Option<&str>, Option<&str>); 16] = [
    (None, Some("gbk")),
    (None, Some("utf-16le")),
    (None, Some("windows-1251")),
    (Some("common"), None),
    (Some("eng"), None),
    (Some("cmn"), None),
    (Some("jpn"), None),
    (Some("vie"), None),
    (Some("ita"), None),
    (Some("nno"), None),
    (Some("cmn"), Some("big5")),
    (Some("jpn"), Some("shift_jis")),
    (Some("common"), Some("utf-16be")),
    (Some("common"), Some("iso-2022-kr")),
    (Some("eng"), Some("utf-8")),
    (Some("kor"), Some("euc-kr")),
];

/// The first byte picks a pair of [`COMBOS`] (its low four bits); the rest
/// is the page.
pub fn clean_options(data: &[u8]) {
    static CLEANERS: [OnceLock<Cleaner>; COMBOS.len()] = [const { OnceLock::new() }; COMBOS.len()];
    let Some((&first, page)) = data.split_first() else {
        return;
    };
    let pick = usize::from(first) % COMBOS.len();
    let (lang, encoding) = COMBOS[pick];
    let cleaner = CLEANERS[pick].get_or_init(|| tracing_cleaner(lang, encoding));
    let cleaned = cleaner.clean_bytes(page);
    if let Some(code) = lang {
        // A given language is used as is: its own set, or its family's.
        let expected = match code {
            "nno" => "nob",
            other => other,
        };
        assert_eq!(cleaned.lang, expected, "forced language not used");
    }
    // Under a forced legacy encoding, UTF-8 input is not decoded as is.
    let input = match encoding {
        None | Some("utf-8") => Input::Bytes(page),
        Some(_) => Input::Forced(page),
    };
    check(&cleaned, input);
}

/// A small page in several scripts with clutter of every kind, cleaned by
/// each rule file that [`rules_yaml`] manages to load.
pub const PAGE: &str = "Home\nNews\nSport\n\n\
    The council approved the new budget on Monday after a long debate about school funding, \
    road repairs and the cost of the new library.\n\
    Share\nAdvertisement\n\
    Photo: NTB\n\
    城市公园改造工程于本周正式完工，新增了步行道、儿童游乐区和大片绿地，附近居民纷纷前来参观。\n\
    關(guān)系\n\
    Новое здание городской библиотеки открылось на этой неделе, и уже в первый день его посетили сотни жителей.\n\
    2024-05-01 12:30\n\
    Related stories\n\
    相关新闻\n\
    Station closes for repairs\n\
    © 2024 Example Media\n";

/// Loads arbitrary bytes (as lossy UTF-8) as a user rule file on top of the
/// built-in rules. Loading must return `Ok` or `Err`, never panic or hang;
/// an `Err` must display. A file that loads then cleans [`PAGE`].
pub fn rules_yaml(data: &[u8]) {
    let src = String::from_utf8_lossy(data);
    let lang = declared_lang(&src);
    let mut rules = RuleSet::builtin();
    if let Err(e) = rules.add_yaml(&format!("fuzz/{lang}.yaml"), &src) {
        assert!(!e.to_string().is_empty(), "an error says something");
        return;
    }
    let options = Options {
        lang: Some(lang.to_owned()),
        trace: true,
        ..Options::default()
    };
    let cleaner = Cleaner::new(rules, options).expect("a loaded rule file's language is known");
    check(&cleaner.clean(PAGE), Input::Text(PAGE));
}

/// The value of the file's `lang:` line, so that seeds of any language
/// load under a matching file name; `eng` when there is none usable.
fn declared_lang(src: &str) -> &str {
    src.lines()
        .find_map(|l| l.strip_prefix("lang:"))
        .map(|v| v.trim().trim_matches(|c| c == '\'' || c == '"'))
        .filter(|v| {
            (1..=12).contains(&v.len())
                && v.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        })
        .unwrap_or("eng")
}

fn tracing_cleaner(lang: Option<&str>, encoding: Option<&str>) -> Cleaner {
    let options = Options {
        lang: lang.map(str::to_owned),
        encoding: encoding.map(str::to_owned),
        trace: true,
        ..Options::default()
    };
    Cleaner::new(RuleSet::builtin(), options).expect("the fuzz options are valid")
}

/// What was cleaned, for [`check`]: text compares line by line; bytes
/// compare line by line when they are UTF-8 (and then decode as is), and
/// by size otherwise.
#[derive(Debug, Clone, Copy)]
pub enum Input<'a> {
    /// Given to [`Cleaner::clean`].
    Text(&'a str),
    /// Given to [`Cleaner::clean_bytes`] with no encoding forced, or UTF-8.
    Bytes(&'a [u8]),
    /// Given to [`Cleaner::clean_bytes`] with a legacy encoding forced.
    Forced(&'a [u8]),
}

/// Checks every invariant of a cleaned page against its input, panicking
/// with the broken one. `cleaned` must come from a cleaner with `trace`.
///
/// 1. Shape: the text is blocks joined by one blank line, with a final
///    newline; each block is one normalised line (no control or invisible
///    characters, no edge or doubled whitespace).
/// 2. Size: the text has no more visible characters than the input; in all
///    characters, it is longer than the input by at most one per block (the
///    renderer puts a blank line between blocks the input may have written
///    on consecutive lines, and ends with a newline).
/// 3. JSON: the serialised result parses back with the same text, removals
///    and trace.
/// 4. Trace: one entry per input line (for text input); each entry's text
///    has the input line's visible characters; the kept entries are the
///    blocks, in order, each equal to its line or, where inline removals or
///    a cut took spans of it, the line less exactly those spans; every other
///    non-blank line's last removal names the action and rule of its trace.
pub fn check(cleaned: &Cleaned, input: Input<'_>) {
    let text_input = match input {
        Input::Text(t) => Some(t),
        // Valid UTF-8 decodes as is (a UTF-8 BOM goes, as normalisation
        // would), unless its zero bytes make it UTF-16.
        Input::Bytes(b) if cleaned.encoding == "UTF-8" => std::str::from_utf8(b).ok(),
        Input::Bytes(_) | Input::Forced(_) => None,
    };
    let blocks = check_shape(&cleaned.text);
    check_size(cleaned, &blocks, input, text_input);
    check_json(cleaned);
    check_trace(cleaned, &blocks, text_input);
}

fn check_shape(text: &str) -> Vec<&str> {
    if text.is_empty() {
        return Vec::new();
    }
    let body = text
        .strip_suffix('\n')
        .expect("non-empty text ends with a newline");
    let blocks: Vec<&str> = body.split("\n\n").collect();
    for block in &blocks {
        assert!(
            !block.is_empty() && !block.contains('\n'),
            "block is one line: {text:?}"
        );
        assert_normalised(block);
    }
    blocks
}

/// A normalised line: no control or invisible characters, no whitespace
/// at either end, no two whitespace characters in a row.
pub fn assert_normalised(line: &str) {
    assert!(
        !line.chars().any(|c| c.is_control() || invisible(c)),
        "control or invisible character in {line:?}"
    );
    assert!(
        !line.starts_with(char::is_whitespace) && !line.ends_with(char::is_whitespace),
        "edge whitespace in {line:?}"
    );
    let mut prev_space = false;
    for c in line.chars() {
        assert!(
            !(prev_space && c.is_whitespace()),
            "whitespace run in {line:?}"
        );
        prev_space = c.is_whitespace();
    }
}

/// Characters normalisation removes besides whitespace and controls.
pub fn invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200B}' | '\u{2060}' | '\u{FEFF}' | '\u{AD}' | '\u{180E}'
    )
}

/// Characters that survive normalisation as they are.
pub fn visible(c: char) -> bool {
    !c.is_whitespace() && !c.is_control() && !invisible(c)
}

fn check_size(cleaned: &Cleaned, blocks: &[&str], input: Input<'_>, text: Option<&str>) {
    let out_visible = cleaned.text.chars().filter(|&c| visible(c)).count();
    let out_chars = cleaned.text.chars().count();
    // Decoding never makes more characters than bytes.
    let (in_visible, in_chars) = match (text, input) {
        (Some(t), _) => (t.chars().filter(|&c| visible(c)).count(), t.chars().count()),
        (None, Input::Bytes(b) | Input::Forced(b)) => (b.len(), b.len()),
        (None, Input::Text(_)) => unreachable!("text input is text"),
    };
    assert!(
        out_visible <= in_visible,
        "output has more visible characters than the input"
    );
    assert!(
        out_chars <= in_chars + blocks.len(),
        "output longer than input plus one newline per block"
    );
    match input {
        Input::Text(_) => assert_eq!(cleaned.replaced_bytes, 0, "text needs no decoding"),
        Input::Bytes(b) | Input::Forced(b) => {
            assert!(
                cleaned.replaced_bytes <= b.len(),
                "more replacements than bytes"
            )
        }
    }
    assert!(!cleaned.lang.is_empty() && !cleaned.encoding.is_empty());
    assert!(
        (0.0..=1.0).contains(&cleaned.lang_confidence),
        "confidence out of range"
    );
}

fn check_json(cleaned: &Cleaned) {
    let json = serde_json::to_string(cleaned).expect("a Cleaned serialises");
    let value: serde_json::Value = serde_json::from_str(&json).expect("serialised JSON parses");
    assert_eq!(
        value["text"].as_str(),
        Some(cleaned.text.as_str()),
        "JSON text"
    );
    let removed = value["removed"].as_array().expect("removed is an array");
    assert_eq!(removed.len(), cleaned.removed.len(), "JSON removals");
    for (r, v) in cleaned.removed.iter().zip(removed) {
        assert_eq!(v["text"].as_str(), Some(r.text), "JSON removal text");
        assert_eq!(
            v["action"].as_str(),
            Some(r.action.name()),
            "JSON removal action"
        );
    }
    let lines = value
        .get("lines")
        .and_then(|l| l.as_array())
        .map_or(0, Vec::len);
    assert_eq!(lines, cleaned.lines.len(), "JSON trace");
}

fn check_trace(cleaned: &Cleaned, blocks: &[&str], text: Option<&str>) {
    let lines = &cleaned.lines;
    if let Some(t) = text {
        let input_lines = split_lines(t);
        assert_eq!(
            lines.len(),
            input_lines.len(),
            "one trace entry per input line"
        );
        for (trace, line) in lines.iter().zip(&input_lines) {
            assert!(
                trace
                    .text
                    .chars()
                    .filter(|&c| visible(c))
                    .eq(line.chars().filter(|&c| visible(c))),
                "line {}: normalisation changed visible text: {line:?} -> {:?}",
                trace.line,
                trace.text
            );
        }
    }
    let mut last_line = 0;
    for r in &cleaned.removed {
        assert!(
            r.line >= last_line.max(1) && r.line <= lines.len(),
            "removal line {} out of order or range",
            r.line
        );
        last_line = r.line;
        assert!(
            !r.text.is_empty(),
            "line {}: removal of nothing by {}",
            r.line,
            r.rule
        );
    }
    for (i, trace) in lines.iter().enumerate() {
        assert_eq!(trace.line, i + 1, "trace numbering");
        assert!(!trace.text.contains('\n'));
        assert_normalised(&trace.text);
    }
    let kept: Vec<_> = lines.iter().filter(|l| l.kept).collect();
    assert_eq!(
        kept.len(),
        blocks.len(),
        "kept trace lines are the output blocks"
    );
    for (trace, block) in kept.iter().zip(blocks) {
        assert!(
            trace.action.is_none() && trace.rule.is_none(),
            "kept line {} has a rule",
            trace.line
        );
        check_spans(trace.line, &trace.text, block, cleaned);
    }
    for trace in lines.iter().filter(|l| !l.kept) {
        let own: Vec<_> = cleaned
            .removed
            .iter()
            .filter(|r| r.line == trace.line)
            .collect();
        if trace.text.is_empty() {
            assert!(
                trace.action.is_none() && own.is_empty(),
                "blank line {} removed",
                trace.line
            );
            continue;
        }
        let last = own
            .last()
            .unwrap_or_else(|| panic!("line {} dropped without a removal", trace.line));
        let action = trace
            .action
            .unwrap_or_else(|| panic!("line {} neither kept nor removed", trace.line));
        assert_eq!(
            (last.action, Some(last.rule)),
            (action, trace.rule.as_deref()),
            "line {}",
            trace.line
        );
        if own.len() == 1 {
            assert_eq!(last.text, trace.text, "line {}: removal text", trace.line);
        }
    }
    // Every other removal is a span taken from a line: what inline rules
    // removed, or the tail a cut marker took from the line it stands in.
    for (k, r) in cleaned.removed.iter().enumerate() {
        let last_of_line = cleaned
            .removed
            .get(k + 1)
            .is_none_or(|next| next.line != r.line);
        let dropped = lines
            .get(r.line - 1)
            .is_some_and(|l| !l.kept && !l.text.is_empty());
        if !(last_of_line && dropped) {
            assert!(
                matches!(r.action, Action::RemoveInline | Action::CutAfter),
                "line {}: removal {:?} accounts for no line",
                r.line,
                r.rule
            );
        }
    }
}

/// `block` is `line` less the spans that inline removals and a cut took
/// from it: the block's non-whitespace characters are a subsequence of the
/// line's, and exactly the removed spans' ones are missing.
fn check_spans(n: usize, line: &str, block: &str, cleaned: &Cleaned) {
    let spans: Vec<&str> = cleaned
        .removed
        .iter()
        .filter(|r| r.line == n && matches!(r.action, Action::RemoveInline | Action::CutAfter))
        .map(|r| r.text)
        .collect();
    if spans.is_empty() {
        assert_eq!(block, line, "kept line {n} changed without a removal");
        return;
    }
    let solid = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<Vec<_>>();
    let (b, l) = (solid(block), solid(line));
    assert!(
        is_subsequence(&b, &l),
        "line {n}: {block:?} is not taken from {line:?}"
    );
    let removed: usize = spans.iter().map(|s| solid(s).len()).sum();
    assert_eq!(
        b.len() + removed,
        l.len(),
        "line {n}: {line:?} -> {block:?} minus {spans:?}"
    );
}

fn is_subsequence(needle: &[char], hay: &[char]) -> bool {
    let mut hay = hay.iter();
    needle.iter().all(|c| hay.any(|h| h == c))
}

/// The lines of `text` as dechaff counts them: `\r\n`, `\r`, `\n`, U+0085,
/// U+2028 and U+2029 end a line; a final line ending ends the last line
/// rather than starting another, and an unterminated last line holding
/// nothing visible is no line (normalisation leaves nothing of it).
pub fn split_lines(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if matches!(c, '\n' | '\r' | '\u{85}' | '\u{2028}' | '\u{2029}') {
            out.push(&text[start..i]);
            let mut end = i + c.len_utf8();
            if c == '\r' && chars.peek().is_some_and(|&(_, n)| n == '\n') {
                chars.next();
                end += 1;
            }
            start = end;
        }
    }
    let tail = &text[start..];
    if tail.chars().any(visible) {
        out.push(tail);
    }
    out
}
