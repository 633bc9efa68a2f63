//! Hangul to Latin under every system Korean names are written in: Revised Romanization
//! (South Korea since 2000), McCune–Reischauer (older South Korean documents, most Western
//! literature; its breves and apostrophes dropped, as passports and lists drop them), the
//! DPRK's own system (MR-like, ㅈ written "j": Kim Jong Un, Ri Sol Ju, Choe Ryong Hae), and the
//! customary spellings of family names that follow none of them (Lee, Park, Choi, Rhee).
//!
//! Korean names are romanised syllable by syllable (given names are often hyphenated or
//! spaced per syllable), so no sound changes across syllables are applied, except MR's
//! voicing of a plain consonant after a voiced sound, which is part of how MR spells.

/// Initial consonants in Unicode order: (RR, MR, DPRK).
const INITIALS: [(&str, &str, &str); 19] = [
    ("g", "k", "k"),
    ("kk", "kk", "kk"),
    ("n", "n", "n"),
    ("d", "t", "t"),
    ("tt", "tt", "tt"),
    ("r", "r", "r"),
    ("m", "m", "m"),
    ("b", "p", "p"),
    ("pp", "pp", "pp"),
    ("s", "s", "s"),
    ("ss", "ss", "ss"),
    ("", "", ""),
    ("j", "ch", "j"),
    ("jj", "tch", "jj"),
    ("ch", "ch", "ch"),
    ("k", "k", "k"),
    ("t", "t", "t"),
    ("p", "p", "p"),
    ("h", "h", "h"),
];

/// Vowels in Unicode order: (RR, MR and DPRK without marks).
const MEDIALS: [(&str, &str); 21] = [
    ("a", "a"),
    ("ae", "ae"),
    ("ya", "ya"),
    ("yae", "yae"),
    ("eo", "o"),
    ("e", "e"),
    ("yeo", "yo"),
    ("ye", "ye"),
    ("o", "o"),
    ("wa", "wa"),
    ("wae", "wae"),
    ("oe", "oe"),
    ("yo", "yo"),
    ("u", "u"),
    ("wo", "wo"),
    ("we", "we"),
    ("wi", "wi"),
    ("yu", "yu"),
    ("eu", "u"),
    ("ui", "ui"),
    ("i", "i"),
];

/// Final consonants in Unicode order (index 0: none), as pronounced at the end of a syllable.
const FINALS: [&str; 28] = [
    "", "k", "k", "k", "n", "n", "n", "t", "l", "k", "m", "l", "l", "l", "p", "l", "m", "p", "p",
    "t", "t", "ng", "t", "t", "k", "t", "p", "t",
];

/// One decomposed syllable: indices into the three tables.
#[derive(Clone, Copy)]
struct Syllable {
    initial: usize,
    medial: usize,
    last: usize,
}

const SYLLABLE_BASE: u32 = 0xAC00;
const SYLLABLES: u32 = 11_172;
/// Most syllables romanised: names have two to five.
const MAX_SYLLABLES: usize = 12;

fn syllables(word: &str) -> Vec<Syllable> {
    word.chars()
        .filter_map(|c| {
            let index = (c as u32).checked_sub(SYLLABLE_BASE)?;
            (index < SYLLABLES).then_some(Syllable {
                initial: (index / 588) as usize,
                medial: (index % 588 / 28) as usize,
                last: (index % 28) as usize,
            })
        })
        .take(MAX_SYLLABLES)
        .collect()
}

#[derive(Clone, Copy, PartialEq)]
enum System {
    Revised,
    McCune,
    Dprk,
}

/// Whether the sound before this syllable's initial is voiced (a vowel or a voiced final),
/// which is where MR writes ㄱ ㄷ ㅂ ㅈ as g d b j.
fn after_voiced(prev: Option<Syllable>) -> bool {
    prev.is_some_and(|p| matches!(FINALS[p.last], "" | "n" | "l" | "m" | "ng"))
}

fn romanise(syllables: &[Syllable], system: System) -> String {
    let mut out = String::with_capacity(syllables.len() * 4);
    let mut prev: Option<Syllable> = None;
    for &s in syllables {
        let (rr, mr, dprk) = INITIALS[s.initial];
        let initial = match system {
            System::Revised => rr,
            System::McCune | System::Dprk if after_voiced(prev) => match s.initial {
                0 => "g",
                3 => "d",
                7 => "b",
                12 => "j",
                _ => {
                    if system == System::McCune {
                        mr
                    } else {
                        dprk
                    }
                }
            },
            System::McCune => mr,
            System::Dprk => dprk,
        };
        // ㄹ opening a syllable after a consonant other than ㄹ is r; after ㄹ it is l (ll).
        let initial = if s.initial == 5 && prev.is_some_and(|p| FINALS[p.last] == "l") {
            "l"
        } else {
            initial
        };
        out.push_str(initial);
        let (rr_vowel, mr_vowel) = MEDIALS[s.medial];
        out.push_str(if system == System::Revised {
            rr_vowel
        } else {
            mr_vowel
        });
        out.push_str(FINALS[s.last]);
        prev = Some(s);
    }
    out
}

/// Customary spellings of family names that no system produces.
const CUSTOMARY: &[(char, &[&str])] = &[
    ('이', &["lee", "yi", "rhee", "ri"]),
    ('리', &["ri", "lee", "rhee"]),
    ('박', &["park", "pak", "bak"]),
    ('최', &["choi", "choe"]),
    ('백', &["baek", "paek", "paik", "baik"]),
    ('노', &["roh", "noh", "no"]),
    ('류', &["ryu", "yoo", "yu", "lyu"]),
    ('유', &["yoo", "yu"]),
    ('임', &["lim", "im", "rim"]),
    ('림', &["rim", "lim"]),
    ('라', &["ra", "na"]),
    ('나', &["na", "ra"]),
    ('양', &["yang", "ryang"]),
    ('량', &["ryang", "yang"]),
    ('신', &["shin", "sin"]),
    ('심', &["shim", "sim"]),
    ('허', &["heo", "hur", "huh"]),
    ('김', &["kim", "gim"]),
    ('우', &["woo", "u"]),
    ('주', &["joo", "ju", "chu"]),
    ('구', &["koo", "gu", "ku"]),
    ('추', &["choo", "chu"]),
    ('오', &["oh", "o"]),
    ('안', &["ahn", "an"]),
    ('손', &["son", "sohn"]),
    ('윤', &["yoon", "yun"]),
    ('정', &["jeong", "jung", "chung", "jong"]),
    ('성', &["sung", "seong", "song"]),
    ('전', &["jeon", "jun", "chun", "chon"]),
    ('천', &["cheon", "chun", "chon"]),
    ('선', &["sun", "seon", "son"]),
    ('석', &["seok", "suk", "sok"]),
    ('변', &["byun", "byeon", "pyon"]),
    ('현', &["hyun", "hyeon", "hyon"]),
    ('연', &["yeon", "yun", "yon"]),
    ('염', &["yeom", "yum", "yom"]),
    ('엄', &["eom", "um", "om"]),
    ('서', &["seo", "suh", "so"]),
    ('여', &["yeo", "yo"]),
    ('명', &["myung", "myeong", "myong"]),
    ('금', &["keum", "kum", "geum"]),
    ('은', &["eun", "un"]),
    ('진', &["jin", "chin"]),
    ('지', &["ji", "chi"]),
    ('조', &["cho", "jo"]),
    ('장', &["jang", "chang"]),
    ('제', &["je", "che"]),
    ('권', &["kwon", "gwon"]),
    ('곽', &["kwak", "gwak"]),
    ('고', &["ko", "go"]),
    ('공', &["kong", "gong"]),
    ('강', &["kang", "gang"]),
    ('길', &["gil", "kil"]),
    ('기', &["ki", "gi"]),
    ('국', &["kook", "guk", "kuk"]),
    ('경', &["kyung", "gyeong", "kyong"]),
    ('계', &["kye", "gye"]),
    ('배', &["bae", "pae"]),
    ('방', &["bang", "pang"]),
    ('반', &["ban", "pan"]),
    ('봉', &["bong", "pong"]),
    ('도', &["do", "to"]),
    ('동', &["dong", "tong"]),
    ('두', &["doo", "du", "tu"]),
    ('문', &["moon", "mun"]),
    ('민', &["min"]),
    ('하', &["ha"]),
    ('한', &["han"]),
    ('함', &["ham"]),
    ('황', &["hwang"]),
    ('홍', &["hong"]),
    ('송', &["song"]),
    ('남', &["nam"]),
    ('차', &["cha"]),
    ('채', &["chae"]),
    ('원', &["won"]),
    ('위', &["wi", "wee"]),
    ('표', &["pyo"]),
    ('탁', &["tak"]),
    ('마', &["ma"]),
    ('모', &["mo"]),
    ('소', &["so"]),
    ('설', &["seol", "sol", "sul"]),
    ('옥', &["ok"]),
    ('육', &["yuk"]),
    ('인', &["in"]),
    ('왕', &["wang"]),
    ('맹', &["maeng"]),
];

/// Latin renderings of a Hangul word (syllables; conjoining jamo are composed first by the
/// tokenizer's NFKC), the most usual first: Revised Romanization, McCune–Reischauer without
/// marks, the DPRK system, and for a one-syllable family name its customary spellings.
pub fn hangul(word: &str) -> Vec<String> {
    let s = syllables(word);
    if s.is_empty() {
        return Vec::new();
    }
    let mut out: Vec<String> = Vec::with_capacity(6);
    let mut push = |form: String| {
        if !form.is_empty() && !out.contains(&form) {
            out.push(form);
        }
    };
    if s.len() == 1 {
        if let Some((_, spellings)) = word
            .chars()
            .next()
            .and_then(|c| CUSTOMARY.iter().find(|(k, _)| *k == c))
        {
            for form in spellings.iter() {
                push((*form).to_string());
            }
        }
    }
    push(romanise(&s, System::Revised));
    push(romanise(&s, System::McCune));
    push(romanise(&s, System::Dprk));
    // ㅓ written "u" (Jung, Sung, Chun): common in South Korean passports before 2000.
    let eo_as_u: String = romanise(&s, System::Revised).replace("eo", "u");
    push(eo_as_u);
    out.truncate(8);
    out
}

/// Two-syllable family names (a small closed class).
const DOUBLE_FAMILY_NAMES: &[&str] = &[
    "남궁", "선우", "제갈", "황보", "독고", "사공", "서문", "동방", "어금", "망절", "소봉", "장곡",
];

/// A Hangul full name written as one word, split into family name and given name: the first
/// syllable, or the first two when they are a two-syllable family name and the word is long
/// enough to hold a given name too. Words of one or two syllables are not split (a given name
/// alone, or too ambiguous).
pub fn split_full_name(word: &str) -> Option<(&str, &str)> {
    let count = word.chars().count();
    if count < 3 || syllables(word).len() != count {
        return None;
    }
    let cut = |n: usize| word.char_indices().nth(n).map(|(i, _)| i);
    if count >= 4 {
        let two = cut(2)?;
        if DOUBLE_FAMILY_NAMES.contains(&&word[..two]) {
            return Some((&word[..two], &word[two..]));
        }
    }
    let one = cut(1)?;
    Some((&word[..one], &word[one..]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn has(word: &str, want: &str) -> bool {
        hangul(word).iter().any(|f| f == want)
    }

    #[test]
    fn systems() {
        for (word, wants) in [
            ("정은", &["jeongeun", "chongun", "jongun"][..]),
            ("길동", &["gildong", "kildong"]),
            ("김", &["kim", "gim"]),
            ("이", &["lee", "yi", "ri"]),
            ("박", &["park", "pak"]),
            ("최", &["choi", "choe"]),
            ("근혜", &["geunhye", "kunhye"]),
            ("명박", &["myeongbak", "myongbak"]),
            ("재인", &["jaein", "chaein"]),
            ("설주", &["seolju", "solju"]),
            ("룡해", &["ryonghae"]),
            ("문", &["moon", "mun"]),
        ] {
            for want in wants {
                assert!(has(word, want), "{word}: {:?} lacks {want}", hangul(word));
            }
        }
    }

    #[test]
    fn full_names() {
        assert_eq!(split_full_name("김정은"), Some(("김", "정은")));
        assert_eq!(split_full_name("남궁민수"), Some(("남궁", "민수")));
        assert_eq!(split_full_name("정은"), None);
        assert_eq!(split_full_name("김a은"), None);
    }

    proptest! {
        #[test]
        fn any_input_gives_ascii(s in "\\PC{0,40}", k in "[\u{AC00}-\u{D7A3}]{0,20}") {
            for input in [&s, &k] {
                let _ = split_full_name(input);
                for form in hangul(input) {
                    prop_assert!(form.bytes().all(|b| b.is_ascii_lowercase()));
                }
            }
        }
    }
}
