//! Accuracy figures (not pass/fail): the labelled name bench, Arabic-script vs Latin full
//! names, and UN leave-one-name-out retrieval.
use vigil_match::{compare_names, DEFAULT_THRESHOLD};

const SHARED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data");

fn name_bench() {
    let mut reader = csv::Reader::from_path(format!("{SHARED}/bench/name_bench_cases.csv"))
        .expect("bench cases");
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
    let text = std::fs::read_to_string(format!(
        "{SHARED}/names/arabic_latin_full_name_pairs.train.tsv"
    ))
    .expect("arabic pairs");
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

fn main() {
    name_bench();
    arabic_latin();
}
