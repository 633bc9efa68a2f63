//! Hebrew to Latin. Hebrew, like Arabic, writes consonants and only some vowels: ו and י
//! stand for v/o/u and y/i/e, א and ע carry a vowel but no sound a Latin spelling keeps, and
//! most short vowels are not written unless the text is pointed (niqqud). So a pointed word
//! is read by its points, and an unpointed one gets a few renderings that guess the unwritten
//! vowel differently ("a", "e", none), beside a consonant skeleton in the alphabet of the
//! Arabic skeletons ([`hebrew_skeleton`]), through which Hebrew meets Arabic and Latin names.

/// Most letters read: names are short.
const MAX_LETTERS: usize = 32;

/// One unit of a Hebrew word: a consonant (with how it may be written) or a vowel.
#[derive(Clone, Debug, PartialEq)]
enum Unit {
    Consonant(&'static str),
    /// A written vowel: a point, or ו/י read as a vowel.
    Vowel(&'static str),
    /// א or ע: a vowel seat.
    Seat,
}

fn is_point(c: char) -> bool {
    ('\u{05B0}'..='\u{05C7}').contains(&c)
}

/// The vowel a point writes (`None` for dagesh, shin/sin dots and cantillation).
fn point_vowel(c: char) -> Option<&'static str> {
    Some(match c {
        '\u{05B7}' | '\u{05B8}' | '\u{05B2}' | '\u{05B3}' => "a",
        '\u{05B6}' | '\u{05B5}' | '\u{05B1}' => "e",
        '\u{05B4}' => "i",
        '\u{05B9}' | '\u{05BA}' => "o",
        '\u{05BB}' => "u",
        _ => return None,
    })
}

/// Reads a word into units. `pointed`: the word carries vowel points.
fn units(word: &str) -> (Vec<Unit>, bool) {
    let chars: Vec<char> = word.chars().take(MAX_LETTERS * 3).collect();
    let pointed = chars.iter().any(|&c| point_vowel(c).is_some());
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let mut marks = Vec::new();
        let mut j = i + 1;
        while j < chars.len() && (is_point(chars[j]) || matches!(chars[j], '\'' | '\u{05F3}')) {
            marks.push(chars[j]);
            j += 1;
        }
        let dagesh = marks.contains(&'\u{05BC}');
        let geresh = marks.iter().any(|m| matches!(m, '\'' | '\u{05F3}'));
        let sin = marks.contains(&'\u{05C2}');
        let first = out.is_empty();
        let last = j >= chars.len();
        let unit = match c {
            'א' | 'ע' => Unit::Seat,
            'ב' if dagesh => Unit::Consonant("b"),
            'ב' => Unit::Consonant(if pointed { "v" } else { "v|b" }),
            'ג' if geresh => Unit::Consonant("j"),
            'ג' => Unit::Consonant("g"),
            'ד' => Unit::Consonant("d"),
            'ה' if last => Unit::Vowel("a|e|"),
            'ה' => Unit::Consonant("h"),
            'ו' if marks.contains(&'\u{05BC}') && !first => Unit::Vowel("u"),
            'ו' if marks.contains(&'\u{05B9}') => Unit::Vowel("o"),
            'ו' if first || chars.get(j) == Some(&'ו') => Unit::Consonant("v"),
            'ו' if pointed => Unit::Consonant("v"),
            'ו' => Unit::Vowel("o|u|v"),
            'י' if first || chars.get(j) == Some(&'י') => Unit::Consonant("y"),
            'י' if last => Unit::Vowel("i"),
            'י' => Unit::Vowel(if pointed { "i" } else { "i|e|y" }),
            'ז' if geresh => Unit::Consonant("zh"),
            'ז' => Unit::Consonant("z"),
            'ח' => Unit::Consonant("h|ch|kh"),
            'ט' => Unit::Consonant("t"),
            'כ' | 'ך' if dagesh => Unit::Consonant("k"),
            'כ' | 'ך' => Unit::Consonant("kh|ch|k"),
            'ל' => Unit::Consonant("l"),
            'מ' | 'ם' => Unit::Consonant("m"),
            'נ' | 'ן' => Unit::Consonant("n"),
            'ס' => Unit::Consonant("s"),
            'פ' | 'ף' if dagesh => Unit::Consonant("p"),
            'פ' | 'ף' => Unit::Consonant("f|p"),
            'צ' | 'ץ' if geresh => Unit::Consonant("ch"),
            'צ' | 'ץ' => Unit::Consonant("tz|ts|z"),
            'ק' => Unit::Consonant("k"),
            'ר' => Unit::Consonant("r"),
            'ש' if sin => Unit::Consonant("s"),
            'ש' => Unit::Consonant("sh|s"),
            'ת' if geresh => Unit::Consonant("th"),
            'ת' => Unit::Consonant("t"),
            _ => {
                i = j;
                continue;
            }
        };
        // A ו read as a vowel (holam, shuruk) already is its point's vowel.
        let vowel_letter = matches!(unit, Unit::Vowel(_));
        out.push(unit);
        for m in marks {
            if let (Some(v), false) = (point_vowel(m), vowel_letter) {
                out.push(Unit::Vowel(v));
            }
        }
        i = j;
        if out.len() >= MAX_LETTERS {
            break;
        }
    }
    (out, pointed)
}

/// One rendering: the `choice`-th spelling of every unit (or its first), and `guess` between
/// two consonants that no vowel separates (unpointed words only).
fn render(units: &[Unit], choice: usize, guess: &str) -> String {
    let mut out = String::new();
    let pick = |s: &'static str| -> &'static str {
        let options: Vec<&str> = s.split('|').collect();
        options
            .get(choice)
            .or(options.first())
            .copied()
            .unwrap_or("")
    };
    let mut prev_consonant = false;
    for (k, u) in units.iter().enumerate() {
        match u {
            Unit::Consonant(c) => {
                if prev_consonant {
                    out.push_str(guess);
                }
                out.push_str(pick(c));
                prev_consonant = true;
            }
            Unit::Vowel(v) => {
                let v = pick(v);
                // A vowel letter read as a consonant behaves as one.
                let consonantal = v == "v" || v == "y";
                if consonantal && prev_consonant {
                    out.push_str(guess);
                }
                out.push_str(v);
                prev_consonant = consonantal;
            }
            Unit::Seat => {
                // A seat opening the word or between consonants is a vowel: "a" is usual.
                let next_is_vowel = matches!(units.get(k + 1), Some(Unit::Vowel(_)));
                if !next_is_vowel {
                    out.push_str(if guess.is_empty() { "a" } else { guess });
                }
                prev_consonant = false;
            }
        }
    }
    out
}

/// Latin renderings of a Hebrew word (lower-case NFC, with or without points), the most
/// usual first.
pub fn hebrew(word: &str) -> Vec<String> {
    let (units, pointed) = units(word);
    if units.is_empty() {
        return Vec::new();
    }
    let mut out: Vec<String> = Vec::new();
    // (which spelling of each letter, what unwritten vowel): the usual readings first.
    let readings: &[(usize, &str)] = if pointed {
        &[(0, ""), (1, ""), (2, "")]
    } else {
        &[(0, "a"), (0, "e"), (1, "a"), (2, "a"), (1, "e"), (0, "")]
    };
    for &(choice, guess) in readings {
        let form = render(&units, choice, guess);
        if !form.is_empty() && !out.contains(&form) {
            out.push(form);
        }
    }
    out
}

/// Consonant skeleton of a Hebrew word in the alphabet of the Arabic skeletons: vowels,
/// vowel letters (ו, י), seats (א, ע) dropped, doubles collapsed, a final h dropped.
pub fn hebrew_skeleton(word: &str) -> String {
    let mut out = String::new();
    let chars: Vec<char> = word.chars().take(MAX_LETTERS * 3).collect();
    // Only adjacent doubles collapse: a vowel letter between two equal consonants keeps both
    // (דוד, "David" → dd), as in the Arabic skeletons.
    let mut last = None;
    for (i, &c) in chars.iter().enumerate() {
        if is_point(c) {
            continue;
        }
        let sin = chars.get(i + 1) == Some(&'\u{05C2}');
        let k = match c {
            'ב' => 'b',
            'ת' | 'ט' => 't',
            'ג' => 'j',
            'ח' | 'ה' => 'h',
            'כ' | 'ך' | 'ק' => 'k',
            'ד' => 'd',
            'ר' => 'r',
            'ש' if sin => 's',
            'ש' => 'S',
            'ס' | 'צ' | 'ץ' | 'ז' => 's',
            'פ' | 'ף' => 'f',
            'ל' => 'l',
            'מ' | 'ם' => 'm',
            'נ' | 'ן' => 'n',
            _ => {
                last = None;
                continue;
            }
        };
        if last != Some(k) {
            out.push(k);
        }
        last = Some(k);
    }
    if out.len() > 1 && out.ends_with('h') {
        out.pop();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::similarity::levenshtein;
    use proptest::prelude::*;

    /// The closest rendering's edit distance to a customary spelling.
    fn distance(word: &str, latin: &str) -> usize {
        hebrew(word)
            .iter()
            .map(|f| levenshtein(f.as_bytes(), latin.as_bytes()))
            .min()
            .unwrap_or(usize::MAX)
    }

    #[test]
    fn renders_names_near_their_customary_spelling() {
        for (word, latin) in [
            ("משה", "moshe"),
            ("דוד", "david"),
            ("יצחק", "yitzhak"),
            ("שלמה", "shlomo"),
            ("אברהם", "avraham"),
            ("חיים", "haim"),
            ("יוסף", "yosef"),
            ("רחל", "rachel"),
            ("מֹשֶׁה", "moshe"),
            ("דָּוִד", "david"),
        ] {
            let d = distance(word, latin);
            assert!(d <= 2, "{word}: {:?} is {d} from {latin}", hebrew(word));
        }
        assert!(
            hebrew("דָּוִד").contains(&"david".to_string()),
            "{:?}",
            hebrew("דָּוִד")
        );
        // A glide and a vowel in one letter (י of Binyamin) is beyond one guess per word.
        assert!(distance("בנימין", "binyamin") <= 4);
        assert!(distance("נתניהו", "netanyahu") <= 3);
    }

    #[test]
    fn skeletons() {
        assert_eq!(hebrew_skeleton("משה"), "mS");
        assert_eq!(hebrew_skeleton("דוד"), "dd");
        assert_eq!(hebrew_skeleton("יוסף"), "sf");
        assert_eq!(hebrew_skeleton("אברהם"), "brhm");
    }

    proptest! {
        #[test]
        fn any_input_gives_ascii(s in "\\PC{0,40}", h in "[\u{0591}-\u{05F4} ]{0,30}") {
            for input in [&s, &h] {
                let _ = hebrew_skeleton(input);
                for form in hebrew(input) {
                    prop_assert!(form.bytes().all(|b| b.is_ascii_lowercase()), "{form}");
                }
            }
        }
    }
}
