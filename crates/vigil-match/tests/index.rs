//! The index through its public API: incremental updates, the visibility filter, and how
//! the non-name facts move a search result.

use vigil_match::{
    compare, DateSpec, DocumentEntry, DocumentKind, DocumentVerdict, Gender, Index, NameEntry,
    NameKind, PersonEntry, Query, SearchOptions,
};

fn person(names: &[&str]) -> PersonEntry {
    PersonEntry {
        names: names.iter().map(|n| NameEntry::full(*n)).collect(),
        birth_dates: vec![DateSpec::year(1975)],
        nationalities: vec!["IRQ".into()],
        gender: Some(Gender::Male),
        documents: vec![],
    }
}

fn query(name: &str) -> Query {
    Query {
        names: vec![NameEntry::full(name)],
        ..Query::default()
    }
}

fn keys(index: &Index, q: &Query) -> Vec<u64> {
    index
        .search(q, &SearchOptions::default(), &|_| true)
        .iter()
        .map(|m| m.key)
        .collect()
}

fn sample() -> Index {
    let mut index = Index::new();
    index.upsert(
        1,
        &person(&[
            "Abu Bakr al-Baghdadi",
            "Ibrahim Awad Ibrahim al-Badri",
            "إبراهيم عواد إبراهيم البدري",
        ]),
    );
    index.upsert(2, &person(&["Mohammed Emwazi"]));
    index.upsert(3, &person(&["Sergei Viktorovich Ivanov"]));
    index
}

#[test]
fn finds_across_scripts_spellings_and_order() {
    let index = sample();
    for (q, want) in [
        ("Ibrahim Awad al-Badri", 1),
        ("ابراهيم عواد البدري", 1),
        ("Muhammad Emwazi", 2),
        ("EMWAZI, Mohamed", 2),
        ("Сергей Иванов", 3),
        ("Sergej Ivanow", 3),
    ] {
        assert_eq!(keys(&index, &query(q)).first(), Some(&want), "{q}");
    }
    assert!(keys(&index, &query("Jean Dupont")).is_empty());
}

#[test]
fn a_compound_finds_its_one_word_spelling() {
    // Listed in Latin only, as one word; queried in Arabic script as two, or in Latin as
    // three with a linking "ud".
    let mut index = sample();
    index.upsert(4, &person(&["Jalaluddin"]));
    index.upsert(5, &person(&["Shamsuddin"]));
    index.upsert(6, &person(&["Nooruddin"]));
    assert_eq!(keys(&index, &query("جلال الدين")).first(), Some(&4));
    assert_eq!(keys(&index, &query("شمس الدين")).first(), Some(&5));
    assert_eq!(keys(&index, &query("Noor ud Din")).first(), Some(&6));
}

#[test]
fn upsert_replaces_and_remove_forgets() {
    let mut index = sample();
    assert_eq!(index.len(), 3);
    index.upsert(2, &person(&["Jihadi John"]));
    assert_eq!(index.len(), 3);
    assert!(keys(&index, &query("Mohammed Emwazi")).is_empty());
    assert_eq!(keys(&index, &query("Jihadi John")), [2]);
    index.remove(2);
    index.remove(2);
    assert_eq!(index.len(), 2);
    assert!(keys(&index, &query("Jihadi John")).is_empty());
    // A freed slot is reused without leaking the old person's keys.
    index.upsert(9, &person(&["Anwar al-Awlaki"]));
    assert_eq!(keys(&index, &query("Anwar al-Awlaki")), [9]);
    assert!(keys(&index, &query("Jihadi John")).is_empty());
}

#[test]
fn hidden_records_are_indistinguishable_from_absent_ones() {
    let mut with_hidden = sample();
    with_hidden.upsert(7, &person(&["Mohammed Emwazi"]));
    let without = sample();
    let opts = SearchOptions {
        limit: 5,
        threshold: 0.0,
    };
    let q = query("Mohammed Emwazi");
    let seen = with_hidden.search(&q, &opts, &|k| k != 7);
    let plain = without.search(&q, &opts, &|_| true);
    assert_eq!(seen, plain);
}

#[test]
fn facts_move_the_score() {
    let listed = PersonEntry {
        documents: vec![DocumentEntry {
            kind: DocumentKind::Passport,
            number: "A1234567".into(),
            country: Some("IRQ".into()),
            only_one: false,
        }],
        birth_dates: vec![DateSpec::exact(1971, 7, 28)],
        ..person(&["Ibrahim Awad Ibrahim al-Badri"])
    };
    let base = Query {
        names: vec![NameEntry::full("Ibrahim Awad al-Badri")],
        ..Query::default()
    };
    let (name_only, _) = compare(&base, &listed);
    let same_date = Query {
        birth_dates: vec![DateSpec::exact(1971, 7, 28)],
        ..base.clone()
    };
    let other_date = Query {
        birth_dates: vec![DateSpec::exact(1990, 1, 2)],
        ..base.clone()
    };
    assert!(compare(&same_date, &listed).0 >= name_only);
    assert!(compare(&other_date, &listed).0 < name_only - 0.2);

    let doc = |number: &str| DocumentEntry {
        kind: DocumentKind::Passport,
        number: number.into(),
        country: Some("IRQ".into()),
        only_one: false,
    };
    let (score, why) = compare(
        &Query {
            names: vec![NameEntry::full("Unrelated Name")],
            documents: vec![doc("a1234567")],
            ..Query::default()
        },
        &listed,
    );
    assert_eq!(why.document, DocumentVerdict::SameNumber);
    assert!(score >= 0.9);
    let (score, why) = compare(
        &Query {
            documents: vec![doc("B7654321")],
            ..base.clone()
        },
        &listed,
    );
    assert_eq!(why.document, DocumentVerdict::DifferentNumber);
    assert!(score < name_only);
}

#[test]
fn a_common_name_needs_corroboration() {
    let listed = |name: &str, birth_dates: Vec<DateSpec>| PersonEntry {
        birth_dates,
        ..person(&[name])
    };
    let traveller = |name: &str| Query {
        names: vec![NameEntry::full(name)],
        birth_dates: vec![DateSpec::exact(1975, 3, 14)],
        nationalities: vec!["IRQ".into()],
        ..Query::default()
    };
    let common = traveller("Mohammed Ali");
    // The same common name with nothing else in common is not an alert…
    let (score, why) = compare(&common, &listed("Mohammed Ali", vec![]));
    assert!(score < 0.8, "{score}");
    assert!(why
        .adjustments
        .iter()
        .any(|a| a.reason == "common name, not corroborated"));
    // …the same birth date makes it one…
    let exact = listed("Mohammed Ali", vec![DateSpec::exact(1975, 3, 14)]);
    assert!(compare(&common, &exact).0 >= 0.8);
    // …and a rare full name needs no birth date.
    let rare = traveller("Ibrahim Awad Ibrahim al-Badri");
    assert!(compare(&rare, &listed("Ibrahim Awad Ibrahim al-Badri", vec![])).0 >= 0.8);
    // A name-only look-up ranks by the names alone.
    assert!(compare(&query("Mohammed Ali"), &listed("Mohammed Ali", vec![])).0 >= 0.8);
}

#[test]
fn explanation_names_the_evidence() {
    let listed = PersonEntry {
        names: vec![NameEntry {
            full: "Usama bin Muhammad bin Awad bin Ladin".into(),
            kind: NameKind::Alias,
            ..NameEntry::default()
        }],
        ..PersonEntry::default()
    };
    let (_, why) = compare(&query("Osama bin Laden"), &listed);
    assert_eq!(why.matched_kind, NameKind::Alias);
    assert!(why
        .name
        .parts
        .iter()
        .any(|p| p.query == "osama" && p.matched == "usama"));
    let json = serde_json::to_string(&why).expect("serialises");
    assert!(json.contains("\"basis\""));
}

#[test]
fn index_is_shareable_between_threads() {
    fn shareable<T: Send + Sync>() {}
    shareable::<Index>();
}

fn passport(number: &str, country: &str) -> DocumentEntry {
    DocumentEntry {
        kind: DocumentKind::Passport,
        number: number.into(),
        country: Some(country.into()),
        only_one: false,
    }
}

fn documented_index() -> Index {
    let mut index = sample();
    index.upsert(
        42,
        &PersonEntry {
            names: vec![NameEntry::full("Person Surnamealpha")],
            documents: vec![passport("DOC000000", "DEU")],
            ..PersonEntry::default()
        },
    );
    index
}

#[test]
fn document_number_is_retrieved_whatever_the_names() {
    let index = documented_index();
    let opts = SearchOptions::default();
    let same = Query {
        names: vec![NameEntry::full("Someone Else")],
        documents: vec![passport("doc-000 000", "DEU")],
        ..Query::default()
    };
    let found = index.search(&same, &opts, &|_| true);
    let top = found.first().expect("the document number finds the person");
    assert_eq!(top.key, 42);
    assert!(top.is_match);
    assert_eq!(top.explanation.document, DocumentVerdict::SameNumber);
    // Hidden persons stay hidden, even behind a matching document.
    assert!(index
        .search(&same, &opts, &|k| k != 42)
        .iter()
        .all(|m| m.key != 42));

    // Another number on the same kind of document from the same issuer scores lower.
    let all = SearchOptions {
        limit: 10,
        threshold: 0.0,
    };
    let named = |number: &str| Query {
        names: vec![NameEntry::full("Person Surnamealpha")],
        documents: vec![passport(number, "DEU")],
        ..Query::default()
    };
    let score_of = |q: &Query| {
        index
            .search(q, &all, &|_| true)
            .iter()
            .find(|m| m.key == 42)
            .map_or(0.0, |m| m.score)
    };
    let other = named("DOC999999");
    assert!(score_of(&other) < score_of(&named("DOC000000")));
    assert!(index
        .search(
            &Query {
                names: vec![NameEntry::full("Someone Else")],
                documents: vec![passport("DOC999999", "DEU")],
                ..Query::default()
            },
            &opts,
            &|_| true
        )
        .iter()
        .all(|m| m.key != 42));
}

#[test]
fn short_document_numbers_are_not_keys() {
    let mut index = Index::new();
    index.upsert(
        5,
        &PersonEntry {
            names: vec![NameEntry::full("Person Surnamealpha")],
            documents: vec![passport("1234", "DEU")],
            ..PersonEntry::default()
        },
    );
    let q = Query {
        names: vec![NameEntry::full("Someone Else")],
        documents: vec![passport("1234", "DEU")],
        ..Query::default()
    };
    assert!(index
        .search(&q, &SearchOptions::default(), &|_| true)
        .is_empty());
}

#[test]
fn remove_and_upsert_drop_the_document_key() {
    let q = Query {
        names: vec![NameEntry::full("Someone Else")],
        documents: vec![passport("DOC000000", "DEU")],
        ..Query::default()
    };
    let opts = SearchOptions::default();
    let mut index = documented_index();
    index.remove(42);
    assert!(index
        .search(&q, &opts, &|_| true)
        .iter()
        .all(|m| m.key != 42));
    // A new person in the freed slot does not inherit the number.
    index.upsert(43, &person(&["Anwar al-Awlaki"]));
    assert!(index.search(&q, &opts, &|_| true).is_empty());

    // Replacing the person's documents drops the old number and indexes the new one.
    let mut index = documented_index();
    index.upsert(
        42,
        &PersonEntry {
            names: vec![NameEntry::full("Person Surnamealpha")],
            documents: vec![passport("NEW123456", "DEU")],
            ..PersonEntry::default()
        },
    );
    assert!(index
        .search(&q, &opts, &|_| true)
        .iter()
        .all(|m| m.key != 42));
    let renewed = Query {
        documents: vec![passport("NEW123456", "DEU")],
        ..q.clone()
    };
    assert_eq!(
        index
            .search(&renewed, &opts, &|_| true)
            .first()
            .map(|m| m.key),
        Some(42)
    );
}

#[test]
fn namesakes_are_told_apart_by_birth_year_before_scoring() {
    // Two hundred listed "Ahmed Ibrahim"s tie on the names; only the traveller's birth year
    // can bring the right one among the few candidates scored.
    let mut index = Index::new();
    for key in 0..200u64 {
        let year = match (key, 1900 + key as i32 % 70) {
            (137, _) => 1975,
            (_, 1974..=1976) => 1930,
            (_, year) => year,
        };
        index.upsert(
            key,
            &PersonEntry {
                birth_dates: vec![DateSpec::exact(year, 3, 14)],
                ..person(&["Ahmed Ibrahim"])
            },
        );
    }
    let traveller = Query {
        names: vec![NameEntry::full("Ahmed Ibrahim")],
        birth_dates: vec![DateSpec::exact(1975, 3, 14)],
        nationalities: vec!["IRQ".into()],
        ..Query::default()
    };
    let found = index.search(&traveller, &SearchOptions::default(), &|_| true);
    assert_eq!(
        found.first().map(|m| (m.key, m.is_match)),
        Some((137, true))
    );
    assert_eq!(
        found.len(),
        1,
        "namesakes born in other years are no alerts"
    );
}

/// A made-up, pronounceable word for the `n`th filler person (distinct for distinct `n`).
fn filler_word(mut n: usize) -> String {
    const SYLLABLES: [&str; 16] = [
        "ka", "lo", "mi", "ru", "ze", "pa", "ti", "vo", "ne", "su", "da", "fi", "go", "he", "bu",
        "wy",
    ];
    let mut word = String::from("Zor");
    for _ in 0..4 {
        word.push_str(SYLLABLES[n % 16]);
        n /= 16;
    }
    word
}

#[test]
fn a_name_made_only_of_common_parts_is_found() {
    // Thousands of Georges and of Elliots: both parts' lists are too long to walk, so the
    // one George Elliot must come from intersecting them, wherever he sits in the index
    // (named in the other order, so that the two parts written as one do not find him).
    let mut index = Index::new();
    let mut key = 0;
    for n in 0..5_000 {
        for name in [
            format!("George {}", filler_word(n)),
            format!("{} Elliot", filler_word(n + 5_000)),
        ] {
            index.upsert(key, &person(&[&name]));
            key += 1;
        }
    }
    index.upsert(key, &person(&["George Elliot"]));
    assert_eq!(keys(&index, &query("Elliot George")).first(), Some(&key));
}
