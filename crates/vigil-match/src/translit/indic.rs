//! Devanagari (Hindi, Marathi, Nepali) and the Brahmic scripts laid out in parallel to it
//! (Bengali, Gurmukhi, Gujarati, Oriya, Tamil, Telugu, Kannada, Malayalam) to Latin, for
//! matching Indian and Nepali names against their Latin spellings.
//!
//! The letters follow the Hunterian romanisation (the Government of India's, and the one
//! passports and lists use) without diacritics: each consonant carries an inherent "a" unless
//! a vowel sign or a virama replaces it, aspirates add "h" (kh, bh), श and ष are both "sh".
//! What decides whether a spelling matches is the inherent vowel, which Hindi does not always
//! pronounce and so a Latin spelling does not always write: it drops at the end of a word
//! (राहुल Rahul) but not after a consonant cluster (नरेन्द्र Narendra, कृष्ण Krishna), and in
//! the middle of a word between two vowelled syllables (कमला Kamla, राजकुमार Rajkumar). The
//! medial deletion is less settled (Kamala, Aravind are spelled too) and the Dravidian
//! languages keep every vowel, so the forms without it follow. Perso-Arabic names are
//! often written with e in their last syllable (मोहम्मद Mohammad, Mohammed).
//!
//! Unicode encodes the nine blocks in parallel (they descend from ISCII), so a letter of any
//! of them is read through its Devanagari counterpart at the same offset; the few letters
//! without one (Bengali khanda ta, Assamese ra and wa, Gurmukhi tippi and addak, Malayalam
//! chillus) are read first.

use super::distinct_spellings;

/// Only this many characters are read: names are short.
const MAX_CHARS: usize = 32;
/// How many renderings a word gets.
const MAX_FORMS: usize = 4;

const VIRAMA: char = '\u{094D}';
const NUKTA: char = '\u{093C}';

/// A letter of any parallel Brahmic block, moved to the Devanagari block.
fn to_devanagari(c: char) -> char {
    let u = c as u32;
    if (0x0980..0x0D80).contains(&u) {
        char::from_u32(0x0900 + (u & 0x7F)).unwrap_or(c)
    } else {
        c
    }
}

/// The block a word is written in, where it changes the reading.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Block {
    /// Devanagari and the other northern scripts: Hindi-like schwa deletion.
    North,
    /// Bengali: also writes w as ও/উ + য় (ওয়াং Wang) and its inherent vowel is an o.
    Bengali,
    /// Tamil: one letter for k and g (t/d, p/b), voiced after a vowel or a nasal, and ச s.
    Tamil,
    /// Telugu, Kannada, Malayalam: every inherent vowel said.
    South,
}

fn block(c: char) -> Option<Block> {
    Some(match c as u32 {
        0x0980..=0x09FF => Block::Bengali,
        0x0B80..=0x0BFF => Block::Tamil,
        0x0C00..=0x0D7F => Block::South,
        0x0900..=0x0B7F => Block::North,
        _ => return None,
    })
}

/// The Latin spelling of a consonant (Devanagari block, nukta letters precomposed).
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
        'ल' | 'ळ' => "l",
        // Tamil and Malayalam zha (Azhagiri).
        'ऴ' => "zh",
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

/// The nukta letter of a base letter (NFC writes them as letter + nukta).
fn with_nukta(c: char) -> char {
    match c {
        'क' => '\u{0958}',
        'ख' => '\u{0959}',
        'ग' => '\u{095A}',
        'ज' => '\u{095B}',
        'ड' => '\u{095C}',
        'ढ' => '\u{095D}',
        'फ' => '\u{095E}',
        'य' => '\u{095F}',
        c => c,
    }
}

/// A vowel, as an independent letter or a sign after a consonant: its spelling, and its
/// spelling with the long vowels doubled as names often have them (Deepak, Pooja).
fn vowel(c: char) -> Option<(&'static str, &'static str)> {
    Some(match c {
        'अ' => ("a", "a"),
        'आ' | 'ा' => ("a", "a"),
        'इ' | 'ि' => ("i", "i"),
        'ई' | 'ी' => ("i", "ee"),
        'उ' | 'ु' => ("u", "u"),
        'ऊ' | 'ू' => ("u", "oo"),
        'ऋ' | 'ृ' | 'ॠ' | 'ॄ' => ("ri", "ri"),
        'ऌ' | 'ॢ' => ("lri", "lri"),
        'ए' | 'े' | 'ऎ' | 'ॆ' | 'ऍ' | 'ॅ' => ("e", "e"),
        'ऐ' | 'ै' => ("ai", "ai"),
        'ओ' | 'ो' | 'ऒ' | 'ॊ' | 'ऑ' | 'ॉ' => ("o", "o"),
        'औ' | 'ौ' => ("au", "au"),
        _ => return None,
    })
}

/// Whether `c` is a vowel sign (written after a consonant) rather than a vowel letter.
fn is_sign(c: char) -> bool {
    matches!(c as u32, 0x093E..=0x094C | 0x0962 | 0x0963)
}

/// What follows a consonant.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum After {
    /// Nothing: the inherent vowel, said or not.
    Inherent,
    /// A vowel sign.
    Sign(&'static str, &'static str),
    /// Virama: no vowel, the consonant joins the next one.
    Virama,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Unit {
    /// A consonant (Devanagari block, nukta letters precomposed) and what follows it.
    Consonant(char, After),
    /// An independent vowel letter.
    Vowel(&'static str, &'static str),
    /// Anusvara, chandrabindu, Gurmukhi tippi: a nasal, m before a labial.
    Nasal,
    /// Visarga: h.
    Visarga,
    /// Gurmukhi addak: the next consonant is doubled.
    Double,
}

fn parse(word: &str) -> (Vec<Unit>, Block) {
    let mut units: Vec<Unit> = Vec::new();
    let mut script = None;
    let chars: Vec<char> = word.chars().take(MAX_CHARS).collect();
    let mut i = 0;
    while i < chars.len() {
        let raw = chars[i];
        i += 1;
        // Letters with no Devanagari counterpart at their offset.
        let special = match raw {
            // Bengali khanda ta; Assamese ra and wa.
            '\u{09CE}' => Some(Unit::Consonant('त', After::Virama)),
            '\u{09F0}' => Some(Unit::Consonant('र', After::Inherent)),
            '\u{09F1}' => Some(Unit::Consonant('व', After::Inherent)),
            '\u{0A70}' => Some(Unit::Nasal),
            '\u{0A71}' => Some(Unit::Double),
            // Malayalam chillus: a consonant with no vowel.
            '\u{0D7A}' | '\u{0D7B}' | '\u{0D54}' => Some(Unit::Consonant('न', After::Virama)),
            '\u{0D7C}' | '\u{0D4E}' => Some(Unit::Consonant('र', After::Virama)),
            '\u{0D7D}' | '\u{0D7E}' => Some(Unit::Consonant('ल', After::Virama)),
            '\u{0D7F}' => Some(Unit::Consonant('क', After::Virama)),
            _ => None,
        };
        if script.is_none() {
            script = block(raw);
        }
        if let Some(u) = special {
            units.push(u);
            continue;
        }
        let mut c = to_devanagari(raw);
        if chars.get(i).map(|&n| to_devanagari(n)) == Some(NUKTA) {
            c = with_nukta(c);
            i += 1;
        }
        if consonant(c).is_some() {
            units.push(Unit::Consonant(c, After::Inherent));
        } else if c == VIRAMA || (is_sign(c) && vowel(c).is_some()) {
            let after = match vowel(c) {
                Some((v, long)) if c != VIRAMA => After::Sign(v, long),
                _ => After::Virama,
            };
            match units.last_mut() {
                Some(Unit::Consonant(_, a @ After::Inherent)) => *a = after,
                // A stray sign still says its vowel; a stray virama nothing.
                _ => {
                    if let After::Sign(v, long) = after {
                        units.push(Unit::Vowel(v, long));
                    }
                }
            }
        } else if let Some((v, long)) = vowel(c) {
            units.push(Unit::Vowel(v, long));
        } else if matches!(c, 'ं' | 'ँ' | 'ऀ') {
            units.push(Unit::Nasal);
        } else if c == 'ः' {
            units.push(Unit::Visarga);
        }
    }
    (units, script.unwrap_or(Block::North))
}

/// How one rendering reads the word.
#[derive(Clone, Copy, Default)]
struct Options {
    /// Drop a word-final inherent vowel (not after a cluster).
    final_deletion: bool,
    /// Drop medial inherent vowels between vowelled syllables.
    medial_deletion: bool,
    /// Write the inherent vowel of a closed last syllable as e (Mohammed, Ahmed).
    last_e: bool,
    /// Double the long vowels (ee, oo).
    long: bool,
    /// फ as f (Farhan, Fernando), and in Bengali ভ as v (Olivia): the aspirate has become a
    /// fricative in much of the north and in the east.
    fricatives: bool,
    /// The inherent vowel as Bengali says it, o (Sourav, Jonson).
    inherent_o: bool,
    /// Tamil stops voiced after a vowel or a nasal (Murugan, Subramaniam).
    voiced: bool,
}

/// For each unit, whether its inherent vowel is left out.
fn deletions(units: &[Unit], o: Options) -> Vec<bool> {
    let n = units.len();
    let mut deleted = vec![false; n];
    let inherent = |k: usize| matches!(units.get(k), Some(Unit::Consonant(_, After::Inherent)));
    // The word's last sound: a consonant with its inherent vowel.
    let last = n.checked_sub(1).filter(|&k| inherent(k));
    if let Some(k) = last {
        let after_cluster = matches!(
            k.checked_sub(1).and_then(|p| units.get(p)),
            Some(Unit::Consonant(_, After::Virama))
        );
        let syllables = units
            .iter()
            .filter(|u| {
                matches!(u, Unit::Consonant(_, a) if *a != After::Virama)
                    || matches!(u, Unit::Vowel(..))
            })
            .count();
        if o.final_deletion && !after_cluster && syllables > 1 {
            deleted[k] = true;
        }
    }
    if !o.medial_deletion {
        return deleted;
    }
    // Right to left, so that the syllable after a candidate is settled: V C a C V loses its
    // a, and two in a row never go.
    for k in (1..n.saturating_sub(1)).rev() {
        if !inherent(k) {
            continue;
        }
        let voiced_before = match units.get(k - 1) {
            Some(Unit::Consonant(_, After::Sign(..))) | Some(Unit::Vowel(..)) => true,
            Some(Unit::Consonant(_, After::Inherent)) => !deleted[k - 1],
            _ => false,
        };
        let voiced_after = match units.get(k + 1) {
            Some(Unit::Consonant(_, After::Sign(..))) => true,
            Some(Unit::Consonant(_, After::Inherent)) => !deleted[k + 1],
            _ => false,
        };
        if voiced_before && voiced_after {
            deleted[k] = true;
        }
    }
    deleted
}

/// Whether a consonant is one of the labials, before which a nasal is m.
fn labial(c: char) -> bool {
    matches!(c, 'प' | 'फ' | 'ब' | 'भ' | 'म' | '\u{095E}')
}

/// The spelling of the consonant at `k` in this rendering.
fn spell(units: &[Unit], k: usize, c: char, script: Block, o: Options) -> &'static str {
    let latin = consonant(c).unwrap_or("");
    match (script, c) {
        (_, 'फ') if o.fricatives => return "f",
        (Block::Bengali, 'भ') if o.fricatives => return "v",
        // Tamil names write த th (Senthil, Muthu).
        (Block::Tamil, 'त') if !o.voiced => return "th",
        (Block::Tamil, 'च') => {
            let after_nasal = matches!(
                units.get(k.wrapping_sub(1)),
                Some(Unit::Consonant('ञ', After::Virama))
            );
            return if after_nasal { "j" } else { "s" };
        }
        _ => {}
    }
    if script == Block::Tamil && o.voiced {
        let prev = k.checked_sub(1).and_then(|p| units.get(p));
        let doubled = matches!(prev, Some(Unit::Consonant(p, After::Virama)) if *p == c)
            || matches!(units.get(k), Some(Unit::Consonant(_, After::Virama)))
                && matches!(units.get(k + 1), Some(Unit::Consonant(n, _)) if *n == c);
        let after_voice = match prev {
            None => false,
            Some(Unit::Consonant(p, After::Virama)) => {
                matches!(p, 'ङ' | 'ञ' | 'ण' | 'न' | 'म' | 'ऩ')
            }
            Some(Unit::Consonant(..) | Unit::Vowel(..) | Unit::Nasal) => true,
            _ => false,
        };
        if after_voice && !doubled {
            return match c {
                'क' => "g",
                'ट' | 'त' => "d",
                'प' => "b",
                _ => latin,
            };
        }
    }
    latin
}

fn render(units: &[Unit], script: Block, o: Options) -> String {
    let deleted = deletions(units, o);
    // The inherent vowel of a closed last syllable, for `last_e`.
    let last_e = o
        .last_e
        .then(|| {
            let n = units.len();
            let closing = n.checked_sub(1)?;
            let closed = matches!(
                units.get(closing),
                Some(Unit::Consonant(_, After::Inherent))
            ) && deleted.get(closing) == Some(&true);
            let k = closing.checked_sub(1)?;
            let open = matches!(units.get(k), Some(Unit::Consonant(_, After::Inherent)))
                && deleted.get(k) == Some(&false);
            (closed && open).then_some(k)
        })
        .flatten();
    let inherent = if o.inherent_o { 'o' } else { 'a' };
    let mut out = String::with_capacity(units.len() * 2);
    let mut double = false;
    let mut k = 0;
    while k < units.len() {
        let u = units[k];
        // Bengali w: ও or উ before য় and a vowel (ওয়াং Wang, ওয়াদা Wada), উ before a
        // vowel letter (উইলিয়াম William).
        if script == Block::Bengali {
            let w = match (u, units.get(k + 1)) {
                (
                    Unit::Vowel("o" | "u", _),
                    Some(Unit::Consonant('\u{095F}', After::Sign(v, l))),
                ) => Some((*v, *l)),
                (Unit::Vowel("u", _), Some(Unit::Vowel(v, l))) => Some((*v, *l)),
                _ => None,
            };
            if let Some((v, long)) = w {
                out.push('w');
                out.push_str(if o.long { long } else { v });
                k += 2;
                continue;
            }
        }
        match u {
            Unit::Consonant(c, after) => {
                let latin = spell(units, k, c, script, o);
                if double {
                    // Addak doubles the first letter of the consonant (pakka, not pakkha).
                    out.push_str(latin.get(..1).unwrap_or(""));
                    double = false;
                }
                // ज्ञ is said gy in Hindi (Gyan, Gyanesh).
                let gy = c == 'ज'
                    && after == After::Virama
                    && matches!(units.get(k + 1), Some(Unit::Consonant('ञ', _)));
                if gy {
                    out.push('g');
                    if let Some(Unit::Consonant(_, next)) = units.get(k + 1) {
                        out.push('y');
                        push_vowel(&mut out, *next, k + 1, &deleted, last_e, inherent, o);
                    }
                    k += 2;
                    continue;
                }
                out.push_str(latin);
                push_vowel(&mut out, after, k, &deleted, last_e, inherent, o);
            }
            Unit::Vowel(v, long) => out.push_str(if o.long { long } else { v }),
            Unit::Nasal => {
                let next = match units.get(k + 1) {
                    Some(Unit::Consonant(c, _)) => Some(*c),
                    _ => None,
                };
                // Bengali anusvara is ng (Bangla, Wang) where no velar follows to say it.
                let velar = matches!(next, Some('क' | 'ख' | 'ग' | 'घ'));
                out.push_str(match next {
                    Some(c) if labial(c) => "m",
                    _ if script == Block::Bengali && !velar => "ng",
                    _ => "n",
                });
            }
            Unit::Visarga => out.push('h'),
            Unit::Double => double = true,
        }
        k += 1;
    }
    out
}

fn push_vowel(
    out: &mut String,
    after: After,
    k: usize,
    deleted: &[bool],
    last_e: Option<usize>,
    inherent: char,
    o: Options,
) {
    match after {
        After::Inherent if Some(k) == last_e => out.push('e'),
        After::Inherent if !deleted.get(k).copied().unwrap_or(false) => out.push(inherent),
        After::Sign(v, long) => out.push_str(if o.long { long } else { v }),
        _ => {}
    }
}

/// Latin renderings of a word in Devanagari or a parallel Brahmic script (lower-case NFC;
/// other characters are ignored, at most 32 read): at most four distinct lower-case ASCII
/// forms, the likeliest first.
///
/// The Hindi reading comes first (final and medial inherent vowels dropped: राहुल "rahul",
/// कमला "kamla", नरेन्द्र "narendra" with the a kept after its cluster), then the readings that
/// keep the medial and the final one ("kamala"), then the e of Perso-Arabic names
/// (मोहम्मद "mohammad"/"mohammed"), f for फ, and doubled long vowels (दीपक "deepak").
/// Anusvara is n (m before a labial, ng in Bengali), chandrabindu n, visarga h, and the
/// nukta letters क़ q, ख़ kh, ग़ gh, ज़ z, फ़ f, ड़ r, ढ़ rh. Tamil, Telugu, Kannada and Malayalam
/// words keep their inherent vowels first.
pub fn devanagari(word: &str) -> Vec<String> {
    let (units, script) = parse(word);
    let hindi = Options {
        final_deletion: true,
        medial_deletion: true,
        ..Options::default()
    };
    let kept_medial = Options {
        medial_deletion: false,
        ..hindi
    };
    let kept = Options {
        final_deletion: false,
        ..kept_medial
    };
    let fricatives = Options {
        fricatives: true,
        ..hindi
    };
    let order: &[Options] = match script {
        Block::North => &[
            hindi,
            kept_medial,
            kept,
            Options {
                last_e: true,
                ..hindi
            },
            fricatives,
            Options {
                long: true,
                ..hindi
            },
        ],
        Block::Bengali => &[
            hindi,
            fricatives,
            Options {
                inherent_o: true,
                ..hindi
            },
            kept_medial,
            kept,
        ],
        Block::Tamil => &[
            Options {
                voiced: true,
                ..kept
            },
            kept,
            Options {
                voiced: true,
                ..hindi
            },
        ],
        Block::South => &[kept, hindi, kept_medial],
    };
    distinct_spellings(order.iter().map(|&o| render(&units, script, o)), MAX_FORMS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn assert_renders(word: &str, wants: &[&str]) {
        super::super::assert_renders(devanagari, word, wants);
    }

    #[test]
    fn hindi_names() {
        let cases: &[(&str, &[&str])] = &[
            ("नरेन्द्र", &["narendra"]),
            ("मोदी", &["modi"]),
            ("राहुल", &["rahul"]),
            ("अमित", &["amit"]),
            ("शाह", &["shah"]),
            ("मोहम्मद", &["mohammad", "mohammed"]),
            ("कृष्ण", &["krishna"]),
            ("लक्ष्मी", &["lakshmi"]),
            ("अंबानी", &["ambani"]),
            ("संजय", &["sanjay"]),
            ("कमला", &["kamla", "kamala"]),
            ("राजकुमार", &["rajkumar"]),
            ("रामचन्द्र", &["ramchandra", "ramachandra"]),
            ("प्रकाश", &["prakash"]),
            ("बच्चन", &["bachchan"]),
            ("दीपक", &["dipak", "deepak"]),
            ("ज्ञानेश्वर", &["gyaneshvar"]),
            ("दुःख", &["duhkh"]),
            ("चाँद", &["chand"]),
        ];
        for (word, wants) in cases {
            assert_renders(word, wants);
        }
        assert_eq!(
            devanagari("राहुल").first().map(String::as_str),
            Some("rahul")
        );
    }

    #[test]
    fn nukta_letters_precomposed_or_not() {
        // NFC writes them as letter + nukta; the precomposed letters are read too.
        assert_renders("ज़ाकिर", &["zakir"]);
        assert_renders("\u{095B}ाकिर", &["zakir"]);
        assert_renders("क़ादिर", &["qadir"]);
        assert_renders("फ़ैसल", &["faisal"]);
        assert_renders("पहाड़", &["pahar"]);
        assert_renders("ग़ालिब", &["ghalib"]);
    }

    #[test]
    fn other_brahmic_scripts() {
        // Bengali.
        assert_renders("রহমান", &["rahman", "rahaman"]);
        assert_renders("বাংলা", &["bangla"]);
        assert_renders("ওয়াং", &["wang"]);
        assert_renders("সৌরভ", &["saurav"]);
        // Gurmukhi, with tippi and addak.
        assert_renders("ਸਿੰਘ", &["singh"]);
        assert_renders("ਪੱਕਾ", &["pakka"]);
        // Tamil, Telugu, Malayalam.
        assert_renders("முருகன்", &["murugan"]);
        assert_renders("செந்தில்", &["senthil"]);
        assert_renders("రామారావు", &["ramaravu"]);
        assert_renders("മോഹൻലാൽ", &["mohanlal"]);
    }

    #[test]
    fn nothing_to_read() {
        for word in ["", "abc", "\u{094D}", "।", "123"] {
            assert!(devanagari(word).is_empty(), "{word}");
        }
        assert_eq!(devanagari("ि"), ["i"]);
    }

    #[test]
    fn long_input_is_cut() {
        let forms = devanagari(&"नरेन्द्र".repeat(10_000));
        assert!(!forms.is_empty() && forms.len() <= MAX_FORMS);
        assert!(forms.iter().all(|f| f.len() < 100));
    }

    proptest! {
        #[test]
        fn any_input_gives_distinct_ascii(
            s in "\\PC{0,40}",
            d in "[\u{0900}-\u{0D7F}]{0,40}",
            c in proptest::collection::vec(any::<char>(), 0..60),
        ) {
            let noisy: String = c.into_iter().collect();
            for input in [&s, &d, &noisy] {
                let forms = devanagari(input);
                super::super::assert_well_formed(&forms, MAX_FORMS);
            }
        }
    }
}
