//! Access policies: what an owner decides about each of its records (who
//! may see it, how much they learn, what a hit tells them to do), and the
//! [`Access`] levels a caller can end up with. The rules that apply a
//! policy to a caller are in [`crate::access`].

use serde::{Deserialize, Serialize};

use crate::agency::AgencyCode;

/// Who may see a record at all.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Visibility {
    /// Every member agency.
    #[default]
    All,
    /// Only the listed agencies (and the owner).
    Only(Vec<AgencyCode>),
    /// Every member agency except the listed ones.
    Except(Vec<AgencyCode>),
}

/// How much those who may see a record learn of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Disclosure {
    #[default]
    Full,
    /// Hit/no-hit: only that it exists, its owner and a reference.
    HitOnly,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccessPolicy {
    #[serde(default)]
    pub visibility: Visibility,
    #[serde(default)]
    pub disclosure: Disclosure,
    /// Agencies that get hit-only disclosure even when `disclosure` is full
    /// (an owner may trust some partners with the details and not others).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hit_only_for: Vec<AgencyCode>,
    /// The owner's instruction to whoever gets a hit (e.g. "discreet check:
    /// do not alert the subject; report route and companions").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instruction: Option<String>,
    /// What leaves this instance for each peer organisation; an
    /// organisation not listed gets nothing ([`ReleaseLevel::None`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub release: Vec<ReleaseRule>,
}

/// How much of a record a peer organisation gets: the owner's decision,
/// per organisation, applied by [`crate::access::release_to`].
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Default,
    Serialize,
    Deserialize,
    strum::IntoStaticStr,
    strum::EnumString,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum ReleaseLevel {
    /// Nothing leaves.
    #[default]
    None,
    /// The record stays home; the peer's screenings are asked here and
    /// answered hit/no-hit with the owner's contact and instruction.
    Query,
    /// A copy travels for matching only: the peer's agencies learn
    /// hit/no-hit, the owner's reference, contact and instruction.
    HitOnly,
    /// A copy travels and the peer's agencies (or the listed ones) read it.
    Full,
}

/// One peer organisation's release level for a record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReleaseRule {
    /// The peer organisation's code (`INTERPOL`, `EUROPOL`).
    pub org: AgencyCode,
    pub level: ReleaseLevel,
    /// Only these agencies of the organisation (their own codes there, e.g.
    /// `FRA`); empty: every agency of it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub agencies: Vec<AgencyCode>,
}

impl AccessPolicy {
    /// Problems as (field, message), for [`crate::RecordDraft::validate`].
    pub(crate) fn problems(&self) -> Vec<(&'static str, &'static str)> {
        let mut out = Vec::new();
        if let Visibility::Only(list) = &self.visibility {
            if list.is_empty() {
                out.push((
                    "visibility.only",
                    "must list at least one agency (the owner always sees its records)",
                ));
            }
        }
        if let Some(text) = &self.instruction {
            if text.trim().is_empty() || text.len() > 2000 {
                out.push(("instruction", "must be 1-2000 bytes"));
            } else if text.chars().any(|c| c.is_control() && c != '\n') {
                // It is shown to officers as it is: no escape sequences.
                out.push(("instruction", "must not contain control characters"));
            }
        }
        let mut orgs = Vec::new();
        for rule in &self.release {
            if rule.org.organisation().is_some() {
                out.push(("release.org", "must be an organisation's code, without '@'"));
            } else if orgs.contains(&&rule.org) {
                out.push(("release.org", "names an organisation twice"));
            }
            orgs.push(&rule.org);
            if rule.agencies.iter().any(|a| a.organisation().is_some()) {
                out.push((
                    "release.agencies",
                    "must be the agencies' own codes in that organisation, without '@'",
                ));
            }
            if !rule.agencies.is_empty()
                && !matches!(rule.level, ReleaseLevel::HitOnly | ReleaseLevel::Full)
            {
                out.push((
                    "release.agencies",
                    "only a copy (hit_only or full) goes to listed agencies",
                ));
            }
        }
        out
    }

    /// The release level for peer organisation `org` (none if unlisted).
    pub fn release_for(&self, org: &AgencyCode) -> Option<&ReleaseRule> {
        self.release.iter().find(|rule| &rule.org == org)
    }

    /// Every agency the policy names, with its JSON path under `policy`.
    pub fn named_agencies(&self) -> Vec<(String, &AgencyCode)> {
        let listed = match &self.visibility {
            Visibility::All => &[][..],
            Visibility::Only(list) => list.as_slice(),
            Visibility::Except(list) => list.as_slice(),
        };
        let key = match &self.visibility {
            Visibility::Only(_) => "visibility.only",
            _ => "visibility.except",
        };
        listed
            .iter()
            .enumerate()
            .map(|(i, a)| (format!("{key}[{i}]"), a))
            .chain(
                self.hit_only_for
                    .iter()
                    .enumerate()
                    .map(|(i, a)| (format!("hit_only_for[{i}]"), a)),
            )
            .collect()
    }
}

/// What a caller gets of a record.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    strum::IntoStaticStr,
    strum::EnumString,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Access {
    Hidden,
    HitOnly,
    Full,
}
