//! Whole-person comparison: the best name pair, then the other facts as adjustments, with an
//! [`Explanation`] of every step for the screener and the audit log.
//!
//! Names carry the score; the other facts move it: an equal document number is decisive, a
//! different number on the same kind of document from the same country is weak evidence
//! against (people renew and replace passports and hold second ones) unless the record says
//! that document is the person's only one, a clearly different birth date, nationality or
//! gender lowers the score. Missing facts change nothing: watchlists are full of partial
//! records.

use crate::analysis::Token;
use crate::model::{
    Adjustment, DateSpec, DateVerdict, DocumentEntry, DocumentKind, DocumentVerdict, Explanation,
    Gender, NameKind, Verdict,
};
use crate::names::{compare_with, NameComparison, SimilarityCache};

/// The non-name facts of one side.
pub(crate) struct Facts<'a> {
    pub birth_dates: &'a [DateSpec],
    pub nationalities: &'a [String],
    pub gender: Option<Gender>,
    pub documents: &'a [DocumentEntry],
}

/// One analysed name form.
pub(crate) struct NameForm<'a> {
    pub text: &'a str,
    pub kind: NameKind,
    pub tokens: Vec<&'a Token>,
}

const WEAK_ALIAS: f64 = -0.1;
const DATE_CLOSE: f64 = -0.05;
const DATE_MISMATCH: f64 = -0.25;
const DATE_EXACT: f64 = 0.05;
const NATIONALITY_MISMATCH: f64 = -0.1;
const GENDER_MISMATCH: f64 = -0.15;
/// Another number on the same kind of document from the same issuer: a renewal, a
/// replacement or a second passport as often as another person, so it may lower confidence
/// a little but never turn a biographic match into silence.
const DOCUMENT_RENEWED: f64 = -0.05;
/// Another number where a side says the document is the person's only one.
const DOCUMENT_CONFLICT: f64 = -0.3;
/// Evidence, in powers of ten, that an alert on a query with a birth date needs: the rarity
/// of the agreeing name parts plus what the birth date and nationality add. Below it, the score loses
/// `UNCORROBORATED_PER_POWER` per missing power of ten, at most `UNCORROBORATED_MAX`: a
/// "Mohammed Ali" with nothing else in common is thousands of travellers, a rare
/// three-part name alone is one.
const EVIDENCE_NEEDED: f64 = 11.0;
const UNCORROBORATED_PER_POWER: f64 = 0.06;
const UNCORROBORATED_MAX: f64 = 0.3;
/// Span of birth years in a travelling population, for the evidence of a year.
const BIRTH_YEARS: f64 = 60.0;
/// Evidence of an agreeing nationality: weak, since names already predict it.
const NATIONALITY_EVIDENCE: f64 = 0.5;
/// Evidence of birth years one apart (a typo or an estimate).
const CLOSE_DATE_EVIDENCE: f64 = 1.0;

fn compare_dates(a: &DateSpec, b: &DateSpec) -> DateVerdict {
    let gap = (a.year_from - b.year_to).max(b.year_from - a.year_to);
    if gap > 1 {
        return DateVerdict::Mismatch;
    }
    if gap == 1 {
        return DateVerdict::Close;
    }
    let exact_year = a.year_from == a.year_to && b.year_from == b.year_to;
    match (a.month, b.month, a.day, b.day) {
        // Day and month swapped (US vs European order) is a clerical error, not a new person.
        (Some(am), Some(bm), Some(ad), Some(bd)) if am != bm || ad != bd => {
            if am == bd && ad == bm {
                DateVerdict::Close
            } else {
                DateVerdict::Mismatch
            }
        }
        (Some(am), Some(bm), _, _) if am != bm => DateVerdict::Mismatch,
        (Some(_), Some(_), Some(_), Some(_)) if exact_year => DateVerdict::Exact,
        _ => DateVerdict::Compatible,
    }
}

/// How much agreeing birth dates say, in powers of ten: the shared year (or the narrower
/// range) among `BIRTH_YEARS`, then one month in twelve, one day in thirty.
fn date_evidence(a: &DateSpec, b: &DateSpec) -> f64 {
    match compare_dates(a, b) {
        DateVerdict::Mismatch | DateVerdict::Unknown => 0.0,
        DateVerdict::Close => CLOSE_DATE_EVIDENCE,
        DateVerdict::Compatible | DateVerdict::Exact => {
            let width = (a.year_to - a.year_from).min(b.year_to - b.year_from) + 1;
            let mut power = (BIRTH_YEARS / f64::from(width.max(1))).log10().max(0.0);
            if a.month.is_some() && a.month == b.month {
                power += 12f64.log10();
                if a.day.is_some() && a.day == b.day {
                    power += 30f64.log10();
                }
            }
            power
        }
    }
}

fn date_verdict(q: &[DateSpec], e: &[DateSpec]) -> DateVerdict {
    q.iter()
        .flat_map(|a| e.iter().map(move |b| compare_dates(a, b)))
        .max()
        .unwrap_or(DateVerdict::Unknown)
}

pub(crate) fn normalise_number(n: &str) -> String {
    n.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// The verdict on two sets of documents, and for a different number whether a side said
/// that document is the person's only one.
fn document_verdict(q: &[DocumentEntry], e: &[DocumentEntry]) -> (DocumentVerdict, bool) {
    if q.is_empty() || e.is_empty() {
        return (DocumentVerdict::Unknown, false);
    }
    let mut verdict = DocumentVerdict::Unrelated;
    let mut only_one = false;
    for a in q {
        let na = normalise_number(&a.number);
        if na.is_empty() {
            continue;
        }
        for b in e {
            let kinds_fit =
                a.kind == b.kind || a.kind == DocumentKind::Other || b.kind == DocumentKind::Other;
            let countries_fit = match (&a.country, &b.country) {
                (Some(x), Some(y)) => x.eq_ignore_ascii_case(y),
                _ => true,
            };
            if !kinds_fit || !countries_fit {
                continue;
            }
            if na == normalise_number(&b.number) {
                return (DocumentVerdict::SameNumber, false);
            }
            let same_issuer = a.kind == b.kind
                && a.kind != DocumentKind::Other
                && a.country.is_some()
                && b.country.is_some();
            if same_issuer {
                verdict = DocumentVerdict::DifferentNumber;
                only_one |= a.only_one || b.only_one;
            }
        }
    }
    (verdict, only_one)
}

fn set_verdict(q: &[String], e: &[String]) -> Verdict {
    if q.is_empty() || e.is_empty() {
        Verdict::Unknown
    } else if q
        .iter()
        .any(|a| e.iter().any(|b| a.eq_ignore_ascii_case(b)))
    {
        Verdict::Agree
    } else {
        Verdict::Disagree
    }
}

/// Scores a query against one person from analysed names and facts. Without `explain`, the
/// explanation carries the verdicts and adjustments but no name texts or aligned parts: a
/// search scores many candidates and explains only those it returns.
pub(crate) fn score_person(
    query_names: &[NameForm<'_>],
    query: &Facts<'_>,
    names: &[NameForm<'_>],
    person: &Facts<'_>,
    cache: &mut SimilarityCache,
    explain: bool,
) -> (f64, Explanation) {
    // Score every pair of name forms without explanations, then explain the best one.
    let mut best: Option<(f64, usize, usize, f64)> = None;
    for (i, q) in query_names.iter().enumerate() {
        for (j, n) in names.iter().enumerate() {
            let c = compare_with(&q.tokens, &n.tokens, false, cache);
            let effective = c.score
                + if n.kind == NameKind::WeakAlias {
                    WEAK_ALIAS
                } else {
                    0.0
                };
            if best.is_none_or(|b| effective > b.0) {
                best = Some((effective, i, j, c.rarity));
            }
        }
    }
    let (name_score, qi, ni, name_rarity) = best.unwrap_or_default();
    let name = match (query_names.get(qi), names.get(ni)) {
        (Some(q), Some(n)) if explain => compare_with(&q.tokens, &n.tokens, true, cache),
        (Some(_), Some(n)) => NameComparison {
            score: name_score
                - if n.kind == NameKind::WeakAlias {
                    WEAK_ALIAS
                } else {
                    0.0
                },
            rarity: name_rarity,
            ..NameComparison::default()
        },
        _ => NameComparison::default(),
    };
    let mut adjustments = Vec::new();
    if names.get(ni).is_some_and(|n| n.kind == NameKind::WeakAlias) {
        adjustments.push(Adjustment {
            reason: "weak alias",
            delta: WEAK_ALIAS,
        });
    }
    let birth_date = date_verdict(query.birth_dates, person.birth_dates);
    match birth_date {
        DateVerdict::Exact => adjustments.push(Adjustment {
            reason: "same birth date",
            delta: DATE_EXACT,
        }),
        DateVerdict::Close => adjustments.push(Adjustment {
            reason: "birth year one apart",
            delta: DATE_CLOSE,
        }),
        DateVerdict::Mismatch => adjustments.push(Adjustment {
            reason: "different birth date",
            delta: DATE_MISMATCH,
        }),
        DateVerdict::Unknown | DateVerdict::Compatible => {}
    }
    let nationality = set_verdict(query.nationalities, person.nationalities);
    if nationality == Verdict::Disagree {
        adjustments.push(Adjustment {
            reason: "different nationality",
            delta: NATIONALITY_MISMATCH,
        });
    }
    let gender = match (query.gender, person.gender) {
        (Some(a), Some(b)) if a == b => Verdict::Agree,
        (Some(_), Some(_)) => Verdict::Disagree,
        _ => Verdict::Unknown,
    };
    if gender == Verdict::Disagree {
        adjustments.push(Adjustment {
            reason: "different gender",
            delta: GENDER_MISMATCH,
        });
    }
    let evidence = name_rarity
        + query
            .birth_dates
            .iter()
            .flat_map(|a| person.birth_dates.iter().map(move |b| date_evidence(a, b)))
            .fold(0.0, f64::max)
        + if nationality == Verdict::Agree {
            NATIONALITY_EVIDENCE
        } else {
            0.0
        };
    // Only a query that gives a birth date asks for corroboration: a name-only search (an
    // analyst's look-up) ranks by the names alone.
    let shortfall = EVIDENCE_NEEDED - evidence;
    if shortfall > 0.0 && !query.birth_dates.is_empty() {
        adjustments.push(Adjustment {
            reason: "common name, not corroborated",
            delta: -(UNCORROBORATED_PER_POWER * shortfall).min(UNCORROBORATED_MAX),
        });
    }
    let (document, only_one) = document_verdict(query.documents, person.documents);
    if document == DocumentVerdict::DifferentNumber {
        adjustments.push(if only_one {
            Adjustment {
                reason: "different number on the person's only document of this kind",
                delta: DOCUMENT_CONFLICT,
            }
        } else {
            Adjustment {
                reason: "different number on the same kind of document (renewed or second)",
                delta: DOCUMENT_RENEWED,
            }
        });
    }
    let base = name.score;
    let mut score = (base + adjustments.iter().map(|a| a.delta).sum::<f64>()).clamp(0.0, 1.0);
    if document == DocumentVerdict::SameNumber {
        // Decisive whatever the names say; the name still orders such hits.
        let decided = 0.9 + 0.1 * base;
        adjustments.push(Adjustment {
            reason: "same document number",
            delta: decided - score,
        });
        score = decided;
    }
    let explanation = Explanation {
        name_score,
        query_name: query_names
            .get(qi)
            .filter(|_| explain)
            .map(|n| n.text.to_string())
            .unwrap_or_default(),
        matched_name: names
            .get(ni)
            .filter(|_| explain)
            .map(|n| n.text.to_string())
            .unwrap_or_default(),
        matched_kind: names.get(ni).map_or(NameKind::Primary, |n| n.kind),
        name,
        birth_date,
        nationality,
        gender,
        document,
        adjustments,
    };
    (score, explanation)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        let cases = [
            (
                DateSpec::exact(1971, 7, 28),
                DateSpec::exact(1971, 7, 28),
                DateVerdict::Exact,
            ),
            (
                DateSpec::exact(1971, 7, 28),
                DateSpec::year(1971),
                DateVerdict::Compatible,
            ),
            (
                DateSpec::exact(1971, 7, 28),
                DateSpec::years(1968, 1972),
                DateVerdict::Compatible,
            ),
            (
                DateSpec::exact(1971, 7, 28),
                DateSpec::year(1972),
                DateVerdict::Close,
            ),
            (
                DateSpec::exact(1971, 7, 8),
                DateSpec::exact(1971, 8, 7),
                DateVerdict::Close,
            ),
            (
                DateSpec::exact(1971, 7, 28),
                DateSpec::exact(1971, 7, 29),
                DateVerdict::Mismatch,
            ),
            (
                DateSpec::exact(1971, 7, 28),
                DateSpec::year(1980),
                DateVerdict::Mismatch,
            ),
        ];
        for (a, b, want) in cases {
            assert_eq!(compare_dates(&a, &b), want, "{a:?} {b:?}");
        }
    }

    #[test]
    fn documents() {
        let doc = |kind, number: &str, country: Option<&str>| DocumentEntry {
            kind,
            number: number.into(),
            country: country.map(String::from),
            only_one: false,
        };
        let p = DocumentKind::Passport;
        let cases = [
            (
                doc(p, "A 123-456", Some("IRQ")),
                doc(p, "a123456", Some("IRQ")),
                DocumentVerdict::SameNumber,
            ),
            (
                doc(p, "A123456", Some("IRQ")),
                doc(p, "B999999", Some("IRQ")),
                DocumentVerdict::DifferentNumber,
            ),
            (
                doc(p, "A123456", Some("IRQ")),
                doc(p, "B999999", Some("SYR")),
                DocumentVerdict::Unrelated,
            ),
            (
                doc(p, "A123456", None),
                doc(DocumentKind::NationalId, "A123456", None),
                DocumentVerdict::Unrelated,
            ),
        ];
        for (a, b, want) in cases {
            assert_eq!(
                document_verdict(std::slice::from_ref(&a), std::slice::from_ref(&b)).0,
                want,
                "{a:?} {b:?}"
            );
        }
    }
}
