//! The CLI as a user drives it: a data directory, agencies, tokens, records
//! from JSON files, and the audit chain, including a tampered entry.

use std::path::Path;
use std::process::{Command, Output};

fn vigil(data: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_vigil"))
        .args(args)
        .arg("--data")
        .arg(data)
        .output()
        .expect("vigil runs")
}

fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).to_string()
}

#[test]
fn a_user_sets_up_agencies_tokens_and_records() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("vigil-data");
    ok(&vigil(&data, &["init"]));
    assert!(data.join("vigil.db").exists());
    ok(&vigil(
        &data,
        &["agency", "add", "FRA", "--name", "France NCB"],
    ));
    ok(&vigil(
        &data,
        &["agency", "add", "EUROPOL", "--name", "Europol"],
    ));
    let listed = ok(&vigil(&data, &["agency", "list"]));
    assert!(listed.contains("FRA\tcountry_bureau\tFrance NCB"));
    assert!(listed.contains("EUROPOL\torganisation\tEuropol"));

    let created = ok(&vigil(
        &data,
        &["token", "create", "--agency", "FRA", "--role", "screener"],
    ));
    let token: serde_json::Value = serde_json::from_str(&created).unwrap();
    let secret = token["secret"].as_str().unwrap();
    assert!(secret.starts_with("vgl_"));
    let tokens = ok(&vigil(&data, &["token", "list"]));
    assert!(tokens.contains(token["id"].as_str().unwrap()));
    assert!(!tokens.contains(secret), "secrets are never listed");
    ok(&vigil(
        &data,
        &["token", "revoke", token["id"].as_str().unwrap()],
    ));
    assert!(ok(&vigil(&data, &["token", "list"])).contains("revoked"));

    let file = dir.path().join("records.json");
    std::fs::write(
        &file,
        r#"[{"reference":"FR-1","names":[{"full":"Jean Dupont"}],"birth_dates":["1980-05"],"nationalities":["FRA"]},
            {"reference":"FR-2","names":[{"full":"Ivan Petrov"},{"full":"Иван Петров","kind":"original_script"}]}]"#,
    )
    .unwrap();
    let added = ok(&vigil(
        &data,
        &["record", "add", file.to_str().unwrap(), "--owner", "FRA"],
    ));
    assert_eq!(added.lines().count(), 2);
    let id = added
        .lines()
        .next()
        .unwrap()
        .split('\t')
        .next()
        .unwrap()
        .to_string();
    let shown = ok(&vigil(&data, &["record", "get", &id]));
    let record: serde_json::Value = serde_json::from_str(&shown).unwrap();
    assert_eq!(record["reference"], "FR-1");
    assert_eq!(record["birth_dates"][0], "1980-05");
    assert_eq!(record["names"][0]["script"], "latin");
    let list = ok(&vigil(&data, &["record", "list", "--owner", "FRA"]));
    assert_eq!(list.lines().count(), 2);
    assert!(list.contains("Ivan Petrov"));

    let verified = ok(&vigil(&data, &["audit", "verify"]));
    assert!(verified.contains("audit chain intact"), "{verified}");
}

#[test]
fn bad_input_is_one_clear_line_and_a_failure_code() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d");
    ok(&vigil(&data, &["agency", "add", "FRA", "--name", "France"]));
    let out = vigil(&data, &["agency", "add", "france", "--name", "x"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(err.contains("not an agency code"));

    let out = vigil(
        &data,
        &["token", "create", "--agency", "FRA", "--role", "king"],
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a role"));

    let file = dir.path().join("bad.json");
    std::fs::write(
        &file,
        r#"{"reference":"R","names":[{"full":"A B"}],"nationalities":["XYZ"]}"#,
    )
    .unwrap();
    let out = vigil(
        &data,
        &["record", "add", file.to_str().unwrap(), "--owner", "FRA"],
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("nationalities[0]"));

    let out = vigil(
        &data,
        &["record", "add", file.to_str().unwrap(), "--owner", "DEU"],
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("agency DEU does not exist"));
}

#[test]
fn audit_verify_detects_tampering() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d");
    ok(&vigil(&data, &["agency", "add", "FRA", "--name", "France"]));
    ok(&vigil(
        &data,
        &["agency", "add", "DEU", "--name", "Germany"],
    ));
    ok(&vigil(&data, &["agency", "list"]));
    assert!(ok(&vigil(&data, &["audit", "verify"])).contains("3 entries"));
    // Someone with database access rewrites history: verify must notice.
    let tampered = tamper_second_entry(&data.join("vigil.db"));
    assert!(tampered);
    let out = vigil(&data, &["audit", "verify"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("entry 2"), "{err}");
}

/// Alters the second audit entry's body in place with the store's own
/// raw-SQL hook, as an attacker with file access could.
fn tamper_second_entry(db: &Path) -> bool {
    let store = vigil_store::SqliteStore::open(db.parent().unwrap()).unwrap();
    store
        .execute_raw("UPDATE audit SET body = replace(body, 'DEU', 'ESP') WHERE seq = 2")
        .unwrap()
        == 1
}
