//! Person records: changes, every stored version, and the change feed that
//! downstream consumers follow.

use chrono::{DateTime, Utc};
use serde::Serialize;
use vigil_core::audit::AuditEvent;
use vigil_core::{
    AccessPolicy, AgencyCode, Caller, Category, Record, RecordDraft, RecordId, RecordStatus,
};

use crate::error::Result;

/// One change to a record.
#[derive(Debug, Clone)]
pub enum RecordChange {
    Create {
        id: RecordId,
        owner: AgencyCode,
        draft: RecordDraft,
    },
    /// Replaces the draft; `expected_version` guards against lost updates.
    Update {
        id: RecordId,
        draft: RecordDraft,
        expected_version: Option<u32>,
    },
    /// Sets the status (retire, or reactivate a record that came back).
    SetStatus {
        id: RecordId,
        status: RecordStatus,
        expected_version: Option<u32>,
    },
}

/// Who made a change, kept with every version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Actor {
    pub agency: AgencyCode,
    pub token_id: String,
}

impl From<&Caller> for Actor {
    fn from(c: &Caller) -> Self {
        Actor {
            agency: c.agency.clone(),
            token_id: c.token_id.clone(),
        }
    }
}

impl From<&AuditEvent> for Actor {
    /// The actor of a write is whoever its audit event names.
    fn from(e: &AuditEvent) -> Self {
        Actor {
            agency: e.agency.clone(),
            token_id: e.token_id.clone(),
        }
    }
}

/// One stored version of a record.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecordVersion {
    pub change: ChangeKind,
    pub changed_at: DateTime<Utc>,
    /// `None` only for versions stored without one (the column allows it).
    pub changed_by: Option<Actor>,
    pub record: Record,
}

/// What a version did to its record. The names are stored: never rename one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, strum::IntoStaticStr, strum::EnumString)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum ChangeKind {
    Create,
    Update,
    Retire,
    Reactivate,
}

/// An event per change: what downstream consumers (the screening index,
/// re-screening, federation) follow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChangeEvent {
    pub seq: i64,
    pub record: RecordId,
    pub version: u32,
    pub change: ChangeKind,
}

/// What access to a record is decided on: its owner, status and policy.
/// Read without the rest of the record, so that refusing a record the
/// caller may not see costs what answering for an unknown id costs.
#[derive(Debug, Clone, PartialEq)]
pub struct AccessFacts {
    pub owner: AgencyCode,
    pub status: RecordStatus,
    pub policy: AccessPolicy,
}

/// Filters for listing records. Empty fields do not filter.
#[derive(Debug, Clone, Default)]
pub struct RecordFilter {
    pub owner: Option<AgencyCode>,
    pub status: Option<RecordStatus>,
    pub category: Option<Category>,
    pub updated_since: Option<DateTime<Utc>>,
}

/// Records, their versions and the change feed.
pub trait RecordStore {
    /// Applies record changes and the audit entry that describes them, all in
    /// one transaction: either everything is stored or nothing is. The
    /// event's agency and token are kept with each version as its actor.
    fn apply(&self, changes: Vec<RecordChange>, audit: AuditEvent) -> Result<Vec<Record>> {
        self.apply_observed(changes, audit, None)
    }
    /// [`RecordStore::apply`], telling `progress` (done, total) as changes
    /// are written, for long imports.
    fn apply_observed(
        &self,
        changes: Vec<RecordChange>,
        audit: AuditEvent,
        progress: Option<&(dyn Fn(usize, usize) + Sync)>,
    ) -> Result<Vec<Record>>;
    fn record(&self, id: RecordId) -> Result<Option<Record>>;
    /// See [`AccessFacts`].
    fn access_facts(&self, id: RecordId) -> Result<Option<AccessFacts>>;
    fn record_by_reference(&self, owner: &AgencyCode, reference: &str) -> Result<Option<Record>>;
    /// Records in id order after `after`, matching the filter. Access rules
    /// are not applied here: the caller filters what it may see.
    fn records_page(
        &self,
        filter: &RecordFilter,
        after: Option<RecordId>,
        limit: usize,
    ) -> Result<Vec<Record>>;
    /// Every version of a record, oldest first.
    fn record_history(&self, id: RecordId) -> Result<Vec<RecordVersion>>;
    /// The sequence number of the latest change (0 when there is none).
    fn last_change_seq(&self) -> Result<i64>;
    /// Changes (one event per record version) after sequence number `after`.
    fn changes_since(&self, after: i64, limit: usize) -> Result<Vec<ChangeEvent>>;
    /// Where the change-feed consumer `name` stands (0: at the start).
    fn feed_cursor(&self, name: &str) -> Result<i64>;
    /// Moves consumer `name` forward to `seq`; never backward, so that two
    /// processes following the same feed cannot undo each other's progress.
    fn advance_feed_cursor(&self, name: &str, seq: i64) -> Result<()>;
}
