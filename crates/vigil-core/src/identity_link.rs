//! Identity links between records of different owners, in the colours of
//! the EU multiple-identity detector, and their append-only judgements.
//!
//! A link joins two records. Its state is its latest judgement: automatic
//! detection proposes yellow and white links; people decide. Records joined
//! by white links form a *cluster* (one person), whose id is stable: a
//! merge keeps the older id, a split keeps it on the larger part and gives
//! the other part back the id it had before it was merged, when it had one.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::agency::AgencyCode;
use crate::record::RecordId;

#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    strum::IntoStaticStr,
    strum::EnumString,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum LinkState {
    /// A candidate, to be verified by the responsible agency.
    Yellow,
    /// The same person, legitimately in several records.
    White,
    /// Different persons: a false candidate, never proposed again.
    Green,
    /// The same person using several identities unjustifiably, or one
    /// identity used by another person.
    Red,
}

impl LinkState {
    pub const ALL: [LinkState; 4] = [
        LinkState::Yellow,
        LinkState::White,
        LinkState::Green,
        LinkState::Red,
    ];

    pub fn as_str(self) -> &'static str {
        self.into()
    }

    pub fn parse(s: &str) -> Option<Self> {
        s.parse().ok()
    }
}

/// A link as stored: two records (the smaller id first), their owners, the
/// current state and the detection's evidence.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IdentityLink {
    pub id: i64,
    pub records: [RecordId; 2],
    pub owners: [AgencyCode; 2],
    pub state: LinkState,
    /// The detection's score when it was proposed (0 for a link made by hand).
    pub score: f64,
    /// The cluster of a white link's records; `None` for other states.
    pub cluster: Option<i64>,
    /// The agency that reviews it: the owner of the newer record, by default.
    pub responsible: AgencyCode,
    /// What detection found: the rule's findings and the engine's explanation.
    pub evidence: serde_json::Value,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Whether a person has judged it: detection never changes it then.
    pub decided: bool,
}

/// One judgement of a link: who said what, when and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Judgement {
    pub state: LinkState,
    /// The agency that judged (the local operator's code for detection).
    pub agency: AgencyCode,
    pub token_id: String,
    /// Whether automatic detection made it.
    pub automatic: bool,
    pub note: String,
    pub at: DateTime<Utc>,
}

/// The pair of a link in its stored order: the smaller record id first.
pub fn ordered_pair(a: RecordId, b: RecordId) -> (RecordId, RecordId) {
    if a <= b {
        (a, b)
    } else {
        (b, a)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_read_back() {
        for s in LinkState::ALL {
            assert_eq!(LinkState::parse(s.as_str()), Some(s));
        }
        assert_eq!(LinkState::parse("blue"), None);
    }

    #[test]
    fn pairs_are_ordered() {
        let (a, b) = (RecordId::new(), RecordId::new());
        assert_eq!(ordered_pair(a, b), ordered_pair(b, a));
    }
}
