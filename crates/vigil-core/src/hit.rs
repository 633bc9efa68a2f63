//! Hits: a screening result at or above the alert threshold, stored so that
//! the record's owner is told and decides what it was. What the screening
//! agency may see of a hit is decided in [`crate::access`].

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::agency::AgencyCode;
use crate::error::FieldError;
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

impl HitContext {
    /// The fields Vigil itself sets; a screener's labels may not use them.
    pub const SET_BY_VIGIL: [&'static str; 6] = [
        "manifest",
        "traveller",
        "flight",
        "rescreen",
        "api",
        "dataset",
    ];

    /// The context of a screening whose caller described it with `labels`
    /// (border post, officer, …). A label named like a field Vigil sets is
    /// refused: the owner must be able to trust those.
    pub fn labelled(
        labels: BTreeMap<String, serde_json::Value>,
        path: &str,
    ) -> Result<Self, FieldError> {
        if let Some(taken) = labels
            .keys()
            .find(|k| Self::SET_BY_VIGIL.contains(&k.as_str()))
        {
            return Err(FieldError {
                path: format!("{path}.{taken}"),
                message: "is set by Vigil, not by the screener".into(),
            });
        }
        Ok(HitContext {
            labels,
            ..HitContext::default()
        })
    }
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
    /// Position in the owner's hit stream (the SSE event id): counted per
    /// owner, so that its gaps say nothing of other agencies' hits.
    pub seq: i64,
    /// Position among all hits, in the order they were stored: what wakes
    /// streams and the webhook worker. Never sent: its gaps would count
    /// hits on records the reader may not see.
    #[serde(skip)]
    pub stored: i64,
    /// Position among the hits the screening agency may know of (none for a
    /// hit on a record hidden from it when it screened): its page cursor.
    #[serde(skip)]
    pub screener_seq: Option<i64>,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fields_vigil_sets_are_all_the_known_ones() {
        let full = HitContext {
            manifest: Some("m".into()),
            traveller: Some(1),
            flight: Some(Flight::default()),
            rescreen: true,
            api: Some("match".into()),
            dataset: Some("d".into()),
            labels: BTreeMap::new(),
        };
        let json = serde_json::to_value(full).unwrap();
        let mut keys: Vec<&str> = json
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let mut known = HitContext::SET_BY_VIGIL.to_vec();
        keys.sort();
        known.sort();
        assert_eq!(keys, known);
    }

    #[test]
    fn a_screener_labels_but_cannot_claim_what_vigil_sets() {
        let labels = |k: &str| BTreeMap::from([(k.to_string(), serde_json::json!(true))]);
        let ok = HitContext::labelled(labels("border_post"), "context").unwrap();
        assert!(!ok.rescreen);
        assert_eq!(serde_json::to_value(&ok).unwrap()["border_post"], true);
        let refused = HitContext::labelled(labels("rescreen"), "context").unwrap_err();
        assert_eq!(refused.path, "context.rescreen");
    }
}
