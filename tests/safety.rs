//! The safety net: when rules and scoring would remove nearly all of a
//! page, the page is kept as it was and the result says why.

use dechaff::{Cleaner, Options, RuleSet};

const PAGE: &str = "Home\n\nThe council approved the new budget on Monday after a long debate about school funding and road repairs.\n\nCouncillors said the library would open next spring if the builders keep to their schedule.\n\nShare\n";

fn with_rule(yaml: &str, min_kept: f64) -> Cleaner {
    let mut rules = RuleSet::builtin();
    rules
        .add_yaml("user/eng.yaml", yaml)
        .expect("valid rule file");
    let options = Options {
        lang: Some("eng".into()),
        min_kept,
        ..Options::default()
    };
    Cleaner::new(rules, options).expect("valid options")
}

const MATCH_ALL: &str = "lang: eng\ndrop_lines:\n  - id: everything\n    why: A careless pattern.\n    pattern: '\\w'\n    examples: {remove: [x], keep: ['---']}\n";
const CUT_AT_START: &str = "lang: eng\ncut_after:\n  - id: from-the-top\n    why: A marker that fires on the first line.\n    pattern: '^Home$'\n    min_position: 0\n    examples: {remove: [Home], keep: [News]}\n";

#[test]
fn a_rule_matching_every_line_keeps_the_page_and_names_the_rule() {
    let c = with_rule(MATCH_ALL, dechaff::DEFAULT_MIN_KEPT).clean(PAGE);
    let net = c.safety_net.as_ref().expect("net fires");
    assert_eq!(net.top_rule, "eng/everything");
    assert!(net.top_rule_share > 0.9, "{net:?}");
    assert_eq!(net.kept_share, 0.0);
    assert!(c.removed.is_empty(), "nothing is reported removed");
    assert!(c.text.starts_with("Home\n\nThe council approved"));
    assert!(c.text.ends_with("Share\n"));
}

#[test]
fn a_cut_marker_at_the_top_is_a_menu_item_not_the_end_of_the_page() {
    // No prose comes before the marker, so it cannot end the article: the
    // net has nothing to save, and only the marker line goes.
    let c = with_rule(CUT_AT_START, dechaff::DEFAULT_MIN_KEPT).clean(PAGE);
    assert!(c.safety_net.is_none(), "{:?}", c.safety_net);
    assert!(c.text.starts_with("The council approved"), "{}", c.text);
    assert!(c.text.contains("Councillors said"));
    let marker = c
        .removed
        .iter()
        .find(|r| r.text == "Home")
        .expect("marker removed");
    assert_eq!(marker.rule, "eng/from-the-top");
}

#[test]
fn the_threshold_is_configurable_and_zero_switches_it_off() {
    let c = with_rule(MATCH_ALL, 0.0).clean(PAGE);
    assert!(c.safety_net.is_none());
    assert_eq!(c.text, "");
    // Ordinary cleaning keeps about 90% here: a threshold above that fires.
    let c = with_rule("lang: eng\n", 0.95).clean(PAGE);
    let net = c.safety_net.expect("fires above the kept share");
    assert!(net.kept_share > 0.8 && net.kept_share < 0.95, "{net:?}");
    let c = with_rule("lang: eng\n", 0.5).clean(PAGE);
    assert!(c.safety_net.is_none());
    assert!(!c.text.contains("Share"));
}

#[test]
fn json_output_says_why() {
    let c = with_rule(MATCH_ALL, dechaff::DEFAULT_MIN_KEPT).clean(PAGE);
    let json: serde_json::Value = serde_json::to_value(&c).expect("serialises");
    assert_eq!(json["safety_net"]["top_rule"], "eng/everything");
    assert_eq!(json["safety_net"]["threshold"], dechaff::DEFAULT_MIN_KEPT);
    let clean = Cleaner::builtin().clean(PAGE);
    let json = serde_json::to_value(&clean).expect("serialises");
    assert!(
        json.get("safety_net").is_none(),
        "absent when the net did not fire"
    );
}
