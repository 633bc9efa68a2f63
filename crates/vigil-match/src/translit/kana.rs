//! Japanese kana to Latin, for matching names written in hiragana or katakana against their
//! Latin spellings.
//!
//! Modified Hepburn is the standard: Japanese passports, most lists and the press use it.
//! But a name is met in several Hepburn spellings, because the long vowels are written three
//! ways: dropped, as passports do since 2000 (Sato, Tokyo), as the kana spell them (Satou,
//! Toukyou), or with h, which passports allow on request (Satoh). Traditional Hepburn writes
//! ん m before b, m, p (Shimbashi, Homma), and Kunrei/Nihon-shiki, taught in schools and found
//! in older records, differs in a few syllables (si, ti, tu, hu, zi, sya). Each of these is
//! one rendering, the passport one first.
//!
//! Katakana also transcribes foreign names, adding a vowel after every consonant and merging
//! l into r (ムハンマド Muhanmado for Muhammad, アリ Ari for Ali); the renderings of a
//! katakana word therefore include the word with its last added vowel dropped and with l for
//! r, which is what the Latin original looks like.

use unicode_normalization::UnicodeNormalization;

use super::distinct_spellings;

/// Only this many characters are read: names are short.
const MAX_CHARS: usize = 32;
/// How many renderings a word gets.
const MAX_FORMS: usize = 6;

/// The Hepburn and Kunrei spellings of a hiragana (katakana are mapped to hiragana first).
fn syllable(c: char) -> Option<(&'static str, &'static str)> {
    let hepburn = match c {
        'あ' => "a",
        'い' | 'ゐ' => "i",
        'う' => "u",
        'え' | 'ゑ' => "e",
        'お' | 'を' => "o",
        'か' | 'ゕ' => "ka",
        'き' => "ki",
        'く' => "ku",
        'け' | 'ゖ' => "ke",
        'こ' => "ko",
        'が' => "ga",
        'ぎ' => "gi",
        'ぐ' => "gu",
        'げ' => "ge",
        'ご' => "go",
        'さ' => "sa",
        'し' => "shi",
        'す' => "su",
        'せ' => "se",
        'そ' => "so",
        'ざ' => "za",
        'じ' | 'ぢ' => "ji",
        'ず' | 'づ' => "zu",
        'ぜ' => "ze",
        'ぞ' => "zo",
        'た' => "ta",
        'ち' => "chi",
        'つ' => "tsu",
        'て' => "te",
        'と' => "to",
        'だ' => "da",
        'で' => "de",
        'ど' => "do",
        'な' => "na",
        'に' => "ni",
        'ぬ' => "nu",
        'ね' => "ne",
        'の' => "no",
        'は' => "ha",
        'ひ' => "hi",
        'ふ' => "fu",
        'へ' => "he",
        'ほ' => "ho",
        'ば' => "ba",
        'び' => "bi",
        'ぶ' => "bu",
        'べ' => "be",
        'ぼ' => "bo",
        'ぱ' => "pa",
        'ぴ' => "pi",
        'ぷ' => "pu",
        'ぺ' => "pe",
        'ぽ' => "po",
        'ま' => "ma",
        'み' => "mi",
        'む' => "mu",
        'め' => "me",
        'も' => "mo",
        'や' => "ya",
        'ゆ' => "yu",
        'よ' => "yo",
        'ら' => "ra",
        'り' => "ri",
        'る' => "ru",
        'れ' => "re",
        'ろ' => "ro",
        'わ' => "wa",
        'ゔ' => "vu",
        _ => return None,
    };
    let kunrei = match c {
        'し' => "si",
        'じ' | 'ぢ' => "zi",
        'ち' => "ti",
        'つ' => "tu",
        'ふ' => "hu",
        _ => hepburn,
    };
    Some((hepburn, kunrei))
}

/// The small kana that combine with the syllable before them: the vowel they bring, and
/// whether it comes with a y (ゃ ゅ ょ) or a w (ゎ).
fn small(c: char) -> Option<(&'static str, Glide)> {
    Some(match c {
        'ゃ' => ("a", Glide::Y),
        'ゅ' => ("u", Glide::Y),
        'ょ' => ("o", Glide::Y),
        'ゎ' => ("a", Glide::W),
        'ぁ' => ("a", Glide::None),
        'ぃ' => ("i", Glide::None),
        'ぅ' => ("u", Glide::None),
        'ぇ' => ("e", Glide::None),
        'ぉ' => ("o", Glide::None),
        _ => return None,
    })
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Glide {
    None,
    Y,
    W,
}

/// A syllable with a small kana after it: き + ゃ kya, し + ゃ sha (Kunrei sya), ふ + ぁ fa,
/// て + ぃ ti, う + ぃ wi, ヴ + ァ va.
fn combine(base: &str, vowel: &str, glide: Glide) -> String {
    let stem = base.get(..base.len().saturating_sub(1)).unwrap_or("");
    let stem = match (base, glide) {
        // The vowel letters alone: ウィ wi, ウォ wo, イェ ye.
        ("u", Glide::None) => "w",
        ("i", Glide::None) => "y",
        // クァ kwa, グォ gwo.
        ("ku" | "gu", Glide::None) if vowel != "u" => return format!("{stem}w{vowel}"),
        _ => stem,
    };
    match glide {
        // sha, cha, ja drop the y (Kunrei keeps it: sya, tya, zya).
        Glide::Y if matches!(stem, "sh" | "ch" | "j") => format!("{stem}{vowel}"),
        Glide::Y => format!("{stem}y{vowel}"),
        Glide::W => format!("{stem}w{vowel}"),
        Glide::None => format!("{stem}{vowel}"),
    }
}

/// Katakana and the kana variants to plain hiragana.
fn to_hiragana(c: char) -> char {
    match c {
        'ァ'..='ヶ' => char::from_u32(c as u32 - 0x60).unwrap_or(c),
        'ヽ' => 'ゝ',
        'ヾ' => 'ゞ',
        c => c,
    }
}

/// The voiced kana of a plain one (for the iteration mark ゞ and a combining dakuten).
fn voiced(c: char) -> char {
    let u = c as u32;
    // In these rows the voiced kana follows the plain one; は's row also has ぱ after ば.
    let plain = match c {
        'か'..='ぢ' => (u - 'か' as u32).is_multiple_of(2),
        'つ'..='ど' => (u - 'つ' as u32).is_multiple_of(2),
        'は'..='ぽ' => (u - 'は' as u32).is_multiple_of(3),
        'う' => return 'ゔ',
        _ => false,
    };
    if plain {
        char::from_u32(u + 1).unwrap_or(c)
    } else {
        c
    }
}

/// One sound of the word.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Sound {
    /// A syllable, in Hepburn and in Kunrei.
    Syllable(String, String),
    /// っ: the next consonant is doubled.
    Sokuon,
    /// ー: the vowel before is long.
    Long,
    /// ん.
    N,
}

/// Reads the word into sounds, and whether it is in katakana.
fn sounds(word: &str) -> (Vec<Sound>, bool) {
    let mut chars: Vec<char> = word.chars().take(MAX_CHARS).collect();
    // Half-width katakana (from old systems) are the same kana.
    if chars
        .iter()
        .any(|&c| ('\u{FF61}'..='\u{FF9F}').contains(&c))
    {
        chars = chars
            .iter()
            .collect::<String>()
            .nfkc()
            .take(MAX_CHARS)
            .collect();
    }
    let katakana = chars
        .iter()
        .any(|&c| ('\u{30A1}'..='\u{30FA}').contains(&c));
    let mut out: Vec<Sound> = Vec::with_capacity(chars.len());
    let mut last_kana: Option<char> = None;
    let mut i = 0;
    while i < chars.len() {
        let raw = chars[i];
        i += 1;
        // ヷ ヸ ヹ ヺ: the w row voiced, that is v.
        let v_row = match raw {
            'ヷ' => Some("va"),
            'ヸ' => Some("vi"),
            'ヹ' => Some("ve"),
            'ヺ' => Some("vo"),
            _ => None,
        };
        if let Some(v) = v_row {
            out.push(Sound::Syllable(v.to_string(), v.to_string()));
            last_kana = None;
            continue;
        }
        let mut c = to_hiragana(raw);
        // Iteration marks repeat the kana before them (ゞ voiced).
        if let ('ゝ' | 'ゞ', Some(prev)) = (c, last_kana) {
            c = if c == 'ゞ' { voiced(prev) } else { prev };
        }
        if chars.get(i) == Some(&'\u{3099}') {
            c = voiced(c);
            i += 1;
        }
        match c {
            'っ' => out.push(Sound::Sokuon),
            'ー' | '〜' | '～' => out.push(Sound::Long),
            'ん' => out.push(Sound::N),
            _ => {
                if let Some((hepburn, kunrei)) = syllable(c) {
                    let mut h = hepburn.to_string();
                    let mut k = kunrei.to_string();
                    if let Some((vowel, glide)) =
                        chars.get(i).map(|&n| to_hiragana(n)).and_then(small)
                    {
                        h = combine(hepburn, vowel, glide);
                        k = combine(kunrei, vowel, glide);
                        i += 1;
                    }
                    out.push(Sound::Syllable(h, k));
                    last_kana = Some(c);
                    continue;
                }
                // A small kana on its own is its vowel or syllable.
                if let Some((vowel, glide)) = small(c) {
                    let s = match glide {
                        Glide::Y => format!("y{vowel}"),
                        Glide::W => format!("w{vowel}"),
                        Glide::None => vowel.to_string(),
                    };
                    out.push(Sound::Syllable(s.clone(), s));
                }
            }
        }
        last_kana = None;
    }
    (out, katakana)
}

/// How long vowels are written.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Long {
    /// Dropped: Sato, Tokyo (passports).
    Dropped,
    /// As the kana have them: Satou, Toukyou; ー doubles the vowel.
    Kept,
    /// With h after o: Satoh, Tohkyoh.
    Oh,
}

/// How one rendering spells the word.
#[derive(Clone, Copy)]
struct Style {
    kunrei: bool,
    long: Long,
    /// ん as m before b, m, p (traditional Hepburn).
    n_m: bool,
    /// Katakana: drop the vowels added after consonants in a cluster or at the end
    /// (Muhammad, Brad, Frank).
    foreign_end: bool,
    /// Katakana: l for r (Ali).
    l_for_r: bool,
}

fn render(sounds: &[Sound], style: Style) -> String {
    let mut out = String::with_capacity(sounds.len() * 3);
    let mut doubled = false;
    // The last vowel written, for long vowels.
    let mut vowel: Option<char> = None;
    for (k, s) in sounds.iter().enumerate() {
        match s {
            Sound::Syllable(hepburn, kunrei) => {
                let syl = if style.kunrei { kunrei } else { hepburn };
                let bare = syl.len() == 1;
                // おう, おお, うう are one long vowel (えい and いい stay as written).
                let lengthens = bare
                    && matches!(
                        (vowel, syl.as_str()),
                        (Some('o'), "u" | "o") | (Some('u'), "u")
                    );
                if lengthens {
                    match style.long {
                        Long::Dropped => {}
                        Long::Kept => out.push_str(syl),
                        Long::Oh if vowel == Some('o') => out.push('h'),
                        Long::Oh => {}
                    }
                    // A third vowel (おおう) is no longer part of it.
                    vowel = None;
                    doubled = false;
                    continue;
                }
                if doubled {
                    // っち is tch in Hepburn; otherwise the consonant doubles.
                    match syl.chars().next() {
                        Some('c') if !style.kunrei => out.push('t'),
                        Some(c) if !matches!(c, 'a' | 'e' | 'i' | 'o' | 'u') => out.push(c),
                        _ => {}
                    }
                    doubled = false;
                }
                let syl = if style.foreign_end && added_u(syl, sounds.get(k + 1)) {
                    &syl[..syl.len() - 1]
                } else {
                    syl.as_str()
                };
                for c in syl.chars() {
                    out.push(if c == 'r' && style.l_for_r { 'l' } else { c });
                }
                vowel = syl.chars().last();
            }
            Sound::Sokuon => doubled = true,
            Sound::Long => {
                match (style.long, vowel) {
                    (Long::Kept, Some(v)) => out.push(v),
                    (Long::Oh, Some('o')) => out.push('h'),
                    _ => {}
                }
                vowel = None;
            }
            Sound::N => {
                let next = match sounds.get(k + 1) {
                    Some(Sound::Syllable(h, _)) => h.chars().next(),
                    _ => None,
                };
                let m = style.n_m && matches!(next, Some('b' | 'm' | 'p'));
                out.push(if m { 'm' } else { 'n' });
                vowel = None;
                doubled = false;
            }
        }
    }
    if style.foreign_end {
        drop_added_vowel(&mut out, sounds);
    }
    out
}

/// Whether the u of a katakana syllable is the vowel added to a consonant in a cluster of
/// the original (ブラッド Brad, フランク Frank, ムスタファ Mustafa, アブドゥル Abdul): before a
/// consonant other than h, y, w, and not after m or n, whose u is often real (Muhammad,
/// Nuri). トゥ and ドゥ are written to spell a real u.
fn added_u(syl: &str, next: Option<&Sound>) -> bool {
    let Some(Sound::Syllable(next, _)) = next else {
        return false;
    };
    let cluster = next
        .chars()
        .next()
        .is_some_and(|c| !matches!(c, 'a' | 'e' | 'i' | 'o' | 'u' | 'h' | 'y' | 'w'));
    cluster
        && syl.len() >= 2
        && syl.ends_with('u')
        && !matches!(syl, "tu" | "du" | "yu" | "wu" | "nu" | "mu")
        && !syl.ends_with("yu")
}

/// Drops the vowel katakana adds after a word-final consonant: u in general (ブ bu, ス su,
/// ク ku), o after t and d (ド do, ト to); and a doubled consonant left at the end is one.
fn drop_added_vowel(out: &mut String, sounds: &[Sound]) {
    let Some(Sound::Syllable(last, _)) = sounds.last() else {
        return;
    };
    let added = match last.as_str() {
        "to" | "do" => true,
        s => s.len() >= 2 && s.ends_with('u') && !s.ends_with("yu") && s != "wu",
    };
    if !added {
        return;
    }
    out.pop();
    let b = out.as_bytes();
    if b.len() >= 3 && b[b.len() - 1] == b[b.len() - 2] {
        out.pop();
    }
}

/// Latin renderings of a Japanese word in hiragana or katakana (lower-case NFC; other
/// characters are ignored, at most 32 read): at most six distinct lower-case ASCII forms,
/// the passport spelling first.
///
/// Modified Hepburn without macrons, with the long vowels dropped, kept or written "oh"
/// (とうきょう "tokyo"/"toukyou"/"tohkyoh", さとう "sato"/"satou"/"satoh"; ー likewise), っ
/// doubling the next consonant (っち "tch"), ん "n" and "m" before b, m, p in the traditional
/// form, the small-kana syllables (きゃ kya, しゅ shu, ちょ cho, じゃ ja, ふぁ fa, ティ ti, ヴァ va),
/// then the Kunrei spellings where they differ (si, ti, tu, hu, zi). A katakana word also
/// gets the forms a transcribed foreign name has in Latin: ムハンマド "muhanmado",
/// "muhammado", "muhammad"; アリ "ari", "ali".
pub fn kana(word: &str) -> Vec<String> {
    let (sounds, katakana) = sounds(word);
    let hepburn = Style {
        kunrei: false,
        long: Long::Dropped,
        n_m: false,
        foreign_end: false,
        l_for_r: false,
    };
    let kept = Style {
        long: Long::Kept,
        ..hepburn
    };
    let traditional = Style {
        long: Long::Oh,
        n_m: true,
        ..hepburn
    };
    let kunrei = Style {
        kunrei: true,
        ..hepburn
    };
    let kunrei_kept = Style {
        kunrei: true,
        ..kept
    };
    let mut order = vec![hepburn, kept, traditional];
    if katakana {
        let foreign = Style {
            n_m: true,
            foreign_end: true,
            ..hepburn
        };
        order.extend([
            Style {
                n_m: true,
                ..hepburn
            },
            foreign,
            Style {
                l_for_r: true,
                ..foreign
            },
            Style {
                l_for_r: true,
                ..hepburn
            },
        ]);
    }
    order.extend([kunrei, kunrei_kept]);
    distinct_spellings(
        order.into_iter().map(|style| render(&sounds, style)),
        MAX_FORMS,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn assert_renders(word: &str, wants: &[&str]) {
        super::super::assert_renders(kana, word, wants);
    }

    #[test]
    fn hepburn_and_its_variants() {
        let cases: &[(&str, &[&str])] = &[
            ("とうきょう", &["tokyo", "toukyou", "tohkyoh"]),
            ("さとう", &["sato", "satou", "satoh"]),
            ("おおの", &["ono", "oono", "ohno"]),
            ("ゆうき", &["yuki", "yuuki"]),
            ("しんいち", &["shinichi"]),
            ("しんぞう", &["shinzo"]),
            ("しんばし", &["shinbashi", "shimbashi"]),
            ("まっちゃ", &["matcha"]),
            ("いっぽ", &["ippo"]),
            ("きょうこ", &["kyoko"]),
            ("しゅんすけ", &["shunsuke"]),
            ("ちょうじゃ", &["choja"]),
            ("ふじ", &["fuji", "huzi"]),
            ("つよし", &["tsuyoshi", "tuyosi"]),
            ("ちひろ", &["chihiro", "tihiro"]),
            ("けいこ", &["keiko"]),
            ("すゞき", &["suzuki"]),
        ];
        for (word, wants) in cases {
            assert_renders(word, wants);
        }
        assert_eq!(kana("さとう").first().map(String::as_str), Some("sato"));
    }

    #[test]
    fn katakana() {
        let cases: &[(&str, &[&str])] = &[
            ("アリ", &["ari", "ali"]),
            ("ムハンマド", &["muhammado", "muhanmado", "muhammad"]),
            ("ウサマ", &["usama"]),
            ("ファティマ", &["fatima"]),
            ("シンゾー", &["shinzo", "shinzoo", "shinzoh"]),
            ("ヴィクトル", &["vikutoru", "viktor"]),
            ("フランク", &["frank"]),
            ("ムスタファ", &["mustafa"]),
            ("アブドゥル", &["abdul"]),
            ("ヴァレリー", &["vareri", "valeli"]),
            ("ウィリアム", &["wiriamu", "wiliam"]),
            ("ジェームズ", &["jemuzu"]),
            ("ブラッド", &["buraddo", "brad"]),
            ("ｻﾄｳ", &["sato"]),
        ];
        for (word, wants) in cases {
            assert_renders(word, wants);
        }
    }

    #[test]
    fn nothing_to_read() {
        for word in ["", "abc", "ー", "っ", "・", "漢字"] {
            assert!(kana(word).is_empty(), "{word}: {:?}", kana(word));
        }
    }

    #[test]
    fn long_input_is_cut() {
        let forms = kana(&"とうきょう".repeat(10_000));
        assert!(!forms.is_empty() && forms.len() <= MAX_FORMS);
        assert!(forms.iter().all(|f| f.len() < 200));
    }

    proptest! {
        #[test]
        fn any_input_gives_distinct_ascii(
            s in "\\PC{0,40}",
            k in "[\u{3041}-\u{30FF}\u{FF61}-\u{FF9F}\u{3099}]{0,40}",
            c in proptest::collection::vec(any::<char>(), 0..60),
        ) {
            let noisy: String = c.into_iter().collect();
            for input in [&s, &k, &noisy] {
                let forms = kana(input);
                super::super::assert_well_formed(&forms, MAX_FORMS);
            }
        }
    }
}
