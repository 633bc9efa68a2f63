//! Accuracy figures (not pass/fail): the labelled name bench, Arabic-script vs Latin full
//! names, and UN leave-one-name-out retrieval.
//!
//! The name bench cases and the UN list are in the repo; the Arabic–Latin pairs are in the
//! shared data (found by `vigil_testdata`), and that part is skipped when they are absent.
use vigil_match::{
    compare_names, Index, NameEntry, NameKind, PersonEntry, Query, SearchOptions, DEFAULT_THRESHOLD,
};

/// Copied into the repo from shared/data (see tests/data/README.md).
const NAME_BENCH_CASES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/data/name_bench_cases.csv"
);
/// The UN list shipped with the `vigil` binary.
const UN_2024: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../vigil/data/un_sc_consolidated_2024-05-15.xml"
);

fn name_bench() {
    let mut reader = csv::Reader::from_path(NAME_BENCH_CASES).expect("bench cases");
    let (mut tp, mut fp, mut fn_, mut tn) = (0, 0, 0, 0);
    let mut strong_errors = Vec::new();
    let mut errors = Vec::new();
    let mut scored = Vec::new();
    for row in reader.records() {
        let row = row.expect("row");
        if &row[1] != "Person" {
            continue;
        }
        let truth = &row[4] == "true";
        let score = compare_names(&row[2], &row[3]);
        scored.push((score, truth));
        let predicted = score >= DEFAULT_THRESHOLD;
        match (truth, predicted) {
            (true, true) => tp += 1,
            (false, true) => fp += 1,
            (true, false) => fn_ += 1,
            (false, false) => tn += 1,
        }
        if truth != predicted {
            let line = format!(
                "  {} {:.3} {} | {} [{}]",
                if truth { "FN" } else { "FP" },
                score,
                &row[2],
                &row[3],
                &row[5]
            );
            if &row[5] == "STRONG" {
                strong_errors.push(line.clone());
            }
            errors.push(line);
        }
    }
    let precision = tp as f64 / (tp + fp) as f64;
    let recall = tp as f64 / (tp + fn_) as f64;
    let f1 = 2.0 * precision * recall / (precision + recall);
    println!(
        "name bench (Person, {} pairs) at threshold {DEFAULT_THRESHOLD}:",
        tp + fp + fn_ + tn
    );
    println!("  precision {precision:.3} recall {recall:.3} F1 {f1:.3} (tp {tp} fp {fp} fn {fn_} tn {tn})");
    println!("  STRONG errors: {}", strong_errors.len());
    for e in &strong_errors {
        println!("{e}");
    }
    if std::env::var("VIGIL_BENCH_VERBOSE").is_ok() {
        for t in [
            0.7, 0.72, 0.74, 0.76, 0.78, 0.8, 0.82, 0.84, 0.86, 0.88, 0.9,
        ] {
            let tp = scored.iter().filter(|(s, y)| *y && *s >= t).count() as f64;
            let fp = scored.iter().filter(|(s, y)| !*y && *s >= t).count() as f64;
            let fn_ = scored.iter().filter(|(s, y)| *y && *s < t).count() as f64;
            println!(
                "  threshold {t:.2}: F1 {:.3}",
                2.0 * tp / (2.0 * tp + fp + fn_)
            );
        }
        for e in &errors {
            println!("{e}");
        }
    }
}

/// Arabic-script full names against their Latin rendering, and against the Latin rendering
/// of someone else (a fixed derangement: pair i with pair i + n/2).
fn arabic_latin() {
    let Some(path) = vigil_testdata::shared_data("names/arabic_latin_full_name_pairs.train.tsv")
    else {
        return;
    };
    let text = std::fs::read_to_string(path).expect("arabic pairs");
    let pairs: Vec<(&str, &str)> = text
        .lines()
        .skip(1)
        .filter_map(|l| {
            let mut cols = l.split('\t');
            Some((cols.next()?, cols.next()?))
        })
        .collect();
    let n = pairs.len();
    let hits = pairs
        .iter()
        .filter(|(a, l)| compare_names(a, l) >= DEFAULT_THRESHOLD)
        .count();
    let false_hits: Vec<(&str, &str)> = (0..n)
        .map(|i| (pairs[i].0, pairs[(i + n / 2) % n].1))
        .filter(|(a, l)| compare_names(a, l) >= DEFAULT_THRESHOLD)
        .collect();
    println!("Arabic script vs Latin ({n} pairs):");
    println!("  recall {:.3}", hits as f64 / n as f64);
    println!(
        "  shuffled pairs matched {:.4} ({} of {n})",
        false_hits.len() as f64 / n as f64,
        false_hits.len()
    );
    if std::env::var("VIGIL_BENCH_VERBOSE").is_ok() {
        let misses = pairs
            .iter()
            .filter(|(a, l)| compare_names(a, l) < DEFAULT_THRESHOLD);
        for (a, l) in misses.step_by(97).take(40) {
            println!("  miss {:.3} {a} | {l}", compare_names(a, l));
        }
        for (a, l) in false_hits.iter().take(20) {
            println!("  false {:.3} {a} | {l}", compare_names(a, l));
        }
    }
}

/// Text of every `<TAG>…</TAG>` inside `block`.
fn elements<'a>(block: &'a str, tag: &str) -> Vec<&'a str> {
    let (open, close) = (format!("<{tag}>"), format!("</{tag}>"));
    let mut out = Vec::new();
    let mut rest = block;
    while let Some(start) = rest.find(&open) {
        let after = &rest[start + open.len()..];
        let Some(end) = after.find(&close) else { break };
        out.push(after[..end].trim());
        rest = &after[end..];
    }
    out
}

/// Name forms of the UN list's individuals (ad-hoc reader, enough for this file).
fn un_people() -> Vec<Vec<NameEntry>> {
    let xml = std::fs::read_to_string(UN_2024).expect("UN list");
    let unescape = |s: &str| {
        s.replace("&amp;", "&")
            .replace("&apos;", "'")
            .replace("&quot;", "\"")
    };
    elements(&xml, "INDIVIDUAL")
        .into_iter()
        .map(|ind| {
            let mut names = Vec::new();
            let primary: Vec<&str> = ["FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME"]
                .iter()
                .flat_map(|t| elements(ind, t))
                .filter(|s| !s.is_empty())
                .collect();
            if !primary.is_empty() {
                names.push(NameEntry {
                    full: unescape(&primary.join(" ")),
                    kind: NameKind::Primary,
                    ..Default::default()
                });
            }
            for alias in elements(ind, "INDIVIDUAL_ALIAS") {
                let weak = elements(alias, "QUALITY")
                    .first()
                    .is_some_and(|q| *q == "Low");
                for a in elements(alias, "ALIAS_NAME")
                    .into_iter()
                    .filter(|s| !s.is_empty())
                {
                    let kind = if weak {
                        NameKind::WeakAlias
                    } else {
                        NameKind::Alias
                    };
                    names.push(NameEntry {
                        full: unescape(a),
                        kind,
                        ..Default::default()
                    });
                }
            }
            for o in elements(ind, "NAME_ORIGINAL_SCRIPT")
                .into_iter()
                .filter(|s| !s.is_empty())
            {
                names.push(NameEntry {
                    full: unescape(o),
                    kind: NameKind::OriginalScript,
                    ..Default::default()
                });
            }
            names
        })
        .collect()
}

/// A crude consonant skeleton of one word in Latin, Arabic or Cyrillic script, independent of
/// the engine: vowels, h, w, y, ayn and hamza dropped, consonants that renderings swap
/// merged, doubles collapsed. Only used to sort held-out aliases into renderings of another
/// of the person's names and aliases that share nothing with them.
fn crude_skeleton(word: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let mut out = String::new();
    for c in word.to_lowercase().nfkd() {
        let k = match c {
            'b' | 'p' | 'ب' | 'پ' | 'б' | 'п' => 'b',
            'c' | 'k' | 'q' | 'x' | 'خ' | 'ق' | 'ك' | 'ک' | 'چ' | 'к' | 'х' | 'ч' => 'k',
            'd' | 'د' | 'ذ' | 'ض' | 'д' => 'd',
            't' | 'ت' | 'ث' | 'ط' | 'т' | 'ц' => 't',
            'f' | 'v' | 'ف' | 'ф' | 'в' => 'f',
            'g' | 'j' | 'ج' | 'غ' | 'گ' | 'ژ' | 'г' | 'ж' => 'j',
            's' | 'z' | 'س' | 'ص' | 'ز' | 'ظ' | 'ش' | 'с' | 'з' | 'ш' | 'щ' => 's',
            'l' | 'ل' | 'л' => 'l',
            'm' | 'م' | 'м' => 'm',
            'n' | 'ن' | 'н' => 'n',
            'r' | 'ر' | 'р' => 'r',
            _ => continue,
        };
        if !out.ends_with(k) {
            out.push(k);
        }
    }
    out
}

fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, x) in a.iter().enumerate() {
        let mut diag = row[0];
        row[0] = i + 1;
        for (j, y) in b.iter().enumerate() {
            let next = (row[j + 1] + 1)
                .min(row[j] + 1)
                .min(diag + usize::from(x != y));
            diag = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}

/// How a held-out alias relates to the person's other names.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Relation {
    /// The same words as one other name, by crude skeleton, in any order: another spelling,
    /// script or order of that name (titles aside).
    Rendering,
    /// Some words in common with another name, not all.
    Partial,
    /// No word in common with any other name (a nom de guerre, another identity).
    Unrelated,
}

/// Words that are no part of a name (titles, honorifics), for [`relation`] only.
const BENCH_TITLES: &[&str] = &[
    "mullah",
    "mulla",
    "haji",
    "hajji",
    "alhaj",
    "sheikh",
    "shaikh",
    "shaykh",
    "qari",
    "maulvi",
    "mawlawi",
    "maulana",
    "sahib",
    "saheb",
    "mr",
    "dr",
    "doctor",
    "imam",
    "ustad",
    "ملا",
    "حاجی",
    "حاج",
    "شيخ",
    "الشيخ",
    "مولوی",
    "قاری",
];

fn relation(alias: &str, others: &[NameEntry]) -> Relation {
    let words = |s: &str| -> Vec<String> {
        s.split(|c: char| !c.is_alphabetic())
            .filter(|w| !BENCH_TITLES.contains(&w.to_lowercase().as_str()))
            .map(crude_skeleton)
            .filter(|k| k.chars().count() >= 2)
            .collect()
    };
    let near = |a: &str, b: &str| a == b || (a.len().min(b.len()) >= 3 && edit_distance(a, b) <= 1);
    let covered =
        |x: &[String], y: &[String]| x.iter().filter(|w| y.iter().any(|t| near(w, t))).count();
    let mine = words(alias);
    if mine.is_empty() {
        return Relation::Unrelated;
    }
    let mut relation = Relation::Unrelated;
    for other in others {
        let theirs = words(&other.text());
        let (there, back) = (covered(&mine, &theirs), covered(&theirs, &mine));
        if there == mine.len() && back == theirs.len() {
            return Relation::Rendering;
        }
        if there > 0 {
            relation = Relation::Partial;
        }
    }
    relation
}

/// Index every person; for each name form, re-index its person without that form (an
/// incremental upsert), query with the form, and check the person comes first. Reported
/// apart: forms that are renderings of another of the person's names (target ≥ 95 % top-1)
/// and forms that share nothing with them (a search by name cannot be expected to find those).
fn un_leave_one_out() {
    let people = un_people();
    let entry = |names: Vec<NameEntry>| PersonEntry {
        names,
        ..Default::default()
    };
    let mut index = Index::new();
    for (key, names) in people.iter().enumerate() {
        index.upsert(key as u64, &entry(names.clone()));
    }
    let opts = SearchOptions {
        limit: 5,
        threshold: 0.0,
    };
    let (mut trials, mut top1, mut above, mut retrieval_misses) = (0, 0, 0, 0);
    // (trials, top-1, top-1 or tied with it) per relation.
    let mut by_relation: std::collections::BTreeMap<Relation, (usize, usize, usize)> =
        Default::default();
    let mut misses = Vec::new();
    for (key, names) in people.iter().enumerate() {
        if names.len() < 2 {
            continue;
        }
        for i in 0..names.len() {
            let mut rest = names.clone();
            let held_out = rest.remove(i);
            index.upsert(key as u64, &entry(rest.clone()));
            let query = Query {
                names: vec![held_out.clone()],
                ..Default::default()
            };
            let found = index.search(&query, &opts, &|_| true);
            trials += 1;
            let related = relation(&held_out.text(), &rest);
            let class = by_relation.entry(related).or_default();
            class.0 += 1;
            // Two listed persons with the same name cannot be told apart by it: the right one
            // sharing the best score counts as found.
            let best = found.first().map_or(0.0, |m| m.score);
            class.2 += usize::from(
                found
                    .iter()
                    .any(|m| m.key == key as u64 && m.score >= best - 1e-9),
            );
            if found.first().is_some_and(|m| m.key == key as u64) {
                top1 += 1;
                class.1 += 1;
                above += usize::from(found[0].score >= DEFAULT_THRESHOLD);
            } else {
                let truth = vigil_match::compare(&query, &entry(rest.clone())).0;
                let top = found.first().map_or(0.0, |m| m.score);
                if truth > top {
                    retrieval_misses += 1;
                }
                misses.push(format!(
                    "  {related:?}: {} -> {:?} (listed person scores {truth:.3})",
                    held_out.full,
                    found
                        .first()
                        .map(|m| (&m.explanation.matched_name, m.score))
                ));
            }
        }
        index.upsert(key as u64, &entry(names.clone()));
    }
    println!(
        "UN leave-one-name-out ({} individuals, {trials} held-out forms):",
        people.len()
    );
    println!(
        "  person is top result {:.3}; and above threshold {:.3}",
        top1 as f64 / trials as f64,
        above as f64 / trials as f64
    );
    for (relation, (n, hits, tied)) in &by_relation {
        let what = match relation {
            Relation::Rendering => "renderings of another of the person's names",
            Relation::Partial => "forms sharing some words with another name",
            Relation::Unrelated => "forms sharing nothing with the other names",
        };
        println!(
            "    {what}: {n} forms, top result {:.3}, top or tied for top {:.3}",
            *hits as f64 / (*n).max(1) as f64,
            *tied as f64 / (*n).max(1) as f64
        );
    }
    println!("  misses where retrieval lost a better-scoring listed person: {retrieval_misses}");
    if std::env::var("VIGIL_BENCH_VERBOSE").is_ok() {
        for m in misses
            .iter()
            .filter(|m| m.starts_with("  Rendering"))
            .take(80)
        {
            println!("{m}");
        }
    }
}

fn main() {
    let t = std::time::Instant::now();
    compare_names("Warm", "Up");
    println!(
        "embedded name data parsed on first use in {:.2?}",
        t.elapsed()
    );
    println!(
        "last round, for comparison: name bench F1 0.904 (precision 0.977, recall 0.842, \
         0 STRONG errors); Arabic script vs Latin recall 0.931, shuffled 0.0001; UN \
         leave-one-name-out top result 0.729"
    );
    name_bench();
    arabic_latin();
    un_leave_one_out();
}
