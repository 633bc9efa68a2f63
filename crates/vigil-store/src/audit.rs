//! The audit log: appending entries to the hash chain and reading them back.

use chrono::{DateTime, Utc};
use vigil_core::audit::{AuditEvent, StoredAuditEntry};
use vigil_core::{Action, AgencyCode, RecordId};

use crate::error::Result;

/// Filters for reading the audit log. Empty fields do not filter.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub agency: Option<AgencyCode>,
    pub action: Option<Action>,
    /// Entries that disclosed or touched a record of this owner.
    pub record_owner: Option<AgencyCode>,
    pub record: Option<RecordId>,
    /// Entries of this agency's own actions, or that disclosed or touched a
    /// record it owns.
    pub involving: Option<AgencyCode>,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    /// Entries after this sequence number (before it when `newest_first`).
    pub after: Option<i64>,
    /// The latest entries first: what an auditor reads from the top.
    pub newest_first: bool,
    pub limit: usize,
}

/// The audit log on its own: entries for operations that write nothing else
/// (reads, refusals). A write's entry goes with the write, through the write
/// method of its concern.
pub trait AuditStore {
    /// Appends one entry; durable when this returns.
    fn append_audit(&self, event: AuditEvent) -> Result<i64>;
    /// Appends several entries, in order, each durable before this returns
    /// (a backend may commit them together, with one sync).
    fn append_audits(&self, events: Vec<AuditEvent>) -> Result<Vec<i64>> {
        events.into_iter().map(|e| self.append_audit(e)).collect()
    }
    fn audit_entries(&self, filter: &AuditFilter) -> Result<Vec<StoredAuditEntry>>;
    /// The chain in stored order from the entry after `after`, at most
    /// `limit` entries: verification reads it page by page, in constant
    /// memory.
    fn audit_chain_page(&self, after: i64, limit: usize) -> Result<Vec<StoredAuditEntry>>;
    /// The whole chain in order.
    fn audit_chain(&self) -> Result<Vec<StoredAuditEntry>> {
        self.audit_chain_page(0, usize::MAX)
    }
}
