#![no_main]
//! Fuzz target: see tests/support/fuzz_checks.rs (nb201) for what one input must satisfy.
#[path = "../../tests/support/fuzz_checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::nb201(data));
