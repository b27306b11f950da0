//! Fuzz target `rules_yaml`: see `dechaff_fuzz::rules_yaml` for what it feeds and checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| dechaff_fuzz::rules_yaml(data));
