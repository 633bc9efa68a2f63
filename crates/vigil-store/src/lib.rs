//! Vigil's persistence, behind one trait.
//!
//! Layout:
//! - [`Store`]: everything the rest of Vigil asks of a database. The HTTP
//!   server, the CLI and the importers only ever see this trait, so a
//!   PostgreSQL backend can be added beside SQLite without touching them.
//! - [`sqlite`]: the embedded default (one file in the data directory, WAL
//!   mode, migrations applied on open).
//! - [`model`]: the values the trait takes and returns that are about
//!   storage rather than the domain (tokens, filters, change events).
//!
//! Invariants every backend keeps:
//! - a record is never changed in place without a trace: each change is a new
//!   version, and every version stays readable;
//! - a write and its audit entry commit in the same transaction;
//! - the audit log is append-only and hash-chained;
//! - token secrets are stored only as SHA-256 hashes.

pub mod hits;
pub mod model;
pub mod sqlite;

pub use hits::*;
pub use model::*;
pub use sqlite::SqliteStore;

use vigil_core::audit::{AuditEvent, StoredAuditEntry};
use vigil_core::{Agency, AgencyCode, AgencyKind, Caller, Record, RecordId, Role};

/// The store's error type.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    #[error("{what} not found")]
    NotFound { what: String },
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("database error: {0}")]
    Database(#[from] rusqlite::Error),
    #[error("the store cannot take writes: {0}")]
    Unavailable(String),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    #[error("cannot open the data directory {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Everything Vigil asks of a database.
pub trait Store: Send + Sync {
    // Agencies and tokens.
    fn create_agency(&self, code: &AgencyCode, name: &str, kind: AgencyKind) -> Result<Agency>;
    fn agency(&self, code: &AgencyCode) -> Result<Option<Agency>>;
    fn agencies(&self) -> Result<Vec<Agency>>;
    /// Creates a token; returns its description and the secret, which is
    /// never stored and cannot be shown again.
    fn create_token(
        &self,
        agency: &AgencyCode,
        role: Role,
        label: Option<&str>,
    ) -> Result<(TokenInfo, String)>;
    fn tokens(&self, agency: Option<&AgencyCode>) -> Result<Vec<TokenInfo>>;
    /// Revokes a token; false when there is no such active token.
    fn revoke_token(&self, id: &str) -> Result<bool>;
    /// The caller behind a secret, if the token exists and is not revoked.
    fn authenticate(&self, secret: &str) -> Result<Option<Caller>>;

    // Records.
    /// Applies record changes and the audit entry that describes them, all in
    /// one transaction: either everything is stored or nothing is.
    fn apply(&self, changes: Vec<RecordChange>, audit: Option<AuditEvent>) -> Result<Vec<Record>> {
        self.apply_observed(changes, audit, None)
    }
    /// [`Store::apply`], telling `progress` (done, total) as changes are
    /// written, for long imports.
    fn apply_observed(
        &self,
        changes: Vec<RecordChange>,
        audit: Option<AuditEvent>,
        progress: Option<&(dyn Fn(usize, usize) + Sync)>,
    ) -> Result<Vec<Record>>;
    fn record(&self, id: RecordId) -> Result<Option<Record>>;
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

    // Audit.
    fn append_audit(&self, event: AuditEvent) -> Result<i64>;
    /// Appends several entries, in order, each durable before this returns
    /// (a backend may commit them together, with one sync).
    fn append_audits(&self, events: Vec<AuditEvent>) -> Result<Vec<i64>> {
        events.into_iter().map(|e| self.append_audit(e)).collect()
    }
    fn audit_entries(&self, filter: &AuditFilter) -> Result<Vec<StoredAuditEntry>>;
    /// The whole chain in order, for verification.
    fn audit_chain(&self) -> Result<Vec<StoredAuditEntry>>;

    // Hits, notifications and manifests.
    /// Stores hits, queues a delivery to each of the owner's webhooks (the
    /// outbox) and appends the audit entry, in one transaction.
    fn insert_hits(&self, hits: Vec<NewHit>, audit: Option<AuditEvent>) -> Result<Vec<Hit>>;
    fn hit(&self, id: &str) -> Result<Option<Hit>>;
    fn hits(&self, filter: &HitFilter) -> Result<Vec<Hit>>;
    /// Records the owner's decision; a false positive also suppresses the
    /// same traveller (by each of its keys) against the same record.
    fn decide_hit(
        &self,
        id: &str,
        status: HitStatus,
        note: Option<&str>,
        by: &AgencyCode,
        audit: AuditEvent,
    ) -> Result<Hit>;
    /// The traveller keys among `keys` that are suppressed for `record`.
    fn suppressed(&self, record: RecordId, keys: &[String]) -> Result<Vec<String>>;
    fn create_webhook(&self, agency: &AgencyCode, url: &str, secret: &str) -> Result<Webhook>;
    fn webhooks(&self, agency: &AgencyCode) -> Result<Vec<Webhook>>;
    fn delete_webhook(&self, agency: &AgencyCode, id: &str) -> Result<bool>;
    /// Deliveries due at `now`, oldest first.
    fn due_deliveries(
        &self,
        now: chrono::DateTime<chrono::Utc>,
        limit: usize,
    ) -> Result<Vec<Delivery>>;
    fn delivery_succeeded(&self, id: i64) -> Result<()>;
    fn delivery_failed(
        &self,
        id: i64,
        error: &str,
        retry_at: chrono::DateTime<chrono::Utc>,
    ) -> Result<()>;
    fn save_manifest(&self, manifest: &StoredManifest, audit: Option<AuditEvent>) -> Result<()>;
    fn manifest(&self, id: &str) -> Result<Option<StoredManifest>>;
    /// Manifests received since `since`, for re-screening.
    fn manifests_since(&self, since: chrono::DateTime<chrono::Utc>) -> Result<Vec<StoredManifest>>;
}
