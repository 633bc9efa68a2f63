//! Data in and out through the CLI, on the real lists: both UN editions with
//! list-update semantics, OFAC, the FtM round trip, and all-or-nothing
//! imports of a truncated file. The UN editions are in the repo
//! (`data/`, `tests/data/`); the OFAC list is found through `vigil-testdata`
//! (the test is skipped when it is absent).

use std::path::Path;
use std::process::{Command, Output};

/// The 2024 UN edition, shipped with the binary.
const UN_2024: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/data/un_sc_consolidated_2024-05-15.xml"
);
/// The 2020 UN edition, a test fixture.
const UN_2020: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/data/un_sc_consolidated_2020-11-24.xml"
);

fn vigil(data: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_vigil"))
        .args(args)
        .arg("--data")
        .arg(data)
        .output()
        .unwrap()
}

fn ok(out: Output) -> String {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).to_string()
}

fn import_report(data: &Path, format: &str, file: &Path, owner: &str) -> serde_json::Value {
    let out = ok(vigil(
        data,
        &[
            "import",
            "--format",
            format,
            file.to_str().unwrap(),
            "--owner",
            owner,
            "--json",
        ],
    ));
    serde_json::from_str(&out).unwrap()
}

fn counts(r: &serde_json::Value) -> [u64; 4] {
    ["added", "changed", "unchanged", "retired"].map(|k| r[k].as_u64().unwrap())
}

#[test]
fn un_list_editions_update_the_records() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d");
    let r2020 = import_report(&data, "un-xml", Path::new(UN_2020), "UN_SC");
    assert_eq!(counts(&r2020), [713, 0, 0, 0]);
    assert_eq!(
        r2020["skipped"]
            .as_object()
            .unwrap()
            .values()
            .map(|v| v.as_u64().unwrap())
            .sum::<u64>(),
        305
    );

    let r2024 = import_report(&data, "un-xml", Path::new(UN_2024), "UN_SC");
    let [added, changed, unchanged, retired] = counts(&r2024);
    assert_eq!((added, retired), (34, 65));
    assert_eq!(changed + unchanged, 648);
    assert!(changed > 0, "3.5 years of amendments change some entries");

    // Re-importing the same edition changes nothing.
    let again = import_report(&data, "un-xml", Path::new(UN_2024), "UN_SC");
    assert_eq!(counts(&again), [0, 0, 682, 0]);

    // The state is exactly the 2024 edition plus the retired ones.
    let active = ok(vigil(
        &data,
        &["record", "list", "--status", "active", "--limit", "5000"],
    ));
    assert_eq!(active.lines().count(), 682);
    let retired_list = ok(vigil(
        &data,
        &["record", "list", "--status", "retired", "--limit", "5000"],
    ));
    assert_eq!(retired_list.lines().count(), 65);
    let exported = ok(vigil(&data, &["export", "--format", "ftm"]));
    assert_eq!(exported.lines().count(), 682);
    // A retired record keeps its history.
    let retired_id = retired_list
        .lines()
        .next()
        .unwrap()
        .split('\t')
        .next()
        .unwrap();
    let history: serde_json::Value =
        serde_json::from_str(&ok(vigil(&data, &["record", "history", retired_id]))).unwrap();
    let changes: Vec<&str> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["change"].as_str().unwrap())
        .collect();
    assert_eq!(changes.first(), Some(&"create"));
    assert_eq!(changes.last(), Some(&"retire"));
    assert!(ok(vigil(&data, &["audit", "verify"])).contains("intact"));
}

#[test]
fn ofac_individuals_are_imported() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d");
    let Some(ofac) = vigil_testdata::shared_data("lists/ofac_sdn_2024-05-07.xml") else {
        return;
    };
    let r = import_report(&data, "ofac-xml", &ofac, "OFAC");
    assert_eq!(
        r["added"].as_u64().unwrap() + r["rejected"].as_u64().unwrap(),
        6855
    );
    assert!(r["added"].as_u64().unwrap() >= 6800);
    assert!(
        !r["skipped"].as_object().unwrap().is_empty(),
        "entities and vessels are counted, not silently dropped"
    );
}

#[test]
fn ftm_round_trip_gives_identical_records() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    import_report(&a, "un-xml", Path::new(UN_2024), "UN_SC");
    let first = dir.path().join("first.jsonl");
    std::fs::write(&first, ok(vigil(&a, &["export", "--format", "ftm"]))).unwrap();
    // Import the export as FtM, export again, import that: same records.
    let r1 = import_report(&b, "ftm", &first, "UN_SC");
    assert_eq!(r1["added"], 682);
    let second = ok(vigil(&b, &["export", "--format", "ftm"]));
    let second_path = dir.path().join("second.jsonl");
    std::fs::write(&second_path, &second).unwrap();
    let r2 = import_report(&b, "ftm", &second_path, "UN_SC");
    assert_eq!(
        counts(&r2),
        [0, 0, 682, 0],
        "import → export → import changes nothing"
    );
    let third = ok(vigil(&b, &["export", "--format", "ftm"]));
    assert_eq!(second, third);
}

#[test]
fn a_truncated_file_is_an_error_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d");
    import_report(&data, "un-xml", Path::new(UN_2020), "UN_SC");
    let before = ok(vigil(&data, &["record", "list", "--limit", "5000"]));
    let full = std::fs::read(UN_2024).unwrap();
    let cut = dir.path().join("cut.xml");
    std::fs::write(&cut, &full[..full.len() * 2 / 3]).unwrap();
    let out = vigil(
        &data,
        &[
            "import",
            "--format",
            "un-xml",
            cut.to_str().unwrap(),
            "--owner",
            "UN_SC",
        ],
    );
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("byte") || err.contains("line") || err.contains("entry"),
        "{err}"
    );
    assert_eq!(
        ok(vigil(&data, &["record", "list", "--limit", "5000"])),
        before
    );

    let ftm = dir.path().join("cut.jsonl");
    std::fs::write(&ftm, "{\"id\":\"a\",\"schema\":\"Person\",\"properties\":{\"name\":[\"A B\"]}}\n{\"id\":\"b\",\"sch").unwrap();
    let out = vigil(
        &data,
        &[
            "import",
            "--format",
            "ftm",
            ftm.to_str().unwrap(),
            "--owner",
            "FRA",
        ],
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("line 2"));
    assert_eq!(
        ok(vigil(&data, &["record", "list", "--limit", "5000"])),
        before
    );
}

#[test]
fn bad_rows_are_reported_and_the_rest_imported() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d");
    let file = dir.path().join("mixed.jsonl");
    std::fs::write(
        &file,
        [
            r#"{"id":"ok-1","schema":"Person","properties":{"name":["Jean Dupont"]}}"#,
            r#"this is not json"#,
            r#"{"id":"ok-2","schema":"Person","properties":{"name":["Marie Curie"],"birthDate":["not a date"]}}"#,
            r#"{"id":"ok-1","schema":"Person","properties":{"name":["Duplicate Reference"]}}"#,
        ]
        .join("\n")
            + "\n",
    )
    .unwrap();
    let r = import_report(&data, "ftm", &file, "FRA");
    assert_eq!(r["added"], 2);
    let diagnostics = r["diagnostics"].as_array().unwrap();
    assert!(diagnostics
        .iter()
        .any(|d| d["position"]["line"] == 2 && d["kind"] == "rejected"));
    assert!(diagnostics
        .iter()
        .any(|d| d["position"]["line"] == 4 && d["message"].as_str().unwrap().contains("earlier")));
    assert!(
        diagnostics.iter().any(|d| d["reference"] == "ok-2"),
        "the bad date is reported"
    );
}

/// An import is stored in parts, each committed with its audit entry: an
/// import killed half-way keeps the parts it stored and retires nothing,
/// and running it again completes it, adding only what was missing.
#[test]
fn a_killed_import_keeps_its_parts_and_a_rerun_completes_it() {
    const RECORDS: usize = 6000;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d");
    let file = dir.path().join("persons.jsonl");
    let lines: String = (0..RECORDS)
        .map(|i| {
            format!(
                "{{\"id\":\"p-{i}\",\"schema\":\"Person\",\"properties\":{{\"name\":[\"Person Number{i}\"]}}}}\n"
            )
        })
        .collect();
    std::fs::write(&file, lines).unwrap();
    ok(vigil(&data, &["init"]));
    let store = vigil_store::SqliteStore::open_existing(&data).unwrap();
    let parts_stored = || {
        use vigil_store::prelude::*;
        let filter = vigil_store::AuditFilter {
            action: Some(vigil_core::Action::Import),
            limit: 10_000,
            ..Default::default()
        };
        store.audit_entries(&filter).unwrap().len()
    };
    let mut child = Command::new(env!("CARGO_BIN_EXE_vigil"))
        .args(["import", "--format", "ftm", "--owner", "FRA"])
        .arg(&file)
        .arg("--data")
        .arg(&data)
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Killed once its first part is stored (or after it finished, on a
    // fast machine: the rerun then adds nothing).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while parts_stored() == 0 && std::time::Instant::now() < deadline {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let _ = child.kill();
    child.wait().unwrap();
    let stored = parts_stored();
    assert!(stored >= 1, "no part was stored within a minute");

    let rerun = import_report(&data, "ftm", &file, "FRA");
    eprintln!("parts stored before the kill: {stored}; rerun: {rerun}");
    let added = rerun["added"].as_u64().unwrap() as usize;
    let unchanged = rerun["unchanged"].as_u64().unwrap() as usize;
    assert_eq!(added + unchanged, RECORDS, "{rerun}");
    assert!(unchanged >= 1000, "the stored parts are kept: {rerun}");
    assert_eq!(unchanged % 1000, 0, "whole parts only: {rerun}");
    let listed = ok(vigil(&data, &["record", "list", "--all"]));
    assert_eq!(listed.lines().count(), RECORDS);
    let verified = ok(vigil(&data, &["audit", "verify"]));
    assert!(verified.contains("audit chain intact"), "{verified}");
}
