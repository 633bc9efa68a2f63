//! The hit workflow: the owner's inbox, live stream and decisions, and the
//! screening agency's view of its own hits (built by
//! `vigil_core::access::screener_view`, at the lesser of the disclosure
//! level it was entitled to when it screened and the one it has now).

use serde::{Deserialize, Serialize};
use vigil_core::access::{self, ScreenerView};
use vigil_core::audit::Disclosed;
use vigil_core::{Access, Action, Hit, HitStatus, Outcome, Role};
use vigil_store::HitFilter;

use crate::context::Ctx;
use crate::error::{Result, ServiceError};
use crate::vigil::Vigil;

/// Longest decision note accepted, in bytes.
const MAX_NOTE_BYTES: usize = 5000;

/// Whose hits to list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, strum::IntoStaticStr)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum HitSide {
    /// Hits on the caller's agency's records (the owner's inbox).
    #[default]
    Owner,
    /// Hits the caller's agency produced by screening.
    Screener,
}

/// A hit as the caller may see it.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum HitView {
    Owner(Box<Hit>),
    Screener(Box<ScreenerView>),
}

/// The owner's decision on a hit.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Decision {
    pub status: HitStatus,
    #[serde(default)]
    pub note: Option<String>,
}

/// How many hits a stream reads at a time.
const STREAM_BATCH: usize = 500;

impl Vigil {
    /// The screening agency's view of its hit, by what it may see of the
    /// record today as well as what it was shown then.
    fn screener_view(&self, hit: &Hit) -> Result<Option<HitView>> {
        if hit.disclosed == Access::Hidden {
            return Ok(None);
        }
        let record = self.store.record(hit.record)?;
        Ok(access::screener_view(hit, record.as_ref()).map(|v| HitView::Screener(Box::new(v))))
    }

    pub fn list_hits(
        &self,
        ctx: &Ctx,
        side: HitSide,
        status: Option<HitStatus>,
        after: Option<i64>,
        limit: usize,
    ) -> Result<Vec<HitView>> {
        self.hit_page(ctx, side, status, after, false, limit)
    }

    /// The latest hits first, those before position `before` (a queue a
    /// person reads from the top).
    pub fn latest_hits(
        &self,
        ctx: &Ctx,
        side: HitSide,
        status: Option<HitStatus>,
        before: Option<i64>,
        limit: usize,
    ) -> Result<Vec<HitView>> {
        self.hit_page(ctx, side, status, before, true, limit)
    }

    fn hit_page(
        &self,
        ctx: &Ctx,
        side: HitSide,
        status: Option<HitStatus>,
        cursor: Option<i64>,
        newest_first: bool,
        limit: usize,
    ) -> Result<Vec<HitView>> {
        ctx.require_case_reader()?;
        let agency = ctx.caller.agency.clone();
        let mut filter = HitFilter {
            status,
            after_seq: cursor,
            newest_first,
            limit: limit.clamp(1, 1000),
            ..Default::default()
        };
        match side {
            HitSide::Owner => filter.owner = Some(agency),
            HitSide::Screener => filter.screening_agency = Some(agency),
        }
        let hits = self.store.hits(&filter)?;
        let mut out = Vec::with_capacity(hits.len());
        let mut disclosed = Vec::new();
        for h in hits {
            match side {
                HitSide::Owner => {
                    disclosed.push(owner_disclosure(&h));
                    out.push(HitView::Owner(Box::new(h)));
                }
                HitSide::Screener => {
                    if let Some(v) = self.screener_view(&h)? {
                        out.push(v);
                    }
                }
            }
        }
        let side_name: &str = side.into();
        self.audit(
            ctx,
            Action::HitList,
            if newest_first {
                serde_json::json!({"side": side_name, "status": status, "before": cursor})
            } else {
                serde_json::json!({"side": side_name, "status": status, "after": cursor})
            },
            disclosed,
            Outcome::Done,
        )?;
        Ok(out)
    }

    pub fn get_hit(&self, ctx: &Ctx, id: &str) -> Result<HitView> {
        ctx.require_case_reader()?;
        let hit = self.store.hit(id)?;
        let agency = &ctx.caller.agency;
        let view = match hit {
            Some(h) if &h.owner == agency => Some(HitView::Owner(Box::new(h))),
            Some(h) if &h.screening_agency == agency => self.screener_view(&h)?,
            _ => None,
        };
        self.audit(
            ctx,
            Action::HitGet,
            serde_json::json!({"id": id}),
            vec![],
            Outcome::found(view.is_some()),
        )?;
        view.ok_or(ServiceError::NotFound("hit"))
    }

    /// The owner (its contributors or analysts) decides what a hit was.
    pub fn decide_hit(&self, ctx: &Ctx, id: &str, decision: Decision) -> Result<Hit> {
        let hit = self.store.hit(id)?;
        // A hit on a record hidden from its screener does not exist for it.
        let Some(hit) = hit.filter(|h| {
            h.owner == ctx.caller.agency
                || (h.screening_agency == ctx.caller.agency && h.disclosed != Access::Hidden)
        }) else {
            return Err(ServiceError::NotFound("hit"));
        };
        let may_decide = hit.owner == ctx.caller.agency
            && matches!(ctx.caller.role, Role::Contributor | Role::Analyst);
        if !may_decide {
            return Err(ServiceError::Forbidden(
                "only the record owner's contributors and analysts decide on a hit".into(),
            ));
        }
        if decision.status == HitStatus::New {
            return Err(ServiceError::field(
                "status",
                "must be confirmed, false_positive or action_taken",
            ));
        }
        if decision
            .note
            .as_ref()
            .is_some_and(|n| n.len() > MAX_NOTE_BYTES)
        {
            return Err(ServiceError::field(
                "note",
                format!("is longer than {MAX_NOTE_BYTES} bytes"),
            ));
        }
        let event = ctx.event(
            Action::HitDecide,
            serde_json::json!({"id": id, "status": decision.status}),
            vec![owner_disclosure(&hit)],
            Outcome::Done,
        );
        Ok(self.store.decide_hit(
            id,
            decision.status,
            decision.note.as_deref(),
            &ctx.caller.agency,
            event,
        )?)
    }

    /// Opens the caller's live stream of hits on its agency's records,
    /// resuming after `last_event_id`, or from now when there is none (the
    /// inbox holds what came before): audited once, here, for the stream's
    /// whole life.
    pub fn open_hit_stream(&self, ctx: &Ctx, last_event_id: Option<i64>) -> Result<HitStream> {
        ctx.require_case_reader()?;
        let last_event_id = match last_event_id {
            Some(seq) => seq,
            None => self.store.last_hit_seq(&ctx.caller.agency)?,
        };
        self.audit(
            ctx,
            Action::HitStream,
            serde_json::json!({"last_event_id": last_event_id}),
            vec![],
            Outcome::Done,
        )?;
        Ok(HitStream {
            ctx: ctx.clone(),
            last: last_event_id,
            caught_up: false,
        })
    }

    /// The next hits of an open stream (empty when there are none yet, and
    /// [`HitStream::caught_up`] false while more are waiting), or `None`
    /// once the stream's token is revoked: revocation ends the stream's
    /// access as it ends every other.
    pub fn next_hits(&self, stream: &mut HitStream) -> Result<Option<Vec<Hit>>> {
        let token = self.store.token(&stream.ctx.caller.token_id)?;
        let active = matches!(token, Some(t) if t.revoked_at.is_none());
        if !active {
            return Ok(None);
        }
        let hits = self.store.hits(&HitFilter {
            owner: Some(stream.ctx.caller.agency.clone()),
            after_seq: Some(stream.last),
            limit: STREAM_BATCH,
            ..Default::default()
        })?;
        if let Some(last) = hits.last() {
            stream.last = last.seq;
        }
        stream.caught_up = hits.len() < STREAM_BATCH;
        Ok(Some(hits))
    }
}

/// An owner's open hit stream: where it stands.
#[derive(Debug, Clone)]
pub struct HitStream {
    ctx: Ctx,
    last: i64,
    caught_up: bool,
}

impl HitStream {
    /// Whether the last read reached the newest hit: if not, read again at
    /// once rather than wait for the next one.
    pub fn caught_up(&self) -> bool {
        self.caught_up
    }
}

/// The owner reads its own record's hit in full.
fn owner_disclosure(hit: &Hit) -> Disclosed {
    Disclosed {
        record: hit.record,
        owner: hit.owner.clone(),
        level: Access::Full,
    }
}
