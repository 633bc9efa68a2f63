//! The gap report between two sides (two organisations, or two owner
//! agencies): who one side holds that the other does not, and what the two
//! know differently of the persons both hold. Computed over the records the
//! caller may see and the white links between them alone, so a hidden
//! record changes no number (hidden ≡ absent). Every number is defined once,
//! in docs/links.md, and the JSON, the CSV and the API are one value.
//!
//! - A *person* is a group of active, visible records of either side joined
//!   by white links between visible records (of any owner: a third
//!   agency's record that is the same person as both ties them).
//! - `only_in_a`: persons with records of side A and none of side B;
//!   `only_in_b` the reverse; `in_both`: persons with records of both.
//! - `differing`: persons in both where some document number, birth date,
//!   nationality or name is known to one side only.
//! - Breakdowns count each person once, under its representative record:
//!   the oldest record of side A (of side B for `only_in_b`).

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::Serialize;
use vigil_core::access;
use vigil_core::audit::Disclosed;
use vigil_core::{Access, Action, AgencyCode, LinkState, Outcome, Record, RecordId, RecordStatus};
use vigil_store::RecordFilter;

use crate::context::Ctx;
use crate::error::{Result, ServiceError};
use crate::vigil::Vigil;

/// Names at least this similar (`vigil_match::compare_names`) are the same
/// name for the report: spelling and script do not make a gap.
const SAME_NAME: f64 = 0.95;

/// One side of the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Side {
    /// This instance's own agencies (its organisation's code).
    Home(String),
    /// A peer organisation: the copies received from it.
    Peer(String),
    /// One owner agency.
    Owner(AgencyCode),
}

impl Side {
    fn holds(&self, owner: &AgencyCode) -> bool {
        match self {
            Side::Home(_) => owner.organisation().is_none(),
            Side::Peer(org) => owner.organisation() == Some(org.as_str()),
            Side::Owner(a) => a == owner,
        }
    }

    fn label(&self) -> String {
        match self {
            Side::Home(c) | Side::Peer(c) => c.clone(),
            Side::Owner(a) => a.to_string(),
        }
    }
}

/// The facts of a person the report compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Fact {
    Document,
    BirthDate,
    Nationality,
    Name,
}

/// A record in a list: enough to find it, nothing of its content.
#[derive(Debug, Clone, Serialize)]
pub struct GapRecord {
    pub id: RecordId,
    pub owner: AgencyCode,
    pub reference: String,
}

/// A person in one of the lists.
#[derive(Debug, Clone, Serialize)]
pub struct GapPerson {
    pub a: Vec<GapRecord>,
    pub b: Vec<GapRecord>,
    /// For `differing`: the facts one side knows and the other does not.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub differs: Vec<Fact>,
    /// The representative record's owner country and category.
    pub country: String,
    pub category: &'static str,
}

/// Counts of one cell of a breakdown.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct GapCounts {
    pub only_in_a: usize,
    pub only_in_b: usize,
    pub in_both: usize,
    pub differing: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct GapLists {
    pub only_in_a: Vec<GapPerson>,
    pub only_in_b: Vec<GapPerson>,
    pub in_both: Vec<GapPerson>,
    /// The persons of `in_both` whose facts differ.
    pub differing: Vec<GapPerson>,
}

#[derive(Debug, Clone, Serialize)]
pub struct GapReport {
    pub a: String,
    pub b: String,
    pub only_in_a: usize,
    pub only_in_b: usize,
    pub in_both: usize,
    pub differing: usize,
    /// Persons in both by fact known to one side only (a person may count
    /// under several facts).
    pub differing_by_fact: BTreeMap<Fact, usize>,
    pub by_country: BTreeMap<String, GapCounts>,
    pub by_category: BTreeMap<&'static str, GapCounts>,
    pub lists: GapLists,
}

impl GapReport {
    /// The report as CSV: one row per person of every list, then the
    /// counts. The same values as the JSON.
    pub fn to_csv(&self) -> String {
        let mut out = String::from("list,country,category,differs,records_a,records_b\n");
        let lists = [
            ("only_in_a", &self.lists.only_in_a),
            ("only_in_b", &self.lists.only_in_b),
            ("in_both", &self.lists.in_both),
            ("differing", &self.lists.differing),
        ];
        let ids = |records: &[GapRecord]| {
            records
                .iter()
                .map(|r| format!("{}:{}:{}", r.owner, r.reference, r.id))
                .collect::<Vec<_>>()
                .join(" ")
        };
        for (name, list) in lists {
            for p in list {
                let differs: Vec<String> = p
                    .differs
                    .iter()
                    .map(|f| {
                        serde_json::to_value(f)
                            .ok()
                            .and_then(|v| v.as_str().map(str::to_string))
                            .unwrap_or_default()
                    })
                    .collect();
                out.push_str(&csv_row(&[
                    name,
                    &p.country,
                    p.category,
                    &differs.join(" "),
                    &ids(&p.a),
                    &ids(&p.b),
                ]));
            }
        }
        out.push_str("\ncount,value\n");
        for (name, n) in [
            ("only_in_a", self.only_in_a),
            ("only_in_b", self.only_in_b),
            ("in_both", self.in_both),
            ("differing", self.differing),
        ] {
            out.push_str(&csv_row(&[name, &n.to_string()]));
        }
        out
    }
}

fn csv_row(fields: &[&str]) -> String {
    let quoted: Vec<String> = fields
        .iter()
        .map(|f| {
            if f.contains([',', '"', '\n']) {
                format!("\"{}\"", f.replace('"', "\"\""))
            } else {
                f.to_string()
            }
        })
        .collect();
    quoted.join(",") + "\n"
}

impl Vigil {
    /// Reads a side's code: this organisation's or a peer's code, else an
    /// agency's.
    pub fn gap_side(&self, code: &str, field: &str) -> Result<Side> {
        let code = code.trim();
        if let Some(org) = self.store.org()? {
            if org.code.as_str().eq_ignore_ascii_case(code) {
                return Ok(Side::Home(org.code.to_string()));
            }
        }
        let agency =
            AgencyCode::parse(code).map_err(|e| ServiceError::field(field, e.to_string()))?;
        if self.store.peer(&agency)?.is_some() {
            return Ok(Side::Peer(agency.to_string()));
        }
        if self.store.agency(&agency)?.is_some() {
            return Ok(Side::Owner(agency));
        }
        Err(ServiceError::field(
            field,
            format!("{code} is neither this organisation, a registered peer nor an agency"),
        ))
    }

    /// Whether the caller counts this record: the operator (the CLI's
    /// view) every record, anyone else those not hidden from it.
    fn counted(ctx: &Ctx, record: &Record) -> bool {
        ctx.caller.role == vigil_core::Role::Operator
            || !access::hidden_from(
                &ctx.caller,
                &record.owner,
                record.status,
                &record.draft.policy,
            )
    }

    pub fn gap_report(&self, ctx: &Ctx, a: &Side, b: &Side) -> Result<GapReport> {
        if a == b {
            return Err(ServiceError::field("b", "the two sides are the same"));
        }
        // Every active record of either side the caller may see.
        let filter = RecordFilter {
            status: Some(RecordStatus::Active),
            ..RecordFilter::default()
        };
        let mut records: HashMap<RecordId, Record> = HashMap::new();
        // Every active record the caller sees, of any owner: a third
        // agency's record that is the same person as both ties them.
        let mut visible: HashSet<RecordId> = HashSet::new();
        let mut after = None;
        loop {
            let page = self.store.records_page(&filter, after, 5000)?;
            let done = page.len() < 5000;
            after = page.last().map(|r| r.id);
            for r in page {
                if !Self::counted(ctx, &r) {
                    continue;
                }
                visible.insert(r.id);
                if a.holds(&r.owner) || b.holds(&r.owner) {
                    records.insert(r.id, r);
                }
            }
            if done {
                break;
            }
        }
        // Persons: the white links between those records, in groups.
        let mut groups = Groups::default();
        self.for_each_link(Some(LinkState::White), |l| {
            let [x, y] = l.records;
            if visible.contains(&x) && visible.contains(&y) {
                groups.join(x, y);
            }
            Ok(())
        })?;
        let mut ids: Vec<RecordId> = records.keys().copied().collect();
        ids.sort();
        let mut persons: BTreeMap<RecordId, Vec<RecordId>> = BTreeMap::new();
        for id in ids {
            persons.entry(groups.root(id)).or_default().push(id);
        }

        let mut report = GapReport {
            a: a.label(),
            b: b.label(),
            only_in_a: 0,
            only_in_b: 0,
            in_both: 0,
            differing: 0,
            differing_by_fact: BTreeMap::new(),
            by_country: BTreeMap::new(),
            by_category: BTreeMap::new(),
            lists: GapLists {
                only_in_a: Vec::new(),
                only_in_b: Vec::new(),
                in_both: Vec::new(),
                differing: Vec::new(),
            },
        };
        let mut disclosed = Vec::new();
        for members in persons.values() {
            let side_of = |s: &Side| -> Vec<&Record> {
                members
                    .iter()
                    .map(|id| &records[id])
                    .filter(|r| s.holds(&r.owner))
                    .collect()
            };
            let (in_a, in_b) = (side_of(a), side_of(b));
            let Some(representative) = in_a.first().or(in_b.first()).copied() else {
                continue;
            };
            for r in in_a.iter().chain(&in_b) {
                disclosed.push(Disclosed {
                    record: r.id,
                    owner: r.owner.clone(),
                    level: Access::Hidden,
                });
            }
            let listed = |rs: &[&Record]| -> Vec<GapRecord> {
                rs.iter()
                    .map(|r| GapRecord {
                        id: r.id,
                        owner: r.owner.clone(),
                        reference: r.draft.reference.clone(),
                    })
                    .collect()
            };
            let differs = if !in_a.is_empty() && !in_b.is_empty() {
                differing_facts(&in_a, &in_b)
            } else {
                Vec::new()
            };
            let person = GapPerson {
                a: listed(&in_a),
                b: listed(&in_b),
                differs: differs.clone(),
                country: owner_country(&representative.owner),
                category: representative.draft.category.into(),
            };
            let country = report.by_country.entry(person.country.clone()).or_default();
            let category = report.by_category.entry(person.category).or_default();
            match (in_a.is_empty(), in_b.is_empty()) {
                (false, true) => {
                    report.only_in_a += 1;
                    country.only_in_a += 1;
                    category.only_in_a += 1;
                    report.lists.only_in_a.push(person);
                }
                (true, false) => {
                    report.only_in_b += 1;
                    country.only_in_b += 1;
                    category.only_in_b += 1;
                    report.lists.only_in_b.push(person);
                }
                _ => {
                    report.in_both += 1;
                    country.in_both += 1;
                    category.in_both += 1;
                    if !differs.is_empty() {
                        report.differing += 1;
                        country.differing += 1;
                        category.differing += 1;
                        for f in &differs {
                            *report.differing_by_fact.entry(*f).or_default() += 1;
                        }
                        report.lists.differing.push(person.clone());
                    }
                    report.lists.in_both.push(person);
                }
            }
        }
        self.audit(
            ctx,
            Action::GapsReport,
            serde_json::json!({"a": report.a, "b": report.b}),
            disclosed,
            Outcome::Done,
        )?;
        Ok(report)
    }
}

impl Vigil {
    /// Audits another look by the same caller at a report computed for it
    /// earlier (the console keeps one while an analyst reads it): which
    /// report, when it was computed, and the records of the `shown`
    /// persons (the rows of a list, or every person for a download).
    pub fn gap_report_viewed(
        &self,
        ctx: &Ctx,
        report: &GapReport,
        computed_at: &chrono::DateTime<chrono::Utc>,
        shown: &[&GapPerson],
    ) -> Result<()> {
        let disclosed = shown
            .iter()
            .flat_map(|p| p.a.iter().chain(&p.b))
            .map(|r| Disclosed {
                record: r.id,
                owner: r.owner.clone(),
                level: Access::Hidden,
            })
            .collect();
        self.audit(
            ctx,
            Action::GapsReport,
            serde_json::json!({"a": report.a, "b": report.b, "computed_at": computed_at}),
            disclosed,
            Outcome::Done,
        )
    }

    /// The sequence number of the last record change: a report computed
    /// at this number is still what the records say.
    pub fn last_record_change(&self) -> Result<i64> {
        Ok(self.store.last_change_seq()?)
    }
}

/// The owner's country: its code within its organisation (`FRA` of
/// `FRA@INTERPOL`), which is a country code for a national bureau.
fn owner_country(owner: &AgencyCode) -> String {
    owner.local_part().to_string()
}

/// The facts one side knows and the other does not.
fn differing_facts(a: &[&Record], b: &[&Record]) -> Vec<Fact> {
    let documents = |rs: &[&Record]| -> HashSet<String> {
        rs.iter()
            .flat_map(|r| r.draft.documents.iter())
            .map(|d| {
                d.number
                    .chars()
                    .filter(char::is_ascii_alphanumeric)
                    .map(|c| c.to_ascii_uppercase())
                    .collect()
            })
            .collect()
    };
    let dates = |rs: &[&Record]| -> HashSet<String> {
        rs.iter()
            .flat_map(|r| r.draft.birth_dates.iter())
            .map(ToString::to_string)
            .collect()
    };
    let nationalities = |rs: &[&Record]| -> HashSet<String> {
        rs.iter()
            .flat_map(|r| r.draft.nationalities.iter())
            .map(ToString::to_string)
            .collect()
    };
    let names = |rs: &[&Record]| -> Vec<String> {
        rs.iter()
            .flat_map(|r| r.draft.names.iter())
            .map(|n| n.full.clone())
            .collect()
    };
    let mut out = Vec::new();
    if documents(a) != documents(b) {
        out.push(Fact::Document);
    }
    if dates(a) != dates(b) {
        out.push(Fact::BirthDate);
    }
    if nationalities(a) != nationalities(b) {
        out.push(Fact::Nationality);
    }
    let (na, nb) = (names(a), names(b));
    let covered = |xs: &[String], ys: &[String]| {
        xs.iter().all(|x| {
            ys.iter()
                .any(|y| vigil_match::compare_names(x, y) >= SAME_NAME)
        })
    };
    if !covered(&na, &nb) || !covered(&nb, &na) {
        out.push(Fact::Name);
    }
    out
}

/// Union-find over record ids.
#[derive(Default)]
struct Groups {
    parent: HashMap<RecordId, RecordId>,
}

impl Groups {
    fn root(&mut self, id: RecordId) -> RecordId {
        let mut r = id;
        while let Some(&p) = self.parent.get(&r) {
            if p == r {
                break;
            }
            r = p;
        }
        // Path compression.
        let mut x = id;
        while let Some(&p) = self.parent.get(&x) {
            if p == r {
                break;
            }
            self.parent.insert(x, r);
            x = p;
        }
        r
    }

    fn join(&mut self, a: RecordId, b: RecordId) {
        let (ra, rb) = (self.root(a), self.root(b));
        if ra != rb {
            // The smaller id is the root: groups' keys are stable.
            let (keep, other) = if ra < rb { (ra, rb) } else { (rb, ra) };
            self.parent.insert(other, keep);
        }
    }
}
