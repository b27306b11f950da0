//! One snapshot per fixture under tests/fixtures: each fixture shows one
//! behaviour, named for it. A fixture whose first line is
//! `#! key=value ...` sets options for it (`lang=eng`, `encoding=gbk`, `min_kept=0`);
//! that line is not part of the page. Fixtures are read as bytes, so
//! decoding fixtures can hold any encoding.

use std::fs;

mod common;

fn options_and_body(bytes: &[u8]) -> (dechaff::Options, &[u8]) {
    let mut options = dechaff::Options::default();
    let Some(rest) = bytes.strip_prefix(b"#! ") else {
        return (options, bytes);
    };
    let end = rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len());
    let header = std::str::from_utf8(&rest[..end]).expect("fixture header is ASCII");
    for pair in header.split_whitespace() {
        match pair.split_once('=') {
            Some(("lang", v)) => options.lang = Some(v.to_owned()),
            Some(("encoding", v)) => options.encoding = Some(v.to_owned()),
            Some(("min_kept", v)) => options.min_kept = v.parse().expect("min_kept is a number"),
            _ => panic!("unknown fixture option {pair:?}"),
        }
    }
    (options, rest.get(end + 1..).unwrap_or_default())
}

#[test]
fn fixtures() {
    insta::with_settings!({snapshot_path => "../snapshots", prepend_module_to_snapshot => false}, {
        insta::glob!("fixtures/**/*.txt", |path| {
            let bytes = fs::read(path).expect("fixture readable");
            let (options, body) = options_and_body(&bytes);
            let cleaner = dechaff::Cleaner::new(dechaff::RuleSet::builtin(), options)
                .expect("fixture options are valid");
            insta::assert_snapshot!(common::report(&cleaner.clean_bytes(body)));
        });
    });
}
