//! What dechaff knows about scripts, independent of any language: which
//! characters end a sentence or a clause, which scripts write words
//! without spaces, and how long a line is in characters that count.
//!
//! The judgement reads lines through this module, so a page in a language
//! with no rule file is measured as well as one with a file: Hindi ends
//! sentences with "।", Urdu with "۔", Amharic with "።", Burmese with "။",
//! Armenian with "։", and Thai marks phrases with spaces alone.

/// Sentence terminals: Unicode's `Sentence_Terminal` property (UCD 15.1,
/// `PropList.txt`) for the scripts of the web, plus the ellipsis and the
/// Khmer and Tibetan signs that `Terminal_Punctuation` lists and pages use
/// the same way. Sorted, for a binary search.
const TERMINALS: &[char] = &[
    '!', '.', '?', '\u{037E}', '\u{0589}', '\u{061D}', '\u{061E}', '\u{061F}', '\u{06D4}',
    '\u{0700}', '\u{0701}', '\u{0702}', '\u{07F9}', '\u{0964}', '\u{0965}', '\u{0F08}', '\u{0F0D}',
    '\u{0F0E}', '\u{104A}', '\u{104B}', '\u{1362}', '\u{1367}', '\u{1368}', '\u{166E}', '\u{17D4}',
    '\u{17D5}', '\u{1803}', '\u{1809}', '\u{1944}', '\u{1945}', '\u{2026}', '\u{203C}', '\u{203D}',
    '\u{2047}', '\u{2048}', '\u{2049}', '\u{2E2E}', '\u{2E3C}', '\u{3002}', '\u{A4FF}', '\u{A60E}',
    '\u{A60F}', '\u{A6F3}', '\u{A6F7}', '\u{FE52}', '\u{FE56}', '\u{FE57}', '\u{FF01}', '\u{FF0E}',
    '\u{FF1F}', '\u{FF61}',
];

/// Marks inside a sentence: commas and semicolons of the scripts that have
/// their own ("،" Arabic, "、" and "，" CJK, "፣" Ethiopic). Not colons:
/// "Label: value" is how metadata lines are printed.
const CLAUSE_MARKS: &[char] = &[
    ',', ';', '\u{060C}', '\u{061B}', '\u{1363}', '\u{1364}', '\u{3001}', '\u{FF0C}', '\u{FF1B}',
];

/// Whether `c` ends a sentence in some script.
pub(crate) fn is_terminal(c: char) -> bool {
    TERMINALS.binary_search(&c).is_ok()
}

/// Whether `c` is a currency sign (Unicode's Sc category, 14.0).
pub(crate) fn is_currency(c: char) -> bool {
    matches!(c as u32,
        0x24 | 0xA2..=0xA5 | 0x58F | 0x60B | 0x7FE..=0x7FF | 0x9F2..=0x9F3 | 0x9FB | 0xAF1
        | 0xBF9 | 0xE3F | 0x17DB | 0x20A0..=0x20C0 | 0xA838 | 0xFDFC | 0xFE69 | 0xFF04
        | 0xFFE0..=0xFFE1 | 0xFFE5..=0xFFE6 | 0x11FDD..=0x11FE0 | 0x1E2FF | 0x1ECB0)
}

/// Whether `c` ends a sentence or separates its clauses.
pub(crate) fn is_punctuation(c: char) -> bool {
    is_terminal(c) || CLAUSE_MARKS.contains(&c)
}

/// Han, kana and Hangul: scripts where one character carries about as
/// much as a short word.
pub(crate) fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF
        | 0xAC00..=0xD7AF | 0x20000..=0x3FFFF)
}

/// Thai, Lao, Khmer and Myanmar: words run together and spaces separate
/// phrases or sentences, so a space there is what a comma is elsewhere.
pub(crate) fn is_phrase_spaced(c: char) -> bool {
    matches!(c as u32, 0x0E00..=0x0EFF | 0x1000..=0x109F | 0x1780..=0x17FF)
}

/// Combining marks of the scripts above and of Latin: vowel signs and tone
/// marks written as separate code points, which do not make a line longer
/// to a reader.
fn is_mark(c: char) -> bool {
    matches!(c as u32,
        0x0300..=0x036F | 0x0E31 | 0x0E34..=0x0E3A | 0x0E47..=0x0E4E | 0x0EB1
        | 0x0EB4..=0x0EBC | 0x0EC8..=0x0ECE | 0x102B..=0x103E | 0x17B4..=0x17D3)
}

/// Whether `c` is a letter (`char::is_alphabetic`), answered without the
/// Unicode tables for the letters of the commonest scripts: the table
/// search was a tenth of the judgement's time on CJK pages.
pub(crate) fn is_letter(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphabetic();
    }
    match c as u32 {
        0x4E00..=0x9FFF | 0x3400..=0x4DBF | 0xAC00..=0xD7A3 | 0x3041..=0x3096 | 0x30A1..=0x30FA => {
            true
        }
        // Latin letters with diacritics, basic Cyrillic, Greek, Hebrew,
        // Arabic and Devanagari letters.
        0xC0..=0xD6 | 0xD8..=0xF6 | 0xF8..=0x24F | 0x400..=0x481 | 0x48A..=0x52F => true,
        0x391..=0x3A1 | 0x3A3..=0x3A9 | 0x3B1..=0x3C9 | 0x5D0..=0x5EA | 0x621..=0x63A => true,
        0x641..=0x64A | 0x905..=0x939 => true,
        _ => c.is_alphabetic(),
    }
}

/// Whether `c` is numeric (`char::is_numeric`), ASCII first.
pub(crate) fn is_number(c: char) -> bool {
    match c as u32 {
        0..=0x7F => c.is_ascii_digit(),
        // Below the Arabic-Indic digits only ² ³ ¹ ¼ ½ ¾ are numbers.
        0x80..=0x65F => matches!(c, '²' | '³' | '¹' | '¼' | '½' | '¾'),
        _ => !is_cjk(c) && c.is_numeric(),
    }
}

/// Whether `c` is a letter or a number (`char::is_alphanumeric`), by the
/// fast paths of [`is_letter`] and [`is_number`].
pub(crate) fn is_alphanumeric(c: char) -> bool {
    is_letter(c) || is_number(c)
}

/// Whether `text` holds a number of any script ([`is_number`]).
pub(crate) fn has_digit(text: &str) -> bool {
    text.bytes().any(|b| b.is_ascii_digit()) || (!text.is_ascii() && text.chars().any(is_number))
}

/// What a line is made of, measured in one pass.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Measure {
    /// Characters that count: not spaces, not combining marks.
    pub chars: usize,
    pub cjk: usize,
    /// Hangul syllables (a subset of `cjk`).
    pub hangul: usize,
    pub letters: usize,
    /// Decimal digits of any script (Devanagari ०-९, Arabic-Indic ٠-٩, ...).
    pub digits: usize,
    /// Clause or sentence punctuation inside the line, or, in a
    /// phrase-spaced script, a space between two of its letters.
    pub punctuation: bool,
    /// Letters of a phrase-spaced script.
    pub phrase_spaced: usize,
}

/// Measures `text`.
pub(crate) fn measure(text: &str) -> Measure {
    let mut m = Measure::default();
    let mut prev_phrase_spaced = false;
    let mut space_after_phrase_spaced = false;
    for c in text.chars() {
        if c.is_ascii() {
            // Most characters of most pages: none of them is a mark, CJK
            // or phrase-spaced.
            if c.is_ascii_whitespace() || c == '\u{b}' {
                space_after_phrase_spaced |= prev_phrase_spaced;
                continue;
            }
            m.chars += 1;
            space_after_phrase_spaced = false;
            prev_phrase_spaced = false;
            if c.is_ascii_alphabetic() {
                m.letters += 1;
            } else if c.is_ascii_digit() {
                m.digits += 1;
            } else if is_punctuation(c) {
                m.punctuation = true;
            }
            continue;
        }
        if c.is_whitespace() {
            space_after_phrase_spaced |= prev_phrase_spaced;
            continue;
        }
        if is_mark(c) {
            continue;
        }
        m.chars += 1;
        let spaced = is_phrase_spaced(c);
        if spaced && space_after_phrase_spaced {
            m.punctuation = true;
        }
        space_after_phrase_spaced = false;
        prev_phrase_spaced = spaced;
        if spaced {
            m.phrase_spaced += 1;
        }
        if is_cjk(c) {
            m.cjk += 1;
            if ('\u{AC00}'..='\u{D7AF}').contains(&c) {
                m.hangul += 1;
            }
        }
        if is_letter(c) {
            m.letters += 1;
        } else if is_number(c) {
            m.digits += 1;
        }
        if is_punctuation(c) {
            m.punctuation = true;
        }
    }
    m
}

/// Default line lengths of the judgement (prose, short, title) for a line
/// measured as `m`, used where neither `common` nor the language's file
/// sets them: a prose line in Chinese or Japanese holds as much as one
/// about 2.7 times as long in Latin script, a Korean one about twice. Taken
/// per line, not per page, so a page judges the same after cleaning,
/// whatever script its removed lines were in.
pub(crate) fn default_lengths(m: &Measure) -> (usize, usize, usize) {
    if m.cjk * 2 <= m.chars {
        (80, 30, 12)
    } else if m.hangul * 2 > m.cjk {
        (40, 14, 8)
    } else {
        (30, 10, 6)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fast_paths_agree_with_the_unicode_tables() {
        for c in (0..=0x3FFFFu32).filter_map(char::from_u32) {
            assert_eq!(is_letter(c), c.is_alphabetic(), "{c:?}");
            assert_eq!(is_number(c), c.is_numeric(), "{c:?}");
            assert_eq!(is_alphanumeric(c), c.is_alphanumeric(), "{c:?}");
        }
    }

    #[test]
    fn currency_signs() {
        for c in ['$', '€', '£', '¥', '₹', '₽', '₺', '฿', '￥', '﷼'] {
            assert!(is_currency(c), "{c}");
        }
        for c in ['%', '#', 'S', '&', '0'] {
            assert!(!is_currency(c), "{c}");
        }
    }

    #[test]
    fn terminals_are_sorted_for_binary_search() {
        assert!(TERMINALS.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn terminals_of_many_scripts() {
        for c in ['.', '।', '۔', '؟', '።', '။', '។', '。', '！', '…', '։'] {
            assert!(is_terminal(c), "{c}");
        }
        for c in [',', 'a', '-', '»'] {
            assert!(!is_terminal(c), "{c}");
        }
    }

    #[test]
    fn thai_spaces_are_punctuation_and_marks_do_not_count() {
        let m = measure("รัฐบาลประกาศแผนใหม่ เพื่อช่วยเหลือเกษตรกร");
        assert!(m.punctuation);
        assert!(m.chars < "รัฐบาลประกาศแผนใหม่เพื่อช่วยเหลือเกษตรกร".chars().count());
        assert!(!measure("รัฐบาลประกาศแผนใหม่").punctuation);
    }

    #[test]
    fn digits_of_any_script() {
        assert_eq!(measure("२०२५ ٢٠٢٥ 2025").digits, 12);
    }
}
