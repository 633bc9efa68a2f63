//! Screening travellers: one at a time or a batch (a flight, a yente
//! query). Every result at or above the alert threshold becomes a stored hit
//! that notifies the record's owner — even when the record is hidden from
//! the screener, who then sees nothing of it.

use rayon::prelude::*;
use serde::Serialize;
use vigil_core::access::{self, HitOnlyView};
use vigil_core::audit::Disclosed;
use vigil_core::{
    Access, Action, AgencyCode, Explanation, HitContext, NewHit, Outcome, Record, RecordId,
    Traveller,
};
use vigil_match as engine;

use crate::context::Ctx;
use crate::engine_map::{explanation, traveller_query};
use crate::error::{Result, ServiceError};
use crate::index::{Found, Reach};
use crate::vigil::Vigil;

/// How to screen.
#[derive(Debug, Clone, Copy)]
pub struct ScreenOptions {
    pub limit: usize,
    pub threshold: f64,
    /// Keep only alerts: a whole flight's near-misses are noise for the
    /// officer and bulk for the audit log.
    pub only_matches: bool,
    /// Attach the full record to each result the screener may read in full.
    pub with_records: bool,
}

impl Default for ScreenOptions {
    fn default() -> Self {
        ScreenOptions {
            limit: 10,
            threshold: engine::DEFAULT_THRESHOLD,
            only_matches: false,
            with_records: false,
        }
    }
}

impl ScreenOptions {
    /// Options from a request's `limit` and `threshold`, checked.
    pub fn from_request(limit: Option<usize>, threshold: Option<f64>) -> Result<Self> {
        let threshold = threshold.unwrap_or(engine::DEFAULT_THRESHOLD);
        if !(0.0..=1.0).contains(&threshold) || threshold.is_nan() {
            return Err(ServiceError::field("threshold", "must be between 0 and 1"));
        }
        let limit = limit.unwrap_or(10);
        if !(1..=100).contains(&limit) {
            return Err(ServiceError::field("limit", "must be between 1 and 100"));
        }
        Ok(ScreenOptions {
            limit,
            threshold,
            ..ScreenOptions::default()
        })
    }

    /// The engine's options. The search goes down to the alert threshold
    /// whatever the screener asks to see: the screener's threshold trims
    /// what it is shown below an alert, never which alerts reach owners.
    pub(crate) fn engine(&self) -> engine::SearchOptions {
        engine::SearchOptions {
            limit: self.limit,
            threshold: self.threshold.min(engine::DEFAULT_THRESHOLD),
        }
    }

    /// Whether the screener is shown a result it may see: every alert, and
    /// below the alert threshold what it asked for.
    fn shows(&self, found: &Found) -> bool {
        found.is_match || (!self.only_matches && found.score >= self.threshold)
    }

    /// The `match` flag of a result: the score against the threshold in
    /// force for this request. The owner's notification does not follow
    /// it: a stored hit (`hit_id`) follows the system's alert threshold.
    fn matches(&self, score: f64) -> bool {
        score >= self.threshold
    }
}

/// One result, as the screener may see it.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum ScreenResult {
    Full(Box<FullResult>),
    /// Hit/no-hit: the record's hit-only view (whose it is, what to quote,
    /// what to do) and the hit it raised — nothing else.
    HitOnly {
        #[serde(flatten)]
        view: HitOnlyView,
        #[serde(rename = "match")]
        is_match: bool,
        #[serde(skip_serializing_if = "Option::is_none")]
        hit_id: Option<String>,
    },
}

/// A result the screener may read in full.
#[derive(Debug, Clone, Serialize)]
pub struct FullResult {
    pub id: RecordId,
    pub owner: AgencyCode,
    pub reference: String,
    pub score: f64,
    /// At or above the threshold in force for the request (and not a
    /// traveller the owner judged a false positive on this record).
    #[serde(rename = "match")]
    pub is_match: bool,
    pub disclosure: Access,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hit_id: Option<String>,
    /// The suppression key, when the owner judged this traveller a false
    /// positive on this record before.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suppressed_by: Option<String>,
    pub explanation: Explanation,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub record: Option<Box<Record>>,
}

/// The outcome for one traveller.
#[derive(Debug, Clone, Default, Serialize)]
pub struct TravellerOutcome {
    pub results: Vec<ScreenResult>,
    /// Hits stored for this traveller, visible ones only (here, or at a
    /// peer that answered a forwarded query).
    pub hits: usize,
    /// Peer organisations whose records kept home (release level `query`)
    /// could not be asked about this traveller: it was not screened
    /// against them. Never silent.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unanswered: Vec<AgencyCode>,
}

/// A search result on its way to becoming a hit and a screening result.
struct Pending {
    found: Found,
    visible: Access,
    suppressed_by: Option<String>,
    traveller: usize,
}

impl Pending {
    fn alerts(&self) -> bool {
        self.found.is_match && self.suppressed_by.is_none()
    }
}

impl Vigil {
    /// Screens travellers and stores their hits and the audit entry in one
    /// transaction. `context` says where and why (flight, border post).
    pub fn screen(
        &self,
        ctx: &Ctx,
        travellers: &[Traveller],
        opts: ScreenOptions,
        context: HitContext,
    ) -> Result<Vec<TravellerOutcome>> {
        self.screen_in_manifest(ctx, travellers, None, opts, context)
    }

    /// [`Vigil::screen`] for travellers of a manifest: `positions` are their
    /// places in it, kept in each hit's context, so that re-screening the
    /// manifest later knows which travellers already hit which record.
    pub(crate) fn screen_in_manifest(
        &self,
        ctx: &Ctx,
        travellers: &[Traveller],
        positions: Option<&[usize]>,
        opts: ScreenOptions,
        context: HitContext,
    ) -> Result<Vec<TravellerOutcome>> {
        if !access::may_screen(&ctx.caller) {
            return Err(ServiceError::Forbidden(
                "this role may not screen travellers".into(),
            ));
        }
        let _under_way = self.foreground_started();
        self.screening().sync_if_few(self.store.as_ref())?;
        let peers = self.peers_to_ask(ctx)?;
        if peers.is_empty() || travellers.is_empty() {
            return self.screen_here(ctx, travellers, positions, opts, &context);
        }
        // Peers that keep records home are asked while this instance
        // searches its own.
        std::thread::scope(|scope| {
            let asked = scope.spawn(|| self.ask_peers(ctx, peers, travellers, &context));
            let mut outcomes = self.screen_here(ctx, travellers, positions, opts, &context)?;
            let answers = asked
                .join()
                .map_err(|_| ServiceError::Internal("forwarding a screening panicked".into()))??;
            Vigil::merge_answers(answers, &mut outcomes);
            Ok(outcomes)
        })
    }

    /// The local part of a screening: this instance's records.
    fn screen_here(
        &self,
        ctx: &Ctx,
        travellers: &[Traveller],
        positions: Option<&[usize]>,
        opts: ScreenOptions,
        context: &HitContext,
    ) -> Result<Vec<TravellerOutcome>> {
        let index = self.screening();
        let agency = &ctx.caller.agency;
        // Hidden records are searched apart, only to notify their owners:
        // matches only.
        let searched = par_map(travellers, |traveller| {
            let query = traveller_query(traveller);
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
            let shown = visible
                .into_iter()
                .filter(|f| opts.shows(f))
                .map(|f| (f, true));
            for (found, shown) in shown.chain(hidden.into_iter().map(|f| (f, false))) {
                let visible = if shown {
                    access::access_for(agency, &found.record.owner, &found.record.policy)
                } else {
                    Access::Hidden
                };
                let suppressed_by = if found.is_match {
                    let keys = keys.get_or_insert_with(|| traveller.keys());
                    if keys.is_empty() {
                        None
                    } else {
                        self.store
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
                    visible,
                    suppressed_by,
                    traveller: t,
                });
            }
            per_traveller.push(mine);
        }
        let hit_ids = self.store_hits(ctx, travellers, positions, &pending, context, opts)?;
        per_traveller
            .into_iter()
            .map(|slots| {
                let mut outcome = TravellerOutcome::default();
                for i in slots {
                    let p = &pending[i];
                    let hit_id = hit_ids[i].clone();
                    if hit_id.is_some() && p.visible != Access::Hidden {
                        outcome.hits += 1;
                    }
                    if let Some(result) = self.result(p, hit_id, opts)? {
                        outcome.results.push(result);
                    }
                }
                Ok(outcome)
            })
            .collect()
    }

    /// Stores the hits of `pending` with the screening's audit entry; returns
    /// the hit id of each pending result that alerted.
    fn store_hits(
        &self,
        ctx: &Ctx,
        travellers: &[Traveller],
        positions: Option<&[usize]>,
        pending: &[Pending],
        context: &HitContext,
        opts: ScreenOptions,
    ) -> Result<Vec<Option<String>>> {
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
            if !p.alerts() {
                continue;
            }
            let traveller = &travellers[p.traveller];
            new_hits.push(NewHit {
                record: p.found.record.id,
                owner: p.found.record.owner.clone(),
                reference: p.found.record.reference.clone(),
                screening_agency: ctx.caller.agency.clone(),
                token_id: ctx.caller.token_id.clone(),
                purpose: ctx.purpose.clone(),
                disclosed: p.visible,
                traveller: traveller.clone(),
                context: HitContext {
                    traveller: positions.map(|at| at[p.traveller]),
                    ..context.clone()
                },
                score: p.found.score,
                explanation: explanation(&p.found.explanation),
                traveller_keys: traveller.keys(),
            });
            hit_slots.push(i);
        }
        let event = ctx.event(
            Action::Screen,
            serde_json::json!({
                "travellers": travellers.len(),
                "first": travellers.first().map(Traveller::display),
                "context": context,
                "threshold": opts.threshold,
            }),
            disclosed,
            Outcome::Done,
        );
        // Most screenings alert nobody: their audit entry joins the group
        // commit instead of taking a transaction of its own.
        let stored = if new_hits.is_empty() {
            self.append(event)?;
            Vec::new()
        } else {
            self.store.insert_hits(new_hits, event)?
        };
        let mut hit_ids: Vec<Option<String>> = vec![None; pending.len()];
        for (slot, hit) in hit_slots.into_iter().zip(&stored) {
            hit_ids[slot] = Some(hit.id.clone());
        }
        if let Some(last) = stored.last() {
            self.announce_hit(last.stored);
        }
        Ok(hit_ids)
    }

    /// What the screener is shown of one pending result, if anything.
    fn result(
        &self,
        p: &Pending,
        hit_id: Option<String>,
        opts: ScreenOptions,
    ) -> Result<Option<ScreenResult>> {
        Ok(match p.visible {
            Access::Hidden => None,
            // Hit-only: a result only when it alerts, and then only the view.
            Access::HitOnly if p.alerts() => {
                self.store
                    .record(p.found.record.id)?
                    .map(|record| ScreenResult::HitOnly {
                        view: HitOnlyView::of(&record),
                        is_match: true,
                        hit_id,
                    })
            }
            Access::HitOnly => None,
            Access::Full => {
                let record = if opts.with_records {
                    self.store.record(p.found.record.id)?.map(Box::new)
                } else {
                    None
                };
                Some(ScreenResult::Full(Box::new(FullResult {
                    id: p.found.record.id,
                    owner: p.found.record.owner.clone(),
                    reference: p.found.record.reference.clone(),
                    score: p.found.score,
                    is_match: opts.matches(p.found.score) && p.suppressed_by.is_none(),
                    disclosure: Access::Full,
                    hit_id,
                    suppressed_by: p.suppressed_by.clone(),
                    explanation: explanation(&p.found.explanation),
                    record,
                })))
            }
        })
    }

    /// The local operator's screening (CLI `vigil screen`) of a batch of
    /// queries: every record, full detail, no hits stored. Searched on all
    /// cores, one audit entry each, all made durable together before any
    /// result is returned.
    pub fn screen_as_operator(
        &self,
        ctx: &Ctx,
        queries: &[Traveller],
        opts: ScreenOptions,
    ) -> Result<Vec<Vec<OperatorResult>>> {
        self.screening().sync_if_few(self.store.as_ref())?;
        let index = self.screening();
        let found = par_map(queries, |traveller| {
            let mut found = index.search(
                &traveller_query(traveller),
                &opts.engine(),
                Reach::Everything,
            );
            found.retain(|f| opts.shows(f));
            found
        });
        let events = queries
            .iter()
            .zip(&found)
            .map(|(traveller, found)| {
                ctx.event(
                    Action::ScreenOperator,
                    serde_json::json!({"names": traveller_query(traveller).names.iter().map(|n| n.full.clone()).collect::<Vec<_>>()}),
                    found
                        .iter()
                        .map(|f| Disclosed { record: f.record.id, owner: f.record.owner.clone(), level: Access::Full })
                        .collect(),
                    Outcome::Done,
                )
            })
            .collect();
        self.store.append_audits(events)?;
        Ok(found
            .into_iter()
            .map(|list| {
                list.into_iter()
                    .map(|f| OperatorResult {
                        id: f.record.id,
                        owner: f.record.owner,
                        reference: f.record.reference,
                        score: f.score,
                        is_match: opts.matches(f.score),
                        explanation: explanation(&f.explanation),
                    })
                    .collect()
            })
            .collect())
    }
}

/// One result of the operator's screening.
#[derive(Debug, Clone, Serialize)]
pub struct OperatorResult {
    pub id: RecordId,
    pub owner: AgencyCode,
    pub reference: String,
    pub score: f64,
    /// At or above the threshold in force for the request.
    #[serde(rename = "match")]
    pub is_match: bool,
    pub explanation: Explanation,
}

/// `f` over `items`, in order: a flight on every core, a single screening
/// on the calling thread (handing one search to the pool costs more than
/// it saves).
pub(crate) fn par_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync + Send) -> Vec<R> {
    const MIN_PER_THREAD: usize = 16;
    if items.len() < 2 * MIN_PER_THREAD {
        return items.iter().map(f).collect();
    }
    items
        .par_iter()
        .with_min_len(MIN_PER_THREAD)
        .map(f)
        .collect()
}
