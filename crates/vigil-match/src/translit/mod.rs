//! Romanisation of non-Latin scripts and the spelling-insensitive keys that let names written
//! in different scripts and transliteration schemes meet.
//!
//! - Cyrillic: five iuliia schemes compiled into [`cyrillic_tables`] (ICAO Doc 9303, BGN/PCGN,
//!   GOST 7.79, scientific, Wikipedia) plus the Ukrainian, Belarusian, Serbian and Kazakh letters
//!   they lack. A Cyrillic word is romanised with all five and compared through every result.
//! - Greek: ELOT 743, classical and phonetic spellings ([`greek`]); Armenian and Georgian: one
//!   common scheme each.
//! - Arabic (and Persian/Urdu letters): the script writes no short vowels, so instead of guessing
//!   them we reduce both the Arabic word and any Latin word to a consonant *skeleton* in one
//!   shared alphabet ([`arabic_skeleton`], [`latin_skeleton`]) and compare skeletons; and
//!   [`arabic_latin_similarity`] aligns an Arabic part with a Latin spelling letter by letter,
//!   long vowels and unwritten short vowels included, which tells apart names a skeleton
//!   merges and finds renderings a skeleton misses.
//! - [`loose_key`]: a phonetic key for Latin spellings that folds the usual alternations
//!   (w/v, j/y/i, z/s, kh/h, ph/f, doubled letters) so "Wolodymyr Selenskyj" meets
//!   "Volodymyr Zelenskyy".

mod arabic_latin;
mod cantonese;
mod cyrillic_tables;
mod greek;
mod han;
mod hangul;
mod hebrew;
mod indic;
mod iuliia;
mod kana;

pub use arabic_latin::arabic_latin_similarity;
pub use cantonese::cantonese;
pub use greek::greek;
pub use han::{han, split_full_name as split_chinese_name};
pub use hangul::{hangul, split_full_name as split_korean_name};
pub use hebrew::{hebrew, hebrew_skeleton};
pub use indic::devanagari;
use iuliia::Scheme;
pub use kana::kana;

/// The distinct non-empty spellings among `forms`, in their order (the most usual first), at
/// most `max`: what every romaniser returns. `forms` is lazy, so spellings past `max` are
/// never built.
fn distinct_spellings(forms: impl IntoIterator<Item = String>, max: usize) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(max);
    for form in forms {
        if out.len() == max {
            break;
        }
        if !form.is_empty() && !out.contains(&form) {
            out.push(form);
        }
    }
    out
}

/// Test helper of the romanisers: `romanise(word)` includes every spelling of `wants`.
#[cfg(test)]
fn assert_renders(romanise: fn(&str) -> Vec<String>, word: &str, wants: &[&str]) {
    let got = romanise(word);
    for want in wants {
        assert!(
            got.iter().any(|g| g == want),
            "{word}: {got:?} lacks {want}"
        );
    }
}

/// Test helper of the romanisers: at most `max` spellings, distinct, non-empty, lower-case
/// ASCII letters only.
#[cfg(test)]
fn assert_well_formed(forms: &[String], max: usize) {
    assert!(forms.len() <= max, "{forms:?}");
    for (i, form) in forms.iter().enumerate() {
        assert!(!form.is_empty(), "{forms:?}");
        assert!(form.bytes().all(|b| b.is_ascii_lowercase()), "{form}");
        assert!(!forms[..i].contains(form), "{forms:?}");
    }
}

/// The Cyrillic schemes a name may have been romanised with.
pub const CYRILLIC_SCHEMES: [&Scheme; 5] = [
    &cyrillic_tables::ICAO_DOC_9303,
    &cyrillic_tables::BGN_PCGN,
    &cyrillic_tables::GOST_779,
    &cyrillic_tables::SCIENTIFIC,
    &cyrillic_tables::WIKIPEDIA,
];

/// Armenian to Latin (common passport practice: ժ zh, խ kh, ծ ts, ղ gh, շ sh, ու u).
pub fn armenian(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    let mut chars = word.chars().peekable();
    while let Some(c) = chars.next() {
        if c == 'ո' && chars.peek() == Some(&'ւ') {
            chars.next();
            out.push('u');
            continue;
        }
        out.push_str(match c {
            'ա' => "a",
            'բ' => "b",
            'գ' => "g",
            'դ' => "d",
            'ե' | 'է' => "e",
            'զ' => "z",
            'ը' => "y",
            'թ' | 'տ' => "t",
            'ժ' => "zh",
            'ի' => "i",
            'լ' => "l",
            'խ' => "kh",
            'ծ' | 'ց' => "ts",
            'կ' | 'ք' => "k",
            'հ' => "h",
            'ձ' => "dz",
            'ղ' => "gh",
            'ճ' | 'չ' => "ch",
            'մ' => "m",
            'յ' => "y",
            'ն' => "n",
            'շ' => "sh",
            'ո' | 'օ' => "o",
            'պ' | 'փ' => "p",
            'ջ' => "j",
            'ռ' | 'ր' => "r",
            'ս' => "s",
            'վ' | 'ւ' => "v",
            'ֆ' => "f",
            'և' => "ev",
            _ => "",
        });
    }
    out
}

/// Georgian (Mkhedruli) to Latin, national system without apostrophes.
pub fn georgian(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    for c in word.chars() {
        out.push_str(match c {
            'ა' => "a",
            'ბ' => "b",
            'გ' => "g",
            'დ' => "d",
            'ე' => "e",
            'ვ' => "v",
            'ზ' => "z",
            'თ' | 'ტ' => "t",
            'ი' => "i",
            'კ' | 'ქ' => "k",
            'ლ' => "l",
            'მ' => "m",
            'ნ' => "n",
            'ო' => "o",
            'პ' | 'ფ' => "p",
            'ჟ' => "zh",
            'რ' => "r",
            'ს' => "s",
            'უ' => "u",
            'ღ' => "gh",
            'ყ' => "q",
            'შ' => "sh",
            'ჩ' | 'ჭ' => "ch",
            'ც' | 'წ' => "ts",
            'ძ' => "dz",
            'ხ' => "kh",
            'ჯ' => "j",
            'ჰ' => "h",
            _ => "",
        });
    }
    out
}

/// Unifies Arabic letter variants that spellings mix freely (Persian yeh and keheh, alef
/// maksura, teh marbuta), after marks (harakat, hamza above/below) have been stripped.
pub fn arabic_canonical(folded: &str) -> String {
    folded
        .chars()
        .map(|c| match c {
            'ى' | 'ی' | 'ې' | 'ۍ' | 'ے' => 'ي',
            'ک' | 'ڪ' => 'ك',
            'ة' | 'ۀ' | 'ہ' | 'ھ' => 'ه',
            'ٱ' => 'ا',
            c => c,
        })
        .collect()
}

/// Readable romanisation of a canonical Arabic word, for explanations: consonants plus the
/// long vowels the script does write.
pub fn arabic_romanised(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    for (i, c) in word.chars().enumerate() {
        out.push_str(match c {
            'ا' => "a",
            'ب' => "b",
            'ت' | 'ٹ' | 'ټ' => "t",
            'ث' => "th",
            'ج' => "j",
            'ح' | 'ه' => "h",
            'خ' => "kh",
            'د' | 'ڈ' | 'ډ' => "d",
            'ذ' => "dh",
            'ر' | 'ڑ' | 'ړ' | 'ڕ' => "r",
            'ز' => "z",
            'ځ' => "dz",
            'څ' => "ts",
            'ښ' => "sh",
            'ږ' => "zh",
            'ڵ' => "l",
            'س' | 'ص' => "s",
            'ش' => "sh",
            'ض' => "d",
            'ط' => "t",
            'ظ' => "z",
            'غ' => "gh",
            'ف' | 'ڤ' => "f",
            'ق' => "q",
            'ك' => "k",
            'ل' => "l",
            'م' => "m",
            'ن' | 'ں' | 'ڼ' => "n",
            'و' if i == 0 => "w",
            'و' => "u",
            'ي' if i == 0 => "y",
            'ي' => "i",
            'پ' => "p",
            'چ' => "ch",
            'ژ' => "zh",
            'گ' | 'ګ' => "g",
            _ => "",
        });
    }
    out
}

/// The skeleton alphabet: one letter per Arabic consonant class (s and z merge: a Latin "s"
/// between vowels often renders ز, "Thérèse" = تيريز); vowels, w/y (which double as
/// long vowels), ayn and hamza are dropped, doubled letters collapse and a final h (teh marbuta,
/// "Fatimah"/"Fatima") is dropped. Only adjacent doubles collapse (shadda, "Hassan"): a dropped
/// vowel between two equal consonants keeps both (طبيب, "Tabib" → tbb).
fn finish_skeleton(raw: impl Iterator<Item = Option<char>>) -> String {
    let mut out = String::new();
    let mut last = None;
    for c in raw {
        if c.is_some() && c != last {
            out.extend(c);
        }
        last = c;
    }
    if out.len() > 1 && out.ends_with('h') {
        out.pop();
    }
    out
}

/// Consonant skeleton of a canonical Arabic-script word.
pub fn arabic_skeleton(word: &str) -> String {
    finish_skeleton(word.chars().map(|c| {
        Some(match c {
            'ب' | 'پ' => 'b',
            'ت' | 'ث' | 'ط' | 'ٹ' | 'ټ' => 't',
            'ج' | 'غ' | 'گ' | 'ګ' | 'ژ' | 'ږ' => 'j',
            'ح' | 'ه' => 'h',
            'خ' | 'ق' | 'ك' => 'k',
            'د' | 'ذ' | 'ض' | 'ڈ' | 'ډ' => 'd',
            'ر' | 'ڑ' | 'ړ' | 'ڕ' => 'r',
            'س' | 'ص' | 'ز' | 'ظ' | 'ځ' | 'څ' => 's',
            'ش' | 'چ' | 'ښ' => 'S',
            'ف' | 'ڤ' => 'f',
            'ل' | 'ڵ' => 'l',
            'م' => 'm',
            'ن' | 'ں' | 'ڼ' => 'n',
            _ => return None,
        })
    }))
}

/// Skeleton letters that renderings confuse: ق written g/gh, ذ written th/d, ش written s.
fn near(a: u8, b: u8) -> bool {
    matches!(
        (a.min(b), b.max(a)),
        (b'j', b'k') | (b'd', b't') | (b'S', b's') | (b'd', b's') | (b'h', b'k')
    )
}

/// Similarity of two skeletons: 1 − weighted edit distance / length, where confusable
/// letters ([`near`]) cost half a substitution.
pub fn skeleton_similarity(a: &str, b: &str) -> f64 {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a == b {
        return if a.is_empty() { 0.0 } else { 1.0 };
    }
    let longest = a.len().max(b.len());
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    if b.len() >= 64 {
        return 0.0;
    }
    let mut row = [0.0f64; 64];
    for (j, r) in row.iter_mut().enumerate().take(b.len() + 1) {
        *r = j as f64;
    }
    for (i, &x) in a.iter().enumerate() {
        let mut diag = row[0];
        row[0] = (i + 1) as f64;
        for (j, &y) in b.iter().enumerate() {
            let cost = if x == y {
                0.0
            } else if near(x, y) {
                0.5
            } else {
                1.0
            };
            let next = (row[j + 1] + 1.0).min(row[j] + 1.0).min(diag + cost);
            diag = row[j + 1];
            row[j + 1] = next;
        }
    }
    (1.0 - row[b.len()] / longest as f64).max(0.0)
}

/// Consonant skeleton of a folded Latin word, in the same alphabet as [`arabic_skeleton`].
pub fn latin_skeleton(word: &str) -> String {
    skeleton_of_latin(word, true)
}

/// The skeleton of a Latin word whose h-digraphs stand for two letters, or `None` when it has
/// none: "Lakhal" is لكحل (k + h), not l-kh-l; "Ishaq" is إسحاق (s + h), "Adham" أدهم.
pub fn latin_skeleton_letterwise(word: &str) -> Option<String> {
    let digraph = word.as_bytes().windows(2).any(|w| {
        w[1] == b'h' && matches!(w[0], b'k' | b's' | b'c' | b'g' | b'z' | b'd' | b't' | b'p')
    });
    digraph.then(|| skeleton_of_latin(word, false))
}

/// [`latin_skeleton`], reading h-digraphs as one letter or, without `digraphs`, as two.
fn skeleton_of_latin(word: &str, digraphs: bool) -> String {
    let b = word.as_bytes();
    let mut raw: Vec<Option<char>> = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let next = b.get(i + 1).copied().unwrap_or(b' ');
        let next = if !digraphs && next == b'h' {
            b' '
        } else {
            next
        };
        let (c, used) = match (b[i], next) {
            (b's', b'c') if digraphs && b.get(i + 2) == Some(&b'h') => (Some('S'), 3),
            (b's' | b'c', b'h') => (Some('S'), 2),
            (b'k', b'h') => (Some('k'), 2),
            (b'g' | b'z', b'h') | (b'd', b'j') => (Some('j'), 2),
            (b'd', b'h') => (Some('d'), 2),
            (b't', b'h') => (Some('t'), 2),
            (b'p', b'h') => (Some('f'), 2),
            (b'c', b'k') => (Some('k'), 2),
            (c, _) => (
                match c {
                    b'b' | b'p' => Some('b'),
                    b'c' | b'k' | b'q' => Some('k'),
                    b'g' | b'j' => Some('j'),
                    b'x' => Some('h'),
                    b'z' => Some('s'),
                    b'd' | b'f' | b'h' | b'l' | b'm' | b'n' | b'r' | b's' | b't' => Some(c as char),
                    _ => None,
                },
                1,
            ),
        };
        raw.push(c);
        i += used;
    }
    finish_skeleton(raw.into_iter())
}

/// Phonetic key of a folded Latin word (see the module comment).
pub fn loose_key(word: &str) -> String {
    let b = word.as_bytes();
    let mut out: Vec<u8> = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let next = b.get(i + 1).copied().unwrap_or(b' ');
        let (piece, used): (&[u8], usize) = match (c, next) {
            (b's', b'c') if b.get(i + 2) == Some(&b'h') => (b"s", 3),
            (b't', b's') if b.get(i + 2) == Some(&b'h') => (b"s", 3),
            (b'd', b'z') if b.get(i + 2) == Some(&b'h') => (b"i", 3),
            (b's' | b'c', b'h') | (b't', b's') => (b"s", 2),
            (b'k', b'h') => (b"h", 2),
            (b'z', b'h') | (b'd', b'j') => (b"i", 2),
            (b'p', b'h') => (b"f", 2),
            (b't' | b'd' | b'g', b'h') => (&b[i..=i], 2),
            (b'c', b'k') => (b"k", 2),
            (b'c', b'e' | b'i' | b'y') => (b"s", 1),
            (b'o', b'u') | (b'o', b'o') => (b"u", 2),
            (b'e', b'e') | (b'i', b'e') => (b"i", 2),
            (b'c' | b'q', _) => (b"k", 1),
            (b'x', _) => (b"ks", 1),
            (b'w', _) => (b"v", 1),
            (b'z', _) => (b"s", 1),
            (b'j' | b'y', _) => (b"i", 1),
            (b'h', _) if i > 0 => (b"", 1),
            _ => (&b[i..=i], 1),
        };
        for &p in piece {
            if out.last() != Some(&p) {
                out.push(p);
            }
        }
        i += used;
    }
    String::from_utf8(out).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::{strip_marks, tokenize};
    use proptest::prelude::*;

    #[test]
    fn iuliia_samples() {
        for (scheme, cyrillic, latin) in cyrillic_tables::SAMPLES {
            let s = CYRILLIC_SCHEMES
                .iter()
                .find(|s| s.name == *scheme)
                .expect("scheme");
            assert_eq!(s.transliterate(cyrillic), *latin, "{scheme}");
        }
    }

    #[test]
    fn small_alphabets() {
        assert_eq!(armenian("բարակ"), "barak");
        assert_eq!(armenian("նիկոլ"), "nikol");
        assert_eq!(georgian("ობამა"), "obama");
        assert_eq!(georgian("შალვა"), "shalva");
    }

    fn arabic(word: &str) -> String {
        arabic_canonical(&strip_marks(word))
    }

    #[test]
    fn skeletons_meet_across_scripts() {
        let cases = [
            ("محمد", "Mohammed"),
            ("مُحَمَّد", "Muhammad"),
            ("فرناندو", "Fernando"),
            ("بيريز", "Perez"),
            ("شفيق", "Shafiq"),
            ("حسين", "Hussein"),
            ("فاطمة", "Fatimah"),
            ("خالد", "Khaled"),
            ("جمال", "Djamel"),
        ];
        for (ar, la) in cases {
            let la = crate::text::fold_latin(&tokenize(la)[0].text, crate::text::Fold::Plain);
            assert_eq!(
                arabic_skeleton(&arabic(ar)),
                latin_skeleton(&la),
                "{ar} {la}"
            );
        }
    }

    #[test]
    fn loose_keys_fold_spelling_alternations() {
        let same = [
            ("volodymyr", "wolodymyr"),
            ("zelenskyy", "selenskyj"),
            ("sergey", "sergej"),
            ("ahmadinejad", "ahmadinezhad"),
            ("john", "jon"),
            ("qaddafi", "kadafi"),
        ];
        for (a, b) in same {
            assert_eq!(loose_key(a), loose_key(b), "{a} {b}");
        }
    }

    proptest! {
        #[test]
        fn never_panics(s in "\\PC{0,100}", c in proptest::collection::vec(any::<char>(), 0..200)) {
            let noisy: String = c.into_iter().collect();
            for input in [s.as_str(), noisy.as_str()] {
                for scheme in CYRILLIC_SCHEMES {
                    let _ = scheme.transliterate(input);
                }
                let _ = greek(input);
                let _ = armenian(input);
                let _ = georgian(input);
                let a = arabic_canonical(input);
                let _ = arabic_romanised(&a);
                let _ = arabic_skeleton(&a);
                let _ = skeleton_similarity(&a, input);
                let _ = latin_skeleton(input);
                let _ = loose_key(input);
            }
        }
    }
}
