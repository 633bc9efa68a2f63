//! [`StatsStore`]: the exact counts statistics are made of, grouped so that
//! the service can drop what a caller may not see before adding them up.
//! Activity (audited calls per agency, day, action and outcome) is counted
//! in the transaction that appends each audit entry, so it never drifts
//! from the log; the other counts are read from the rows themselves.

use vigil_core::{AccessPolicy, AgencyCode, HitStatus, RecordStatus};

use crate::error::Result;

/// Records of one owner, status, category, handling code and policy.
#[derive(Debug, Clone)]
pub struct RecordGroup {
    pub owner: AgencyCode,
    pub status: RecordStatus,
    pub category: String,
    pub handling: String,
    pub policy: AccessPolicy,
    pub count: i64,
}

/// Hits of one day, owner, screening agency and outcome, on records of one
/// status and policy (`None` when the record is gone).
#[derive(Debug, Clone)]
pub struct HitGroup {
    /// `YYYY-MM-DD`, UTC.
    pub day: String,
    pub owner: AgencyCode,
    pub screening_agency: AgencyCode,
    pub status: HitStatus,
    pub record: Option<(RecordStatus, AccessPolicy)>,
    pub count: i64,
}

/// Audited calls of one agency, day, action and outcome, and how many
/// items they carried (travellers, for screenings).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivityCount {
    pub day: String,
    pub agency: AgencyCode,
    pub action: String,
    pub outcome: String,
    pub entries: i64,
    pub items: i64,
}

pub trait StatsStore {
    fn record_groups(&self) -> Result<Vec<RecordGroup>>;
    fn hit_groups(&self) -> Result<Vec<HitGroup>>;
    fn activity(&self) -> Result<Vec<ActivityCount>>;
}
