//! The CLI as a user drives it: a data directory, agencies, tokens, records
//! from JSON files, and the audit chain, including a tampered entry; and
//! what a new user stumbled on (issue 12): where `--data` goes, commands run
//! from the wrong folder, quickstart reruns, unknown agencies, long lists,
//! and which traveller of a manifest matched which record.

mod common;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Output, Stdio};

fn vigil(data: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_vigil"))
        .args(args)
        .arg("--data")
        .arg(data)
        .output()
        .expect("vigil runs")
}

/// Runs `vigil` with exactly `args`: no `--data` added.
fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_vigil"))
        .args(args)
        .env_remove("VIGIL_DATA")
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

#[test]
fn data_goes_before_or_after_the_command() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d");
    let d = data.to_str().unwrap();
    ok(&run(&["--data", d, "init"]));
    assert!(data.join("vigil.db").exists());
    ok(&run(&[
        "--data", d, "agency", "add", "FRA", "--name", "France",
    ]));
    ok(&run(&[
        "agency", "add", "DEU", "--name", "Germany", "--data", d,
    ]));
    ok(&run(&[
        "agency", "--data", d, "add", "ITA", "--name", "Italy",
    ]));
    for args in [
        vec!["--data", d, "agency", "list"],
        vec!["agency", "list", "--data", d],
        vec!["agency", "--data", d, "list"],
    ] {
        let listed = ok(&run(&args));
        for code in ["FRA", "DEU", "ITA"] {
            assert!(listed.contains(code), "{args:?}: {listed}");
        }
    }
    assert!(ok(&run(&["--data", d, "audit", "verify"])).contains("audit chain intact"));
}

#[test]
fn a_command_run_where_there_is_no_database_fails_and_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("not-here");
    let records = dir.path().join("records.json");
    std::fs::write(
        &records,
        r#"{"reference":"R-1","names":[{"full":"Jean Dupont"}]}"#,
    )
    .unwrap();
    let manifest = dir.path().join("manifest.json");
    std::fs::write(&manifest, r#"{"travellers":[{"names":["Jean Dupont"]}]}"#).unwrap();
    let (records, manifest) = (records.to_str().unwrap(), manifest.to_str().unwrap());
    let id = "01a23644-e728-74e1-94d6-eb7566dd65b0";
    let commands: &[&[&str]] = &[
        &["serve", "--listen", "127.0.0.1:0"],
        &["agency", "list"],
        &["token", "create", "--agency", "FRA", "--role", "screener"],
        &["token", "list"],
        &["token", "revoke", "tok_x"],
        &["record", "add", records, "--owner", "FRA"],
        &["record", "get", id],
        &["record", "list"],
        &["record", "history", id],
        &["audit", "verify"],
        &["audit", "list"],
        &["export"],
        &["screen"],
        &["screen-manifest", manifest],
        &[
            "mrz",
            "--screen",
            "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
            "L898902C36UTO7408122F1204159ZE184226B<<<<<10",
        ],
    ];
    for args in commands {
        let out = vigil(&data, args);
        assert!(!out.status.success(), "{args:?} succeeded");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(err.trim().lines().count(), 1, "{args:?}: {err}");
        assert!(err.contains("no Vigil database in"), "{args:?}: {err}");
        assert!(err.contains(data.to_str().unwrap()), "{args:?}: {err}");
        assert!(
            err.contains("vigil init") && err.contains("--data"),
            "{args:?}: {err}"
        );
        assert!(!data.exists(), "{args:?} created {}", data.display());
    }
    // The commands that set a database up still create one.
    ok(&vigil(&data, &["agency", "add", "FRA", "--name", "France"]));
    assert!(data.join("vigil.db").exists());
}

/// A running `vigil quickstart`, the tokens it printed (role → secret) and
/// its banner.
struct Quickstart {
    child: std::process::Child,
    url: String,
    tokens: Vec<(String, String)>,
    banner: String,
}

impl Quickstart {
    fn start(data: &Path) -> Quickstart {
        let mut child = Command::new(env!("CARGO_BIN_EXE_vigil"))
            .args(["quickstart", "--listen", "127.0.0.1:0", "--data"])
            .arg(data)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let mut banner = String::new();
        let mut tokens = Vec::new();
        let url = loop {
            let line = lines
                .next()
                .expect("quickstart prints its address")
                .unwrap();
            if let Some(url) = line.strip_prefix("listening on ") {
                break url.to_string();
            }
            let words: Vec<&str> = line.split_whitespace().collect();
            if let [agency, role, secret] = words[..] {
                if secret.starts_with("vgl_") {
                    tokens.push((format!("{agency} {role}"), secret.to_string()));
                }
            }
            banner.push_str(&line);
            banner.push('\n');
        };
        Quickstart {
            child,
            url,
            tokens,
            banner,
        }
    }

    fn token(&self, who: &str) -> &str {
        &self.tokens.iter().find(|(w, _)| w == who).unwrap().1
    }

    fn stop(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

fn get_records(url: &str, token: &str) -> reqwest::StatusCode {
    reqwest::blocking::Client::new()
        .get(format!("{url}/v1/records?limit=1"))
        .bearer_auth(token)
        .header("x-vigil-purpose", "test")
        .send()
        .unwrap()
        .status()
}

#[test]
fn rerunning_quickstart_revokes_the_tokens_of_the_run_before() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("demo");
    let first = Quickstart::start(&data);
    assert_eq!(first.tokens.len(), 9, "{}", first.banner);
    assert!(!first.banner.contains("Revoked"), "{}", first.banner);
    let old = first.token("FRA screener").to_string();
    assert_eq!(get_records(&first.url, &old), 200);
    // The console is served, ready to sign in with any of those tokens.
    let sign_in = reqwest::blocking::get(format!("{}/console", first.url)).unwrap();
    assert_eq!(sign_in.status(), 200);
    assert!(sign_in.url().path().ends_with("/console/sign-in"));
    first.stop();
    // A token made apart from quickstart is the user's: a rerun keeps it.
    ok(&vigil(
        &data,
        &[
            "token", "create", "--agency", "FRA", "--role", "analyst", "--label", "mine",
        ],
    ));

    let second = Quickstart::start(&data);
    assert!(
        second
            .banner
            .contains("Revoked the 9 tokens of the previous quickstart"),
        "{}",
        second.banner
    );
    assert_eq!(get_records(&second.url, &old), 401, "the old token is dead");
    for (who, secret) in &readers_of(&second) {
        assert_eq!(get_records(&second.url, secret), 200, "{who}");
    }
    second.stop();
    let tokens = ok(&vigil(&data, &["token", "list"]));
    let active: Vec<&str> = tokens
        .lines()
        .filter(|l| l.contains("\tactive\t"))
        .collect();
    assert_eq!(active.len(), 10, "{tokens}");
    assert!(active.iter().any(|l| l.ends_with("\tmine")), "{tokens}");
}

/// The tokens of a run that may read records (the operator reads none).
fn readers_of(q: &Quickstart) -> Vec<(String, String)> {
    q.tokens
        .iter()
        .filter(|(who, _)| !who.ends_with("operator"))
        .cloned()
        .collect()
}

#[test]
fn a_token_for_an_unknown_agency_names_it() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d");
    ok(&vigil(&data, &["agency", "add", "FRA", "--name", "France"]));
    let out = vigil(
        &data,
        &["token", "create", "--agency", "ESP", "--role", "screener"],
    );
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("agency ESP does not exist"), "{err}");
    assert!(err.contains("vigil agency add ESP"), "{err}");

    // Over HTTP, the field is named too.
    let created = ok(&vigil(
        &data,
        &["token", "create", "--agency", "FRA", "--role", "operator"],
    ));
    let operator: serde_json::Value = serde_json::from_str(&created).unwrap();
    let (mut server, url) = common::start(&data);
    let resp = reqwest::blocking::Client::new()
        .post(format!("{url}/v1/tokens"))
        .bearer_auth(operator["secret"].as_str().unwrap())
        .header("x-vigil-purpose", "test")
        .json(&serde_json::json!({"agency": "ESP", "role": "screener"}))
        .send()
        .unwrap();
    assert_eq!(resp.status(), 422);
    let body: serde_json::Value = resp.json().unwrap();
    server.kill().unwrap();
    server.wait().unwrap();
    assert_eq!(body["error"]["fields"][0]["path"], "agency", "{body}");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.contains("agency ESP does not exist"), "{body}");
}

#[test]
fn a_list_cut_at_its_limit_says_how_to_get_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d");
    ok(&vigil(&data, &["agency", "add", "FRA", "--name", "France"]));
    let file = dir.path().join("records.json");
    let records: Vec<serde_json::Value> = (0..5)
        .map(|i| serde_json::json!({"reference": format!("FR-{i}"), "names": [{"full": format!("Person Number{i}")}]}))
        .collect();
    std::fs::write(&file, serde_json::to_string(&records).unwrap()).unwrap();
    ok(&vigil(
        &data,
        &["record", "add", file.to_str().unwrap(), "--owner", "FRA"],
    ));

    let out = vigil(&data, &["record", "list", "--limit", "2"]);
    let listed = ok(&out);
    assert_eq!(listed.lines().count(), 2);
    let last = listed.lines().last().unwrap().split('\t').next().unwrap();
    let notice = String::from_utf8_lossy(&out.stderr);
    assert!(
        notice.contains(&format!("--cursor {last}")) && notice.contains("--all"),
        "{notice}"
    );

    let out = vigil(&data, &["record", "list", "--limit", "2", "--cursor", last]);
    assert_eq!(ok(&out).lines().count(), 2);
    assert!(String::from_utf8_lossy(&out.stderr).contains("--cursor"));
    let out = vigil(&data, &["record", "list", "--limit", "5"]);
    assert_eq!(ok(&out).lines().count(), 5);
    assert!(out.stderr.is_empty(), "nothing more, nothing said");
    let out = vigil(&data, &["record", "list", "--all"]);
    assert_eq!(ok(&out).lines().count(), 5);
    assert!(out.stderr.is_empty());
}

#[test]
fn screen_manifest_says_which_traveller_matched_which_record() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d");
    ok(&vigil(
        &data,
        &["agency", "add", "DEU", "--name", "Germany"],
    ));
    let file = dir.path().join("records.json");
    std::fs::write(
        &file,
        r#"[{"reference":"DE-1","names":[{"full":"Jürgen Oemer Müller-Lüdenscheidt"}],"birth_dates":["1985-08-12"]},
            {"reference":"DE-2","names":[{"full":"Anna Maria Eriksson"}],"birth_dates":["1974-08-12"],
             "documents":[{"number":"L898902C3","country":"UTO"}],"policy":{"disclosure":"hit_only"}}]"#,
    )
    .unwrap();
    let added = ok(&vigil(
        &data,
        &["record", "add", file.to_str().unwrap(), "--owner", "DEU"],
    ));
    let ids: Vec<&str> = added
        .lines()
        .map(|l| l.split('\t').next().unwrap())
        .collect();
    let manifest = dir.path().join("manifest.json");
    std::fs::write(
        &manifest,
        r#"{"travellers":[
            {"names":["Nobody Atall"]},
            {"names":["Juergen Mueller Luedenscheidt"],"birth_date":"1985-08-12"},
            {"given_names":"Anna Maria","surname":"Eriksson","birth_date":"1974-08-12",
             "documents":[{"number":"L898902C3","country":"UTO"}]}]}"#,
    )
    .unwrap();
    let out = ok(&vigil(
        &data,
        &["screen-manifest", manifest.to_str().unwrap()],
    ));
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines[0].starts_with("manifest man_"), "{out}");
    assert!(
        lines[0].contains("3 travellers") && lines[0].contains("2 hits"),
        "{out}"
    );
    assert!(
        !out.contains("Nobody"),
        "travellers without a match are not listed: {out}"
    );
    assert_eq!(
        lines[1], "traveller 1: Juergen Mueller Luedenscheidt, born 1985-08-12",
        "{out}"
    );
    assert!(
        lines[2].starts_with(&format!(
            "  record {} of DEU, reference DE-1: score ",
            ids[0]
        )),
        "{out}"
    );
    assert!(lines[2].ends_with(", alert"), "{out}");
    assert_eq!(
        lines[3], "traveller 2: Anna Maria Eriksson, passport L898902C3 (UTO), born 1974-08-12",
        "{out}"
    );
    // Hit-only: whose it is and whom to contact, no score.
    assert_eq!(
        lines[4],
        format!(
            "  record {} of DEU, reference DE-2: hit-only, Contact the owner agency DEU quoting reference DE-2.",
            ids[1]
        ),
        "{out}"
    );
    assert_eq!(lines.len(), 5, "{out}");

    // A PAXLST flight names its travellers the same way.
    let paxlst = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/flight.edi");
    let out = ok(&vigil(
        &data,
        &["screen-manifest", paxlst.to_str().unwrap()],
    ));
    assert!(
        out.contains("traveller 0: JUERGEN OEMER MUELLER-LUEDENSCHEIDT"),
        "{out}"
    );
    assert!(out.contains("reference DE-2: hit-only"), "{out}");
}
