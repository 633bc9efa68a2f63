//! The federation endpoints as a peer and as a user reach them: the feed
//! answers only a registered peer's own signature, with its own feed; the
//! operator registers peers; nobody else manages federation.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::Harness;
use tower::ServiceExt;
use vigil_core::{AgencyCode, Caller, Role};
use vigil_federation::request::{self, PEER_HEADER, SIGNATURE_HEADER, TIME_HEADER};
use vigil_federation::{OrgKeys, SealedBatch};
use vigil_server::app;
use vigil_service::Ctx;

fn operator() -> Ctx {
    Ctx::new(
        Caller {
            agency: AgencyCode::parse("INTERPOL").unwrap(),
            role: Role::Operator,
            token_id: "t".into(),
        },
        "test",
    )
}

async fn signed_get(
    h: &Harness,
    keys: &OrgKeys,
    as_org: &str,
    path: &str,
) -> (StatusCode, Vec<u8>, Option<String>) {
    let me = AgencyCode::parse(as_org).unwrap();
    let s = request::sign(keys, &me, "GET", path, b"", chrono::Utc::now());
    let req = Request::builder()
        .uri(path)
        .header(PEER_HEADER, s.peer)
        .header(TIME_HEADER, s.time)
        .header(SIGNATURE_HEADER, s.signature)
        .body(Body::empty())
        .unwrap();
    let resp = app(h.state.clone()).oneshot(req).await.unwrap();
    let status = resp.status();
    let sig = resp
        .headers()
        .get("vigil-batch-signature")
        .map(|v| v.to_str().unwrap().to_string());
    let body = axum::body::to_bytes(resp.into_body(), usize::MAX)
        .await
        .unwrap()
        .to_vec();
    (status, body, sig)
}

#[tokio::test]
async fn the_feed_answers_only_a_registered_peers_signature_with_its_own_feed() {
    let h = Harness::new();
    let vigil = h.state.vigil.clone();
    let org = vigil
        .org_init(
            &operator(),
            &AgencyCode::parse("INTERPOL").unwrap(),
            "INTERPOL",
        )
        .unwrap();
    let (europol, unodc) = (OrgKeys::generate(), OrgKeys::generate());
    for (code, keys) in [("EUROPOL", &europol), ("UNODC", &unodc)] {
        vigil
            .add_peer(
                &operator(),
                code,
                "http://127.0.0.1:9",
                &keys.public().to_string(),
            )
            .unwrap();
    }
    // A record released to EUROPOL only.
    let fra = h.token("FRA", "contributor");
    let created = h
        .call(
            "POST",
            "/v1/records",
            Some(&fra),
            Some(r#"{"reference": "R-1", "names": [{"full": "Ivan Example"}], "policy": {"release": [{"org": "EUROPOL", "level": "full"}]}}"#),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.json());
    let path = "/v1/federation/feed?after=0";
    // Signed by EUROPOL: its feed, sealed with INTERPOL's key.
    let (status, body, sig) = signed_get(&h, &europol, "EUROPOL", path).await;
    assert_eq!(status, StatusCode::OK);
    let key = vigil_federation::PeerKey::parse(&org.public_key).unwrap();
    let batch = SealedBatch {
        body,
        signature: sig.unwrap(),
    }
    .open(&key)
    .unwrap();
    assert_eq!((batch.to.as_str(), batch.ops.len()), ("EUROPOL", 1));
    // UNODC reads its own feed, in which nothing is released.
    let (status, body, sig) = signed_get(&h, &unodc, "UNODC", path).await;
    assert_eq!(status, StatusCode::OK);
    let batch = SealedBatch {
        body,
        signature: sig.unwrap(),
    }
    .open(&key)
    .unwrap();
    assert_eq!((batch.to.as_str(), batch.ops.len()), ("UNODC", 0));
    // UNODC's key claiming to be EUROPOL; an unknown organisation; no
    // signature; a user's token: none reads a feed.
    assert_eq!(
        signed_get(&h, &unodc, "EUROPOL", path).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        signed_get(&h, &OrgKeys::generate(), "NATO", path).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        h.call("GET", path, None, None).await.status,
        StatusCode::UNAUTHORIZED
    );
    let auditor = h.token("INTERPOL", "auditor");
    assert_eq!(
        h.call("GET", path, Some(&auditor), None).await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn only_the_operator_manages_federation() {
    let h = Harness::new();
    let key = OrgKeys::generate().public().to_string();
    let body =
        format!(r#"{{"code": "EUROPOL", "url": "https://vigil.europol.example", "key": "{key}"}}"#);
    // No identity yet: a clear conflict.
    let op = h.token("INTERPOL", "operator");
    let r = h.call("POST", "/v1/peers", Some(&op), Some(&body)).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.json());
    h.state
        .vigil
        .org_init(
            &operator(),
            &AgencyCode::parse("INTERPOL").unwrap(),
            "INTERPOL",
        )
        .unwrap();
    for role in ["admin", "contributor", "auditor", "screener"] {
        let t = h.token("FRA", role);
        assert_eq!(
            h.call("POST", "/v1/peers", Some(&t), Some(&body))
                .await
                .status,
            StatusCode::FORBIDDEN,
            "{role}"
        );
        assert_eq!(
            h.call("GET", "/v1/peers", Some(&t), None).await.status,
            StatusCode::FORBIDDEN,
            "{role}"
        );
    }
    let r = h.call("POST", "/v1/peers", Some(&op), Some(&body)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.json());
    let bad = r#"{"code": "EUROPOL2", "url": "ftp://x", "key": "abc"}"#;
    let r = h.call("POST", "/v1/peers", Some(&op), Some(bad)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let listed = h.call("GET", "/v1/peers", Some(&op), None).await.json();
    assert_eq!(listed["peers"][0]["peer"], "EUROPOL");
    assert_eq!(listed["peers"][0]["lag"], 0);
    let org = h
        .call("GET", "/v1/org", Some(&h.token("FRA", "screener")), None)
        .await
        .json();
    assert_eq!(org["org"]["code"], "INTERPOL");
    // A policy naming an organisation that is not a peer is refused.
    let fra = h.token("FRA", "contributor");
    let r = h
        .call(
            "POST",
            "/v1/records",
            Some(&fra),
            Some(r#"{"reference": "R-2", "names": [{"full": "X Y"}], "policy": {"release": [{"org": "EUROPAL", "level": "full"}]}}"#),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.json().to_string().contains("policy.release[0].org"),
        "{}",
        r.json()
    );
}
