//! String distances used to compare name parts: Levenshtein, Damerau-Levenshtein, Jaro and
//! Jaro-Winkler, generic over the unit compared (bytes of romanised ASCII forms, or chars).
//!
//! Written here rather than taken from a crate so that they work on byte slices of the
//! ASCII forms the analyser produces (no decoding or allocation per comparison) and so that their behaviour is pinned
//! by the jellyfish test vectors in the tests below.

/// Edit distance with insertions, deletions and substitutions.
pub fn levenshtein<T: PartialEq>(a: &[T], b: &[T]) -> usize {
    if a.is_empty() {
        return b.len();
    }
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut diag = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            let next = (row[j + 1] + 1).min(row[j] + 1).min(diag + cost);
            diag = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}

/// Unrestricted Damerau-Levenshtein distance (transpositions may be edited again), the variant
/// that counts "Khordorovsky"/"Khodorkovsky" as close as a typist would.
pub fn damerau_levenshtein<T: PartialEq + Copy>(a: &[T], b: &[T]) -> usize {
    let (n, m) = (a.len(), b.len());
    if n == 0 || m == 0 {
        return n.max(m);
    }
    let inf = n + m;
    let w = m + 2;
    let mut d = vec![0usize; (n + 2) * w];
    d[0] = inf;
    for i in 0..=n {
        d[(i + 1) * w] = inf;
        d[(i + 1) * w + 1] = i;
    }
    for j in 0..=m {
        d[j + 1] = inf;
        d[w + j + 1] = j;
    }
    // Last row where each character was seen; names are short, so a linear list beats a map.
    let mut last_row: Vec<(T, usize)> = Vec::with_capacity(n);
    for i in 1..=n {
        let mut last_match_col = 0;
        for j in 1..=m {
            let i1 = last_row
                .iter()
                .find(|(c, _)| *c == b[j - 1])
                .map_or(0, |(_, r)| *r);
            let j1 = last_match_col;
            let cost = if a[i - 1] == b[j - 1] {
                last_match_col = j;
                0
            } else {
                1
            };
            let sub = d[i * w + j] + cost;
            let ins = d[(i + 1) * w + j] + 1;
            let del = d[i * w + j + 1] + 1;
            let trans = d[i1 * w + j1] + (i - i1 - 1) + 1 + (j - j1 - 1);
            d[(i + 1) * w + j + 1] = sub.min(ins).min(del).min(trans);
        }
        match last_row.iter_mut().find(|(c, _)| *c == a[i - 1]) {
            Some(entry) => entry.1 = i,
            None => last_row.push((a[i - 1], i)),
        }
    }
    d[(n + 1) * w + m + 1]
}

/// Optimal-string-alignment distance (Damerau-Levenshtein where a transposed pair is not
/// edited again): the hot-path distance of the aligner. Rows live on the stack for words of
/// up to 63 units, so comparing two name parts allocates nothing.
pub fn osa_distance<T: PartialEq>(a: &[T], b: &[T]) -> usize {
    const MAX: usize = 64;
    if a.len() >= MAX || b.len() >= MAX {
        return osa_distance_heap(a, b);
    }
    if a.is_empty() || b.is_empty() {
        return a.len().max(b.len());
    }
    // Three rows rotated by reference: copying them per row would cost more than the
    // comparisons themselves on name-length inputs.
    let (mut r0, mut r1, mut r2) = ([0u16; MAX], [0u16; MAX], [0u16; MAX]);
    let (mut prev2, mut prev, mut cur) = (&mut r0, &mut r1, &mut r2);
    for (j, p) in prev.iter_mut().enumerate().take(b.len() + 1) {
        *p = j as u16;
    }
    for i in 1..=a.len() {
        cur[0] = i as u16;
        for j in 1..=b.len() {
            let cost = u16::from(a[i - 1] != b[j - 1]);
            let mut v = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(prev2[j - 2] + 1);
            }
            cur[j] = v;
        }
        let spent = prev2;
        prev2 = prev;
        prev = cur;
        cur = spent;
    }
    usize::from(prev[b.len()])
}

/// [`osa_distance`] for long inputs (pathological names), on the heap.
fn osa_distance_heap<T: PartialEq>(a: &[T], b: &[T]) -> usize {
    let mut prev2 = vec![0usize; b.len() + 1];
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0usize; b.len() + 1];
    for i in 1..=a.len() {
        cur[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(prev2[j - 2] + 1);
            }
            cur[j] = v;
        }
        std::mem::swap(&mut prev2, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// Jaro similarity in [0, 1].
pub fn jaro<T: PartialEq>(a: &[T], b: &[T]) -> f64 {
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let window = (a.len().max(b.len()) / 2).saturating_sub(1);
    let mut a_flags = vec![false; a.len()];
    let mut b_flags = vec![false; b.len()];
    let mut matches = 0usize;
    for (i, ca) in a.iter().enumerate() {
        let lo = i.saturating_sub(window);
        let hi = (i + window + 1).min(b.len());
        for j in lo..hi {
            if !b_flags[j] && b[j] == *ca {
                a_flags[i] = true;
                b_flags[j] = true;
                matches += 1;
                break;
            }
        }
    }
    if matches == 0 {
        return 0.0;
    }
    let mut transpositions = 0usize;
    let mut k = 0;
    for (i, ca) in a.iter().enumerate() {
        if a_flags[i] {
            while !b_flags[k] {
                k += 1;
            }
            if *ca != b[k] {
                transpositions += 1;
            }
            k += 1;
        }
    }
    let m = matches as f64;
    (m / a.len() as f64 + m / b.len() as f64 + (m - (transpositions / 2) as f64) / m) / 3.0
}

/// Jaro-Winkler similarity (prefix scale 0.1, prefix up to 4 characters).
pub fn jaro_winkler<T: PartialEq>(a: &[T], b: &[T]) -> f64 {
    let j = jaro(a, b);
    let prefix = a.iter().zip(b).take(4).take_while(|(x, y)| x == y).count();
    j + prefix as f64 * 0.1 * (1.0 - j)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The jellyfish 1.3.0 test vectors, copied into the repo (see the README there).
    const VECTORS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/jellyfish-1.3.0");

    fn rows(file: &str) -> Vec<(Vec<char>, Vec<char>, String)> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_path(format!("{VECTORS}/{file}"))
            .expect("jellyfish vectors");
        reader
            .records()
            .map(|r| {
                let r = r.expect("csv row");
                (
                    r[0].chars().collect(),
                    r[1].chars().collect(),
                    r[2].to_string(),
                )
            })
            .collect()
    }

    #[test]
    fn distances_match_jellyfish() {
        for (a, b, want) in rows("levenshtein.csv") {
            assert_eq!(levenshtein(&a, &b).to_string(), want, "{a:?} {b:?}");
        }
        for (a, b, want) in rows("damerau_levenshtein.csv") {
            assert_eq!(damerau_levenshtein(&a, &b).to_string(), want, "{a:?} {b:?}");
        }
    }

    #[test]
    fn osa_agrees_with_damerau_except_on_re_edited_transpositions() {
        let words = [
            "",
            "a",
            "ab",
            "ba",
            "abc",
            "acb",
            "kitten",
            "sitting",
            "friedrich",
            "fridrich",
            "ifhs",
            "fish",
        ];
        for a in words {
            for b in words {
                let (x, y): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
                let (osa, dl) = (osa_distance(&x, &y), damerau_levenshtein(&x, &y));
                assert!(osa >= dl && osa <= dl + 1, "{a} {b}");
                assert_eq!(osa, osa_distance_heap(&x, &y), "{a} {b}");
            }
        }
        let long: Vec<char> = "x".repeat(100).chars().collect();
        assert_eq!(osa_distance(&long, &long[1..]), 1);
    }

    #[test]
    fn similarities_match_jellyfish() {
        for (a, b, want) in rows("jaro_distance.csv") {
            let want: f64 = want.parse().expect("number");
            assert!((jaro(&a, &b) - want).abs() < 0.001, "{a:?} {b:?}");
        }
        for (a, b, want) in rows("jaro_winkler.csv") {
            let want: f64 = want.parse().expect("number");
            assert!(
                (jaro_winkler(&a, &b) - want).abs() < 0.001,
                "{a:?} {b:?} {}",
                jaro_winkler(&a, &b)
            );
        }
    }
}
