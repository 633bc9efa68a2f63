//! Screening beside an import: a server answers 20 screening clients while
//! `vigil import`, another process on the same database, stores a large
//! FtM file. Figures, not pass/fail; the targets (no error, p99 ≤ 100 ms
//! while the import runs) are in docs/performance.md.
//!
//! `cargo bench -p vigil --bench import_beside` prints, for each phase
//! (before the import, while it runs, while the server's index catches up,
//! after), the requests answered, the errors (any status but 2xx, or no
//! answer) and the latency percentiles, and how long after the import ended
//! its last record was found by screening. `VIGIL_BENCH_BASE` (default
//! 200,000) records are in the database before; `VIGIL_BENCH_IMPORT`
//! (default 200,000) are imported.

#[allow(dead_code)] // what only the other bench uses
mod common;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{acting, contributor, entity, open, percentile, synthetic, traveller};
use rand::rngs::StdRng;
use rand::SeedableRng;
use vigil_core::{AgencyCode, AgencyKind, Role};
use vigil_server::{AppState, ServerConfig};
use vigil_service::exchange::ImportFormat;

const CLIENTS: usize = 20;

fn env_count(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// One answered (or failed) screening request: when it started, relative to
/// the run's start, how long it took, and whether it succeeded.
struct Sample {
    started: Duration,
    took: Duration,
    ok: bool,
}

fn main() {
    let base = env_count("VIGIL_BENCH_BASE", 200_000);
    let imported = env_count("VIGIL_BENCH_IMPORT", 200_000);
    let Some(pools) = synthetic::Pools::load() else {
        return;
    };
    println!(
        "# Screening beside an import ({} cores): {base} records, then {imported} imported by `vigil import` while {CLIENTS} clients screen",
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let vigil = open(&data);
    let operator = acting("LOCAL", Role::Operator);
    for code in ["INTERPOL", "EUROPOL"] {
        vigil
            .ensure_agency(&operator, &AgencyCode::parse(code).expect("code"))
            .expect("agency");
    }
    let fra = AgencyCode::parse("FRA").expect("code");
    vigil
        .create_agency(&operator, &fra, "France", Some(AgencyKind::CountryBureau))
        .expect("agency");
    let (_, screener) = vigil
        .create_token(
            &operator,
            &fra,
            Role::Screener,
            &vigil_store::TokenOptions::default(),
        )
        .expect("token");

    let mut rng = StdRng::seed_from_u64(7);
    let mut lines = String::new();
    for i in 0..base {
        lines.push_str(&entity(i, &pools.person(&mut rng).0));
        lines.push('\n');
    }
    let batch = ImportFormat::Ftm.parse(lines.as_bytes()).expect("parse");
    vigil
        .import(&contributor("INTERPOL"), ImportFormat::Ftm, batch, None)
        .expect("base import");
    let mut lines = String::new();
    let mut last = None;
    for i in base..base + imported {
        let person = pools.person(&mut rng).0;
        lines.push_str(&entity(i, &person));
        lines.push('\n');
        last = Some((i, person));
    }
    let file = dir.path().join("import.ftm.jsonl");
    std::fs::write(&file, &lines).expect("import file");
    drop(lines);
    let t = Instant::now();
    let indexed = vigil.warm_up().expect("index");
    println!(
        "base: {indexed} records indexed in {:.1} s",
        t.elapsed().as_secs_f64()
    );

    // The last record of the file, as a traveller: found once the server's
    // index holds the whole import.
    let probe = last.map(|(i, p)| {
        let query = vigil_match::Query {
            names: p.names.clone(),
            birth_dates: p.birth_dates.clone(),
            nationalities: p.nationalities.clone(),
            gender: p.gender,
            documents: p.documents.clone(),
        };
        (
            format!("syn-{i}"),
            serde_json::json!({"traveller": traveller(&query), "limit": 20}).to_string(),
        )
    });
    let queries: Arc<Vec<String>> = Arc::new(
        (0..5000)
            .map(|_| {
                serde_json::json!({"traveller": traveller(&pools.other_traveller(&mut rng)), "limit": 5})
                    .to_string()
            })
            .collect(),
    );

    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let base_url = format!("http://{}", listener.local_addr().expect("addr"));
        tokio::spawn(vigil_server::serve(
            listener,
            AppState::new(vigil, ServerConfig::default()),
            std::future::pending(),
        ));
        let client = reqwest::Client::new();
        let start = Instant::now();
        let stop = Arc::new(AtomicBool::new(false));
        let samples = Arc::new(Mutex::new(Vec::<Sample>::new()));
        let mut tasks = Vec::new();
        for c in 0..CLIENTS {
            let (client, url, token, queries, stop, samples) = (
                client.clone(),
                format!("{base_url}/v1/screen"),
                screener.clone(),
                queries.clone(),
                stop.clone(),
                samples.clone(),
            );
            tasks.push(tokio::spawn(async move {
                let mut i = c * 250;
                let mut mine = Vec::new();
                while !stop.load(Ordering::Relaxed) {
                    let started = Instant::now();
                    let sent = client
                        .post(&url)
                        .bearer_auth(&token)
                        .header("x-vigil-purpose", "bench")
                        .header("content-type", "application/json")
                        .body(queries[i % queries.len()].clone())
                        .send()
                        .await;
                    let ok = match sent {
                        Ok(r) => r.status().is_success() && r.bytes().await.is_ok(),
                        Err(_) => false,
                    };
                    mine.push(Sample {
                        started: started - start,
                        took: started.elapsed(),
                        ok,
                    });
                    i += 1;
                }
                samples.lock().expect("samples").extend(mine);
            }));
        }

        tokio::time::sleep(Duration::from_secs(3)).await;
        let import_started = start.elapsed();
        let (cli_file, cli_data) = (file.clone(), data.clone());
        let cli = tokio::task::spawn_blocking(move || {
            std::process::Command::new(env!("CARGO_BIN_EXE_vigil"))
                .args(["import", "--format", "ftm", "--owner", "EUROPOL"])
                .arg(&cli_file)
                .arg("--data")
                .arg(&cli_data)
                .output()
        })
        .await
        .expect("import task")
        .expect("vigil import");
        let import_ended = start.elapsed();
        let took = (import_ended - import_started).as_secs_f64();
        println!(
            "vigil import: exit {}, {imported} records in {took:.1} s = {:.0} records/s; {}",
            cli.status,
            imported as f64 / took,
            String::from_utf8_lossy(&cli.stdout).lines().next().unwrap_or("")
        );
        if !cli.status.success() {
            println!("{}", String::from_utf8_lossy(&cli.stderr));
        }

        // Caught up: the file's last record is found by screening.
        let mut caught_up = None;
        if let Some((reference, body)) = &probe {
            let deadline = Instant::now() + Duration::from_secs(300);
            while Instant::now() < deadline {
                let found = client
                    .post(format!("{base_url}/v1/screen"))
                    .bearer_auth(&screener)
                    .header("x-vigil-purpose", "bench probe")
                    .header("content-type", "application/json")
                    .body(body.clone())
                    .send()
                    .await;
                if let Ok(r) = found {
                    if r.text().await.unwrap_or_default().contains(reference.as_str()) {
                        caught_up = Some(start.elapsed());
                        break;
                    }
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
        let caught_up_at = caught_up.unwrap_or(start.elapsed());
        match caught_up {
            Some(at) => println!(
                "index caught up {:.1} s after the import ended (the file's last record found by screening)",
                (at - import_ended).as_secs_f64()
            ),
            None => println!("index did not catch up within 300 s of the import's end"),
        }
        tokio::time::sleep(Duration::from_secs(3)).await;
        stop.store(true, Ordering::Relaxed);
        for task in tasks {
            task.await.expect("client");
        }
        let samples = samples.lock().expect("samples");
        let phases = [
            ("before the import", Duration::ZERO, import_started),
            ("during the import", import_started, import_ended),
            ("index catching up", import_ended, caught_up_at),
            ("after", caught_up_at, Duration::MAX),
        ];
        for (name, from, to) in phases {
            let in_phase: Vec<&Sample> = samples
                .iter()
                .filter(|s| s.started >= from && s.started < to)
                .collect();
            let errors = in_phase.iter().filter(|s| !s.ok).count();
            let mut lat: Vec<Duration> = in_phase.iter().map(|s| s.took).collect();
            lat.sort();
            if lat.is_empty() {
                println!("{name}: no requests");
                continue;
            }
            let ms = |d: Duration| d.as_secs_f64() * 1e3;
            println!(
                "{name}: {} requests, {errors} errors; p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
                lat.len(),
                ms(percentile(&lat, 0.5)),
                ms(percentile(&lat, 0.99)),
                ms(*lat.last().expect("non-empty"))
            );
        }
    });
}
