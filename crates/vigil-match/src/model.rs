//! The engine's public input and output types: what a watchlist person and a traveller query
//! look like, and what a search returns.
//!
//! Plain data without behaviour beyond small constructors: validation of country codes and
//! dates belongs to the boundary that builds these (vigil-formats, vigil-server).

use serde::Serialize;

use crate::names::NameComparison;

/// Score at and above which a comparison is reported as a match, for names alone
/// ([`compare_names`](crate::compare_names)) and for persons alike.
pub const DEFAULT_THRESHOLD: f64 = 0.8;

/// What the index stores per watchlist person.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PersonEntry {
    pub names: Vec<NameEntry>,
    pub birth_dates: Vec<DateSpec>,
    /// ISO 3166 alpha-3, upper case ("IRQ").
    pub nationalities: Vec<String>,
    pub gender: Option<Gender>,
    pub documents: Vec<DocumentEntry>,
}

/// A traveller or subject to screen: the same facts as a [`PersonEntry`], any of them may be
/// missing.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Query {
    pub names: Vec<NameEntry>,
    pub birth_dates: Vec<DateSpec>,
    pub nationalities: Vec<String>,
    pub gender: Option<Gender>,
    pub documents: Vec<DocumentEntry>,
}

/// One name form: either `full`, or `given` + `family` (used when `full` is empty).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct NameEntry {
    pub full: String,
    pub given: Option<String>,
    pub family: Option<String>,
    pub kind: NameKind,
}

impl NameEntry {
    /// A primary name given as one string.
    pub fn full(full: impl Into<String>) -> NameEntry {
        NameEntry {
            full: full.into(),
            ..NameEntry::default()
        }
    }

    /// The name as one string: `full`, or given and family names joined.
    pub fn text(&self) -> String {
        if !self.full.trim().is_empty() {
            return self.full.clone();
        }
        let parts = [self.given.as_deref(), self.family.as_deref()];
        parts
            .iter()
            .flatten()
            .copied()
            .collect::<Vec<_>>()
            .join(" ")
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NameKind {
    #[default]
    Primary,
    Alias,
    /// A low-quality alias (nickname, nom de guerre): a match on it alone counts a little less.
    WeakAlias,
    OriginalScript,
}

/// A possibly partial birth date: a year range, optionally with month and day. An exact date
/// has `year_from == year_to` and both month and day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct DateSpec {
    pub year_from: i32,
    pub year_to: i32,
    pub month: Option<u8>,
    pub day: Option<u8>,
}

impl DateSpec {
    pub fn exact(year: i32, month: u8, day: u8) -> DateSpec {
        DateSpec {
            year_from: year,
            year_to: year,
            month: Some(month),
            day: Some(day),
        }
    }

    pub fn year(year: i32) -> DateSpec {
        DateSpec {
            year_from: year,
            year_to: year,
            month: None,
            day: None,
        }
    }

    pub fn years(from: i32, to: i32) -> DateSpec {
        DateSpec {
            year_from: from.min(to),
            year_to: from.max(to),
            month: None,
            day: None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Gender {
    Male,
    Female,
    Other,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    Passport,
    NationalId,
    Other,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DocumentEntry {
    pub kind: DocumentKind,
    pub number: String,
    /// ISO 3166 alpha-3 of the issuer, upper case.
    pub country: Option<String>,
    /// The record says this is the person's only document of its kind from its issuer (an
    /// identity number kept for life, a verified single passport): a different number is then
    /// strong evidence of a different person. Otherwise it is weak evidence, since people
    /// renew, replace and hold second passports.
    pub only_one: bool,
}

/// Search parameters.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SearchOptions {
    /// Most matches returned.
    pub limit: usize,
    /// Least score returned.
    pub threshold: f64,
}

impl Default for SearchOptions {
    fn default() -> Self {
        SearchOptions {
            limit: 10,
            threshold: DEFAULT_THRESHOLD,
        }
    }
}

/// One search result.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Match {
    pub key: u64,
    pub score: f64,
    /// `score >= DEFAULT_THRESHOLD`: an alert.
    pub is_match: bool,
    pub explanation: Explanation,
}

/// How the birth dates compare (best over all pairs of known dates).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DateVerdict {
    /// Different by more than a year, or same year with a different month or day.
    Mismatch,
    /// One year apart: a typo or an estimated year.
    Close,
    /// One side unknown.
    Unknown,
    /// Overlapping ranges or partial dates that agree as far as they go.
    Compatible,
    /// The same full date.
    Exact,
}

/// Agreement on a fact both sides may lack.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Unknown,
    Agree,
    Disagree,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentVerdict {
    Unknown,
    /// The same number on a compatible document: decisive.
    SameNumber,
    /// Same document kind and issuer, another number: weak evidence against (renewed, replaced
    /// or second passport), strong only where a side says the document is the person's only one.
    DifferentNumber,
    /// Documents of other kinds or issuers: no evidence either way.
    Unrelated,
}

/// A score adjustment and why it was made.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Adjustment {
    pub reason: &'static str,
    pub delta: f64,
}

/// Why a person scored as they did.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Explanation {
    pub name_score: f64,
    /// The best pair of name forms: the query's and the listed person's.
    pub query_name: String,
    pub matched_name: String,
    pub matched_kind: NameKind,
    /// Aligned parts with their similarity, basis and rarity weight; unmatched parts.
    pub name: NameComparison,
    pub birth_date: DateVerdict,
    pub nationality: Verdict,
    pub gender: Verdict,
    pub document: DocumentVerdict,
    pub adjustments: Vec<Adjustment>,
}
