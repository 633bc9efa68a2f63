//! Vigil's matching engine: multi-script name analysis, candidate retrieval and scoring.
//! Pure: no I/O, no async, no SQL; the embedded name data is parsed once, lazily.
//!
//! # Layout
//! - [`model`]: the public input/output types ([`PersonEntry`], [`Query`], [`Match`] and its
//!   [`Explanation`], …).
//! - `text`: case folding, diacritics, word boundaries, script of each word.
//! - `translit`: romanisation (Cyrillic schemes compiled from iuliia, Greek, Armenian,
//!   Georgian), Arabic consonant skeletons, phonetic keys.
//! - `lexicon`: embedded variant groups (rigour), nicknames, part frequencies, titles and
//!   particles.
//! - `canonical`: the canonical spelling of a part, shared by the lexicon and the analyser.
//! - `analysis`: a name string to analysed parts (`Token`).
//! - [`similarity`]: Levenshtein, Damerau-Levenshtein, Jaro, Jaro-Winkler.
//! - `names`: order-independent alignment of parts and the name score ([`NameComparison`]).
//! - `person`: birth date, nationality, gender and documents around the name score.
//! - `index`: the candidate index ([`Index`]).
//! - `keys`: hashing of keys.
//!
//! # Invariants
//! - Scores are in [0, 1]; one threshold, [`DEFAULT_THRESHOLD`], for names and persons.
//! - No input makes any stage panic (property tests feed random Unicode to every stage).
//! - `Index::search` applies the caller's visibility filter before scoring: a hidden record
//!   never reaches the scorer and cannot change what else is returned.

mod analysis;
mod canonical;
mod identity;
mod index;
mod keys;
mod lexicon;
pub mod model;
mod names;
mod person;
pub mod similarity;
mod text;
mod translit;

pub use identity::{
    identity_evidence, linkage_score, Component, DocumentAgreement, IdentityEvidence,
};
pub use index::Index;
pub use lexicon::is_held_out;
pub use model::{
    Adjustment, DateSpec, DateVerdict, DocumentEntry, DocumentKind, DocumentVerdict, Explanation,
    Gender, Match, NameEntry, NameKind, PersonEntry, Query, SearchOptions, Verdict,
    DEFAULT_THRESHOLD,
};
pub use names::{Basis, NameComparison, PartMatch};

use person::{score_person, Facts, NameForm};

/// Name-only score in [0, 1] (the `vigil score` CSV mode); a match at [`DEFAULT_THRESHOLD`].
pub fn compare_names(a: &str, b: &str) -> f64 {
    let (x, y) = (analysis::analyse(a), analysis::analyse(b));
    names::compare_tokens(&x.iter().collect::<Vec<_>>(), &y.iter().collect::<Vec<_>>()).score
}

/// Full pairwise scoring of a query against one person, with its explanation.
pub fn compare(q: &Query, e: &PersonEntry) -> (f64, Explanation) {
    let analyse = |names: &[NameEntry]| -> Vec<(String, NameKind, Vec<analysis::Token>)> {
        names
            .iter()
            .map(|n| {
                let text = n.text();
                let tokens = analysis::analyse(&text);
                (text, n.kind, tokens)
            })
            .collect()
    };
    let (qn, en) = (analyse(&q.names), analyse(&e.names));
    score_person(
        &name_forms(&qn),
        &Facts {
            birth_dates: &q.birth_dates,
            nationalities: &q.nationalities,
            gender: q.gender,
            documents: &q.documents,
        },
        &name_forms(&en),
        &Facts {
            birth_dates: &e.birth_dates,
            nationalities: &e.nationalities,
            gender: e.gender,
            documents: &e.documents,
        },
        &mut names::SimilarityCache::default(),
        true,
    )
}

fn name_forms(v: &[(String, NameKind, Vec<analysis::Token>)]) -> Vec<NameForm<'_>> {
    v.iter()
        .map(|(text, kind, tokens)| NameForm {
            text,
            kind: *kind,
            tokens: tokens.iter().collect(),
        })
        .collect()
}
