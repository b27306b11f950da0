//! The removal list of one page, stored compactly.
//!
//! A page of a million one-character lines removes a million lines: one
//! owned `String` for the text and another for the rule id per removal
//! cost over a hundred bytes each, fifty times the page. Here the removed
//! texts share one buffer, the rule ids are interned, and a removal is a
//! fixed-size record; [`Removal`] is a borrowed view of one.

use serde::ser::{Serialize, SerializeSeq, Serializer};

use crate::segment::Action;

/// One removed line or inline span, borrowed from [`Removals`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Removal<'a> {
    /// 1-based line number in the input (after line-ending normalisation).
    pub line: usize,
    /// What removed it.
    #[serde(serialize_with = "action_name")]
    pub action: Action,
    /// The qualified id of the rule or judgement: `cmn/related-news`,
    /// `common/duplicate-caption`, `score/outside-body`.
    pub rule: &'a str,
    /// The removed text: the whole line, or the span for inline removals.
    pub text: &'a str,
}

fn action_name<S: Serializer>(a: &Action, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(a.name())
}

/// Every removal of a page, in line order (a line's inline spans before
/// the line itself). Iterate it to read them:
///
/// ```
/// let cleaned = dechaff::Cleaner::builtin().clean("Menu\n");
/// for r in cleaned.removed.iter() {
///     println!("{} {} {}", r.line, r.rule, r.text);
/// }
/// ```
#[derive(Debug, Clone, Default)]
pub struct Removals {
    /// The removed texts, one after another.
    texts: String,
    /// Interned rule ids; few per page.
    rules: Vec<Box<str>>,
    items: Vec<Item>,
}

#[derive(Debug, Clone, Copy)]
struct Item {
    line: usize,
    start: usize,
    len: u32,
    rule: u16,
    action: Action,
}

impl Removals {
    /// Adds a removal. Texts past 4 GiB cannot occur in one line of a
    /// page dechaff accepts; they are cut at a character boundary rather
    /// than panicking.
    pub(crate) fn push(&mut self, line: usize, action: Action, rule: &str, text: &str) {
        let rule = match self.rules.iter().rposition(|r| &**r == rule) {
            Some(i) => i,
            None => {
                self.rules.push(rule.into());
                self.rules.len() - 1
            }
        };
        let mut end = text.len().min(u32::MAX as usize);
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        let start = self.texts.len();
        self.texts.push_str(&text[..end]);
        self.items.push(Item {
            line,
            start,
            len: end as u32,
            // A page cites at most a few hundred distinct rules; past
            // u16::MAX ids would share the last slot's index.
            rule: rule.min(u16::MAX as usize) as u16,
            action,
        });
    }

    /// Room for `n` more removals holding `bytes` more text: a list that
    /// grows by doubling can end up with twice the room it needs.
    pub(crate) fn reserve(&mut self, n: usize, bytes: usize) {
        self.items.reserve_exact(n);
        self.texts.reserve_exact(bytes);
    }

    /// Puts the removals in line order, keeping the order within a line.
    /// They are usually in order already (no inline removals), and a
    /// stable sort would allocate a buffer of half the list.
    pub(crate) fn sort_by_line(&mut self) {
        if !self.items.is_sorted_by_key(|i| i.line) {
            self.items.sort_by_key(|i| i.line);
        }
    }

    /// Number of removals.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether nothing was removed.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The `i`-th removal in line order.
    pub fn get(&self, i: usize) -> Option<Removal<'_>> {
        self.items.get(i).map(|item| self.view(item))
    }

    /// The removals in line order.
    pub fn iter(&self) -> Iter<'_> {
        Iter {
            removals: self,
            items: self.items.iter(),
        }
    }

    /// Forgets every removal.
    pub fn clear(&mut self) {
        *self = Removals::default();
    }

    fn view(&self, item: &Item) -> Removal<'_> {
        Removal {
            line: item.line,
            action: item.action,
            rule: &self.rules[item.rule as usize],
            text: &self.texts[item.start..item.start + item.len as usize],
        }
    }
}

impl PartialEq for Removals {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl Eq for Removals {}

impl Serialize for Removals {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.len()))?;
        for r in self.iter() {
            seq.serialize_element(&r)?;
        }
        seq.end()
    }
}

impl<'a> IntoIterator for &'a Removals {
    type Item = Removal<'a>;
    type IntoIter = Iter<'a>;

    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}

/// The iterator of [`Removals::iter`].
#[derive(Debug, Clone)]
pub struct Iter<'a> {
    removals: &'a Removals,
    items: std::slice::Iter<'a, Item>,
}

impl<'a> Iterator for Iter<'a> {
    type Item = Removal<'a>;

    fn next(&mut self) -> Option<Removal<'a>> {
        self.items.next().map(|i| self.removals.view(i))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.items.size_hint()
    }
}

impl DoubleEndedIterator for Iter<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        self.items.next_back().map(|i| self.removals.view(i))
    }
}

impl ExactSizeIterator for Iter<'_> {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removals_read_back_in_line_order_with_interned_rules() {
        let mut r = Removals::default();
        r.push(3, Action::Judge, "score/outside-body", "Menu");
        r.push(1, Action::RemoveInline, "eng/ad", "[Ad]");
        r.push(1, Action::DropLine, "eng/share", "Share");
        r.push(2, Action::Judge, "score/outside-body", "");
        r.sort_by_line();
        let seen: Vec<_> = r.iter().map(|x| (x.line, x.rule, x.text)).collect();
        assert_eq!(
            seen,
            [
                (1, "eng/ad", "[Ad]"),
                (1, "eng/share", "Share"),
                (2, "score/outside-body", ""),
                (3, "score/outside-body", "Menu"),
            ]
        );
        assert_eq!(r.rules.len(), 3);
        assert_eq!(r.get(1).map(|x| x.action), Some(Action::DropLine));
        let json = serde_json::to_string(&r).unwrap();
        assert!(json
            .starts_with(r#"[{"line":1,"action":"remove_inline","rule":"eng/ad","text":"[Ad]"}"#));
    }
}
