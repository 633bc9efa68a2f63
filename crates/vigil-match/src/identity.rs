//! The deterministic rule behind automatic "same person" (white) links
//! between two records: the same identity document plus the same or
//! similar identity data. A score never decides it: scores saturate for
//! common names, and a wrong automatic white link merges two people.
//!
//! The identity data is judged per *component*: each part of the name the
//! best name alignment pairs up, and the birth date. A component is
//! - **similar** when the two sides are equal after normalisation (case,
//!   diacritics, script), a known variant of each other, or within a small
//!   spelling difference: at most one edit (a letter inserted, removed,
//!   changed, or two neighbours swapped; spaces ignored) for parts under 8
//!   letters, two for longer ones; a birth date when the two full dates are
//!   equal or differ in exactly one of year, month and day (partial dates:
//!   equal as far as both go);
//! - **different** when both sides know it and it is not similar;
//! - **unknown** when only one side knows it (a part one name lacks, a birth
//!   date one record lacks).
//!
//! Two records hold *similar identity data* when at least two components
//! are similar, one of them a name part, and at most one is different. See
//! docs/links.md for why this and not stricter or looser.

use serde::Serialize;

use crate::model::{DateSpec, DocumentEntry, DocumentKind, Explanation};
use crate::names::Basis;
use crate::person::normalise_number;
use crate::similarity::damerau_levenshtein;

/// The shortest document number taken as identifying: shorter ones (a
/// placeholder "0", a two-letter code) collide between people.
const MIN_DOCUMENT_LEN: usize = 5;
/// Parts at least this long may differ by two edits rather than one.
const LONG_PART: usize = 8;

/// How a component of the identity data compares.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Component {
    Similar,
    Different,
    Unknown,
}

/// How the two records' identity documents compare.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentAgreement {
    /// The same number on documents that can be the same one.
    Same,
    /// Numbers one edit apart (a digit mistyped, two swapped), of at least
    /// `MIN_DOCUMENT_LEN` characters: likely a clerical error.
    Near,
    /// Both sides hold documents, and none is the same or near.
    Different,
    /// One side holds none.
    Unknown,
}

/// The rule's findings for one pair of records, kept with the link.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct IdentityEvidence {
    /// The normalised number of the identity document both records hold.
    pub same_document: Option<String>,
    pub document: DocumentAgreement,
    pub similar_name_parts: usize,
    pub different_name_parts: usize,
    pub birth_date: Component,
    /// How rare the agreeing name parts are together, in powers of ten
    /// (the engine's `NameComparison::rarity`).
    pub name_rarity: f64,
    /// Whether the rule makes the pair the same person.
    pub same_person: bool,
}

/// Applies the rule to two records' documents and birth dates and the
/// engine's explanation of their names (its best pair of name forms).
pub fn identity_evidence(
    documents_a: &[DocumentEntry],
    documents_b: &[DocumentEntry],
    birth_dates_a: &[DateSpec],
    birth_dates_b: &[DateSpec],
    explanation: &Explanation,
) -> IdentityEvidence {
    let same_document = shared_document(documents_a, documents_b);
    let document = if same_document.is_some() {
        DocumentAgreement::Same
    } else if documents_a.is_empty() || documents_b.is_empty() {
        DocumentAgreement::Unknown
    } else if near_document(documents_a, documents_b) {
        DocumentAgreement::Near
    } else {
        DocumentAgreement::Different
    };
    let (mut similar, mut different) = (0, 0);
    for part in &explanation.name.parts {
        if similar_part(&part.query, &part.matched, part.basis) {
            similar += 1;
        } else {
            different += 1;
        }
    }
    let birth_date = compare_birth_dates(birth_dates_a, birth_dates_b);
    let date_similar = usize::from(birth_date == Component::Similar);
    let date_different = usize::from(birth_date == Component::Different);
    let same_person = same_document.is_some()
        && similar >= 1
        && similar + date_similar >= 2
        && different + date_different <= 1;
    IdentityEvidence {
        same_document,
        document,
        similar_name_parts: similar,
        different_name_parts: different,
        birth_date,
        name_rarity: explanation.name.rarity,
        same_person,
    }
}

/// A document number both sides hold on documents that can be the same
/// one: kinds equal (or one unknown), issuing countries equal where both
/// know them.
fn shared_document(a: &[DocumentEntry], b: &[DocumentEntry]) -> Option<String> {
    for x in a {
        let number = normalise_number(&x.number);
        if number.len() < MIN_DOCUMENT_LEN {
            continue;
        }
        for y in b {
            let kinds_fit =
                x.kind == y.kind || x.kind == DocumentKind::Other || y.kind == DocumentKind::Other;
            let countries_fit = match (&x.country, &y.country) {
                (Some(p), Some(q)) => p.eq_ignore_ascii_case(q),
                _ => true,
            };
            if kinds_fit && countries_fit && normalise_number(&y.number) == number {
                return Some(number);
            }
        }
    }
    None
}

/// Whether some pair of numbers is one edit apart.
fn near_document(a: &[DocumentEntry], b: &[DocumentEntry]) -> bool {
    let chars = |d: &DocumentEntry| normalise_number(&d.number).chars().collect::<Vec<_>>();
    a.iter().map(chars).any(|x| {
        x.len() >= MIN_DOCUMENT_LEN
            && b.iter()
                .map(chars)
                .any(|y| damerau_levenshtein(&x, &y) <= 1)
    })
}

/// Score moves of [`linkage_score`] (see there).
const NEAR_DOCUMENT: f64 = 0.2;
const DIFFERENT_DOCUMENT: f64 = -0.1;
/// The least score of a candidate whose document (same or near), birth
/// date and a name part corroborate each other.
const CORROBORATED: f64 = 0.9;
const NAMES_AND_DATE: f64 = 0.2;
/// Both records know the birth date and it differs in two components or
/// more, with no document to say otherwise.
const DIFFERENT_DATE: f64 = -0.2;
const UNCORROBORATED: f64 = -0.1;
/// Further, unless the name is rare (about one person in 10^`RARE_NAME`
/// bears it).
const COMMON_NAME_ALONE: f64 = -0.25;
const RARE_NAME: f64 = 6.0;

/// The score of a candidate link between two records: the engine's
/// screening score, moved by what comparing two whole records adds to
/// comparing a traveller with a record. Screening sees one traveller's
/// documents; two records that both hold documents and share none are
/// likelier two people, and numbers one edit apart likelier one mistyped.
/// A near or same document with a similar birth date and a similar name
/// part corroborate each other whatever one other part says (a replaced
/// given name, a surname changed by marriage): such a candidate scores at
/// least `CORROBORATED`. Two similar name parts with a similar birth date
/// add `NAMES_AND_DATE`. Two birth dates that differ in more than one
/// component, with no document in common, are likelier two people of one
/// name: screening lowers such a match but may still alert on it, a link
/// between two records should not be proposed on the name. A name alone,
/// with no birth date on one side and no document in common, is many
/// people unless the name is rare.
pub fn linkage_score(engine_score: f64, evidence: &IdentityEvidence) -> f64 {
    let document_near = matches!(
        evidence.document,
        DocumentAgreement::Same | DocumentAgreement::Near
    );
    let mut score = engine_score;
    score += match evidence.document {
        DocumentAgreement::Near => NEAR_DOCUMENT,
        DocumentAgreement::Different => DIFFERENT_DOCUMENT,
        DocumentAgreement::Same | DocumentAgreement::Unknown => 0.0,
    };
    let date_similar = evidence.birth_date == Component::Similar;
    if date_similar && evidence.similar_name_parts >= 2 && evidence.different_name_parts == 0 {
        score += NAMES_AND_DATE;
    }
    if evidence.birth_date == Component::Different && !document_near {
        score += DIFFERENT_DATE;
    }
    if evidence.birth_date == Component::Unknown && !document_near {
        score += UNCORROBORATED;
        if evidence.name_rarity < RARE_NAME {
            score += COMMON_NAME_ALONE;
        }
    }
    if document_near && date_similar && evidence.similar_name_parts >= 1 {
        score = score.max(CORROBORATED);
    }
    score.clamp(0.0, 1.0)
}

/// Whether two aligned name parts are similar: equal, a known variant or
/// the same name across scripts, or a small spelling difference.
fn similar_part(a: &str, b: &str, basis: Basis) -> bool {
    match basis {
        Basis::Exact
        | Basis::Variant
        | Basis::Nickname
        | Basis::Transcription
        | Basis::Skeleton => true,
        Basis::Spelling | Basis::Phonetic | Basis::SameScript => {
            let letters = |s: &str| -> Vec<char> {
                s.chars()
                    .filter(|c| c.is_alphanumeric())
                    .flat_map(char::to_lowercase)
                    .collect()
            };
            let (x, y) = (letters(a), letters(b));
            let allowed = if x.len().max(y.len()) >= LONG_PART {
                2
            } else {
                1
            };
            !x.is_empty() && !y.is_empty() && damerau_levenshtein(&x, &y) <= allowed
        }
        Basis::Initial | Basis::None => false,
    }
}

/// The best agreement over all pairs of birth dates.
fn compare_birth_dates(a: &[DateSpec], b: &[DateSpec]) -> Component {
    if a.is_empty() || b.is_empty() {
        return Component::Unknown;
    }
    let similar = a.iter().any(|x| b.iter().any(|y| similar_dates(x, y)));
    if similar {
        Component::Similar
    } else {
        Component::Different
    }
}

/// Whether two birth dates are similar: two full dates equal or differing
/// in exactly one of year, month and day; dates of other precision equal
/// as far as both go (a range of years agrees with any year inside it).
/// Day and month exchanged differ in two components.
fn similar_dates(x: &DateSpec, y: &DateSpec) -> bool {
    let full = |d: &DateSpec| d.year_from == d.year_to && d.month.is_some() && d.day.is_some();
    let differing = differing_components(x, y);
    if full(x) && full(y) {
        differing <= 1
    } else {
        differing == 0
    }
}

/// How many of year, month and day differ between two dates, as far as
/// both know them.
fn differing_components(x: &DateSpec, y: &DateSpec) -> usize {
    let years_overlap = x.year_from <= y.year_to && y.year_from <= x.year_to;
    let mut n = usize::from(!years_overlap);
    if let (Some(p), Some(q)) = (x.month, y.month) {
        n += usize::from(p != q);
        if let (Some(p), Some(q)) = (x.day, y.day) {
            n += usize::from(p != q);
        }
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{NameEntry, PersonEntry, Query};

    fn findings(
        document: DocumentAgreement,
        birth_date: Component,
        rarity: f64,
    ) -> IdentityEvidence {
        IdentityEvidence {
            same_document: None,
            document,
            similar_name_parts: 2,
            different_name_parts: 0,
            birth_date,
            name_rarity: rarity,
            same_person: false,
        }
    }

    #[test]
    fn the_linkage_score_weighs_what_two_records_add() {
        // A common name alone against disagreeing documents falls well below
        // the default threshold; a rare one does not.
        let common = findings(DocumentAgreement::Different, Component::Unknown, 4.3);
        assert!((linkage_score(1.0, &common) - 0.55).abs() < 1e-9);
        let undocumented = findings(DocumentAgreement::Unknown, Component::Unknown, 4.3);
        assert!((linkage_score(1.0, &undocumented) - 0.65).abs() < 1e-9);
        let rare = findings(DocumentAgreement::Different, Component::Unknown, 7.0);
        assert!((linkage_score(1.0, &rare) - 0.8).abs() < 1e-9);
        // A near document, the birth date and a name part: at least 0.9.
        let mut corroborated = findings(DocumentAgreement::Near, Component::Similar, 2.0);
        corroborated.similar_name_parts = 1;
        corroborated.different_name_parts = 1;
        assert!((linkage_score(0.1, &corroborated) - 0.9).abs() < 1e-9);
        assert_eq!(
            linkage_score(
                0.95,
                &findings(DocumentAgreement::Same, Component::Similar, 5.0)
            ),
            1.0
        );
    }

    #[test]
    fn near_numbers_are_one_edit_apart() {
        let a = [passport("4210506", None)];
        assert!(near_document(&a, &[passport("4210560", None)]));
        assert!(!near_document(&a, &[passport("4210999", None)]));
    }

    fn passport(number: &str, country: Option<&str>) -> DocumentEntry {
        DocumentEntry {
            kind: DocumentKind::Passport,
            number: number.into(),
            country: country.map(str::to_string),
            only_one: false,
        }
    }

    fn evidence(
        name_a: &str,
        name_b: &str,
        date_a: Option<DateSpec>,
        date_b: Option<DateSpec>,
        doc_a: DocumentEntry,
        doc_b: DocumentEntry,
    ) -> IdentityEvidence {
        let query = Query {
            names: vec![NameEntry::full(name_a)],
            birth_dates: date_a.into_iter().collect(),
            documents: vec![doc_a],
            ..Query::default()
        };
        let entry = PersonEntry {
            names: vec![NameEntry::full(name_b)],
            birth_dates: date_b.into_iter().collect(),
            documents: vec![doc_b],
            ..PersonEntry::default()
        };
        let (_, explanation) = crate::compare(&query, &entry);
        identity_evidence(
            &query.documents,
            &entry.documents,
            &query.birth_dates,
            &entry.birth_dates,
            &explanation,
        )
    }

    #[test]
    fn same_document_and_similar_data_is_the_same_person() {
        let date = Some(DateSpec::exact(1980, 3, 4));
        let e = evidence(
            "Jürgen Schmidt",
            "JUERGEN SCHMIT",
            date,
            date,
            passport("C01X00T47", Some("DEU")),
            passport("c01x-00t47", None),
        );
        assert_eq!(e.same_document.as_deref(), Some("C01X00T47"));
        assert!(e.same_person, "{e:?}");
    }

    #[test]
    fn a_score_alone_never_makes_the_same_person() {
        let date = Some(DateSpec::exact(1980, 3, 4));
        let e = evidence(
            "Jürgen Schmidt",
            "Jürgen Schmidt",
            date,
            date,
            passport("C01X00T47", Some("DEU")),
            passport("C01X00T48", Some("DEU")),
        );
        assert!(!e.same_person);
        // Same number from another issuer is another document.
        let e = evidence(
            "Jürgen Schmidt",
            "Jürgen Schmidt",
            date,
            date,
            passport("C01X00T47", Some("DEU")),
            passport("C01X00T47", Some("AUT")),
        );
        assert!(!e.same_person);
    }

    #[test]
    fn two_different_components_are_not_similar() {
        let e = evidence(
            "Anna Kowalska",
            "Maria Kowalska",
            Some(DateSpec::exact(1980, 3, 4)),
            Some(DateSpec::exact(1975, 8, 4)),
            passport("AB1234567", None),
            passport("AB1234567", None),
        );
        assert_eq!(e.birth_date, Component::Different);
        assert!(!e.same_person, "{e:?}");
    }

    #[test]
    fn one_date_component_may_differ() {
        let e = evidence(
            "Anna Kowalska",
            "Anna Kowalska",
            Some(DateSpec::exact(1980, 3, 4)),
            Some(DateSpec::exact(1980, 3, 14)),
            passport("AB1234567", None),
            passport("AB1234567", None),
        );
        assert_eq!(e.birth_date, Component::Similar);
        assert!(e.same_person);
        assert_eq!(
            differing_components(&DateSpec::exact(1980, 3, 4), &DateSpec::exact(1980, 4, 3)),
            2
        );
        assert!(similar_dates(
            &DateSpec::years(1979, 1981),
            &DateSpec::exact(1980, 4, 3)
        ));
        // A year alone that differs has nothing in common with the date.
        assert!(!similar_dates(
            &DateSpec::year(1985),
            &DateSpec::exact(1999, 6, 11)
        ));
    }

    #[test]
    fn a_short_number_identifies_no_one() {
        let date = Some(DateSpec::exact(1980, 3, 4));
        let e = evidence(
            "Anna Kowalska",
            "Anna Kowalska",
            date,
            date,
            passport("0", None),
            passport("0", None),
        );
        assert_eq!(e.same_document, None);
    }

    #[test]
    fn spelling_allows_one_edit_in_short_parts() {
        assert!(similar_part("mason", "maxon", Basis::Spelling));
        assert!(similar_part("elk i", "elki", Basis::Spelling));
        assert!(!similar_part("thorpe", "thropr", Basis::Spelling));
        assert!(similar_part("satterley", "satte rlye", Basis::Spelling));
        assert!(!similar_part("jack", "elton", Basis::None));
    }
}
