//! Re-screening: when a record is added or changed, the travellers of the
//! manifests received in the last 72 hours (configurable) are screened again
//! against it, so that a person listed after their flight landed is still
//! found and the owner notified.
//!
//! Why an index of travellers: re-screening asks "which recent travellers
//! match this record?", so the recent travellers are kept in an engine index
//! of their own and each changed record is one search in it — rather than
//! every recent traveller searched again on every change, which would make
//! each write cost a whole day of flights.

use std::collections::HashMap;
use std::sync::Mutex;

use chrono::{DateTime, Utc};
use vigil_core::access;
use vigil_core::{AgencyCode, RecordId, RecordStatus};
use vigil_match as engine;
use vigil_store::{HitFilter, NewHit};

use crate::error::ApiResult;
use crate::screen::Traveller;
use crate::screening::person_entry;
use crate::service::Vigil;

struct RecentTraveller {
    manifest: String,
    position: usize,
    agency: AgencyCode,
    purpose: String,
    received_at: DateTime<Utc>,
    traveller: Traveller,
}

#[derive(Default)]
struct State {
    index: engine::Index,
    travellers: HashMap<u64, RecentTraveller>,
    next_key: u64,
}

/// The travellers of recent manifests, indexed for re-screening. Loaded
/// from the store on first use, then kept up to date as manifests arrive.
#[derive(Default)]
pub struct RecentTravellers {
    state: Mutex<Option<State>>,
}

impl State {
    fn add(&mut self, t: RecentTraveller) {
        let q = t.traveller.query();
        self.next_key += 1;
        self.index.upsert(
            self.next_key,
            &engine::PersonEntry {
                names: q.names,
                birth_dates: q.birth_dates,
                nationalities: q.nationalities,
                gender: q.gender,
                documents: q.documents,
            },
        );
        self.travellers.insert(self.next_key, t);
    }

    fn prune(&mut self, since: DateTime<Utc>) {
        let old: Vec<u64> = self
            .travellers
            .iter()
            .filter(|(_, t)| t.received_at < since)
            .map(|(k, _)| *k)
            .collect();
        for key in old {
            self.index.remove(key);
            self.travellers.remove(&key);
        }
    }
}

/// A stored manifest's travellers, ready for the index.
fn manifest_travellers(m: &vigil_store::StoredManifest) -> Vec<RecentTraveller> {
    let Ok(list) = serde_json::from_value::<Vec<Traveller>>(m.travellers.clone()) else {
        tracing::warn!(manifest = %m.id, "stored travellers unreadable; not re-screened");
        return Vec::new();
    };
    list.into_iter()
        .enumerate()
        .map(|(position, traveller)| RecentTraveller {
            manifest: m.id.clone(),
            position,
            agency: m.agency.clone(),
            purpose: m.purpose.clone(),
            received_at: m.received_at,
            traveller,
        })
        .collect()
}

impl Vigil {
    fn rescreen_since(&self) -> DateTime<Utc> {
        let window = chrono::Duration::from_std(self.config().rescreen_window)
            .unwrap_or_else(|_| chrono::Duration::hours(72));
        Utc::now() - window
    }

    /// Adds a just-stored manifest's travellers to the re-screening index
    /// (if it is loaded; otherwise the load will read them from the store).
    pub(crate) fn remember_manifest(&self, m: &vigil_store::StoredManifest) {
        let mut guard = self
            .recent()
            .state
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if let Some(state) = guard.as_mut() {
            for t in manifest_travellers(m) {
                state.add(t);
            }
        }
    }

    /// Screens recent travellers against records that were just added or
    /// changed; returns how many hits it stored.
    pub(crate) fn rescreen(&self, changed: &[RecordId]) -> ApiResult<usize> {
        let since = self.rescreen_since();
        let mut guard = self
            .recent()
            .state
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if guard.is_none() {
            let mut state = State::default();
            for m in self.store().manifests_since(since)? {
                for t in manifest_travellers(&m) {
                    state.add(t);
                }
            }
            *guard = Some(state);
        }
        let Some(state) = guard.as_mut() else {
            return Ok(0);
        };
        state.prune(since);
        if state.travellers.is_empty() {
            return Ok(0);
        }
        let opts = engine::SearchOptions {
            limit: 100,
            threshold: engine::DEFAULT_THRESHOLD,
        };
        let mut new_hits = Vec::new();
        for id in changed {
            let Some(record) = self.store().record(*id)? else {
                continue;
            };
            if record.status != RecordStatus::Active {
                continue;
            }
            let entry = person_entry(&record);
            let query = engine::Query {
                names: entry.names,
                birth_dates: entry.birth_dates,
                nationalities: entry.nationalities,
                gender: entry.gender,
                documents: entry.documents,
            };
            for found in state.index.search(&query, &opts, &|_| true) {
                let Some(t) = state.travellers.get(&found.key) else {
                    continue;
                };
                if !found.is_match || self.already_hit(record.id, &t.manifest, t.position)? {
                    continue;
                }
                let keys = t.traveller.keys();
                if !keys.is_empty() && !self.store().suppressed(record.id, &keys)?.is_empty() {
                    continue;
                }
                new_hits.push(NewHit {
                    record: record.id,
                    owner: record.owner.clone(),
                    reference: record.draft.reference.clone(),
                    screening_agency: t.agency.clone(),
                    token_id: "rescreen".into(),
                    purpose: t.purpose.clone(),
                    disclosed: access::access_for(&t.agency, &record.owner, &record.draft.policy),
                    traveller: serde_json::to_value(&t.traveller).unwrap_or_default(),
                    context: serde_json::json!({"manifest": t.manifest, "traveller": t.position, "rescreen": true}),
                    score: found.score,
                    explanation: serde_json::to_value(&found.explanation).unwrap_or_default(),
                    traveller_keys: keys,
                });
            }
        }
        drop(guard);
        let count = new_hits.len();
        if count > 0 {
            let stored = self.store().insert_hits(new_hits, None)?;
            if let Some(last) = stored.last() {
                self.announce_hit(last.seq);
            }
        }
        Ok(count)
    }

    fn already_hit(&self, record: RecordId, manifest: &str, traveller: usize) -> ApiResult<bool> {
        let filter = HitFilter {
            record: Some(record),
            limit: 1000,
            ..Default::default()
        };
        Ok(self.store().hits(&filter)?.iter().any(|h| {
            h.context.get("manifest").and_then(|v| v.as_str()) == Some(manifest)
                && h.context.get("traveller").and_then(|v| v.as_u64()) == Some(traveller as u64)
        }))
    }
}
