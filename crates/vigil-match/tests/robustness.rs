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
