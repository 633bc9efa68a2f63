//! Federation between two instances on this machine, each with its own
//! database and its HTTP server on loopback: INTERPOL releases records to
//! EUROPOL, which pulls them over HTTP as `vigil sync` and `vigil serve` do.
//!
//! `cargo bench -p vigil --bench federation` prints:
//! 1. the initial sync of `VIGIL_BENCH_RELEASED` (default 1,000,000)
//!    released records: time and records per second;
//! 2. change-to-visible latency: new released records written at 100 per
//!    second for `VIGIL_BENCH_LATENCY_SECS` (default 30) while EUROPOL pulls
//!    continuously; the time from each record's commit at INTERPOL to its
//!    copy's commit at EUROPOL, as percentiles;
//! 3. what forwarding a 1,000-traveller flight as one query adds to its
//!    screening at EUROPOL, against 1,000 records INTERPOL keeps home:
//!    median flight time without and with forwarding, and the owner's side
//!    of one query alone.
//!
//! Figures, not pass/fail; the targets are in docs/performance.md.

#[allow(dead_code)] // what only the other benches use
mod common;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{acting, open, percentile, rss_mib};
use vigil_core::audit::AuditEvent;
use vigil_core::policy::{ReleaseLevel, ReleaseRule};
use vigil_core::{
    Action, AgencyCode, Caller, HitContext, Name, NameKind, Outcome, RecordDraft, RecordId, Role,
    Traveller,
};
use vigil_server::{peer_sync, AppState, ServerConfig};
use vigil_service::screening::ScreenOptions;
use vigil_service::Vigil;
use vigil_store::RecordChange;

fn env_count(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

const SYLLABLES: [&str; 20] = [
    "ka", "lo", "mi", "ne", "ru", "sa", "to", "vi", "za", "be", "da", "fe", "go", "hu", "ji", "ko",
    "la", "mo", "nu", "pe",
];

/// A distinct two-word name for each `i`.
fn name(i: usize) -> String {
    let word = |mut n: usize| {
        let mut w = String::new();
        for _ in 0..4 {
            w.push_str(SYLLABLES[n % 20]);
            n /= 20;
        }
        let mut c = w.chars();
        c.next()
            .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
            .unwrap_or_default()
    };
    format!(
        "{} {}",
        word(i % 160_000),
        word(i / 160_000 * 7919 + i % 997)
    )
}

fn draft(reference: String, name: String, level: ReleaseLevel) -> RecordDraft {
    let mut d = RecordDraft::new(reference, name);
    d.names = vec![Name::new(d.names[0].full.clone(), NameKind::Primary)];
    d.policy.release = vec![ReleaseRule {
        org: AgencyCode::parse("EUROPOL").unwrap(),
        level,
        agencies: vec![],
    }];
    d
}

fn setup_event() -> AuditEvent {
    AuditEvent {
        agency: AgencyCode::parse("FRA").unwrap(),
        role: Role::Contributor,
        token_id: "bench".into(),
        purpose: "benchmark load".into(),
        action: Action::Import,
        request: serde_json::Value::Null,
        disclosed: vec![],
        outcome: Outcome::Done,
    }
}

/// Starts `vigil`'s HTTP server on a free loopback port; its base URL.
fn serve(runtime: &tokio::runtime::Runtime, vigil: Arc<Vigil>) -> String {
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let config = ServerConfig {
        sync_interval: None,
        ..ServerConfig::default()
    };
    runtime.spawn(vigil_server::serve(
        listener,
        AppState::new(vigil, config),
        std::future::pending(),
    ));
    format!("http://{addr}")
}

fn sync_until_caught_up(vigil: &Vigil, client: &reqwest::blocking::Client) -> usize {
    let peer = AgencyCode::parse("INTERPOL").unwrap();
    let mut upserted = 0;
    loop {
        let round = peer_sync::sync_peer(vigil, &peer, client).expect("sync round");
        upserted += round.upserted;
        if round.caught_up {
            return upserted;
        }
    }
}

fn main() {
    let released = env_count("VIGIL_BENCH_RELEASED", 1_000_000);
    let latency_secs = env_count("VIGIL_BENCH_LATENCY_SECS", 30);
    println!(
        "# Federation ({} cores): {released} records released by INTERPOL to EUROPOL, both on this machine",
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let (a, b) = (
        open(&dir.path().join("interpol")),
        open(&dir.path().join("europol")),
    );
    let operator = acting("LOCAL", Role::Operator);
    for (v, agency) in [(&a, "FRA"), (&b, "NLD")] {
        v.create_agency(&operator, &AgencyCode::parse(agency).unwrap(), agency, None)
            .expect("agency");
    }
    let interpol = a
        .org_init(
            &operator,
            &AgencyCode::parse("INTERPOL").unwrap(),
            "INTERPOL",
        )
        .expect("org");
    let europol = b
        .org_init(&operator, &AgencyCode::parse("EUROPOL").unwrap(), "EUROPOL")
        .expect("org");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let (url_a, url_b) = (serve(&runtime, a.clone()), serve(&runtime, b.clone()));
    a.add_peer(&operator, "EUROPOL", &url_b, &europol.public_key)
        .expect("peer");
    b.add_peer(&operator, "INTERPOL", &url_a, &interpol.public_key)
        .expect("peer");

    // The sender's records, written behind the API in large transactions.
    let t = Instant::now();
    let fra = AgencyCode::parse("FRA").unwrap();
    for start in (0..released).step_by(10_000) {
        let changes = (start..(start + 10_000).min(released))
            .map(|i| RecordChange::Create {
                id: RecordId::new(),
                owner: fra.clone(),
                draft: draft(format!("R-{i}"), name(i), ReleaseLevel::Full),
            })
            .collect();
        a.store().apply(changes, setup_event()).expect("load");
    }
    println!(
        "loaded {released} records at INTERPOL in {:.1} s",
        t.elapsed().as_secs_f64()
    );

    // INTERPOL's server has indexed its records long before a peer joins.
    a.warm_up().expect("index");
    // 1. Initial sync.
    let client = peer_sync::client(Duration::from_secs(120)).expect("client");
    let t = Instant::now();
    let got = sync_until_caught_up(&b, &client);
    let took = t.elapsed();
    println!(
        "initial sync: {got} records in {:.1} s = {:.0} records/s (target: 1,000,000 in ≤ 120 s); RSS {:.0} MiB",
        took.as_secs_f64(),
        got as f64 / took.as_secs_f64(),
        rss_mib()
    );

    // 2. Change-to-visible latency at 100 writes/s.
    let stop = Arc::new(AtomicBool::new(false));
    let puller = {
        let (b, stop, client) = (b.clone(), stop.clone(), client.clone());
        std::thread::spawn(move || {
            let peer = AgencyCode::parse("INTERPOL").unwrap();
            while !stop.load(Ordering::Relaxed) {
                let _ = peer_sync::sync_peer(&b, &peer, &client);
                std::thread::sleep(Duration::from_millis(50));
            }
        })
    };
    let writer = acting("FRA", Role::Contributor);
    let mut written = Vec::new();
    let start = Instant::now();
    let writes = latency_secs * 100;
    for i in 0..writes {
        let due = start + Duration::from_millis(10 * i as u64);
        if let Some(wait) = due.checked_duration_since(Instant::now()) {
            std::thread::sleep(wait);
        }
        let r = a
            .create_record(
                &writer,
                draft(format!("L-{i}"), name(released + i), ReleaseLevel::Full),
            )
            .expect("write");
        written.push((r.id, r.created_at));
    }
    let rate = writes as f64 / start.elapsed().as_secs_f64();
    // Let the last ones arrive, then stop pulling.
    std::thread::sleep(Duration::from_secs(3));
    stop.store(true, Ordering::Relaxed);
    puller.join().expect("puller");
    sync_until_caught_up(&b, &client);
    let peer = AgencyCode::parse("INTERPOL").unwrap();
    let ids: Vec<RecordId> = written.iter().map(|(id, _)| *id).collect();
    let copies = b.store().copies(&peer, &ids).expect("copies");
    let mut lat: Vec<Duration> = written
        .iter()
        .filter_map(|(id, at)| {
            copies
                .get(id)
                .map(|c| (c.received_at - *at).to_std().unwrap_or_default())
        })
        .collect();
    lat.sort();
    println!(
        "change to visible at the peer, {} writes at {rate:.0}/s: p50 {:.0} ms, p99 {:.0} ms, max {:.0} ms (target p99 ≤ 2 s); {} of {} arrived",
        writes,
        percentile(&lat, 0.5).as_secs_f64() * 1e3,
        percentile(&lat, 0.99).as_secs_f64() * 1e3,
        lat.last().map_or(0.0, |d| d.as_secs_f64() * 1e3),
        lat.len(),
        writes
    );

    // 3. A forwarded 1,000-traveller flight.
    let flight: Vec<Traveller> = (0..1000)
        .map(|i| Traveller {
            // One traveller in 100 is a person INTERPOL keeps home.
            names: vec![if i % 100 == 7 {
                name(5_000_000 + i)
            } else {
                name(9_000_000 + i)
            }],
            ..Traveller::default()
        })
        .collect();
    let screener = acting("NLD", Role::Screener);
    b.warm_up().expect("index");
    let flights = |label: &str| {
        let mut times = Vec::new();
        let mut hits = 0;
        for _ in 0..15 {
            let t = Instant::now();
            let out = b
                .screen(
                    &screener,
                    &flight,
                    ScreenOptions {
                        only_matches: true,
                        ..ScreenOptions::default()
                    },
                    HitContext::default(),
                )
                .expect("screen");
            times.push(t.elapsed());
            hits = out.iter().map(|o| o.hits).sum::<usize>();
            assert!(
                out.iter().all(|o| o.unanswered.is_empty()),
                "a peer did not answer"
            );
        }
        times.sort();
        let median = percentile(&times, 0.5);
        println!(
            "flight of 1,000 {label}: median {:.1} ms, {hits} hits",
            median.as_secs_f64() * 1e3
        );
        median
    };
    let without = flights("screened at EUROPOL alone");
    let kept: Vec<RecordChange> = (0..1000)
        .map(|i| RecordChange::Create {
            id: RecordId::new(),
            owner: fra.clone(),
            draft: draft(format!("Q-{i}"), name(5_000_000 + i), ReleaseLevel::Query),
        })
        .collect();
    a.store().apply(kept, setup_event()).expect("query records");
    // INTERPOL's index takes them in (its server's follower would within a
    // second), and EUROPOL learns from the feed that INTERPOL answers queries.
    a.catch_up().expect("index");
    sync_until_caught_up(&b, &client);
    let with = flights("forwarded to INTERPOL too");
    let peer_caller = Caller {
        agency: AgencyCode::parse("EUROPOL").unwrap(),
        role: Role::Peer,
        token_id: "peer:EUROPOL".into(),
    };
    let body = serde_json::to_vec(&serde_json::json!({
        "from": "EUROPOL", "to": "INTERPOL", "agency": "NLD", "purpose": "benchmark",
        "travellers": flight,
    }))
    .unwrap();
    let mut owner_side = Vec::new();
    for _ in 0..15 {
        let t = Instant::now();
        a.answer_query(&peer_caller, &body).expect("answer");
        owner_side.push(t.elapsed());
    }
    owner_side.sort();
    println!(
        "forwarding adds {:.1} ms to the flight (target ≤ 5 ms); the owner's side of the query alone: median {:.1} ms",
        (with.as_secs_f64() - without.as_secs_f64()) * 1e3,
        percentile(&owner_side, 0.5).as_secs_f64() * 1e3
    );
    drop(runtime);
}
