//! Storage-side values: tokens, record changes and versions, filters and
//! change events.

use chrono::{DateTime, Utc};
use serde::Serialize;
use vigil_core::{AgencyCode, Caller, Category, Record, RecordDraft, RecordId, RecordStatus, Role};

/// A token as listed: everything but the secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TokenInfo {
    pub id: String,
    pub agency: AgencyCode,
    pub role: Role,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    pub created_at: DateTime<Utc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<DateTime<Utc>>,
}

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

/// One stored version of a record.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecordVersion {
    pub change: ChangeKind,
    pub changed_at: DateTime<Utc>,
    pub changed_by: Option<Actor>,
    pub record: Record,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    Create,
    Update,
    Retire,
    Reactivate,
}

impl ChangeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Create => "create",
            ChangeKind::Update => "update",
            ChangeKind::Retire => "retire",
            ChangeKind::Reactivate => "reactivate",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            ChangeKind::Create,
            ChangeKind::Update,
            ChangeKind::Retire,
            ChangeKind::Reactivate,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
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

/// Filters for listing records. Empty fields do not filter.
#[derive(Debug, Clone, Default)]
pub struct RecordFilter {
    pub owner: Option<AgencyCode>,
    pub status: Option<RecordStatus>,
    pub category: Option<Category>,
    pub updated_since: Option<DateTime<Utc>>,
}

/// Filters for reading the audit log.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub agency: Option<AgencyCode>,
    pub action: Option<String>,
    /// Entries that disclosed or touched a record of this owner.
    pub record_owner: Option<AgencyCode>,
    pub record: Option<RecordId>,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    /// Entries after this sequence number.
    pub after: Option<i64>,
    pub limit: usize,
}
