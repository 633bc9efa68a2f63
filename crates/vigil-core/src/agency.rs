//! Member agencies and the roles their people hold.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use strum::VariantNames;

use crate::error::InvalidValue;

/// The agency code under which the instance's own acts are audited: the
/// local operator's (CLI) and the system's (automatic link detection).
pub const LOCAL_OPERATOR: &str = "LOCAL";

/// An agency's code: `FRA`, `DEU` (a country's bureau, ISO alpha-3) or an
/// organisation such as `INTERPOL`, `EUROPOL`. Upper-case ASCII letters,
/// digits and `_`, 2 to 16 characters, starting with a letter.
///
/// An agency of a peer organisation is qualified by it: `FRA@INTERPOL` is
/// INTERPOL's member `FRA`, seen from another organisation's instance, so
/// that two organisations may both have a member `FRA`.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AgencyCode(String);

fn is_plain_code(t: &str) -> bool {
    (2..=16).contains(&t.len())
        && t.as_bytes()[0].is_ascii_uppercase()
        && t.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
}

impl AgencyCode {
    pub fn parse(text: &str) -> Result<Self, InvalidValue> {
        let t = text.trim();
        let valid = match t.split_once('@') {
            Some((agency, org)) => is_plain_code(agency) && is_plain_code(org),
            None => is_plain_code(t),
        };
        if valid {
            Ok(AgencyCode(t.to_string()))
        } else {
            Err(InvalidValue::new(format!(
                "'{}' is not an agency code (2-16 upper-case letters, digits or '_', starting with a letter; AGENCY@ORG for a peer organisation's agency)",
                t.chars().take(36).collect::<String>()
            )))
        }
    }

    /// An organisation's code, which is never qualified.
    pub fn parse_org(text: &str) -> Result<Self, InvalidValue> {
        let code = AgencyCode::parse(text)?;
        if code.organisation().is_some() {
            return Err(InvalidValue::new(format!(
                "'{code}' is not an organisation code (no '@')"
            )));
        }
        Ok(code)
    }

    /// `agency` of the peer organisation `org`, as this instance names it.
    /// An agency already qualified keeps its own organisation.
    pub fn qualified(agency: &AgencyCode, org: &AgencyCode) -> AgencyCode {
        if agency.organisation().is_some() {
            return agency.clone();
        }
        AgencyCode(format!("{agency}@{org}"))
    }

    /// The peer organisation of a qualified code (`INTERPOL` of
    /// `FRA@INTERPOL`); `None` for this instance's own agencies.
    pub fn organisation(&self) -> Option<&str> {
        self.0.split_once('@').map(|(_, org)| org)
    }

    /// The agency's code within its own organisation (`FRA` of `FRA@INTERPOL`).
    pub fn local_part(&self) -> &str {
        self.0.split_once('@').map_or(&self.0, |(agency, _)| agency)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for AgencyCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for AgencyCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AgencyCode({})", self.0)
    }
}

impl FromStr for AgencyCode {
    type Err = InvalidValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        AgencyCode::parse(s)
    }
}

impl Serialize for AgencyCode {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for AgencyCode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        AgencyCode::parse(&s).map_err(serde::de::Error::custom)
    }
}

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
    strum::VariantNames,
)]
#[serde(rename_all = "snake_case")]
#[strum(
    serialize_all = "snake_case",
    parse_err_ty = InvalidValue,
    parse_err_fn = not_an_agency_kind
)]
pub enum AgencyKind {
    /// A country's National Central Bureau.
    CountryBureau,
    /// An international organisation (INTERPOL, Europol, ...).
    Organisation,
    /// An agency of a peer organisation (`FRA@INTERPOL`): it owns the
    /// records received from there, holds no token and writes nothing here.
    PeerAgency,
}

impl AgencyKind {
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    pub fn parse(s: &str) -> Result<Self, InvalidValue> {
        s.parse()
    }

    /// A three-letter code that is a country is a bureau; a qualified code a
    /// peer's agency; anything else is an organisation.
    pub fn guess(code: &AgencyCode) -> Self {
        if code.organisation().is_some() {
            AgencyKind::PeerAgency
        } else if crate::CountryCode::parse(code.as_str()).is_ok() && code.as_str().len() == 3 {
            AgencyKind::CountryBureau
        } else {
            AgencyKind::Organisation
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Agency {
    pub code: AgencyCode,
    pub name: String,
    pub kind: AgencyKind,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

/// What a token's holder may do. Roles belong to one agency.
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
    strum::VariantNames,
    strum::Display,
)]
#[serde(rename_all = "snake_case")]
#[strum(
    serialize_all = "snake_case",
    parse_err_ty = InvalidValue,
    parse_err_fn = not_a_role
)]
pub enum Role {
    /// Manages its own agency's tokens (but auditors') and webhooks.
    Admin,
    /// Writes its agency's records.
    Contributor,
    /// Frontline: screens travellers.
    Screener,
    /// Reviews hits and records.
    Analyst,
    /// Oversight: reads the whole audit log and record histories.
    Auditor,
    /// Runs the instance: creates agencies and any agency's tokens (its
    /// first admin, its auditors). Reads and writes no record, screens no
    /// one, sees no hit.
    Operator,
    /// A peer organisation's instance, authenticated by its key (never a
    /// token): pulls its own release feed. Reads no record otherwise.
    Peer,
}

impl Role {
    /// The roles a token can hold ([`Role::Peer`] is a key's, never a token's).
    pub const ALL: [Role; 6] = [
        Role::Admin,
        Role::Contributor,
        Role::Screener,
        Role::Analyst,
        Role::Auditor,
        Role::Operator,
    ];

    pub fn as_str(self) -> &'static str {
        self.into()
    }

    pub fn parse(s: &str) -> Result<Self, InvalidValue> {
        s.parse()
    }
}

/// The error for a name that is none of an enum's: says which names are.
fn unknown_name(given: &str, what: &str, names: &[&str]) -> InvalidValue {
    InvalidValue::new(format!("'{given}' is not {what} ({})", names.join(", ")))
}

fn not_a_role(given: &str) -> InvalidValue {
    unknown_name(given, "a role", Role::VARIANTS)
}

fn not_an_agency_kind(given: &str) -> InvalidValue {
    unknown_name(given, "an agency kind", AgencyKind::VARIANTS)
}

/// Who is calling: the agency and role behind a verified token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub agency: AgencyCode,
    pub role: Role,
    /// The token's id, for the audit log (never the secret).
    pub token_id: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_names_say_which_are_known() {
        let e = "king".parse::<Role>().unwrap_err();
        assert!(
            e.message
                .contains("'king' is not a role (admin, contributor"),
            "{e}"
        );
        assert_eq!("auditor".parse::<Role>().unwrap(), Role::Auditor);
        assert_eq!(Role::Analyst.to_string(), "analyst");
        let e = AgencyKind::parse("club").unwrap_err();
        assert!(
            e.message
                .contains("country_bureau, organisation, peer_agency"),
            "{e}"
        );
    }

    #[test]
    fn agency_codes() {
        for ok in ["FRA", "INTERPOL", "EUROPOL", "UN_SC", "X1"] {
            assert!(AgencyCode::parse(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "f",
            "fra",
            "1AB",
            "A-B",
            "ABCDEFGHIJKLMNOPQ",
            "FRA@",
            "@INTERPOL",
            "FRA@EU@X",
            "FRA@interpol",
        ] {
            assert!(AgencyCode::parse(bad).is_err(), "{bad}");
        }
        let fra = AgencyCode::parse("FRA").unwrap();
        let interpol = AgencyCode::parse_org("INTERPOL").unwrap();
        let peer = AgencyCode::qualified(&fra, &interpol);
        assert_eq!(peer.as_str(), "FRA@INTERPOL");
        assert_eq!(peer.organisation(), Some("INTERPOL"));
        assert_eq!(peer.local_part(), "FRA");
        assert_eq!(AgencyCode::parse("FRA@INTERPOL").unwrap(), peer);
        assert_eq!(AgencyCode::qualified(&peer, &fra), peer);
        assert!(AgencyCode::parse_org("FRA@INTERPOL").is_err());
        assert_eq!(AgencyKind::guess(&peer), AgencyKind::PeerAgency);
        assert_eq!(
            AgencyKind::guess(&AgencyCode::parse("FRA").unwrap()),
            AgencyKind::CountryBureau
        );
        assert_eq!(
            AgencyKind::guess(&AgencyCode::parse("INTERPOL").unwrap()),
            AgencyKind::Organisation
        );
    }
}
