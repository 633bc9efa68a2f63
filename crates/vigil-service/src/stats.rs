//! Statistics: exact counts, audited, that never reveal a record the
//! viewer may not see.
//!
//! - Record and hit figures count only records the viewer sees (a hit on a
//!   record hidden from it does not count), so a hidden record moves no
//!   number.
//! - The viewer's own agency's figures are exact. Other agencies' appear
//!   only added up per country (their code within their organisation),
//!   and a cell under [`MIN_CELL`] is withheld (`null`): a small number
//!   about others singles out a case. Oversight (auditors) and the local
//!   operator see every agency's exact figures.
//! - Activity (audited calls) is counted in the transaction that appends
//!   each audit entry; days are UTC calendar days.

use std::collections::BTreeMap;

use serde::Serialize;
use vigil_core::access;
use vigil_core::{Action, AgencyCode, HitStatus, LinkState, Outcome, RecordStatus, Role};

use crate::context::Ctx;
use crate::error::Result;
use crate::vigil::Vigil;

/// The least count shown for a cell about other agencies.
pub const MIN_CELL: i64 = 5;

/// Whose figures a row holds; in JSON the agency's code, or `others:` and
/// the country.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Subject {
    /// One agency, exactly.
    Agency(AgencyCode),
    /// Other agencies of one country (or organisation-local code), added up.
    OthersIn(String),
}

impl Serialize for Subject {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        match self {
            Subject::Agency(a) => s.serialize_str(a.as_str()),
            Subject::OthersIn(c) => s.serialize_str(&format!("others:{c}")),
        }
    }
}

/// A count, or `null` when withheld for being under the minimum cell size.
pub type Cell = Option<i64>;

#[derive(Debug, Clone, Default, Serialize)]
pub struct RecordFigures {
    pub active: Cell,
    pub retired: Cell,
    pub by_category: BTreeMap<String, Cell>,
    pub by_handling: BTreeMap<String, Cell>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct DayFigures {
    /// Screening calls (audited), and the travellers they carried.
    pub screenings: Cell,
    pub travellers: Cell,
    /// Hits on this subject's records, and hits on its screenings.
    pub hits_received: Cell,
    pub hits_made: Cell,
}

#[derive(Debug, Clone, Serialize)]
pub struct PeerLag {
    pub peer: AgencyCode,
    /// Operations of the peer's feed not yet applied here.
    pub lag: i64,
    pub last_success: Option<chrono::DateTime<chrono::Utc>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Stats {
    pub generated_at: chrono::DateTime<chrono::Utc>,
    pub min_cell_size: i64,
    pub records: BTreeMap<Subject, RecordFigures>,
    /// Per UTC day (`YYYY-MM-DD`), per subject.
    pub activity: BTreeMap<String, BTreeMap<Subject, DayFigures>>,
    /// Hits on records the viewer sees, by outcome.
    pub hit_outcomes: BTreeMap<&'static str, Cell>,
    /// Links between records the viewer sees, by colour.
    pub links: BTreeMap<&'static str, i64>,
    /// For who manages federation: how far behind each peer this instance is.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub federation: Vec<PeerLag>,
}

impl Vigil {
    pub fn stats(&self, ctx: &Ctx) -> Result<Stats> {
        let exact_all = matches!(ctx.caller.role, Role::Auditor | Role::Operator);
        let subject = |agency: &AgencyCode| -> Subject {
            if exact_all || agency == &ctx.caller.agency {
                Subject::Agency(agency.clone())
            } else {
                Subject::OthersIn(agency.local_part().to_string())
            }
        };
        let sees = |owner: &AgencyCode, status: RecordStatus, policy: &vigil_core::AccessPolicy| {
            ctx.caller.role == Role::Operator
                || !access::hidden_from(&ctx.caller, owner, status, policy)
        };

        let mut records: BTreeMap<Subject, Counts> = BTreeMap::new();
        for g in self.store.record_groups()? {
            if !sees(&g.owner, g.status, &g.policy) {
                continue;
            }
            let c = records.entry(subject(&g.owner)).or_default();
            let status = match g.status {
                RecordStatus::Active => "active",
                RecordStatus::Retired => "retired",
            };
            *c.0.entry(status.to_string()).or_default() += g.count;
            *c.1.entry(g.category.clone()).or_default() += g.count;
            *c.2.entry(g.handling.clone()).or_default() += g.count;
        }

        let mut days: BTreeMap<String, BTreeMap<Subject, DayCounts>> = BTreeMap::new();
        let mut outcomes: BTreeMap<&'static str, i64> = BTreeMap::new();
        for g in self.store.hit_groups()? {
            let Some((status, policy)) = &g.record else {
                continue;
            };
            if !sees(&g.owner, *status, policy) {
                continue;
            }
            let day = days.entry(g.day.clone()).or_default();
            day.entry(subject(&g.owner)).or_default().hits_received += g.count;
            day.entry(subject(&g.screening_agency))
                .or_default()
                .hits_made += g.count;
            *outcomes.entry(hit_status(g.status)).or_default() += g.count;
        }
        for a in self.store.activity()? {
            if a.action != Action::Screen.as_str() || a.outcome != "done" {
                continue;
            }
            let d = days
                .entry(a.day.clone())
                .or_default()
                .entry(subject(&a.agency))
                .or_default();
            d.screenings += a.entries;
            d.travellers += a.items;
        }

        let mut links: BTreeMap<&'static str, i64> =
            LinkState::ALL.iter().map(|s| (s.as_str(), 0)).collect();
        self.for_each_link(None, |l| {
            let mut visible = true;
            for id in l.records {
                visible &= match self.store.access_facts(id)? {
                    Some(f) => sees(&f.owner, f.status, &f.policy),
                    None => false,
                };
            }
            if visible {
                *links.entry(l.state.as_str()).or_default() += 1;
            }
            Ok(())
        })?;

        let federation = if access::may_manage_federation(&ctx.caller) {
            self.peer_status(ctx, None)?
                .into_iter()
                .map(|p| PeerLag {
                    peer: p.peer,
                    lag: p.lag,
                    last_success: p.last_success,
                })
                .collect()
        } else {
            Vec::new()
        };

        let cell = |s: &Subject, n: i64| -> Cell {
            match s {
                Subject::OthersIn(_) if n < MIN_CELL => None,
                _ => Some(n),
            }
        };
        let shown = |s: &Subject, m: BTreeMap<String, i64>| -> BTreeMap<String, Cell> {
            m.into_iter().map(|(k, n)| (k, cell(s, n))).collect()
        };
        let stats = Stats {
            generated_at: chrono::Utc::now(),
            min_cell_size: MIN_CELL,
            records: records
                .into_iter()
                .map(|(s, (status, category, handling))| {
                    let figures = RecordFigures {
                        active: cell(&s, status.get("active").copied().unwrap_or(0)),
                        retired: cell(&s, status.get("retired").copied().unwrap_or(0)),
                        by_category: shown(&s, category),
                        by_handling: shown(&s, handling),
                    };
                    (s, figures)
                })
                .collect(),
            activity: days
                .into_iter()
                .map(|(day, subjects)| {
                    let subjects = subjects
                        .into_iter()
                        .map(|(s, d)| {
                            let figures = DayFigures {
                                screenings: cell(&s, d.screenings),
                                travellers: cell(&s, d.travellers),
                                hits_received: cell(&s, d.hits_received),
                                hits_made: cell(&s, d.hits_made),
                            };
                            (s, figures)
                        })
                        .collect();
                    (day, subjects)
                })
                .collect(),
            // Outcomes add up every agency's hits: shown as any other
            // cross-agency cell unless the viewer sees all exactly.
            hit_outcomes: outcomes
                .into_iter()
                .map(|(k, n)| {
                    (
                        k,
                        if exact_all || n >= MIN_CELL {
                            Some(n)
                        } else {
                            None
                        },
                    )
                })
                .collect(),
            links,
            federation,
        };
        self.audit(
            ctx,
            Action::StatsRead,
            serde_json::Value::Null,
            vec![],
            Outcome::Done,
        )?;
        Ok(stats)
    }
}

/// Status, category and handling counts of one subject's records.
type Counts = (
    BTreeMap<String, i64>,
    BTreeMap<String, i64>,
    BTreeMap<String, i64>,
);

#[derive(Default)]
struct DayCounts {
    screenings: i64,
    travellers: i64,
    hits_received: i64,
    hits_made: i64,
}

fn hit_status(s: HitStatus) -> &'static str {
    s.into()
}
