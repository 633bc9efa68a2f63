//! Identity links, the gap report and statistics as a user drives them:
//! records added with the CLI, `vigil xref`, `vigil links list/decide`,
//! `vigil gaps`, `vigil stats`, then the same over HTTP against
//! `vigil serve`, which detects links on writes itself.

mod common;

use common::{start, vigil};
use serde_json::Value;

fn lines(out: &str) -> Vec<Value> {
    out.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn token(data: &std::path::Path, agency: &str, role: &str) -> String {
    common::token_secret(data, agency, role, &[])
}

#[test]
fn links_are_found_judged_and_counted_from_the_cli_and_over_http() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d");
    vigil(&data, &["init"]);
    for a in ["FRA", "DEU"] {
        vigil(&data, &["agency", "add", a, "--name", a]);
    }
    let fra = dir.path().join("fra.json");
    std::fs::write(
        &fra,
        r#"{"reference":"F1","names":[{"full":"Jürgen Schmidt"}],"birth_dates":["1980-03-04"],"documents":[{"number":"C01X00T47","country":"DEU"}]}
{"reference":"F2","names":[{"full":"Amal Haddad"}],"birth_dates":["1990-01-02"]}
{"reference":"F3","names":[{"full":"Tomasz Wojcik"}],"birth_dates":["1970-05-05"]}"#,
    )
    .unwrap();
    let deu = dir.path().join("deu.json");
    std::fs::write(
        &deu,
        r#"{"reference":"D1","names":[{"full":"JUERGEN SCHMIT"}],"birth_dates":["1980-03-04"],"documents":[{"number":"C01X00T47"}]}
{"reference":"D2","names":[{"full":"Amal Hadad"}],"birth_dates":["1990-01-02"]}"#,
    )
    .unwrap();
    let data = data.as_path();
    vigil(
        data,
        &["record", "add", "--owner", "FRA", fra.to_str().unwrap()],
    );
    vigil(
        data,
        &["record", "add", "--owner", "DEU", deu.to_str().unwrap()],
    );

    let summary: Value = serde_json::from_str(&vigil(data, &["xref", "--json"])).unwrap();
    assert_eq!(summary["records"], 5);
    assert_eq!(summary["white"], 1);
    assert_eq!(summary["yellow"], 1);

    let yellow = lines(&vigil(
        data,
        &["links", "list", "--state", "yellow", "--json"],
    ));
    assert_eq!(yellow.len(), 1);
    let link = &yellow[0];
    assert_eq!(link["records"].as_array().unwrap().len(), 2);
    assert!(link["score"].as_f64().unwrap() >= 0.6);
    assert!(link["cluster"].is_null());
    let id = link["id"].to_string();
    let white = lines(&vigil(
        data,
        &["links", "list", "--state", "white", "--json"],
    ));
    assert!(white[0]["cluster"].is_i64());

    let decided = vigil(
        data,
        &[
            "links",
            "decide",
            &id,
            "--state",
            "white",
            "--note",
            "same passport photo",
            "--agency",
            "DEU",
        ],
    );
    assert!(decided.contains("\"white\""));
    assert_eq!(
        lines(&vigil(
            data,
            &["links", "list", "--state", "white", "--json"]
        ))
        .len(),
        2
    );

    let gaps: Value =
        serde_json::from_str(&vigil(data, &["gaps", "--between", "FRA", "DEU", "--json"])).unwrap();
    assert_eq!(
        (&gaps["only_in_a"], &gaps["only_in_b"], &gaps["in_both"]),
        (&Value::from(1), &Value::from(0), &Value::from(2))
    );
    assert_eq!(gaps["lists"]["only_in_a"][0]["a"][0]["reference"], "F3");
    let csv = vigil(data, &["gaps", "--between", "FRA", "DEU", "--csv"]);
    assert!(csv.starts_with("list,country,category,differs,records_a,records_b"));
    assert!(csv.contains("only_in_a,1"));

    let stats: Value = serde_json::from_str(&vigil(data, &["stats", "--json"])).unwrap();
    assert_eq!(stats["records"]["FRA"]["active"], 3);
    assert_eq!(stats["links"]["white"], 2);

    // Over HTTP, with detection on the server's own writes.
    let fra_contributor = token(data, "FRA", "contributor");
    let deu_analyst = token(data, "DEU", "analyst");
    let fra_analyst = token(data, "FRA", "analyst");
    let (mut server, url) = start(data);
    let client = reqwest::blocking::Client::new();
    let created = client
        .post(format!("{url}/v1/records"))
        .bearer_auth(&fra_contributor)
        .header("x-vigil-purpose", "test")
        .json(&serde_json::json!({"reference": "F4", "names": [{"full": "Amal Haddad"}], "birth_dates": ["1990-01-02"], "documents": [{"number": "ZZ1234567"}]}))
        .send()
        .unwrap();
    assert!(created.status().is_success(), "{}", created.text().unwrap());
    let get = |path: &str, secret: &str| -> (u16, String) {
        let r = client
            .get(format!("{url}{path}"))
            .bearer_auth(secret)
            .header("x-vigil-purpose", "test")
            .send()
            .unwrap();
        (r.status().as_u16(), r.text().unwrap())
    };
    // Detected at the write, or by the server's follower within a second.
    let mut page = Value::Null;
    for _ in 0..50 {
        let (status, body) = get("/v1/links?state=yellow&responsible=FRA", &fra_analyst);
        assert_eq!(status, 200, "{body}");
        page = serde_json::from_str(&body).unwrap();
        if page["count"].as_u64().unwrap() >= 1 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert_eq!(page["count"], 1, "{page}");
    let new_id = page["items"][0]["id"].clone();
    let (status, body) = get(&format!("/v1/links/{new_id}"), &fra_analyst);
    assert_eq!(status, 200, "{body}");
    let detail: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(detail["records"].as_array().unwrap().len(), 2);
    // FRA reviews its new record's candidate; DEU undoes the white link it
    // made from the CLI; an unknown link is not found.
    let decide = |id: &Value, state: &str, secret: &str| {
        client
            .post(format!("{url}/v1/links/{id}/decision"))
            .bearer_auth(secret)
            .header("x-vigil-purpose", "test")
            .json(&serde_json::json!({"state": state, "note": "checked"}))
            .send()
            .unwrap()
            .status()
            .as_u16()
    };
    assert_eq!(decide(&new_id, "green", &fra_analyst), 200);
    let white_id: Value = serde_json::from_str::<Value>(&id).unwrap();
    assert_eq!(decide(&white_id, "green", &deu_analyst), 200);
    assert_eq!(decide(&Value::from(987_654), "green", &deu_analyst), 404);
    let (status, csv) = get("/v1/gaps?a=FRA&b=DEU&format=csv", &fra_analyst);
    assert_eq!(status, 200);
    assert!(csv.contains("count,value"));
    let (status, body) = get("/v1/stats", &fra_analyst);
    assert_eq!(status, 200, "{body}");
    let stats: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(stats["records"]["FRA"]["active"], 4);
    server.kill().unwrap();
    server.wait().unwrap();
}
