//! Storage-side values for screening: hits and their workflow, false-positive
//! suppressions, webhooks and the delivery outbox, and stored manifests.

use chrono::{DateTime, Utc};
use serde::Serialize;
use vigil_core::{Access, AgencyCode, RecordId};

/// A screening result at or above the alert threshold, before it is stored.
#[derive(Debug, Clone)]
pub struct NewHit {
    pub record: RecordId,
    pub owner: AgencyCode,
    pub reference: String,
    pub screening_agency: AgencyCode,
    pub token_id: String,
    pub purpose: String,
    /// What the screener was shown of the record.
    pub disclosed: Access,
    pub traveller: serde_json::Value,
    pub context: serde_json::Value,
    pub score: f64,
    pub explanation: serde_json::Value,
    /// Keys identifying the traveller (document, name + birth date), for
    /// false-positive suppression.
    pub traveller_keys: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HitStatus {
    New,
    Confirmed,
    FalsePositive,
    ActionTaken,
}

impl HitStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            HitStatus::New => "new",
            HitStatus::Confirmed => "confirmed",
            HitStatus::FalsePositive => "false_positive",
            HitStatus::ActionTaken => "action_taken",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            HitStatus::New,
            HitStatus::Confirmed,
            HitStatus::FalsePositive,
            HitStatus::ActionTaken,
        ]
        .into_iter()
        .find(|h| h.as_str() == s)
    }
}

/// A stored hit.
#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    /// Position in the hit stream (SSE event id).
    pub seq: i64,
    pub id: String,
    pub record: RecordId,
    pub owner: AgencyCode,
    pub reference: String,
    pub screening_agency: AgencyCode,
    pub token_id: String,
    pub purpose: String,
    pub disclosed: Access,
    pub traveller: serde_json::Value,
    pub context: serde_json::Value,
    pub score: f64,
    pub explanation: serde_json::Value,
    pub created_at: DateTime<Utc>,
    pub status: HitStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decision_note: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decided_by: Option<AgencyCode>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decided_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Default)]
pub struct HitFilter {
    pub owner: Option<AgencyCode>,
    pub screening_agency: Option<AgencyCode>,
    pub status: Option<HitStatus>,
    pub record: Option<RecordId>,
    pub after_seq: Option<i64>,
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
    pub payload: String,
    pub attempts: u32,
}

/// A stored passenger manifest and its screening summary.
#[derive(Debug, Clone, Serialize)]
pub struct StoredManifest {
    pub id: String,
    pub agency: AgencyCode,
    pub received_at: DateTime<Utc>,
    pub summary: serde_json::Value,
    /// The travellers as screened (JSON list), kept for re-screening.
    pub travellers: serde_json::Value,
    pub purpose: String,
}
