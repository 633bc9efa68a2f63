//! Regression test pinned to the labelled name bench: every STRONG-quality person pair must be
//! decided right at the default threshold (the full F1 is a bench figure, not a test).

use vigil_match::{compare_names, DEFAULT_THRESHOLD};

#[test]
fn strong_cases_are_right() {
    // Copied into the repo from shared/data (see tests/data/README.md).
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/name_bench_cases.csv"
    );
    let mut reader = csv::Reader::from_path(path).expect("bench cases");
    let mut checked = 0;
    for row in reader.records() {
        let row = row.expect("row");
        if &row[1] != "Person" || &row[5] != "STRONG" {
            continue;
        }
        let score = compare_names(&row[2], &row[3]);
        assert_eq!(
            score >= DEFAULT_THRESHOLD,
            &row[4] == "true",
            "{} | {}: {score:.3}",
            &row[2],
            &row[3]
        );
        checked += 1;
    }
    assert_eq!(checked, 24);
}
