//! Person records: what a contributing agency writes ([`RecordDraft`]) and
//! what the store keeps ([`Record`]: the draft plus owner, version, status and
//! timestamps). Drafts are checked once, at the boundary, by
//! [`RecordDraft::validate`]; past that point the types hold their own rules.

use std::collections::BTreeMap;

use chrono::{DateTime, Months, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use unicode_script::{Script as Unicode, UnicodeScript};
use uuid::Uuid;

use crate::agency::AgencyCode;
use crate::country::CountryCode;
use crate::date::PartialDate;
use crate::error::FieldError;
use crate::policy::AccessPolicy;

/// How long after its last confirmation a record must be reviewed.
pub const REVIEW_PERIOD_MONTHS: u32 = 60;

const MAX_TEXT: usize = 500;
const MAX_NOTE: usize = 20_000;
/// Most entries any list of a record may hold (names, notes, topics, …):
/// far beyond any real record, and a bound on what one draft may cost.
const MAX_ENTRIES: usize = 1000;
/// Longest extra property name and topic, in bytes.
const MAX_KEY: usize = 100;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RecordId(pub Uuid);

impl RecordId {
    /// Time-ordered ids, so that listing by id is listing by creation.
    pub fn new() -> Self {
        RecordId(Uuid::now_v7())
    }

    pub fn parse(s: &str) -> Option<Self> {
        Uuid::parse_str(s).ok().map(RecordId)
    }
}

impl Default for RecordId {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Display for RecordId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, strum::IntoStaticStr,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Category {
    ForeignTerroristFighter,
    #[default]
    Suspect,
    Associate,
    Missing,
    Sanctioned,
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NameKind {
    #[default]
    Primary,
    Alias,
    /// A low-quality alias: a nickname or a generic name. Screened with care.
    WeakAlias,
    /// The name as written in its original (non-Latin) script.
    OriginalScript,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Script {
    Latin,
    Arabic,
    Cyrillic,
    Greek,
    Hebrew,
    Han,
    Hangul,
    Kana,
    Other,
}

impl Script {
    /// The dominant script of a text (by count of letters), from Unicode's Script property.
    /// Letters Unicode shares between scripts (vowel marks, tatweel, the kana length mark)
    /// count for the letter before them.
    ///
    /// ```
    /// use vigil_core::Script;
    /// assert_eq!(Script::detect("گچپژ ٹڈڑ"), Some(Script::Arabic)); // Persian, Urdu
    /// assert_eq!(Script::detect("مُحَمَّد"), Some(Script::Arabic)); // as many marks as letters
    /// assert_eq!(Script::detect("ルーシー さくら"), Some(Script::Kana));
    /// assert_eq!(Script::detect("ㅎ한"), Some(Script::Hangul)); // jamo and syllable
    /// assert_eq!(Script::detect("佐々木"), Some(Script::Han));
    /// assert_eq!(Script::detect("Łukasz Ꞗ"), Some(Script::Latin)); // Latin Extended-D
    /// assert_eq!(Script::detect("1984 -"), None);
    /// ```
    pub fn detect(text: &str) -> Option<Script> {
        let mut counts: BTreeMap<u8, usize> = BTreeMap::new();
        let mut previous = Script::Other;
        for c in text.chars().filter(|c| c.is_alphabetic()) {
            let s = match c.script() {
                Unicode::Latin => Script::Latin,
                Unicode::Greek => Script::Greek,
                Unicode::Cyrillic => Script::Cyrillic,
                Unicode::Hebrew => Script::Hebrew,
                Unicode::Arabic => Script::Arabic,
                Unicode::Hiragana | Unicode::Katakana => Script::Kana,
                Unicode::Han => Script::Han,
                Unicode::Hangul => Script::Hangul,
                Unicode::Common | Unicode::Inherited => previous,
                _ => Script::Other,
            };
            previous = s;
            *counts.entry(s as u8).or_default() += 1;
        }
        let best = counts.into_iter().max_by_key(|(_, n)| *n)?.0;
        [
            Script::Latin,
            Script::Arabic,
            Script::Cyrillic,
            Script::Greek,
            Script::Hebrew,
            Script::Han,
            Script::Hangul,
            Script::Kana,
            Script::Other,
        ]
        .into_iter()
        .find(|s| *s as u8 == best)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Name {
    /// The whole name as written.
    pub full: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub given: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family: Option<String>,
    /// Detected from `full` when not given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub script: Option<Script>,
    #[serde(default)]
    pub kind: NameKind,
    /// BCP 47 / ISO 639 language tag, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lang: Option<String>,
}

impl Name {
    pub fn new(full: impl Into<String>, kind: NameKind) -> Self {
        Name {
            full: full.into(),
            given: None,
            family: None,
            script: None,
            kind,
            lang: None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Gender {
    Male,
    Female,
    Other,
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, strum::IntoStaticStr,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum DocumentKind {
    #[default]
    Passport,
    NationalId,
    Visa,
    ResidencePermit,
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Document {
    #[serde(default)]
    pub kind: DocumentKind,
    pub number: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<CountryCode>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiry: Option<NaiveDate>,
    /// The owner states this is the person's only document of its kind from its issuer (an
    /// identity number kept for life). Screening then treats another number on such a
    /// document as strong evidence of another person; otherwise as weak evidence, since
    /// passports are renewed, replaced and held twice.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub only_one: bool,
}

/// A link to a notice or another reference (an INTERPOL notice, a list entry).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Link {
    /// What the reference is, e.g. `un_sc`, `interpol_notice`, `url`.
    pub kind: String,
    pub reference: String,
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, strum::IntoStaticStr,
)]
pub enum HandlingCode {
    /// Use only to prevent and combat crime.
    #[default]
    H0,
    /// Not to be used in judicial proceedings without the owner's permission.
    H1,
    /// Not to be passed on without the owner's permission.
    H2,
    /// Other restrictions, in free text.
    H3,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Handling {
    #[serde(default)]
    pub code: HandlingCode,
    /// Required for H3: the restriction itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SourceReliability {
    A,
    B,
    C,
    X,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Evaluation {
    pub source: SourceReliability,
    /// Information accuracy, 1 (known to be true) to 4 (not known).
    pub information: u8,
}

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
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum RecordStatus {
    Active,
    Retired,
}

impl RecordStatus {
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    pub fn parse(s: &str) -> Option<Self> {
        s.parse().ok()
    }
}

/// What a contributor writes: everything about a person except the
/// bookkeeping that the system owns (id, owner, version, timestamps).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordDraft {
    /// The owner's own reference for the record (case number, list reference).
    pub reference: String,
    #[serde(default)]
    pub category: Category,
    pub names: Vec<Name>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gender: Option<Gender>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub birth_dates: Vec<PartialDate>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub birth_places: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub nationalities: Vec<CountryCode>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub documents: Vec<Document>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<Link>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub topics: Vec<String>,
    #[serde(default)]
    pub handling: Handling,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evaluation: Option<Evaluation>,
    #[serde(default)]
    pub policy: AccessPolicy,
    /// When the owner listed the person (e.g. a sanctions listing date).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub listed_on: Option<NaiveDate>,
    /// When the owner last confirmed the record; the review date follows it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confirmed_on: Option<NaiveDate>,
    /// Properties from other systems that have no place in this model,
    /// kept so that nothing is lost on import (FtM property name → values).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub extra: BTreeMap<String, Vec<String>>,
}

impl RecordDraft {
    /// A draft with just a reference and one primary name.
    pub fn new(reference: impl Into<String>, name: impl Into<String>) -> Self {
        RecordDraft {
            reference: reference.into(),
            category: Category::default(),
            names: vec![Name::new(name, NameKind::Primary)],
            gender: None,
            birth_dates: Vec::new(),
            birth_places: Vec::new(),
            nationalities: Vec::new(),
            documents: Vec::new(),
            notes: Vec::new(),
            links: Vec::new(),
            topics: Vec::new(),
            handling: Handling::default(),
            evaluation: None,
            policy: AccessPolicy::default(),
            listed_on: None,
            confirmed_on: None,
            extra: BTreeMap::new(),
        }
    }

    /// Checks the rules that types alone cannot express, and fills in what
    /// can be derived (trimmed text, detected scripts). Reports every problem
    /// with its JSON path, not just the first.
    pub fn validate(mut self) -> Result<RecordDraft, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut err = |path: String, message: &str| {
            errors.push(FieldError {
                path,
                message: message.to_string(),
            })
        };
        self.reference = self.reference.trim().to_string();
        check_text(&self.reference, "reference", MAX_TEXT, &mut err);
        if self.names.is_empty() {
            err("names".into(), "at least one name is required");
        }
        for (i, name) in self.names.iter_mut().enumerate() {
            name.full = name.full.trim().to_string();
            check_text(&name.full, &format!("names[{i}].full"), MAX_TEXT, &mut err);
            if !name.full.chars().any(char::is_alphanumeric) && !name.full.is_empty() {
                err(
                    format!("names[{i}].full"),
                    "must contain at least one letter",
                );
            }
            for (part, value) in [("given", &mut name.given), ("family", &mut name.family)] {
                if let Some(v) = value {
                    *v = v.trim().to_string();
                    if v.is_empty() {
                        *value = None;
                    } else {
                        check_text(v, &format!("names[{i}].{part}"), MAX_TEXT, &mut err);
                    }
                }
            }
            if name.script.is_none() {
                name.script = Script::detect(&name.full);
            }
        }
        for (i, place) in self.birth_places.iter().enumerate() {
            check_text(place, &format!("birth_places[{i}]"), MAX_TEXT, &mut err);
        }
        for (i, doc) in self.documents.iter_mut().enumerate() {
            doc.number = doc.number.trim().to_string();
            check_text(&doc.number, &format!("documents[{i}].number"), 64, &mut err);
        }
        for (i, note) in self.notes.iter().enumerate() {
            if note.trim().is_empty() {
                err(format!("notes[{i}]"), "must not be empty");
            } else if note.len() > MAX_NOTE {
                err(format!("notes[{i}]"), "is longer than 20000 bytes");
            } else if note
                .chars()
                .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
            {
                err(
                    format!("notes[{i}]"),
                    "must not contain control characters (other than line breaks and tabs)",
                );
            }
        }
        for (i, topic) in self.topics.iter().enumerate() {
            check_text(topic, &format!("topics[{i}]"), MAX_KEY, &mut err);
        }
        for (key, values) in &self.extra {
            let path = format!("extra.{}", key.chars().take(MAX_KEY).collect::<String>());
            check_text(key, &path, MAX_KEY, &mut err);
            if values.len() > MAX_ENTRIES {
                err(
                    path.clone(),
                    &format!("holds more than {MAX_ENTRIES} values"),
                );
            }
            for (i, value) in values.iter().enumerate() {
                if value.len() > MAX_NOTE {
                    err(format!("{path}[{i}]"), "is longer than 20000 bytes");
                }
            }
        }
        let lists = [
            ("names", self.names.len()),
            ("birth_dates", self.birth_dates.len()),
            ("birth_places", self.birth_places.len()),
            ("nationalities", self.nationalities.len()),
            ("documents", self.documents.len()),
            ("notes", self.notes.len()),
            ("links", self.links.len()),
            ("topics", self.topics.len()),
            ("extra", self.extra.len()),
        ];
        for (path, len) in lists {
            if len > MAX_ENTRIES {
                err(
                    path.into(),
                    &format!("holds more than {MAX_ENTRIES} entries"),
                );
            }
        }
        for (i, link) in self.links.iter().enumerate() {
            check_text(&link.kind, &format!("links[{i}].kind"), 64, &mut err);
            check_text(
                &link.reference,
                &format!("links[{i}].reference"),
                MAX_TEXT,
                &mut err,
            );
        }
        match (&self.handling.code, &self.handling.text) {
            (HandlingCode::H3, None) => err(
                "handling.text".into(),
                "is required when the handling code is H3",
            ),
            (_, Some(t)) if t.trim().is_empty() || t.len() > MAX_TEXT => {
                err("handling.text".into(), "must be 1-500 bytes")
            }
            _ => {}
        }
        if let Some(ev) = &self.evaluation {
            if !(1..=4).contains(&ev.information) {
                err("evaluation.information".into(), "must be 1, 2, 3 or 4");
            }
        }
        for problem in self.policy.problems() {
            err(format!("policy.{}", problem.0), problem.1);
        }
        self.nationalities.sort();
        self.nationalities.dedup();
        if errors.is_empty() {
            Ok(self)
        } else {
            Err(errors)
        }
    }

    /// The primary name, or the first one.
    pub fn display_name(&self) -> &str {
        self.names
            .iter()
            .find(|n| n.kind == NameKind::Primary)
            .or(self.names.first())
            .map(|n| n.full.as_str())
            .unwrap_or("")
    }

    /// When the record is due for review: five years after the last
    /// confirmation, or after `fallback` (the record's creation) without one.
    pub fn review_due(&self, fallback: NaiveDate) -> NaiveDate {
        let base = self.confirmed_on.unwrap_or(fallback);
        base.checked_add_months(Months::new(REVIEW_PERIOD_MONTHS))
            .unwrap_or(base)
    }
}

fn check_text(value: &str, path: &str, max: usize, err: &mut impl FnMut(String, &str)) {
    if value.trim().is_empty() {
        err(path.to_string(), "must not be empty");
    } else if value.len() > max {
        err(path.to_string(), &format!("is longer than {max} bytes"));
    } else if value.chars().any(char::is_control) {
        err(path.to_string(), "must not contain control characters");
    }
}

/// A stored record: the owner's draft plus the system's bookkeeping.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Record {
    pub id: RecordId,
    pub owner: AgencyCode,
    pub version: u32,
    pub status: RecordStatus,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub review_due: NaiveDate,
    #[serde(flatten)]
    pub draft: RecordDraft,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unbounded_lists_and_control_characters_are_refused() {
        let mut d = RecordDraft::new("R-1", "Abu Example");
        d.topics = (0..1001).map(|i| format!("t{i}")).collect();
        d.notes = vec!["line one\nline two".into(), "\u{1b}[31mred".into()];
        d.extra.insert("k".repeat(101), vec!["v".into()]);
        d.policy.instruction = Some("Call\u{0}".into());
        let paths: Vec<String> = d
            .validate()
            .unwrap_err()
            .into_iter()
            .map(|e| e.path)
            .collect();
        for want in ["topics", "notes[1]", "policy.instruction"] {
            assert!(paths.iter().any(|p| p == want), "{want} in {paths:?}");
        }
        assert!(
            paths.iter().any(|p| p.starts_with("extra.kkk")),
            "{paths:?}"
        );
        assert!(
            !paths.iter().any(|p| p == "notes[0]"),
            "line breaks are fine"
        );
    }

    #[test]
    fn validation_reports_every_problem_with_its_path() {
        let mut d = RecordDraft::new(" ", "  ");
        d.names.push(Name::new("!!!", NameKind::Alias));
        d.handling.code = HandlingCode::H3;
        d.documents.push(Document {
            kind: DocumentKind::Passport,
            number: "".into(),
            country: None,
            expiry: None,
            only_one: false,
        });
        let errors = d.validate().unwrap_err();
        let paths: Vec<&str> = errors.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "reference",
                "names[0].full",
                "names[1].full",
                "documents[0].number",
                "handling.text"
            ]
        );
    }

    #[test]
    fn validation_detects_scripts_and_trims() {
        let mut d = RecordDraft::new("R1", " Jürgen Müller ");
        d.names.push(Name::new("محمد", NameKind::OriginalScript));
        d.names.push(Name::new("Иван", NameKind::Alias));
        let d = d.validate().unwrap();
        assert_eq!(d.names[0].full, "Jürgen Müller");
        let scripts: Vec<_> = d.names.iter().map(|n| n.script).collect();
        assert_eq!(
            scripts,
            [
                Some(Script::Latin),
                Some(Script::Arabic),
                Some(Script::Cyrillic)
            ]
        );
    }

    #[test]
    fn unknown_fields_are_rejected() {
        let r: Result<RecordDraft, _> =
            serde_json::from_str(r#"{"reference":"x","names":[{"full":"A"}],"colour":"red"}"#);
        assert!(r.unwrap_err().to_string().contains("colour"));
    }

    #[test]
    fn review_is_due_five_years_after_confirmation() {
        let mut d = RecordDraft::new("R", "A B");
        let created = NaiveDate::from_ymd_opt(2020, 2, 29).unwrap();
        assert_eq!(
            d.review_due(created),
            NaiveDate::from_ymd_opt(2025, 2, 28).unwrap()
        );
        d.confirmed_on = NaiveDate::from_ymd_opt(2024, 1, 1);
        assert_eq!(
            d.review_due(created),
            NaiveDate::from_ymd_opt(2029, 1, 1).unwrap()
        );
    }
}
