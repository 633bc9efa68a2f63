//! Hits: a screening result at or above the alert threshold, stored so that
//! the record's owner is told and decides what it was. What the screening
//! agency may see of a hit is decided in [`crate::access`].

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::agency::AgencyCode;
use crate::explanation::Explanation;
use crate::policy::Access;
use crate::record::RecordId;
use crate::traveller::Traveller;

/// Where the owner's decision stands.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    strum::IntoStaticStr,
    strum::EnumString,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum HitStatus {
    New,
    Confirmed,
    FalsePositive,
    ActionTaken,
}

/// One flight leg, as a passenger list gives it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Flight {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub carrier: Option<String>,
    /// Flight identification, e.g. `XY123`.
    pub flight: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub departure_airport: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub departure_time: Option<NaiveDateTime>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arrival_airport: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arrival_time: Option<NaiveDateTime>,
}

/// Where and how a traveller was screened.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct HitContext {
    /// The manifest (flight) the traveller came in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manifest: Option<String>,
    /// The traveller's position in that manifest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub traveller: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flight: Option<Flight>,
    /// Found by re-screening a recent flight against a new or changed record.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub rescreen: bool,
    /// The interface used, when not Vigil's own (`match`: the yente API).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dataset: Option<String>,
    /// What the screener said about the check (border post, officer, ...),
    /// kept as given.
    #[serde(flatten)]
    pub labels: BTreeMap<String, serde_json::Value>,
}

/// A hit before it is stored.
#[derive(Debug, Clone, PartialEq)]
pub struct NewHit {
    pub record: RecordId,
    pub owner: AgencyCode,
    pub reference: String,
    pub screening_agency: AgencyCode,
    pub token_id: String,
    pub purpose: String,
    /// What the screener was shown of the record.
    pub disclosed: Access,
    pub traveller: Traveller,
    pub context: HitContext,
    pub score: f64,
    pub explanation: Explanation,
    /// Keys identifying the traveller (document, name + birth date), for
    /// false-positive suppression.
    pub traveller_keys: Vec<String>,
}

/// A stored hit: what the owner sees.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
    pub traveller: Traveller,
    pub context: HitContext,
    pub score: f64,
    pub explanation: Explanation,
    pub created_at: DateTime<Utc>,
    pub status: HitStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision_note: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decided_by: Option<AgencyCode>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decided_at: Option<DateTime<Utc>>,
}

/// The body of a webhook delivery: a new hit, for the record's owner.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HitNotification {
    /// Always `hit`.
    pub event: String,
    pub hit: Hit,
}

impl HitNotification {
    pub fn of(hit: &Hit) -> Self {
        HitNotification {
            event: "hit".into(),
            hit: hit.clone(),
        }
    }
}
