//! Chinese characters to Latin: Mandarin pinyin (the PRC's standard and most lists' spelling)
//! and Wade–Giles (Taiwan, older documents: Chiang Kai-shek, Mao Tse-tung), both without tones,
//! apostrophes or umlauts, as passports and lists write them.
//!
//! Readings come from the `pinyin` crate (MIT), whose tables are the maintained pinyin-data
//! set built from Unicode's Unihan database; simplified and traditional characters are both
//! covered. A family name on its own also gets its other readings (曾 Zeng or Ceng, 单 Shan
//! or Dan), since a character's most common reading is not always the one a family uses.
//! Wade–Giles is derived from pinyin syllable by syllable: the two systems spell the same
//! syllable inventory, so a conversion of initials and finals covers every syllable.

use pinyin::{ToPinyin, ToPinyinMulti};

/// Most characters read: Chinese names have two to four.
const MAX_CHARS: usize = 8;
/// Readings of a lone character (a family name) beyond the most common one.
const MAX_READINGS: usize = 3;

/// Pinyin initials, longest first, with their Wade–Giles spelling.
const INITIALS: [(&str, &str); 23] = [
    ("zh", "ch"),
    ("ch", "ch"),
    ("sh", "sh"),
    ("b", "p"),
    ("p", "p"),
    ("m", "m"),
    ("f", "f"),
    ("d", "t"),
    ("t", "t"),
    ("n", "n"),
    ("l", "l"),
    ("g", "k"),
    ("k", "k"),
    ("h", "h"),
    ("j", "ch"),
    ("q", "ch"),
    ("x", "hs"),
    ("r", "j"),
    ("z", "ts"),
    ("c", "ts"),
    ("s", "s"),
    ("y", "y"),
    ("w", "w"),
];

/// Wade–Giles spelling (apostrophes and umlauts dropped) of one toneless pinyin syllable.
fn wade_giles(syllable: &str) -> String {
    // Whole syllables that the initial + final rule gets wrong.
    let whole = match syllable {
        "zhi" => Some("chih"),
        "chi" => Some("chih"),
        "shi" => Some("shih"),
        "ri" => Some("jih"),
        "zi" => Some("tzu"),
        "ci" => Some("tzu"),
        "si" => Some("ssu"),
        "er" => Some("erh"),
        "yi" => Some("i"),
        "you" => Some("yu"),
        "yan" => Some("yen"),
        "ye" => Some("yeh"),
        "yong" => Some("yung"),
        "yu" | "yü" | "yv" => Some("yu"),
        "yue" | "yüe" => Some("yueh"),
        "yuan" => Some("yuan"),
        "yun" => Some("yun"),
        "e" => Some("o"),
        "ge" => Some("ko"),
        "ke" => Some("ko"),
        "he" => Some("ho"),
        "zhe" => Some("che"),
        "che" => Some("che"),
        "she" => Some("she"),
        "re" => Some("je"),
        "ze" => Some("tse"),
        "ce" => Some("tse"),
        "se" => Some("se"),
        "de" => Some("te"),
        "te" => Some("te"),
        "ne" => Some("ne"),
        "le" => Some("le"),
        "me" => Some("me"),
        _ => None,
    };
    if let Some(w) = whole {
        return w.to_string();
    }
    let (initial, rest) = INITIALS
        .iter()
        .find_map(|(p, w)| syllable.strip_prefix(p).map(|rest| (*w, rest)))
        .unwrap_or(("", syllable));
    let palatal = matches!(initial, "ch" | "hs") && syllable.starts_with(['j', 'q', 'x']);
    let final_ = match rest {
        "ong" => "ung",
        "iong" => "iung",
        "ian" => "ien",
        "ie" => "ieh",
        "ue" | "üe" | "ve" => "ueh",
        "ui" => "uei",
        "iu" => "iu",
        "un" if palatal => "un",
        "u" | "ü" | "v" if palatal => "u",
        "ü" | "v" => "u",
        "üan" | "van" => "uan",
        "ün" | "vn" => "un",
        "uo" if matches!(initial, "k" | "h" | "sh" | "ch") && !palatal => "uo",
        "uo" => "o",
        r => r,
    };
    format!("{initial}{final_}")
}

/// Toneless pinyin of one character's most common reading, `ü` written `u`.
fn reading(c: char) -> Option<String> {
    c.to_pinyin().map(|p| p.plain().replace('ü', "u"))
}

/// Latin renderings of a word of Chinese characters (other characters ignored), the most
/// usual first: pinyin joined, Wade–Giles joined, and for a lone character its other
/// readings.
pub fn han(word: &str) -> Vec<String> {
    let chars: Vec<char> = word
        .chars()
        .filter(|c| c.to_pinyin().is_some())
        .take(MAX_CHARS)
        .collect();
    let mut out: Vec<String> = Vec::new();
    let mut push = |form: String| {
        if !form.is_empty() && form.bytes().all(|b| b.is_ascii_lowercase()) && !out.contains(&form)
        {
            out.push(form);
        }
    };
    let syllables: Vec<String> = chars.iter().filter_map(|&c| reading(c)).collect();
    push(syllables.concat());
    push(syllables.iter().map(|s| wade_giles(s)).collect());
    if let [c] = chars.as_slice() {
        if let Some(multi) = c.to_pinyin_multi() {
            for p in multi.into_iter().take(MAX_READINGS + 1) {
                let plain = p.plain().replace('ü', "u");
                push(wade_giles(&plain));
                push(plain);
            }
        }
    }
    out.truncate(8);
    out
}

/// Two-character family names, simplified and traditional.
const COMPOUND_FAMILY_NAMES: &[&str] = &[
    "欧阳", "歐陽", "司马", "司馬", "诸葛", "諸葛", "上官", "司徒", "东方", "東方", "皇甫", "令狐",
    "公孙", "公孫", "慕容", "尉迟", "尉遲", "长孙", "長孫", "夏侯", "轩辕", "軒轅", "端木", "宇文",
    "西门", "西門", "南宫", "南宮", "独孤", "獨孤", "澹台", "申屠", "太史", "万俟", "闻人", "聞人",
    "司空", "呼延", "鲜于", "鮮于", "钟离", "鍾離", "百里", "东郭", "東郭",
];

/// A Chinese full name written as one word, split into family name and given name: the first
/// character, or the first two when they are a compound family name. Words of one or two
/// characters are not split (a given name alone is as likely as a two-character full name,
/// and the aligner joins "Li Peng" to meet 李鹏 whole).
pub fn split_full_name(word: &str) -> Option<(&str, &str)> {
    let count = word.chars().count();
    if !(3..=MAX_CHARS).contains(&count) || word.chars().any(|c| c.to_pinyin().is_none()) {
        return None;
    }
    let cut = |n: usize| word.char_indices().nth(n).map(|(i, _)| i);
    let two = cut(2)?;
    if COMPOUND_FAMILY_NAMES.contains(&&word[..two]) {
        return Some((&word[..two], &word[two..]));
    }
    let one = cut(1)?;
    Some((&word[..one], &word[one..]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn has(word: &str, want: &str) -> bool {
        han(word).iter().any(|f| f == want)
    }

    #[test]
    fn pinyin_and_wade_giles() {
        for (word, wants) in [
            ("习近平", &["xijinping", "hsichinping"][..]),
            ("近平", &["jinping", "chinping"]),
            ("毛泽东", &["maozedong", "maotsetung"]),
            ("蒋介石", &["jiangjieshi", "chiangchiehshih"]),
            ("李鹏", &["lipeng"]),
            ("曾", &["zeng"]),
        ] {
            for want in wants {
                assert!(has(word, want), "{word}: {:?} lacks {want}", han(word));
            }
        }
        for (pinyin, wg) in [
            ("zhou", "chou"),
            ("zhang", "chang"),
            ("qing", "ching"),
            ("xiao", "hsiao"),
            ("cong", "tsung"),
            ("zi", "tzu"),
            ("si", "ssu"),
            ("ri", "jih"),
            ("yan", "yen"),
            ("lue", "lueh"),
            ("guo", "kuo"),
            ("xiong", "hsiung"),
            ("jian", "chien"),
        ] {
            assert_eq!(wade_giles(pinyin), wg, "{pinyin}");
        }
    }

    #[test]
    fn full_names() {
        assert_eq!(split_full_name("习近平"), Some(("习", "近平")));
        assert_eq!(split_full_name("欧阳修"), Some(("欧阳", "修")));
        assert_eq!(split_full_name("李鹏"), None);
        assert!(has("欧阳", "ouyang"));
    }

    proptest! {
        #[test]
        fn any_input_gives_ascii(s in "\\PC{0,40}", h in "[\u{4E00}-\u{9FFF}]{0,12}") {
            for input in [&s, &h] {
                let _ = split_full_name(input);
                for form in han(input) {
                    prop_assert!(form.bytes().all(|b| b.is_ascii_lowercase()));
                }
            }
        }
    }
}
