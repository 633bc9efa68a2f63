//! No input makes the engine panic: random Unicode (control characters, mixed scripts,
//! punctuation only, very long strings) through every public entry point.

use proptest::prelude::*;
use vigil_match::{compare, compare_names, Index, NameEntry, PersonEntry, Query, SearchOptions};

fn entry(name: &str) -> PersonEntry {
    PersonEntry {
        names: vec![NameEntry::full(name)],
        ..PersonEntry::default()
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]
    #[test]
    fn random_unicode_never_panics(
        a in "\\PC{0,60}",
        chars in proptest::collection::vec(any::<char>(), 0..80),
        punct in "[-.,'/()\\s]{0,20}",
        arabic in "[\u{0621}-\u{064A}\u{067E}\u{06A9}\u{06CC} ]{0,40}",
        latin in "[a-zA-Z \\-]{0,40}",
    ) {
        let b: String = chars.into_iter().collect();
        // Arabic script against Latin goes through the cross-script comparisons.
        for (x, y) in [(&a, &b), (&b, &punct), (&punct, &a), (&arabic, &latin), (&latin, &arabic)] {
            let s = compare_names(x, y);
            prop_assert!((0.0..=1.0).contains(&s));
        }
        let mut index = Index::new();
        index.upsert(1, &entry(&a));
        index.upsert(2, &entry(&b));
        let q = Query { names: vec![NameEntry::full(b.clone())], ..Query::default() };
        for m in index.search(&q, &SearchOptions::default(), &|_| true) {
            prop_assert!((0.0..=1.0).contains(&m.score));
        }
        let _ = compare(&q, &entry(&punct));
    }
}

/// Random text in one script with its marks, joiners and separators, for each writing system
/// the engine romanises or compares (Thai stands for those it compares in their own letters).
fn script_text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[\u{AC00}-\u{D7A3}\u{1100}-\u{11FF}\u{3131}-\u{318E} ]{0,12}",
        "[\u{4E00}-\u{9FFF}\u{3400}-\u{4DBF}\u{F900}-\u{FAFF}\u{3000}-\u{303F} ]{0,10}",
        "[\u{3040}-\u{30FF}\u{31F0}-\u{31FF}\u{FF66}-\u{FF9F} ]{0,14}",
        "[\u{0591}-\u{05F4}\u{FB1D}-\u{FB4F} ]{0,20}",
        "[\u{0900}-\u{097F}\u{0980}-\u{09FF}\u{200C}\u{200D} ]{0,20}",
        "[\u{0600}-\u{06FF}\u{0750}-\u{077F}\u{FB50}-\u{FDFF}\u{FE70}-\u{FEFF} ]{0,20}",
        "[\u{0370}-\u{03FF}\u{1F00}-\u{1FFF} ]{0,20}",
        "[\u{0400}-\u{052F} ]{0,20}",
        "[\u{10A0}-\u{10FF}\u{0530}-\u{058F} ]{0,20}",
        "[\u{0E00}-\u{0E7F} ]{0,20}",
        "[\u{FF01}-\u{FF5E}\u{00AD}\u{200B}-\u{200F}\u{202A}-\u{202E}\u{2060}-\u{2064}\u{FEFF}a-z ]{0,30}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    /// Every analysis stage (tokens, full-name splitting, every romaniser, keys, skeletons,
    /// alignment, retrieval) on text of every script, against itself, against Latin and
    /// against another script.
    #[test]
    fn text_of_every_script_never_panics(
        a in script_text(),
        b in script_text(),
        latin in "[A-Za-z \\-]{0,30}",
    ) {
        for (x, y) in [(&a, &b), (&a, &latin), (&latin, &a), (&a, &a)] {
            let s = compare_names(x, y);
            prop_assert!((0.0..=1.0).contains(&s), "{x:?} {y:?}: {s}");
        }
        let mut index = Index::new();
        index.upsert(1, &entry(&a));
        index.upsert(2, &entry(&latin));
        for q in [&a, &b, &latin] {
            let q = Query { names: vec![NameEntry::full(q.clone())], ..Query::default() };
            for m in index.search(&q, &SearchOptions::default(), &|_| true) {
                prop_assert!((0.0..=1.0).contains(&m.score));
            }
        }
    }
}

#[test]
fn very_long_and_hostile_inputs() {
    let long_latin = "Mohammed ".repeat(1_200);
    let long_mixed: String = "Абд الرحمن 李 Müller\u{0}\u{202e}".repeat(400);
    let one_word = "x".repeat(10_000);
    let inputs = [
        long_latin.as_str(),
        long_mixed.as_str(),
        one_word.as_str(),
        "",
        "   ",
        "...,,--",
        "\u{7}\u{1b}[0m",
    ];
    let mut index = Index::new();
    for (k, a) in inputs.iter().enumerate() {
        index.upsert(k as u64, &entry(a));
        // Each hostile input against itself and against an ordinary name (pairs of two huge
        // inputs add nothing but debug-build minutes).
        for b in [a, &"Mohammed Ali"] {
            let s = compare_names(a, b);
            assert!((0.0..=1.0).contains(&s), "{s}");
        }
        let q = Query {
            names: vec![NameEntry::full(*a)],
            ..Query::default()
        };
        let _ = index.search(&q, &SearchOptions::default(), &|_| true);
    }
}
