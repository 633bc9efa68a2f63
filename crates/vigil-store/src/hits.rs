//! Screening's storage: hits and their workflow, false-positive
//! suppressions, webhooks and the delivery outbox, and stored manifests. The
//! hits themselves are the domain's ([`vigil_core::Hit`], [`vigil_core::NewHit`]).

use chrono::{DateTime, Utc};
use serde::Serialize;
use vigil_core::audit::AuditEvent;
use vigil_core::{AgencyCode, Hit, HitStatus, NewHit, RecordId, Traveller};

use crate::error::Result;

#[derive(Debug, Clone, Default)]
pub struct HitFilter {
    pub owner: Option<AgencyCode>,
    pub screening_agency: Option<AgencyCode>,
    pub status: Option<HitStatus>,
    pub record: Option<RecordId>,
    /// Hits after this position: in the owner's sequence when `owner` is
    /// given, else in the screening agency's when `screening_agency` is
    /// (only hits it may know of have one), else in the store's order. The
    /// page is in the same order.
    pub after_seq: Option<i64>,
    /// Newest first: the page holds the hits *before* `after_seq` (all
    /// when `None`), latest first. A queue for people reads this way.
    pub newest_first: bool,
    pub limit: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct Webhook {
    pub id: String,
    pub agency: AgencyCode,
    pub url: String,
    /// Shared secret for the HMAC-SHA256 signature; shown at creation only.
    #[serde(skip)]
    pub secret: String,
    pub created_at: DateTime<Utc>,
}

/// One pending webhook delivery.
#[derive(Debug, Clone)]
pub struct Delivery {
    pub id: i64,
    pub webhook_id: String,
    pub url: String,
    pub secret: String,
    pub idempotency_key: String,
    /// The JSON body: a [`vigil_core::HitNotification`].
    pub payload: String,
    pub attempts: u32,
}

/// A stored passenger manifest and its screening summary.
#[derive(Debug, Clone, Serialize)]
pub struct StoredManifest {
    pub id: String,
    pub agency: AgencyCode,
    pub received_at: DateTime<Utc>,
    /// The service's rendering of the screening, stored and returned as is.
    pub summary: serde_json::Value,
    /// The travellers as screened, kept for re-screening.
    pub travellers: Vec<Traveller>,
    pub purpose: String,
}

/// Hits, suppressions, webhooks, deliveries and manifests. Each audited
/// write appends its event in the same transaction as the write.
pub trait HitStore {
    /// Stores hits, queues a delivery to each of the owner's webhooks (the
    /// outbox) and appends the audit entry, in one transaction.
    fn insert_hits(&self, hits: Vec<NewHit>, audit: AuditEvent) -> Result<Vec<Hit>>;
    fn hit(&self, id: &str) -> Result<Option<Hit>>;
    fn hits(&self, filter: &HitFilter) -> Result<Vec<Hit>>;
    /// The position of the owner's newest hit in its stream (0 when there
    /// is none).
    fn last_hit_seq(&self, owner: &AgencyCode) -> Result<i64>;
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
    /// Creates webhook `id` (from [`crate::ids::new_webhook_id`]).
    fn create_webhook(
        &self,
        id: &str,
        agency: &AgencyCode,
        url: &str,
        secret: &str,
        audit: AuditEvent,
    ) -> Result<Webhook>;
    fn webhooks(&self, agency: &AgencyCode) -> Result<Vec<Webhook>>;
    /// Deletes one of `agency`'s webhooks; false when it has no such webhook.
    /// The audit event is appended either way.
    fn delete_webhook(&self, agency: &AgencyCode, id: &str, audit: AuditEvent) -> Result<bool>;
    /// Deliveries due at `now`: the oldest `per_webhook` of each webhook,
    /// oldest first, so that one receiver's backlog never hides another's.
    fn due_deliveries(&self, now: DateTime<Utc>, per_webhook: usize) -> Result<Vec<Delivery>>;
    /// The delivery worker's bookkeeping, not any caller's act: unaudited.
    fn delivery_succeeded(&self, id: i64) -> Result<()>;
    fn delivery_failed(&self, id: i64, error: &str, retry_at: DateTime<Utc>) -> Result<()>;
    /// Holds back a webhook's undelivered deliveries until `until` (its
    /// receiver failed: back off from the receiver, not only the delivery).
    fn postpone_deliveries(&self, webhook_id: &str, until: DateTime<Utc>) -> Result<()>;
    fn save_manifest(&self, manifest: &StoredManifest, audit: AuditEvent) -> Result<()>;
    fn manifest(&self, id: &str) -> Result<Option<StoredManifest>>;
    /// Manifests received since `since`, for re-screening.
    fn manifests_since(&self, since: DateTime<Utc>) -> Result<Vec<StoredManifest>>;
}
