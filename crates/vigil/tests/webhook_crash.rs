//! Fault injection for owner notification: the server is killed with
//! SIGKILL while it is delivering hits to a slow webhook receiver, then
//! restarted. Every hit must reach the receiver, and deduplicating by
//! idempotency key must give each hit exactly once.

mod common;

use common::{start, vigil};
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

type Received = Arc<Mutex<Vec<(String, String)>>>;

/// A receiver that takes its time answering, so a kill lands mid-delivery.
fn slow_receiver() -> (String, Received) {
    let received: Received = Arc::default();
    let seen = received.clone();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let app = axum::Router::new().route(
                "/hook",
                axum::routing::post(move |headers: axum::http::HeaderMap, body: String| {
                    let seen = seen.clone();
                    async move {
                        tokio::time::sleep(Duration::from_millis(150)).await;
                        let key = headers
                            .get("idempotency-key")
                            .and_then(|v| v.to_str().ok())
                            .unwrap_or("")
                            .to_string();
                        let hit: serde_json::Value =
                            serde_json::from_str(&body).unwrap_or_default();
                        let hit_id = hit["hit"]["id"].as_str().unwrap_or("").to_string();
                        seen.lock().unwrap().push((key, hit_id));
                        axum::http::StatusCode::OK
                    }
                }),
            );
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            tx.send(format!("http://{}/hook", listener.local_addr().unwrap()))
                .unwrap();
            axum::serve(listener, app).await.unwrap();
        });
    });
    (rx.recv().unwrap(), received)
}

#[test]
fn hits_are_delivered_after_a_kill_mid_delivery() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d");
    vigil(&data, &["agency", "add", "DEU", "--name", "Germany"]);
    vigil(&data, &["agency", "add", "FRA", "--name", "France"]);
    let token = |agency: &str, role: &str| -> String {
        let v: serde_json::Value = serde_json::from_str(&vigil(
            &data,
            &["token", "create", "--agency", agency, "--role", role],
        ))
        .unwrap();
        v["secret"].as_str().unwrap().to_string()
    };
    let (owner, screener) = (token("DEU", "analyst"), token("FRA", "screener"));
    const N: usize = 12;
    let records: Vec<serde_json::Value> = (0..N)
        .map(|i| serde_json::json!({"reference": format!("DE-{i}"), "names": [{"full": format!("Person Surname{}", ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet", "kilo", "lima"][i])}], "documents": [{"number": format!("DOC{i:06}"), "country": "DEU"}]}))
        .collect();
    let file = dir.path().join("records.json");
    std::fs::write(&file, serde_json::to_string(&records).unwrap()).unwrap();
    vigil(
        &data,
        &["record", "add", file.to_str().unwrap(), "--owner", "DEU"],
    );

    let (hook, received) = slow_receiver();
    let client = reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let (mut server, url) = start(&data);
    let r = client
        .post(format!("{url}/v1/webhooks"))
        .bearer_auth(&owner)
        .header("x-vigil-purpose", "test")
        .json(&serde_json::json!({"url": hook, "secret": "0123456789abcdef0123"}))
        .send()
        .unwrap();
    assert_eq!(r.status(), 201);
    for i in 0..N {
        let body = serde_json::json!({"traveller": {"names": ["Someone Else"], "documents": [{"number": format!("DOC{i:06}"), "country": "DEU"}]}});
        let r = client
            .post(format!("{url}/v1/screen"))
            .bearer_auth(&screener)
            .header("x-vigil-purpose", "border check")
            .json(&body)
            .send()
            .unwrap();
        let v: serde_json::Value = r.json().unwrap();
        assert_eq!(v["hits"], 1, "{v}");
    }
    // Let a few deliveries through, then kill the server in the middle of the rest.
    std::thread::sleep(Duration::from_millis(400));
    server.kill().unwrap();
    server.wait().unwrap();
    let before_restart = received.lock().unwrap().len();
    assert!(
        before_restart < N,
        "the kill should interrupt delivery ({before_restart} of {N} already delivered)"
    );

    let (mut server, url) = start(&data);
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let keys: HashSet<String> = received
            .lock()
            .unwrap()
            .iter()
            .map(|(k, _)| k.clone())
            .collect();
        if keys.len() >= N || Instant::now() > deadline {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let inbox: serde_json::Value = client
        .get(format!("{url}/v1/hits?limit=1000"))
        .bearer_auth(&owner)
        .header("x-vigil-purpose", "test")
        .send()
        .unwrap()
        .json()
        .unwrap();
    server.kill().unwrap();
    server.wait().unwrap();

    let hits: HashSet<String> = inbox["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(hits.len(), N);
    let received = received.lock().unwrap().clone();
    let mut by_key: HashMap<String, HashSet<String>> = HashMap::new();
    for (key, hit) in &received {
        by_key.entry(key.clone()).or_default().insert(hit.clone());
    }
    assert_eq!(
        by_key.len(),
        N,
        "every hit delivered: {} keys for {N} hits",
        by_key.len()
    );
    assert!(
        by_key.values().all(|h| h.len() == 1),
        "a key always carries the same hit"
    );
    let delivered: HashSet<String> = by_key.values().flatten().cloned().collect();
    assert_eq!(
        delivered, hits,
        "exactly the stored hits, each once after deduplication"
    );
    eprintln!(
        "{} deliveries for {N} hits ({} before the kill)",
        received.len(),
        before_restart
    );
}
