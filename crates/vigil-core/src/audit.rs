//! The audit log's entries and the hash chain that makes it tamper-evident.
//!
//! Each entry's body is stored as the exact JSON text that was hashed; its
//! hash is `sha256(previous hash || "\n" || body)`. The body carries the
//! entry's sequence number, so altering, removing or reordering any entry
//! breaks the chain at that point, and [`verify_chain`] says where.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::agency::{AgencyCode, Role};
use crate::policy::Access;
use crate::record::RecordId;

/// The hash that stands before the first entry.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One record disclosed to the caller, and at what level.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Disclosed {
    pub record: RecordId,
    pub owner: AgencyCode,
    pub level: Access,
}

/// What happened, before it gets its place in the chain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEvent {
    pub agency: AgencyCode,
    pub role: Role,
    pub token_id: String,
    pub purpose: String,
    /// What was done.
    pub action: Action,
    /// What was asked: the parameters that matter for oversight.
    pub request: serde_json::Value,
    /// The records this request touched or disclosed.
    #[serde(default)]
    pub disclosed: Vec<Disclosed>,
    /// How it ended.
    pub outcome: Outcome,
}

/// Every action the audit log names. The serialised names are part of the
/// stored chain: never rename one, only add.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    strum::IntoStaticStr,
    strum::EnumString,
    strum::VariantArray,
)]
#[serde(into = "&'static str", try_from = "String")]
pub enum Action {
    #[strum(serialize = "agency.create")]
    AgencyCreate,
    #[strum(serialize = "agency.list")]
    AgencyList,
    #[strum(serialize = "token.create")]
    TokenCreate,
    #[strum(serialize = "token.list")]
    TokenList,
    #[strum(serialize = "token.revoke")]
    TokenRevoke,
    #[strum(serialize = "record.create")]
    RecordCreate,
    #[strum(serialize = "record.update")]
    RecordUpdate,
    #[strum(serialize = "record.retire")]
    RecordRetire,
    #[strum(serialize = "record.get")]
    RecordGet,
    #[strum(serialize = "record.list")]
    RecordList,
    #[strum(serialize = "record.history")]
    RecordHistory,
    #[strum(serialize = "audit.read")]
    AuditRead,
    #[strum(serialize = "audit.verify")]
    AuditVerify,
    /// Travellers screened by an agency.
    #[strum(serialize = "screen")]
    Screen,
    /// The local operator's screening (CLI), over every record.
    #[strum(serialize = "screen.operator")]
    ScreenOperator,
    /// Recent travellers screened again against a new or changed record.
    #[strum(serialize = "rescreen")]
    Rescreen,
    #[strum(serialize = "manifest.store")]
    ManifestStore,
    #[strum(serialize = "manifest.get")]
    ManifestGet,
    #[strum(serialize = "hit.list")]
    HitList,
    #[strum(serialize = "hit.get")]
    HitGet,
    #[strum(serialize = "hit.decide")]
    HitDecide,
    #[strum(serialize = "hit.stream")]
    HitStream,
    #[strum(serialize = "webhook.create")]
    WebhookCreate,
    #[strum(serialize = "webhook.list")]
    WebhookList,
    #[strum(serialize = "webhook.delete")]
    WebhookDelete,
    #[strum(serialize = "import")]
    Import,
    #[strum(serialize = "export")]
    Export,
    /// This instance's organisation identity set up, or its feed's epoch renewed.
    #[strum(serialize = "org.init")]
    OrgInit,
    #[strum(serialize = "peer.add")]
    PeerAdd,
    #[strum(serialize = "peer.list")]
    PeerList,
    /// Records released to a peer: a page of its release feed written.
    #[strum(serialize = "federation.release")]
    FederationRelease,
    /// A batch of a peer's release feed served to it.
    #[strum(serialize = "federation.serve")]
    FederationServe,
    /// A batch from a peer applied here: copies received, retracted, retired.
    #[strum(serialize = "federation.receive")]
    FederationReceive,
    /// A batch, or a request, from a peer refused (bad signature, replay,
    /// wrong epoch, unknown peer).
    #[strum(serialize = "federation.refuse")]
    FederationRefuse,
    /// Hits on copies of this instance's records, come home from the peer
    /// where they happened.
    #[strum(serialize = "federation.hit")]
    FederationHit,
    /// A screening forwarded to a peer that keeps records home, or, at the
    /// owner's instance, answered for one.
    #[strum(serialize = "federation.query")]
    FederationQuery,
    /// Identity links proposed by automatic detection (a write, a received
    /// copy, a `vigil xref` pass).
    #[strum(serialize = "link.detect")]
    LinkDetect,
    #[strum(serialize = "link.list")]
    LinkList,
    #[strum(serialize = "link.get")]
    LinkGet,
    /// A judgement of a link (a colour, with who and why).
    #[strum(serialize = "link.decide")]
    LinkDecide,
    #[strum(serialize = "gaps.report")]
    GapsReport,
    #[strum(serialize = "stats.read")]
    StatsRead,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

impl TryFrom<String> for Action {
    type Error = String;
    fn try_from(name: String) -> Result<Self, String> {
        name.parse()
            .map_err(|_| format!("'{name}' is not an audit action"))
    }
}

/// How an audited request ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, strum::IntoStaticStr)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Outcome {
    /// Done as asked.
    Done,
    /// Refused: the caller may not do this.
    Denied,
    /// Nothing there, or nothing the caller may see (the same outcome).
    NotFound,
    /// Refused: the input did not validate.
    Invalid,
    /// Not done: another party (a peer organisation) did not answer.
    Failed,
}

impl Outcome {
    /// The outcome of looking something up: done if it was found (and the
    /// caller may see it), not found otherwise.
    pub fn found(found: bool) -> Self {
        if found {
            Outcome::Done
        } else {
            Outcome::NotFound
        }
    }
}

/// Entries written before outcomes were named carry the HTTP-like status
/// code they were answered with; both forms read back.
impl<'de> Deserialize<'de> for Outcome {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Stored {
            Named(NamedOutcome),
            Status(u16),
        }
        #[derive(Deserialize)]
        #[serde(rename_all = "snake_case")]
        enum NamedOutcome {
            Done,
            Denied,
            NotFound,
            Invalid,
            Failed,
        }
        Ok(match Stored::deserialize(d)? {
            Stored::Named(NamedOutcome::Done) => Outcome::Done,
            Stored::Named(NamedOutcome::Denied) => Outcome::Denied,
            Stored::Named(NamedOutcome::NotFound) => Outcome::NotFound,
            Stored::Named(NamedOutcome::Invalid) => Outcome::Invalid,
            Stored::Named(NamedOutcome::Failed) => Outcome::Failed,
            Stored::Status(200..=299) => Outcome::Done,
            Stored::Status(401 | 403) => Outcome::Denied,
            Stored::Status(404) => Outcome::NotFound,
            Stored::Status(400..=499) => Outcome::Invalid,
            Stored::Status(other) => {
                return Err(serde::de::Error::custom(format!(
                    "{other} is not an audit outcome"
                )))
            }
        })
    }
}

/// The body that is hashed and stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditBody {
    pub seq: i64,
    pub at: DateTime<Utc>,
    #[serde(flatten)]
    pub event: AuditEvent,
}

/// A stored entry: the body text exactly as hashed, and the chain links.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAuditEntry {
    pub seq: i64,
    pub body: String,
    pub prev_hash: String,
    pub hash: String,
}

pub fn chain_hash(prev_hash: &str, body: &str) -> String {
    let mut h = Sha256::new();
    h.update(prev_hash.as_bytes());
    h.update(b"\n");
    h.update(body.as_bytes());
    hex::encode(h.finalize())
}

/// Where and how a chain is broken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("audit chain broken at entry {seq}: {problem}")]
pub struct ChainBreak {
    pub seq: i64,
    pub problem: String,
}

/// Checks a chain entry by entry, in stored order, holding only the last
/// hash: a chain of any length is verified in constant memory.
#[derive(Debug, Clone)]
pub struct ChainVerifier {
    prev: String,
    count: u64,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        ChainVerifier {
            prev: GENESIS_HASH.to_string(),
            count: 0,
        }
    }
}

impl ChainVerifier {
    /// Checks the next entry.
    pub fn push(&mut self, e: &StoredAuditEntry) -> Result<(), ChainBreak> {
        let brk = |problem: String| ChainBreak {
            seq: e.seq,
            problem,
        };
        let expected_seq = self.count as i64 + 1;
        if e.seq != expected_seq {
            return Err(brk(format!(
                "expected sequence number {expected_seq} (an entry is missing or out of order)"
            )));
        }
        if e.prev_hash != self.prev {
            return Err(brk("does not link to the entry before it".into()));
        }
        if chain_hash(&self.prev, &e.body) != e.hash {
            return Err(brk("its content does not match its hash (altered)".into()));
        }
        match serde_json::from_str::<AuditBody>(&e.body) {
            Ok(body) if body.seq == e.seq => {}
            Ok(_) => return Err(brk("its body carries another sequence number".into())),
            Err(_) => return Err(brk("its body is not a valid audit entry".into())),
        }
        self.prev.clone_from(&e.hash);
        self.count += 1;
        Ok(())
    }

    /// The number of entries checked and the head hash.
    pub fn finish(self) -> (u64, String) {
        (self.count, self.prev)
    }
}

/// Checks a whole chain, in stored order. Returns the number of entries and
/// the head hash.
pub fn verify_chain<'a>(
    entries: impl IntoIterator<Item = &'a StoredAuditEntry>,
) -> Result<(u64, String), ChainBreak> {
    let mut verifier = ChainVerifier::default();
    for e in entries {
        verifier.push(e)?;
    }
    Ok(verifier.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: i64) -> Vec<StoredAuditEntry> {
        let mut prev = GENESIS_HASH.to_string();
        (1..=n)
            .map(|seq| {
                let body = serde_json::to_string(&AuditBody {
                    seq,
                    at: Utc::now(),
                    event: AuditEvent {
                        agency: AgencyCode::parse("FRA").unwrap(),
                        role: Role::Screener,
                        token_id: "t1".into(),
                        purpose: "border check".into(),
                        action: Action::RecordGet,
                        request: serde_json::json!({"id": seq}),
                        disclosed: vec![],
                        outcome: Outcome::Done,
                    },
                })
                .unwrap();
                let hash = chain_hash(&prev, &body);
                let e = StoredAuditEntry {
                    seq,
                    body,
                    prev_hash: prev.clone(),
                    hash: hash.clone(),
                };
                prev = hash;
                e
            })
            .collect()
    }

    #[test]
    fn entries_written_with_status_codes_still_read() {
        let old = r#"{"seq":1,"at":"2026-11-01T10:00:00Z","agency":"FRA","role":"screener","token_id":"t","purpose":"p","action":"record.get","request":null,"disclosed":[],"outcome":404}"#;
        let body: AuditBody = serde_json::from_str(old).unwrap();
        assert_eq!(body.event.outcome, Outcome::NotFound);
        assert_eq!(body.event.action, Action::RecordGet);
        for (code, outcome) in [
            (200, Outcome::Done),
            (201, Outcome::Done),
            (204, Outcome::Done),
            (403, Outcome::Denied),
            (422, Outcome::Invalid),
        ] {
            assert_eq!(
                serde_json::from_str::<Outcome>(&code.to_string()).unwrap(),
                outcome
            );
        }
        assert!(serde_json::from_str::<Outcome>("500").is_err());
    }

    #[test]
    fn action_names_are_the_same_in_serde_and_text() {
        use strum::VariantArray;
        for action in Action::VARIANTS {
            let json = serde_json::to_value(action).unwrap();
            assert_eq!(json.as_str(), Some(action.as_str()));
            assert_eq!(action.as_str().parse::<Action>().unwrap(), *action);
        }
    }

    #[test]
    fn intact_chain_verifies() {
        let c = chain(5);
        assert_eq!(verify_chain(&c).unwrap().0, 5);
    }

    #[test]
    fn altered_removed_and_reordered_entries_are_detected() {
        let mut altered = chain(5);
        altered[2].body = altered[2].body.replace("border check", "investigation");
        assert_eq!(verify_chain(&altered).unwrap_err().seq, 3);

        let mut removed = chain(5);
        removed.remove(1);
        assert_eq!(verify_chain(&removed).unwrap_err().seq, 3);

        let mut reordered = chain(5);
        reordered.swap(1, 3);
        assert_eq!(verify_chain(&reordered).unwrap_err().seq, 4);
    }
}
