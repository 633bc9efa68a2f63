//! Fuzz target: `paxlst::parse_bytes` must never panic, and whatever it
//! reads must survive being emitted and parsed again with the same travellers.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vigil_formats::paxlst;

fuzz_target!(|data: &[u8]| {
    if let Ok(manifest) = paxlst::parse_bytes(data) {
        let text = paxlst::emit(&manifest, &paxlst::Delimiters::default());
        let again = paxlst::parse(&text).expect("emitted text is EDIFACT");
        assert_eq!(again.travellers, manifest.travellers, "{text}");
        assert_eq!(again.legs, manifest.legs, "{text}");
    }
});
