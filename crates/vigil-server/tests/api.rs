//! The HTTP API end to end through the real router and a real database:
//! authentication, purpose, validation errors, the access rules, history
//! and the audit log.

mod common;

use axum::http::StatusCode;
use common::Harness;
use serde_json::json;

fn person(reference: &str) -> serde_json::Value {
    json!({
        "reference": reference,
        "category": "foreign_terrorist_fighter",
        "names": [{"full": "Abu Example", "kind": "primary"}, {"full": "أبو مثال", "kind": "original_script"}],
        "birth_dates": ["1985"],
        "nationalities": ["FRA"],
        "documents": [{"kind": "passport", "number": "12AB34567", "country": "FRA"}],
        "notes": ["travelled to a conflict zone in 2015"],
        "handling": {"code": "H2"},
        "evaluation": {"source": "B", "information": 2}
    })
}

#[tokio::test]
async fn health_needs_no_token_but_everything_else_does() {
    let h = Harness::new();
    assert_eq!(
        h.call("GET", "/health", None, None).await.status,
        StatusCode::OK
    );
    let r = h.call("GET", "/v1/records", None, None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let r = h
        .call("GET", "/v1/records", Some("vgl_not_a_token"), None)
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn every_request_states_a_purpose_and_it_is_logged() {
    let h = Harness::new();
    let req = axum::http::Request::builder()
        .uri("/v1/records")
        .header(
            "authorization",
            format!("Bearer {}", h.token("FRA", "screener")),
        )
        .body(axum::body::Body::empty())
        .unwrap();
    let resp = tower::ServiceExt::oneshot(vigil_server::app(h.state.clone()), req)
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let body = axum::body::to_bytes(resp.into_body(), usize::MAX)
        .await
        .unwrap();
    assert!(String::from_utf8_lossy(&body).contains("X-Vigil-Purpose"));

    h.call(
        "GET",
        "/v1/records",
        Some(&h.token("FRA", "screener")),
        None,
    )
    .await;
    let log = h
        .call(
            "GET",
            "/v1/audit?action=record.list",
            Some(&h.token("EUROPOL", "auditor")),
            None,
        )
        .await;
    let entries = log.json()["entries"].as_array().unwrap().clone();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0]["purpose"], "test");
    assert_eq!(entries[0]["agency"], "FRA");
}

#[tokio::test]
async fn bad_input_names_the_field() {
    let h = Harness::new();
    let tok = h.token("FRA", "contributor");
    let cases: &[(&str, StatusCode, &str)] = &[
        ("{not json", StatusCode::BAD_REQUEST, "not valid JSON"),
        (
            r#"{"reference":"A","names":[{"full":"X Y"}],"colour":"red"}"#,
            StatusCode::UNPROCESSABLE_ENTITY,
            "colour",
        ),
        (
            r#"{"reference":"A","names":[{"full":"X Y"}],"nationalities":["FRA","ZZZ"]}"#,
            StatusCode::UNPROCESSABLE_ENTITY,
            "nationalities[1]",
        ),
        (
            r#"{"reference":"A","names":[{"full":"X Y"}],"birth_dates":["1980-02-30"]}"#,
            StatusCode::UNPROCESSABLE_ENTITY,
            "birth_dates[0]",
        ),
        (
            r#"{"reference":"A","names":[{"full":"  "}]}"#,
            StatusCode::UNPROCESSABLE_ENTITY,
            "names[0].full",
        ),
        (
            r#"{"reference":"A","names":[]}"#,
            StatusCode::UNPROCESSABLE_ENTITY,
            "names",
        ),
        (
            r#"{"reference":"A","names":[{"full":"X"}],"handling":{"code":"H3"}}"#,
            StatusCode::UNPROCESSABLE_ENTITY,
            "handling.text",
        ),
        (
            r#"{"names":[{"full":"X"}]}"#,
            StatusCode::UNPROCESSABLE_ENTITY,
            "reference",
        ),
    ];
    for (body, status, needle) in cases {
        let r = h.call("POST", "/v1/records", Some(&tok), Some(body)).await;
        let text = String::from_utf8_lossy(&r.body).to_string();
        assert_eq!(r.status, *status, "{body} → {text}");
        assert!(
            text.contains(needle),
            "{body} → {text} should name {needle}"
        );
    }
    // Nothing was stored by any of them.
    let list = h.call("GET", "/v1/records", Some(&tok), None).await;
    assert_eq!(list.json()["count"], 0);
}

#[tokio::test]
async fn oversized_bodies_are_413() {
    let h = Harness::with_config(vigil_server::ServerConfig {
        body_limit: 1024,
        ..Default::default()
    });
    let big = format!(
        r#"{{"reference":"A","names":[{{"full":"{}"}}]}}"#,
        "x".repeat(4096)
    );
    let r = h
        .call(
            "POST",
            "/v1/records",
            Some(&h.token("FRA", "contributor")),
            Some(&big),
        )
        .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
}

/// A body sent in chunks, without a length, is cut at the limit as well:
/// 413 like any other body over it, through a real server.
#[tokio::test]
async fn oversized_chunked_bodies_are_413() {
    let h = Harness::with_config(vigil_server::ServerConfig {
        body_limit: 1024,
        ..Default::default()
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(vigil_server::serve(
        listener,
        h.state.clone(),
        std::future::pending(),
    ));
    let chunks = (0..8).map(|_| Ok::<_, std::io::Error>("x".repeat(512)));
    let client = reqwest::Client::new();
    for (path, content_type) in [
        ("/v1/records", "application/json"),
        ("/v1/manifests", "text/plain"),
        ("/v1/import?format=ftm", "application/x-ndjson"),
        ("/v1/screen", "application/json"),
        ("/v1/match/default", "application/json"),
        ("/v1/webhooks", "application/json"),
    ] {
        let r = client
            .post(format!("{base}{path}"))
            .bearer_auth(h.token("FRA", "contributor"))
            .header("x-vigil-purpose", "test")
            .header("content-type", content_type)
            .body(reqwest::Body::wrap_stream(futures_util::stream::iter(
                chunks.clone(),
            )))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE, "{path}");
        let body: serde_json::Value = r.json().await.unwrap();
        assert_eq!(body["error"]["code"], "payload_too_large", "{path}: {body}");
    }
}

/// Every error is JSON with a code and a message, whatever part of the
/// request is wrong: a path segment that is not UTF-8, no token, a bad
/// query, an unknown route, a method a route does not take.
#[tokio::test]
async fn every_error_is_json() {
    let h = Harness::new();
    let tok = h.token("FRA", "analyst");
    for (method, uri, token) in [
        ("GET", "/v1/records/%FF", Some(tok.as_str())),
        ("GET", "/v1/hits/%FF%FE", Some(tok.as_str())),
        ("DELETE", "/v1/tokens/%C3%28", Some(tok.as_str())),
        ("GET", "/v1/manifests/%FF", Some(tok.as_str())),
        ("GET", "/v1/records", None),
        ("GET", "/v1/records?limit=many", Some(tok.as_str())),
        ("GET", "/v1/nowhere", Some(tok.as_str())),
        ("PATCH", "/v1/records", Some(tok.as_str())),
        ("DELETE", "/v1/records", Some(tok.as_str())),
        ("PATCH", "/v1/hits", Some(tok.as_str())),
    ] {
        let r = h.call(method, uri, token, None).await;
        assert!(r.status.is_client_error(), "{method} {uri}: {}", r.status);
        let ct = r
            .headers
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_string());
        assert_eq!(ct.as_deref(), Some("application/json"), "{method} {uri}");
        let body = r.json();
        assert!(
            body["error"]["code"].is_string() && body["error"]["message"].is_string(),
            "{method} {uri}: {body}"
        );
    }
}

#[tokio::test]
async fn only_the_owners_contributors_write() {
    let h = Harness::new();
    let id = h.create("FRA", person("FR-1")).await;
    let body = person("FR-1b").to_string();
    for (agency, role, status) in [
        ("DEU", "contributor", StatusCode::FORBIDDEN),
        ("FRA", "screener", StatusCode::FORBIDDEN),
        ("FRA", "admin", StatusCode::FORBIDDEN),
        ("FRA", "contributor", StatusCode::OK),
    ] {
        let r = h
            .call(
                "PUT",
                &format!("/v1/records/{id}"),
                Some(&h.token(agency, role)),
                Some(&body),
            )
            .await;
        assert_eq!(r.status, status, "{agency} {role}");
    }
    let r = h
        .call(
            "POST",
            &format!("/v1/records/{id}/retire"),
            Some(&h.token("DEU", "contributor")),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // A screener cannot create records, even for its own agency.
    let r = h
        .call(
            "POST",
            "/v1/records",
            Some(&h.token("FRA", "screener")),
            Some(&body),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // Stale version → 409.
    let r = h
        .call(
            "PUT",
            &format!("/v1/records/{id}?expected_version=1"),
            Some(&h.token("FRA", "contributor")),
            Some(&body),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
}

#[tokio::test]
async fn hit_only_disclosure_shows_owner_reference_and_instruction_only() {
    let h = Harness::new();
    let mut draft = person("FR-HIT-1");
    draft["policy"] = json!({"visibility": "all", "disclosure": "hit_only", "instruction": "Discreet check: do not alert the subject."});
    let id = h.create("FRA", draft).await;
    let r = h
        .call(
            "GET",
            &format!("/v1/records/{id}"),
            Some(&h.token("DEU", "screener")),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let v = r.json();
    let mut keys: Vec<_> = v.as_object().unwrap().keys().cloned().collect();
    keys.sort();
    assert_eq!(
        keys,
        ["disclosure", "id", "instruction", "owner", "reference"]
    );
    assert_eq!(v["owner"], "FRA");
    assert_eq!(v["reference"], "FR-HIT-1");
    assert!(v["instruction"]
        .as_str()
        .unwrap()
        .contains("Discreet check"));
    assert!(!String::from_utf8_lossy(&r.body).contains("Abu Example"));
    // The owner still sees everything.
    let r = h
        .call(
            "GET",
            &format!("/v1/records/{id}"),
            Some(&h.token("FRA", "screener")),
            None,
        )
        .await;
    assert_eq!(r.json()["names"][0]["full"], "Abu Example");
}

#[tokio::test]
async fn a_hidden_record_answers_exactly_like_a_missing_one() {
    let h = Harness::new();
    let mut draft = person("FR-SECRET");
    draft["policy"] = json!({"visibility": {"except": ["DEU"]}});
    let id = h.create("FRA", draft).await;
    let tok = h.token("DEU", "contributor");
    let missing = "01900000-0000-7000-8000-000000000000";
    for (method, suffix, body) in [
        ("GET", "", None),
        ("PUT", "", Some(person("X").to_string())),
        ("POST", "/retire", None),
        ("GET", "/history", None),
    ] {
        let a = h
            .call(
                method,
                &format!("/v1/records/{id}{suffix}"),
                Some(&tok),
                body.as_deref(),
            )
            .await;
        let b = h
            .call(
                method,
                &format!("/v1/records/{missing}{suffix}"),
                Some(&tok),
                body.as_deref(),
            )
            .await;
        assert_eq!(a.status, StatusCode::NOT_FOUND, "{method} {suffix}");
        assert_eq!(
            (a.status, &a.headers, &a.body),
            (b.status, &b.headers, &b.body),
            "{method} {suffix}"
        );
    }
    // ... but the owner can see that someone asked.
    let log = h
        .call(
            "GET",
            &format!("/v1/audit?record={id}"),
            Some(&h.token("FRA", "analyst")),
            None,
        )
        .await;
    let entries = log.json()["entries"].as_array().unwrap().clone();
    assert!(entries.iter().any(|e| e["agency"] == "DEU"
        && e["action"] == "record.get"
        && e["disclosed"][0]["level"] == "hidden"));
}

#[tokio::test]
async fn history_is_for_owner_and_auditors() {
    let h = Harness::new();
    let id = h.create("FRA", person("FR-2")).await;
    let mut changed = person("FR-2");
    changed["notes"] = json!(["seen in Lyon"]);
    h.call(
        "PUT",
        &format!("/v1/records/{id}"),
        Some(&h.token("FRA", "contributor")),
        Some(&changed.to_string()),
    )
    .await;
    h.call(
        "POST",
        &format!("/v1/records/{id}/retire"),
        Some(&h.token("FRA", "contributor")),
        None,
    )
    .await;
    for (agency, role, status) in [
        ("FRA", "analyst", StatusCode::OK),
        ("EUROPOL", "auditor", StatusCode::OK),
        ("DEU", "analyst", StatusCode::NOT_FOUND), // retired: gone for others
    ] {
        let r = h
            .call(
                "GET",
                &format!("/v1/records/{id}/history"),
                Some(&h.token(agency, role)),
                None,
            )
            .await;
        assert_eq!(r.status, status, "{agency} {role}");
    }
    let r = h
        .call(
            "GET",
            &format!("/v1/records/{id}/history"),
            Some(&h.token("FRA", "analyst")),
            None,
        )
        .await;
    let versions = r.json()["versions"].as_array().unwrap().clone();
    let changes: Vec<_> = versions
        .iter()
        .map(|v| v["change"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(changes, ["create", "update", "retire"]);
    assert_eq!(
        versions[0]["record"]["notes"][0],
        "travelled to a conflict zone in 2015"
    );
    assert_eq!(versions[1]["record"]["notes"][0], "seen in Lyon");
}

#[tokio::test]
async fn visible_active_record_history_is_forbidden_to_others() {
    let h = Harness::new();
    let id = h.create("FRA", person("FR-3")).await;
    let r = h
        .call(
            "GET",
            &format!("/v1/records/{id}/history"),
            Some(&h.token("DEU", "analyst")),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn list_pages_with_cursor_and_filters() {
    let h = Harness::new();
    for i in 0..7 {
        h.create("FRA", person(&format!("FR-L{i}"))).await;
    }
    h.create("ITA", person("IT-1")).await;
    let tok = h.token("DEU", "screener");
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let uri = match &cursor {
            Some(c) => format!("/v1/records?owner=FRA&limit=3&cursor={c}"),
            None => "/v1/records?owner=FRA&limit=3".to_string(),
        };
        let page = h.call("GET", &uri, Some(&tok), None).await.json();
        for item in page["items"].as_array().unwrap() {
            seen.push(item["reference"].as_str().unwrap().to_string());
        }
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
    }
    assert_eq!(seen, (0..7).map(|i| format!("FR-L{i}")).collect::<Vec<_>>());
    let r = h
        .call("GET", "/v1/records?owner=fr%20a", Some(&tok), None)
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = h
        .call("GET", "/v1/records?colour=red", Some(&tok), None)
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn admin_manages_agencies_and_tokens() {
    let h = Harness::new();
    // Creating agencies and their tokens is the instance operator's.
    let admin = h.token("INTERPOL", "operator");
    let r = h
        .call(
            "POST",
            "/v1/agencies",
            Some(&admin),
            Some(r#"{"code":"ESP","name":"Spain NCB"}"#),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    assert_eq!(r.json()["kind"], "country_bureau");
    let r = h
        .call(
            "POST",
            "/v1/agencies",
            Some(&admin),
            Some(r#"{"code":"ESP","name":"Spain NCB"}"#),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let r = h
        .call(
            "POST",
            "/v1/agencies",
            Some(&h.token("FRA", "contributor")),
            Some(r#"{"code":"PRT","name":"P"}"#),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = h
        .call(
            "POST",
            "/v1/tokens",
            Some(&admin),
            Some(r#"{"agency":"ESP","role":"screener"}"#),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let secret = r.json()["secret"].as_str().unwrap().to_string();
    let id = r.json()["token"]["id"].as_str().unwrap().to_string();
    assert_eq!(
        h.call("GET", "/v1/records", Some(&secret), None)
            .await
            .status,
        StatusCode::OK
    );
    let list = h
        .call("GET", "/v1/tokens?agency=ESP", Some(&admin), None)
        .await;
    assert!(!String::from_utf8_lossy(&list.body).contains(&secret));
    assert_eq!(list.json()["tokens"].as_array().unwrap().len(), 1);
    let r = h
        .call("DELETE", &format!("/v1/tokens/{id}"), Some(&admin), None)
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(
        h.call("GET", "/v1/records", Some(&secret), None)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    let r = h
        .call(
            "POST",
            "/v1/tokens",
            Some(&admin),
            Some(r#"{"agency":"ESP","role":"king"}"#),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn audit_is_tamper_evident() {
    let h = Harness::new();
    let id = h.create("FRA", person("FR-4")).await;
    h.call(
        "GET",
        &format!("/v1/records/{id}"),
        Some(&h.token("DEU", "screener")),
        None,
    )
    .await;
    let auditor = h.token("EUROPOL", "auditor");
    let r = h
        .call("GET", "/v1/audit/verify", Some(&auditor), None)
        .await;
    assert_eq!(r.json()["valid"], true);
    let r = h
        .call(
            "GET",
            "/v1/audit/verify",
            Some(&h.token("FRA", "admin")),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    h.store
        .execute_raw(
            "UPDATE audit SET body = replace(body, '\"test\"', '\"fishing\"') WHERE seq = 2",
        )
        .unwrap();
    let r = h
        .call("GET", "/v1/audit/verify", Some(&auditor), None)
        .await;
    assert_eq!(r.json()["valid"], false);
    assert_eq!(r.json()["broken_at"], 2);
}

#[tokio::test]
async fn openapi_document_matches_the_router() {
    let h = Harness::new();
    let doc: serde_json::Value = serde_json::from_str(vigil_server::openapi::DOCUMENT).unwrap();
    let served = h.call("GET", "/v1/openapi.json", None, None).await.json();
    assert_eq!(served, doc);
    let tok = h.token("EUROPOL", "auditor");
    let mut checked = 0;
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for (method, op) in ops.as_object().unwrap() {
            let uri = path.replace("{id}", "01900000-0000-7000-8000-000000000000");
            let body = op.get("requestBody").map(|_| "{}");
            let r = h.call(&method.to_uppercase(), &uri, Some(&tok), body).await;
            assert_ne!(
                r.json()["error"]["code"],
                "no_route",
                "{method} {path} is documented but not routed"
            );
            assert_ne!(r.status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
            let documented: Vec<&String> = op["responses"].as_object().unwrap().keys().collect();
            assert!(
                documented.iter().any(|c| c.as_str() == r.status.as_str()),
                "{method} {path} answered {} which is not documented ({documented:?})",
                r.status
            );
            checked += 1;
        }
    }
    assert!(checked >= 14);
    // And an undocumented path is not routed.
    assert_eq!(
        h.call("GET", "/v1/nothing", Some(&tok), None).await.json()["error"]["code"],
        "no_route"
    );
}

#[tokio::test]
async fn the_audit_log_is_no_oracle_for_hidden_records() {
    let h = Harness::new();
    let mut hidden = person("FR-HIDDEN");
    hidden["policy"] = json!({"visibility": {"except": ["DEU", "ITA"]}});
    let hidden = h.create("FRA", hidden).await;
    let shared = h.create("ITA", person("IT-SHARED")).await;
    let random = vigil_core::RecordId::new().to_string();
    let deu = h.token("DEU", "analyst");
    for id in [&hidden, &random] {
        let r = h
            .call("GET", &format!("/v1/records/{id}"), Some(&deu), None)
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
    }
    // FRA reads ITA's record; ITA lists records (FRA's hidden one skipped).
    h.call(
        "GET",
        &format!("/v1/records/{shared}"),
        Some(&h.token("FRA", "analyst")),
        None,
    )
    .await;
    h.call("GET", "/v1/records", Some(&h.token("ITA", "analyst")), None)
        .await;
    // Oversight lists everything: one entry naming DEU's record and the
    // hidden one together.
    h.create("DEU", person("DE-OWN")).await;
    h.call(
        "GET",
        "/v1/records",
        Some(&h.token("EUROPOL", "auditor")),
        None,
    )
    .await;

    // Asking about the hidden record answers as asking about a random id.
    let about = |id: String| {
        let deu = deu.clone();
        let h = &h;
        async move {
            h.call("GET", &format!("/v1/audit?record={id}"), Some(&deu), None)
                .await
                .json()["entries"]
                .clone()
        }
    };
    assert_eq!(about(hidden.clone()).await, json!([]));
    assert_eq!(about(random.clone()).await, json!([]));
    // DEU's whole log: its own actions, its two refused look-ups alike, and
    // never the hidden record (other than the id it typed itself).
    let log = h
        .call("GET", "/v1/audit?limit=1000", Some(&deu), None)
        .await
        .json();
    let entries = log["entries"].as_array().unwrap();
    for e in entries {
        let own = e["agency"] == "DEU";
        assert!(own || e["token_id"] == "", "another's token: {e}");
        for d in e["disclosed"].as_array().unwrap() {
            assert_ne!(d["record"], hidden.as_str(), "{e}");
            assert!(own || d["owner"] == "DEU", "{e}");
        }
    }
    let oversight: Vec<&serde_json::Value> = entries
        .iter()
        .filter(|e| e["agency"] == "EUROPOL")
        .collect();
    assert_eq!(
        oversight.len(),
        1,
        "the auditor's listing touched DEU's record"
    );
    assert!(oversight[0]["disclosed"]
        .as_array()
        .unwrap()
        .iter()
        .all(|d| d["owner"] == "DEU"));
    let lookups: Vec<&serde_json::Value> = entries
        .iter()
        .filter(|e| e["action"] == "record.get")
        .collect();
    assert_eq!(lookups.len(), 2);
    for e in &lookups {
        assert_eq!(e["disclosed"], json!([]), "{e}");
        assert_eq!(e["outcome"], "not_found");
    }
    // ITA, as owner, sees who read its record, and only that record.
    let log = h
        .call(
            "GET",
            "/v1/audit?limit=1000",
            Some(&h.token("ITA", "analyst")),
            None,
        )
        .await
        .json();
    let by_fra: Vec<&serde_json::Value> = log["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["agency"] == "FRA")
        .collect();
    assert!(!by_fra.is_empty(), "{log}");
    for e in by_fra {
        assert!(
            e["disclosed"]
                .as_array()
                .unwrap()
                .iter()
                .all(|d| d["owner"] == "ITA"),
            "{e}"
        );
        assert_eq!(e["token_id"], "");
        assert_eq!(e["request"], serde_json::Value::Null);
        assert_eq!(e["purpose"], "test");
    }
    let text = log.to_string();
    assert!(
        !text.contains(&hidden),
        "ITA's log never names the record hidden from it"
    );
}

#[tokio::test]
async fn an_agencys_admin_manages_its_own_agency_only() {
    let h = Harness::new();
    let admin = h.token("FRA", "admin");
    let post = |body: serde_json::Value| {
        let admin = admin.clone();
        let h = &h;
        async move {
            h.call("POST", "/v1/tokens", Some(&admin), Some(&body.to_string()))
                .await
                .status
        }
    };
    assert_eq!(
        post(json!({"agency": "DEU", "role": "contributor"})).await,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        post(json!({"agency": "FRA", "role": "auditor"})).await,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        post(json!({"agency": "FRA", "role": "operator"})).await,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        post(json!({"agency": "FRA", "role": "screener"})).await,
        StatusCode::CREATED
    );
    let r = h
        .call(
            "POST",
            "/v1/agencies",
            Some(&admin),
            Some(r#"{"code":"ESP","name":"Spain NCB"}"#),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // Its own tokens are listed, every one of them; another agency's are not.
    let list = h.call("GET", "/v1/tokens", Some(&admin), None).await.json();
    let tokens = list["tokens"].as_array().unwrap();
    assert!(tokens.iter().all(|t| t["agency"] == "FRA"), "{list}");
    assert_eq!(tokens.len(), vigil_core::Role::ALL.len() + 1);
    let r = h
        .call("GET", "/v1/tokens?agency=DEU", Some(&admin), None)
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // Another agency's token is not there to revoke.
    let operator = h.token("INTERPOL", "operator");
    let deu = h
        .call("GET", "/v1/tokens?agency=DEU", Some(&operator), None)
        .await
        .json();
    let deu_id = deu["tokens"][0]["id"].as_str().unwrap().to_string();
    let r = h
        .call(
            "DELETE",
            &format!("/v1/tokens/{deu_id}"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_last_admin_of_an_agency_is_not_revoked_by_accident() {
    let h = Harness::new();
    let operator = h.token("INTERPOL", "operator");
    let tokens = h
        .call("GET", "/v1/tokens?agency=ITA", Some(&operator), None)
        .await
        .json();
    let only: Vec<String> = tokens["tokens"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["role"] == "admin")
        .map(|t| t["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(only.len(), 1);
    let r = h
        .call(
            "DELETE",
            &format!("/v1/tokens/{}", only[0]),
            Some(&operator),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(String::from_utf8_lossy(&r.body).contains("last admin"));
    let r = h
        .call(
            "POST",
            "/v1/tokens",
            Some(&operator),
            Some(r#"{"agency":"ITA","role":"admin"}"#),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let r = h
        .call(
            "DELETE",
            &format!("/v1/tokens/{}", only[0]),
            Some(&operator),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn the_operator_runs_the_instance_and_reads_no_case() {
    let h = Harness::new();
    let id = h.create("INTERPOL", person("IP-1")).await;
    let operator = h.token("INTERPOL", "operator");
    let r = h
        .call("GET", &format!("/v1/records/{id}"), Some(&operator), None)
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let listed = h
        .call("GET", "/v1/records", Some(&operator), None)
        .await
        .json();
    assert_eq!(listed["count"], 0);
    for path in ["/v1/hits", "/v1/hits/stream"] {
        let r = h.call("GET", path, Some(&operator), None).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{path}");
    }
    let r = h
        .call(
            "POST",
            "/v1/screen",
            Some(&operator),
            Some(&json!({"traveller": {"names": ["Abu Example"]}}).to_string()),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn hit_only_records_are_no_directory_of_the_owners_cases() {
    let h = Harness::new();
    let mut ids = Vec::new();
    for i in 0..3 {
        let mut p = person(&format!("FR-H{i}"));
        p["policy"] = json!({"disclosure": "hit_only", "instruction": "Call FRA."});
        ids.push(h.create("FRA", p).await);
    }
    let deu = h.token("DEU", "analyst");
    let listed = h.call("GET", "/v1/records", Some(&deu), None).await.json();
    assert_eq!(listed["count"], 0, "{listed}");
    let export = h
        .call("GET", "/v1/export?format=ftm", Some(&deu), None)
        .await;
    assert_eq!(export.status, StatusCode::OK);
    assert!(
        export.body.is_empty(),
        "{}",
        String::from_utf8_lossy(&export.body)
    );
    // Known through a hit, a record is reachable by its id, hit-only.
    let one = h
        .call("GET", &format!("/v1/records/{}", ids[0]), Some(&deu), None)
        .await;
    assert_eq!(one.status, StatusCode::OK);
    assert_eq!(one.json()["disclosure"], "hit_only");
    // The owner still lists its own.
    let own = h
        .call("GET", "/v1/records", Some(&h.token("FRA", "analyst")), None)
        .await
        .json();
    assert_eq!(own["count"], 3);
}

/// A raw request through the router, with the headers given as they are.
async fn raw(h: &Harness, headers: &[(&str, &str)]) -> StatusCode {
    let mut req = axum::http::Request::builder().uri("/v1/records");
    for (k, v) in headers {
        req = req.header(
            *k,
            axum::http::HeaderValue::from_bytes(v.as_bytes()).unwrap(),
        );
    }
    let req = req.body(axum::body::Body::empty()).unwrap();
    tower::ServiceExt::oneshot(vigil_server::app(h.state.clone()), req)
        .await
        .unwrap()
        .status()
}

#[tokio::test]
async fn the_bearer_scheme_is_case_insensitive_and_purposes_are_utf8() {
    let h = Harness::new();
    let tok = h.token("FRA", "analyst");
    for scheme in ["Bearer", "bearer", "BEARER"] {
        let auth = format!("{scheme} {tok}");
        let status = raw(&h, &[("authorization", &auth), ("x-vigil-purpose", "test")]).await;
        assert_eq!(status, StatusCode::OK, "{scheme}");
    }
    let auth = format!("Bearer {tok}");
    let status = raw(
        &h,
        &[
            ("authorization", &auth),
            ("x-vigil-purpose", "contrôle frontière"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let status = raw(
        &h,
        &[
            ("authorization", &format!("Basic {tok}")),
            ("x-vigil-purpose", "t"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn who_may_not_import_is_refused_before_the_file_is_read() {
    let h = Harness::new();
    let garbage = "<not-xml".repeat(100_000);
    let r = h
        .call_as(
            "POST",
            "/v1/import?format=un-xml",
            Some(&h.token("FRA", "screener")),
            Some(&garbage),
            "application/xml",
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = h
        .call_as(
            "POST",
            "/v1/import?format=un-xml",
            Some(&h.token("FRA", "contributor")),
            Some(&garbage),
            "application/xml",
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_policy_naming_an_unknown_agency_is_refused() {
    let h = Harness::new();
    let mut p = person("FR-TYPO");
    p["policy"] = json!({"visibility": {"only": ["DEU", "DUE"]}, "hit_only_for": ["ITAL"]});
    let r = h
        .call(
            "POST",
            "/v1/records",
            Some(&h.token("FRA", "contributor")),
            Some(&p.to_string()),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let body = r.json();
    let paths: Vec<&str> = body["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        paths,
        ["policy.visibility.only[1]", "policy.hit_only_for[0]"]
    );
}

/// Authentications are trusted for a second: a token revoked through the
/// API stops at once, one revoked by another process on the same database
/// (here, straight in the store) within that second.
#[tokio::test]
async fn a_revoked_token_stops_at_once_here_and_within_a_second_from_elsewhere() {
    use vigil_store::prelude::*;
    let h = Harness::new();
    let list = |token: String| {
        let h = &h;
        async move {
            h.call("GET", "/v1/records", Some(&token), None)
                .await
                .status
        }
    };
    let screener = h.token("FRA", "screener");
    assert_eq!(list(screener.clone()).await, StatusCode::OK);
    let admin = h.token("FRA", "admin");
    let tokens = h.call("GET", "/v1/tokens", Some(&admin), None).await.json();
    let id_of = |label: &str| {
        h.token_labels
            .iter()
            .find(|(_, l)| l.as_str() == label)
            .map(|(id, _)| id.clone())
            .unwrap()
    };
    assert!(tokens["tokens"].as_array().unwrap().len() > 1);
    let r = h
        .call(
            "DELETE",
            &format!("/v1/tokens/{}", id_of("FRA:screener")),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(list(screener).await, StatusCode::UNAUTHORIZED, "at once");

    let analyst = h.token("FRA", "analyst");
    assert_eq!(list(analyst.clone()).await, StatusCode::OK);
    let event = common::setup_event(vigil_core::Action::TokenRevoke);
    assert!(h.store.revoke_token(&id_of("FRA:analyst"), event).unwrap());
    let fresh_for = vigil_service::token_cache::FRESH_FOR;
    tokio::time::sleep(fresh_for + std::time::Duration::from_millis(50)).await;
    assert_eq!(
        list(analyst).await,
        StatusCode::UNAUTHORIZED,
        "within a second"
    );
}
