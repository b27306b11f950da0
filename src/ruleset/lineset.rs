//! A set of line patterns on a forward-only lazy DFA.
//!
//! `regex::RegexSet` builds a full meta regex: a forward NFA, a reverse NFA
//! and engines that report where matches start. Saying which patterns
//! match a line needs only the forward lazy DFA, so this set builds just
//! that (and a PikeVM on the same NFA for when the DFA gives up, as on a
//! cache that keeps thrashing): about a third of the memory, and less
//! compile time, measured on the built-in rules.

use regex_automata::hybrid::dfa::{Cache as DfaCache, DFA};
use regex_automata::nfa::thompson::pikevm::{Cache as VmCache, PikeVM};
use regex_automata::nfa::thompson::{self, WhichCaptures, NFA};
use regex_automata::util::pool::Pool;
use regex_automata::{Anchored, Input, MatchKind, PatternID, PatternSet};

/// Per-thread scratch: the DFA's and PikeVM's caches, and the set of
/// matched patterns, reused so a line costs no allocation.
type Caches = (DfaCache, VmCache, PatternSet);
type MakeCaches =
    Box<dyn Fn() -> Caches + Send + Sync + std::panic::UnwindSafe + std::panic::RefUnwindSafe>;

/// Line patterns matched together; see the module docs.
pub(crate) struct LineSet {
    dfa: DFA,
    vm: PikeVM,
    /// One pair of caches per thread that uses the set.
    caches: Pool<Caches, MakeCaches>,
    /// Every pattern starts with `^`: searches are anchored, so the DFA
    /// dies at the first byte no pattern can continue with, instead of
    /// running an unanchored prefix loop to the end of the line.
    anchored: bool,
}

impl std::fmt::Debug for LineSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "LineSet({} patterns)", self.dfa.pattern_len())
    }
}

impl LineSet {
    /// Compiles `patterns` (regex syntax, Unicode, UTF-8 text) with an NFA
    /// size limit of `size_limit` bytes and a lazy-DFA cache of `cache`
    /// bytes per thread. `anchored` says that every pattern matches only
    /// from the start of the line.
    ///
    /// # Errors
    ///
    /// The compiler's message: a syntax error or a set over the limit.
    pub(crate) fn new<P: AsRef<str>>(
        patterns: &[P],
        anchored: bool,
        size_limit: usize,
        cache: usize,
    ) -> Result<LineSet, String> {
        let nfa = NFA::compiler()
            .configure(
                thompson::Config::new()
                    .nfa_size_limit(Some(size_limit))
                    .which_captures(WhichCaptures::None),
            )
            .build_many(patterns)
            .map_err(|e| e.to_string())?;
        let dfa = DFA::builder()
            .configure(
                DFA::config()
                    .match_kind(MatchKind::All)
                    .cache_capacity(cache)
                    .skip_cache_capacity_check(true)
                    // Give up on a cache that keeps thrashing: the PikeVM
                    // is slower per byte but never rebuilds states.
                    .minimum_cache_clear_count(Some(3))
                    .minimum_bytes_per_state(Some(10))
                    // Start states per pattern, so an anchored set can also
                    // try a few of its patterns alone (`is_match_of`).
                    .starts_for_each_pattern(anchored),
            )
            .build_from_nfa(nfa.clone())
            .map_err(|e| e.to_string())?;
        let vm = PikeVM::builder()
            .configure(PikeVM::config().match_kind(MatchKind::All))
            .build_from_nfa(nfa)
            .map_err(|e| e.to_string())?;
        let (d, v) = (dfa.clone(), vm.clone());
        let make: MakeCaches = Box::new(move || {
            let found = PatternSet::new(d.pattern_len());
            (d.create_cache(), v.create_cache(), found)
        });
        Ok(LineSet {
            dfa,
            vm,
            caches: Pool::new(make),
            anchored,
        })
    }

    /// Calls `each` with the index of every pattern matching `line`, in
    /// index order.
    pub(crate) fn for_each_match(&self, line: &str, mut each: impl FnMut(usize)) {
        let mode = if self.anchored {
            Anchored::Yes
        } else {
            Anchored::No
        };
        let input = Input::new(line).anchored(mode);
        let mut caches = self.caches.get();
        let (dfa_cache, vm_cache, found) = &mut *caches;
        found.clear();
        if self
            .dfa
            .try_which_overlapping_matches(dfa_cache, &input, found)
            .is_err()
        {
            found.clear();
            self.vm.which_overlapping_matches(vm_cache, &input, found);
        }
        for id in found.iter() {
            each(id.as_usize());
        }
    }

    /// Whether pattern `index` matches `line`, searched alone: in an
    /// anchored set the search dies where that pattern does, so trying the
    /// few patterns a prefilter left beats one overlapping search of all,
    /// which runs as far as the longest-lived pattern reaches.
    pub(crate) fn is_match_of(&self, index: usize, line: &str) -> bool {
        if !self.anchored {
            return self.is_match(index, line);
        }
        let Some(pattern) = PatternID::new(index).ok() else {
            return false;
        };
        let input = Input::new(line)
            .anchored(Anchored::Pattern(pattern))
            .earliest(true);
        let mut caches = self.caches.get();
        let (dfa_cache, vm_cache, _) = &mut *caches;
        match self.dfa.try_search_fwd(dfa_cache, &input) {
            Ok(found) => found.is_some(),
            Err(_) => self.vm.is_match(vm_cache, input),
        }
    }

    /// Whether the set searches from the start of the line only.
    pub(crate) fn is_anchored(&self) -> bool {
        self.anchored
    }

    /// Whether pattern `index` matches `line`.
    pub(crate) fn is_match(&self, index: usize, line: &str) -> bool {
        let mut hit = false;
        self.for_each_match(line, |i| hit |= i == index);
        hit
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_every_matching_pattern() {
        let set = LineSet::new(
            &[r"(?i)^share$", r"\d{4}", r"^.{0,20}news"],
            false,
            1 << 20,
            1 << 20,
        )
        .expect("valid");
        let ids = |line: &str| -> Vec<usize> {
            let mut out = Vec::new();
            set.for_each_match(line, |i| out.push(i));
            out
        };
        assert_eq!(ids("SHARE"), [0]);
        assert_eq!(ids("Top news of 2024"), [1, 2]);
        assert_eq!(ids("Ünïcödé prose without anything"), Vec::<usize>::new());
    }

    #[test]
    fn an_anchored_set_matches_from_the_start_only() {
        let set =
            LineSet::new(&[r"(?i)^share$", r"^[^\p{L}]+$"], true, 1 << 20, 1 << 20).expect("valid");
        assert!(set.is_match(0, "Share") && set.is_match(1, "12:30"));
        assert!(!set.is_match(1, "at 12:30") && !set.is_match(0, "do share"));
    }

    #[test]
    fn a_pattern_searched_alone_answers_as_the_whole_set_does() {
        let patterns = [
            r"^[^.!?]{0,120}[\w.+-]+@[\w-]+(?:\.[\w-]+)+[^.!?]{0,40}$",
            r"^[^\p{L}]+$",
            r"(?i)^(?:share|tweet)(?: on \w+)?",
        ];
        let lines = [
            "Write to news@example.org for tips",
            "12:30",
            "Share on Facebook",
            "Tweet",
            "Prose, with no address at all.",
            "",
            "— 3 —",
        ];
        for cache in [1 << 20, 1] {
            let set = LineSet::new(&patterns, true, 1 << 20, cache).expect("valid");
            for line in lines {
                for k in 0..patterns.len() {
                    assert_eq!(
                        set.is_match_of(k, line),
                        set.is_match(k, line),
                        "{k} {line:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn a_tiny_cache_falls_back_and_still_answers() {
        let set =
            LineSet::new(&[r"\w{1,30}x\w{1,30}y", r"^abc"], false, 16 << 20, 1).expect("valid");
        let line = "é".repeat(200) + "xü" + "y";
        assert!(set.is_match(0, &line) && !set.is_match(1, &line));
    }
}
