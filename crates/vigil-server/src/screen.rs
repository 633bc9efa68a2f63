//! Screening travellers: one at a time, from a passport's MRZ, or a whole
//! flight. Every result at or above the alert threshold becomes a stored hit
//! that notifies the record's owner — even when the record is hidden from
//! the screener, who then sees nothing of it.

use serde::{Deserialize, Serialize};
use vigil_core::access::{self, contact_instruction};
use vigil_core::audit::Disclosed;
use vigil_core::{Access, CountryCode, Document, DocumentKind, Gender, PartialDate, RecordId};
use vigil_match as engine;
use vigil_store::NewHit;

use crate::error::{ApiError, ApiResult};
use crate::screening::{self, Found, Reach};
use crate::service::{Ctx, Vigil};

/// A traveller as a screener describes it. At least one name or document.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Traveller {
    /// Full names, in any script and order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub names: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub given_names: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub surname: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub birth_date: Option<PartialDate>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub nationalities: Vec<CountryCode>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gender: Option<Gender>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub documents: Vec<Document>,
}

impl Traveller {
    /// Checks what types cannot: something to screen on, sane lengths.
    pub fn validate(&self, path: &str) -> ApiResult<()> {
        let has_name = self
            .names
            .iter()
            .any(|n| n.chars().any(char::is_alphanumeric))
            || self
                .surname
                .as_deref()
                .is_some_and(|n| n.chars().any(char::is_alphanumeric))
            || self
                .given_names
                .as_deref()
                .is_some_and(|n| n.chars().any(char::is_alphanumeric));
        if !has_name && self.documents.is_empty() {
            return Err(ApiError::field(
                path,
                "needs at least one name (with a letter) or a document",
            ));
        }
        let texts = self
            .names
            .iter()
            .chain(self.surname.iter())
            .chain(self.given_names.iter());
        for (i, t) in texts.enumerate() {
            if t.len() > 1000 {
                return Err(ApiError::field(
                    &format!("{path}.names[{i}]"),
                    "is longer than 1000 bytes",
                ));
            }
        }
        Ok(())
    }

    /// The engine's query for this traveller.
    pub fn query(&self) -> engine::Query {
        let mut names: Vec<engine::NameEntry> = self
            .names
            .iter()
            .map(|n| engine::NameEntry {
                full: n.clone(),
                given: None,
                family: None,
                kind: engine::NameKind::Primary,
            })
            .collect();
        if self.surname.is_some() || self.given_names.is_some() {
            let full = [self.given_names.as_deref(), self.surname.as_deref()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" ");
            names.push(engine::NameEntry {
                full,
                given: self.given_names.clone(),
                family: self.surname.clone(),
                kind: engine::NameKind::Primary,
            });
        }
        engine::Query {
            names,
            birth_dates: self.birth_date.iter().map(screening::date_spec).collect(),
            nationalities: self.nationalities.iter().map(screening::country).collect(),
            gender: self.gender.map(screening::gender),
            documents: self.documents.iter().map(screening::document).collect(),
        }
    }

    /// Keys that identify this traveller for false-positive suppression:
    /// each document, and the name with the birth date.
    pub fn keys(&self) -> Vec<String> {
        let mut keys: Vec<String> = self
            .documents
            .iter()
            .map(|d| {
                let number: String = d
                    .number
                    .chars()
                    .filter(char::is_ascii_alphanumeric)
                    .collect();
                format!(
                    "doc:{}:{}:{}",
                    serde_json::to_value(d.kind)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_string))
                        .unwrap_or_default(),
                    d.country.map(|c| c.to_string()).unwrap_or_default(),
                    number.to_uppercase()
                )
            })
            .collect();
        if let Some(bd) = &self.birth_date {
            let mut words: Vec<String> = self
                .names
                .iter()
                .chain(self.given_names.iter())
                .chain(self.surname.iter())
                .flat_map(|n| n.split(|c: char| !c.is_alphanumeric()))
                .filter(|w| !w.is_empty())
                .map(str::to_uppercase)
                .collect();
            words.sort();
            words.dedup();
            if !words.is_empty() {
                keys.push(format!("name:{}:{bd}", words.join(" ")));
            }
        }
        keys
    }

    fn display(&self) -> String {
        self.names.first().cloned().unwrap_or_else(|| {
            [self.given_names.as_deref(), self.surname.as_deref()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" ")
        })
    }
}

/// How to screen.
#[derive(Debug, Clone, Copy)]
pub struct ScreenOptions {
    pub limit: usize,
    pub threshold: f64,
    /// Keep only results at or above the threshold: a whole flight's
    /// near-misses are noise for the officer and bulk for the audit log.
    pub only_matches: bool,
}

impl Default for ScreenOptions {
    fn default() -> Self {
        ScreenOptions {
            limit: 10,
            threshold: engine::DEFAULT_THRESHOLD,
            only_matches: false,
        }
    }
}

impl ScreenOptions {
    pub fn from_request(limit: Option<usize>, threshold: Option<f64>) -> ApiResult<Self> {
        let threshold = threshold.unwrap_or(engine::DEFAULT_THRESHOLD);
        if !(0.0..=1.0).contains(&threshold) || threshold.is_nan() {
            return Err(ApiError::field("threshold", "must be between 0 and 1"));
        }
        let limit = limit.unwrap_or(10);
        if !(1..=100).contains(&limit) {
            return Err(ApiError::field("limit", "must be between 1 and 100"));
        }
        Ok(ScreenOptions {
            limit,
            threshold,
            only_matches: false,
        })
    }

    fn engine(&self) -> engine::SearchOptions {
        engine::SearchOptions {
            limit: self.limit,
            threshold: self.threshold,
        }
    }
}

/// One result, as the screener may see it.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum ScreenResult {
    Full {
        id: RecordId,
        owner: vigil_core::AgencyCode,
        reference: String,
        score: f64,
        #[serde(rename = "match")]
        is_match: bool,
        disclosure: Access,
        #[serde(skip_serializing_if = "Option::is_none")]
        hit_id: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        suppressed_by: Option<String>,
        explanation: engine::Explanation,
        #[serde(skip_serializing_if = "Option::is_none")]
        record: Option<Box<vigil_core::Record>>,
    },
    /// Hit/no-hit: that it matched, whose it is, what to quote, what to do.
    HitOnly {
        id: RecordId,
        owner: vigil_core::AgencyCode,
        reference: String,
        #[serde(rename = "match")]
        is_match: bool,
        disclosure: Access,
        #[serde(skip_serializing_if = "Option::is_none")]
        hit_id: Option<String>,
        instruction: String,
    },
}

/// The outcome for one traveller.
#[derive(Debug, Clone, Serialize)]
pub struct TravellerOutcome {
    pub results: Vec<ScreenResult>,
    /// Hits stored for this traveller, visible ones only.
    pub hits: usize,
}

struct Pending {
    found: Found,
    visible: Access,
    suppressed_by: Option<String>,
    traveller: usize,
}

impl Vigil {
    /// Screens travellers and stores their hits (one transaction for all).
    /// `context` says where and why (flight, border post, manifest id).
    pub fn screen(
        &self,
        ctx: &Ctx,
        travellers: &[Traveller],
        opts: ScreenOptions,
        context: serde_json::Value,
        with_records: bool,
    ) -> ApiResult<Vec<TravellerOutcome>> {
        if !access::may_screen(&ctx.caller) {
            return Err(ApiError::Forbidden(
                "this role may not screen travellers".into(),
            ));
        }
        self.catch_up()?;
        let index = self.screening();
        let agency = &ctx.caller.agency;
        // The searches, on all cores for a flight. Hidden records are
        // searched apart, only to notify their owners: matches only.
        let searched = par_map(travellers, |traveller| {
            let query = traveller.query();
            let visible = index.search(&query, &opts.engine(), Reach::VisibleTo(agency));
            let hidden: Vec<Found> = index
                .search(&query, &opts.engine(), Reach::HiddenFrom(agency))
                .into_iter()
                .filter(|f| f.is_match)
                .collect();
            (visible, hidden)
        });
        let mut pending: Vec<Pending> = Vec::new();
        let mut per_traveller: Vec<Vec<usize>> = Vec::with_capacity(travellers.len());
        for (t, (traveller, (visible, hidden))) in travellers.iter().zip(searched).enumerate() {
            let mut keys = None;
            let mut mine = Vec::new();
            for found in visible
                .into_iter()
                .filter(|f| f.is_match || !opts.only_matches)
                .map(|f| (f, true))
                .chain(hidden.into_iter().map(|f| (f, false)))
            {
                let (found, shown) = found;
                let level = if shown {
                    access::access_for(agency, &found.record.owner, &found.record.policy)
                } else {
                    Access::Hidden
                };
                let suppressed_by = if found.is_match {
                    let keys = keys.get_or_insert_with(|| traveller.keys());
                    if keys.is_empty() {
                        None
                    } else {
                        self.store()
                            .suppressed(found.record.id, keys)?
                            .into_iter()
                            .next()
                    }
                } else {
                    None
                };
                mine.push(pending.len());
                pending.push(Pending {
                    found,
                    visible: level,
                    suppressed_by,
                    traveller: t,
                });
            }
            per_traveller.push(mine);
        }
        // Store the hits and the audit entry together.
        let mut new_hits = Vec::new();
        let mut hit_slots = Vec::new();
        let mut disclosed = Vec::new();
        for (i, p) in pending.iter().enumerate() {
            if p.visible != Access::Hidden && (p.visible == Access::Full || p.found.is_match) {
                disclosed.push(Disclosed {
                    record: p.found.record.id,
                    owner: p.found.record.owner.clone(),
                    level: p.visible,
                });
            }
            if !p.found.is_match || p.suppressed_by.is_some() {
                continue;
            }
            let traveller = &travellers[p.traveller];
            new_hits.push(NewHit {
                record: p.found.record.id,
                owner: p.found.record.owner.clone(),
                reference: p.found.record.reference.clone(),
                screening_agency: agency.clone(),
                token_id: ctx.caller.token_id.clone(),
                purpose: ctx.purpose.clone(),
                disclosed: p.visible,
                traveller: serde_json::to_value(traveller).unwrap_or_default(),
                context: context.clone(),
                score: p.found.score,
                explanation: serde_json::to_value(&p.found.explanation).unwrap_or_default(),
                traveller_keys: traveller.keys(),
            });
            hit_slots.push(i);
        }
        let event = ctx.event_for(
            "screen",
            serde_json::json!({
                "travellers": travellers.len(),
                "first": travellers.first().map(Traveller::display),
                "context": context,
                "threshold": opts.threshold,
            }),
            disclosed,
            200,
        );
        // Most screenings alert nobody: their audit entry joins the group
        // commit instead of taking a transaction of its own.
        let stored = if new_hits.is_empty() {
            self.store().append_audit(event)?;
            Vec::new()
        } else {
            self.store().insert_hits(new_hits, Some(event))?
        };
        let mut hit_ids: Vec<Option<String>> = vec![None; pending.len()];
        for (slot, hit) in hit_slots.into_iter().zip(&stored) {
            hit_ids[slot] = Some(hit.id.clone());
        }
        if let Some(last) = stored.last() {
            self.announce_hit(last.seq);
        }
        per_traveller
            .into_iter()
            .map(|slots| {
                let mut results = Vec::new();
                let mut hits = 0;
                for i in slots {
                    let p = &pending[i];
                    let hit_id = hit_ids[i].clone();
                    if hit_id.is_some() && p.visible != Access::Hidden {
                        hits += 1;
                    }
                    match p.visible {
                        Access::Hidden => {}
                        Access::HitOnly if p.found.is_match && p.suppressed_by.is_none() => {
                            let record = self.store().record(p.found.record.id)?;
                            results.push(ScreenResult::HitOnly {
                                id: p.found.record.id,
                                owner: p.found.record.owner.clone(),
                                reference: p.found.record.reference.clone(),
                                is_match: true,
                                disclosure: Access::HitOnly,
                                hit_id,
                                instruction: record
                                    .as_ref()
                                    .map(contact_instruction)
                                    .unwrap_or_default(),
                            });
                        }
                        Access::HitOnly => {}
                        Access::Full => {
                            let record = if with_records {
                                self.store().record(p.found.record.id)?.map(Box::new)
                            } else {
                                None
                            };
                            results.push(ScreenResult::Full {
                                id: p.found.record.id,
                                owner: p.found.record.owner.clone(),
                                reference: p.found.record.reference.clone(),
                                score: p.found.score,
                                is_match: p.found.is_match && p.suppressed_by.is_none(),
                                disclosure: Access::Full,
                                hit_id,
                                suppressed_by: p.suppressed_by.clone(),
                                explanation: p.found.explanation.clone(),
                                record,
                            });
                        }
                    }
                }
                Ok(TravellerOutcome { results, hits })
            })
            .collect()
    }

    /// The local operator's screening (CLI `vigil screen`): every record,
    /// full detail, no hits stored; audited.
    pub fn screen_as_operator(
        &self,
        ctx: &Ctx,
        query: &engine::Query,
        opts: ScreenOptions,
    ) -> ApiResult<Vec<Found>> {
        let mut found = self.screen_many_as_operator(ctx, std::slice::from_ref(query), opts)?;
        Ok(found.pop().unwrap_or_default())
    }

    /// [`Vigil::screen_as_operator`] for a batch of queries: searched on all
    /// cores, one audit entry each, all made durable together before any
    /// result is returned.
    pub fn screen_many_as_operator(
        &self,
        ctx: &Ctx,
        queries: &[engine::Query],
        opts: ScreenOptions,
    ) -> ApiResult<Vec<Vec<Found>>> {
        self.catch_up()?;
        let index = self.screening();
        let found = par_map(queries, |query| {
            index.search(query, &opts.engine(), Reach::Everything)
        });
        let events = queries
            .iter()
            .zip(&found)
            .map(|(query, found)| {
                ctx.event_for(
                    "screen.operator",
                    serde_json::json!({"names": query.names.iter().map(|n| n.full.clone()).collect::<Vec<_>>()}),
                    found
                        .iter()
                        .map(|f| Disclosed { record: f.record.id, owner: f.record.owner.clone(), level: Access::Full })
                        .collect(),
                    200,
                )
            })
            .collect();
        self.store().append_audits(events)?;
        Ok(found)
    }
}

/// `f` over `items`, in order; large batches (a flight) split across the
/// machine's cores, small ones (a single screening) on the calling thread.
fn par_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    const MIN_PER_THREAD: usize = 16;
    // `available_parallelism` reads cgroup files: once per process, not per call.
    static CORES: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    if items.len() < 2 * MIN_PER_THREAD {
        return items.iter().map(f).collect();
    }
    let cores = *CORES.get_or_init(|| {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    });
    let threads = cores.min(items.len() / MIN_PER_THREAD);
    if threads <= 1 {
        return items.iter().map(f).collect();
    }
    let f = &f;
    std::thread::scope(|s| {
        let handles: Vec<_> = items
            .chunks(items.len().div_ceil(threads))
            .map(|chunk| s.spawn(move || chunk.iter().map(f).collect::<Vec<R>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    })
}

/// Turns a document kind into the traveller-document kind of a parsed MRZ code.
pub fn document_kind_for_code(code: &str) -> DocumentKind {
    match code.chars().next() {
        Some('P') => DocumentKind::Passport,
        Some('I') | Some('A') | Some('C') => DocumentKind::NationalId,
        Some('V') => DocumentKind::Visa,
        _ => DocumentKind::Other,
    }
}
