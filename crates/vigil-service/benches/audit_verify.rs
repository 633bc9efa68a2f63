//! Verifying the audit chain: how long a chain of a million entries takes
//! to verify, and how much memory verification holds (it reads the chain
//! page by page).
//!
//! `cargo bench -p vigil-service --bench audit_verify` appends
//! `VIGIL_BENCH_AUDIT_ENTRIES` (default 1,000,000) entries shaped like a
//! screening's (a request and two disclosed records), then verifies the
//! chain as an auditor would (`Vigil::verify_audit`, what
//! `GET /v1/audit/verify` and `vigil audit verify` call) and prints the
//! time, entries per second and the process's resident memory before and
//! after.

use std::sync::Arc;
use std::time::Instant;

use vigil_core::audit::{AuditEvent, Disclosed};
use vigil_core::{Access, Action, AgencyCode, Caller, Outcome, RecordId, Role};
use vigil_service::{Config, Ctx, Vigil};
use vigil_store::prelude::*;
use vigil_store::SqliteStore;

fn rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .unwrap_or(0.0)
        / 1024.0
}

fn main() {
    let entries: usize = std::env::var("VIGIL_BENCH_AUDIT_ENTRIES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Arc::new(SqliteStore::open(dir.path()).expect("store"));
    let fra = AgencyCode::parse("FRA").expect("code");
    let deu = AgencyCode::parse("DEU").expect("code");
    let t = Instant::now();
    let mut appended = 0;
    while appended < entries {
        let batch: Vec<AuditEvent> = (appended..entries.min(appended + 10_000))
            .map(|i| AuditEvent {
                agency: fra.clone(),
                role: Role::Screener,
                token_id: "tok_0123456789ab".into(),
                purpose: "border check".into(),
                action: Action::Screen,
                request: serde_json::json!({"travellers": 1, "first": format!("TRAVELLER NUMBER{i}"), "threshold": 0.8}),
                disclosed: vec![
                    Disclosed {
                        record: RecordId::new(),
                        owner: deu.clone(),
                        level: Access::Full,
                    },
                    Disclosed {
                        record: RecordId::new(),
                        owner: fra.clone(),
                        level: Access::HitOnly,
                    },
                ],
                outcome: Outcome::Done,
            })
            .collect();
        appended += batch.len();
        store.append_audits(batch).expect("append");
    }
    println!(
        "# audit chain of {entries} entries appended in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    let vigil = Vigil::new(store as Arc<dyn Store>, Config::default());
    let auditor = Ctx::new(
        Caller {
            agency: AgencyCode::parse("EUROPOL").expect("code"),
            role: Role::Auditor,
            token_id: "bench".into(),
        },
        "bench",
    );
    let before = rss_mib();
    let t = Instant::now();
    let report = vigil
        .verify_audit(&auditor)
        .expect("verify")
        .expect("an intact chain");
    let took = t.elapsed().as_secs_f64();
    println!(
        "verify: {} entries in {took:.1} s = {:.0} entries/s; RSS {before:.0} MiB before, {:.0} MiB after",
        report.entries,
        report.entries as f64 / took,
        rss_mib()
    );
}
