//! The release feed as it travels: a [`FeedBatch`] is a run of operations
//! for one peer, numbered by a gapless per-peer sequence within an epoch.
//! The sender seals the batch's exact bytes with its key
//! ([`SealedBatch`]); the receiver opens it with the sender's registered
//! key and admits it only if it follows on from its [`Checkpoint`].
//!
//! An operation's body is parsed on its own ([`FeedOp::change`]), so one
//! malformed record is quarantined by the receiver while the rest of the
//! batch applies.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use vigil_core::{Access, AgencyCode, RecordDraft, RecordId};

use crate::error::FederationError;
use crate::keys::{OrgKeys, PeerKey};

/// One batch of a peer's release feed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeedBatch {
    /// The sending organisation.
    pub from: AgencyCode,
    /// The organisation the feed is for.
    pub to: AgencyCode,
    /// The sender's feed epoch: it changes when the sender's feed starts
    /// over (restored from a backup), and a new epoch starts at 0.
    pub epoch: String,
    /// The operations follow this sequence number.
    pub after: i64,
    /// The peer's last sequence number at the sender when it was issued.
    pub head: i64,
    /// The sender had written the peer's feed from its whole change feed
    /// and this batch ends at the head: a receiver that applies it holds
    /// everything released to it (until the next change).
    pub caught_up: bool,
    /// The sender keeps records home that the receiver may query: the
    /// receiver forwards its screenings there.
    #[serde(default)]
    pub answers_queries: bool,
    pub issued_at: DateTime<Utc>,
    pub ops: Vec<FeedOp>,
}

impl FeedBatch {
    /// Whether the batch brings the receiver to the sender's head.
    pub fn reaches_head(&self) -> bool {
        self.after + self.ops.len() as i64 == self.head
    }
}

/// One operation at its place in the feed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeedOp {
    pub seq: i64,
    /// The operation, read by [`FeedOp::change`].
    #[serde(flatten)]
    pub body: serde_json::Map<String, serde_json::Value>,
}

/// What an operation does at the receiver.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case", deny_unknown_fields)]
pub enum FeedChange {
    /// A copy to hold (new, or a newer version of one held).
    Upsert { record: Box<ReleasedRecord> },
    /// The record is no longer released to this peer: the copy goes.
    Retract { origin_id: RecordId },
    /// The owner retired the record: the copy goes.
    Retire { origin_id: RecordId },
}

impl FeedChange {
    /// The record at the sender this operation is about.
    pub fn origin_id(&self) -> RecordId {
        match self {
            FeedChange::Upsert { record } => record.id,
            FeedChange::Retract { origin_id } | FeedChange::Retire { origin_id } => *origin_id,
        }
    }
}

impl FeedOp {
    pub fn new(seq: i64, change: &FeedChange) -> Self {
        let body = match serde_json::to_value(change) {
            Ok(serde_json::Value::Object(map)) => map,
            _ => unreachable!("a FeedChange serialises to an object"),
        };
        FeedOp { seq, body }
    }

    /// The operation, or why it cannot be read.
    pub fn change(&self) -> Result<FeedChange, String> {
        serde_json::from_value(serde_json::Value::Object(self.body.clone()))
            .map_err(|e| format!("operation {}: {e}", self.seq))
    }

    /// A digest of the operation as it travels: the receiver hands back the
    /// last one it applied, and a sender whose log no longer has that
    /// operation at that place (restored from a backup) starts a new epoch.
    pub fn digest(&self) -> String {
        let bytes = serde_json::to_vec(self).expect("an operation serialises");
        hex::encode(Sha256::digest(bytes))
    }

    /// The origin id, when the operation names one, even if the rest of it
    /// cannot be read: what a quarantine entry is filed under.
    pub fn origin_hint(&self) -> Option<String> {
        self.body
            .get("origin_id")
            .or_else(|| self.body.get("record").and_then(|r| r.get("id")))
            .and_then(|v| v.as_str())
            .map(|s| s.chars().take(64).collect())
    }
}

/// A record as released to one peer: its identity at the origin and the
/// draft [`vigil_core::access::released_draft`] made for the level.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReleasedRecord {
    /// The record's id at the origin.
    pub id: RecordId,
    /// The owner agency's code at the origin (`FRA`).
    pub owner: AgencyCode,
    pub version: u32,
    /// `hit_only` or `full`.
    pub level: Access,
    /// The receiver's agencies that may see it (their codes there); empty:
    /// all of them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub agencies: Vec<AgencyCode>,
    pub review_due: chrono::NaiveDate,
    pub draft: RecordDraft,
}

/// A batch's exact bytes and the sender's signature of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealedBatch {
    pub body: Vec<u8>,
    /// Hex Ed25519 signature of `body`.
    pub signature: String,
}

impl SealedBatch {
    pub fn seal(keys: &OrgKeys, batch: &FeedBatch) -> Self {
        let body = serde_json::to_vec(batch).expect("a feed batch serialises");
        let signature = keys.sign(&body);
        SealedBatch { body, signature }
    }

    /// The batch, if the signature verifies with the sender's key over the
    /// bytes as received.
    pub fn open(&self, sender: &PeerKey) -> Result<FeedBatch, FederationError> {
        sender.verify(&self.body, &self.signature)?;
        serde_json::from_slice(&self.body).map_err(|e| FederationError::Malformed(e.to_string()))
    }
}

/// Where a receiver stands in one peer's feed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Checkpoint {
    /// The epoch of the batches applied; `None` before the first.
    pub epoch: Option<String>,
    /// The last sequence number applied in that epoch.
    pub applied: i64,
    /// Epochs this receiver has left: a batch of one is a replay.
    pub past_epochs: Vec<String>,
}

/// How an admitted batch relates to the checkpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// It follows on in the same epoch (or is the very first batch).
    Follows,
    /// It opens a new epoch at 0: what the receiver holds is confirmed
    /// afresh, and what the new epoch does not release again goes once it
    /// reaches the head.
    NewEpoch,
}

impl Checkpoint {
    /// Whether `batch`, opened from `peer`, may be applied by `me` at this
    /// checkpoint, and how.
    pub fn admit(
        &self,
        me: &AgencyCode,
        peer: &AgencyCode,
        batch: &FeedBatch,
    ) -> Result<Admission, FederationError> {
        if &batch.from != peer || &batch.to != me {
            return Err(FederationError::Malformed(format!(
                "the batch is from {} to {}, not from {peer} to {me}",
                batch.from, batch.to
            )));
        }
        for (i, op) in batch.ops.iter().enumerate() {
            if op.seq != batch.after + 1 + i as i64 {
                return Err(FederationError::Malformed(format!(
                    "operation {} is numbered {}: a batch's operations follow on from `after` without gaps",
                    i, op.seq
                )));
            }
        }
        if batch.after < 0 || batch.after + batch.ops.len() as i64 > batch.head {
            return Err(FederationError::Malformed(format!(
                "operations after {} run past the head {}",
                batch.after, batch.head
            )));
        }
        match &self.epoch {
            Some(epoch) if epoch == &batch.epoch => {
                if batch.after != self.applied {
                    return Err(FederationError::Sequence(format!(
                        "the batch follows {}, but {} is applied here: a replay or a gap",
                        batch.after, self.applied
                    )));
                }
                Ok(Admission::Follows)
            }
            _ if self.past_epochs.contains(&batch.epoch) => Err(FederationError::Epoch(format!(
                "epoch {} was left before: a replay",
                batch.epoch
            ))),
            _ if batch.after != 0 => Err(FederationError::Epoch(format!(
                "epoch {} is not the one applied here, and a new epoch starts at 0 (this batch follows {})",
                batch.epoch, batch.after
            ))),
            None => Ok(Admission::Follows),
            Some(_) => Ok(Admission::NewEpoch),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(s: &str) -> AgencyCode {
        AgencyCode::parse(s).unwrap()
    }

    fn batch(epoch: &str, after: i64, n: i64, head: i64) -> FeedBatch {
        FeedBatch {
            from: code("INTERPOL"),
            to: code("EUROPOL"),
            epoch: epoch.into(),
            after,
            head,
            caught_up: after + n == head,
            answers_queries: false,
            issued_at: Utc::now(),
            ops: (0..n)
                .map(|i| {
                    FeedOp::new(
                        after + 1 + i,
                        &FeedChange::Retract {
                            origin_id: RecordId::new(),
                        },
                    )
                })
                .collect(),
        }
    }

    fn at(epoch: &str, applied: i64) -> Checkpoint {
        Checkpoint {
            epoch: Some(epoch.into()),
            applied,
            past_epochs: vec!["old".into()],
        }
    }

    #[test]
    fn sealed_batches_open_only_unaltered_and_with_the_senders_key() {
        let keys = OrgKeys::generate();
        let sealed = SealedBatch::seal(&keys, &batch("e1", 0, 2, 2));
        let opened = sealed.open(&keys.public()).unwrap();
        assert_eq!(opened.ops.len(), 2);
        let mut altered = sealed.clone();
        let at = altered.body.len() / 2;
        altered.body[at] ^= 1;
        assert!(matches!(
            altered.open(&keys.public()),
            Err(FederationError::Signature(_))
        ));
        let forger = OrgKeys::generate();
        let forged = SealedBatch::seal(&forger, &batch("e1", 0, 2, 2));
        assert!(forged.open(&keys.public()).is_err());
    }

    #[test]
    fn a_batch_is_admitted_only_where_the_checkpoint_stands() {
        let (me, peer) = (code("EUROPOL"), code("INTERPOL"));
        let admit = |c: &Checkpoint, b: &FeedBatch| c.admit(&me, &peer, b);
        assert_eq!(
            admit(&Checkpoint::default(), &batch("e1", 0, 3, 5)),
            Ok(Admission::Follows)
        );
        assert_eq!(
            admit(&at("e1", 3), &batch("e1", 3, 2, 5)),
            Ok(Admission::Follows)
        );
        // A replay of the first batch, and a batch that skips ahead.
        assert!(matches!(
            admit(&at("e1", 3), &batch("e1", 0, 3, 5)),
            Err(FederationError::Sequence(_))
        ));
        assert!(matches!(
            admit(&at("e1", 3), &batch("e1", 4, 1, 5)),
            Err(FederationError::Sequence(_))
        ));
        // A new epoch starts at 0; an old one, or one mid-way, is refused.
        assert_eq!(
            admit(&at("e1", 3), &batch("e2", 0, 1, 9)),
            Ok(Admission::NewEpoch)
        );
        assert!(matches!(
            admit(&at("e1", 3), &batch("e2", 3, 1, 9)),
            Err(FederationError::Epoch(_))
        ));
        assert!(matches!(
            admit(&at("e1", 3), &batch("old", 0, 1, 9)),
            Err(FederationError::Epoch(_))
        ));
        // Addressed to someone else, numbered with a gap, past its head.
        let mut elsewhere = batch("e1", 3, 1, 5);
        elsewhere.to = code("UNODC");
        assert!(admit(&at("e1", 3), &elsewhere).is_err());
        let mut gap = batch("e1", 3, 2, 5);
        gap.ops[1].seq = 6;
        assert!(admit(&at("e1", 3), &gap).is_err());
        assert!(admit(&at("e1", 3), &batch("e1", 3, 3, 5)).is_err());
    }

    #[test]
    fn an_unreadable_operation_is_told_apart_with_its_origin() {
        let mut op = FeedOp::new(
            7,
            &FeedChange::Retire {
                origin_id: RecordId::new(),
            },
        );
        assert!(op.change().is_ok());
        op.body.insert("op".into(), "explode".into());
        let err = op.change().unwrap_err();
        assert!(err.starts_with("operation 7:"), "{err}");
        assert!(op.origin_hint().is_some());
    }
}
