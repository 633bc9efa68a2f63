//! What the end-to-end benches share: the synthetic watchlist (the matching
//! engine's generator), generated persons as FtM lines and as travellers,
//! opening a service, and percentiles.

#[path = "../../../vigil-match/benches/common/mod.rs"]
#[allow(dead_code)] // the engine's benches use parts of the generator that these do not
pub mod synthetic;

use std::sync::Arc;
use std::time::Duration;

use vigil_core::{AgencyCode, Caller, CountryCode, Gender, PartialDate, Role, Traveller};
use vigil_service::{Config, Ctx, Vigil};
use vigil_store::SqliteStore;

pub fn rss_mib() -> f64 {
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

pub fn open(dir: &std::path::Path) -> Arc<Vigil> {
    Arc::new(Vigil::new(
        Arc::new(SqliteStore::open(dir).expect("store")),
        Config::default(),
    ))
}

pub fn acting(agency: &str, role: Role) -> Ctx {
    Ctx::new(
        Caller {
            agency: AgencyCode::parse(agency).expect("code"),
            role,
            token_id: "bench".into(),
        },
        "benchmark",
    )
}

pub fn contributor(agency: &str) -> Ctx {
    acting(agency, Role::Contributor)
}

pub fn date_text(d: &vigil_match::DateSpec) -> String {
    match (d.month, d.day) {
        (Some(m), Some(day)) if d.year_from == d.year_to => {
            format!("{:04}-{m:02}-{day:02}", d.year_from)
        }
        (Some(m), None) if d.year_from == d.year_to => format!("{:04}-{m:02}", d.year_from),
        _ => format!("{:04}", d.year_from),
    }
}

pub fn partial(d: &vigil_match::DateSpec) -> Option<PartialDate> {
    PartialDate::parse(&date_text(d)).ok()
}

/// A generated person as an FtM entity line.
pub fn entity(i: usize, p: &vigil_match::PersonEntry) -> String {
    let mut names = Vec::new();
    let mut aliases = Vec::new();
    let mut weak = Vec::new();
    for n in &p.names {
        match n.kind {
            vigil_match::NameKind::Primary | vigil_match::NameKind::OriginalScript => {
                names.push(n.full.clone())
            }
            vigil_match::NameKind::Alias => aliases.push(n.full.clone()),
            vigil_match::NameKind::WeakAlias => weak.push(n.full.clone()),
        }
    }
    let nationality: Vec<String> = p
        .nationalities
        .iter()
        .filter_map(|c| CountryCode::parse(c).ok().and_then(|c| c.alpha2_lower()))
        .collect();
    let gender: Vec<&str> = p
        .gender
        .iter()
        .map(|g| match g {
            vigil_match::Gender::Male => "male",
            vigil_match::Gender::Female => "female",
            vigil_match::Gender::Other => "other",
        })
        .collect();
    serde_json::json!({
        "id": format!("syn-{i}"),
        "schema": "Person",
        "properties": {
            "name": names, "alias": aliases, "weakAlias": weak,
            "birthDate": p.birth_dates.iter().map(date_text).collect::<Vec<_>>(),
            "nationality": nationality, "gender": gender, "topics": ["crime.terror"],
        }
    })
    .to_string()
}

pub fn traveller(q: &vigil_match::Query) -> Traveller {
    Traveller {
        names: q.names.iter().map(|n| n.full.clone()).collect(),
        birth_date: q.birth_dates.first().and_then(partial),
        nationalities: q
            .nationalities
            .iter()
            .filter_map(|c| CountryCode::parse(c).ok())
            .collect(),
        gender: q.gender.map(|g| match g {
            vigil_match::Gender::Male => Gender::Male,
            vigil_match::Gender::Female => Gender::Female,
            vigil_match::Gender::Other => Gender::Other,
        }),
        ..Traveller::default()
    }
}

pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}
