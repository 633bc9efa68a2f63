//! Federation: this instance's organisation identity, its peers, and both
//! sides of the release feed.
//!
//! - **Sender.** A peer pulls its feed ([`Vigil::serve_feed`]). The feed is
//!   written lazily from the change feed, a page at a time: for each
//!   changed record, `vigil_core::access::release_to` decides what the peer
//!   may have, and the difference with what it holds becomes an operation
//!   (upsert, retract, retire) numbered on from the peer's head. A peer
//!   that stands where this log has no such operation (this instance was
//!   restored from a backup) gets a new epoch from 0.
//! - **Receiver.** [`Vigil::receive_batch`] opens a sealed batch with the
//!   peer's registered key, admits it only where the checkpoint stands,
//!   quarantines the operations it cannot read, and applies the rest with
//!   the new checkpoint and its audit entry in one transaction. Received
//!   copies are records owned by the peer's agency (`FRA@PEER`), under the
//!   policy `received_policy` gives the released level, and never released
//!   again.
//!
//! Every release, service of a batch, receipt and refusal is audited with
//! the peer as the acting agency (role `peer`).

use std::collections::{BTreeSet, HashMap};

use chrono::Utc;
use serde::Serialize;
use vigil_core::access::{self, Release};
use vigil_core::audit::{AuditEvent, Disclosed};
use vigil_core::policy::ReleaseLevel;
use vigil_core::{
    Access, Action, AgencyCode, Caller, Outcome, Record, RecordId, RecordStatus, Role,
};
use vigil_federation::feed::Admission;
use vigil_federation::request::{self, SignedRequest};
use vigil_federation::{
    Checkpoint, FederationError, FeedBatch, FeedChange, FeedOp, OrgKeys, PeerKey, ReleasedRecord,
    SealedBatch,
};
use vigil_store::{
    CopyState, OrgIdentity, Peer, Provenance, Quarantined, ReceivedBatch, ReceivedChange,
    RecordChange, ReleaseEntry, ReleasePosition, Released, StoreError,
};

use crate::context::Ctx;
use crate::error::{Result, ServiceError};
use crate::vigil::Vigil;

/// The most operations one batch carries.
pub const MAX_BATCH: usize = 1000;
/// Change events read per page when the release log is written.
const RELEASE_PAGE: usize = 1000;

/// This instance's organisation, as shown to anyone.
#[derive(Debug, Clone, Serialize)]
pub struct OrgInfo {
    pub code: AgencyCode,
    pub name: String,
    /// What peers register to trust this instance.
    pub public_key: String,
    pub created_at: chrono::DateTime<Utc>,
}

impl From<&OrgIdentity> for OrgInfo {
    fn from(o: &OrgIdentity) -> Self {
        OrgInfo {
            code: o.code.clone(),
            name: o.name.clone(),
            public_key: o.public_key.clone(),
            created_at: o.created_at,
        }
    }
}

/// One peer's sync status, both ways.
#[derive(Debug, Clone, Serialize)]
pub struct PeerStatus {
    pub peer: AgencyCode,
    pub url: String,
    pub public_key: String,
    /// Receiving: the peer's feed epoch and the last operation applied.
    pub epoch: Option<String>,
    pub applied_seq: i64,
    /// The peer's head when last heard from, and how far behind it this
    /// instance is.
    pub head: i64,
    pub lag: i64,
    pub last_attempt: Option<chrono::DateTime<Utc>>,
    pub last_success: Option<chrono::DateTime<Utc>>,
    pub last_error: Option<String>,
    /// Copies held now; copies withdrawn (retracted, retired); operations
    /// quarantined, unchanged; batches refused.
    pub received: u64,
    pub retracted: u64,
    pub retired: u64,
    pub quarantined: u64,
    pub unchanged: u64,
    pub refused: u64,
    /// Sending: operations written to the peer's feed so far.
    pub released_seq: i64,
    /// The peer keeps records home that this organisation may query:
    /// screenings here are forwarded to it.
    pub answers_queries: bool,
}

/// What one received batch did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ReceiveReport {
    pub applied_seq: i64,
    pub head: i64,
    pub upserted: usize,
    pub retracted: usize,
    pub retired: usize,
    pub quarantined: usize,
    pub unchanged: u64,
    /// The batch brought this instance level with the sender's whole feed.
    pub caught_up: bool,
}

/// A batch whose signature verified, not yet admitted or applied.
#[derive(Debug, Clone)]
pub struct OpenedBatch {
    peer: AgencyCode,
    batch: FeedBatch,
}

impl OpenedBatch {
    /// The batch brings its receiver level with the sender's whole feed.
    pub fn caught_up(&self) -> bool {
        self.batch.caught_up
    }
}

/// A peer's request to this instance, as received: who it says it is and
/// the signature headers.
#[derive(Debug, Clone)]
pub struct PeerRequest<'a> {
    pub signed: SignedRequest,
    pub method: &'a str,
    pub path: &'a str,
    pub body: &'a [u8],
}

fn peer_caller(peer: &AgencyCode) -> Caller {
    Caller {
        agency: peer.clone(),
        role: Role::Peer,
        token_id: format!("peer:{peer}"),
    }
}

/// The audit event for what `peer` did here (or what was done for it).
fn peer_event(
    peer: &AgencyCode,
    action: Action,
    request: serde_json::Value,
    disclosed: Vec<Disclosed>,
    outcome: Outcome,
) -> AuditEvent {
    Ctx::new(peer_caller(peer), "federation").event(action, request, disclosed, outcome)
}

fn refused(e: FederationError) -> ServiceError {
    ServiceError::Forbidden(e.to_string())
}

fn new_epoch() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 8];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// What a peer holds as a release level.
fn held_level(level: Access) -> ReleaseLevel {
    if level == Access::Full {
        ReleaseLevel::Full
    } else {
        ReleaseLevel::HitOnly
    }
}

/// The entry that brings a peer from what it holds (`held`) to what
/// `release_to` allows of `record` now, if anything changes: an operation
/// that travels when a copy is made, changed or withdrawn, and a change of
/// state only when the record becomes, or stops being, queryable.
fn release_entry(
    record: &Record,
    peer: &AgencyCode,
    held: Option<&Released>,
) -> Option<ReleaseEntry> {
    let held_copy = held.is_some_and(|h| h.level != ReleaseLevel::Query);
    let op = |change: FeedChange| {
        Some(serde_json::to_string(&change).expect("a feed change serialises"))
    };
    let withdraw = || {
        if record.status != RecordStatus::Active {
            op(FeedChange::Retire {
                origin_id: record.id,
            })
        } else {
            op(FeedChange::Retract {
                origin_id: record.id,
            })
        }
    };
    let (released, body) = match access::release_to(record, peer) {
        Release::Copy { level, agencies } => {
            let now = Released {
                version: record.version,
                level: held_level(level),
                agencies: agencies.clone(),
            };
            if held == Some(&now) {
                return None;
            }
            let copy = ReleasedRecord {
                id: record.id,
                owner: record.owner.clone(),
                version: record.version,
                level,
                agencies,
                review_due: record.review_due,
                draft: access::released_draft(record, level),
            };
            (
                Some(now),
                op(FeedChange::Upsert {
                    record: Box::new(copy),
                }),
            )
        }
        Release::Query => {
            if held.is_some_and(|h| h.level == ReleaseLevel::Query) {
                return None;
            }
            let queryable = Released {
                version: record.version,
                level: ReleaseLevel::Query,
                agencies: Vec::new(),
            };
            (Some(queryable), if held_copy { withdraw() } else { None })
        }
        Release::Withheld => match held {
            None => return None,
            Some(_) if held_copy => (None, withdraw()),
            Some(_) => (None, None),
        },
    };
    Some(ReleaseEntry {
        record: record.id,
        released,
        body,
    })
}

impl Vigil {
    fn require_federation_manager(&self, ctx: &Ctx, action: Action) -> Result<()> {
        self.require(
            ctx,
            action,
            access::may_manage_federation(&ctx.caller),
            "federation is managed by the instance's operator",
        )
    }

    /// This instance's identity and keys; an error until `vigil org init`.
    pub(crate) fn identity(&self) -> Result<(OrgIdentity, OrgKeys)> {
        let org = self.store.org()?.ok_or_else(|| {
            ServiceError::Conflict(
                "this instance has no organisation identity yet: run `vigil org init CODE --name NAME`".into(),
            )
        })?;
        let keys = OrgKeys::from_secret_hex(&org.secret_key)
            .map_err(|e| ServiceError::Internal(format!("stored signing key: {e}")))?;
        Ok((org, keys))
    }

    /// This instance's identity, for a message `what` from `peer` that says
    /// it is from `from` to `to`: refused unless the caller is a peer (by
    /// its key) and the message is addressed from it to this instance.
    pub(crate) fn addressed_to_me(
        &self,
        peer: &Caller,
        what: &str,
        from: &AgencyCode,
        to: &AgencyCode,
    ) -> Result<OrgIdentity> {
        if peer.role != Role::Peer {
            return Err(ServiceError::Forbidden(format!(
                "{what} come from peers, signed with their key"
            )));
        }
        let (org, _) = self.identity()?;
        if from != &peer.agency || to != &org.code {
            return Err(ServiceError::Forbidden(format!(
                "{what} from {from} to {to} do not come from {} to {}",
                peer.agency, org.code
            )));
        }
        Ok(org)
    }

    /// A peer's registration, or the error naming the unknown peer.
    fn registered_peer(&self, peer: &AgencyCode) -> Result<Peer> {
        self.store
            .peer(peer)?
            .ok_or_else(|| ServiceError::field("peer", format!("{peer} is not a registered peer")))
    }

    /// Sets up this instance's organisation: its code and a new key pair.
    pub fn org_init(&self, ctx: &Ctx, code: &AgencyCode, name: &str) -> Result<OrgInfo> {
        self.require_federation_manager(ctx, Action::OrgInit)?;
        let code = AgencyCode::parse_org(code.as_str())
            .map_err(|e| ServiceError::field("code", e.message))?;
        if name.trim().is_empty() || name.len() > 200 || name.chars().any(char::is_control) {
            return Err(ServiceError::field(
                "name",
                "must be 1-200 characters, none of them control characters",
            ));
        }
        let keys = OrgKeys::generate();
        let org = OrgIdentity {
            code: code.clone(),
            name: name.trim().to_string(),
            secret_key: keys.secret_hex(),
            public_key: keys.public().to_string(),
            created_at: Utc::now(),
        };
        let event = ctx.event(
            Action::OrgInit,
            serde_json::json!({"code": code, "public_key": org.public_key}),
            vec![],
            Outcome::Done,
        );
        self.store.init_org(&org, event).map_err(|e| match e {
            StoreError::Conflict(_) => ServiceError::Conflict(
                "this instance already has an organisation identity (`vigil org show`)".into(),
            ),
            other => other.into(),
        })?;
        Ok(OrgInfo::from(&org))
    }

    /// This instance's organisation, if set up: public facts only.
    pub fn org(&self) -> Result<Option<OrgInfo>> {
        Ok(self.store.org()?.as_ref().map(OrgInfo::from))
    }

    /// Registers a peer organisation: its code, where its Vigil answers and
    /// the public key its batches and requests must verify with.
    pub fn add_peer(&self, ctx: &Ctx, code: &str, url: &str, key: &str) -> Result<Peer> {
        self.require_federation_manager(ctx, Action::PeerAdd)?;
        let (org, _) = self.identity()?;
        let code =
            AgencyCode::parse_org(code).map_err(|e| ServiceError::field("code", e.message))?;
        if code == org.code {
            return Err(ServiceError::field(
                "code",
                "is this instance's own organisation",
            ));
        }
        let parsed = url::Url::parse(url.trim())
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
            .ok_or_else(|| ServiceError::field("url", "must be an http(s) URL with a host"))?;
        let key = PeerKey::parse(key).map_err(|e| ServiceError::field("key", e.to_string()))?;
        if key.to_string() == org.public_key {
            return Err(ServiceError::field("key", "is this instance's own key"));
        }
        let peer = Peer {
            code: code.clone(),
            url: parsed.as_str().trim_end_matches('/').to_string(),
            public_key: key.to_string(),
            added_at: Utc::now(),
        };
        let event = ctx.event(
            Action::PeerAdd,
            serde_json::json!({"peer": code, "url": peer.url, "public_key": peer.public_key}),
            vec![],
            Outcome::Done,
        );
        self.store.add_peer(&peer, &new_epoch(), event)?;
        self.forget_peers_to_ask();
        Ok(peer)
    }

    /// Each peer's status (or the named one's), both ways.
    pub fn peer_status(&self, ctx: &Ctx, only: Option<&AgencyCode>) -> Result<Vec<PeerStatus>> {
        self.require_federation_manager(ctx, Action::PeerList)?;
        let mut out = Vec::new();
        for peer in self.store.peers()? {
            if only.is_some_and(|code| code != &peer.code) {
                continue;
            }
            let r = self.store.receiver_state(&peer.code)?;
            let released = self.store.release_position(&peer.code)?;
            out.push(PeerStatus {
                lag: (r.head - r.applied_seq).max(0),
                peer: peer.code,
                url: peer.url,
                public_key: peer.public_key,
                epoch: r.epoch,
                applied_seq: r.applied_seq,
                head: r.head,
                last_attempt: r.last_attempt,
                last_success: r.last_success,
                last_error: r.last_error,
                received: r.received,
                retracted: r.retracted,
                retired: r.retired,
                quarantined: r.quarantined,
                unchanged: r.unchanged,
                refused: r.refused,
                released_seq: released.head,
                answers_queries: r.answers_queries,
            });
        }
        if let Some(code) = only {
            if out.is_empty() {
                return Err(ServiceError::field(
                    "peer",
                    format!("{code} is not a registered peer"),
                ));
            }
        }
        self.audit(
            ctx,
            Action::PeerList,
            serde_json::json!({"peer": only}),
            vec![],
            Outcome::Done,
        )?;
        Ok(out)
    }

    /// The operations from `peer` held in quarantine, newest first, with
    /// why each was not applied (the operator's view: the body as sent).
    pub fn quarantine(
        &self,
        ctx: &Ctx,
        peer: &AgencyCode,
        limit: usize,
    ) -> Result<Vec<vigil_store::Quarantined>> {
        self.require_federation_manager(ctx, Action::PeerList)?;
        self.registered_peer(peer)?;
        let list = self.store.quarantine(peer, limit.clamp(1, 1000))?;
        self.audit(
            ctx,
            Action::PeerList,
            serde_json::json!({"peer": peer, "quarantine": list.len()}),
            vec![],
            Outcome::Done,
        )?;
        Ok(list)
    }

    /// The peers' registrations.
    pub fn peers(&self) -> Result<Vec<Peer>> {
        Ok(self.store.peers()?)
    }

    /// Starts the release feed to `peer` (or every peer) over in a new
    /// epoch: after restoring this instance from a backup, so that peers
    /// confirm what they hold afresh instead of trusting numbers this
    /// instance may have handed out twice.
    pub fn renew_epochs(&self, ctx: &Ctx, only: Option<&AgencyCode>) -> Result<usize> {
        self.require_federation_manager(ctx, Action::OrgInit)?;
        let mut n = 0;
        for peer in self.store.peers()? {
            if only.is_some_and(|code| code != &peer.code) {
                continue;
            }
            let epoch = new_epoch();
            let event = ctx.event(
                Action::OrgInit,
                serde_json::json!({"peer": peer.code, "new_epoch": epoch}),
                vec![],
                Outcome::Done,
            );
            self.store.reset_release(&peer.code, &epoch, event)?;
            n += 1;
        }
        Ok(n)
    }

    /// The peer behind a signed request, or `None` (refused and audited)
    /// when the peer is unknown or the signature does not verify.
    pub fn authenticate_peer(&self, req: &PeerRequest<'_>) -> Result<Option<Caller>> {
        let claimed = AgencyCode::parse_org(&req.signed.peer).ok();
        let peer = match &claimed {
            Some(code) => self.store.peer(code)?,
            None => None,
        };
        let verdict = match &peer {
            None => Err(FederationError::Request("not a registered peer".into())),
            Some(p) => PeerKey::parse(&p.public_key).and_then(|key| {
                request::verify(
                    &key,
                    &req.signed,
                    req.method,
                    req.path,
                    req.body,
                    Utc::now(),
                )
            }),
        };
        match verdict {
            Ok(()) => Ok(peer.map(|p| peer_caller(&p.code))),
            Err(e) => {
                if let Some(code) = claimed {
                    let event = peer_event(
                        &code,
                        Action::FederationRefuse,
                        serde_json::json!({"path": req.path, "reason": e.to_string()}),
                        vec![],
                        Outcome::Denied,
                    );
                    // Only a registered peer has a checkpoint to note it on.
                    if peer.is_some() {
                        self.store.note_sync(&code, None, None, Some(event))?;
                    } else {
                        self.append(event)?;
                    }
                }
                Ok(None)
            }
        }
    }

    /// Writes the peer's release log on from the change feed until it has
    /// `want` operations or the change feed is read to its end. Returns
    /// the position and whether the whole change feed was read.
    fn release_up_to(&self, peer: &AgencyCode, want: i64) -> Result<(ReleasePosition, bool)> {
        loop {
            let pos = self.store.release_position(peer)?;
            let events = self.store.changes_since(pos.change_seq, RELEASE_PAGE)?;
            let Some(last) = events.last().map(|e| e.seq) else {
                return Ok((pos, true));
            };
            if pos.head >= want {
                return Ok((pos, false));
            }
            let mut ids: Vec<RecordId> = Vec::with_capacity(events.len());
            let mut seen = BTreeSet::new();
            for e in events.iter().rev() {
                if seen.insert(e.record) {
                    ids.push(e.record);
                }
            }
            ids.reverse();
            let held = self.store.released(peer, &ids)?;
            let mut entries = Vec::new();
            let mut disclosed = Vec::new();
            for id in &ids {
                let Some(record) = self.store.record(*id)? else {
                    continue;
                };
                if let Some(entry) = release_entry(&record, peer, held.get(id)) {
                    // A copy is a disclosure to the peer; queryable is not.
                    let level = match entry.released.as_ref().map(|r| r.level) {
                        Some(ReleaseLevel::Full) => Some(Access::Full),
                        Some(ReleaseLevel::HitOnly) => Some(Access::HitOnly),
                        _ if entry.body.is_some() => Some(Access::Hidden),
                        _ => None,
                    };
                    if let Some(level) = level {
                        disclosed.push(crate::context::disclosed(&record, level));
                    }
                    entries.push(entry);
                }
            }
            let event = peer_event(
                peer,
                Action::FederationRelease,
                serde_json::json!({
                    "peer": peer,
                    "changes": [pos.change_seq + 1, last],
                    "operations": entries.iter().filter(|e| e.body.is_some()).count(),
                    "from_seq": pos.head + 1,
                }),
                disclosed,
                Outcome::Done,
            );
            match self
                .store
                .append_release(peer, pos.change_seq, last, entries, event)
            {
                // Another process wrote this page meanwhile: read on from there.
                Ok(_) | Err(StoreError::Conflict(_)) => {}
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// The next batch of `peer`'s release feed after `after`, sealed with
    /// this instance's key. `epoch` and `digest` are where the peer says
    /// it stands (its epoch, its last operation's digest): if this feed has
    /// no such operation, it starts over in a new epoch.
    pub fn serve_feed(
        &self,
        peer: &Caller,
        after: i64,
        epoch: Option<&str>,
        digest: Option<&str>,
        limit: usize,
    ) -> Result<SealedBatch> {
        if peer.role != Role::Peer {
            return Err(ServiceError::Forbidden(
                "the release feed is read by peers, with their key".into(),
            ));
        }
        let code = &peer.agency;
        let (org, keys) = self.identity()?;
        let limit = limit.clamp(1, MAX_BATCH);
        let pos = self.store.release_position(code)?;
        let mut after = after.max(0);
        if epoch != Some(pos.epoch.as_str()) {
            after = 0;
        } else if after > 0 {
            let ops = self.store.release_ops(code, after - 1, 1)?;
            let here = ops.first().filter(|op| op.seq == after);
            let same = here.is_some_and(|op| {
                digest.is_none_or(|d| {
                    stored_op(op.seq, &op.body).is_ok_and(|stored| stored.digest() == d)
                })
            });
            if !same {
                let renewed = new_epoch();
                let event = peer_event(
                    code,
                    Action::FederationRelease,
                    serde_json::json!({
                        "peer": code,
                        "new_epoch": renewed,
                        "reason": format!("the peer stands at {after}, which this feed does not have: the feed starts over"),
                    }),
                    vec![],
                    Outcome::Done,
                );
                self.store.reset_release(code, &renewed, event)?;
                after = 0;
            }
        }
        let (pos, read_all) = self.release_up_to(code, after + limit as i64)?;
        let ops = self
            .store
            .release_ops(code, after, limit)?
            .into_iter()
            .map(|op| stored_op(op.seq, &op.body))
            .collect::<Result<Vec<_>>>()?;
        let batch = FeedBatch {
            from: org.code.clone(),
            to: code.clone(),
            epoch: pos.epoch.clone(),
            after,
            head: pos.head,
            caught_up: read_all && after + ops.len() as i64 == pos.head,
            answers_queries: self.store.answers_queries(code)?,
            issued_at: Utc::now(),
            ops,
        };
        self.append(peer_event(
            code,
            Action::FederationServe,
            serde_json::json!({
                "peer": code, "epoch": batch.epoch, "after": after,
                "operations": batch.ops.len(), "head": batch.head,
            }),
            vec![],
            Outcome::Done,
        ))?;
        Ok(SealedBatch::seal(&keys, &batch))
    }

    /// The signed request for `peer`'s next batch, from where this
    /// instance's checkpoint stands: where to send it and its headers.
    pub fn feed_request(&self, peer: &AgencyCode, limit: usize) -> Result<(String, SignedRequest)> {
        let state = self.store.receiver_checkpoint(peer)?;
        let digest = state.last_digest.filter(|_| state.applied_seq > 0);
        self.feed_request_at(
            peer,
            state.applied_seq,
            state.epoch.as_deref(),
            digest.as_deref(),
            limit,
        )
    }

    /// The request for the batch that follows `batch` (before `batch` is
    /// applied: a sync fetches the next batch while it applies this one).
    pub fn next_feed_request(
        &self,
        batch: &OpenedBatch,
        limit: usize,
    ) -> Result<(String, SignedRequest)> {
        let b = &batch.batch;
        let last = b.ops.last().map(FeedOp::digest);
        self.feed_request_at(
            &batch.peer,
            b.after + b.ops.len() as i64,
            Some(&b.epoch),
            last.as_deref(),
            limit,
        )
    }

    fn feed_request_at(
        &self,
        peer: &AgencyCode,
        after: i64,
        epoch: Option<&str>,
        digest: Option<&str>,
        limit: usize,
    ) -> Result<(String, SignedRequest)> {
        let (org, keys) = self.identity()?;
        let registered = self.registered_peer(peer)?;
        let mut path = format!(
            "/v1/federation/feed?after={after}&limit={}",
            limit.clamp(1, MAX_BATCH)
        );
        if let Some(epoch) = epoch {
            path.push_str(&format!("&epoch={epoch}"));
        }
        if let Some(digest) = digest {
            path.push_str(&format!("&digest={digest}"));
        }
        let signed = request::sign(&keys, &org.code, "GET", &path, b"", Utc::now());
        Ok((format!("{}{path}", registered.url), signed))
    }

    /// This process's turn at pulling `peer`'s feed, or `None` while
    /// another process (a server, a `vigil sync`) has it: two pullers of one
    /// feed would only refuse each other's batches. Hold it for the round.
    pub fn sync_turn(&self, peer: &AgencyCode) -> Result<Option<vigil_store::SyncTurn>> {
        Ok(self.store.sync_turn(peer)?)
    }

    /// Notes that a sync round with `peer` failed before a batch arrived
    /// (unreachable, an error answer): status shows it; nothing else changes.
    pub fn note_sync_failure(&self, peer: &AgencyCode, error: &str) -> Result<()> {
        let short: String = error.chars().take(500).collect();
        Ok(self.store.note_sync(peer, Some(&short), None, None)?)
    }

    /// Verifies, admits and applies one sealed batch from `peer`.
    pub fn receive_batch(&self, peer: &AgencyCode, sealed: &SealedBatch) -> Result<ReceiveReport> {
        let opened = self.open_batch(peer, sealed)?;
        self.apply_batch(opened)
    }

    /// A refused batch: noted in the peer's status and audited.
    fn refuse_batch(&self, peer: &AgencyCode, e: FederationError) -> Result<ServiceError> {
        let message = e.to_string();
        let event = peer_event(
            peer,
            Action::FederationRefuse,
            serde_json::json!({"peer": peer, "reason": message}),
            vec![],
            Outcome::Denied,
        );
        self.store.note_sync(
            peer,
            Some(&format!("refused a batch: {message}")),
            None,
            Some(event),
        )?;
        Ok(refused(e))
    }

    /// A sealed batch from `peer`, its signature verified against the
    /// peer's registered key (a forged or altered batch is refused here).
    pub fn open_batch(&self, peer: &AgencyCode, sealed: &SealedBatch) -> Result<OpenedBatch> {
        let registered = self.registered_peer(peer)?;
        let key = PeerKey::parse(&registered.public_key)
            .map_err(|e| ServiceError::Internal(format!("stored peer key: {e}")))?;
        match sealed.open(&key) {
            Ok(batch) => Ok(OpenedBatch {
                peer: peer.clone(),
                batch,
            }),
            Err(e) => Err(self.refuse_batch(peer, e)?),
        }
    }

    /// Admits an opened batch where the checkpoint stands (a replayed,
    /// misaddressed or out-of-epoch batch is refused here) and applies it.
    pub fn apply_batch(&self, opened: OpenedBatch) -> Result<ReceiveReport> {
        let (org, _) = self.identity()?;
        let OpenedBatch { peer, batch } = opened;
        let state = self.store.receiver_checkpoint(&peer)?;
        let checkpoint = Checkpoint {
            epoch: state.epoch.clone(),
            applied: state.applied_seq,
            past_epochs: state.past_epochs.clone(),
        };
        let admission = match checkpoint.admit(&org.code, &peer, &batch) {
            Ok(a) => a,
            Err(e) => return Err(self.refuse_batch(&peer, e)?),
        };
        let mut past_epochs = state.past_epochs.clone();
        let mut reconcile = state.reconcile_pending;
        if admission == Admission::NewEpoch {
            past_epochs.extend(state.epoch.clone());
            reconcile = true;
        }
        self.apply_ops(&peer, &batch, state, past_epochs, reconcile)
    }

    fn apply_ops(
        &self,
        peer: &AgencyCode,
        batch: &FeedBatch,
        state: vigil_store::ReceiverState,
        past_epochs: Vec<String>,
        reconcile: bool,
    ) -> Result<ReceiveReport> {
        let now = Utc::now();
        let mut report = ReceiveReport {
            applied_seq: batch.after + batch.ops.len() as i64,
            head: batch.head,
            caught_up: batch.caught_up,
            ..ReceiveReport::default()
        };
        let mut parsed = Vec::with_capacity(batch.ops.len());
        let mut quarantined = Vec::new();
        let quarantine = |op: &FeedOp, diagnostic: String| Quarantined {
            peer: peer.clone(),
            seq: op.seq,
            origin: op.origin_hint(),
            diagnostic,
            body: serde_json::to_string(&op.body).unwrap_or_default(),
            at: now,
        };
        for op in &batch.ops {
            match op.change().and_then(|c| received_change(c, peer)) {
                Ok(change) => parsed.push(change),
                Err(diagnostic) => quarantined.push(quarantine(op, diagnostic)),
            }
        }
        let origins: Vec<RecordId> = parsed.iter().map(|c| c.origin_id()).collect();
        let mut copies: HashMap<RecordId, Provenance> = self.store.copies(peer, &origins)?;
        let mut changes = Vec::new();
        let mut touched: HashMap<RecordId, Provenance> = HashMap::new();
        let mut owners = BTreeSet::new();
        let mut disclosed = Vec::new();
        for change in parsed {
            match change {
                FeedChange::Upsert { record } => {
                    let owner = AgencyCode::qualified(&record.owner, peer);
                    let draft = record.draft.clone();
                    let copy = copies.get(&record.id);
                    let local = match copy {
                        Some(c) => {
                            let current = self.store.record(c.record_id)?;
                            let due = record.review_due;
                            let to_apply = copy_changes(current.as_ref(), c.record_id, draft, due);
                            if to_apply.is_empty() && c.state == CopyState::Held {
                                report.unchanged += 1;
                            } else {
                                changes.extend(to_apply);
                                report.upserted += 1;
                            }
                            c.record_id
                        }
                        None => {
                            let id = RecordId::new();
                            owners.insert(owner.clone());
                            changes.push(ReceivedChange {
                                change: RecordChange::Create {
                                    id,
                                    owner: owner.clone(),
                                    draft,
                                },
                                review_due: Some(record.review_due),
                            });
                            report.upserted += 1;
                            id
                        }
                    };
                    disclosed.push(Disclosed {
                        record: local,
                        owner: owner.clone(),
                        level: record.level,
                    });
                    let provenance = Provenance {
                        peer: peer.clone(),
                        origin_id: record.id,
                        origin_owner: record.owner.clone(),
                        origin_version: record.version,
                        record_id: local,
                        level: record.level,
                        received_at: now,
                        epoch: batch.epoch.clone(),
                        state: CopyState::Held,
                        signature_verified: true,
                    };
                    copies.insert(record.id, provenance.clone());
                    touched.insert(record.id, provenance);
                }
                FeedChange::Retract { origin_id } | FeedChange::Retire { origin_id }
                    if copies
                        .get(&origin_id)
                        .is_some_and(|c| c.state == CopyState::Held) =>
                {
                    let retire = matches!(change, FeedChange::Retire { .. });
                    let mut c = copies[&origin_id].clone();
                    changes.push(withdrawal(c.record_id));
                    c.state = if retire {
                        report.retired += 1;
                        CopyState::Retired
                    } else {
                        report.retracted += 1;
                        CopyState::Retracted
                    };
                    c.epoch = batch.epoch.clone();
                    copies.insert(origin_id, c.clone());
                    touched.insert(origin_id, c);
                }
                FeedChange::Retract { .. } | FeedChange::Retire { .. } => report.unchanged += 1,
            }
        }
        if batch.caught_up && reconcile {
            // A new epoch's whole feed has arrived: what it did not release
            // again is no longer released. (Only then: the scan is over
            // every copy held.)
            for mut c in self.store.copies_outside_epoch(peer, &batch.epoch)? {
                if touched.contains_key(&c.origin_id) {
                    continue;
                }
                changes.push(withdrawal(c.record_id));
                c.state = CopyState::Retracted;
                c.epoch = batch.epoch.clone();
                report.retracted += 1;
                touched.insert(c.origin_id, c);
            }
        }
        report.quarantined = quarantined.len();
        let event = peer_event(
            peer,
            Action::FederationReceive,
            serde_json::json!({
                "peer": peer, "epoch": batch.epoch, "after": batch.after,
                "applied": report.applied_seq, "head": batch.head,
                "upserted": report.upserted, "retracted": report.retracted,
                "retired": report.retired, "quarantined": report.quarantined,
                "unchanged": report.unchanged,
            }),
            disclosed,
            Outcome::Done,
        );
        let received = ReceivedBatch {
            peer: peer.clone(),
            expected_epoch: state.epoch,
            expected_applied: state.applied_seq,
            epoch: batch.epoch.clone(),
            applied: report.applied_seq,
            digest: batch.ops.last().map(FeedOp::digest),
            head: batch.head,
            past_epochs,
            owners: owners.into_iter().collect(),
            changes,
            copies: touched.into_values().collect(),
            quarantined,
            unchanged: report.unchanged,
            answers_queries: batch.answers_queries,
            reconcile_pending: reconcile && !batch.caught_up,
        };
        let written = self.store.apply_received(received, event)?;
        // Whether the peer answers queries may have changed.
        self.forget_peers_to_ask();
        self.after_write(&written);
        Ok(report)
    }
}

/// What brings a held copy (`current`, stored as `id`) to `draft`: an
/// update when its content differs, a reactivation when it was withdrawn;
/// nothing when it is already so.
fn copy_changes(
    current: Option<&Record>,
    id: RecordId,
    draft: vigil_core::RecordDraft,
    review_due: chrono::NaiveDate,
) -> Vec<ReceivedChange> {
    let mut out = Vec::new();
    if current.is_none_or(|r| r.draft != draft) {
        out.push(ReceivedChange {
            change: RecordChange::Update {
                id,
                draft,
                expected_version: None,
            },
            review_due: Some(review_due),
        });
    }
    if current.is_none_or(|r| r.status != RecordStatus::Active) {
        out.push(ReceivedChange {
            change: RecordChange::SetStatus {
                id,
                status: RecordStatus::Active,
                expected_version: None,
            },
            review_due: Some(review_due),
        });
    }
    out
}

/// A retired copy: the record looks absent to every local agency.
fn withdrawal(id: RecordId) -> ReceivedChange {
    ReceivedChange {
        change: RecordChange::SetStatus {
            id,
            status: RecordStatus::Retired,
            expected_version: None,
        },
        review_due: None,
    }
}

/// An operation as stored in the release log, at its place.
fn stored_op(seq: i64, body: &str) -> Result<FeedOp> {
    match serde_json::from_str(body) {
        Ok(serde_json::Value::Object(body)) => Ok(FeedOp { seq, body }),
        _ => Err(ServiceError::Internal(format!(
            "release log operation {seq} is not a JSON object"
        ))),
    }
}

/// A received operation checked and turned into what the receiver stores:
/// an upsert's draft under the policy the level gives, validated like any
/// record; anything else is quarantined with the reason.
fn received_change(change: FeedChange, peer: &AgencyCode) -> Result<FeedChange, String> {
    let FeedChange::Upsert { mut record } = change else {
        return Ok(change);
    };
    let origin = record.id;
    if !matches!(record.level, Access::HitOnly | Access::Full) {
        return Err(format!("record {origin}: level must be hit_only or full"));
    }
    if record.owner.organisation().is_some() {
        return Err(format!(
            "record {origin}: owner {} is not an agency of {peer}",
            record.owner
        ));
    }
    let instruction = record.draft.policy.instruction.take();
    record.draft.policy = access::received_policy(record.level, &record.agencies, instruction);
    record.draft = record.draft.clone().validate().map_err(|errors| {
        let list: Vec<String> = errors.iter().map(ToString::to_string).collect();
        format!("record {origin}: {}", list.join("; "))
    })?;
    Ok(FeedChange::Upsert { record })
}
