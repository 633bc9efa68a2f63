//! At the border, end to end through the real router and database: MRZ
//! screening, whole-flight PAXLST screening with planted travellers, hidden
//! records that notify their owner without showing anything, the hit
//! workflow with false-positive suppression, re-screening, webhooks with
//! signatures and retries, and import/export.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::StatusCode;
use common::{Harness, TD3};
use serde_json::json;

const PAXLST: &str = "UNA:+.? '
UNB+UNOA:4+XYAIRLINE:ZZ+FRAPIU:ZZ+160405:1000+000000001++APIS'
UNG+PAXLST+XY AIRLINES+FRAPIU+160405:1000+1+UN+D:05B'
UNH+PAX001+PAXLST:D:05B:UN:IATA+API01+01:F'
BGM+745'
NAD+MS+++DUPONT:MARIE'
COM+33123456789:TE'
TDT+20+XY123+++XY'
LOC+125+IST'
DTM+189:1604051030:201'
LOC+87+CDG'
DTM+232:1604051400:201'
NAD+FL+++MUELLER-LUEDENSCHEIDT:JUERGEN:OEMER'
ATT+2++M'
DTM+329:850812'
LOC+178+IST'
LOC+179+CDG'
NAT+2+UTO'
RFF+AVF:ABC123'
DOC+P:110:111+C01X00T47'
DTM+36:310314'
LOC+91+UTO'
CNT+42:1'
UNT+21+PAX001'
UNE+1+1'
UNZ+1+000000001'
";

fn eriksson() -> serde_json::Value {
    json!({
        "reference": "FR-ERIKSSON",
        "category": "foreign_terrorist_fighter",
        "names": [{"full": "Anna Maria Eriksson", "given": "Anna Maria", "family": "Eriksson"}],
        "birth_dates": ["1974-08-12"],
        "nationalities": ["UTO"],
        "gender": "female",
        "documents": [{"kind": "passport", "number": "L898902C3", "country": "UTO"}],
    })
}

fn mueller(policy: serde_json::Value) -> serde_json::Value {
    json!({
        "reference": "DE-MUELLER",
        "names": [{"full": "Jürgen Oemer Müller-Lüdenscheidt"}],
        "birth_dates": ["1985-08-12"],
        "nationalities": ["UTO"],
        "policy": policy,
    })
}

#[tokio::test]
async fn a_passport_mrz_is_screened_and_the_owner_gets_the_hit() {
    let h = Harness::new();
    let id = h.create("FRA", eriksson()).await;
    let r = h
        .call(
            "POST",
            "/v1/screen/mrz",
            Some(&h.token("DEU", "screener")),
            Some(&json!({"mrz": TD3, "context": {"border_post": "BER T1"}}).to_string()),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    let v = r.json();
    assert_eq!(v["mrz"]["surname"], "ERIKSSON");
    assert_eq!(v["results"][0]["id"], id.as_str());
    assert_eq!(v["results"][0]["match"], true);
    assert_eq!(v["hits"], 1);
    let inbox = h
        .call(
            "GET",
            "/v1/hits?status=new",
            Some(&h.token("FRA", "analyst")),
            None,
        )
        .await
        .json();
    let hits = inbox["hits"].as_array().unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0]["screening_agency"], "DEU");
    assert_eq!(hits[0]["context"]["border_post"], "BER T1");
    assert_eq!(hits[0]["purpose"], "test");

    let bad = TD3.replace("7408122F", "7408123F");
    let r = h
        .call(
            "POST",
            "/v1/screen/mrz",
            Some(&h.token("DEU", "screener")),
            Some(&json!({"mrz": bad}).to_string()),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(String::from_utf8_lossy(&r.body).contains("birth_date"));
}

#[tokio::test]
async fn a_flight_is_screened_and_stored_with_its_results() {
    let h = Harness::new();
    h.create("DEU", mueller(json!({"visibility": "all"}))).await;
    let r = h
        .call_as(
            "POST",
            "/v1/manifests",
            Some(&h.token("FRA", "screener")),
            Some(PAXLST),
            "text/plain",
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::CREATED,
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    let s = r.json();
    assert_eq!(
        (
            s["travellers"].as_u64(),
            s["passengers"].as_u64(),
            s["crew"].as_u64(),
            s["legs"].as_u64()
        ),
        (Some(1), Some(1), Some(0), Some(1))
    );
    assert_eq!(s["hits"], 1);
    let link = s["link"].as_str().unwrap();
    let detail = h
        .call("GET", link, Some(&h.token("FRA", "screener")), None)
        .await;
    assert_eq!(detail.status, StatusCode::OK);
    assert_eq!(detail.json()["results"][0]["results"][0]["match"], true);
    // Another agency cannot read this manifest.
    assert_eq!(
        h.call("GET", link, Some(&h.token("ITA", "screener")), None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    // Garbage is rejected with a position, never a panic.
    let r = h
        .call_as(
            "POST",
            "/v1/manifests",
            Some(&h.token("FRA", "screener")),
            Some("\u{1}\u{2}garbage"),
            "text/plain",
        )
        .await;
    assert!(r.status.is_client_error());
}

#[tokio::test]
async fn a_hidden_record_shows_nothing_but_its_owner_is_notified() {
    let h = Harness::new();
    h.create("DEU", mueller(json!({"visibility": {"except": ["FRA"]}})))
        .await;
    let r = h
        .call_as(
            "POST",
            "/v1/manifests",
            Some(&h.token("FRA", "screener")),
            Some(PAXLST),
            "text/plain",
        )
        .await;
    let s = r.json();
    assert_eq!(s["hits"], 0, "the screener sees no hit");
    let detail = h
        .call(
            "GET",
            s["link"].as_str().unwrap(),
            Some(&h.token("FRA", "screener")),
            None,
        )
        .await
        .json();
    assert_eq!(detail["results"][0]["results"].as_array().unwrap().len(), 0);
    let mine = h
        .call(
            "GET",
            "/v1/hits?side=screener",
            Some(&h.token("FRA", "screener")),
            None,
        )
        .await
        .json();
    assert_eq!(mine["hits"].as_array().unwrap().len(), 0);
    // ... while the owner knows.
    let inbox = h
        .call("GET", "/v1/hits", Some(&h.token("DEU", "analyst")), None)
        .await
        .json();
    let hits = inbox["hits"].as_array().unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0]["disclosed"], "hidden");
    assert_eq!(hits[0]["screening_agency"], "FRA");
}

#[tokio::test]
async fn a_record_made_visible_then_hidden_again_is_screened_by_its_current_policy() {
    let h = Harness::new();
    let id = h
        .create("DEU", mueller(json!({"visibility": {"except": ["FRA"]}})))
        .await;
    let traveller = json!({"traveller": {"surname": "MUELLER LUEDENSCHEIDT", "given_names": "JUERGEN OEMER", "birth_date": "1985-08-12"}}).to_string();
    let owner_hits = || async {
        h.call("GET", "/v1/hits", Some(&h.token("DEU", "analyst")), None)
            .await
            .json()["hits"]
            .as_array()
            .unwrap()
            .len()
    };
    let screen = || async {
        let v = h
            .call(
                "POST",
                "/v1/screen",
                Some(&h.token("FRA", "screener")),
                Some(&traveller),
            )
            .await
            .json();
        (
            v["hits"].as_u64().unwrap(),
            v["results"].as_array().unwrap().len(),
        )
    };
    let put = |policy: serde_json::Value| {
        let id = id.clone();
        let h = &h;
        async move {
            let r = h
                .call(
                    "PUT",
                    &format!("/v1/records/{id}"),
                    Some(&h.token("DEU", "contributor")),
                    Some(&mueller(policy).to_string()),
                )
                .await;
            assert!(r.status.is_success(), "{}", r.json());
        }
    };
    assert_eq!(screen().await, (0, 0), "hidden from FRA");
    assert_eq!(owner_hits().await, 1, "the owner is notified");
    put(json!({"visibility": "all"})).await;
    assert_eq!(screen().await, (1, 1), "visible to FRA now");
    assert_eq!(owner_hits().await, 2);
    put(json!({"visibility": {"except": ["FRA"]}})).await;
    assert_eq!(screen().await, (0, 0), "hidden from FRA again");
    assert_eq!(owner_hits().await, 3, "the owner is notified again");
}

/// Issue 12, finding 5: after the owner excludes an agency, that agency's
/// past hits, stored flights and audit log keep that a hit happened and
/// whom to contact — no record id, reference, score or decision.
#[tokio::test]
async fn a_past_disclosure_keeps_only_the_hit_and_the_contact_once_the_owner_hides_the_record() {
    let h = Harness::new();
    let id = h.create("DEU", mueller(json!({"visibility": "all"}))).await;
    let fra = h.token("FRA", "analyst");
    let flight = h
        .call_as(
            "POST",
            "/v1/manifests",
            Some(&h.token("FRA", "screener")),
            Some(PAXLST),
            "text/plain",
        )
        .await
        .json();
    assert_eq!(flight["hits"], 1);
    let link = flight["link"].as_str().unwrap().to_string();
    let hits = h
        .call("GET", "/v1/hits?side=screener", Some(&fra), None)
        .await
        .json();
    let hit_id = hits["hits"][0]["id"].as_str().unwrap().to_string();
    assert_eq!(hits["hits"][0]["record"], id.as_str(), "shown in full then");
    let decided = h
        .call(
            "POST",
            &format!("/v1/hits/{hit_id}/decision"),
            Some(&h.token("DEU", "analyst")),
            Some(&json!({"status": "confirmed", "note": "DE case 42"}).to_string()),
        )
        .await;
    assert!(decided.status.is_success(), "{}", decided.json());

    let set_policy = |policy: serde_json::Value| {
        let (h, id) = (&h, id.clone());
        async move {
            let r = h
                .call(
                    "PUT",
                    &format!("/v1/records/{id}"),
                    Some(&h.token("DEU", "contributor")),
                    Some(&mueller(policy).to_string()),
                )
                .await;
            assert!(r.status.is_success(), "{}", r.json());
        }
    };
    let everything_fra_reads = || async {
        let list = h
            .call("GET", "/v1/hits?side=screener", Some(&fra), None)
            .await
            .json();
        // Re-screening the flight after each change finds the hit stored.
        assert_eq!(list["hits"].as_array().unwrap().len(), 1, "{list}");
        let one = h
            .call("GET", &format!("/v1/hits/{hit_id}"), Some(&fra), None)
            .await
            .json();
        let manifest = h.call("GET", &link, Some(&fra), None).await.json();
        let audit = h
            .call("GET", "/v1/audit?limit=1000", Some(&fra), None)
            .await;
        (
            list["hits"][0].clone(),
            one,
            manifest["results"][0]["results"].clone(),
            String::from_utf8_lossy(&audit.body).to_string(),
        )
    };

    // Narrowed to hit-only: the hit-only view, no score, no decision note.
    set_policy(json!({"visibility": "all", "disclosure": "hit_only"})).await;
    let (listed, one, results, _) = everything_fra_reads().await;
    assert_eq!(listed, one);
    assert_eq!(one["disclosure"], "hit_only");
    assert!(
        one.get("score").is_none() && one.get("decision_note").is_none(),
        "{one}"
    );
    assert!(one["instruction"].as_str().unwrap().contains("DE-MUELLER"));
    assert_eq!(results[0]["disclosure"], "hit_only");
    assert!(
        results[0].get("score").is_none() && results[0].get("explanation").is_none(),
        "{results}"
    );

    // Hidden: the hit happened, the owner is DEU, quote the hit.
    set_policy(json!({"visibility": {"except": ["FRA"]}})).await;
    let (listed, one, results, audit) = everything_fra_reads().await;
    assert_eq!(listed, one);
    assert_eq!(one["disclosure"], "withdrawn");
    assert_eq!(
        (one["id"].as_str(), one["owner"].as_str()),
        (Some(hit_id.as_str()), Some("DEU"))
    );
    assert!(one["instruction"].as_str().unwrap().contains(&hit_id));
    assert_eq!(
        one["traveller"]["surname"], "MUELLER-LUEDENSCHEIDT",
        "what FRA sent stays FRA's"
    );
    assert_eq!(results.as_array().unwrap().len(), 1);
    assert_eq!(results[0]["disclosure"], "withdrawn");
    assert_eq!(results[0]["hit_id"], hit_id.as_str());
    for (path, body) in [
        ("hit", one.to_string()),
        ("manifest", results.to_string()),
        ("audit", audit),
    ] {
        for secret in [
            id.as_str(),
            "DE-MUELLER",
            "DE case 42",
            "score",
            "confirmed",
        ] {
            assert!(
                !body.contains(secret),
                "{path} still shows {secret}: {body}"
            );
        }
    }

    // Shown again: a wider policy shows what it allows again.
    set_policy(json!({"visibility": "all"})).await;
    let (_, one, results, _) = everything_fra_reads().await;
    assert_eq!(
        (one["disclosure"].as_str(), one["record"].as_str()),
        (Some("full"), Some(id.as_str()))
    );
    assert_eq!(results[0]["id"], id.as_str());
}

#[tokio::test]
async fn hit_only_records_give_the_screener_owner_reference_and_instruction() {
    let h = Harness::new();
    h.create(
        "DEU",
        mueller(json!({"disclosure": "hit_only", "instruction": "Discreet check."})),
    )
    .await;
    let traveller = json!({"traveller": {"surname": "MUELLER LUEDENSCHEIDT", "given_names": "JUERGEN OEMER", "birth_date": "1985-08-12"}});
    let r = h
        .call(
            "POST",
            "/v1/screen",
            Some(&h.token("ITA", "screener")),
            Some(&traveller.to_string()),
        )
        .await;
    let v = r.json();
    let result = &v["results"][0];
    let mut keys: Vec<_> = result.as_object().unwrap().keys().cloned().collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "disclosure",
            "hit_id",
            "id",
            "instruction",
            "match",
            "owner",
            "reference"
        ]
    );
    assert!(result["instruction"]
        .as_str()
        .unwrap()
        .contains("Discreet check."));
}

#[tokio::test]
async fn a_false_positive_suppresses_repeat_alerts() {
    let h = Harness::new();
    h.create("FRA", eriksson()).await;
    let body = json!({"mrz": TD3}).to_string();
    let first = h
        .call(
            "POST",
            "/v1/screen/mrz",
            Some(&h.token("DEU", "screener")),
            Some(&body),
        )
        .await
        .json();
    let hit_id = first["results"][0]["hit_id"].as_str().unwrap().to_string();
    // The screener cannot decide; the owner's analyst can.
    let decision =
        json!({"status": "false_positive", "note": "different person, checked fingerprints"})
            .to_string();
    let r = h
        .call(
            "POST",
            &format!("/v1/hits/{hit_id}/decision"),
            Some(&h.token("DEU", "screener")),
            Some(&decision),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = h
        .call(
            "POST",
            &format!("/v1/hits/{hit_id}/decision"),
            Some(&h.token("FRA", "analyst")),
            Some(&decision),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["status"], "false_positive");
    // The screening agency sees the outcome.
    let seen = h
        .call(
            "GET",
            &format!("/v1/hits/{hit_id}"),
            Some(&h.token("DEU", "screener")),
            None,
        )
        .await
        .json();
    assert_eq!(seen["status"], "false_positive");
    // Same traveller again: shown, but no alert, and the explanation says why.
    let again = h
        .call(
            "POST",
            "/v1/screen/mrz",
            Some(&h.token("DEU", "screener")),
            Some(&body),
        )
        .await
        .json();
    assert_eq!(again["hits"], 0);
    assert_eq!(again["results"][0]["match"], false);
    assert!(again["results"][0]["suppressed_by"]
        .as_str()
        .unwrap()
        .starts_with("doc:"));
    let inbox = h
        .call(
            "GET",
            "/v1/hits?status=new",
            Some(&h.token("FRA", "analyst")),
            None,
        )
        .await
        .json();
    assert_eq!(inbox["hits"].as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn a_record_added_after_the_flight_rescreens_it() {
    let h = Harness::new();
    let r = h
        .call_as(
            "POST",
            "/v1/manifests",
            Some(&h.token("FRA", "screener")),
            Some(PAXLST),
            "text/plain",
        )
        .await;
    assert_eq!(r.json()["hits"], 0);
    h.create("DEU", mueller(json!({"visibility": "all"}))).await;
    let inbox = h
        .call("GET", "/v1/hits", Some(&h.token("DEU", "analyst")), None)
        .await
        .json();
    let hits = inbox["hits"].as_array().unwrap();
    assert_eq!(hits.len(), 1, "{inbox}");
    assert_eq!(hits[0]["context"]["rescreen"], true);
    assert_eq!(hits[0]["screening_agency"], "FRA");
    // Changing the record again does not alert twice for the same traveller.
    let mut changed = mueller(json!({"visibility": "all"}));
    changed["notes"] = json!(["updated"]);
    let id = hits[0]["record"].as_str().unwrap();
    h.call(
        "PUT",
        &format!("/v1/records/{id}"),
        Some(&h.token("DEU", "contributor")),
        Some(&changed.to_string()),
    )
    .await;
    let inbox = h
        .call("GET", "/v1/hits", Some(&h.token("DEU", "analyst")), None)
        .await
        .json();
    assert_eq!(inbox["hits"].as_array().unwrap().len(), 1);
}

/// A re-screening hit on a record hidden from the screening agency is
/// audited in the owner's name: an entry in the screener's log would tell
/// it that something it may not see matched its flight.
#[tokio::test]
async fn a_rescreening_hit_hidden_from_the_screener_leaves_nothing_in_its_audit_log() {
    let h = Harness::new();
    let fra = h.token("FRA", "analyst");
    let r = h
        .call_as(
            "POST",
            "/v1/manifests",
            Some(&h.token("FRA", "screener")),
            Some(PAXLST),
            "text/plain",
        )
        .await;
    assert_eq!(r.json()["hits"], 0);
    let audit = || async {
        String::from_utf8_lossy(
            &h.call("GET", "/v1/audit?limit=1000", Some(&fra), None)
                .await
                .body,
        )
        .replace(|c: char| c.is_ascii_digit(), "")
    };
    let before = audit().await;
    let id = h
        .create("DEU", mueller(json!({"visibility": {"except": ["FRA"]}})))
        .await;
    let inbox = h
        .call("GET", "/v1/hits", Some(&h.token("DEU", "analyst")), None)
        .await
        .json();
    assert_eq!(
        inbox["hits"].as_array().unwrap().len(),
        1,
        "the owner is notified"
    );
    assert_eq!(inbox["hits"][0]["disclosed"], "hidden");
    // FRA's log gained only its own reading of it (less the digits of
    // times and sequence numbers).
    let after = audit().await;
    assert!(
        !after.contains("rescreen")
            && !after.contains(&id.replace(|c: char| c.is_ascii_digit(), "")),
        "{after}"
    );
    assert_eq!(
        after.matches("audit.read").count(),
        before.matches("audit.read").count() + 1
    );
    let deu = h
        .call(
            "GET",
            "/v1/audit?action=rescreen",
            Some(&h.token("DEU", "analyst")),
            None,
        )
        .await
        .json();
    assert_eq!(deu["entries"].as_array().unwrap().len(), 1, "{deu}");
    assert_eq!(deu["entries"][0]["agency"], "DEU");
}

/// A webhook receiver on a loopback port that fails its first calls.
async fn receiver(fail_first: usize) -> (String, Arc<Mutex<Vec<(String, String, String)>>>) {
    use axum::routing::post;
    let calls: Arc<Mutex<Vec<(String, String, String)>>> = Arc::default();
    let seen = calls.clone();
    let app = axum::Router::new().route(
        "/hook",
        post(move |headers: axum::http::HeaderMap, body: String| {
            let seen = seen.clone();
            async move {
                let mut calls = seen.lock().unwrap();
                let h = |n: &str| {
                    headers
                        .get(n)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("")
                        .to_string()
                };
                calls.push((h("idempotency-key"), h("x-vigil-signature"), body));
                if calls.len() <= fail_first {
                    StatusCode::INTERNAL_SERVER_ERROR
                } else {
                    StatusCode::OK
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, calls)
}

#[tokio::test]
async fn webhooks_are_signed_retried_and_idempotent() {
    let h = Harness::with_config(vigil_server::ServerConfig {
        webhook_retry_base: Duration::from_millis(50),
        ..Default::default()
    });
    let (url, calls) = receiver(2).await;
    let secret = "a-shared-secret-of-enough-length";
    let r = h
        .call(
            "POST",
            "/v1/webhooks",
            Some(&h.token("FRA", "analyst")),
            Some(&json!({"url": url, "secret": secret}).to_string()),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let worker = tokio::spawn(vigil_server::notify::run_webhook_worker(
        h.state.vigil.clone(),
        h.state.config.clone(),
    ));
    h.create("FRA", eriksson()).await;
    h.call(
        "POST",
        "/v1/screen/mrz",
        Some(&h.token("DEU", "screener")),
        Some(&json!({"mrz": TD3}).to_string()),
    )
    .await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while calls.lock().unwrap().len() < 3 && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    worker.abort();
    let calls = calls.lock().unwrap().clone();
    assert_eq!(calls.len(), 3, "two failures then one success");
    assert!(
        calls.iter().all(|c| c.0 == calls[0].0 && !c.0.is_empty()),
        "same idempotency key on every retry"
    );
    for (_, signature, body) in &calls {
        assert_eq!(
            signature,
            &vigil_server::notify::signature(secret, body.as_bytes())
        );
    }
    let payload: serde_json::Value = serde_json::from_str(&calls[2].2).unwrap();
    assert_eq!(payload["hit"]["owner"], "FRA");
    assert_eq!(payload["hit"]["screening_agency"], "DEU");
}

#[tokio::test]
async fn the_hit_stream_is_live_and_resumable() {
    use futures_util::StreamExt;
    let h = Harness::new();
    h.create("FRA", eriksson()).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let state = h.state.clone();
    tokio::spawn(vigil_server::serve(listener, state, std::future::pending()));
    let token = h.token("FRA", "analyst");
    let open = |last: Option<&str>| {
        let mut req = reqwest::Client::new()
            .get(format!("{base}/v1/hits/stream"))
            .bearer_auth(&token)
            .header("x-vigil-purpose", "watch");
        if let Some(l) = last {
            req = req.header("last-event-id", l);
        }
        req.send()
    };
    let resp = open(None).await.unwrap();
    assert_eq!(resp.status(), 200);
    let mut body = resp.bytes_stream();
    for _ in 0..2 {
        h.call(
            "POST",
            "/v1/screen/mrz",
            Some(&h.token("DEU", "screener")),
            Some(&json!({"mrz": TD3}).to_string()),
        )
        .await;
    }
    let mut text = String::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while text.matches("event: hit").count() < 2 && tokio::time::Instant::now() < deadline {
        if let Ok(Some(Ok(chunk))) = tokio::time::timeout(Duration::from_secs(1), body.next()).await
        {
            text.push_str(&String::from_utf8_lossy(&chunk));
        }
    }
    let ids: Vec<&str> = text
        .lines()
        .filter_map(|l| l.strip_prefix("id: "))
        .collect();
    assert_eq!(ids.len(), 2, "{text}");
    // Reconnecting after the first event replays only the second.
    let resp = open(Some(ids[0])).await.unwrap();
    let mut body = resp.bytes_stream();
    let mut again = String::new();
    while !again.contains("event: hit") {
        let chunk = tokio::time::timeout(Duration::from_secs(5), body.next())
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        again.push_str(&String::from_utf8_lossy(&chunk));
    }
    let replayed: Vec<&str> = again
        .lines()
        .filter_map(|l| l.strip_prefix("id: "))
        .collect();
    assert_eq!(replayed, [ids[1]]);
}

#[tokio::test]
async fn ftm_import_and_export_respect_disclosure() {
    let h = Harness::new();
    let lines = [
        json!({"id": "fr-1", "schema": "Person", "properties": {"name": ["Jean Dupont"], "birthDate": ["1980-05"], "nationality": ["fr"], "passportNumber": ["12AB34567"]}}),
        json!({"id": "fr-2", "schema": "Person", "properties": {"name": ["Ivan Petrov"], "alias": ["Иван Петров"]}}),
        json!({"id": "co-1", "schema": "Company", "properties": {"name": ["ACME"]}}),
    ]
    .iter()
    .map(|l| l.to_string())
    .collect::<Vec<_>>()
    .join("\n");
    let r = h
        .call_as(
            "POST",
            "/v1/import?format=ftm",
            Some(&h.token("FRA", "contributor")),
            Some(&lines),
            "application/x-ndjson",
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    assert_eq!(r.json()["added"], 2);
    let again = h
        .call_as(
            "POST",
            "/v1/import?format=ftm",
            Some(&h.token("FRA", "contributor")),
            Some(&lines),
            "application/x-ndjson",
        )
        .await;
    assert_eq!(
        (
            again.json()["added"].as_u64(),
            again.json()["unchanged"].as_u64()
        ),
        (Some(0), Some(2))
    );
    let r = h
        .call_as(
            "POST",
            "/v1/import?format=ftm",
            Some(&h.token("FRA", "screener")),
            Some(&lines),
            "application/x-ndjson",
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = h
        .call_as(
            "POST",
            "/v1/import?format=csv",
            Some(&h.token("FRA", "contributor")),
            Some(&lines),
            "text/plain",
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);

    let export = h
        .call(
            "GET",
            "/v1/export?format=ftm",
            Some(&h.token("DEU", "screener")),
            None,
        )
        .await;
    let text = String::from_utf8_lossy(&export.body).to_string();
    assert_eq!(text.lines().count(), 2);
    assert!(text.contains("Jean Dupont") && text.contains("\"fr-1\""));
}

#[tokio::test]
async fn absurd_screening_input_gets_a_clear_answer_never_a_panic() {
    let h = Harness::with_config(vigil_server::ServerConfig {
        body_limit: 64 * 1024,
        ..Default::default()
    });
    h.create("FRA", eriksson()).await;
    let tok = h.token("DEU", "screener");
    let cases = [
        (
            json!({"traveller": {"names": ["x".repeat(10_000)]}}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            json!({"traveller": {"names": ["!!! ??? ..."]}}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (json!({"traveller": {}}), StatusCode::UNPROCESSABLE_ENTITY),
        (
            json!({"traveller": {"names": ["Anna"], "birth_date": "1974-02-30"}}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            json!({"traveller": {"names": ["Anna"], "nationalities": ["Atlantis"]}}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            json!({"traveller": {"names": ["Anna"]}, "threshold": 7}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            json!({"traveller": {"names": ["Анна Eriksson محمد 李"]}}),
            StatusCode::OK,
        ),
        (
            json!({"traveller": {"names": ["\u{0}\u{7}Anna\u{1b}[31m Eriksson"]}}),
            StatusCode::OK,
        ),
    ];
    for (body, status) in cases {
        let r = h
            .call("POST", "/v1/screen", Some(&tok), Some(&body.to_string()))
            .await;
        assert_eq!(
            r.status,
            status,
            "{body} → {}",
            String::from_utf8_lossy(&r.body)
        );
    }
    let big = format!(
        "UNA:+.? '\nUNB+UNOA:4+A+B+160405:1000+1'\n{}",
        "NAD+FL+++X:Y'\n".repeat(10_000)
    );
    let r = h
        .call_as(
            "POST",
            "/v1/manifests",
            Some(&tok),
            Some(&big),
            "text/plain",
        )
        .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn a_screener_cannot_claim_the_context_fields_vigil_sets() {
    let h = Harness::new();
    h.create("FRA", eriksson()).await;
    let body = json!({
        "traveller": {"names": ["Anna Maria Eriksson"], "birth_date": "1974-08-12"},
        "context": {"border_post": "BER T1", "rescreen": true},
    });
    let r = h
        .call(
            "POST",
            "/v1/screen",
            Some(&h.token("DEU", "screener")),
            Some(&body.to_string()),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["error"]["fields"][0]["path"], "context.rescreen");
}

#[tokio::test]
async fn the_screeners_threshold_never_silences_the_owner() {
    let h = Harness::new();
    let mut hidden = eriksson();
    hidden["policy"] = json!({"visibility": {"except": ["DEU"]}});
    h.create("FRA", hidden).await;
    // A birth date a year off: an alert, but below what the screener asks to see.
    let traveller = json!({"names": ["Anna Maria Eriksson"], "birth_date": "1975-08-12"});
    let own = h
        .call(
            "POST",
            "/v1/screen",
            Some(&h.token("FRA", "screener")),
            Some(&json!({"traveller": traveller, "threshold": 0.5}).to_string()),
        )
        .await
        .json();
    let score = own["results"][0]["score"].as_f64().unwrap();
    assert!((0.8..0.99).contains(&score), "{own}");
    let before = h
        .call("GET", "/v1/hits", Some(&h.token("FRA", "analyst")), None)
        .await
        .json()["hits"]
        .as_array()
        .unwrap()
        .len();
    let r = h
        .call(
            "POST",
            "/v1/screen",
            Some(&h.token("DEU", "screener")),
            Some(&json!({"traveller": traveller, "threshold": 0.99}).to_string()),
        )
        .await;
    assert_eq!(r.json()["results"], json!([]), "hidden from DEU");
    let inbox = h
        .call("GET", "/v1/hits", Some(&h.token("FRA", "analyst")), None)
        .await
        .json();
    let hits = inbox["hits"].as_array().unwrap();
    assert_eq!(hits.len(), before + 1, "{inbox}");
    assert!(hits.iter().any(|h| h["screening_agency"] == "DEU"));
}

#[tokio::test]
async fn the_match_flag_follows_the_threshold_in_force() {
    let h = Harness::new();
    h.create("FRA", eriksson()).await;
    // A birth date a year off: an alert at the system threshold, below 0.99.
    let traveller = json!({"names": ["Anna Maria Eriksson"], "birth_date": "1975-08-12"});
    let screen = |threshold: f64| {
        let body = json!({"traveller": traveller, "threshold": threshold}).to_string();
        let token = h.token("FRA", "screener");
        let h = &h;
        async move {
            h.call("POST", "/v1/screen", Some(&token), Some(&body))
                .await
                .json()
        }
    };
    let low = screen(0.5).await;
    let score = low["results"][0]["score"].as_f64().unwrap();
    assert!((0.8..0.99).contains(&score), "{low}");
    assert_eq!(low["threshold"], 0.5);
    assert_eq!(low["results"][0]["match"], true, "{low}");
    let high = screen(0.99).await;
    assert_eq!(high["threshold"], 0.99);
    // Still shown, and the owner was notified (a hit), but no match at 0.99.
    assert_eq!(high["results"][0]["match"], false, "{high}");
    assert!(high["results"][0]["hit_id"].is_string(), "{high}");
}

#[tokio::test]
async fn a_renewed_passport_still_alerts_unless_the_owner_marks_it_the_only_one() {
    let h = Harness::new();
    let mut sole = eriksson();
    sole["reference"] = json!("FR-ERIKSSON-SOLE");
    sole["documents"][0]["only_one"] = json!(true);
    h.create("FRA", eriksson()).await;
    h.create("FRA", sole).await;
    // Same name, birth date, nationality and sex; another passport of the same issuer.
    let traveller = json!({
        "names": ["Anna Maria Eriksson"], "birth_date": "1974-08-12", "nationalities": ["UTO"],
        "gender": "female", "documents": [{"kind": "passport", "number": "X1234567", "country": "UTO"}],
    });
    let body = json!({"traveller": traveller, "threshold": 0.5}).to_string();
    let r = h
        .call(
            "POST",
            "/v1/screen",
            Some(&h.token("FRA", "screener")),
            Some(&body),
        )
        .await
        .json();
    let result = |reference: &str| {
        r["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["reference"] == reference)
            .cloned()
            .unwrap_or_else(|| panic!("{reference} missing: {r}"))
    };
    let renewed = result("FR-ERIKSSON");
    assert_eq!(renewed["match"], json!(true), "{renewed}");
    assert!(renewed["hit_id"].is_string(), "{renewed}");
    let conflicting = result("FR-ERIKSSON-SOLE");
    assert!(
        conflicting["score"].as_f64().unwrap() < 0.8,
        "{conflicting}"
    );
    assert!(conflicting.get("hit_id").is_none(), "{conflicting}");
    // The flag is part of the record as stored.
    let id = conflicting["id"].as_str().unwrap();
    let record = h
        .call(
            "GET",
            &format!("/v1/records/{id}"),
            Some(&h.token("FRA", "analyst")),
            None,
        )
        .await
        .json();
    assert_eq!(record["documents"][0]["only_one"], json!(true), "{record}");
}

#[tokio::test]
async fn revoking_a_token_ends_its_open_hit_stream() {
    use futures_util::StreamExt;
    let h = Harness::new();
    h.create("FRA", eriksson()).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(vigil_server::serve(
        listener,
        h.state.clone(),
        std::future::pending(),
    ));
    let resp = reqwest::Client::new()
        .get(format!("{base}/v1/hits/stream"))
        .bearer_auth(h.token("FRA", "analyst"))
        .header("x-vigil-purpose", "watch")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let mut body = resp.bytes_stream();
    let admin = h.token("FRA", "admin");
    let tokens = h
        .call("GET", "/v1/tokens?agency=FRA", Some(&admin), None)
        .await
        .json();
    let id = tokens["tokens"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["role"] == "analyst")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = h
        .call("DELETE", &format!("/v1/tokens/{id}"), Some(&admin), None)
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    // A hit after the revocation never reaches the revoked stream, which ends.
    h.call(
        "POST",
        "/v1/screen/mrz",
        Some(&h.token("DEU", "screener")),
        Some(&json!({"mrz": TD3}).to_string()),
    )
    .await;
    let mut text = String::new();
    let ended = tokio::time::timeout(Duration::from_secs(5), async {
        while let Some(Ok(chunk)) = body.next().await {
            text.push_str(&String::from_utf8_lossy(&chunk));
        }
    })
    .await;
    assert!(ended.is_ok(), "the stream is still open: {text}");
    assert!(!text.contains("event: hit"), "{text}");
}

#[tokio::test]
async fn a_hit_hidden_from_its_screener_does_not_exist_for_it() {
    let h = Harness::new();
    let mut hidden = eriksson();
    hidden["policy"] = json!({"visibility": {"except": ["DEU"]}});
    h.create("FRA", hidden).await;
    h.call(
        "POST",
        "/v1/screen/mrz",
        Some(&h.token("DEU", "screener")),
        Some(&json!({"mrz": TD3}).to_string()),
    )
    .await;
    let inbox = h
        .call("GET", "/v1/hits", Some(&h.token("FRA", "analyst")), None)
        .await
        .json();
    let id = inbox["hits"][0]["id"].as_str().unwrap().to_string();
    let decide = |id: String| {
        let h = &h;
        async move {
            h.call(
                "POST",
                &format!("/v1/hits/{id}/decision"),
                Some(&h.token("DEU", "analyst")),
                Some(r#"{"status":"confirmed"}"#),
            )
            .await
        }
    };
    let hidden = decide(id).await;
    let random = decide("hit_00000000000000000000000000000000".into()).await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);
    assert_eq!((hidden.status, hidden.body), (random.status, random.body));
}

#[tokio::test]
async fn a_hit_stream_catches_up_at_full_speed_and_starts_from_now_without_an_id() {
    use futures_util::StreamExt;
    let h = Harness::new();
    h.create("FRA", eriksson()).await;
    // More hits than one read of the stream returns (500).
    let travellers: Vec<serde_json::Value> = (0..520)
        .map(|_| json!({"names": ["Anna Maria Eriksson"], "birth_date": "1974-08-12"}))
        .collect();
    let r = h
        .call(
            "POST",
            "/v1/manifests",
            Some(&h.token("DEU", "screener")),
            Some(&json!({"travellers": travellers}).to_string()),
        )
        .await;
    assert_eq!(
        r.json()["hits"],
        520,
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(vigil_server::serve(
        listener,
        h.state.clone(),
        std::future::pending(),
    ));
    let open = |last: Option<&str>| {
        let mut req = reqwest::Client::new()
            .get(format!("{base}/v1/hits/stream"))
            .bearer_auth(h.token("FRA", "analyst"))
            .header("x-vigil-purpose", "watch");
        if let Some(l) = last {
            req = req.header("last-event-id", l);
        }
        req.send()
    };
    // From the start: all 520 well within a second, not 500 per wait.
    let mut body = open(Some("0")).await.unwrap().bytes_stream();
    let mut text = String::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(3);
    while text.matches("event: hit").count() < 520 && tokio::time::Instant::now() < deadline {
        if let Ok(Some(Ok(chunk))) =
            tokio::time::timeout(Duration::from_millis(500), body.next()).await
        {
            text.push_str(&String::from_utf8_lossy(&chunk));
        }
    }
    assert_eq!(text.matches("event: hit").count(), 520);
    // Without an id: nothing of the past, then the next hit.
    let mut body = open(None).await.unwrap().bytes_stream();
    let early = tokio::time::timeout(Duration::from_millis(1500), body.next()).await;
    assert!(
        early.is_err()
            || !String::from_utf8_lossy(&early.unwrap().unwrap().unwrap()).contains("event: hit"),
        "no replay of the history"
    );
    h.call(
        "POST",
        "/v1/screen/mrz",
        Some(&h.token("DEU", "screener")),
        Some(&json!({"mrz": TD3}).to_string()),
    )
    .await;
    let mut next = String::new();
    while !next.contains("event: hit") {
        let chunk = tokio::time::timeout(Duration::from_secs(5), body.next())
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        next.push_str(&String::from_utf8_lossy(&chunk));
    }
    assert_eq!(next.matches("event: hit").count(), 1, "{next}");
}

#[tokio::test]
async fn a_slow_receiver_delays_no_other_agencys_deliveries() {
    use axum::routing::post;
    let h = Harness::with_config(vigil_server::ServerConfig {
        webhook_timeout: Duration::from_secs(20),
        ..Default::default()
    });
    // FRA's receiver never answers within the test; DEU's answers at once.
    let hanging = axum::Router::new().route(
        "/hook",
        post(|| async {
            tokio::time::sleep(Duration::from_secs(60)).await;
            StatusCode::OK
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let slow_url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, hanging).await });
    let (fast_url, calls) = receiver(0).await;
    for (agency, url) in [("FRA", &slow_url), ("DEU", &fast_url)] {
        let r = h
            .call(
                "POST",
                "/v1/webhooks",
                Some(&h.token(agency, "analyst")),
                Some(&json!({"url": url}).to_string()),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED);
    }
    // FRA's hit is older than DEU's.
    h.create("FRA", eriksson()).await;
    let mut mueller = mueller(json!({"visibility": "all"}));
    mueller["documents"] = json!([{"number": "C01X00T47", "country": "UTO"}]);
    h.create("DEU", mueller).await;
    let screen = |traveller: serde_json::Value| {
        let h = &h;
        async move {
            h.call(
                "POST",
                "/v1/screen",
                Some(&h.token("ITA", "screener")),
                Some(&json!({"traveller": traveller}).to_string()),
            )
            .await
        }
    };
    screen(json!({"names": ["Anna Maria Eriksson"], "birth_date": "1974-08-12"})).await;
    screen(json!({"names": ["Juergen Mueller"], "documents": [{"number": "C01X00T47", "country": "UTO"}]}))
        .await;
    let worker = tokio::spawn(vigil_server::notify::run_webhook_worker(
        h.state.vigil.clone(),
        h.state.config.clone(),
    ));
    let deadline = tokio::time::Instant::now() + Duration::from_secs(3);
    while calls.lock().unwrap().is_empty() && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    worker.abort();
    assert_eq!(
        calls.lock().unwrap().len(),
        1,
        "DEU's delivery waited for FRA's receiver"
    );
}
