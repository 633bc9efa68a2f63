//! Chinese characters read in Cantonese, spelled the way Hong Kong and Macau documents
//! spell names (the Hong Kong government's customary romanisation: 陳 Chan, 黃 Wong, 張 Cheung,
//! 徐 Tsui, 吳 Ng, 志偉 Chi Wai). Mandarin pinyin meets none of these, and a Hong Kong passport
//! holder on a list is written this way.
//!
//! Readings come from the rime-cantonese character dictionary (release ce0be9e, CC BY 4.0,
//! `data/rime-cantonese-ce0be9e_chars.tsv`), in Jyutping; the customary spelling is derived
//! from Jyutping syllable by syllable: initials b d g z c j become p t k ch/ts ch/ts y, and
//! finals take their customary forms (aa a, oeng eung, eoi ui, eon un, yu u, yun uen, ou o).

use std::collections::HashMap;
use std::sync::OnceLock;

use super::distinct_spellings;

const CHARS: &str = include_str!("../../data/rime-cantonese-ce0be9e_chars.tsv");
/// Most characters read: Chinese names have two to four.
const MAX_CHARS: usize = 8;
/// Readings a character keeps: the usual one and a second one where the dictionary weighs it.
const MAX_READINGS: usize = 2;
/// A reading the dictionary weighs below this share is a literary or rare one, not a name's.
const MIN_SHARE: u32 = 10;
const MAX_FORMS: usize = 2;

/// Jyutping readings (tone digits dropped) of each character, the usual one first.
fn readings() -> &'static HashMap<char, Vec<&'static str>> {
    static READINGS: OnceLock<HashMap<char, Vec<&'static str>>> = OnceLock::new();
    READINGS.get_or_init(|| {
        let mut out: HashMap<char, Vec<(u32, &'static str)>> = HashMap::new();
        for line in CHARS.lines() {
            let mut cols = line.split('\t');
            let (Some(character), Some(reading)) = (cols.next(), cols.next()) else {
                continue;
            };
            let mut chars = character.chars();
            let (Some(c), None) = (chars.next(), chars.next()) else {
                continue;
            };
            // A reading without a share is the character's only or principal one.
            let share = cols
                .next()
                .and_then(|s| s.trim_end_matches('%').parse::<u32>().ok())
                .unwrap_or(100);
            let syllable = reading.trim_end_matches(|d: char| d.is_ascii_digit());
            if share < MIN_SHARE || syllable.contains(' ') || syllable.is_empty() {
                continue;
            }
            let entry = out.entry(c).or_default();
            if !entry.iter().any(|(_, s)| *s == syllable) {
                entry.push((share, syllable));
            }
        }
        out.into_iter()
            .map(|(c, mut v)| {
                v.sort_by_key(|(share, _)| std::cmp::Reverse(*share));
                (
                    c,
                    v.into_iter().map(|(_, s)| s).take(MAX_READINGS).collect(),
                )
            })
            .collect()
    })
}

/// Jyutping initials, longest first.
const INITIALS: [&str; 19] = [
    "ng", "gw", "kw", "b", "p", "m", "f", "d", "t", "n", "l", "g", "k", "h", "w", "z", "c", "s",
    "j",
];

/// The customary spelling of one toneless Jyutping syllable; `ts`: z and c written ts (Tsang,
/// Tse, Tsui) rather than ch (Chan, Cheung, Chow), both current in Hong Kong.
fn customary(syllable: &str, ts: bool) -> String {
    if syllable == "ng" || syllable == "m" {
        return syllable.to_string();
    }
    let (initial, rest) = INITIALS
        .iter()
        .find_map(|i| syllable.strip_prefix(i).map(|rest| (*i, rest)))
        .unwrap_or(("", syllable));
    let affricate = if ts { "ts" } else { "ch" };
    let initial = match initial {
        "b" => "p",
        "d" => "t",
        "g" => "k",
        "gw" => "kw",
        "z" | "c" => affricate,
        // j before yu and i is the y of the final itself: 余 Yu, 兒 Yi.
        "j" if rest.starts_with('y') => "",
        "j" => "y",
        other => other,
    };
    let sibilant = matches!(initial, "ch" | "ts" | "s");
    let final_ = match rest {
        "aa" => "a",
        "aai" => "ai",
        "aau" => "au",
        "aam" => "am",
        "aan" => "an",
        "aang" => "ang",
        "aap" => "ap",
        "aat" => "at",
        "aak" => "ak",
        // 子 Tsz, 詩 Sze; 志 Chi.
        "i" if sibilant && initial != "ch" => "ze",
        "oeng" => "eung",
        "oek" => "euk",
        "oe" => "oe",
        "oet" => "eut",
        "eoi" => "ui",
        "eon" => "un",
        "eot" => "ut",
        "ou" => "o",
        "yu" if initial.is_empty() => "yu",
        "yu" => "u",
        "yun" if initial.is_empty() => "yuen",
        "yun" => "uen",
        "yut" if initial.is_empty() => "yuet",
        "yut" => "uet",
        other => other,
    };
    let spelled = format!("{initial}{final_}");
    // "tsze" for 子 but "sze" for 詩: the s of ts already hisses.
    if initial == "ts" && final_ == "ze" {
        return "tsz".to_string();
    }
    spelled
}

/// Cantonese renderings of a word of Chinese characters (other characters ignored), syllables
/// joined: with ch, then with ts for z and c, and with each character's second reading.
pub fn cantonese(word: &str) -> Vec<String> {
    let table = readings();
    let chars: Vec<&Vec<&str>> = word
        .chars()
        .filter_map(|c| table.get(&c))
        .take(MAX_CHARS)
        .collect();
    if chars.is_empty() {
        return Vec::new();
    }
    let spell = |ts: bool, alternative: Option<usize>| -> String {
        chars
            .iter()
            .enumerate()
            .map(|(i, readings)| {
                let reading = match alternative {
                    Some(k) if k == i => readings.get(1).or(readings.first()),
                    _ => readings.first(),
                };
                reading.map_or(String::new(), |r| customary(r, ts))
            })
            .collect()
    };
    let alternatives = (0..chars.len())
        .filter(|&i| chars[i].len() > 1)
        .map(|i| spell(false, Some(i)));
    distinct_spellings(
        [spell(false, None), spell(true, None)]
            .into_iter()
            .chain(alternatives),
        MAX_FORMS,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn hong_kong_spellings() {
        for (word, want) in [
            ("陳", "chan"),
            ("黃", "wong"),
            ("張", "cheung"),
            ("梁", "leung"),
            ("徐", "tsui"),
            ("吳", "ng"),
            ("何", "ho"),
            ("高", "ko"),
            ("袁", "yuen"),
            ("余", "yu"),
            ("朱", "chu"),
            ("志偉", "chiwai"),
            ("嘉麗", "kalai"),
            ("大文", "taiman"),
        ] {
            super::super::assert_renders(cantonese, word, &[want]);
        }
    }

    proptest! {
        #[test]
        fn any_input_gives_well_formed_spellings(
            s in "\\PC{0,40}",
            h in "[\u{4E00}-\u{9FFF}]{0,12}",
        ) {
            for input in [&s, &h] {
                super::super::assert_well_formed(&cantonese(input), MAX_FORMS);
            }
        }
    }
}
