#![no_main]
// The body lives in the main crate so that `cargo test` replays the corpus.
libfuzzer_sys::fuzz_target!(|data: &[u8]| pjsip_regc::fuzz_targets::response(data));
