//! Fuzz target `clean_options`: see `dechaff_fuzz::clean_options` for what it feeds and checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| dechaff_fuzz::clean_options(data));
