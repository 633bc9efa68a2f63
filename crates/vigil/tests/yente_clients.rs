//! yente's own clients against a running Vigil: `interop/yente_clients.py`
//! drives `vigil serve` with the `yente-client` SDK and nomenklatura's
//! `YenteEnricher` (from PyPI) and validates every `/match` response with
//! the `yente` package's response models. The records it expects are
//! `tests/data/yente_records.json`: one listed person in full, one
//! hit-only, both DEU's; the clients screen as FRA with a token whose
//! default purpose stands in for the `X-Vigil-Purpose` they cannot send.
//!
//! Needs `VIGIL_INTEROP_PYTHON` (a Python with interop/requirements.txt);
//! skips without it unless `VIGIL_REQUIRE_INTEROP=1`.

mod common;

use std::path::Path;
use std::process::Command;

use common::{start, token_secret, vigil};

#[test]
fn yente_client_and_nomenklatura_work_unchanged() {
    let Some(python) = vigil_testdata::interop_python() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    vigil(&data, &["agency", "add", "DEU", "--name", "Germany"]);
    vigil(&data, &["agency", "add", "FRA", "--name", "France"]);
    let records = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/yente_records.json");
    vigil(
        &data,
        &["record", "add", records.to_str().unwrap(), "--owner", "DEU"],
    );
    let secret = token_secret(
        &data,
        "FRA",
        "screener",
        &["--default-purpose", "sanctions screening (yente client)"],
    );

    let (mut server, url) = start(&data);
    let out = Command::new(&python)
        .arg(vigil_testdata::interop_dir().join("yente_clients.py"))
        .args(["--url", &format!("{url}/v1"), "--token", &secret])
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .output()
        .expect("run interop/yente_clients.py");
    server.kill().unwrap();
    server.wait().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    eprintln!("{stdout}");
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.lines().count() > 25, "{stdout}");

    // Every screening the clients made is audited under the token's
    // default purpose.
    let audit = vigil(&data, &["audit", "list"]);
    let screenings: Vec<serde_json::Value> = audit
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|e| e.to_string().contains("\"screen\""))
        .collect();
    assert!(!screenings.is_empty(), "{audit}");
    for entry in &screenings {
        assert!(
            entry
                .to_string()
                .contains("sanctions screening (yente client)"),
            "{entry}"
        );
    }
}
