//! The screening index: the matching engine's in-memory index over every
//! active record, kept in step with the store through its change feed (one
//! event per record version) — never rebuilt per change.
//!
//! Why a change feed and not "update the index where we write": records are
//! also written by other processes on the same database (a CLI import while
//! the server runs). See `feed` for who applies the changes when.
//!
//! Access rules reach inside retrieval: the engine asks a `visible`
//! predicate for every candidate before scoring it, and that predicate is
//! [`vigil_core::access::access_for`].
//!
//! Restricted records (hidden from some agency) are indexed a second time,
//! alone. The search for records hidden from a screener (only to notify
//! their owners) runs in that small index: in the whole index, nearly every
//! candidate would be visible, and the engine would rank all of them only
//! to skip them — that search once cost as much as the screening itself.
//! When nothing is restricted it is not run at all.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};

use vigil_core::access::{access_for, queryable_by};
use vigil_core::{Access, AccessPolicy, AgencyCode, Record, RecordId, RecordStatus, Visibility};
use vigil_match as engine;
use vigil_store::Store;

use crate::engine_map::person_entry;

/// What screening needs to know about an indexed record without a database
/// round trip: who owns it and who may see it.
#[derive(Debug, Clone)]
pub struct IndexedRecord {
    pub id: RecordId,
    pub owner: AgencyCode,
    pub reference: String,
    pub policy: Arc<AccessPolicy>,
    /// Hidden from some agency (visibility is not "all members").
    pub restricted: bool,
    /// The version indexed: the feed skips a change already put in.
    pub version: u32,
}

#[derive(Default)]
struct IndexState {
    index: engine::Index,
    /// The restricted records again, alone (same keys): the only ones a
    /// search for records hidden from a screener can return. Its length is
    /// how many indexed records are hidden from someone; when none are,
    /// every record is visible to everyone and that search is skipped.
    restricted: engine::Index,
    /// The records some peer organisation may query (a release rule at the
    /// `query` level), alone: what a forwarded query searches, so that its
    /// cost follows how many records are kept home for peers, not all.
    queryable: engine::Index,
    keys: HashMap<RecordId, u64>,
    records: HashMap<u64, IndexedRecord>,
    next_key: u64,
    last_seq: i64,
}

/// A candidate the engine found, with the record it stands for.
#[derive(Debug, Clone)]
pub struct Found {
    pub record: IndexedRecord,
    pub score: f64,
    pub is_match: bool,
    pub explanation: engine::Explanation,
}

/// Changes applied per turn when following the feed: a page is loaded and
/// applied in a few tens of milliseconds, so a screening that waits for the
/// turn waits no longer than that.
const SYNC_PAGE: usize = 500;

/// The most changes a screening applies itself before searching.
const FEW_CHANGES: usize = 64;

#[derive(Default)]
pub struct ScreeningIndex {
    state: RwLock<IndexState>,
    /// Held while changes are loaded and applied: one applier at a time, so
    /// none loads pages another is already applying.
    sync_turn: Mutex<()>,
    /// When a screening last asked the store for changes (`sync_if_few`).
    checked: Mutex<Option<std::time::Instant>>,
}

/// How often screenings ask the store for changes another process made:
/// at thousands of screenings a second, asking each time was a tenth of a
/// request's cost outside the engine. Writes made through this process
/// reach the index as they are made, whatever this says.
const CHANGES_CHECKED_EVERY: std::time::Duration = std::time::Duration::from_millis(20);

/// Which records a search may reach.
#[derive(Debug, Clone, Copy)]
pub enum Reach<'a> {
    /// Those the agency may see (at any disclosure level).
    VisibleTo(&'a AgencyCode),
    /// Those hidden from the agency: searched only to notify their owners.
    HiddenFrom(&'a AgencyCode),
    /// All of them: the local operator's view.
    Everything,
    /// Those kept home that a peer organisation may query
    /// (`vigil_core::access::queryable_by`).
    QueryableBy(&'a AgencyCode),
}

impl ScreeningIndex {
    /// Builds the index from the store: all active records page by page,
    /// then the changes that happened meanwhile.
    pub fn build(store: &dyn Store) -> vigil_store::Result<Self> {
        let this = ScreeningIndex::default();
        let start_seq = store.last_change_seq()?;
        let filter = vigil_store::RecordFilter {
            status: Some(RecordStatus::Active),
            ..Default::default()
        };
        let mut after = None;
        loop {
            let page = store.records_page(&filter, after, 5000)?;
            let done = page.len() < 5000;
            {
                let mut state = this.write();
                for r in &page {
                    state.put(r);
                }
            }
            after = page.last().map(|r| r.id);
            if done {
                break;
            }
        }
        this.write().last_seq = start_seq;
        this.sync(store)?;
        Ok(this)
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, IndexState> {
        // A panic while holding the lock leaves a consistent index: every
        // mutation below is a single engine call.
        self.state.write().unwrap_or_else(|e| e.into_inner())
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, IndexState> {
        self.state.read().unwrap_or_else(|e| e.into_inner())
    }

    /// Applies every change made since the last sync, page by page; returns
    /// the ids of the records that changed.
    pub fn sync(&self, store: &dyn Store) -> vigil_store::Result<Vec<RecordId>> {
        let mut changed = Vec::new();
        loop {
            let (ids, more) = self.sync_page(store, SYNC_PAGE)?;
            changed.extend(ids);
            if !more {
                return Ok(changed);
            }
        }
    }

    /// What a screening does before it searches: applies the changes not
    /// yet seen when they are few (a record another process just wrote), so
    /// that a screening 20 ms after a write finds it (the store is asked at
    /// most every [`CHANGES_CHECKED_EVERY`]). A backlog (an import beside the
    /// server) is left to the feed's follower, which works it off a page at
    /// a time: no screening waits for more than one page of it.
    pub fn sync_if_few(&self, store: &dyn Store) -> vigil_store::Result<()> {
        {
            let mut checked = self.checked.lock().unwrap_or_else(|e| e.into_inner());
            if checked.is_some_and(|at| at.elapsed() < CHANGES_CHECKED_EVERY) {
                return Ok(());
            }
            *checked = Some(std::time::Instant::now());
        }
        let last = self.read().last_seq;
        let waiting = store.changes_since(last, FEW_CHANGES + 1)?;
        if !waiting.is_empty() && waiting.len() <= FEW_CHANGES {
            self.sync_page(store, FEW_CHANGES)?;
        }
        Ok(())
    }

    /// Applies up to `page` changes; returns the records they touched and
    /// whether more are waiting. One page at a time holds the turn, and the
    /// index's write lock is held only while the loaded records go in.
    fn sync_page(
        &self,
        store: &dyn Store,
        page: usize,
    ) -> vigil_store::Result<(Vec<RecordId>, bool)> {
        let _turn = self.turn();
        let last = self.read().last_seq;
        let events = store.changes_since(last, page)?;
        let Some(newest) = events.last().map(|e| e.seq) else {
            return Ok((Vec::new(), false));
        };
        let mut ids: Vec<RecordId> = events.iter().map(|e| e.record).collect();
        ids.sort();
        ids.dedup();
        // A version this process wrote is in already (`apply_written`):
        // loading and analysing it again would double every write's cost.
        let mut latest: HashMap<RecordId, u32> = HashMap::with_capacity(ids.len());
        for e in &events {
            let v = latest.entry(e.record).or_default();
            *v = (*v).max(e.version);
        }
        let indexed = {
            let state = self.read();
            ids.iter()
                .filter(|id| {
                    state
                        .keys
                        .get(id)
                        .and_then(|k| state.records.get(k))
                        .is_some_and(|r| r.version >= latest[id])
                })
                .copied()
                .collect::<std::collections::HashSet<_>>()
        };
        let mut records = Vec::with_capacity(ids.len());
        for id in ids.iter().filter(|id| !indexed.contains(id)) {
            records.push((*id, store.record(*id)?));
        }
        let mut state = self.write();
        for (id, record) in records {
            match record {
                Some(r) if r.status == RecordStatus::Active => state.put(&r),
                _ => state.remove(id),
            }
        }
        state.last_seq = newest;
        Ok((ids, events.len() == page))
    }

    /// Puts records this process has just written into the index at once,
    /// whatever backlog the feed has: a writer screens what it wrote. The
    /// feed brings the same versions again later, which changes nothing
    /// (it loads each record's current state).
    pub fn apply_written(&self, records: &[Record]) {
        // Under the turn, so that a page loaded before this write cannot be
        // put in after it and bring back the older version.
        let _turn = self.turn();
        let mut state = self.write();
        for r in records {
            if r.status == RecordStatus::Active {
                state.put(r);
            } else {
                state.remove(r.id);
            }
        }
    }

    fn turn(&self) -> std::sync::MutexGuard<'_, ()> {
        self.sync_turn.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn len(&self) -> usize {
        self.read().records.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Searches the index within `reach`.
    pub fn search(
        &self,
        query: &engine::Query,
        opts: &engine::SearchOptions,
        reach: Reach<'_>,
    ) -> Vec<Found> {
        let state = self.read();
        let none_restricted = state.restricted.is_empty();
        // Records hidden from someone are all in the restricted index.
        let index = match reach {
            Reach::HiddenFrom(_) if none_restricted => return Vec::new(),
            Reach::HiddenFrom(_) => &state.restricted,
            Reach::QueryableBy(_) if state.queryable.is_empty() => return Vec::new(),
            Reach::QueryableBy(_) => &state.queryable,
            _ => &state.index,
        };
        // The engine asks this for every candidate it considers, so the
        // common cases answer without a lookup: when no indexed record is
        // restricted, every record is visible to everyone.
        let visible = |key: u64| -> bool {
            match reach {
                Reach::Everything => return true,
                Reach::VisibleTo(_) if none_restricted => return true,
                Reach::QueryableBy(peer) => {
                    return state
                        .records
                        .get(&key)
                        .is_some_and(|r| queryable_by(&r.owner, &r.policy, peer));
                }
                _ => {}
            }
            let Some(r) = state.records.get(&key) else {
                return false;
            };
            match reach {
                Reach::Everything => true,
                Reach::VisibleTo(agency) => {
                    !r.restricted || access_for(agency, &r.owner, &r.policy) != Access::Hidden
                }
                Reach::HiddenFrom(agency) => {
                    r.restricted && access_for(agency, &r.owner, &r.policy) == Access::Hidden
                }
                Reach::QueryableBy(peer) => queryable_by(&r.owner, &r.policy, peer),
            }
        };
        index
            .search(query, opts, &visible)
            .into_iter()
            .filter_map(|m| {
                state.records.get(&m.key).map(|r| Found {
                    record: r.clone(),
                    score: m.score,
                    is_match: m.is_match,
                    explanation: m.explanation,
                })
            })
            .collect()
    }
}

/// A candidate for an identity link with a record: an indexed record of
/// another owner, the engine's comparison and the same-identity rule's.
#[derive(Debug, Clone)]
pub struct LinkCandidate {
    pub found: Found,
    pub evidence: engine::IdentityEvidence,
}

impl ScreeningIndex {
    /// The indexed records of owners other than `owner` that `query` (a
    /// record's facts) retrieves, with the same-identity rule applied to
    /// each. Every record is reachable: who may see a link is decided when
    /// it is shown.
    pub fn link_candidates(
        &self,
        query: &engine::Query,
        owner: &AgencyCode,
        opts: &engine::SearchOptions,
    ) -> Vec<LinkCandidate> {
        let state = self.read();
        let other_owner = |key: u64| state.records.get(&key).is_some_and(|r| &r.owner != owner);
        state
            .index
            .search(query, opts, &other_owner)
            .into_iter()
            .filter_map(|m| {
                let record = state.records.get(&m.key)?.clone();
                let (documents, dates) = state.index.documents_and_dates(m.key)?;
                let evidence = engine::identity_evidence(
                    &query.documents,
                    documents,
                    &query.birth_dates,
                    dates,
                    &m.explanation,
                );
                Some(LinkCandidate {
                    found: Found {
                        record,
                        score: m.score,
                        is_match: m.is_match,
                        explanation: m.explanation,
                    },
                    evidence,
                })
            })
            .collect()
    }
}

impl IndexState {
    fn put(&mut self, record: &Record) {
        let key = match self.keys.get(&record.id) {
            Some(k) => *k,
            None => {
                self.next_key += 1;
                self.keys.insert(record.id, self.next_key);
                self.next_key
            }
        };
        let entry = person_entry(record);
        let restricted = is_restricted(&record.draft.policy);
        if restricted {
            self.restricted.upsert(key, &entry);
        } else {
            self.restricted.remove(key);
        }
        if is_queryable(&record.draft.policy) {
            self.queryable.upsert(key, &entry);
        } else {
            self.queryable.remove(key);
        }
        self.index.upsert(key, &entry);
        self.records.insert(
            key,
            IndexedRecord {
                id: record.id,
                owner: record.owner.clone(),
                reference: record.draft.reference.clone(),
                policy: Arc::new(record.draft.policy.clone()),
                restricted,
                version: record.version,
            },
        );
    }

    fn remove(&mut self, id: RecordId) {
        if let Some(key) = self.keys.remove(&id) {
            self.index.remove(key);
            self.restricted.remove(key);
            self.queryable.remove(key);
            self.records.remove(&key);
        }
    }
}

fn is_queryable(policy: &AccessPolicy) -> bool {
    policy
        .release
        .iter()
        .any(|rule| rule.level == vigil_core::policy::ReleaseLevel::Query)
}

fn is_restricted(policy: &AccessPolicy) -> bool {
    !matches!(policy.visibility, Visibility::All)
}
