//! Speed figures (not pass/fail) against a synthetic watchlist: index build time and memory,
//! single-thread latency, throughput, recall on noisy listed travellers, alerts per 1,000
//! travellers who are not listed, and a brute-force Jaro-Winkler baseline.
//!
//! `VIGIL_BENCH_PERSONS` (default 1,000,000) and `VIGIL_BENCH_QUERIES` (default 2,000 of each
//! kind) size the run; the seed is fixed, so runs are reproducible. The generator's name data
//! is in the shared data (see `vigil_testdata`): without it the bench says so and exits.

mod common;

use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use vigil_match::similarity::jaro_winkler;
use vigil_match::{Index, PersonEntry, Query, SearchOptions};

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Resident and peak memory from /proc/self/status (Linux), in MB.
fn memory_mb() -> (f64, f64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<f64>().ok())
            .map_or(0.0, |kb| kb / 1024.0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn main() {
    let persons = env_usize("VIGIL_BENCH_PERSONS", 1_000_000);
    let queries = env_usize("VIGIL_BENCH_QUERIES", 2_000);
    let mut rng = StdRng::seed_from_u64(0x5EED);
    let Some(pools) = common::Pools::load() else {
        return;
    };

    let t = Instant::now();
    let people: Vec<(PersonEntry, vigil_match::DateSpec)> =
        (0..persons).map(|_| pools.person(&mut rng)).collect();
    let forms: usize = people.iter().map(|(p, _)| p.names.len()).sum();
    println!(
        "generated {persons} persons ({forms} name forms) in {:.1?}",
        t.elapsed()
    );
    let (rss_before, _) = memory_mb();

    let t = Instant::now();
    let mut index = Index::new();
    for (key, (p, _)) in people.iter().enumerate() {
        index.upsert(key as u64, p);
    }
    let build = t.elapsed();
    let (rss, peak) = memory_mb();
    println!(
        "index build: {build:.1?} ({:.1} µs per person)",
        build.as_secs_f64() * 1e6 / persons as f64
    );
    println!("memory: RSS {rss:.0} MB (generated data alone {rss_before:.0} MB; index ≈ {:.0} MB), peak {peak:.0} MB", rss - rss_before);

    let listed: Vec<(u64, Query)> = (0..queries)
        .map(|_| {
            let key = rng.gen_range(0..persons);
            let (p, date) = &people[key];
            (key as u64, pools.noisy_traveller(p, *date, &mut rng))
        })
        .collect();
    let others: Vec<Query> = (0..queries)
        .map(|_| pools.other_traveller(&mut rng))
        .collect();
    let opts = SearchOptions::default();
    let all = |_: u64| true;

    let mut latencies = Vec::with_capacity(2 * queries);
    let (mut found, mut top1, mut misses) = (0, 0, 0);
    for (key, q) in &listed {
        let t = Instant::now();
        let res = index.search(q, &opts, &all);
        latencies.push(t.elapsed());
        if res.iter().any(|m| m.key == *key && m.is_match) {
            found += 1;
        } else if std::env::var("VIGIL_BENCH_VERBOSE").is_ok() && misses < 30 {
            misses += 1;
            let listed = vigil_match::compare(q, &people[*key as usize].0);
            println!(
                "  miss: {} (listed scores {:.3}, {}) top: {:?}",
                q.names[0].full,
                listed.0,
                if res.iter().any(|m| m.key == *key) {
                    "returned"
                } else {
                    "not returned"
                },
                res.first().map(|m| (&m.explanation.matched_name, m.score))
            );
        }
        if res.first().is_some_and(|m| m.key == *key) {
            top1 += 1;
        }
    }
    let (mut alerts, mut namesakes) = (0, 0);
    for q in &others {
        let t = Instant::now();
        let res = index.search(q, &opts, &all);
        latencies.push(t.elapsed());
        if let Some(m) = res.iter().find(|m| m.is_match) {
            alerts += 1;
            // Same name spelled the same, birth dates not contradicting: a true namesake that
            // any screening must raise; the rest are the engine's own false alerts.
            if m.explanation.name_score >= 0.999
                && m.explanation.birth_date != vigil_match::DateVerdict::Mismatch
            {
                namesakes += 1;
            }
            if std::env::var("VIGIL_BENCH_VERBOSE").is_ok() && alerts <= 40 {
                let e = &m.explanation;
                println!(
                    "  alert {:.3}: {} ~ {} [{:?} {:?}]",
                    m.score, e.query_name, e.matched_name, e.birth_date, e.nationality
                );
            }
        }
    }
    let total: Duration = latencies.iter().sum();
    latencies.sort();
    println!(
        "latency single thread ({} queries): median {:.1?} p90 {:.1?} p99 {:.1?} max {:.1?}; {:.0} queries/s",
        latencies.len(),
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.9),
        percentile(&latencies, 0.99),
        latencies[latencies.len() - 1],
        latencies.len() as f64 / total.as_secs_f64()
    );
    let recall = found as f64 / queries as f64;
    println!("noisy listed travellers: recall {recall:.3} at the default threshold; listed person ranked first {:.3}", top1 as f64 / queries as f64);
    println!(
        "travellers not listed: {:.1} alerts per 1,000 ({:.1} of them exact namesakes with compatible or unknown birth dates)",
        alerts as f64 * 1000.0 / queries as f64,
        namesakes as f64 * 1000.0 / queries as f64
    );

    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let all_queries: Vec<&Query> = listed.iter().map(|(_, q)| q).chain(others.iter()).collect();
    let t = Instant::now();
    std::thread::scope(|s| {
        for chunk in all_queries.chunks(all_queries.len().div_ceil(threads)) {
            let index = &index;
            s.spawn(move || {
                for q in chunk {
                    std::hint::black_box(index.search(q, &opts, &all));
                }
            });
        }
    });
    println!(
        "throughput on {threads} threads: {:.0} queries/s",
        all_queries.len() as f64 / t.elapsed().as_secs_f64()
    );

    // Brute force: Jaro-Winkler of the query name against every name form of every person.
    let names: Vec<(usize, Vec<char>)> = people
        .iter()
        .enumerate()
        .flat_map(|(k, (p, _))| {
            p.names
                .iter()
                .map(move |n| (k, n.full.to_lowercase().chars().collect()))
        })
        .collect();
    let sample = env_usize("VIGIL_BENCH_BRUTE", 10).min(listed.len());
    let (mut brute_hits, mut brute_time) = (0, Duration::ZERO);
    let mut our_hits = 0;
    for (key, q) in listed.iter().take(sample) {
        let name: Vec<char> = q.names[0].full.to_lowercase().chars().collect();
        let t = Instant::now();
        let best = names
            .iter()
            .map(|(k, n)| (jaro_winkler(&name, n), *k))
            .max_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, k)| k);
        brute_time += t.elapsed();
        brute_hits += usize::from(best == Some(*key as usize));
        our_hits += usize::from(
            index
                .search(q, &opts, &all)
                .first()
                .is_some_and(|m| m.key == *key),
        );
    }
    let brute = brute_time / sample.max(1) as u32;
    let median = percentile(&latencies, 0.5);
    println!(
        "brute-force Jaro-Winkler over {} name forms: {brute:.1?} per query, listed person ranked first {brute_hits}/{sample} (index: {our_hits}/{sample}); index is {:.0}x faster (median)",
        names.len(),
        brute.as_secs_f64() / median.as_secs_f64()
    );
}
