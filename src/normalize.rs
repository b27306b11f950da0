//! Normalisation stage: decoded text -> text with canonical whitespace.
//!
//! Line endings become `\n`; invisible format characters (zero-width
//! space, word joiner, BOM, soft hyphen) and control characters are
//! dropped; runs of spaces, tabs, no-break and other fixed-width spaces
//! collapse to one plain space, and lines are trimmed of them. Nothing else
//! changes: a single no-break space between two words stays, since it binds
//! a name or a number to its unit and is the input's own text; ZWJ and ZWNJ
//! stay, since they change how Persian, Indic and emoji text renders.

/// Normalises `text` (see the module documentation).
pub(crate) fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut line_start = 0;
    // The space run waiting to be written: none, or its first character and
    // whether more followed.
    let mut pending: Option<(char, bool)> = None;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match classify(c) {
            Class::Newline => {
                if c == '\r' && chars.peek() == Some(&'\n') {
                    chars.next();
                }
                pending = None;
                out.push('\n');
                line_start = out.len();
            }
            Class::Space if out.len() > line_start => {
                pending = Some(pending.map_or((c, false), |(first, _)| (first, true)));
            }
            Class::Space => {}
            Class::Drop => {}
            Class::Keep => {
                match pending.take() {
                    Some((nb @ ('\u{A0}' | '\u{202F}'), false)) => out.push(nb),
                    Some(_) => out.push(' '),
                    None => {}
                }
                out.push(c);
            }
        }
    }
    out
}

enum Class {
    Newline,
    Space,
    Drop,
    Keep,
}

fn classify(c: char) -> Class {
    match c {
        '\n' | '\r' | '\u{2028}' | '\u{2029}' | '\u{85}' => Class::Newline,
        ' '
        | '\t'
        | '\u{0B}'
        | '\u{0C}'
        | '\u{A0}'
        | '\u{1680}'
        | '\u{2000}'..='\u{200A}'
        | '\u{202F}'
        | '\u{205F}'
        | '\u{3000}' => Class::Space,
        '\u{200B}' | '\u{2060}' | '\u{FEFF}' | '\u{AD}' | '\u{180E}' => Class::Drop,
        c if c.is_control() => Class::Drop,
        _ => Class::Keep,
    }
}

/// `text` with runs of spaces as one space and no space at either end.
pub(crate) fn collapse_spaces(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::normalize;

    #[test]
    fn line_endings() {
        assert_eq!(normalize("a\r\nb\rc\n"), "a\nb\nc\n");
    }

    #[test]
    fn spaces_collapse_and_lines_trim() {
        assert_eq!(normalize("  a \u{A0}\t b  \n\u{3000}c\u{A0}"), "a b\nc");
        assert_eq!(normalize("Kim\u{A0}Yong"), "Kim\u{A0}Yong");
    }

    #[test]
    fn invisible_characters_go_but_joiners_stay() {
        assert_eq!(normalize("a\u{200B}b\u{FEFF}c\u{7}d"), "abcd");
        assert_eq!(normalize("\u{200C}x\u{200D}"), "\u{200C}x\u{200D}");
    }
}
