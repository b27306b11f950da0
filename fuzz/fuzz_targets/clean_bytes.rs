//! Fuzz target `clean_bytes`: see `dechaff_fuzz::clean_bytes` for what it feeds and checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| dechaff_fuzz::clean_bytes(data));
