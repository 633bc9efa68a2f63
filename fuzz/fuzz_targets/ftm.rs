//! Fuzz target: `ftm::parse_lines` must return `Ok` or `Err` for any text,
//! never panic, and every draft it accepts must export and re-import to the
//! same draft (the round-trip guarantee).
#![no_main]

use libfuzzer_sys::fuzz_target;
use vigil_formats::ftm;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(batch) = ftm::parse_lines(text) else {
        return;
    };
    for record in batch.records {
        let line = ftm::draft_to_entity(&record.draft).to_string();
        let again = ftm::parse_lines(&line).expect("an exported entity parses");
        assert_eq!(again.records.len(), 1, "{line}");
        assert_eq!(again.records[0].draft, record.draft, "{line}");
    }
});
