//! Hits that travel home. A hit here on a copy received from a peer (its
//! owner is `AGENCY@PEER`) is queued in the store with the hit itself (the
//! home outbox); [`Vigil::due_home_hits`] turns what is due into signed
//! notices for the record's own instance, which
//! [`Vigil::receive_hit_notices`] stores there as hits in the owner's
//! inbox — with its stream and webhooks — once per idempotency key.

use chrono::{Duration, Utc};
use vigil_core::{Action, AgencyCode, Caller, NewHit, Outcome};
use vigil_federation::request::{self, SignedRequest};
use vigil_federation::{HitNotice, HitNotices};
use vigil_store::HomeHit;

use crate::context::{disclosed, Ctx};
use crate::error::{Result, ServiceError};
use crate::vigil::Vigil;

/// Notices due to one peer, ready to send.
#[derive(Debug, Clone)]
pub struct HomeBatch {
    pub peer: AgencyCode,
    /// Where to POST the body.
    pub url: String,
    pub body: Vec<u8>,
    pub signed: SignedRequest,
    /// The outbox rows it carries, and the most attempts any has had.
    pub ids: Vec<i64>,
    pub attempts: u32,
}

/// The interface a hit that came home is marked with (`HitContext::api`).
pub const PEER_COPY_API: &str = "peer_copy";

/// The path notices are posted to at the owner's instance.
pub const NOTICES_PATH: &str = "/v1/federation/hits";

/// How long to wait before retrying a peer after `attempts` failures.
fn backoff(attempts: u32) -> Duration {
    Duration::seconds(2i64.saturating_pow(attempts.min(10)).min(600))
}

impl Vigil {
    /// Hits on copies due to go home, at most `limit`, one signed batch per
    /// peer.
    pub fn due_home_hits(&self, limit: usize) -> Result<Vec<HomeBatch>> {
        let due = self.store.due_home_deliveries(Utc::now(), limit)?;
        if due.is_empty() {
            return Ok(Vec::new());
        }
        let (org, keys) = self.identity()?;
        let mut per_peer: std::collections::BTreeMap<AgencyCode, (Vec<HitNotice>, Vec<i64>, u32)> =
            Default::default();
        for d in due {
            let Some(copy) = self.store.provenance(d.hit.record)? else {
                // Not a copy after all: nothing to send; do not try again.
                self.store.home_delivered(&[d.id])?;
                continue;
            };
            let entry = per_peer.entry(d.peer.clone()).or_default();
            entry.0.push(HitNotice {
                key: d.hit.id.clone(),
                origin_id: copy.origin_id,
                agency: d.hit.screening_agency.clone(),
                disclosed: d.hit.disclosed,
                purpose: d.hit.purpose.clone(),
                score: d.hit.score,
                traveller: d.hit.traveller.clone(),
                context: d.hit.context.clone(),
                explanation: d.hit.explanation.clone(),
                screened_at: d.hit.created_at,
            });
            entry.1.push(d.id);
            entry.2 = entry.2.max(d.attempts);
        }
        let mut out = Vec::new();
        for (peer, (hits, ids, attempts)) in per_peer {
            let Some(registered) = self.store.peer(&peer)? else {
                continue;
            };
            let notices = HitNotices {
                from: org.code.clone(),
                to: peer.clone(),
                hits,
            };
            let body = serde_json::to_vec(&notices)
                .map_err(|e| ServiceError::Internal(format!("hit notices: {e}")))?;
            let signed = request::sign(&keys, &org.code, "POST", NOTICES_PATH, &body, Utc::now());
            out.push(HomeBatch {
                url: format!("{}{NOTICES_PATH}", registered.url),
                peer,
                body,
                signed,
                ids,
                attempts,
            });
        }
        Ok(out)
    }

    /// A batch reached its peer.
    pub fn home_hits_delivered(&self, batch: &HomeBatch) -> Result<()> {
        Ok(self.store.home_delivered(&batch.ids)?)
    }

    /// A batch did not reach its peer: its hits, and every other hit for
    /// that peer, wait with backoff.
    pub fn home_hits_failed(&self, batch: &HomeBatch, error: &str) -> Result<()> {
        let short: String = error.chars().take(500).collect();
        let retry = Utc::now() + backoff(batch.attempts + 1);
        Ok(self
            .store
            .home_failed(&batch.peer, &batch.ids, &short, retry)?)
    }

    /// At the owner's instance: notices from `peer` of hits on copies of
    /// this instance's records. Each becomes a hit in the owner's inbox,
    /// once per key. A notice about a record that is not this instance's or
    /// was never released to the peer is refused and audited, and answered
    /// like any other: the answer says nothing of which records exist.
    pub fn receive_hit_notices(&self, peer: &Caller, body: &[u8]) -> Result<usize> {
        let code = &peer.agency;
        let notices: HitNotices = crate::json_input::parse_json(body)?;
        self.addressed_to_me(peer, "hit notices", &notices.from, &notices.to)?;
        let received = notices.hits.len();
        let ctx = Ctx::new(peer.clone(), format!("hits at {code}"));
        let mut accepted = Vec::new();
        let mut refused = Vec::new();
        let mut touched = Vec::new();
        for notice in notices.hits {
            let record = self.store.record(notice.origin_id)?;
            let ours = match &record {
                Some(r) => {
                    r.owner.organisation().is_none() && self.store.ever_released(code, r.id)?
                }
                None => false,
            };
            let (Some(record), true) = (record, ours) else {
                refused.push(notice.key);
                continue;
            };
            touched.push(disclosed(&record, notice.disclosed));
            let purpose: String = notice.purpose.chars().take(200).collect();
            accepted.push(HomeHit {
                key: notice.key.chars().take(100).collect(),
                hit: NewHit {
                    record: record.id,
                    owner: record.owner.clone(),
                    reference: record.draft.reference.clone(),
                    screening_agency: AgencyCode::qualified(&notice.agency, code),
                    token_id: peer.token_id.clone(),
                    purpose,
                    disclosed: notice.disclosed,
                    traveller_keys: notice.traveller.keys(),
                    traveller: notice.traveller,
                    context: vigil_core::HitContext {
                        api: Some(PEER_COPY_API.into()),
                        ..notice.context
                    },
                    score: notice.score,
                    explanation: notice.explanation,
                },
            });
        }
        if !refused.is_empty() {
            self.audit(
                &ctx,
                Action::FederationRefuse,
                serde_json::json!({"peer": code, "hit_notices": refused, "reason": "not a record of this instance released to the peer"}),
                vec![],
                Outcome::Denied,
            )?;
        }
        if !accepted.is_empty() {
            let event = ctx.event(
                Action::FederationHit,
                serde_json::json!({"peer": code, "notices": accepted.len()}),
                touched,
                Outcome::Done,
            );
            let stored = self.store.insert_home_hits(code, accepted, event)?;
            if let Some(last) = stored.last() {
                self.announce_hit(last.stored);
            }
        }
        Ok(received)
    }
}
