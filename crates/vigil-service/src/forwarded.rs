//! Forwarded queries, both ways. A screening here is also asked of every
//! peer that keeps records home for this organisation (release level
//! `query`; the peer's feed says whether it has any), one request per peer
//! for the whole batch of travellers; the hits come back hit/no-hit and
//! are shown to the screener as hit-only results. At the owner's instance,
//! [`Vigil::answer_query`] screens the travellers against those records
//! only, stores each hit in its owner's inbox (the owner hears of it like
//! of a local hit) and answers with whom to contact.
//!
//! The HTTP call itself is the server's ([`QueryForwarder`]); a peer that
//! does not answer leaves the traveller's outcome naming it in
//! `unanswered`, never a silent miss.

use std::sync::Arc;

use chrono::Utc;
use vigil_core::access::{self, HitOnlyView};
use vigil_core::audit::Disclosed;
use vigil_core::{Access, Action, AgencyCode, Caller, HitContext, NewHit, Outcome, Traveller};
use vigil_federation::request;
use vigil_federation::{ForwardedQuery, OrgKeys, QueryAnswer, QueryHit};

use crate::context::Ctx;
use crate::engine_map::{explanation, traveller_query};
use crate::error::{Result, ServiceError};
use crate::index::Reach;
use crate::screening::{ScreenOptions, ScreenResult, TravellerOutcome};
use crate::vigil::Vigil;

/// How long the peers read for forwarding are trusted (see `peers_to_ask`).
const PEERS_FRESH_FOR: std::time::Duration = std::time::Duration::from_secs(1);

/// The interface a hit raised by a forwarded query is marked with
/// (`HitContext::api`).
pub const PEER_QUERY_API: &str = "peer_query";

/// The path queries are posted to at the peer.
pub const QUERY_PATH: &str = "/v1/federation/screen";
/// The most travellers one forwarded query carries.
pub const MAX_FORWARDED: usize = 5000;

/// What one peer answered about a screening's travellers: its hits (with
/// the travellers' positions in the whole screening) and the ranges of
/// travellers it could not be asked about, with why.
#[derive(Debug)]
pub(crate) struct PeerAnswer {
    peer: AgencyCode,
    hits: Vec<QueryHit>,
    failed: Vec<(std::ops::Range<usize>, String)>,
}

pub use crate::vigil::QueryForwarder;

impl Vigil {
    /// Installs how screenings reach peers (the server does, at start).
    pub fn set_query_forwarder(&self, forwarder: Arc<dyn QueryForwarder>) {
        let _ = self.forwarder.set(forwarder);
    }

    /// Asks every peer that answers queries about `travellers`, one
    /// request per peer (per 5,000 travellers): what each answered, or why
    /// it did not. Runs beside the local search (see `screen_in_manifest`),
    /// so that it adds to a screening only what it takes beyond it.
    pub(crate) fn ask_peers(
        &self,
        ctx: &Ctx,
        asked: Vec<vigil_store::Peer>,
        travellers: &[Traveller],
        context: &HitContext,
    ) -> Result<Vec<PeerAnswer>> {
        // Peers are registered only once the identity is set up.
        let (org, keys) = self.identity()?;
        let mut out = Vec::new();
        for peer in asked {
            let mut answer = PeerAnswer {
                peer: peer.code.clone(),
                hits: Vec::new(),
                failed: Vec::new(),
            };
            for (chunk_at, chunk) in travellers.chunks(MAX_FORWARDED).enumerate() {
                let query = ForwardedQuery {
                    from: org.code.clone(),
                    to: peer.code.clone(),
                    agency: ctx.caller.agency.clone(),
                    purpose: ctx.purpose.clone(),
                    context: context.clone(),
                    travellers: chunk.to_vec(),
                };
                let offset = chunk_at * MAX_FORWARDED;
                match self.ask(&keys, &peer, &query) {
                    Ok(a) => answer.hits.extend(a.hits.into_iter().map(|mut h| {
                        h.traveller += offset;
                        h
                    })),
                    Err(e) => answer.failed.push((offset..offset + chunk.len(), e)),
                }
            }
            // Audited here, beside the local search, not after it.
            let error = answer.failed.first().map(|(_, e)| e.clone());
            let disclosed = answer
                .hits
                .iter()
                .map(|hit| Disclosed {
                    record: hit.record,
                    owner: hit.owner.clone(),
                    level: Access::HitOnly,
                })
                .collect();
            self.audit(
                ctx,
                Action::FederationQuery,
                serde_json::json!({
                    "peer": answer.peer, "travellers": travellers.len(),
                    "hits": answer.hits.len(), "error": error,
                }),
                disclosed,
                if error.is_some() {
                    Outcome::Failed
                } else {
                    Outcome::Done
                },
            )?;
            out.push(answer);
        }
        Ok(out)
    }

    /// The peers a screening by `ctx` is forwarded to: those whose feed
    /// says they answer queries from this organisation.
    pub(crate) fn peers_to_ask(&self, ctx: &Ctx) -> Result<Vec<vigil_store::Peer>> {
        if ctx.caller.agency.organisation().is_some() {
            return Ok(Vec::new());
        }
        // Read at most once a second: on every screening's path, it was a
        // store read per request. A peer's answer to a sync round in this
        // process is seen at once (`forget_peers_to_ask`), one in another
        // process's `vigil sync` within the second.
        let mut cached = self.peers_to_ask.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((at, peers)) = cached.as_ref() {
            if at.elapsed() < PEERS_FRESH_FOR {
                return Ok(peers.clone());
            }
        }
        let peers = self.store.peers_answering_queries()?;
        *cached = Some((std::time::Instant::now(), peers.clone()));
        Ok(peers)
    }

    /// Drops the peers read for forwarding: a sync round or a new peer may
    /// have changed them.
    pub(crate) fn forget_peers_to_ask(&self) {
        *self.peers_to_ask.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }

    /// Adds what peers answered to the travellers' outcomes.
    pub(crate) fn merge_answers(answers: Vec<PeerAnswer>, outcomes: &mut [TravellerOutcome]) {
        for answer in answers {
            for hit in answer.hits {
                let Some(outcome) = outcomes.get_mut(hit.traveller) else {
                    continue;
                };
                outcome.hits += 1;
                outcome.results.push(ScreenResult::HitOnly {
                    view: HitOnlyView {
                        id: hit.record,
                        owner: hit.owner,
                        reference: hit.reference,
                        disclosure: Access::HitOnly,
                        instruction: hit.instruction,
                    },
                    is_match: true,
                    hit_id: Some(format!("{}:{}", answer.peer, hit.hit_id)),
                });
            }
            for (range, _) in &answer.failed {
                for outcome in outcomes.get_mut(range.clone()).into_iter().flatten() {
                    outcome.unanswered.push(answer.peer.clone());
                }
            }
        }
    }

    /// One forwarded query and its checked answer.
    fn ask(
        &self,
        keys: &OrgKeys,
        peer: &vigil_store::Peer,
        query: &ForwardedQuery,
    ) -> std::result::Result<QueryAnswer, String> {
        let forwarder = self.forwarder.get().ok_or_else(|| {
            "this process does not forward queries (only `vigil serve` does)".to_string()
        })?;
        let body = serde_json::to_vec(query).map_err(|e| e.to_string())?;
        let signed = request::sign(keys, &query.from, "POST", QUERY_PATH, &body, Utc::now());
        let answer = forwarder.post(&format!("{}{QUERY_PATH}", peer.url), &signed, &body)?;
        let answer: QueryAnswer =
            serde_json::from_slice(&answer).map_err(|e| format!("{}'s answer: {e}", peer.code))?;
        if answer.from != peer.code || answer.to != query.from {
            return Err(format!(
                "{}'s answer is addressed from {} to {}",
                peer.code, answer.from, answer.to
            ));
        }
        Ok(answer)
    }

    /// At the owner's instance: a peer's forwarded query, screened against
    /// the records it may query. Each alert is stored as a hit in its
    /// owner's inbox, screened by `AGENCY@PEER`; the answer carries whom to
    /// contact and nothing else of the record.
    pub fn answer_query(&self, peer: &Caller, body: &[u8]) -> Result<QueryAnswer> {
        let code = &peer.agency;
        let query: ForwardedQuery = crate::json_input::parse_json(body)?;
        let org = self.addressed_to_me(peer, "queries", &query.from, &query.to)?;
        if query.travellers.len() > MAX_FORWARDED {
            return Err(ServiceError::field(
                "travellers",
                format!("at most {MAX_FORWARDED} per query"),
            ));
        }
        if query.agency.organisation().is_some() {
            return Err(ServiceError::field(
                "agency",
                "must be the agency's own code, without '@'",
            ));
        }
        self.screening().sync_if_few(self.store.as_ref())?;
        let index = self.screening();
        let opts = ScreenOptions::default();
        let screener = AgencyCode::qualified(&query.agency, code);
        let purpose: String = query.purpose.chars().take(200).collect();
        let mut new_hits = Vec::new();
        let mut positions = Vec::new();
        let engine_opts = opts.engine();
        let searched = crate::screening::par_map(&query.travellers, |traveller| {
            if traveller.validate("travellers").is_err() {
                return Vec::new();
            }
            index
                .search(
                    &traveller_query(traveller),
                    &engine_opts,
                    Reach::QueryableBy(code),
                )
                .into_iter()
                .filter(|f| f.is_match)
                .collect::<Vec<_>>()
        });
        for (t, (traveller, found)) in query.travellers.iter().zip(searched).enumerate() {
            for f in found {
                let keys = traveller.keys();
                if !keys.is_empty() && !self.store.suppressed(f.record.id, &keys)?.is_empty() {
                    continue;
                }
                new_hits.push(NewHit {
                    record: f.record.id,
                    owner: f.record.owner.clone(),
                    reference: f.record.reference.clone(),
                    screening_agency: screener.clone(),
                    token_id: peer.token_id.clone(),
                    purpose: purpose.clone(),
                    disclosed: Access::HitOnly,
                    traveller: traveller.clone(),
                    context: HitContext {
                        api: Some(PEER_QUERY_API.into()),
                        ..query.context.clone()
                    },
                    score: f.score,
                    explanation: explanation(&f.explanation),
                    traveller_keys: keys,
                });
                positions.push(t);
            }
        }
        let disclosed: Vec<Disclosed> = new_hits
            .iter()
            .map(|h| Disclosed {
                record: h.record,
                owner: h.owner.clone(),
                level: Access::HitOnly,
            })
            .collect();
        let ctx = Ctx::new(peer.clone(), purpose.clone());
        let event = ctx.event(
            Action::FederationQuery,
            serde_json::json!({"peer": code, "agency": query.agency, "travellers": query.travellers.len(), "hits": new_hits.len()}),
            disclosed,
            Outcome::Done,
        );
        let stored = if new_hits.is_empty() {
            self.append(event)?;
            Vec::new()
        } else {
            self.store.insert_hits(new_hits, event)?
        };
        if let Some(last) = stored.last() {
            self.announce_hit(last.stored);
        }
        let mut hits = Vec::with_capacity(stored.len());
        for (hit, traveller) in stored.into_iter().zip(positions) {
            let Some(record) = self.store.record(hit.record)? else {
                continue;
            };
            let view = access::forwarded_view(&record, &org.code);
            hits.push(QueryHit {
                traveller,
                record: view.id,
                owner: view.owner,
                reference: view.reference,
                instruction: view.instruction,
                hit_id: hit.id,
            });
        }
        Ok(QueryAnswer {
            from: org.code,
            to: code.clone(),
            hits,
        })
    }
}
