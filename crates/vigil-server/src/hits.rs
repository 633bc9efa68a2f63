//! The hit workflow: the owner's inbox and decisions, the screening agency's
//! view of its own hits (at the disclosure level it was entitled to), and
//! webhook registration.

use serde::{Deserialize, Serialize};
use vigil_core::access::contact_instruction;
use vigil_core::audit::Disclosed;
use vigil_core::{Access, AgencyCode, Role};
use vigil_store::{Hit, HitFilter, HitStatus, Webhook};

use crate::error::{ApiError, ApiResult};
use crate::service::{Ctx, Vigil};

/// Whose hits to list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HitSide {
    /// Hits on the caller's agency's records (the owner's inbox).
    #[default]
    Owner,
    /// Hits the caller's agency produced by screening.
    Screener,
}

/// A hit as the screening agency may see it.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum HitView {
    Owner(Box<Hit>),
    Screener(Box<ScreenerHit>),
}

/// What the screening agency sees of its own hit.
#[derive(Debug, Clone, Serialize)]
pub struct ScreenerHit {
    id: String,
    record: vigil_core::RecordId,
    owner: AgencyCode,
    reference: String,
    disclosure: Access,
    created_at: chrono::DateTime<chrono::Utc>,
    status: HitStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    score: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    decision_note: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    instruction: Option<String>,
    traveller: serde_json::Value,
    context: serde_json::Value,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Decision {
    pub status: HitStatus,
    #[serde(default)]
    pub note: Option<String>,
}

impl Vigil {
    fn screener_view(&self, hit: Hit) -> ApiResult<Option<HitView>> {
        if hit.disclosed == Access::Hidden {
            return Ok(None);
        }
        let full = hit.disclosed == Access::Full;
        let instruction = if full {
            None
        } else {
            self.store()
                .record(hit.record)?
                .as_ref()
                .map(contact_instruction)
        };
        Ok(Some(HitView::Screener(Box::new(ScreenerHit {
            id: hit.id,
            record: hit.record,
            owner: hit.owner,
            reference: hit.reference,
            disclosure: hit.disclosed,
            created_at: hit.created_at,
            status: hit.status,
            score: full.then_some(hit.score),
            decision_note: if full { hit.decision_note } else { None },
            instruction,
            traveller: hit.traveller,
            context: hit.context,
        }))))
    }

    pub fn list_hits(
        &self,
        ctx: &Ctx,
        side: HitSide,
        status: Option<HitStatus>,
        after: Option<i64>,
        limit: usize,
    ) -> ApiResult<Vec<HitView>> {
        let agency = ctx.caller.agency.clone();
        let mut filter = HitFilter {
            status,
            after_seq: after,
            limit: limit.clamp(1, 1000),
            ..Default::default()
        };
        match side {
            HitSide::Owner => filter.owner = Some(agency),
            HitSide::Screener => filter.screening_agency = Some(agency),
        }
        let hits = self.store().hits(&filter)?;
        let mut out = Vec::with_capacity(hits.len());
        let mut disclosed = Vec::new();
        for h in hits {
            match side {
                HitSide::Owner => {
                    disclosed.push(Disclosed {
                        record: h.record,
                        owner: h.owner.clone(),
                        level: Access::Full,
                    });
                    out.push(HitView::Owner(Box::new(h)));
                }
                HitSide::Screener => {
                    if let Some(v) = self.screener_view(h)? {
                        out.push(v);
                    }
                }
            }
        }
        self.store().append_audit(ctx.event_for(
            "hit.list",
            serde_json::json!({"side": format!("{side:?}").to_lowercase(), "status": status, "after": after}),
            disclosed,
            200,
        ))?;
        Ok(out)
    }

    pub fn get_hit(&self, ctx: &Ctx, id: &str) -> ApiResult<HitView> {
        let hit = self.store().hit(id)?;
        let agency = &ctx.caller.agency;
        let view = match hit {
            Some(h) if &h.owner == agency => Some(HitView::Owner(Box::new(h))),
            Some(h) if &h.screening_agency == agency => self.screener_view(h)?,
            _ => None,
        };
        self.store().append_audit(ctx.event_for(
            "hit.get",
            serde_json::json!({"id": id}),
            vec![],
            if view.is_some() { 200 } else { 404 },
        ))?;
        view.ok_or(ApiError::NotFound("hit"))
    }

    /// The owner (its contributors or analysts) decides what a hit was.
    pub fn decide_hit(&self, ctx: &Ctx, id: &str, decision: Decision) -> ApiResult<Hit> {
        let hit = self.store().hit(id)?;
        let Some(hit) =
            hit.filter(|h| h.owner == ctx.caller.agency || h.screening_agency == ctx.caller.agency)
        else {
            return Err(ApiError::NotFound("hit"));
        };
        let may_decide = hit.owner == ctx.caller.agency
            && matches!(ctx.caller.role, Role::Contributor | Role::Analyst);
        if !may_decide {
            return Err(ApiError::Forbidden(
                "only the record owner's contributors and analysts decide on a hit".into(),
            ));
        }
        if decision.status == HitStatus::New {
            return Err(ApiError::field(
                "status",
                "must be confirmed, false_positive or action_taken",
            ));
        }
        if let Some(note) = &decision.note {
            if note.len() > 5000 {
                return Err(ApiError::field("note", "is longer than 5000 bytes"));
            }
        }
        let event = ctx.event_for(
            "hit.decide",
            serde_json::json!({"id": id, "status": decision.status}),
            vec![Disclosed {
                record: hit.record,
                owner: hit.owner.clone(),
                level: Access::Full,
            }],
            200,
        );
        Ok(self.store().decide_hit(
            id,
            decision.status,
            decision.note.as_deref(),
            &ctx.caller.agency,
            event,
        )?)
    }

    pub fn create_webhook(
        &self,
        ctx: &Ctx,
        url: &str,
        secret: Option<String>,
    ) -> ApiResult<Webhook> {
        if !matches!(
            ctx.caller.role,
            Role::Admin | Role::Contributor | Role::Analyst
        ) {
            return Err(ApiError::Forbidden(
                "webhooks are registered by admins, contributors or analysts".into(),
            ));
        }
        if !(url.starts_with("http://") || url.starts_with("https://"))
            || url.len() > 2000
            || url.contains(char::is_whitespace)
        {
            return Err(ApiError::field("url", "must be an http:// or https:// URL"));
        }
        let secret = match secret {
            Some(s) if s.len() < 16 => {
                return Err(ApiError::field("secret", "must be at least 16 characters"))
            }
            Some(s) => s,
            None => {
                use rand::RngCore;
                let mut b = [0u8; 24];
                rand::thread_rng().fill_bytes(&mut b);
                hex::encode(b)
            }
        };
        let hook = self
            .store()
            .create_webhook(&ctx.caller.agency, url, &secret)?;
        self.store().append_audit(ctx.event_for(
            "webhook.create",
            serde_json::json!({"id": hook.id, "url": url}),
            vec![],
            201,
        ))?;
        Ok(hook)
    }

    pub fn webhooks(&self, ctx: &Ctx) -> ApiResult<Vec<Webhook>> {
        Ok(self.store().webhooks(&ctx.caller.agency)?)
    }

    pub fn delete_webhook(&self, ctx: &Ctx, id: &str) -> ApiResult<()> {
        if !matches!(
            ctx.caller.role,
            Role::Admin | Role::Contributor | Role::Analyst
        ) {
            return Err(ApiError::Forbidden(
                "webhooks are managed by admins, contributors or analysts".into(),
            ));
        }
        let found = self.store().delete_webhook(&ctx.caller.agency, id)?;
        self.store().append_audit(ctx.event_for(
            "webhook.delete",
            serde_json::json!({"id": id}),
            vec![],
            if found { 204 } else { 404 },
        ))?;
        if found {
            Ok(())
        } else {
            Err(ApiError::NotFound("webhook"))
        }
    }

    /// Hits on the agency's records after `after` (for the SSE stream).
    pub fn owner_hits_after(&self, owner: &AgencyCode, after: i64) -> ApiResult<Vec<Hit>> {
        Ok(self.store().hits(&HitFilter {
            owner: Some(owner.clone()),
            after_seq: Some(after),
            limit: 500,
            ..Default::default()
        })?)
    }
}
