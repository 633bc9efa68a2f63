//! The audit log's entries and the hash chain that makes it tamper-evident.
//!
//! Each entry's body is stored as the exact JSON text that was hashed; its
//! hash is `sha256(previous hash || "\n" || body)`. The body carries the
//! entry's sequence number, so altering, removing or reordering any entry
//! breaks the chain at that point, and [`verify_chain`] says where.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::access::Access;
use crate::agency::{AgencyCode, Role};
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
    /// What was done, e.g. `record.get`, `record.create`, `screen`.
    pub action: String,
    /// What was asked: the parameters that matter for oversight.
    pub request: serde_json::Value,
    /// The records this request touched or disclosed.
    #[serde(default)]
    pub disclosed: Vec<Disclosed>,
    /// How it ended: an HTTP-like status code.
    pub outcome: u16,
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

/// Checks a whole chain, in stored order. Returns the number of entries and
/// the head hash.
pub fn verify_chain<'a>(
    entries: impl IntoIterator<Item = &'a StoredAuditEntry>,
) -> Result<(u64, String), ChainBreak> {
    let mut prev = GENESIS_HASH.to_string();
    let mut count = 0u64;
    for (expected_seq, e) in (1i64..).zip(entries) {
        let brk = |problem: String| ChainBreak {
            seq: e.seq,
            problem,
        };
        if e.seq != expected_seq {
            return Err(brk(format!(
                "expected sequence number {expected_seq} (an entry is missing or out of order)"
            )));
        }
        if e.prev_hash != prev {
            return Err(brk("does not link to the entry before it".into()));
        }
        if chain_hash(&prev, &e.body) != e.hash {
            return Err(brk("its content does not match its hash (altered)".into()));
        }
        match serde_json::from_str::<AuditBody>(&e.body) {
            Ok(body) if body.seq == e.seq => {}
            Ok(_) => return Err(brk("its body carries another sequence number".into())),
            Err(_) => return Err(brk("its body is not a valid audit entry".into())),
        }
        prev = e.hash.clone();
        count += 1;
    }
    Ok((count, prev))
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
                        action: "record.get".into(),
                        request: serde_json::json!({"id": seq}),
                        disclosed: vec![],
                        outcome: 200,
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
