//! Identity-link detection: how well and how fast.
//!
//! `cargo bench -p vigil --bench linkage` prints:
//! 1. record linkage on FEBRL datasets 4a × 4b (shared data,
//!    `linkage/febrl/`; 5,000 true links): 4a as one agency's records, 4b
//!    as another's, given name, surname, birth date and `soc_sec_id` as a
//!    national identity document (no address); `vigil xref` at the default
//!    settings (no labels); precision, recall and F1 of white + yellow
//!    links and of white links alone, and how many true links are white;
//! 2. `vigil xref` over `VIGIL_BENCH_XREF_RECORDS` (default 1,000,000)
//!    generated records of four agencies, a tenth of the persons held by
//!    two agencies (spelling noise, half of them with the same passport):
//!    time, records per second, links made and resident memory;
//! 3. detection on a single write against that database: the time
//!    `Vigil::detect_links` takes for one new record, as percentiles over
//!    1,000 writes.
//!
//! Figures, not pass/fail; the targets are in docs/performance.md.

#[allow(dead_code)] // what only the other benches use
mod common;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use common::{acting, open, partial, percentile, rss_mib, synthetic};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use vigil_core::audit::AuditEvent;
use vigil_core::{
    Action, AgencyCode, Document, DocumentKind, LinkState, Name, NameKind, Outcome, PartialDate,
    RecordDraft, RecordId, Role,
};
use vigil_service::Vigil;
use vigil_store::{LinkFilter, RecordChange};

fn env_count(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn operator() -> vigil_service::Ctx {
    acting("LOCAL", Role::Operator)
}

fn add_agencies(v: &Vigil, codes: &[&str]) {
    for c in codes {
        v.create_agency(&operator(), &AgencyCode::parse(c).expect("code"), c, None)
            .expect("agency");
    }
}

/// Writes records as one owner's import would, in batches.
fn write_all(v: &Vigil, records: Vec<(AgencyCode, RecordId, RecordDraft)>) {
    let mut by_owner: HashMap<AgencyCode, Vec<RecordChange>> = HashMap::new();
    for (owner, id, draft) in records {
        by_owner
            .entry(owner.clone())
            .or_default()
            .push(RecordChange::Create { id, owner, draft });
    }
    for (owner, changes) in by_owner {
        let mut changes = changes.into_iter().peekable();
        while changes.peek().is_some() {
            let batch: Vec<RecordChange> = changes.by_ref().take(10_000).collect();
            let event: AuditEvent = acting(owner.as_str(), Role::Contributor).event(
                Action::Import,
                serde_json::Value::Null,
                vec![],
                Outcome::Done,
            );
            v.store().apply(batch, event).expect("write");
        }
    }
}

/// Every link, from the operator's view.
fn all_links(v: &Vigil) -> Vec<vigil_service::links::LinkView> {
    let mut out = Vec::new();
    let mut filter = LinkFilter::default();
    loop {
        let page = v
            .list_links(&operator(), filter.clone(), 10_000)
            .expect("links");
        out.extend(page.items);
        match page.next_cursor.and_then(|c| c.parse().ok()) {
            Some(after) => filter.after = Some(after),
            None => return out,
        }
    }
}

/// One FEBRL row as a record; `None` for the header.
fn febrl_record(line: &str) -> Option<(String, RecordDraft)> {
    let f: Vec<&str> = line.split(',').map(str::trim).collect();
    if f.len() < 11 || f[0] == "rec_id" {
        return None;
    }
    let (given, family) = (f[1], f[2]);
    let full = [given, family]
        .iter()
        .filter(|s| !s.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(" ");
    let full = if full.is_empty() {
        "unknown".into()
    } else {
        full
    };
    let mut d = RecordDraft::new(f[0], full);
    d.names[0].given = (!given.is_empty()).then(|| given.to_string());
    d.names[0].family = (!family.is_empty()).then(|| family.to_string());
    let born = f[9];
    if born.len() == 8 {
        let text = format!("{}-{}-{}", &born[..4], &born[4..6], &born[6..]);
        // Impossible dates (FEBRL's typos) keep their year.
        if let Some(date) = PartialDate::parse(&text)
            .ok()
            .or_else(|| PartialDate::parse(&born[..4]).ok())
        {
            d.birth_dates.push(date);
        }
    }
    if !f[10].is_empty() {
        d.documents.push(Document {
            kind: DocumentKind::NationalId,
            number: f[10].to_string(),
            country: None,
            expiry: None,
            only_one: false,
        });
    }
    Some((f[0].to_string(), d))
}

/// The person a FEBRL id stands for (`rec-12-org`, `rec-12-dup-0`: 12).
fn febrl_person(id: &str) -> &str {
    id.split('-').nth(1).unwrap_or(id)
}

fn febrl() {
    let (Some(a), Some(b)) = (
        vigil_testdata::shared_data("linkage/febrl/dataset4a.csv"),
        vigil_testdata::shared_data("linkage/febrl/dataset4b.csv"),
    ) else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let v = open(dir.path());
    add_agencies(&v, &["AUA", "AUB"]);
    let mut references: HashMap<RecordId, String> = HashMap::new();
    let mut records = Vec::new();
    for (path, owner) in [(a, "AUA"), (b, "AUB")] {
        let text = std::fs::read_to_string(&path).expect("read FEBRL");
        for (reference, draft) in text.lines().filter_map(febrl_record) {
            let id = RecordId::new();
            references.insert(id, reference);
            records.push((AgencyCode::parse(owner).expect("code"), id, draft));
        }
    }
    write_all(&v, records);
    let t = Instant::now();
    let summary = v.xref(&operator(), true, &mut |_, _| {}).expect("xref");
    let took = t.elapsed();
    let links = all_links(&v);
    let truth = 5000.0;
    let score = |white_only: bool| {
        let (mut tp, mut fp) = (0usize, 0usize);
        for l in &links {
            let kept = match l.state {
                LinkState::White => true,
                LinkState::Yellow => !white_only,
                _ => false,
            };
            if kept {
                let [x, y] = l.records.map(|r| febrl_person(&references[&r]).to_string());
                if x == y {
                    tp += 1;
                } else {
                    fp += 1;
                }
            }
        }
        let precision = tp as f64 / (tp + fp).max(1) as f64;
        let recall = tp as f64 / truth;
        let f1 = 2.0 * precision * recall / (precision + recall).max(f64::MIN_POSITIVE);
        (tp, fp, precision, recall, f1)
    };
    println!(
        "FEBRL 4a x 4b: {} records checked in {:.2} s ({} white, {} yellow links)",
        summary.records,
        took.as_secs_f64(),
        summary.white,
        summary.yellow
    );
    for (label, white_only) in [("white + yellow", false), ("white only", true)] {
        let (tp, fp, p, r, f1) = score(white_only);
        println!(
            "  {label:<15} true {tp:>5}  false {fp:>4}  precision {p:.4}  recall {r:.4}  F1 {f1:.4}"
        );
    }
}

/// A generated person as a record draft.
fn draft(reference: String, p: &vigil_match::PersonEntry, passport: Option<String>) -> RecordDraft {
    let kinds = |k: vigil_match::NameKind| match k {
        vigil_match::NameKind::Primary => NameKind::Primary,
        vigil_match::NameKind::Alias => NameKind::Alias,
        vigil_match::NameKind::WeakAlias => NameKind::WeakAlias,
        vigil_match::NameKind::OriginalScript => NameKind::OriginalScript,
    };
    let mut d = RecordDraft::new(reference, "x");
    d.names = p
        .names
        .iter()
        .map(|n| Name::new(n.text(), kinds(n.kind)))
        .collect();
    d.birth_dates = p.birth_dates.iter().filter_map(partial).collect();
    d.documents = passport
        .into_iter()
        .map(|number| Document {
            kind: DocumentKind::Passport,
            number,
            country: None,
            expiry: None,
            only_one: false,
        })
        .collect();
    d
}

fn xref_at_scale() {
    let Some(pools) = synthetic::Pools::load() else {
        return;
    };
    let n = env_count("VIGIL_BENCH_XREF_RECORDS", 1_000_000);
    let owners = ["FRA", "DEU", "ESP", "ITA"].map(|c| AgencyCode::parse(c).expect("code"));
    let dir = tempfile::tempdir().expect("tempdir");
    let v = open(dir.path());
    add_agencies(&v, &["FRA", "DEU", "ESP", "ITA"]);
    let mut rng = StdRng::seed_from_u64(14);
    let t = Instant::now();
    let mut records = Vec::with_capacity(n);
    let mut i = 0;
    while records.len() < n {
        let (person, date) = pools.person(&mut rng);
        let owner = i % owners.len();
        let passport = format!("P{:08}", i);
        let shared = rng.gen_bool(0.1);
        let with_passport = shared && rng.gen_bool(0.5);
        records.push((
            owners[owner].clone(),
            RecordId::new(),
            draft(
                format!("R{i}"),
                &person,
                with_passport.then(|| passport.clone()),
            ),
        ));
        if shared && records.len() < n {
            let noisy = pools.noisy_traveller(&person, date, &mut rng);
            let copy = vigil_match::PersonEntry {
                names: noisy.names,
                birth_dates: noisy.birth_dates,
                nationalities: noisy.nationalities,
                gender: noisy.gender,
                documents: Vec::new(),
            };
            records.push((
                owners[(owner + 1) % owners.len()].clone(),
                RecordId::new(),
                draft(format!("R{i}-2"), &copy, with_passport.then_some(passport)),
            ));
        }
        i += 1;
    }
    write_all(&v, records);
    println!(
        "xref: wrote {n} generated records in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    let t = Instant::now();
    let summary = v.xref(&operator(), true, &mut |_, _| {}).expect("xref");
    let took = t.elapsed().as_secs_f64();
    println!(
        "xref: {} records checked in {took:.1} s ({:.0} records/s): {} white, {} yellow links; resident memory {:.0} MiB",
        summary.records,
        summary.records as f64 / took,
        summary.white,
        summary.yellow,
        rss_mib()
    );

    // 3. One write's detection, against the whole database.
    let mut times: Vec<Duration> = Vec::with_capacity(1000);
    for k in 0..1000 {
        let (person, _) = pools.person(&mut rng);
        let id = RecordId::new();
        let written = v
            .store()
            .apply(
                vec![RecordChange::Create {
                    id,
                    owner: owners[k % owners.len()].clone(),
                    draft: draft(format!("W{k}"), &person, Some(format!("W{k:08}"))),
                }],
                acting(owners[k % owners.len()].as_str(), Role::Contributor).event(
                    Action::RecordCreate,
                    serde_json::Value::Null,
                    vec![],
                    Outcome::Done,
                ),
            )
            .expect("write");
        let t = Instant::now();
        v.detect_links(&written).expect("detect");
        times.push(t.elapsed());
    }
    times.sort();
    println!(
        "detection on one write (1,000 writes, {} records): median {:.2} ms, p99 {:.2} ms",
        summary.records,
        percentile(&times, 0.5).as_secs_f64() * 1e3,
        percentile(&times, 0.99).as_secs_f64() * 1e3
    );
}

fn main() {
    febrl();
    xref_at_scale();
}
