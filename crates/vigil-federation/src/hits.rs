//! Hits that travel home: a hit at a receiver on a copy of another
//! organisation's record goes to the record's own instance as a
//! [`HitNotice`], so that the owner hears of it there as of a local hit.
//! Delivery is at least once; the notice's key (the hit's id where it
//! happened) makes it count once.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use vigil_core::{Access, AgencyCode, Explanation, HitContext, RecordId, Traveller};

/// Notices from one organisation to another, sent as one signed request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HitNotices {
    pub from: AgencyCode,
    pub to: AgencyCode,
    pub hits: Vec<HitNotice>,
}

/// One hit on a copy, as the record's owner learns of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HitNotice {
    /// The idempotency key: the hit's id at the screening instance.
    pub key: String,
    /// The record at its owner's instance.
    pub origin_id: RecordId,
    /// The screening agency's code in its own organisation (`NLD`).
    pub agency: AgencyCode,
    /// What the screener was shown of the record.
    pub disclosed: Access,
    /// The purpose the screener stated.
    pub purpose: String,
    pub score: f64,
    pub traveller: Traveller,
    pub context: HitContext,
    pub explanation: Explanation,
    pub screened_at: DateTime<Utc>,
}
