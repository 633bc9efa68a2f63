//! Text normalisation: case folding, Unicode decomposition, diacritic stripping and splitting a
//! name string into script-tagged tokens.
//!
//! Every later stage works on these tokens, so this is the one place that decides what counts
//! as a word boundary (spaces, hyphens, dots, commas, middle dots) and what disappears inside a
//! word (apostrophes, zero-width joiners), which is why "O'Brien", "al-Assad" and "J.-C." come
//! out the same whichever way a clerk typed them.

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;
use unicode_script::{Script as Unicode, UnicodeScript};

/// Writing system of a token, decided by its first letter.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Script {
    Latin,
    Cyrillic,
    Greek,
    Armenian,
    Georgian,
    Arabic,
    Hebrew,
    /// Korean syllables.
    Hangul,
    /// Chinese characters (also Japanese kanji, read as Mandarin).
    Han,
    /// Japanese hiragana and katakana.
    Kana,
    /// Devanagari and the Brahmic scripts laid out in parallel to it (Bengali, Gurmukhi,
    /// Gujarati, Oriya, Tamil, Telugu, Kannada, Malayalam).
    Devanagari,
    /// Any other script (Thai, Ethiopic, …): compared in its own script only.
    Other,
}

impl Script {
    /// Scripts whose words the analyser romanises into Latin spellings that are compared with
    /// Latin spellings directly (by edit distance and phonetic key). Arabic is not among them:
    /// it writes no short vowels, so it meets Latin through skeletons and letter alignment.
    pub fn is_romanised(self) -> bool {
        !matches!(self, Script::Arabic | Script::Other)
    }

    /// Scripts whose words are runs of syllables that Latin spellings often write apart
    /// ("Jin-ping", "Jong Un" for one word): such a word is always worth comparing with
    /// joined Latin parts, however short.
    pub fn writes_syllables(self) -> bool {
        matches!(self, Script::Hangul | Script::Han | Script::Kana)
    }

    /// Scripts that write consonants and few vowels: compared with other scripts through
    /// consonant skeletons.
    pub fn is_abjad(self) -> bool {
        matches!(self, Script::Arabic | Script::Hebrew)
    }

    /// Scripts in which two words are also compared letter by letter in their own letters
    /// (their romanisations lose distinctions: Arabic emphatics, Han homophones).
    pub fn compared_in_own_script(self) -> bool {
        !matches!(
            self,
            Script::Latin | Script::Cyrillic | Script::Greek | Script::Armenian | Script::Georgian
        )
    }

    /// The script of a letter, from Unicode's Script property; `None` for the characters
    /// Unicode shares between scripts (Common, Inherited: combining marks, tatweel, the
    /// kana length mark), which take the script of the word they are in.
    fn of(c: char) -> Option<Script> {
        match c.script() {
            Unicode::Latin => Some(Script::Latin),
            Unicode::Cyrillic => Some(Script::Cyrillic),
            Unicode::Greek => Some(Script::Greek),
            Unicode::Armenian => Some(Script::Armenian),
            Unicode::Georgian => Some(Script::Georgian),
            Unicode::Arabic => Some(Script::Arabic),
            Unicode::Hebrew => Some(Script::Hebrew),
            Unicode::Hangul => Some(Script::Hangul),
            Unicode::Han => Some(Script::Han),
            Unicode::Hiragana | Unicode::Katakana => Some(Script::Kana),
            Unicode::Devanagari
            | Unicode::Bengali
            | Unicode::Gurmukhi
            | Unicode::Gujarati
            | Unicode::Oriya
            | Unicode::Tamil
            | Unicode::Telugu
            | Unicode::Kannada
            | Unicode::Malayalam => Some(Script::Devanagari),
            Unicode::Common | Unicode::Inherited => None,
            _ => Some(Script::Other),
        }
    }

    /// The script of a word: that of its first letter that has one of its own.
    fn of_word(word: &str) -> Script {
        word.chars()
            .filter(|c| c.is_alphabetic())
            .find_map(Script::of)
            .unwrap_or(Script::Other)
    }
}

/// One word of a name before analysis: lower-cased, NFC, still in its own script.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawToken {
    pub text: String,
    pub script: Script,
    /// Followed by a hyphen in the input ("al-Assad"): sun-letter articles are only recognised so.
    pub hyphen_after: bool,
    /// A name word even though it is spelled like a particle (the given name "Ben" in
    /// "Ben Netanyahu"); set by the analyser from the context.
    pub word: bool,
}

/// Unicode's format characters (general category Cf): soft hyphens, zero-width spaces and
/// joiners, direction marks and embeddings, the byte-order mark, tag characters. They are
/// invisible in a name and come from copy and paste, never from the person.
fn is_format(c: char) -> bool {
    matches!(c,
        '\u{00AD}'
        | '\u{0600}'..='\u{0605}'
        | '\u{061C}'
        | '\u{06DD}'
        | '\u{070F}'
        | '\u{0890}'..='\u{0891}'
        | '\u{08E2}'
        | '\u{180E}'
        | '\u{200B}'..='\u{200F}'
        | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{206F}'
        | '\u{FEFF}'
        | '\u{FFF9}'..='\u{FFFB}'
        | '\u{110BD}'
        | '\u{110CD}'
        | '\u{13430}'..='\u{1343F}'
        | '\u{1BCA0}'..='\u{1BCA3}'
        | '\u{1D173}'..='\u{1D17A}'
        | '\u{E0001}'
        | '\u{E0020}'..='\u{E007F}')
}

/// Splits a name into tokens. The input is first brought to compatibility form (NFKC:
/// full-width ＡＢＣ, ligatures, Arabic presentation forms and circled or styled letters become
/// the letters they show), and format characters vanish wherever they are. Letters and digits
/// build words; apostrophes and tatweel vanish inside a word; everything else separates words.
/// Digits inside Latin words are read as the letters they are commonly typed for ("Ig0r").
pub fn tokenize(input: &str) -> Vec<RawToken> {
    let mut tokens = Vec::new();
    let mut current = String::new();
    let flush = |current: &mut String, hyphen: bool, tokens: &mut Vec<RawToken>| {
        if current.is_empty() {
            return;
        }
        let text: String = current.nfc().collect();
        let script = Script::of_word(&text);
        let text = if script == Script::Latin {
            deleet(&text)
        } else {
            text
        };
        current.clear();
        if text.chars().any(char::is_alphabetic) {
            tokens.push(RawToken {
                text,
                script,
                hyphen_after: hyphen,
                word: false,
            });
        }
    };
    for c in input.nfkc() {
        if is_format(c) {
            continue;
        }
        if c.is_alphanumeric() || is_combining_mark(c) {
            current.extend(c.to_lowercase());
        } else if matches!(
            c,
            '\'' | '\u{2019}'
                | '\u{2018}'
                | '`'
                | '\u{02BC}'
                | '\u{02BF}'
                | '\u{02BE}'
                | '\u{0640}'
        ) {
            // Apostrophes (O'Brien, Sa'id, 'Abd), Arabic ayn/hamza marks and tatweel are
            // spelling inside a word, not boundaries.
        } else {
            let hyphen = matches!(c, '-' | '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}');
            flush(&mut current, hyphen, &mut tokens);
        }
    }
    flush(&mut current, false, &mut tokens);
    tokens
}

/// Digits typed for letters ("Sech1n", "I9or"); a token of digits only stays as it is.
fn deleet(text: &str) -> String {
    if !text.chars().any(|c| c.is_alphabetic()) {
        return text.to_string();
    }
    text.chars()
        .map(|c| match c {
            '0' => 'o',
            '1' => 'i',
            '3' => 'e',
            '4' => 'a',
            '5' => 's',
            '6' | '9' => 'g',
            '7' => 't',
            '8' => 'b',
            c => c,
        })
        .collect()
}

/// How national characters are spelled out in Latin script.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fold {
    /// Strip diacritics: Ü → u, Ø → o (what most databases and many issuers do).
    Plain,
    /// ICAO Doc 9303 machine-readable-zone spelling: Ü → ue, Ø → oe, Å → aa.
    Icao,
}

/// Folds a Latin-script word to lower-case ASCII letters.
pub fn fold_latin(text: &str, fold: Fold) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        let icao = fold == Fold::Icao;
        match c {
            'ä' | 'æ' if icao => out.push_str("ae"),
            'ö' | 'ø' | 'œ' if icao => out.push_str("oe"),
            'ü' if icao => out.push_str("ue"),
            'å' if icao => out.push_str("aa"),
            'æ' => out.push_str("ae"),
            'œ' => out.push_str("oe"),
            'ø' => out.push('o'),
            'ß' => out.push_str("ss"),
            'þ' => out.push_str("th"),
            'ð' | 'đ' => out.push('d'),
            'ł' => out.push('l'),
            'ı' => out.push('i'),
            'ŋ' => out.push('n'),
            'ħ' => out.push('h'),
            c if c.is_ascii() => {
                if c.is_ascii_alphanumeric() {
                    out.push(c);
                }
            }
            c => out.extend(c.nfkd().filter(|d| d.is_ascii_alphanumeric())),
        }
    }
    out
}

/// Strips optional marks from a word of a script we compare in its own letters: accents
/// (Greek tonos), vocalisation (Arabic harakat, Hebrew niqqud) and hamza seats, so that those
/// do not make two spellings differ. Scripts whose marks are letters (the vowel signs of
/// Devanagari, Thai, Khmer…) and Hangul syllables (which would decompose into jamo) stay NFC.
pub fn strip_marks(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        let optional_marks = matches!(c as u32, 0x0370..=0x03FF | 0x1F00..=0x1FFF | 0x0590..=0x05FF | 0x0600..=0x06FF | 0x0750..=0x077F | 0xFB1D..=0xFEFF);
        if optional_marks {
            out.extend(c.nfkd().filter(|d| !is_combining_mark(*d)));
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn texts(input: &str) -> Vec<String> {
        tokenize(input).into_iter().map(|t| t.text).collect()
    }

    #[test]
    fn splits_and_joins_where_people_expect() {
        let cases: &[(&str, &[&str])] = &[
            ("O'Brien, Patrick", &["obrien", "patrick"]),
            ("Bashar al-Assad", &["bashar", "al", "assad"]),
            ("J.-C. Juncker", &["j", "c", "juncker"]),
            ("Ig0r Sech1n", &["igor", "sechin"]),
            ("贝拉克·奥巴马", &["贝拉克", "奥巴马"]),
            ("مسعود پزشک‌فر", &["مسعود", "پزشکفر"]),
            ("  ...  ", &[]),
            ("Ø", &["ø"]),
            ("ＡＢＤＥＬ　ＫＡＤＥＲ", &["abdel", "kader"]),
            (
                "Abdel\u{00AD}kader Yous\u{200B}sef\u{200F}",
                &["abdelkader", "youssef"],
            ),
            ("\u{FEFF}\u{202B}ﻣﺤﻤﺪ\u{202C}", &["محمد"]),
            ("ﬁrdous", &["firdous"]),
        ];
        for (input, want) in cases {
            assert_eq!(texts(input), *want, "{input}");
        }
        assert!(tokenize("al-Assad")[0].hyphen_after);
    }

    #[test]
    fn folds_latin_both_ways() {
        let cases = [
            ("müller", "muller", "mueller"),
            ("erdoğan", "erdogan", "erdogan"),
            ("øster", "oster", "oester"),
            ("straße", "strasse", "strasse"),
            ("vučić", "vucic", "vucic"),
            ("ångström", "angstrom", "aangstroem"),
        ];
        for (input, plain, icao) in cases {
            assert_eq!(fold_latin(input, Fold::Plain), plain);
            assert_eq!(fold_latin(input, Fold::Icao), icao);
        }
    }

    #[test]
    fn tags_scripts() {
        let scripts: Vec<Script> = tokenize("Vladimir Владимир Βλαδίμηρος فلاديمير 弗拉基米尔")
            .iter()
            .map(|t| t.script)
            .collect();
        assert_eq!(
            scripts,
            [
                Script::Latin,
                Script::Cyrillic,
                Script::Greek,
                Script::Arabic,
                Script::Han
            ]
        );
    }

    #[test]
    fn scripts_come_from_unicode() {
        let letters = [
            // Latin Extended, IPA, a ligature and a full-width letter are Latin too.
            ("azÉŁŋɑẞﬁＡ", Some(Script::Latin)),
            ("жЁіїґўђҷԁ", Some(Script::Cyrillic)),
            ("αΩάἄῼ", Some(Script::Greek)),
            ("աԱﬓ", Some(Script::Armenian)),
            ("აᲐⴀ", Some(Script::Georgian)),
            // Persian گ چ پ ژ, Urdu ٹ ڈ ڑ ے and a presentation form.
            ("محمدگچپژٹڈڑےﻻ", Some(Script::Arabic)),
            ("李", Some(Script::Han)),
            ("한", Some(Script::Hangul)),
            ("かカ", Some(Script::Kana)),
            ("א", Some(Script::Hebrew)),
            ("द", Some(Script::Devanagari)),
            ("ก", Some(Script::Other)),
            // Vowel marks, shadda, tatweel, the kana length mark, a combining accent.
            ("\u{64e}\u{651}\u{640}ー\u{301}", None),
        ];
        for (chars, want) in letters {
            for c in chars.chars() {
                assert_eq!(Script::of(c), want, "{c} U+{:04X}", c as u32);
            }
        }
        let words = [
            ("مُحَمَّد", Script::Arabic),
            ("\u{64e}محمد", Script::Arabic),
            ("ルーシー", Script::Kana),
            ("ⓐⓑ", Script::Other),
        ];
        for (word, want) in words {
            assert_eq!(Script::of_word(word), want, "{word}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(8))]
        #[test]
        fn never_panics_on_10k_chars(c in proptest::collection::vec(any::<char>(), 9_000..10_000)) {
            let long: String = c.into_iter().collect();
            for t in tokenize(&long) {
                let _ = fold_latin(&t.text, Fold::Icao);
                let _ = strip_marks(&t.text);
            }
        }
    }

    proptest! {
        #[test]
        fn never_panics(s in "\\PC{0,200}", c in proptest::collection::vec(any::<char>(), 0..300)) {
            let noisy: String = c.into_iter().collect();
            for input in [s.as_str(), noisy.as_str()] {
                for t in tokenize(input) {
                    let _ = fold_latin(&t.text, Fold::Icao);
                    let _ = strip_marks(&t.text);
                }
            }
        }
    }
}
