//! Re-screening: when a record is added or changed, the travellers of the
//! manifests received in the last 72 hours (configurable) are screened
//! again against it, so that a person listed after their flight landed is
//! still found and the owner notified. Each re-screening that stores hits is
//! audited in the name of the agency whose traveller matched.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use vigil_core::access;
use vigil_core::audit::{AuditEvent, Disclosed};
use vigil_core::{
    Access, Action, AgencyCode, HitContext, NewHit, Outcome, RecordId, RecordStatus, Role,
};
use vigil_match as engine;
use vigil_store::HitFilter;

use crate::engine_map::{explanation, record_query};
use crate::error::Result;
use crate::vigil::Vigil;

/// The token id under which re-screening is audited and its hits stored:
/// no person asked, the system did, for the agency that sent the flight.
pub const RESCREEN_TOKEN: &str = "rescreen";

/// The purpose of the entry for hits on records hidden from the agency that
/// screened: audited in the owner's name, for its notification.
const OWNER_NOTICE_PURPOSE: &str =
    "re-screening: hits on the owner's records hidden from the screening agency";

impl Vigil {
    fn rescreen_since(&self) -> DateTime<Utc> {
        let window = chrono::Duration::from_std(self.config.rescreen_window)
            .unwrap_or_else(|_| chrono::Duration::hours(72));
        Utc::now() - window
    }

    /// Screens recent travellers against records that were just added or
    /// changed; returns how many hits it stored.
    pub(crate) fn rescreen(&self, changed: &[RecordId]) -> Result<usize> {
        let since = self.rescreen_since();
        let opts = engine::SearchOptions {
            limit: 100,
            threshold: engine::DEFAULT_THRESHOLD,
        };
        // Hits grouped by the agency in whose name they are audited: one
        // audited transaction each. That is the agency whose traveller
        // matched, for the hits it may know of. A hit on a record hidden
        // from it is audited in the owner's name: an entry in the screening
        // agency's log would tell it that something it may not see matched.
        let mut by_agency: BTreeMap<AgencyCode, (String, Vec<NewHit>)> = BTreeMap::new();
        self.recent.with(
            since,
            |from| Ok(self.store.manifests_since(from)?),
            |recent| {
                if recent.is_empty() {
                    return Ok(());
                }
                for id in changed {
                    let Some(record) = self.store.record(*id)? else {
                        continue;
                    };
                    if record.status != RecordStatus::Active {
                        continue;
                    }
                    for (found, t) in recent.matching(&record_query(&record), &opts) {
                        if self.already_hit(record.id, &t.manifest, t.position)? {
                            continue;
                        }
                        let keys = t.traveller.keys();
                        if !keys.is_empty() && !self.store.suppressed(record.id, &keys)?.is_empty()
                        {
                            continue;
                        }
                        let hit = NewHit {
                            record: record.id,
                            owner: record.owner.clone(),
                            reference: record.draft.reference.clone(),
                            screening_agency: t.agency.clone(),
                            token_id: RESCREEN_TOKEN.into(),
                            purpose: t.purpose.clone(),
                            disclosed: access::access_for(
                                &t.agency,
                                &record.owner,
                                &record.draft.policy,
                            ),
                            traveller: t.traveller.clone(),
                            context: HitContext {
                                manifest: Some(t.manifest.clone()),
                                traveller: Some(t.position),
                                rescreen: true,
                                ..HitContext::default()
                            },
                            score: found.score,
                            explanation: explanation(&found.explanation),
                            traveller_keys: keys,
                        };
                        let (audited_as, purpose) = match hit.disclosed {
                            Access::Hidden => (&record.owner, OWNER_NOTICE_PURPOSE),
                            _ => (&t.agency, t.purpose.as_str()),
                        };
                        by_agency
                            .entry(audited_as.clone())
                            .or_insert_with(|| (purpose.to_string(), Vec::new()))
                            .1
                            .push(hit);
                    }
                }
                Ok(())
            },
        )?;
        let mut count = 0;
        for (agency, (purpose, hits)) in by_agency {
            count += hits.len();
            let event = rescreen_event(agency, purpose, &hits);
            let stored = self.store.insert_hits(hits, event)?;
            if let Some(last) = stored.last() {
                self.announce_hit(last.stored);
            }
        }
        Ok(count)
    }

    fn already_hit(&self, record: RecordId, manifest: &str, traveller: usize) -> Result<bool> {
        let filter = HitFilter {
            record: Some(record),
            limit: 1000,
            ..Default::default()
        };
        Ok(self.store.hits(&filter)?.iter().any(|h| {
            h.context.manifest.as_deref() == Some(manifest)
                && h.context.traveller == Some(traveller)
        }))
    }
}

/// What re-screening disclosed to the agency whose travellers matched: the
/// records it may see, at the level it may see them (the hits it will read).
/// The entry is the agency's, and it reads its own entries' requests whole:
/// so the request names its manifests and how many hits, never the records
/// that changed (some may be hidden from it). Oversight reads them all in
/// `disclosed`.
fn rescreen_event(agency: AgencyCode, purpose: String, hits: &[NewHit]) -> AuditEvent {
    let manifests: Vec<&str> = hits
        .iter()
        .filter_map(|h| h.context.manifest.as_deref())
        .collect();
    let visible = hits
        .iter()
        .filter(|h| h.disclosed != Access::Hidden)
        .count();
    AuditEvent {
        agency,
        role: Role::Screener,
        token_id: RESCREEN_TOKEN.into(),
        purpose,
        action: Action::Rescreen,
        request: serde_json::json!({"manifests": manifests, "hits": visible}),
        // Hits on records hidden from the agency are named at level hidden:
        // their owners and oversight read them, the agency does not.
        disclosed: hits
            .iter()
            .map(|h| Disclosed {
                record: h.record,
                owner: h.owner.clone(),
                level: h.disclosed,
            })
            .collect(),
        outcome: Outcome::Done,
    }
}
