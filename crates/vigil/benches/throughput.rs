//! End-to-end throughput of Vigil on this machine: figures, not pass/fail.
//!
//! `cargo bench -p vigil --bench throughput` prints:
//! - importing the OFAC SDN list (parse + store, one transaction);
//! - importing a generated FtM file of N persons (default 1,000,000;
//!   `VIGIL_BENCH_PERSONS` overrides), records per second;
//! - optionally (`VIGIL_BENCH_RESTRICTED=n`) n more records, copies of listed
//!   persons, hidden from the screening agency;
//! - building the screening index over those N records, and memory;
//! - screening 1,000-traveller flights (PAXLST, parsed, screened, stored
//!   with their hits and audit entry): latency per flight and sustained
//!   travellers per second on all cores;
//! - the HTTP API on loopback: records written per second, screening
//!   latency percentiles at 50 concurrent clients and in an open loop at
//!   2,000 requests/s, with the process CPU per request; with
//!   `VIGIL_BENCH_OHA=path/to/oha`, the same two loads from `oha` in a
//!   process of its own (the server's CPU per request alone).
//!
//! The synthetic watchlist is the matching engine's generator (real name
//! distributions from the shared data), reused here. The OFAC list and those
//! names are found through `vigil_testdata`; without them the bench says so
//! and exits.

#[allow(dead_code)] // what only the other bench uses
mod common;

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use common::{
    acting, contributor, date_text, entity, open, percentile, rss_mib, synthetic, traveller,
};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use vigil_core::{AgencyCode, Caller, Role};
use vigil_formats::paxlst;
use vigil_server::{AppState, ServerConfig};
use vigil_service::exchange::ImportFormat;
use vigil_service::flights::ManifestInput;
use vigil_service::screening::ScreenOptions;
use vigil_service::{Ctx, Vigil};

/// A 1,000-traveller flight as PAXLST: mostly travellers who are not listed,
/// a few noisy renderings of listed persons.
fn flight(
    n: usize,
    pools: &synthetic::Pools,
    listed: &[(vigil_match::PersonEntry, vigil_match::DateSpec)],
    rng: &mut StdRng,
) -> String {
    let t0 = NaiveDate::from_ymd_opt(2026, 11, 28)
        .and_then(|d| d.and_hms_opt(10, 30, 0))
        .expect("date");
    let leg = paxlst::Leg::new(
        "XY",
        &format!("XY{}", rng.gen_range(100..999)),
        ("IST", t0),
        ("CDG", t0 + chrono::Duration::hours(4)),
    );
    let mut m = paxlst::Manifest::new_flight(paxlst::ManifestKind::PassengerList, leg, t0);
    for i in 0..n {
        let q = if i % 100 == 0 {
            let (p, d) = &listed[rng.gen_range(0..listed.len())];
            pools.noisy_traveller(p, *d, rng)
        } else {
            pools.other_traveller(rng)
        };
        let full = &q.names[0].full;
        let words: Vec<&str> = full.split_whitespace().collect();
        let (surname, given) = words
            .split_last()
            .map(|(s, g)| (*s, g.to_vec()))
            .unwrap_or(("X", vec![]));
        let mut t = paxlst::Traveller::new(paxlst::Role::Passenger, surname, &given);
        t.birth_date = q.birth_dates.first().and_then(|d| {
            NaiveDate::from_ymd_opt(
                d.year_from,
                d.month.unwrap_or(1).into(),
                d.day.unwrap_or(1).into(),
            )
        });
        t.nationality = q.nationalities.first().cloned();
        t.documents.push(paxlst::TravelDocument {
            doc_type: "P".into(),
            number: format!("X{:08}", rng.gen_range(0..99_999_999)),
            expiry: None,
            issuing_country: t.nationality.clone(),
        });
        m.travellers.push(t);
    }
    paxlst::emit(&m, &paxlst::Delimiters::default())
}

fn main() {
    let persons: usize = std::env::var("VIGIL_BENCH_PERSONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let dir = tempfile::tempdir().expect("tempdir");
    println!(
        "# Vigil throughput ({} cores)",
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    );

    let Some(ofac_path) = vigil_testdata::shared_data("lists/ofac_sdn_2024-05-07.xml") else {
        return;
    };

    // 1. OFAC.
    {
        let ofac = std::fs::read(ofac_path).expect("OFAC list");
        let vigil = open(&dir.path().join("ofac"));
        vigil
            .ensure_agency(
                &acting("LOCAL", Role::Operator),
                &AgencyCode::parse("OFAC").expect("code"),
            )
            .expect("agency");
        let t = Instant::now();
        let batch = ImportFormat::OfacXml.parse(&ofac).expect("parse");
        let parsed = t.elapsed();
        let report = vigil
            .import(&contributor("OFAC"), ImportFormat::OfacXml, batch, None)
            .expect("import");
        println!(
            "import OFAC SDN ({:.1} MB): {} persons in {:.2} s (parse {:.2} s)",
            ofac.len() as f64 / 1e6,
            report.added,
            t.elapsed().as_secs_f64(),
            parsed.as_secs_f64()
        );
    }

    // 2. A generated FtM file of `persons` records.
    let Some(pools) = synthetic::Pools::load() else {
        return;
    };
    let mut rng = StdRng::seed_from_u64(42);
    let t = Instant::now();
    let mut listed = Vec::with_capacity(persons);
    let mut ftm = String::with_capacity(persons * 300);
    for i in 0..persons {
        let (p, d) = pools.person(&mut rng);
        ftm.push_str(&entity(i, &p));
        ftm.push('\n');
        if i % 1000 == 0 {
            listed.push((p, d));
        }
    }
    println!(
        "generated {persons} FtM persons ({:.0} MB) in {:.1} s",
        ftm.len() as f64 / 1e6,
        t.elapsed().as_secs_f64()
    );
    let vigil = open(&dir.path().join("main"));
    vigil
        .ensure_agency(
            &acting("LOCAL", Role::Operator),
            &AgencyCode::parse("INTERPOL").expect("code"),
        )
        .expect("agency");
    let t = Instant::now();
    let batch = ImportFormat::Ftm.parse(ftm.as_bytes()).expect("parse");
    let parsed = t.elapsed();
    drop(ftm);
    let report = vigil
        .import(&contributor("INTERPOL"), ImportFormat::Ftm, batch, None)
        .expect("import");
    let took = t.elapsed();
    println!(
        "import FtM: {} records in {:.1} s = {:.0} records/s (parse {:.1} s, store {:.1} s)",
        report.added,
        took.as_secs_f64(),
        report.added as f64 / took.as_secs_f64(),
        parsed.as_secs_f64(),
        (took - parsed).as_secs_f64()
    );

    // 2b. Optionally, records hidden from the screening agency (FRA): copies
    // of listed persons, so some travellers match a record they may not see.
    let restricted: usize = std::env::var("VIGIL_BENCH_RESTRICTED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    if restricted > 0 {
        let t = Instant::now();
        let ctx = contributor("INTERPOL");
        for (i, (p, _)) in listed.iter().cycle().take(restricted).enumerate() {
            let draft = serde_json::json!({
                "reference": format!("R-{i}"),
                "names": p.names.iter().map(|n| serde_json::json!({"full": n.full})).collect::<Vec<_>>(),
                "birth_dates": p.birth_dates.iter().map(date_text).collect::<Vec<_>>(),
                "policy": {"visibility": {"except": ["FRA"]}},
            });
            vigil
                .create_record(&ctx, serde_json::from_value(draft).expect("draft"))
                .expect("restricted record");
        }
        println!(
            "restricted: {restricted} records hidden from the screening agency, written in {:.1} s",
            t.elapsed().as_secs_f64()
        );
    }

    // 3. The screening index over everything.
    let t = Instant::now();
    let indexed = vigil.warm_up().expect("index");
    println!(
        "screening index: {indexed} records built in {:.1} s; process RSS {:.0} MiB",
        t.elapsed().as_secs_f64(),
        rss_mib()
    );

    // 4. Whole flights.
    let screener = Ctx::new(
        Caller {
            agency: AgencyCode::parse("FRA").expect("code"),
            role: Role::Screener,
            token_id: "bench".into(),
        },
        "border check",
    );
    let flights: Vec<String> = (0..12)
        .map(|_| flight(1000, &pools, &listed, &mut rng))
        .collect();
    let mut latencies = Vec::new();
    let mut hits = 0;
    for f in &flights[..4] {
        let t = Instant::now();
        let (summary, _) = vigil
            .screen_manifest(
                &screener,
                ManifestInput::Paxlst(f.clone().into_bytes()),
                ScreenOptions::default(),
            )
            .expect("manifest");
        latencies.push(t.elapsed());
        hits += summary.hits;
    }
    latencies.sort();
    println!(
        "1,000-traveller flight (parse + screen + store): median {:.0} ms, max {:.0} ms; {} hits in 4 flights ({} planted)",
        percentile(&latencies, 0.5).as_secs_f64() * 1e3,
        latencies.last().map(|d| d.as_secs_f64() * 1e3).unwrap_or(0.0),
        hits,
        40
    );
    if restricted > 0 {
        let hidden = vigil
            .store()
            .hits(&vigil_store::HitFilter {
                limit: 100_000,
                ..Default::default()
            })
            .expect("hits")
            .iter()
            .filter(|h| h.disclosed == vigil_core::Access::Hidden)
            .count();
        println!("  and {hidden} hits on records hidden from the screener (their owners notified)");
    }
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2);
    let t = Instant::now();
    std::thread::scope(|s| {
        for chunk in flights[4..].chunks(flights[4..].len().div_ceil(threads)) {
            let (vigil, screener) = (vigil.clone(), screener.clone());
            s.spawn(move || {
                for f in chunk {
                    vigil
                        .screen_manifest(
                            &screener,
                            ManifestInput::Paxlst(f.clone().into_bytes()),
                            ScreenOptions::default(),
                        )
                        .expect("manifest");
                }
            });
        }
    });
    let travellers = (flights.len() - 4) * 1000;
    println!(
        "sustained: {travellers} travellers on {threads} threads in {:.2} s = {:.0} travellers/s",
        t.elapsed().as_secs_f64(),
        travellers as f64 / t.elapsed().as_secs_f64()
    );

    // 5. The HTTP API on loopback.
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(http(vigil.clone(), &pools, &mut rng));
}

async fn http(vigil: Arc<Vigil>, pools: &synthetic::Pools, rng: &mut StdRng) {
    let admin = acting("LOCAL", Role::Operator);
    let fra = AgencyCode::parse("FRA").expect("code");
    vigil
        .create_agency(
            &admin,
            &fra,
            "France",
            Some(vigil_core::AgencyKind::CountryBureau),
        )
        .ok();
    let (_, writer) = vigil
        .create_token(
            &admin,
            &fra,
            Role::Contributor,
            &vigil_store::TokenOptions::default(),
        )
        .expect("token");
    let (_, screener) = vigil
        .create_token(
            &admin,
            &fra,
            Role::Screener,
            &vigil_store::TokenOptions::default(),
        )
        .expect("token");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(vigil_server::serve(
        listener,
        AppState::new(vigil, ServerConfig::default()),
        std::future::pending(),
    ));
    let client = reqwest::Client::new();

    // Writes: 16 clients for 5 s.
    let deadline = Instant::now() + Duration::from_secs(5);
    let t = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..16 {
        let (client, base, writer) = (client.clone(), base.clone(), writer.clone());
        tasks.push(tokio::spawn(async move {
            let mut n = 0u64;
            while Instant::now() < deadline {
                let body = serde_json::json!({"reference": format!("W-{c}-{n}"), "names": [{"full": format!("Writer Person{c} Number{n}")}], "birth_dates": ["1980"]});
                let r = client.post(format!("{base}/v1/records")).bearer_auth(&writer).header("x-vigil-purpose", "bench").json(&body).send().await;
                if r.map(|r| r.status().is_success()).unwrap_or(false) {
                    n += 1;
                }
            }
            n
        }));
    }
    let mut written = 0;
    for task in tasks {
        written += task.await.unwrap_or(0);
    }
    println!("HTTP writes (16 clients): {written} records in {:.1} s = {:.0} records/s, each durable with its audit entry", t.elapsed().as_secs_f64(), written as f64 / t.elapsed().as_secs_f64());

    // Screening: 50 clients for 10 s.
    let queries: Vec<String> = (0..5000)
        .map(|_| {
            serde_json::json!({"traveller": traveller(&pools.other_traveller(rng)), "limit": 5})
                .to_string()
        })
        .collect();
    let queries = Arc::new(queries);
    let deadline = Instant::now() + Duration::from_secs(10);
    let t = Instant::now();
    let cpu = CpuClock::start();
    let mut tasks = Vec::new();
    for c in 0..50 {
        let (client, base, screener, queries) = (
            client.clone(),
            base.clone(),
            screener.clone(),
            queries.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            let mut i = c * 100;
            while Instant::now() < deadline {
                let started = Instant::now();
                let r = client
                    .post(format!("{base}/v1/screen"))
                    .bearer_auth(&screener)
                    .header("x-vigil-purpose", "bench")
                    .header("content-type", "application/json")
                    .body(queries[i % queries.len()].clone())
                    .send()
                    .await;
                if let Ok(r) = r {
                    let ok = r.status().is_success();
                    let _ = r.bytes().await;
                    if ok {
                        lat.push(started.elapsed());
                    }
                }
                i += 1;
            }
            lat
        }));
    }
    let mut lat = Vec::new();
    for task in tasks {
        lat.extend(task.await.unwrap_or_default());
    }
    lat.sort();
    if !lat.is_empty() {
        println!(
            "HTTP /v1/screen (50 clients): {} requests in {:.1} s = {:.0} req/s; p50 {:.2} ms, p99 {:.2} ms; process CPU {:.0} µs per request (client included)",
            lat.len(),
            t.elapsed().as_secs_f64(),
            lat.len() as f64 / t.elapsed().as_secs_f64(),
            percentile(&lat, 0.5).as_secs_f64() * 1e3,
            percentile(&lat, 0.99).as_secs_f64() * 1e3,
            cpu.elapsed() / lat.len() as f64 * 1e6,
        );
    }

    open_loop(&client, &base, &screener, &queries, OPEN_LOOP_RATE).await;
    if let Some(oha) = std::env::var_os("VIGIL_BENCH_OHA") {
        with_oha(Path::new(&oha), &base, &screener, &queries);
    }
}

/// The offered rate of the open-loop run, requests per second.
const OPEN_LOOP_RATE: u32 = 2_000;

/// Requests sent on a fixed schedule whatever the answers do (an open
/// loop), each timed from when it was due, so a stall counts against every
/// request it delays (no coordinated omission).
async fn open_loop(
    client: &reqwest::Client,
    base: &str,
    screener: &str,
    queries: &Arc<Vec<String>>,
    rate: u32,
) {
    let seconds = 10;
    let total = rate as usize * seconds;
    let interval = Duration::from_secs(1) / rate;
    let start = tokio::time::Instant::now();
    let cpu = CpuClock::start();
    let mut tasks = Vec::with_capacity(total);
    for i in 0..total {
        let due = start + interval * i as u32;
        tokio::time::sleep_until(due).await;
        let (client, url, screener, body) = (
            client.clone(),
            format!("{base}/v1/screen"),
            screener.to_string(),
            queries[i % queries.len()].clone(),
        );
        tasks.push(tokio::spawn(async move {
            let r = client
                .post(url)
                .bearer_auth(&screener)
                .header("x-vigil-purpose", "bench")
                .header("content-type", "application/json")
                .body(body)
                .send()
                .await;
            match r {
                Ok(r) if r.status().is_success() => {
                    let _ = r.bytes().await;
                    Some(due.elapsed())
                }
                _ => None,
            }
        }));
    }
    let mut lat = Vec::with_capacity(total);
    for task in tasks {
        if let Ok(Some(l)) = task.await {
            lat.push(l);
        }
    }
    let cpu = cpu.elapsed();
    lat.sort();
    if !lat.is_empty() {
        println!(
            "HTTP /v1/screen open loop at {rate} req/s offered: {} answered of {total}; p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms; process CPU {:.0} µs per request (client included)",
            lat.len(),
            percentile(&lat, 0.5).as_secs_f64() * 1e3,
            percentile(&lat, 0.99).as_secs_f64() * 1e3,
            lat.last().map_or(0.0, |l| l.as_secs_f64() * 1e3),
            cpu / lat.len() as f64 * 1e6,
        );
    }
}

/// The same measures with `oha`, a standard load generator in a process
/// of its own, so that the CPU this process spends is the server's alone.
fn with_oha(oha: &Path, base: &str, screener: &str, queries: &[String]) {
    let dir = tempfile::tempdir().expect("tempdir");
    // One request body a line: oha sends them in turn.
    let body_file = dir.path().join("bodies.jsonl");
    std::fs::write(&body_file, queries.join("\n")).expect("bodies");
    let url = format!("{base}/v1/screen");
    for (label, load) in [
        ("50 connections", vec!["-c", "50"]),
        (
            "open loop at 2,000 req/s",
            vec!["-c", "50", "-q", "2000", "--latency-correction"],
        ),
    ] {
        let cpu = CpuClock::start();
        let out = std::process::Command::new(oha)
            .args([
                "-z",
                "10s",
                "--no-tui",
                "--output-format",
                "json",
                "-m",
                "POST",
            ])
            .args(&load)
            .args(["-H", &format!("authorization: Bearer {screener}")])
            .args([
                "-H",
                "x-vigil-purpose: bench",
                "-H",
                "content-type: application/json",
            ])
            .arg("-Z")
            .arg(&body_file)
            .arg(&url)
            .output();
        let cpu = cpu.elapsed();
        let Ok(out) = out else {
            println!("oha: could not run {}", oha.display());
            return;
        };
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
        let summary = &report["summary"];
        let pct = |p: &str| report["latencyPercentiles"][p].as_f64().unwrap_or(f64::NAN) * 1e3;
        let requests = summary["requestsPerSec"].as_f64().unwrap_or(0.0) * 10.0;
        println!(
            "oha /v1/screen, {label}: {:.0} req/s (success rate {:.3}); p50 {:.2} ms, p99 {:.2} ms; server CPU {:.0} µs per request",
            summary["requestsPerSec"].as_f64().unwrap_or(0.0),
            summary["successRate"].as_f64().unwrap_or(0.0),
            pct("p50"),
            pct("p99"),
            cpu / requests.max(1.0) * 1e6,
        );
    }
}

/// CPU time this process has used since `start`, user and system, from
/// `/proc/self/stat` (clock ticks of 10 ms: runs of seconds are precise
/// enough).
struct CpuClock(f64);

impl CpuClock {
    fn now() -> f64 {
        let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
        // The fields after the command name, which is in parentheses.
        let fields: Vec<&str> = stat
            .rsplit_once(')')
            .map_or("", |(_, rest)| rest)
            .split_whitespace()
            .collect();
        let ticks = |i: usize| {
            fields
                .get(i)
                .and_then(|f| f.parse::<f64>().ok())
                .unwrap_or(0.0)
        };
        // utime and stime are fields 14 and 15 of the line, 12 and 13 here.
        (ticks(11) + ticks(12)) / 100.0
    }

    fn start() -> Self {
        CpuClock(Self::now())
    }

    /// Seconds of CPU since `start`.
    fn elapsed(&self) -> f64 {
        Self::now() - self.0
    }
}
