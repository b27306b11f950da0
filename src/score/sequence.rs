//! The sequence model: every open line is article or not, decided for the
//! whole page at once by a Viterbi decoding over four states.
//!
//! - `Before`: clutter before the first article region (menus, banners).
//! - `Article`: a line of the article; it earns its emission score, which
//!   is positive for prose and negative for short lines.
//! - `Gap`: clutter after an article region (an ad block, a pull quote, a
//!   link list); re-entering `Article` from here costs `switch_cost`.
//! - `AfterBoundary`: the lines after a boundary marker ("Related
//!   stories"); entering `Article` from here costs `boundary_cost`, more
//!   than a plain gap, so a link list after the marker stays out while
//!   prose that continues after a mid-article box comes back in. A
//!   marker that no prose line precedes is a menu item: before the first
//!   region it leaves `Before` as it is, so the whole article may follow.
//!
//! Entering the first region is free and leaving any region is free, so
//! with infinite costs this is the old maximum-sum segment; with finite
//! costs an article may be kept in several parts. Scores are integers
//! (characters), so ties are exact; a tie goes to the state that keeps
//! less, which makes regions start late and end early, as the segment
//! search did.

/// One step of the sequence.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Step {
    /// An open line with its emission score for `Article`.
    Line(i64),
    /// A boundary marker: the line itself is out, and an article region,
    /// or a gap after one, moves to `AfterBoundary`. `menu`: no prose line
    /// came before the marker, so before the first region it is a menu
    /// item and leaves `Before` as it is; otherwise `Before` moves to
    /// `AfterBoundary` too.
    Boundary { menu: bool },
}

/// A cost so large that no page can pay it, yet far from overflow.
pub(crate) const NEVER: i64 = i64::MAX / 8;

const BEFORE: usize = 0;
const ARTICLE: usize = 1;
const GAP: usize = 2;
const AFTER: usize = 3;
const STATES: usize = 4;

/// What the decoding made of a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Label {
    Article,
    /// Outside any region, not after a boundary marker.
    Outside,
    /// Outside any region, after a boundary marker (the marker is why).
    AfterBoundary,
}

/// The label of each `Line` step, in order (`Boundary` steps get none).
pub(crate) fn decode(steps: &[Step], switch_cost: i64, boundary_cost: i64) -> Vec<Label> {
    let mut score = [0i64, -NEVER, -NEVER, -NEVER];
    // For each step and state, the state at the step before.
    let mut back: Vec<[u8; STATES]> = Vec::with_capacity(steps.len());
    for step in steps {
        let prev = score;
        let mut from = [0u8; STATES];
        match *step {
            Step::Boundary { menu } => {
                let order: &[usize] = if menu {
                    &[GAP, AFTER, ARTICLE]
                } else {
                    &[BEFORE, GAP, AFTER, ARTICLE]
                };
                let (best, arg) = argmax(&prev, order);
                score = [-NEVER, -NEVER, -NEVER, best];
                from = [arg as u8; STATES];
                if menu {
                    score[BEFORE] = prev[BEFORE];
                    from[BEFORE] = BEFORE as u8;
                }
            }
            Step::Line(emission) => {
                score[BEFORE] = prev[BEFORE];
                from[BEFORE] = BEFORE as u8;
                // Ties prefer the state that keeps less: a later start.
                let candidates = [
                    (prev[BEFORE], BEFORE),
                    (prev[GAP].saturating_sub(switch_cost), GAP),
                    (prev[AFTER].saturating_sub(boundary_cost), AFTER),
                    (prev[ARTICLE], ARTICLE),
                ];
                let (best, arg) = first_max(&candidates);
                score[ARTICLE] = best.saturating_add(emission);
                from[ARTICLE] = arg as u8;
                let (best, arg) = first_max(&[(prev[GAP], GAP), (prev[ARTICLE], ARTICLE)]);
                score[GAP] = best;
                from[GAP] = arg as u8;
                score[AFTER] = prev[AFTER];
                from[AFTER] = AFTER as u8;
            }
        }
        back.push(from);
    }
    // Ties at the end prefer the states that keep less: an earlier end.
    let (_, mut state) = argmax(&score, &[BEFORE, GAP, AFTER, ARTICLE]);
    let mut article = Vec::with_capacity(steps.len());
    for (step, from) in steps.iter().zip(&back).rev() {
        if let Step::Line(_) = step {
            article.push(match state {
                ARTICLE => Label::Article,
                AFTER => Label::AfterBoundary,
                _ => Label::Outside,
            });
        }
        state = from[state] as usize;
    }
    article.reverse();
    article
}

/// The best of `score` over `order`; the first in `order` wins ties.
fn argmax(score: &[i64; STATES], order: &[usize]) -> (i64, usize) {
    let pairs: Vec<(i64, usize)> = order.iter().map(|&s| (score[s], s)).collect();
    first_max(&pairs)
}

fn first_max(candidates: &[(i64, usize)]) -> (i64, usize) {
    let mut best = candidates[0];
    for &c in &candidates[1..] {
        if c.0 > best.0 {
            best = c;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use Step::Line;

    const BOUNDARY: Step = Step::Boundary { menu: false };
    const MENU_MARKER: Step = Step::Boundary { menu: true };

    fn decode(steps: &[Step], switch_cost: i64, boundary_cost: i64) -> Vec<bool> {
        super::decode(steps, switch_cost, boundary_cost)
            .into_iter()
            .map(|l| l == Label::Article)
            .collect()
    }

    #[test]
    fn infinite_costs_give_the_maximum_sum_segment() {
        let steps = [
            Line(-5),
            Line(100),
            Line(-20),
            Line(50),
            Line(-200),
            Line(120),
        ];
        assert_eq!(
            decode(&steps, NEVER, NEVER),
            [false, true, true, true, false, false]
        );
    }

    #[test]
    fn a_second_region_pays_the_switch_cost() {
        let steps = [Line(100), Line(-200), Line(120)];
        assert_eq!(decode(&steps, 90, NEVER), [true, false, true]);
        assert_eq!(decode(&steps, 130, NEVER), [false, false, true]);
    }

    #[test]
    fn a_cheap_gap_is_bridged() {
        let steps = [Line(100), Line(-10), Line(120)];
        assert_eq!(decode(&steps, 50, NEVER), [true, true, true]);
    }

    #[test]
    fn prose_after_a_boundary_must_clear_the_boundary_cost() {
        let steps = [Line(300), BOUNDARY, Line(-30), Line(-30), Line(400)];
        assert_eq!(decode(&steps, 50, 200), [true, false, false, true]);
        assert_eq!(decode(&steps, 50, 500), [true, false, false, false]);
    }

    #[test]
    fn a_boundary_after_prose_costs_the_entry_of_what_follows() {
        let steps = [Line(-30), BOUNDARY, Line(-30), Line(100), Line(300)];
        assert_eq!(decode(&steps, 50, 200), [false, false, true, true]);
        assert_eq!(decode(&steps, 50, NEVER), [false, false, false, false]);
    }

    #[test]
    fn a_marker_among_menu_lines_is_a_menu_item() {
        let steps = [Line(-30), MENU_MARKER, Line(-30), Line(100), Line(300)];
        assert_eq!(decode(&steps, 50, NEVER), [false, false, true, true]);
    }

    #[test]
    fn a_menu_marker_still_closes_an_open_region() {
        let steps = [Line(300), MENU_MARKER, Line(-30), Line(200)];
        assert_eq!(decode(&steps, 50, NEVER), [true, false, false]);
    }

    #[test]
    fn lines_after_a_boundary_say_so() {
        let labels = super::decode(&[Line(100), BOUNDARY, Line(-10)], NEVER, NEVER);
        assert_eq!(labels, [Label::Article, Label::AfterBoundary]);
    }

    #[test]
    fn ties_keep_less() {
        assert_eq!(
            decode(&[Line(0), Line(10), Line(0)], NEVER, NEVER),
            [false, true, false]
        );
        assert_eq!(decode(&[Line(-5)], NEVER, NEVER), [false]);
    }
}
