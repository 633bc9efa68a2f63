//! Greek to Latin under the systems Greek names are actually written in: ELOT 743 / ISO 843
//! (Greek passports and the UN), the customary classical spellings of older documents and
//! the diaspora (Christos, Philippos, Demetrios, Papadopoulos), and a phonetic spelling that
//! writes every i-sound as "i" and χ as "h" (Hristos, Mitsotakis). A name is compared through
//! all three, since nothing in a Latin record says which one its clerk used.

use super::distinct_spellings;

/// How one Greek letter or digraph is written under each system.
#[derive(Clone, Copy)]
struct Rendering {
    elot: &'static str,
    classical: &'static str,
    phonetic: &'static str,
}

const fn same(all: &'static str) -> Rendering {
    Rendering {
        elot: all,
        classical: all,
        phonetic: all,
    }
}

const fn three(elot: &'static str, classical: &'static str, phonetic: &'static str) -> Rendering {
    Rendering {
        elot,
        classical,
        phonetic,
    }
}

/// Letters after which αυ and ευ are voiced (av, ev) in ELOT 743; before the others and at
/// the end of a word they are af, ef.
fn voiced(next: Option<char>) -> bool {
    matches!(
        next,
        Some(
            'α' | 'ε'
                | 'η'
                | 'ι'
                | 'ο'
                | 'υ'
                | 'ω'
                | 'β'
                | 'γ'
                | 'δ'
                | 'ζ'
                | 'λ'
                | 'μ'
                | 'ν'
                | 'ρ'
        )
    )
}

/// The rendering of the digraph starting at `i`, with how many letters it covers.
fn digraph(chars: &[char], i: usize) -> Option<(Rendering, usize)> {
    let second = *chars.get(i + 1)?;
    let after = chars.get(i + 2).copied();
    let initial = i == 0;
    Some(match (chars[i], second) {
        ('ο', 'υ') => (three("ou", "ou", "u"), 2),
        ('α', 'υ') if voiced(after) => (three("av", "au", "av"), 2),
        ('α', 'υ') => (three("af", "au", "af"), 2),
        ('ε', 'υ') if voiced(after) => (three("ev", "eu", "ev"), 2),
        ('ε', 'υ') => (three("ef", "eu", "ef"), 2),
        ('η', 'υ') => (three("iv", "eu", "iv"), 2),
        ('ε', 'ι') => (three("ei", "ei", "i"), 2),
        ('ο', 'ι') => (three("oi", "oi", "i"), 2),
        ('υ', 'ι') => (three("yi", "ui", "i"), 2),
        ('α', 'ι') => (three("ai", "ai", "e"), 2),
        ('μ', 'π') if initial => (three("b", "b", "b"), 2),
        ('μ', 'π') => (three("mp", "mp", "b"), 2),
        ('ν', 'τ') if initial => (three("d", "d", "d"), 2),
        ('ν', 'τ') => (three("nt", "nt", "nd"), 2),
        ('γ', 'γ') => (three("ng", "ng", "ng"), 2),
        ('γ', 'κ') if initial => (three("gk", "g", "g"), 2),
        ('γ', 'κ') => (three("gk", "nk", "ng"), 2),
        ('γ', 'χ') => (three("nch", "nch", "nh"), 2),
        ('τ', 'σ') => (three("ts", "ts", "ts"), 2),
        ('τ', 'ζ') => (three("tz", "tz", "tz"), 2),
        _ => return None,
    })
}

fn letter(c: char) -> Rendering {
    match c {
        'α' => same("a"),
        'β' => three("v", "b", "v"),
        'γ' => three("g", "g", "g"),
        'δ' => three("d", "d", "d"),
        'ε' => same("e"),
        'ζ' => same("z"),
        'η' => three("i", "e", "i"),
        'θ' => same("th"),
        'ι' => same("i"),
        'κ' => three("k", "c", "k"),
        'λ' => same("l"),
        'μ' => same("m"),
        'ν' => same("n"),
        'ξ' => three("x", "x", "ks"),
        'ο' | 'ω' => same("o"),
        'π' => same("p"),
        'ρ' => same("r"),
        'σ' | 'ς' => same("s"),
        'τ' => same("t"),
        'υ' => three("y", "y", "i"),
        'φ' => three("f", "ph", "f"),
        'χ' => three("ch", "ch", "h"),
        'ψ' => same("ps"),
        _ => same(""),
    }
}

/// Latin renderings of a lower-case Greek word without accents: ELOT 743 first, then the
/// classical and the phonetic spellings where they differ.
pub fn greek(word: &str) -> Vec<String> {
    let chars: Vec<char> = word.chars().take(64).collect();
    let (mut elot, mut classical, mut phonetic) = (String::new(), String::new(), String::new());
    let mut i = 0;
    while i < chars.len() {
        let (r, used) = digraph(&chars, i).unwrap_or((letter(chars[i]), 1));
        elot.push_str(r.elot);
        classical.push_str(r.classical);
        phonetic.push_str(r.phonetic);
        i += used;
    }
    distinct_spellings([elot, classical, phonetic], 3)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn names_in_every_system() {
        let cases: &[(&str, &[&str])] = &[
            ("κυριακος", &["kyriakos"]),
            ("μητσοτακης", &["mitsotakis"]),
            ("χρηστος", &["christos", "hristos"]),
            ("φιλιππος", &["filippos", "philippos"]),
            ("δημητριος", &["dimitrios", "demetrios"]),
            ("κωνσταντινος", &["konstantinos", "constantinos"]),
            ("παπαδοπουλος", &["papadopoulos", "papadopulos"]),
            ("γεωργιος", &["georgios"]),
            ("ευαγγελος", &["evangelos", "euangelos"]),
            ("μπακογιαννη", &["bakogianni"]),
            ("τσιπρας", &["tsipras"]),
            ("αλεξης", &["alexis", "aleksis"]),
        ];
        for (greek_word, want) in cases {
            let got = greek(greek_word);
            for w in *want {
                assert!(
                    got.iter().any(|g| g == w),
                    "{greek_word}: {got:?} lacks {w}"
                );
            }
        }
    }

    proptest! {
        #[test]
        fn any_input_gives_ascii(s in "\\PC{0,40}") {
            for form in greek(&s) {
                prop_assert!(form.bytes().all(|b| b.is_ascii_lowercase()));
            }
        }
    }
}
