//! Forwarded queries: a peer's screening asked of the instance that keeps
//! the records home (release level `query`), answered hit/no-hit with the
//! owner's contact, reference and instruction — the European Search Portal
//! and INTERPOL FIND pattern. The hit itself is stored where the record
//! is, in its owner's inbox.

use serde::{Deserialize, Serialize};
use vigil_core::{AgencyCode, HitContext, RecordId, Traveller};

/// Travellers screened at `from`, asked of `to`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ForwardedQuery {
    pub from: AgencyCode,
    pub to: AgencyCode,
    /// The screening agency's code in its own organisation.
    pub agency: AgencyCode,
    pub purpose: String,
    #[serde(default)]
    pub context: HitContext,
    pub travellers: Vec<Traveller>,
}

/// The answer: only the hits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QueryAnswer {
    pub from: AgencyCode,
    pub to: AgencyCode,
    pub hits: Vec<QueryHit>,
}

/// One hit: which traveller (its position in the query), whose record and
/// whom to contact. Nothing else of the record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QueryHit {
    pub traveller: usize,
    pub record: RecordId,
    /// The owner, as the asking organisation names it (`FRA@INTERPOL`).
    pub owner: AgencyCode,
    pub reference: String,
    pub instruction: String,
    /// The hit's id at the owner's instance, to quote.
    pub hit_id: String,
}
