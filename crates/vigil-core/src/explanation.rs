//! Why a traveller matched a record, as Vigil stores it, sends it and
//! documents it (the `Explanation` schema of the OpenAPI document). The
//! matching engine has its own internal explanation; the service translates
//! it into this, so that an engine change never silently changes a stored
//! or published format.

use serde::{Deserialize, Serialize};

use crate::record::NameKind;

/// Why a person scored as they did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Explanation {
    /// The score of the best pair of names, before the other facts moved it.
    pub name_score: f64,
    /// The best pair of name forms: the traveller's and the record's.
    pub query_name: String,
    pub matched_name: String,
    pub matched_kind: NameKind,
    pub name: NameEvidence,
    pub birth_date: DateVerdict,
    pub nationality: Verdict,
    pub gender: Verdict,
    pub document: DocumentVerdict,
    /// What moved the score away from the name score, and by how much.
    pub adjustments: Vec<Adjustment>,
}

/// How the two names compare, part by part.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NameEvidence {
    pub score: f64,
    /// How rare the agreeing parts are together, in powers of ten: about one
    /// person in 10^rarity bears them.
    pub rarity: f64,
    pub parts: Vec<PartEvidence>,
    /// Parts of the traveller's name with no counterpart.
    pub unmatched_query: Vec<String>,
    /// Parts of the record's name with no counterpart.
    pub unmatched_matched: Vec<String>,
}

/// One aligned pair of name parts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PartEvidence {
    pub query: String,
    pub matched: String,
    /// Similarity of the two forms, in [0, 1].
    pub similarity: f64,
    pub basis: Basis,
    /// Rarity weight of the pair, in [0.25, 1].
    pub weight: f64,
}

/// Why two name parts were considered alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    Exact,
    /// Known variants of one name (Mohammed, Muhammad, محمد).
    Variant,
    Nickname,
    Spelling,
    Phonetic,
    /// The same consonant skeleton across scripts.
    Skeleton,
    /// An Arabic-script part aligned letter by letter with a Latin spelling.
    Transcription,
    SameScript,
    Initial,
    None,
}

/// How the birth dates compare (best over all pairs of known dates).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DateVerdict {
    /// More than a year apart, or the same year with another month or day.
    Mismatch,
    /// One year apart: a typo or an estimated year.
    Close,
    /// One side unknown.
    Unknown,
    /// Overlapping ranges, or partial dates that agree as far as they go.
    Compatible,
    /// The same full date.
    Exact,
}

/// Agreement on a fact either side may lack.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Unknown,
    Agree,
    Disagree,
}

/// How the travel documents compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentVerdict {
    Unknown,
    /// The same number on a compatible document: decisive.
    SameNumber,
    /// Same document kind and issuer, another number: strong evidence against.
    DifferentNumber,
    /// Documents of other kinds or issuers: no evidence either way.
    Unrelated,
}

/// A score adjustment and why it was made.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Adjustment {
    pub reason: String,
    pub delta: f64,
}
