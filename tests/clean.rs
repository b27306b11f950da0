//! One snapshot per fixture under tests/fixtures: each fixture shows one
//! behaviour, named for it. A fixture whose first line is
//! `#! key=value ...` sets options for it (`lang=eng`, `encoding=gbk`, `min_kept=0`);
//! that line is not part of the page. Fixtures are read as bytes, so
//! decoding fixtures can hold any encoding.

use std::fs;

mod common;

#[test]
fn fixtures() {
    insta::with_settings!({snapshot_path => "../snapshots", prepend_module_to_snapshot => false}, {
        insta::glob!("fixtures/**/*.txt", |path| {
            let bytes = fs::read(path).expect("fixture readable");
            let (options, body) = common::fixture_options(&bytes);
            let cleaner = dechaff::Cleaner::new(dechaff::RuleSet::builtin(), options)
                .expect("fixture options are valid");
            insta::assert_snapshot!(common::report(&cleaner.clean_bytes(body)));
        });
    });
}
