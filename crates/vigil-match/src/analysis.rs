//! Name analysis: from a name string to the parts the comparer aligns.
//!
//! The stages, in order: [`tokenize`](crate::text::tokenize) (case folding, word boundaries),
//! [`parts`] (drop titles, recognise particles and Arabic articles, split "Abdulaziz" into
//! "abd" + "aziz", drop repeated parts), then [`Token::new`] per part: canonical spelling in
//! its own script, romanised forms (every Cyrillic scheme, ICAO and plain folding), phonetic
//! keys, Arabic consonant skeleton, variant and nickname groups and rarity weight. The original
//! script form is kept beside the romanised ones, so two Arabic names are still compared in
//! Arabic and an Arabic name against a Latin one through skeletons and variant groups.

use crate::canonical::canonical_forms;
use crate::lexicon::{is_patronymic, is_sun_article, particle, Lexicon, TITLES};
use crate::text::{fold_latin, tokenize, Fold, RawToken, Script};
use crate::translit::{
    arabic_romanised, arabic_skeleton, armenian, cantonese, devanagari, georgian, greek, han,
    hangul, hebrew, hebrew_skeleton, kana, latin_skeleton, latin_skeleton_letterwise, loose_key,
    split_chinese_name, split_korean_name, CYRILLIC_SCHEMES,
};

/// What role a part plays in a name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum Class {
    Word,
    /// A patronymic (Viktorovich): missing it costs less than missing a given name.
    Patronymic,
    /// A single letter standing for a part.
    Initial,
    /// bin/ibn, al/el, abu, van, de…: compared as a class, never decisive.
    Particle(&'static str),
}

/// One analysed name part. Interned by the index, so a part shared by many persons is
/// analysed and stored once.
#[derive(Clone, Debug)]
pub struct Token {
    /// Canonical spelling in the part's own script.
    pub text: Box<str>,
    pub script: Script,
    pub class: Class,
    /// Romanised spellings (lower-case ASCII); plain folding first.
    pub latin: Box<[Box<str>]>,
    /// Phonetic keys of the romanised spellings.
    pub keys: Box<[Box<str>]>,
    /// Arabic-compatible consonant skeletons (none for scripts we do not romanise). An Arabic
    /// word with the article has two: without it ("al-Bani" = "Bani") and with it, for Latin
    /// spellings that fuse the article ("Elbani", "Larbi") or names where ال is no article
    /// (الياس, Elias).
    pub skeletons: Box<[Box<str>]>,
    /// Variant group ids (sorted).
    pub groups: Box<[u32]>,
    /// Nickname group ids (sorted).
    pub nicks: Box<[u32]>,
    /// Rarity weight in [0.25, 1].
    pub weight: f32,
}

fn sorted(mut v: Vec<u32>) -> Box<[u32]> {
    v.sort_unstable();
    v.dedup();
    v.into_boxed_slice()
}

fn dedup_boxed(v: Vec<String>) -> Box<[Box<str>]> {
    let mut out: Vec<Box<str>> = Vec::with_capacity(v.len());
    for s in v {
        if !s.is_empty() && !out.iter().any(|o| **o == *s) {
            out.push(s.into_boxed_str());
        }
    }
    out.into_boxed_slice()
}

impl Token {
    /// Analyses one part (as produced by [`parts`]).
    pub fn new(raw: &RawToken) -> Token {
        let lex = Lexicon::get();
        let forms = canonical_forms(raw);
        let text = forms.first().cloned().unwrap_or_default();
        let latin: Vec<String> = match raw.script {
            Script::Latin => forms.clone(),
            Script::Cyrillic => CYRILLIC_SCHEMES
                .iter()
                .map(|s| fold_latin(&s.transliterate(&text), Fold::Plain))
                .collect(),
            Script::Greek => greek(&text),
            Script::Armenian => vec![armenian(&text)],
            Script::Georgian => vec![georgian(&text)],
            Script::Arabic => vec![arabic_romanised(&text)],
            // With its vowel points, which the canonical text has lost.
            Script::Hebrew => hebrew(&raw.text),
            Script::Hangul => hangul(&text),
            // Mandarin's two usual spellings (pinyin, Wade–Giles), then Cantonese (Hong Kong
            // and Macau documents), then Mandarin's other readings: the spellings retrieval
            // keys on include both languages.
            Script::Han => {
                let mut mandarin = han(&text);
                let rest = mandarin.split_off(mandarin.len().min(2));
                mandarin
                    .into_iter()
                    .chain(cantonese(&text))
                    .chain(rest)
                    .collect()
            }
            Script::Kana => kana(&text),
            Script::Devanagari => devanagari(&text),
            Script::Other => Vec::new(),
        };
        let latin = dedup_boxed(latin);
        let keys = if raw.script.is_romanised() {
            dedup_boxed(latin.iter().map(|l| loose_key(l)).collect())
        } else {
            Box::default()
        };
        let article_less =
            (raw.script == Script::Arabic && text.chars().count() >= 4 && text != "الله")
                .then(|| text.strip_prefix("ال"))
                .flatten();
        let skeletons = match raw.script {
            Script::Arabic => article_less
                .map(arabic_skeleton)
                .into_iter()
                .chain(std::iter::once(arabic_skeleton(&text)))
                .collect(),
            Script::Hebrew => vec![hebrew_skeleton(&text)],
            Script::Other => Vec::new(),
            _ => {
                let mut v: Vec<String> = latin
                    .first()
                    .map(|l| latin_skeleton(l))
                    .into_iter()
                    .collect();
                if raw.script == Script::Latin {
                    v.extend(latin.first().and_then(|l| latin_skeleton_letterwise(l)));
                }
                // Maghrebi spellings fuse "ben"/"bou" with the name ("Bendjemil" = بن جميل):
                // a habit of alphabets, not of romanised syllables (Korean "Binna").
                if !raw.script.compared_in_own_script() {
                    if let Some(rest) = latin.first().and_then(|l| fused_prefix_rest(l)) {
                        v.push(latin_skeleton(rest));
                    }
                }
                v
            }
        };
        let mut lookups: Vec<&str> = forms.iter().map(String::as_str).collect();
        lookups.extend(article_less);
        // A romanisation is looked up too, so that an unlisted spelling finds the name's
        // group. Not for the scripts compared in their own letters besides Arabic: their
        // romanisations are guesses (unwritten Hebrew vowels) or lose distinctions (정은 and
        // 종은 are both "chongun", a Han syllable belongs to hundreds of names), and a group
        // found through one would make two different names variants of each other.
        if raw.script != Script::Latin
            && (!raw.script.compared_in_own_script() || raw.script == Script::Arabic)
        {
            lookups.extend(latin.iter().map(|l| &**l));
        }
        let groups = sorted(lookups.iter().flat_map(|f| lex.groups(f)).collect());
        let nicks = sorted(
            latin
                .first()
                .map(|l| lex.nicknames(l).collect())
                .unwrap_or_default(),
        );
        let weight = lookups.iter().map(|f| lex.weight(f)).fold(1.0f32, f32::min);
        let class = if let Some(p) = particle(&text).filter(|_| !raw.word) {
            Class::Particle(p)
        } else if raw.script == Script::Latin && text.len() == 1 {
            Class::Initial
        } else if latin.first().is_some_and(|l| is_patronymic(l)) {
            Class::Patronymic
        } else {
            Class::Word
        };
        Token {
            text: text.into_boxed_str(),
            script: raw.script,
            class,
            latin,
            keys,
            skeletons: dedup_boxed(skeletons),
            groups,
            nicks,
            weight,
        }
    }

    /// A part made by joining adjacent parts ("Abdul" + "Rahman" against "Abdulrahman").
    pub fn joined(parts: &[&Token]) -> Token {
        // Built directly rather than through `Token::new`: the aligner tries joins for many
        // candidates per query, and the parts are already analysed.
        let text: String = parts.iter().map(|t| &*t.text).collect();
        let script = parts.first().map_or(Script::Latin, |t| t.script);
        let latin: String = parts
            .iter()
            .filter_map(|t| t.latin.first())
            .map(|l| &**l)
            .collect();
        let (keys, skeletons) = if script.is_romanised() {
            (vec![loose_key(&latin)], vec![latin_skeleton(&latin)])
        } else if script == Script::Arabic {
            let skeleton: String = parts
                .iter()
                .filter_map(|t| t.skeletons.first())
                .map(|s| &**s)
                .collect();
            (Vec::new(), vec![skeleton])
        } else {
            (Vec::new(), Vec::new())
        };
        let lex = Lexicon::get();
        let mut groups: Vec<u32> = lex.groups(&text).collect();
        if script != Script::Latin {
            groups.extend(lex.groups(&latin));
        }
        Token {
            script,
            class: Class::Word,
            latin: dedup_boxed(vec![latin]),
            keys: dedup_boxed(keys),
            skeletons: dedup_boxed(skeletons),
            groups: sorted(groups),
            nicks: Box::default(),
            weight: parts.iter().map(|p| p.weight).fold(0.0, f32::max),
            text: text.into_boxed_str(),
        }
    }

    pub fn is_word(&self) -> bool {
        !matches!(self.class, Class::Particle(_))
    }

    /// Romanised display form (falls back to the original script).
    pub fn display(&self) -> &str {
        self.latin.first().map_or(&*self.text, |l| l)
    }
}

/// The name after a fused Maghrebi particle: "bendjemil" → "djemil", "bouhafa" → "hafa".
fn fused_prefix_rest(word: &str) -> Option<&str> {
    ["ben", "bin", "bou", "abou", "abu", "ould"]
        .iter()
        .find_map(|p| word.strip_prefix(p))
        .filter(|rest| rest.len() >= 3)
}

/// Most parts of one name that are analysed.
const MAX_NAME_PARTS: usize = 24;

/// Latin "abd" compounds: "abdulaziz", "abdelkader", "abdurrahman" → ("abd", rest).
/// Abdullah/Abdallah stay whole: "allah" is not a separable name.
fn split_abd(word: &str) -> Option<&str> {
    let rest = word.strip_prefix("abd")?;
    if rest.len() < 5 || rest.contains("llah") && rest.len() <= 6 {
        return None;
    }
    let b = rest.as_bytes();
    let rest = if matches!(&rest[..2], "ul" | "el" | "al" | "ol" | "il") {
        &rest[2..]
    } else if matches!(b[0], b'u' | b'e' | b'o' | b'i' | b'a') && b[1] == b[2] {
        // Sun-letter assimilation: abd-ur-rahman written "abdurrahman".
        &rest[2..]
    } else if matches!(b[0], b'u' | b'o') {
        &rest[1..]
    } else {
        return None;
    };
    (rest.len() >= 3).then_some(rest)
}

/// A Latin word that fuses a patronymic particle with a name ("Benyoussef" = "Ben Youssef",
/// "Ouldabdallah", "Abubakar"): the particle and the name, when the word is no name the
/// lexicon knows but the rest is one. Both conditions matter: "Benjamin" and "Binyamin" are
/// names of their own, and "Bouteflika" leaves no known name behind. The Arabic article is
/// not split here ("Albert", "Alfred"): Arabic skeletons already see through a fused article.
fn split_fused_particle(word: &str) -> Option<(&'static str, &str)> {
    let (particle, rest) = ["ben", "bin", "ibn", "ould", "abou", "abu", "bou"]
        .iter()
        .find_map(|p| word.strip_prefix(p).map(|rest| (*p, rest)))?;
    let lex = Lexicon::get();
    (rest.len() >= 4 && !lex.is_known(word) && lex.is_known(rest)).then_some((particle, rest))
}

/// Splits a name into the parts to analyse: titles dropped (unless nothing else is left),
/// articles normalised, "abd" compounds and fused particles split, Korean and Chinese full
/// names written as one word split. Repeated parts are kept: "Chang Chang Ha" is not
/// "Chang Su Ha", and a doubled part that only one side has costs little.
pub fn parts(full: &str) -> Vec<RawToken> {
    let mut raw = tokenize(full);
    // No real name has more parts; the rest of a pathological input is ignored rather than
    // analysed (which also bounds the work one hostile query can cause).
    raw.truncate(MAX_NAME_PARTS);
    let one_word = raw.len() == 1;
    let lex = Lexicon::get();
    let mut out: Vec<RawToken> = Vec::with_capacity(raw.len() + 1);
    let has_non_title = raw
        .iter()
        .any(|t| !TITLES.contains(&canonical_forms(t)[0].as_str()));
    for t in raw {
        let canon = canonical_forms(&t).swap_remove(0);
        if has_non_title && TITLES.contains(&canon.as_str()) {
            continue;
        }
        if canon == "ben" && out.is_empty() && !t.hyphen_after {
            // "Ben" opening a name is the given name: "X ben Y" needs an X before it.
            out.push(RawToken { word: true, ..t });
            continue;
        }
        if t.script == Script::Latin && t.hyphen_after && is_sun_article(&canon) {
            out.push(RawToken {
                text: "al".into(),
                script: Script::Latin,
                hyphen_after: true,
                word: false,
            });
            continue;
        }
        if t.script == Script::Latin {
            if matches!(
                canon.as_str(),
                "abdul"
                    | "abdel"
                    | "abdal"
                    | "abdoul"
                    | "abdol"
                    | "abdil"
                    | "abdur"
                    | "abdus"
                    | "abdou"
                    | "abdu"
            ) {
                // "Abdul Aziz" = "Abd al-Aziz": the article belongs to the next part.
                out.push(RawToken {
                    text: "abd".into(),
                    script: Script::Latin,
                    hyphen_after: false,
                    word: false,
                });
                continue;
            }
            if let Some(rest) = split_abd(&canon) {
                out.push(RawToken {
                    text: "abd".into(),
                    script: Script::Latin,
                    hyphen_after: false,
                    word: false,
                });
                out.push(RawToken {
                    text: rest.into(),
                    script: Script::Latin,
                    hyphen_after: t.hyphen_after,
                    word: false,
                });
                continue;
            }
            if let Some((particle, rest)) = split_fused_particle(&canon) {
                for text in [particle, rest] {
                    out.push(RawToken {
                        text: text.into(),
                        script: Script::Latin,
                        hyphen_after: t.hyphen_after,
                        word: false,
                    });
                }
                continue;
            }
        }
        // 姓 ("surname") and 氏 ("clan"; "Mr" in Japanese) after a family name say what it is,
        // like a title: "张姓" is Zhang.
        let t = match t.text.strip_suffix(['姓', '氏']) {
            Some(name) if t.script == Script::Han && !name.is_empty() => RawToken {
                text: name.to_string(),
                ..t
            },
            _ => t,
        };
        // Korean and Chinese write a full name as one word, family name first. Only a name
        // that is that one word is split, and only when the word is no name the lexicon
        // knows: names written in several words (贝拉克·奥巴马, 버락 오바마) are foreign
        // names transcribed part by part.
        let split = match t.script {
            Script::Hangul | Script::Han if !one_word || lex.is_known(&t.text) => None,
            Script::Hangul => split_korean_name(&t.text),
            Script::Han => split_chinese_name(&t.text),
            _ => None,
        };
        if let Some((family, given)) = split {
            for text in [family, given] {
                out.push(RawToken {
                    text: text.into(),
                    ..t.clone()
                });
            }
            continue;
        }
        out.push(t);
    }
    out
}

/// Analyses a whole name.
pub fn analyse(full: &str) -> Vec<Token> {
    parts(full).iter().map(Token::new).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn words(full: &str) -> Vec<String> {
        analyse(full)
            .iter()
            .map(|t| format!("{}{}", if t.is_word() { "" } else { "~" }, t.text))
            .collect()
    }

    #[test]
    fn parts_of_names() {
        let cases: &[(&str, &[&str])] = &[
            ("Mr. Recep Tayyip Erdoğan", &["recep", "tayyip", "erdogan"]),
            (
                "'Abd al-Aziz al-Nuristani",
                &["abd", "~al", "aziz", "~al", "nuristani"],
            ),
            ("Abdulaziz", &["abd", "aziz"]),
            ("Abdurrahman", &["abd", "rahman"]),
            ("Abdullah", &["abdullah"]),
            ("SAIF-AD-DIN", &["saif", "~al", "din"]),
            ("عبد الرحمن", &["عبد", "الرحمن"]),
            ("Dr.", &["dr"]),
        ];
        for (full, want) in cases {
            assert_eq!(words(full), *want, "{full}");
        }
    }

    #[test]
    fn tokens_carry_romanisations() {
        let t = &analyse("Владимир")[0];
        assert!(t.latin.iter().any(|l| &**l == "vladimir"));
        let t = &analyse("Müller")[0];
        assert_eq!(&*t.latin[1], "mueller");
        let t = &analyse("محمد")[0];
        assert_eq!(&*t.skeletons[0], "mhmd");
        let t = &analyse("العربي")[0];
        assert_eq!(
            t.skeletons.iter().map(|s| &**s).collect::<Vec<_>>(),
            ["rb", "lrb"]
        );
        assert!(!t.groups.is_empty());
        assert_eq!(analyse("Viktorovich")[0].class, Class::Patronymic);
        assert_eq!(analyse("J.")[0].class, Class::Initial);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(32))]
        #[test]
        fn never_panics(
            s in "\\PC{0,80}",
            c in proptest::collection::vec(any::<char>(), 0..120),
            long in proptest::collection::vec(any::<char>(), 9_000..10_000),
            punct in "[-.,'/()\\s]{0,30}",
        ) {
            let noisy: String = c.into_iter().collect();
            let long: String = long.into_iter().collect();
            for input in [&s, &noisy, &long, &punct] {
                for t in analyse(input) {
                    let _ = Token::joined(&[&t, &t]);
                }
            }
        }
    }

    #[test]
    fn survives_huge_and_odd_input() {
        let long: String = "Абд-аль-Азиз Müller محمد 李 ".repeat(400);
        assert_eq!(analyse(&long).len(), MAX_NAME_PARTS);
        assert!(analyse("\u{0}\u{7}\u{202e}--..,,").is_empty());
        assert!(analyse(&"x".repeat(10_000)).len() == 1);
    }
}
