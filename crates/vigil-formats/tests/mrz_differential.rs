//! Differential test against the `mrz` library (PyPI): about 5,500 zones it
//! generates in all five layouts, valid or damaged in one place
//! (`interop/mrz_corpus.py` says how), each with what a correct parser must
//! do. Valid zones must read as the library reads them; a damaged number or
//! date must be refused naming the field, and a number is never accepted as
//! another one.
//!
//! Needs a Python with the `mrz` package: `VIGIL_INTEROP_PYTHON` names it
//! (`.ci/run` makes one in a virtual environment). Without it the test says
//! so and passes, unless `VIGIL_REQUIRE_INTEROP=1`, as in CI.

use std::collections::BTreeMap;
use std::process::Command;

use chrono::{Datelike, NaiveDate};
use serde::Deserialize;
use vigil_core::PartialDate;
use vigil_formats::mrz::{parse, Mrz};

#[derive(Deserialize)]
struct Case {
    format: String,
    kind: String,
    zone: String,
    expect: Expect,
}

#[derive(Deserialize)]
#[serde(tag = "outcome", rename_all = "lowercase")]
enum Expect {
    Ok {
        fields: BTreeMap<String, String>,
        warnings: Vec<String>,
    },
    Reject {
        field: String,
        true_number: String,
    },
}

fn yymmdd(date: NaiveDate) -> String {
    format!(
        "{:02}{:02}{:02}",
        date.year() % 100,
        date.month(),
        date.day()
    )
}

/// The date as the zone wrote it: YYMMDD with fillers for what is unknown.
fn zone_date(date: Option<PartialDate>) -> String {
    match date {
        Some(PartialDate::Exact(d)) => yymmdd(d),
        Some(PartialDate::YearMonth { year, month }) => format!("{:02}{month:02}<<", year % 100),
        Some(PartialDate::Year(year)) => format!("{:02}<<<<", year % 100),
        Some(PartialDate::YearRange { .. }) | None => "<<<<<<".into(),
    }
}

fn as_read(mrz: &Mrz) -> BTreeMap<String, String> {
    let sex = mrz.sex.map(<&str>::from).unwrap_or_default();
    [
        ("document_number", mrz.document_number.clone()),
        ("surname", mrz.surname.clone()),
        ("given_names", mrz.given_names.clone()),
        ("nationality", mrz.nationality.clone()),
        ("issuing_state", mrz.issuing_state.clone()),
        ("birth_date", zone_date(mrz.birth_date)),
        (
            "expiry_date",
            mrz.expiry_date.map(yymmdd).unwrap_or_default(),
        ),
        ("sex", sex.to_string()),
        ("optional_data", mrz.optional_data.clone()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

#[test]
fn zones_from_the_mrz_library() {
    let Some(python) = vigil_testdata::interop_python() else {
        return;
    };
    let dir = std::env::temp_dir().join(format!("vigil-mrz-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temporary directory");
    let corpus = dir.join("zones.jsonl");
    let status = Command::new(&python)
        .arg(vigil_testdata::interop_dir().join("mrz_corpus.py"))
        .arg(&corpus)
        .status()
        .expect("run interop/mrz_corpus.py");
    assert!(status.success(), "interop/mrz_corpus.py failed");
    let text = std::fs::read_to_string(&corpus).expect("corpus written");
    std::fs::remove_dir_all(&dir).ok();

    let today = NaiveDate::from_ymd_opt(2026, 6, 1).expect("valid date");
    let mut failures = Vec::new();
    let mut tally: BTreeMap<(String, &str), usize> = BTreeMap::new();
    let cases: Vec<Case> = text
        .lines()
        .map(|line| serde_json::from_str(line).expect("corpus line"))
        .collect();
    for case in &cases {
        let parsed = parse(&case.zone, today);
        let verdict = match (&case.expect, &parsed) {
            (Expect::Ok { fields, warnings }, Ok(mrz)) => {
                let read = as_read(mrz);
                let mut flagged: Vec<&str> = mrz.warnings.iter().map(|w| w.field).collect();
                flagged.retain(|f| *f != "birth_date" || warnings.iter().any(|w| w == f));
                if &read != fields {
                    Err(format!("read {read:?}, the library reads {fields:?}"))
                } else if flagged != *warnings {
                    Err(format!("warnings {flagged:?}, expected {warnings:?}"))
                } else {
                    Ok("read as the library reads it")
                }
            }
            (Expect::Ok { .. }, Err(e)) => Err(format!("refused: {e}")),
            (Expect::Reject { field, .. }, Err(e)) if e.field() == *field => {
                Ok("refused, naming the field")
            }
            (Expect::Reject { field, .. }, Err(e)) => {
                Err(format!("refused naming {} ({e}), not {field}", e.field()))
            }
            (Expect::Reject { true_number, .. }, Ok(mrz))
                if mrz.document_number != *true_number =>
            {
                Err(format!(
                    "accepted number {} for {true_number}",
                    mrz.document_number
                ))
            }
            (Expect::Reject { field, .. }, Ok(_)) if field == "document_number" => {
                Ok("repaired to the true number")
            }
            (Expect::Reject { field, .. }, Ok(_)) => Err(format!("accepted with a bad {field}")),
        };
        match verdict {
            Ok(how) => *tally.entry((case.kind.clone(), how)).or_default() += 1,
            Err(why) => failures.push(format!(
                "{} {}: {why}\n{}",
                case.format, case.kind, case.zone
            )),
        }
    }
    for ((kind, how), n) in &tally {
        eprintln!("{kind:>22}: {n:>5} {how}");
    }
    assert!(cases.len() > 5_000, "only {} zones", cases.len());
    assert!(
        failures.is_empty(),
        "{} of {} zones handled wrongly:\n{}",
        failures.len(),
        cases.len(),
        failures
            .iter()
            .take(20)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}
