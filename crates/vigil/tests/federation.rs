//! Two organisations' instances as real processes on loopback ports chosen
//! at run time: INTERPOL's owners write records with random release rules
//! for EUROPOL over HTTP, EUROPOL's server pulls INTERPOL's feed every 200
//! ms, and either server is killed with SIGKILL at random moments, mid-sync
//! or not, and restarted. Afterwards EUROPOL holds exactly the records
//! INTERPOL's rules release to it, at the released level, once each.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Child;
use std::time::{Duration, Instant};

use common::{start_with, vigil};
use rand::Rng;
use vigil_core::access::{self, Release};
use vigil_core::{Access, AgencyCode, Disclosure, RecordStatus, Visibility};
use vigil_store::prelude::*;
use vigil_store::{RecordFilter, SqliteStore};

/// `vigil serve` on `listen`, pulling peers every `sync` seconds.
fn serve(data: &Path, listen: &str, sync: &str) -> Option<(Child, String)> {
    start_with(data, &["--listen", listen, "--sync-interval", sync])
}

/// A server restarted on the port it had, so that its peer's registration
/// still points at it.
fn restart(data: &Path, url: &str, sync: &str) -> Child {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some((child, _)) = serve(data, url.trim_start_matches("http://"), sync) {
            return child;
        }
        assert!(Instant::now() < deadline, "cannot listen on {url} again");
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn org_key(data: &Path) -> String {
    let org: serde_json::Value =
        serde_json::from_str(&vigil(data, &["org", "show", "--json"])).unwrap();
    org["public_key"].as_str().unwrap().to_string()
}

fn token(data: &Path, agency: &str, role: &str) -> String {
    common::token_secret(data, agency, role, &[])
}

/// Origin reference → (level, agencies) of what INTERPOL releases to EUROPOL.
fn released(data: &Path) -> BTreeMap<String, (Access, Vec<AgencyCode>)> {
    let store = SqliteStore::open(data).unwrap();
    let europol = AgencyCode::parse("EUROPOL").unwrap();
    let records = store
        .records_page(&RecordFilter::default(), None, 100_000)
        .unwrap();
    records
        .into_iter()
        .filter_map(|r| match access::release_to(&r, &europol) {
            Release::Copy { level, agencies } => Some((
                format!("{}/{}", r.owner, r.draft.reference),
                (level, agencies),
            )),
            _ => None,
        })
        .collect()
}

/// The same, as EUROPOL holds it: every active copy, once.
fn held(data: &Path) -> BTreeMap<String, (Access, Vec<AgencyCode>)> {
    let store = SqliteStore::open(data).unwrap();
    let mut out = BTreeMap::new();
    for r in store
        .records_page(&RecordFilter::default(), None, 100_000)
        .unwrap()
    {
        if r.owner.organisation() != Some("INTERPOL") || r.status != RecordStatus::Active {
            continue;
        }
        let level = match r.draft.policy.disclosure {
            Disclosure::Full => Access::Full,
            Disclosure::HitOnly => Access::HitOnly,
        };
        let agencies = match r.draft.policy.visibility {
            Visibility::Only(list) => list,
            _ => vec![],
        };
        let key = format!("{}/{}", r.owner.local_part(), r.draft.reference);
        assert!(
            out.insert(key.clone(), (level, agencies)).is_none(),
            "{key} held twice"
        );
    }
    out
}

#[test]
fn the_receiver_holds_exactly_what_is_released_across_kills() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("interpol"), dir.path().join("europol"));
    for (data, org, agencies) in [
        (&a, "INTERPOL", ["FRA", "DEU"]),
        (&b, "EUROPOL", ["FRA", "NLD"]),
    ] {
        vigil(data, &["org", "init", org, "--name", org]);
        for agency in agencies {
            vigil(data, &["agency", "add", agency, "--name", agency]);
        }
    }
    let writers = [
        token(&a, "FRA", "contributor"),
        token(&a, "DEU", "contributor"),
    ];
    let screener = token(&b, "NLD", "screener");
    // INTERPOL does not pull (nothing is released to it); EUROPOL every 200 ms.
    let (mut server_a, url_a) = serve(&a, "127.0.0.1:0", "0").expect("INTERPOL serves");
    let (mut server_b, url_b) = serve(&b, "127.0.0.1:0", "0.2").expect("EUROPOL serves");
    vigil(
        &a,
        &[
            "peer",
            "add",
            "EUROPOL",
            "--url",
            &url_b,
            "--key",
            &org_key(&b),
        ],
    );
    vigil(
        &b,
        &[
            "peer",
            "add",
            "INTERPOL",
            "--url",
            &url_a,
            "--key",
            &org_key(&a),
        ],
    );

    let client = reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    let mut rng = rand::thread_rng();
    let mut ids: BTreeMap<(usize, usize), String> = BTreeMap::new();
    let levels = ["none", "query", "hit_only", "full"];
    for round in 0..8 {
        for _ in 0..rng.gen_range(5..25) {
            let (w, n) = (rng.gen_range(0..2), rng.gen_range(0..12));
            let level = levels[rng.gen_range(0..4)];
            let only_nld = level.ends_with("full") || level == "hit_only";
            let mut rule = serde_json::json!({"org": "EUROPOL", "level": level});
            if only_nld && rng.gen_bool(0.3) {
                rule["agencies"] = serde_json::json!(["NLD"]);
            }
            let body = serde_json::json!({
                "reference": format!("R-{n}"),
                "names": [{"full": format!("Person Number{n} Example")}],
                "notes": ["a case note"],
                "policy": {"release": [rule]},
            });
            let request = match ids.get(&(w, n)) {
                Some(id) if rng.gen_bool(0.15) => {
                    client.post(format!("{url_a}/v1/records/{id}/retire"))
                }
                Some(id) => client.put(format!("{url_a}/v1/records/{id}")).json(&body),
                None => client.post(format!("{url_a}/v1/records")).json(&body),
            };
            let answer = request
                .bearer_auth(&writers[w])
                .header("x-vigil-purpose", "federation test")
                .send();
            // A write that got no answer (the server was being killed) may
            // or may not be stored: the check below reads what is.
            if let Ok(r) = answer {
                if r.status().is_success() && !ids.contains_key(&(w, n)) {
                    let v: serde_json::Value = r.json().unwrap();
                    ids.insert((w, n), v["id"].as_str().unwrap().to_string());
                }
            }
        }
        // A NLD officer at EUROPOL screens a few of the names: hits on
        // copies go home to INTERPOL.
        for _ in 0..3 {
            let n = rng.gen_range(0..12);
            let _ = client
                .post(format!("{url_b}/v1/screen"))
                .bearer_auth(&screener)
                .header("x-vigil-purpose", "border check")
                .json(&serde_json::json!({"traveller": {"names": [format!("Person Number{n} Example")]}}))
                .send();
        }
        std::thread::sleep(Duration::from_millis(rng.gen_range(50..400)));
        // Kill one side, mid-sync or not, and bring it back.
        if round % 2 == 0 {
            server_a.kill().unwrap();
            server_a.wait().unwrap();
            server_a = restart(&a, &url_a, "0");
        } else {
            server_b.kill().unwrap();
            server_b.wait().unwrap();
            server_b = restart(&b, &url_b, "0.2");
        }
    }
    // A record kept home for queries: EUROPOL's screening is forwarded to
    // INTERPOL and answered hit/no-hit, the hit stored at home.
    let kept = serde_json::json!({
        "reference": "KEPT-HOME",
        "names": [{"full": "Zebulon Quartermaine Oyelaran"}],
        "policy": {"release": [{"org": "EUROPOL", "level": "query"}], "instruction": "Call INTERPOL's desk."},
    });
    let created = client
        .post(format!("{url_a}/v1/records"))
        .bearer_auth(&writers[0])
        .header("x-vigil-purpose", "federation test")
        .json(&kept)
        .send()
        .unwrap();
    assert!(created.status().is_success());
    let deadline = Instant::now() + Duration::from_secs(20);
    let answered = loop {
        let r: serde_json::Value = client
            .post(format!("{url_b}/v1/screen"))
            .bearer_auth(&screener)
            .header("x-vigil-purpose", "border check")
            .json(&serde_json::json!({"traveller": {"names": ["Zebulon Quartermaine Oyelaran"]}}))
            .send()
            .unwrap()
            .json()
            .unwrap();
        let text = r.to_string();
        if text.contains("KEPT-HOME") {
            break r;
        }
        assert!(
            Instant::now() < deadline,
            "the query was never answered: {text}"
        );
        std::thread::sleep(Duration::from_millis(200));
    };
    let text = answered.to_string();
    assert!(
        text.contains("FRA@INTERPOL") && text.contains("Call INTERPOL's desk."),
        "{text}"
    );
    // Stop EUROPOL's server and finish with one `vigil sync`, then compare.
    server_b.kill().unwrap();
    server_b.wait().unwrap();
    vigil(&b, &["sync", "--peer", "INTERPOL"]);
    server_a.kill().unwrap();
    server_a.wait().unwrap();
    let (want, got) = (released(&a), held(&b));
    assert!(!want.is_empty(), "the random writes released something");
    assert_eq!(got, want);
    let status: serde_json::Value =
        serde_json::from_str(&vigil(&b, &["peer", "status", "--json"])).unwrap();
    let s = &status[0];
    assert_eq!(s["peer"], "INTERPOL");
    assert_eq!(s["lag"], 0);
    assert_eq!(s["received"].as_u64().unwrap() as usize, want.len());
    assert_eq!(s["quarantined"], 0);
    assert!(s["last_error"].is_null(), "{s}");
    assert_eq!(s["applied_seq"], s["head"]);
    // The receiver's export includes the copies, each with its origin.
    let export = vigil(&b, &["export", "--format", "ftm"]);
    let with_origin = export
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|e| e["origin"]["org"] == "INTERPOL")
        .count();
    assert_eq!(with_origin, want.len());
    // Every hit on a copy at EUROPOL reached INTERPOL once, as a hit of
    // the record's owner screened by NLD@EUROPOL.
    let (at_b, at_a) = (
        SqliteStore::open(&b).unwrap(),
        SqliteStore::open(&a).unwrap(),
    );
    let on_copies: Vec<_> = at_b
        .hits(&vigil_store::HitFilter {
            limit: 100_000,
            ..Default::default()
        })
        .unwrap()
        .into_iter()
        .filter(|h| h.owner.organisation() == Some("INTERPOL"))
        .collect();
    let home: Vec<_> = at_a
        .hits(&vigil_store::HitFilter {
            limit: 100_000,
            ..Default::default()
        })
        .unwrap()
        .into_iter()
        .filter(|h| h.screening_agency.as_str() == "NLD@EUROPOL")
        .collect();
    let (home, asked): (Vec<_>, Vec<_>) = home
        .into_iter()
        .partition(|h| h.context.api.as_deref() == Some("peer_copy"));
    for h in &asked {
        assert_eq!(h.context.api.as_deref(), Some("peer_query"));
    }
    assert!(!on_copies.is_empty(), "the officer's screenings hit copies");
    assert_eq!(
        home.len(),
        on_copies.len(),
        "each hit on a copy arrived once"
    );
    for h in &home {
        assert!(h.owner.organisation().is_none());
    }
    drop((at_a, at_b));
    // Both audit chains still verify.
    for data in [&a, &b] {
        assert!(vigil(data, &["audit", "verify"]).contains("audit chain intact"));
    }
}
