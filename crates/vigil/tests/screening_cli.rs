//! Screening from the CLI: `vigil mrz`, `vigil score`, `vigil screen` and
//! `vigil screen-manifest` on a real database.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

fn vigil_in(data: &Path, args: &[&str], stdin: &str) -> Output {
    let data = data.to_str().unwrap();
    run(&[args, &["--data", data]].concat(), stdin)
}

fn run(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_vigil"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

/// A fresh data directory with agency DEU and `records` (JSON) added as its records.
fn german_records(records: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("d");
    ok(vigil_in(
        &d,
        &["agency", "add", "DEU", "--name", "Germany"],
        "",
    ));
    let file = dir.path().join("r.json");
    std::fs::write(&file, records).unwrap();
    ok(vigil_in(
        &d,
        &["record", "add", file.to_str().unwrap(), "--owner", "DEU"],
        "",
    ));
    (dir, d)
}

fn ok(out: Output) -> String {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).to_string()
}

const TD3: [&str; 2] = [
    "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
    "L898902C36UTO7408122F1204159ZE184226B<<<<<10",
];

#[test]
fn mrz_prints_fields_and_names_the_failing_check_digit() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let out = ok(vigil_in(d, &["mrz", "--json", TD3[0], TD3[1]], ""));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["document_type"], "P");
    assert_eq!(v["issuing_state"], "UTO");
    assert_eq!(v["document_number"], "L898902C3");
    assert_eq!(v["surname"], "ERIKSSON");
    assert_eq!(v["given_names"], "ANNA MARIA");
    assert_eq!(v["birth_date"], "1974-08-12");
    assert_eq!(v["expiry_date"], "2012-04-15");
    assert_eq!(v["sex"], "F");
    // From stdin too.
    ok(vigil_in(d, &["mrz", "--json"], &TD3.join("\n")));
    // Off by 5, the check digit's error cannot be told from the number's.
    let bad = TD3[1].replace("L898902C36", "L898902C31");
    let out = vigil_in(d, &["mrz", TD3[0], &bad], "");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("document_number"));
}

#[test]
fn score_adds_score_and_match_columns() {
    let csv = "case,name1,name2\n1,Mohammed Ali,Muhammad Ali\n2,George Bush,George Habbash\n";
    let out = ok(run(&["score"], csv));
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "case,name1,name2,score,match");
    assert!(lines[1].ends_with(",true"), "{}", lines[1]);
    assert!(lines[2].ends_with(",false"), "{}", lines[2]);
    let out = run(&["score"], "a,b\nx,y\n");
    assert!(!out.status.success());
}

#[test]
fn screen_and_screen_manifest_find_planted_people() {
    let (_dir, d) = german_records(
        r#"[{"reference":"DE-1","names":[{"full":"Jürgen Oemer Müller-Lüdenscheidt"}],"birth_dates":["1985-08-12"]},
            {"reference":"DE-2","names":[{"full":"Anna Maria Eriksson"}],"birth_dates":["1974-08-12"],"documents":[{"number":"L898902C3","country":"UTO"}]}]"#,
    );

    let queries = "{\"id\":\"q1\",\"schema\":\"Person\",\"properties\":{\"name\":[\"Juergen Mueller Luedenscheidt\"],\"birthDate\":[\"1985-08-12\"]}}\n\
                   {\"id\":\"q2\",\"schema\":\"Person\",\"properties\":{\"name\":[\"Nobody Atall\"]}}\n";
    let out = ok(vigil_in(&d, &["screen", "--limit", "3"], queries));
    let lines: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines[0]["query"], "q1");
    assert_eq!(lines[0]["results"][0]["reference"], "DE-1");
    assert_eq!(lines[0]["results"][0]["match"], true);
    assert_eq!(lines[1]["query"], "q2");
    assert!(lines[1]["results"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["match"] == false));

    let paxlst = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/flight.edi");
    let out = ok(vigil_in(
        &d,
        &["screen-manifest", paxlst.to_str().unwrap(), "--json"],
        "",
    ));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["travellers"], 2);
    assert_eq!(v["passengers"], 1);
    assert_eq!(v["crew"], 1);
    assert_eq!(v["legs"], 1);
    assert_eq!(v["hits"], 2);
    assert!(v["diagnostics"].is_array());
}

#[test]
fn screen_answers_every_query_in_order_and_audits_each_one() {
    let (_dir, d) = german_records(
        r#"[{"reference":"DE-1","names":[{"full":"Jürgen Oemer Müller-Lüdenscheidt"}],"birth_dates":["1985-08-12"]}]"#,
    );
    // More queries than one chunk, a listed person now and then, one bad line.
    let mut queries = String::new();
    for i in 0..600 {
        if i == 300 {
            queries.push_str("not json\n");
        }
        let name = if i % 100 == 7 {
            "Juergen Mueller Luedenscheidt".to_string()
        } else {
            format!("Traveller Number{i}")
        };
        queries.push_str(&format!(
            "{{\"id\":\"q{i}\",\"schema\":\"Person\",\"properties\":{{\"name\":[\"{name}\"],\"birthDate\":[\"1985-08-12\"]}}}}\n"
        ));
    }
    let out = vigil_in(&d, &["screen"], &queries);
    assert!(!out.status.success(), "the bad line fails the run");
    assert!(String::from_utf8_lossy(&out.stderr).contains("line 301: not JSON"));
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 600);
    for (i, line) in lines.iter().enumerate() {
        assert_eq!(line["query"], format!("q{i}"));
        let listed = line["results"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["reference"] == "DE-1" && r["match"] == true);
        assert_eq!(listed, i % 100 == 7, "q{i}: {line}");
    }
    let audit = ok(vigil_in(&d, &["audit", "list", "--limit", "10000"], ""));
    let screened = audit
        .lines()
        .filter(|l| l.contains("\"screen.operator\""))
        .count();
    assert_eq!(screened, 600, "one audit entry per query");
    ok(vigil_in(&d, &["audit", "verify"], ""));
}
