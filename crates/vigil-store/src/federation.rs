//! Federation: this instance's organisation identity, its peers, and both
//! sides of the release feed — what this instance has released to each
//! peer (the sender's log, numbered per peer without gaps) and what it
//! holds from each (the receiver's checkpoint, copies and quarantine).

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use vigil_core::audit::AuditEvent;
use vigil_core::policy::ReleaseLevel;
use vigil_core::{Access, AgencyCode, Hit, NewHit, Record, RecordId};

use crate::error::Result;
use crate::records::RecordChange;

/// This instance's organisation: its code and its signing key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgIdentity {
    pub code: AgencyCode,
    pub name: String,
    /// The Ed25519 secret, hex. Never leaves the store but to sign.
    pub secret_key: String,
    pub public_key: String,
    pub created_at: DateTime<Utc>,
}

/// A peer organisation, as an administrator registered it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Peer {
    pub code: AgencyCode,
    /// Where its Vigil answers (`https://vigil.example.org`).
    pub url: String,
    /// Its Ed25519 public key, hex: what its batches and requests must
    /// verify with.
    pub public_key: String,
    pub added_at: DateTime<Utc>,
}

/// What a peer holds of one record (a copy at a level, or the right to
/// query it), as the sender last released it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Released {
    pub version: u32,
    /// `query`, `hit_only` or `full`.
    pub level: ReleaseLevel,
    pub agencies: Vec<AgencyCode>,
}

/// One operation to append to a peer's release log.
#[derive(Debug, Clone, PartialEq)]
pub struct ReleaseEntry {
    pub record: RecordId,
    /// What the peer holds after this entry (`None`: nothing).
    pub released: Option<Released>,
    /// The operation as it travels (a `FeedChange`'s JSON); `None` when
    /// nothing travels (the record became, or stopped being, queryable).
    pub body: Option<String>,
}

/// A stored operation of a release log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReleaseOp {
    pub seq: i64,
    pub body: String,
}

/// Where the sender stands for one peer: the feed's epoch (it changes when
/// the feed starts over), the change feed read so far, and the peer's last
/// sequence number.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ReleasePosition {
    pub epoch: String,
    pub change_seq: i64,
    pub head: i64,
}

/// What a receiver holds from one peer: its checkpoint and counters.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct ReceiverState {
    pub epoch: Option<String>,
    pub applied_seq: i64,
    #[serde(skip)]
    pub past_epochs: Vec<String>,
    /// The digest of the last operation applied: the sender checks it, so
    /// that a sender restored from a backup cannot go on as if nothing
    /// happened.
    #[serde(skip)]
    pub last_digest: Option<String>,
    /// The peer's head when last heard from.
    pub head: i64,
    pub last_attempt: Option<DateTime<Utc>>,
    pub last_success: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    /// Copies held now.
    pub received: u64,
    /// Copies withdrawn by the owner (retracted) or retired, now gone.
    pub retracted: u64,
    pub retired: u64,
    pub quarantined: u64,
    /// Operations that changed nothing (a version already held).
    pub unchanged: u64,
    /// The peer answers queries about records it keeps home: screenings
    /// here are forwarded to it.
    pub answers_queries: bool,
    /// Batches refused (signature, sequence, epoch).
    pub refused: u64,
    /// A new epoch began and has not reached its head yet: then, the copies
    /// it did not confirm go.
    #[serde(skip)]
    pub reconcile_pending: bool,
}

/// What became of a copy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, strum::IntoStaticStr, strum::EnumString)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum CopyState {
    Held,
    Retracted,
    Retired,
}

/// A record received from a peer, and where it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Provenance {
    pub peer: AgencyCode,
    pub origin_id: RecordId,
    /// The owner agency at the origin (`FRA`), qualified here as `FRA@PEER`.
    pub origin_owner: AgencyCode,
    pub origin_version: u32,
    #[serde(skip)]
    pub record_id: RecordId,
    pub level: Access,
    pub received_at: DateTime<Utc>,
    /// The epoch of the batch that last confirmed it.
    pub epoch: String,
    pub state: CopyState,
    /// Every copy is stored only from a batch whose signature verified.
    pub signature_verified: bool,
}

/// A record change that a batch makes, with the review date that travels.
#[derive(Debug, Clone)]
pub struct ReceivedChange {
    pub change: RecordChange,
    pub review_due: Option<NaiveDate>,
}

/// A quarantined operation: what it said and why it was not applied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Quarantined {
    pub peer: AgencyCode,
    pub seq: i64,
    pub origin: Option<String>,
    pub diagnostic: String,
    /// The operation as received: kept, never shown (it may carry a
    /// person's data, and the operator who reads the quarantine reads no
    /// record).
    #[serde(skip_serializing)]
    pub body: String,
    pub at: DateTime<Utc>,
}

/// A verified, admitted batch as the receiver applies it: record changes,
/// the copies' new provenance, quarantined operations and the checkpoint,
/// all in one transaction.
#[derive(Debug, Clone)]
pub struct ReceivedBatch {
    pub peer: AgencyCode,
    /// The checkpoint the batch was admitted at: if another process moved
    /// it meanwhile, the batch is a conflict and nothing is applied.
    pub expected_epoch: Option<String>,
    pub expected_applied: i64,
    pub epoch: String,
    pub applied: i64,
    pub digest: Option<String>,
    pub head: i64,
    pub past_epochs: Vec<String>,
    /// New agencies of the peer that own received records (`FRA@PEER`).
    pub owners: Vec<AgencyCode>,
    pub changes: Vec<ReceivedChange>,
    pub copies: Vec<Provenance>,
    pub quarantined: Vec<Quarantined>,
    pub unchanged: u64,
    pub answers_queries: bool,
    pub reconcile_pending: bool,
}

/// A hit on a received copy, waiting to go home to the record's owner.
#[derive(Debug, Clone, PartialEq)]
pub struct HomeDelivery {
    pub id: i64,
    pub peer: AgencyCode,
    pub hit: Hit,
    pub attempts: u32,
}

/// A hit that came home from a peer, under the peer's idempotency key.
#[derive(Debug, Clone)]
pub struct HomeHit {
    pub key: String,
    pub hit: NewHit,
}

/// A process's turn at pulling one peer's feed (see
/// [`FederationStore::sync_turn`]); dropping it ends the turn.
pub struct SyncTurn {
    _held: Box<dyn Send>,
}

impl SyncTurn {
    pub fn new(held: impl Send + 'static) -> Self {
        SyncTurn {
            _held: Box::new(held),
        }
    }
}

impl std::fmt::Debug for SyncTurn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SyncTurn")
    }
}

/// Federation's storage. Writes append their audit event in the same
/// transaction, as everywhere.
pub trait FederationStore {
    fn org(&self) -> Result<Option<OrgIdentity>>;
    /// Sets up the organisation identity; a conflict if there is one.
    fn init_org(&self, org: &OrgIdentity, audit: AuditEvent) -> Result<()>;
    /// Starts the peer's release log over at 0 in a new epoch.
    fn reset_release(&self, peer: &AgencyCode, epoch: &str, audit: AuditEvent) -> Result<()>;
    /// Registers a peer, its release feed starting in `epoch`; a conflict
    /// if its code is taken.
    fn add_peer(&self, peer: &Peer, epoch: &str, audit: AuditEvent) -> Result<()>;
    fn peers(&self) -> Result<Vec<Peer>>;
    fn peer(&self, code: &AgencyCode) -> Result<Option<Peer>>;
    /// The peers whose last batch said they answer queries: where each
    /// screening is forwarded (one read, on every screening's path).
    fn peers_answering_queries(&self) -> Result<Vec<Peer>>;

    /// See [`ReleasePosition`].
    fn release_position(&self, peer: &AgencyCode) -> Result<ReleasePosition>;
    /// What the peer holds of each of `records`, as released.
    fn released(
        &self,
        peer: &AgencyCode,
        records: &[RecordId],
    ) -> Result<HashMap<RecordId, Released>>;
    /// Appends `entries` to the peer's log, numbered on from its head, and
    /// moves its change-feed position from `from` to `to`; a conflict if
    /// the position is no longer `from` (another process released this
    /// page). Audited only when something was released.
    fn append_release(
        &self,
        peer: &AgencyCode,
        from: i64,
        to: i64,
        entries: Vec<ReleaseEntry>,
        audit: AuditEvent,
    ) -> Result<ReleasePosition>;
    /// Whether any record is released to `peer` at the query level.
    fn answers_queries(&self, peer: &AgencyCode) -> Result<bool>;
    /// Up to `limit` operations of the peer's log after `after`.
    fn release_ops(&self, peer: &AgencyCode, after: i64, limit: usize) -> Result<Vec<ReleaseOp>>;

    /// See [`ReceiverState`], with its counts of copies.
    fn receiver_state(&self, peer: &AgencyCode) -> Result<ReceiverState>;
    /// [`ReceiverState`] without the counts (left at 0): the checkpoint,
    /// read on every sync step and screening, at a cost that does not grow
    /// with the copies held.
    fn receiver_checkpoint(&self, peer: &AgencyCode) -> Result<ReceiverState>;
    /// The copies held (or once held) of these origin records.
    fn copies(
        &self,
        peer: &AgencyCode,
        origins: &[RecordId],
    ) -> Result<HashMap<RecordId, Provenance>>;
    /// Copies held but not confirmed in `epoch`: after a new epoch reaches
    /// its head, what the sender no longer releases.
    fn copies_outside_epoch(&self, peer: &AgencyCode, epoch: &str) -> Result<Vec<Provenance>>;
    /// Applies a batch (see [`ReceivedBatch`]) and its audit entry.
    fn apply_received(&self, batch: ReceivedBatch, audit: AuditEvent) -> Result<Vec<Record>>;
    /// Notes a sync attempt's outcome: `error` is the last error (`None`
    /// clears it). A refused batch passes its audit entry.
    fn note_sync(
        &self,
        peer: &AgencyCode,
        error: Option<&str>,
        head: Option<i64>,
        refused: Option<AuditEvent>,
    ) -> Result<()>;
    /// Where a received record came from; `None` for this instance's own.
    fn provenance(&self, record: RecordId) -> Result<Option<Provenance>>;
    fn quarantine(&self, peer: &AgencyCode, limit: usize) -> Result<Vec<Quarantined>>;

    /// This process's turn at pulling `peer`'s feed, or `None` while
    /// another process has it. The turn ends when the value is dropped, or
    /// when its process dies, however it dies.
    fn sync_turn(&self, peer: &AgencyCode) -> Result<Option<SyncTurn>>;
    /// Whether `record` was ever released to `peer` in its feed's epoch.
    fn ever_released(&self, peer: &AgencyCode, record: RecordId) -> Result<bool>;
    /// Hits on received copies due to go home, oldest first.
    fn due_home_deliveries(&self, now: DateTime<Utc>, limit: usize) -> Result<Vec<HomeDelivery>>;
    /// The delivery worker's bookkeeping, not any caller's act: unaudited.
    fn home_delivered(&self, ids: &[i64]) -> Result<()>;
    /// A failed delivery to `peer`: every undelivered hit to it waits
    /// until `retry_at` (back off from the peer, not only the hit).
    fn home_failed(
        &self,
        peer: &AgencyCode,
        ids: &[i64],
        error: &str,
        retry_at: DateTime<Utc>,
    ) -> Result<()>;
    /// Stores hits that came home from `peer`, each once per key (a key
    /// seen before is skipped: deliveries are at least once), with the
    /// audit entry; returns the hits stored now.
    fn insert_home_hits(
        &self,
        peer: &AgencyCode,
        hits: Vec<HomeHit>,
        audit: AuditEvent,
    ) -> Result<Vec<Hit>>;
}
