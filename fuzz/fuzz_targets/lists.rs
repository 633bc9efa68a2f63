//! Fuzz target: the UN and OFAC list parsers must return `Ok` or `Err` for
//! any bytes, never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vigil_formats::{ofac, unsc};

fuzz_target!(|data: &[u8]| {
    let _ = unsc::parse(data);
    let _ = ofac::parse(data);
});
