//! Fault injection: records are written through the HTTP API while the
//! server process is killed with SIGKILL at random moments and restarted.
//! Every write that got a 2xx answer must be there afterwards, and the audit
//! chain must still verify.

mod common;

use common::{start, vigil};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rand::Rng;

#[test]
fn acknowledged_writes_survive_sigkill() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d");
    vigil(&data, &["agency", "add", "FRA", "--name", "France"]);
    let secret = common::token_secret(&data, "FRA", "contributor", &[]);

    let acked: Arc<Mutex<Vec<String>>> = Arc::default();
    let client = reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    let mut rng = rand::thread_rng();
    let mut n = 0u32;
    let deadline = Instant::now() + Duration::from_secs(20);
    for _round in 0..6 {
        let (mut child, url) = start(&data);
        let stop = Arc::new(AtomicBool::new(false));
        let writers: Vec<_> = (0..3)
            .map(|w| {
                let (client, url, secret, acked, stop) =
                    (client.clone(), url.clone(), secret.clone(), acked.clone(), stop.clone());
                let base = n + w * 100_000;
                std::thread::spawn(move || {
                    let mut i = 0;
                    while !stop.load(Ordering::Relaxed) {
                        let reference = format!("CRASH-{base}-{i}");
                        i += 1;
                        let body = serde_json::json!({"reference": reference, "names": [{"full": "Crash Test Person"}]});
                        let resp = client
                            .post(format!("{url}/v1/records"))
                            .bearer_auth(&secret)
                            .header("x-vigil-purpose", "crash test")
                            .json(&body)
                            .send();
                        match resp {
                            Ok(r) if r.status().is_success() => acked.lock().unwrap().push(reference),
                            Ok(_) | Err(_) => {} // not acknowledged: may or may not be stored
                        }
                    }
                })
            })
            .collect();
        std::thread::sleep(Duration::from_millis(rng.gen_range(150..900)));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        stop.store(true, Ordering::Relaxed);
        for w in writers {
            w.join().unwrap();
        }
        n += 1_000_000;
        if Instant::now() > deadline {
            break;
        }
    }

    let acked = acked.lock().unwrap().clone();
    assert!(
        acked.len() > 20,
        "too few writes were acknowledged ({})",
        acked.len()
    );
    let listed = vigil(&data, &["record", "list", "--limit", "1000000"]);
    let stored: std::collections::HashSet<&str> = listed
        .lines()
        .filter_map(|l| l.split('\t').nth(3))
        .collect();
    let lost: Vec<_> = acked
        .iter()
        .filter(|r| !stored.contains(r.as_str()))
        .collect();
    assert!(
        lost.is_empty(),
        "{} acknowledged writes lost, e.g. {:?}",
        lost.len(),
        &lost[..lost.len().min(5)]
    );
    let verified = vigil(&data, &["audit", "verify"]);
    assert!(verified.contains("audit chain intact"), "{verified}");
    eprintln!("{} acknowledged writes survived {} kills", acked.len(), 6);
}
