//! Han characters to the Latin spellings Chinese names are actually found under, because a list
//! may hold 毛泽东 while a passport, a press report or an older record says "Mao Zedong" or
//! "Mao Tse-tung", and nothing in either says which system was used.
//!
//! - Mandarin readings come from the pinyin-data tables (themselves drawn from Unicode's
//!   Unihan database, kMandarin and related fields) as compiled into the `pinyin` crate
//!   (mozillazg/rust-pinyin, MIT licence). The data lists a character's readings most usual
//!   first and covers simplified and traditional forms alike, so 習近平 and 习近平 meet.
//! - Hanyu Pinyin without tones is how the mainland, and most lists since the 1980s, write
//!   names; Wade–Giles is how Taiwan, the press before 1979 and many archives wrote them
//!   (Chiang Kai-shek's name in Wade–Giles is "Chiang Chieh-shih"). Wade–Giles is derived from
//!   the pinyin syllable by rule, not looked up, so every syllable the data can produce gets a
//!   rendering. Apostrophes, umlauts and hyphens are dropped because Latin records drop them.
//! - A character read differently as a family name (曾 Zeng, 单 Shan, 解 Xie, 尉迟 Yuchi) is
//!   given its family-name reading too: the data's most usual reading is the one of ordinary
//!   words, not of names. Each such reading is one the data itself lists for the character.
//! - Cantonese (Hong Kong, Macau) and Postal spellings are not produced: the `pinyin`
//!   crate has no such data and guessing them would add false matches, not true ones.

use pinyin::{ToPinyin, ToPinyinMulti};
use unicode_script::{Script, UnicodeScript};

/// A name part longer than this is no personal name; bounding it keeps index builds linear.
const MAX_CHARS: usize = 8;
/// How far into a word to look for Han characters, so a huge non-Han string costs nothing.
const MAX_SCAN: usize = 64;
/// Enough for the pinyin and Wade–Giles of the usual and the family-name readings plus a few
/// heteronyms; more renderings would mostly add false candidates.
const MAX_RENDERINGS: usize = 8;
/// Readings of a lone character beyond the third are literary or archaic, not names.
const MAX_SINGLE_READINGS: usize = 3;

/// Two-character family names with their readings as family names (万俟 is Moqi, not Wansi;
/// 尉迟 Yuchi, not Weichi). Both simplified and traditional spellings are listed where they
/// differ; 萬俟 is left out because the data gives 萬 no "mo" and the name is written 万俟
/// even in traditional texts.
static COMPOUND_SURNAMES: &[([char; 2], [&str; 2])] = &[
    (['欧', '阳'], ["ou", "yang"]),
    (['歐', '陽'], ["ou", "yang"]),
    (['司', '马'], ["si", "ma"]),
    (['司', '馬'], ["si", "ma"]),
    (['诸', '葛'], ["zhu", "ge"]),
    (['諸', '葛'], ["zhu", "ge"]),
    (['上', '官'], ["shang", "guan"]),
    (['司', '徒'], ["si", "tu"]),
    (['东', '方'], ["dong", "fang"]),
    (['東', '方'], ["dong", "fang"]),
    (['皇', '甫'], ["huang", "fu"]),
    (['令', '狐'], ["ling", "hu"]),
    (['公', '孙'], ["gong", "sun"]),
    (['公', '孫'], ["gong", "sun"]),
    (['慕', '容'], ["mu", "rong"]),
    (['尉', '迟'], ["yu", "chi"]),
    (['尉', '遲'], ["yu", "chi"]),
    (['长', '孙'], ["zhang", "sun"]),
    (['長', '孫'], ["zhang", "sun"]),
    (['夏', '侯'], ["xia", "hou"]),
    (['轩', '辕'], ["xuan", "yuan"]),
    (['軒', '轅'], ["xuan", "yuan"]),
    (['端', '木'], ["duan", "mu"]),
    (['宇', '文'], ["yu", "wen"]),
    (['西', '门'], ["xi", "men"]),
    (['西', '門'], ["xi", "men"]),
    (['南', '宫'], ["nan", "gong"]),
    (['南', '宮'], ["nan", "gong"]),
    (['独', '孤'], ["du", "gu"]),
    (['獨', '孤'], ["du", "gu"]),
    (['澹', '台'], ["tan", "tai"]),
    (['澹', '臺'], ["tan", "tai"]),
    (['申', '屠'], ["shen", "tu"]),
    (['太', '史'], ["tai", "shi"]),
    (['万', '俟'], ["mo", "qi"]),
    (['闻', '人'], ["wen", "ren"]),
    (['聞', '人'], ["wen", "ren"]),
    (['单', '于'], ["chan", "yu"]),
    (['單', '于'], ["chan", "yu"]),
    (['呼', '延'], ["hu", "yan"]),
    (['赫', '连'], ["he", "lian"]),
    (['赫', '連'], ["he", "lian"]),
    (['钟', '离'], ["zhong", "li"]),
    (['鍾', '離'], ["zhong", "li"]),
    (['濮', '阳'], ["pu", "yang"]),
    (['濮', '陽'], ["pu", "yang"]),
    (['淳', '于'], ["chun", "yu"]),
    (['鲜', '于'], ["xian", "yu"]),
    (['鮮', '于'], ["xian", "yu"]),
    (['公', '羊'], ["gong", "yang"]),
    (['公', '冶'], ["gong", "ye"]),
    (['宗', '政'], ["zong", "zheng"]),
    (['仲', '孙'], ["zhong", "sun"]),
    (['仲', '孫'], ["zhong", "sun"]),
    (['东', '郭'], ["dong", "guo"]),
    (['東', '郭'], ["dong", "guo"]),
    (['司', '空'], ["si", "kong"]),
    (['拓', '跋'], ["tuo", "ba"]),
    (['乐', '正'], ["yue", "zheng"]),
    (['樂', '正'], ["yue", "zheng"]),
    (['闾', '丘'], ["lü", "qiu"]),
    (['閭', '丘'], ["lü", "qiu"]),
    (['颛', '孙'], ["zhuan", "sun"]),
    (['顓', '孫'], ["zhuan", "sun"]),
    (['子', '车'], ["zi", "ju"]),
    (['子', '車'], ["zi", "ju"]),
];

/// One-character family names whose reading as a name is not the data's most usual reading
/// (曾 is "ceng" in 曾经 but the family name is Zeng). Only readings the data lists for the
/// character appear here (a test checks it), so the table chooses among the data's readings
/// and invents none.
static SURNAME_READINGS: &[(char, &str)] = &[
    ('么', "yao"),
    ('乜', "nie"),
    ('仇', "qiu"),
    ('区', "ou"),
    ('區', "ou"),
    ('单', "shan"),
    ('單', "shan"),
    ('卜', "bu"),
    ('句', "gou"),
    ('召', "shao"),
    ('曾', "zeng"),
    ('朴', "piao"),
    ('查', "zha"),
    ('盖', "ge"),
    ('蓋', "ge"),
    ('祭', "zhai"),
    ('种', "chong"),
    ('種', "chong"),
    ('秘', "bi"),
    ('缪', "miao"),
    ('繆', "miao"),
    ('翟', "zhai"),
    ('能', "nai"),
    ('解', "xie"),
    ('覃', "qin"),
    ('都', "du"),
    ('阚', "kan"),
    ('乐', "yue"),
    ('樂', "yue"),
    ('繁', "po"),
    ('长', "chang"),
    ('長', "chang"),
    ('重', "chong"),
    ('薄', "bo"),
    ('洗', "xian"),
    ('佴', "nai"),
    ('粘', "nian"),
    ('隗', "wei"),
    ('藏', "zang"),
    ('员', "yun"),
    ('員', "yun"),
    ('折', "she"),
    ('蔚', "yu"),
];

/// Latin renderings of a Han-character word (lower-case NFC input; non-Han characters are
/// ignored; simplified and traditional characters both work since pinyin-data covers both).
///
/// Distinct lower-case ASCII strings (letters only), syllables joined, the most usual first,
/// at most 8: the pinyin of each character's most usual reading (习近平 → "xijinping"), its
/// Wade–Giles ("hsichinping"), the same for a family-name reading of the first character or
/// two where that differs (曾国藩 → "zengguofan", 尉迟恭 → "yuchigong"), the passport
/// spelling of ü as "yu" (吕 → "lyu"), and for a lone character (a family name on its own)
/// its other readings in pinyin, at most 3 readings in all (曾 → ceng, zeng).
pub fn han(word: &str) -> Vec<String> {
    let chars: Vec<(char, &'static str)> = word
        .chars()
        .take(MAX_SCAN)
        .filter_map(|c| c.to_pinyin().map(|p| (c, p.plain())))
        .filter(|(_, p)| !p.is_empty())
        .take(MAX_CHARS)
        .collect();
    let Some(&(first, first_reading)) = chars.first() else {
        return Vec::new();
    };
    let usual: Vec<&'static str> = chars.iter().map(|&(_, p)| p).collect();
    let mut out = Renderings::default();

    // A compound family name's reading goes first: the per-character reading of 万俟 or 尉迟
    // is not how anyone writes the name. The per-character one follows, for a word that only
    // looks like one (单于 may be family name 单 and given name 于).
    let compound = chars
        .get(1)
        .and_then(|&(second, _)| compound_reading(first, second));
    if let Some([a, b]) = compound {
        let mut seq = usual.clone();
        seq[0] = a;
        seq[1] = b;
        out.add_sequence(&seq);
    }
    out.add_sequence(&usual);

    let mut readings = vec![first_reading];
    if compound.is_none() {
        if let Some(name_reading) = surname_reading(first).filter(|&r| r != first_reading) {
            let mut seq = usual.clone();
            seq[0] = name_reading;
            out.add_sequence(&seq);
            readings.push(name_reading);
        }
    }

    // A lone character is most often a family name split off by the tokenizer; which of its
    // readings the family uses cannot be told from the character, so offer the others.
    if chars.len() == 1 {
        if let Some(multi) = first.to_pinyin_multi() {
            for reading in multi.into_iter().map(|p| p.plain()) {
                if readings.len() >= MAX_SINGLE_READINGS {
                    break;
                }
                if !reading.is_empty() && !readings.contains(&reading) {
                    readings.push(reading);
                    out.push(ascii_letters(reading));
                }
            }
        }
    }
    out.0
}

/// Splits a Chinese full name written as one word into (family name, given name): for a word
/// of 3 or 4 Han characters, the first character, or the first two when they are a compound
/// family name (欧阳修 → 欧阳 / 修). Two-character words are left alone because 李鹏 (family
/// name and given name) and 欧阳 (a family name alone) cannot be told apart; longer words are
/// rarely personal names (transliterated foreign names are).
pub fn split_full_name(word: &str) -> Option<(&str, &str)> {
    let mut chars = word.char_indices();
    let mut count = 0;
    for (_, c) in chars.clone() {
        if c.script() != Script::Han {
            return None;
        }
        count += 1;
        if count > 4 {
            return None;
        }
    }
    if count < 3 {
        return None;
    }
    let (_, first) = chars.next()?;
    let (second_at, second) = chars.next()?;
    let (third_at, _) = chars.next()?;
    let at = if compound_reading(first, second).is_some() {
        third_at
    } else {
        second_at
    };
    Some(word.split_at(at))
}

/// Collects renderings in order, once each, up to [`MAX_RENDERINGS`].
#[derive(Default)]
struct Renderings(Vec<String>);

impl Renderings {
    fn push(&mut self, s: String) {
        if !s.is_empty() && self.0.len() < MAX_RENDERINGS && !self.0.contains(&s) {
            self.0.push(s);
        }
    }

    /// The pinyin, the Wade–Giles and, where ü occurs, the passport spelling of one reading
    /// of the word.
    fn add_sequence(&mut self, syllables: &[&str]) {
        let pinyin: String = syllables.concat();
        let wade: String = syllables.iter().map(|s| wade_giles(s)).collect();
        self.push(ascii_letters(&pinyin));
        self.push(ascii_letters(&wade));
        // Mainland passports write ü as "yu" (吕 LYU, 女 NYU), other records drop the dots.
        if pinyin.contains('ü') {
            self.push(ascii_letters(&pinyin.replace('ü', "yu")));
        }
    }
}

fn compound_reading(first: char, second: char) -> Option<[&'static str; 2]> {
    COMPOUND_SURNAMES
        .iter()
        .find(|(chars, _)| *chars == [first, second])
        .map(|&(_, reading)| reading)
}

fn surname_reading(c: char) -> Option<&'static str> {
    SURNAME_READINGS
        .iter()
        .find(|&&(s, _)| s == c)
        .map(|&(_, r)| r)
}

/// Keeps ASCII letters, folding ü and ê (pinyin) to u and e and dropping the apostrophes of
/// Wade–Giles, as Latin records do.
fn ascii_letters(s: &str) -> String {
    s.chars()
        .filter_map(|c| match c {
            'a'..='z' => Some(c),
            'A'..='Z' => Some(c.to_ascii_lowercase()),
            'ü' | 'ǖ' | 'ǘ' | 'ǚ' | 'ǜ' => Some('u'),
            'ê' => Some('e'),
            _ => None,
        })
        .collect()
}

/// Splits a toneless pinyin syllable into initial and final; y and w count as initials
/// because Wade–Giles keeps them.
fn split_initial(syllable: &str) -> (&str, &str) {
    let len = if ["zh", "ch", "sh"].iter().any(|p| syllable.starts_with(p)) {
        2
    } else if syllable.starts_with(|c: char| "bpmfdtnlgkhjqxrzcswy".contains(c)) {
        1
    } else {
        0
    };
    syllable.split_at(len)
}

/// Wade–Giles of one toneless pinyin syllable, with apostrophes and ü ("ch'üeh"). Covers every
/// standard syllable by rule (initials and finals) plus the syllables Wade–Giles spells as a
/// whole; anything unrecognised keeps its letters, so no reading is ever lost.
fn wade_giles(syllable: &str) -> String {
    // Syllables Wade–Giles spells as a whole rather than initial + final: the "empty"
    // vowel after sibilants, er, lone e, and the y-spellings pinyin uses for zero initials.
    let whole = match syllable {
        "zhi" => Some("chih"),
        "chi" => Some("ch'ih"),
        "shi" => Some("shih"),
        "ri" => Some("jih"),
        "zi" => Some("tzu"),
        "ci" => Some("tz'u"),
        "si" => Some("ssu"),
        "er" => Some("erh"),
        "e" => Some("o"),
        "ê" => Some("eh"),
        "yi" => Some("i"),
        "you" => Some("yu"),
        "yan" => Some("yen"),
        "ye" => Some("yeh"),
        "yu" => Some("yü"),
        "yue" => Some("yüeh"),
        "yuan" => Some("yüan"),
        "yun" => Some("yün"),
        "yong" => Some("yung"),
        _ => None,
    };
    if let Some(w) = whole {
        return w.to_owned();
    }
    let (initial, fin) = split_initial(syllable);
    // Wade–Giles writes the unaspirated/aspirated pairs as plain/apostrophe where pinyin uses
    // voiced/voiceless letters, and merges j/zh and q/ch (the following vowel tells them apart).
    let wg_initial = match initial {
        "b" => "p",
        "p" => "p'",
        "d" => "t",
        "t" => "t'",
        "g" => "k",
        "k" => "k'",
        "j" | "zh" => "ch",
        "q" | "ch" => "ch'",
        "x" => "hs",
        "r" => "j",
        "z" => "ts",
        "c" => "ts'",
        other => other,
    };
    // After j, q, x pinyin writes ü as u; Wade–Giles keeps the ü.
    let palatal = matches!(initial, "j" | "q" | "x");
    let wg_final = match fin {
        "ong" => "ung",
        "iong" => "iung",
        "ian" => "ien",
        "ie" => "ieh",
        "ue" | "üe" => "üeh",
        "u" if palatal => "ü",
        "uan" if palatal => "üan",
        "un" if palatal => "ün",
        // uo is written o except after the velars and sh (kuo, huo, shuo but to, lo, tso, cho).
        "uo" if !matches!(initial, "g" | "k" | "h" | "sh") => "o",
        // The velars keep the full "uei" that pinyin abbreviates to ui (kuei, but hui, tui).
        "ui" if matches!(initial, "g" | "k") => "uei",
        // e after the velars was pronounced, and is written, o (ko, k'o, ho).
        "e" if matches!(initial, "g" | "k" | "h") => "o",
        other => other,
    };
    let mut out = String::with_capacity(wg_initial.len() + wg_final.len());
    out.push_str(wg_initial);
    out.push_str(wg_final);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeSet;

    #[test]
    fn usual_reading_then_wade_giles() {
        assert_eq!(han("习近平")[..2], ["xijinping", "hsichinping"]);
        assert_eq!(han("習近平")[0], "xijinping");
        assert_eq!(han("近平")[..2], ["jinping", "chinping"]);
        assert_eq!(han("毛泽东")[..2], ["maozedong", "maotsetung"]);
        assert_eq!(han("毛澤東")[..2], ["maozedong", "maotsetung"]);
        assert_eq!(han("蒋介石")[..2], ["jiangjieshi", "chiangchiehshih"]);
        assert_eq!(han("蔣介石")[1], "chiangchiehshih");
        assert_eq!(han("李鹏")[0], "lipeng");
        assert_eq!(han("孙中山")[..2], ["sunzhongshan", "sunchungshan"]);
        assert_eq!(han("周恩来")[..2], ["zhouenlai", "chouenlai"]);
    }

    #[test]
    fn non_han_is_ignored() {
        assert!(han("").is_empty());
        assert!(han("mao").is_empty());
        assert!(han("123 ,.").is_empty());
        assert_eq!(han("毛·泽东")[0], "maozedong");
        assert_eq!(han("x李y鹏")[0], "lipeng");
    }

    #[test]
    fn lone_family_names_get_their_other_readings() {
        for (c, expected) in [
            ("曾", ["zeng", "ceng"]),
            ("单", ["shan", "dan"]),
            ("解", ["xie", "jie"]),
            ("仇", ["qiu", "chou"]),
            ("查", ["zha", "cha"]),
        ] {
            let r = han(c);
            for e in expected {
                assert!(r.contains(&e.to_owned()), "{c}: {r:?}");
            }
        }
        // The family-name reading's Wade–Giles too (Tseng, Hsieh, Chai).
        assert!(han("曾").contains(&"tseng".to_owned()));
        assert!(han("解").contains(&"hsieh".to_owned()));
        assert!(han("翟").contains(&"chai".to_owned()));
        // At most three readings: 朴 has five in the data.
        let piao = han("朴");
        assert!(piao.contains(&"piao".to_owned()), "{piao:?}");
        let readings = ["pu", "piao", "po"];
        assert!(
            piao.iter().all(|r| readings.contains(&r.as_str())),
            "{piao:?}"
        );
    }

    #[test]
    fn family_name_readings_in_full_names() {
        let zeng = han("曾国藩");
        assert_eq!(zeng[0], "cengguofan");
        assert!(zeng.contains(&"zengguofan".to_owned()), "{zeng:?}");
        assert!(zeng.contains(&"tsengkuofan".to_owned()), "{zeng:?}");
        assert_eq!(han("尉迟恭")[..2], ["yuchigong", "yuchihkung"]);
        assert_eq!(han("万俟")[0], "moqi");
        assert_eq!(han("欧阳修")[..2], ["ouyangxiu", "ouyanghsiu"]);
        assert_eq!(han("欧阳")[0], "ouyang");
        assert_eq!(han("诸葛亮")[..2], ["zhugeliang", "chukoliang"]);
        assert_eq!(han("司马迁")[..2], ["simaqian", "ssumachien"]);
    }

    #[test]
    fn u_umlaut_spellings() {
        let lu = han("吕");
        for e in ["lu", "lyu"] {
            assert!(lu.contains(&e.to_owned()), "{lu:?}");
        }
        assert!(han("吕布").contains(&"lyubu".to_owned()));
    }

    #[test]
    fn full_names_split() {
        assert_eq!(split_full_name("欧阳修"), Some(("欧阳", "修")));
        assert_eq!(split_full_name("歐陽修"), Some(("歐陽", "修")));
        assert_eq!(split_full_name("司马相如"), Some(("司马", "相如")));
        assert_eq!(split_full_name("诸葛亮"), Some(("诸葛", "亮")));
        assert_eq!(split_full_name("諸葛亮"), Some(("諸葛", "亮")));
        assert_eq!(split_full_name("尉迟恭"), Some(("尉迟", "恭")));
        assert_eq!(split_full_name("习近平"), Some(("习", "近平")));
        assert_eq!(split_full_name("范徐丽泰"), Some(("范", "徐丽泰")));
        assert_eq!(split_full_name("李鹏"), None);
        assert_eq!(split_full_name("欧阳"), None);
        assert_eq!(split_full_name("李"), None);
        assert_eq!(split_full_name(""), None);
        assert_eq!(split_full_name("abc"), None);
        assert_eq!(split_full_name("李a鹏"), None);
        assert_eq!(split_full_name("阿卜杜拉赫"), None);
        let (family, given) = split_full_name("欧阳修").unwrap_or_default();
        assert_eq!(han(family)[0], "ouyang");
        assert_eq!(han(given)[0], "xiu");
    }

    #[test]
    fn wade_giles_syllables() {
        let known = [
            ("zhou", "chou"),
            ("zhang", "chang"),
            ("qing", "ch'ing"),
            ("xiao", "hsiao"),
            ("cong", "ts'ung"),
            ("zong", "tsung"),
            ("zi", "tzu"),
            ("ci", "tz'u"),
            ("si", "ssu"),
            ("zhi", "chih"),
            ("chi", "ch'ih"),
            ("shi", "shih"),
            ("ri", "jih"),
            ("ji", "chi"),
            ("qi", "ch'i"),
            ("xi", "hsi"),
            ("yan", "yen"),
            ("yi", "i"),
            ("you", "yu"),
            ("yu", "yü"),
            ("ye", "yeh"),
            ("yue", "yüeh"),
            ("yuan", "yüan"),
            ("yun", "yün"),
            ("yong", "yung"),
            ("lü", "lü"),
            ("nü", "nü"),
            ("lüe", "lüeh"),
            ("nüe", "nüeh"),
            ("ju", "chü"),
            ("qu", "ch'ü"),
            ("xu", "hsü"),
            ("jue", "chüeh"),
            ("que", "ch'üeh"),
            ("xue", "hsüeh"),
            ("juan", "chüan"),
            ("quan", "ch'üan"),
            ("xuan", "hsüan"),
            ("jun", "chün"),
            ("xun", "hsün"),
            ("jiong", "chiung"),
            ("xiong", "hsiung"),
            ("jie", "chieh"),
            ("xie", "hsieh"),
            ("lie", "lieh"),
            ("tie", "t'ieh"),
            ("jian", "chien"),
            ("tian", "t'ien"),
            ("bian", "pien"),
            ("jiu", "chiu"),
            ("qiu", "ch'iu"),
            ("ge", "ko"),
            ("ke", "k'o"),
            ("he", "ho"),
            ("le", "le"),
            ("de", "te"),
            ("te", "t'e"),
            ("ze", "tse"),
            ("ce", "ts'e"),
            ("zhe", "che"),
            ("che", "ch'e"),
            ("re", "je"),
            ("e", "o"),
            ("er", "erh"),
            ("ê", "eh"),
            ("guo", "kuo"),
            ("kuo", "k'uo"),
            ("huo", "huo"),
            ("shuo", "shuo"),
            ("duo", "to"),
            ("tuo", "t'o"),
            ("luo", "lo"),
            ("nuo", "no"),
            ("zuo", "tso"),
            ("cuo", "ts'o"),
            ("suo", "so"),
            ("zhuo", "cho"),
            ("chuo", "ch'o"),
            ("ruo", "jo"),
            ("wo", "wo"),
            ("gui", "kuei"),
            ("kui", "k'uei"),
            ("hui", "hui"),
            ("dui", "tui"),
            ("zhui", "chui"),
            ("rui", "jui"),
            ("gun", "kun"),
            ("lun", "lun"),
            ("zun", "tsun"),
            ("dong", "tung"),
            ("tong", "t'ung"),
            ("zhong", "chung"),
            ("chong", "ch'ung"),
            ("rong", "jung"),
            ("song", "sung"),
            ("gong", "kung"),
            ("hong", "hung"),
            ("ba", "pa"),
            ("pa", "p'a"),
            ("bo", "po"),
            ("po", "p'o"),
            ("ping", "p'ing"),
            ("bing", "ping"),
            ("zeng", "tseng"),
            ("ceng", "ts'eng"),
            ("ren", "jen"),
            ("ran", "jan"),
            ("rou", "jou"),
            ("ru", "ju"),
            ("shan", "shan"),
            ("shui", "shui"),
            ("sun", "sun"),
            ("zhuang", "chuang"),
            ("chuang", "ch'uang"),
            ("wen", "wen"),
            ("weng", "weng"),
            ("wu", "wu"),
            ("a", "a"),
            ("ai", "ai"),
            ("ou", "ou"),
            ("en", "en"),
            ("mao", "mao"),
            ("feng", "feng"),
            ("lin", "lin"),
            ("m", "m"),
            ("ng", "ng"),
            ("hm", "hm"),
        ];
        for (py, wg) in known {
            assert_eq!(wade_giles(py), wg, "{py}");
        }
        // As Latin records write them.
        assert_eq!(ascii_letters(&wade_giles("lüe")), "lueh");
        assert_eq!(ascii_letters(&wade_giles("cong")), "tsung");
        assert_eq!(ascii_letters(&wade_giles("que")), "chueh");
    }

    /// Every reading the data can give, converted: no syllable falls through with a pinyin-only
    /// letter, so the conversion is complete for the data actually used.
    #[test]
    fn wade_giles_covers_every_syllable_in_the_data() {
        let mut syllables = BTreeSet::new();
        for c in (0x3000..=0x9FFF)
            .chain(0xF900..=0xFAFF)
            .chain(0x2_0000..=0x3_134F)
        {
            let Some(multi) = char::from_u32(c).and_then(|c| c.to_pinyin_multi()) else {
                continue;
            };
            syllables.extend(multi.into_iter().map(|p| p.plain()));
        }
        assert!(syllables.len() > 400, "{}", syllables.len());
        for s in syllables {
            let wg = ascii_letters(&wade_giles(s));
            assert!(
                !wg.is_empty() && wg.bytes().all(|b| b.is_ascii_lowercase()),
                "{s}"
            );
            // Letters Wade–Giles does not use (q, x, v, b, d), or uses only in "tz", "ch",
            // "erh" and "ng".
            let bytes = wg.as_bytes();
            for (i, &b) in bytes.iter().enumerate() {
                let prev = i.checked_sub(1).map(|j| bytes[j]);
                let next = bytes.get(i + 1).copied();
                let ok = match b {
                    b'q' | b'x' | b'v' | b'b' | b'd' => false,
                    b'z' => prev == Some(b't'),
                    b'c' => next == Some(b'h'),
                    b'r' => wg == "erh",
                    b'g' => prev == Some(b'n'),
                    _ => true,
                };
                assert!(ok, "{s} -> {wg}");
            }
        }
    }

    #[test]
    fn tables_use_only_readings_the_data_lists() {
        let lists = |c: char, reading: &str| {
            c.to_pinyin_multi()
                .is_some_and(|m| m.into_iter().any(|p| p.plain() == reading))
        };
        for &([a, b], [ra, rb]) in COMPOUND_SURNAMES {
            assert!(lists(a, ra) && lists(b, rb), "{a}{b}");
        }
        for &(c, r) in SURNAME_READINGS {
            assert!(lists(c, r), "{c}");
            let first = c.to_pinyin().map(|p| p.plain());
            assert_ne!(first, Some(r), "{c}: already the usual reading");
        }
    }

    #[test]
    fn long_words_are_bounded() {
        let long = "习近平".repeat(1000);
        let r = han(&long);
        assert!(r.len() <= MAX_RENDERINGS);
        assert_eq!(r[0], "xijinpingxijinpingxijin");
        assert_eq!(split_full_name(&long), None);
    }

    proptest! {
        #[test]
        fn never_panics_and_gives_ascii_letters(
            s in "\\PC{0,40}",
            h in "[\u{4E00}-\u{9FFF}\u{3400}-\u{4DBF}\u{20000}-\u{2A6DF}]{0,12}",
            noise in proptest::collection::vec(any::<char>(), 0..50),
        ) {
            let noise: String = noise.into_iter().collect();
            let mixed = format!("{h}{s}{h}");
            for input in [s.as_str(), h.as_str(), noise.as_str(), mixed.as_str()] {
                let out = han(input);
                prop_assert!(out.len() <= MAX_RENDERINGS);
                let distinct: BTreeSet<_> = out.iter().collect();
                prop_assert_eq!(distinct.len(), out.len());
                for r in &out {
                    prop_assert!(!r.is_empty() && r.bytes().all(|b| b.is_ascii_lowercase()), "{:?}", r);
                }
                if let Some((family, given)) = split_full_name(input) {
                    prop_assert_eq!(format!("{family}{given}"), input);
                    prop_assert!(!family.is_empty() && !given.is_empty());
                }
            }
        }
    }
}
