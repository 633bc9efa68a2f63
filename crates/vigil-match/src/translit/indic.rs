//! Brahmic scripts (Devanagari for Hindi, Marathi and Nepali; Bengali, Gurmukhi, Gujarati,
//! Oriya, Tamil, Telugu, Kannada, Malayalam) to Latin, the way Indian and Nepali passports and
//! lists spell names: each consonant with its inherent "a" unless a vowel sign or virama
//! replaces it, without the diacritics of scholarly schemes (ISO 15919, IAST).
//!
//! Unicode lays the nine blocks out in parallel (they descend from ISCII), so a letter of any
//! of them is read through its Devanagari counterpart at the same offset. Hindi drops the
//! inherent vowel at the end of a word (राहुल Rahul, not Rahula); a second rendering keeps it,
//! as Sanskrit-style and South Indian spellings do (Krishna, Rama).

/// Most letters read: names are short.
const MAX_LETTERS: usize = 32;

/// A letter of any Brahmic block, moved to the Devanagari block.
fn to_devanagari(c: char) -> char {
    let u = c as u32;
    if (0x0980..0x0D80).contains(&u) {
        char::from_u32(0x0900 + (u & 0x7F)).unwrap_or(c)
    } else {
        c
    }
}

/// The Latin spelling of a consonant (without its vowel).
fn consonant(c: char) -> Option<&'static str> {
    Some(match c {
        'क' => "k",
        'ख' => "kh",
        'ग' => "g",
        'घ' => "gh",
        'ङ' => "n",
        'च' => "ch",
        'छ' => "chh",
        'ज' => "j",
        'झ' => "jh",
        'ञ' => "n",
        'ट' => "t",
        'ठ' => "th",
        'ड' => "d",
        'ढ' => "dh",
        'ण' => "n",
        'त' => "t",
        'थ' => "th",
        'द' => "d",
        'ध' => "dh",
        'न' | 'ऩ' => "n",
        'प' => "p",
        'फ' => "ph",
        'ब' => "b",
        'भ' => "bh",
        'म' => "m",
        'य' => "y",
        'र' | 'ऱ' => "r",
        'ल' | 'ळ' | 'ऴ' => "l",
        'व' => "v",
        'श' | 'ष' => "sh",
        'स' => "s",
        'ह' => "h",
        '\u{0958}' => "q",
        '\u{0959}' => "kh",
        '\u{095A}' => "gh",
        '\u{095B}' => "z",
        '\u{095C}' => "r",
        '\u{095D}' => "rh",
        '\u{095E}' => "f",
        '\u{095F}' => "y",
        _ => return None,
    })
}

/// Independent vowels.
fn vowel(c: char) -> Option<&'static str> {
    Some(match c {
        'अ' => "a",
        'आ' => "a",
        'इ' => "i",
        'ई' => "i",
        'उ' => "u",
        'ऊ' => "u",
        'ऋ' => "ri",
        'ए' => "e",
        'ऐ' => "ai",
        'ओ' => "o",
        'औ' => "au",
        'ऑ' => "o",
        'ऍ' => "e",
        _ => return None,
    })
}

/// Vowel signs after a consonant.
fn vowel_sign(c: char) -> Option<&'static str> {
    Some(match c {
        'ा' => "a",
        'ि' | 'ी' => "i",
        'ु' | 'ू' => "u",
        'ृ' => "ri",
        'े' => "e",
        'ै' => "ai",
        'ो' => "o",
        'ौ' => "au",
        'ॉ' => "o",
        'ॅ' => "e",
        _ => return None,
    })
}

const VIRAMA: char = '\u{094D}';
const NUKTA: char = '\u{093C}';

/// One rendering; `final_a`: keep the inherent vowel of the last consonant.
fn render(word: &str, final_a: bool) -> String {
    // Nukta letters written as letter + nukta become the precomposed ones.
    let chars: Vec<char> = word
        .chars()
        .map(to_devanagari)
        .take(MAX_LETTERS * 2)
        .collect();
    let mut out = String::new();
    // Whether the last thing written is a consonant still carrying its inherent vowel.
    let mut pending = false;
    let mut i = 0;
    while i < chars.len() {
        let mut c = chars[i];
        if chars.get(i + 1) == Some(&NUKTA) {
            c = match c {
                'क' => '\u{0958}',
                'ख' => '\u{0959}',
                'ग' => '\u{095A}',
                'ज' => '\u{095B}',
                'ड' => '\u{095C}',
                'ढ' => '\u{095D}',
                'फ' => '\u{095E}',
                c => c,
            };
            i += 1;
        }
        if let Some(k) = consonant(c) {
            if pending {
                out.push('a');
            }
            out.push_str(k);
            pending = true;
        } else if let Some(v) = vowel_sign(c) {
            out.push_str(v);
            pending = false;
        } else if c == VIRAMA {
            pending = false;
        } else if let Some(v) = vowel(c) {
            if pending {
                out.push('a');
            }
            out.push_str(v);
            pending = false;
        } else if matches!(c, 'ं' | 'ँ' | 'ऽ') {
            if pending {
                out.push('a');
                pending = false;
            }
            // Anusvara before a labial is m (Ambani, Kumbh), otherwise n.
            if c != 'ऽ' {
                let labial = chars
                    .get(i + 1)
                    .is_some_and(|&n| matches!(n, 'प' | 'फ' | 'ब' | 'भ' | 'म'));
                out.push(if labial && c == 'ं' { 'm' } else { 'n' });
            }
        } else if c == 'ः' {
            if pending {
                out.push('a');
                pending = false;
            }
            out.push('h');
        }
        i += 1;
    }
    if pending && final_a {
        out.push('a');
    }
    out
}

/// Latin renderings of a word in a Brahmic script, the most usual first: the final inherent
/// vowel dropped (Hindi), then kept; with "w" for व and "ee"/"oo" for long i and u where a
/// name commonly has them, only through the phonetic keys the engine derives later.
pub fn devanagari(word: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for final_a in [false, true] {
        let form = render(word, final_a);
        if !form.is_empty() && !out.contains(&form) {
            out.push(form);
        }
    }
    // व is written "w" as often as "v" (Ashwin, Vishwanath).
    if let Some(w) = out
        .first()
        .filter(|f| f.contains('v'))
        .map(|f| f.replace('v', "w"))
    {
        if !out.contains(&w) {
            out.push(w);
        }
    }
    out.truncate(4);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn names() {
        for (word, want) in [
            ("नरेन्द्र", "narendra"),
            ("मोदी", "modi"),
            ("राहुल", "rahul"),
            ("अमित", "amit"),
            ("शाह", "shah"),
            ("मोहम्मद", "mohammad"),
            ("कृष्ण", "krishna"),
            ("लक्ष्मी", "lakshmi"),
            ("अंबानी", "ambani"),
            ("ज़ाकिर", "zakir"),
            // Bengali, through the parallel block.
            ("রহমান", "rahaman"),
        ] {
            let got = devanagari(word);
            assert!(
                got.iter().any(|g| g == want),
                "{word}: {got:?} lacks {want}"
            );
        }
    }

    proptest! {
        #[test]
        fn any_input_gives_ascii(s in "\\PC{0,40}", d in "[\u{0900}-\u{0D7F}]{0,30}") {
            for input in [&s, &d] {
                for form in devanagari(input) {
                    prop_assert!(form.bytes().all(|b| b.is_ascii_lowercase()), "{form}");
                }
            }
        }
    }
}
