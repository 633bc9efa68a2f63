//! Translation between the domain's types and the matching engine's: the
//! engine knows nothing of records, policies or travellers, and its own
//! explanation is not what Vigil stores or sends.

use vigil_core::explanation as ex;
use vigil_core::{
    CountryCode, Document, DocumentKind, Gender, NameKind, PartialDate, Record, Traveller,
};
use vigil_match as engine;

/// A record as the engine indexes it.
pub fn person_entry(record: &Record) -> engine::PersonEntry {
    let d = &record.draft;
    engine::PersonEntry {
        names: d
            .names
            .iter()
            .map(|n| engine::NameEntry {
                full: n.full.clone(),
                given: n.given.clone(),
                family: n.family.clone(),
                kind: name_kind(n.kind),
            })
            .collect(),
        birth_dates: d.birth_dates.iter().map(date_spec).collect(),
        nationalities: d.nationalities.iter().map(country).collect(),
        gender: d.gender.map(gender),
        documents: d.documents.iter().map(document).collect(),
    }
}

/// A record as a query (re-screening asks which recent travellers match it).
pub fn record_query(record: &Record) -> engine::Query {
    let entry = person_entry(record);
    engine::Query {
        names: entry.names,
        birth_dates: entry.birth_dates,
        nationalities: entry.nationalities,
        gender: entry.gender,
        documents: entry.documents,
    }
}

/// The engine's query for a traveller.
pub fn traveller_query(traveller: &Traveller) -> engine::Query {
    let mut names: Vec<engine::NameEntry> = traveller
        .names
        .iter()
        .map(|n| engine::NameEntry {
            full: n.clone(),
            given: None,
            family: None,
            kind: engine::NameKind::Primary,
        })
        .collect();
    if let Some(full) = traveller.structured_name() {
        names.push(engine::NameEntry {
            full,
            given: traveller.given_names.clone(),
            family: traveller.surname.clone(),
            kind: engine::NameKind::Primary,
        });
    }
    engine::Query {
        names,
        birth_dates: traveller.birth_date.iter().map(date_spec).collect(),
        nationalities: traveller.nationalities.iter().map(country).collect(),
        gender: traveller.gender.map(gender),
        documents: traveller.documents.iter().map(document).collect(),
    }
}

/// A traveller as the engine indexes it (the re-screening index).
pub fn traveller_entry(traveller: &Traveller) -> engine::PersonEntry {
    let q = traveller_query(traveller);
    engine::PersonEntry {
        names: q.names,
        birth_dates: q.birth_dates,
        nationalities: q.nationalities,
        gender: q.gender,
        documents: q.documents,
    }
}

fn name_kind(kind: NameKind) -> engine::NameKind {
    match kind {
        NameKind::Primary => engine::NameKind::Primary,
        NameKind::Alias => engine::NameKind::Alias,
        NameKind::WeakAlias => engine::NameKind::WeakAlias,
        NameKind::OriginalScript => engine::NameKind::OriginalScript,
    }
}

fn date_spec(d: &PartialDate) -> engine::DateSpec {
    let (year_from, year_to) = d.year_bounds();
    engine::DateSpec {
        year_from,
        year_to,
        month: d.month().map(|m| m as u8),
        day: d.day().map(|d| d as u8),
    }
}

fn country(c: &CountryCode) -> String {
    c.as_str().to_string()
}

fn gender(g: Gender) -> engine::Gender {
    match g {
        Gender::Male => engine::Gender::Male,
        Gender::Female => engine::Gender::Female,
        Gender::Other => engine::Gender::Other,
    }
}

fn document(doc: &Document) -> engine::DocumentEntry {
    engine::DocumentEntry {
        kind: match doc.kind {
            DocumentKind::Passport => engine::DocumentKind::Passport,
            DocumentKind::NationalId => engine::DocumentKind::NationalId,
            _ => engine::DocumentKind::Other,
        },
        number: doc.number.clone(),
        country: doc.country.as_ref().map(country),
        only_one: doc.only_one,
    }
}

/// The engine's explanation in Vigil's published form.
pub fn explanation(e: &engine::Explanation) -> ex::Explanation {
    ex::Explanation {
        name_score: e.name_score,
        query_name: e.query_name.clone(),
        matched_name: e.matched_name.clone(),
        matched_kind: match e.matched_kind {
            engine::NameKind::Primary => NameKind::Primary,
            engine::NameKind::Alias => NameKind::Alias,
            engine::NameKind::WeakAlias => NameKind::WeakAlias,
            engine::NameKind::OriginalScript => NameKind::OriginalScript,
        },
        name: ex::NameEvidence {
            score: e.name.score,
            rarity: e.name.rarity,
            parts: e
                .name
                .parts
                .iter()
                .map(|p| ex::PartEvidence {
                    query: p.query.clone(),
                    matched: p.matched.clone(),
                    similarity: p.similarity,
                    basis: basis(p.basis),
                    weight: p.weight,
                })
                .collect(),
            unmatched_query: e.name.unmatched_query.clone(),
            unmatched_matched: e.name.unmatched_matched.clone(),
        },
        birth_date: match e.birth_date {
            engine::DateVerdict::Mismatch => ex::DateVerdict::Mismatch,
            engine::DateVerdict::Close => ex::DateVerdict::Close,
            engine::DateVerdict::Unknown => ex::DateVerdict::Unknown,
            engine::DateVerdict::Compatible => ex::DateVerdict::Compatible,
            engine::DateVerdict::Exact => ex::DateVerdict::Exact,
        },
        nationality: verdict(e.nationality),
        gender: verdict(e.gender),
        document: match e.document {
            engine::DocumentVerdict::Unknown => ex::DocumentVerdict::Unknown,
            engine::DocumentVerdict::SameNumber => ex::DocumentVerdict::SameNumber,
            engine::DocumentVerdict::DifferentNumber => ex::DocumentVerdict::DifferentNumber,
            engine::DocumentVerdict::Unrelated => ex::DocumentVerdict::Unrelated,
        },
        adjustments: e
            .adjustments
            .iter()
            .map(|a| ex::Adjustment {
                reason: a.reason.to_string(),
                delta: a.delta,
            })
            .collect(),
    }
}

fn basis(b: engine::Basis) -> ex::Basis {
    match b {
        engine::Basis::Exact => ex::Basis::Exact,
        engine::Basis::Variant => ex::Basis::Variant,
        engine::Basis::Nickname => ex::Basis::Nickname,
        engine::Basis::Spelling => ex::Basis::Spelling,
        engine::Basis::Phonetic => ex::Basis::Phonetic,
        engine::Basis::Skeleton => ex::Basis::Skeleton,
        engine::Basis::Transcription => ex::Basis::Transcription,
        engine::Basis::SameScript => ex::Basis::SameScript,
        engine::Basis::Initial => ex::Basis::Initial,
        engine::Basis::None => ex::Basis::None,
    }
}

fn verdict(v: engine::Verdict) -> ex::Verdict {
    match v {
        engine::Verdict::Unknown => ex::Verdict::Unknown,
        engine::Verdict::Agree => ex::Verdict::Agree,
        engine::Verdict::Disagree => ex::Verdict::Disagree,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The published explanation says what the engine's says, field for
    /// field: compared through their JSON, which had the same shape when
    /// the engine's was published directly.
    #[test]
    fn published_explanation_carries_the_engines() {
        let q = engine::Query {
            names: vec![engine::NameEntry {
                full: "Mohammed Al Example".into(),
                given: None,
                family: None,
                kind: engine::NameKind::Primary,
            }],
            birth_dates: vec![],
            nationalities: vec!["FRA".into()],
            gender: None,
            documents: vec![],
        };
        let e = engine::PersonEntry {
            names: vec![engine::NameEntry {
                full: "Muhammad al-Example".into(),
                given: None,
                family: None,
                kind: engine::NameKind::Alias,
            }],
            birth_dates: vec![],
            nationalities: vec!["SYR".into()],
            gender: None,
            documents: vec![],
        };
        let (_, engine_explanation) = engine::compare(&q, &e);
        let ours = explanation(&engine_explanation);
        assert_eq!(
            serde_json::to_value(&ours).unwrap(),
            serde_json::to_value(&engine_explanation).unwrap()
        );
        assert!(!ours.name.parts.is_empty());
    }
}
