//! The travellers of recent manifests, in an engine index of their own, for
//! re-screening.
//!
//! Why an index of travellers: re-screening asks "which recent travellers
//! match this record?", so each changed record is one search in this index,
//! rather than every recent traveller searched again on every change, which
//! would make each write cost a whole day of flights.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

use chrono::{DateTime, Utc};
use vigil_core::{AgencyCode, Traveller};
use vigil_match as engine;
use vigil_store::StoredManifest;

use crate::engine_map::traveller_entry;
use crate::error::Result;

/// One traveller of a recent manifest, and where it came from.
pub struct RecentTraveller {
    pub manifest: String,
    pub position: usize,
    pub agency: AgencyCode,
    pub purpose: String,
    pub received_at: DateTime<Utc>,
    pub traveller: Traveller,
}

/// The loaded travellers and their index.
#[derive(Default)]
pub struct Recent {
    index: engine::Index,
    travellers: HashMap<u64, RecentTraveller>,
    next_key: u64,
    /// The manifests held, and the newest one's time: manifests stored by
    /// other processes are picked up from there.
    manifests: HashSet<String>,
    newest: Option<DateTime<Utc>>,
}

impl Recent {
    fn add_manifest(&mut self, m: &StoredManifest) {
        if !self.manifests.insert(m.id.clone()) {
            return;
        }
        self.newest = self.newest.max(Some(m.received_at));
        for (position, traveller) in m.travellers.iter().enumerate() {
            self.next_key += 1;
            self.index
                .upsert(self.next_key, &traveller_entry(traveller));
            self.travellers.insert(
                self.next_key,
                RecentTraveller {
                    manifest: m.id.clone(),
                    position,
                    agency: m.agency.clone(),
                    purpose: m.purpose.clone(),
                    received_at: m.received_at,
                    traveller: traveller.clone(),
                },
            );
        }
    }

    fn prune(&mut self, since: DateTime<Utc>) {
        let old: Vec<u64> = self
            .travellers
            .iter()
            .filter(|(_, t)| t.received_at < since)
            .map(|(k, _)| *k)
            .collect();
        for key in old {
            if let Some(t) = self.travellers.remove(&key) {
                self.manifests.remove(&t.manifest);
            }
            self.index.remove(key);
        }
    }

    pub fn is_empty(&self) -> bool {
        self.travellers.is_empty()
    }

    /// The recent travellers that match `query`, at or above the threshold.
    pub fn matching(
        &self,
        query: &engine::Query,
        opts: &engine::SearchOptions,
    ) -> Vec<(engine::Match, &RecentTraveller)> {
        self.index
            .search(query, opts, &|_| true)
            .into_iter()
            .filter(|m| m.is_match)
            .filter_map(|m| {
                let t = self.travellers.get(&m.key)?;
                Some((m, t))
            })
            .collect()
    }
}

/// Loaded from the store on first use, then kept up to date as manifests
/// arrive.
#[derive(Default)]
pub struct RecentTravellers {
    state: Mutex<Option<Recent>>,
}

impl RecentTravellers {
    /// Adds a just-stored manifest's travellers, if they are loaded (if not,
    /// the load will read them from the store).
    pub fn remember(&self, m: &StoredManifest) {
        let mut guard = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(state) = guard.as_mut() {
            state.add_manifest(m);
        }
    }

    /// Runs `f` over the travellers received since `since`. `load(t)` gives
    /// the manifests stored since `t`: all of the window on first use, then
    /// those that other processes stored since the newest held.
    pub fn with<R>(
        &self,
        since: DateTime<Utc>,
        load: impl FnOnce(DateTime<Utc>) -> Result<Vec<StoredManifest>>,
        f: impl FnOnce(&Recent) -> Result<R>,
    ) -> Result<R> {
        // A panic while holding the lock leaves a consistent state: every
        // mutation is a single engine call plus a map insert.
        let mut guard = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let state = guard.get_or_insert_with(Recent::default);
        // Only what is newer than the newest held: re-reading manifests
        // already held would cost every write a day of flights.
        let from = state.newest.map_or(since, |newest| {
            (newest + chrono::Duration::microseconds(1)).max(since)
        });
        for m in load(from)? {
            state.add_manifest(&m);
        }
        state.prune(since);
        f(state)
    }
}
