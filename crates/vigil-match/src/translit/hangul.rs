//! Hangul to Latin under every system Korean names are actually written in, because a Latin
//! record never says which one its clerk used: Revised Romanization (South Korea since 2000),
//! McCune–Reischauer (South Korea 1984–2000, most older records and the press), the DPRK's
//! official system (Kim Jong Un, Ri Sol Ju, Jang Song Thaek), and the customary passport
//! spellings that follow none of them (Lee, Park, Choi, Jung, Moon, Myung-bak).
//!
//! Names are romanised syllable by syllable (Korean passports and both governments write given
//! names that way), so the sound changes across syllables that the systems prescribe for
//! ordinary words are left out of every rendering but one extra "spoken" form.

/// Syllables processed per word: Korean names have two to four, anything longer is not a name
/// and must not cost more than one.
const MAX_SYLLABLES: usize = 12;
/// Characters scanned per word (three conjoining jamo per syllable plus slack for stray marks).
const MAX_CHARS: usize = 64;
/// Renderings returned per word: enough for every system and the customary forms, few enough
/// that a name part does not flood the index with keys.
const MAX_RENDERINGS: usize = 8;

/// One syllable as (initial, medial, final) indices in Unicode order.
#[derive(Clone, Copy, Default, PartialEq, Eq)]
struct Syl {
    l: u8,
    v: u8,
    t: u8,
}

const S_BASE: u32 = 0xAC00;
const L_COUNT: u32 = 19;
const V_COUNT: u32 = 21;
const T_COUNT: u32 = 28;
const N_COUNT: u32 = V_COUNT * T_COUNT;

// Indices of the jamo the rules single out.
const L_G: u8 = 0;
const L_N: u8 = 2;
const L_D: u8 = 3;
const L_R: u8 = 5;
const L_M: u8 = 6;
const L_S: u8 = 9;
const L_NONE: u8 = 11;
const L_J: u8 = 12;
const V_A: u8 = 0;
const V_EO: u8 = 4;
const V_YEO: u8 = 6;
const V_O: u8 = 8;
const V_U: u8 = 13;
const V_WI: u8 = 16;
const V_YU: u8 = 17;
const V_UI: u8 = 19;
const V_I: u8 = 20;
const T_NONE: u8 = 0;
const T_N: u8 = 4;
const T_L: u8 = 8;
const T_M: u8 = 16;
const T_NG: u8 = 21;
const T_H: u8 = 27;

impl Syl {
    fn from_code(code: u32) -> Option<Syl> {
        let s = code.checked_sub(S_BASE)?;
        (s < L_COUNT * N_COUNT).then_some(Syl {
            l: (s / N_COUNT) as u8,
            v: (s % N_COUNT / T_COUNT) as u8,
            t: (s % T_COUNT) as u8,
        })
    }

    fn to_char(self) -> Option<char> {
        let (l, v, t) = (u32::from(self.l), u32::from(self.v), u32::from(self.t));
        char::from_u32(S_BASE + (l * V_COUNT + v) * T_COUNT + t)
    }
}

/// One romanisation system's letters. Finals are the same in all three systems (each writes
/// the sound a final is pronounced with), but each keeps its own table so that none depends on
/// another's choices.
struct System {
    initials: [&'static str; 19],
    /// Initials after a vowel or a sonorant, for systems that write the voicing there.
    voiced: [&'static str; 19],
    medials: [&'static str; 21],
    finals: [&'static str; 28],
    /// ㅅ before ㅣ/ㅟ written "sh" (the ROK's 1984 McCune–Reischauer: Shin, Shim).
    sh: bool,
    /// Final ㄹ + initial ㄹ written "ll" (RR and MR spell it so; the DPRK writes names
    /// syllable by syllable with spaces, so its ㄹ stays "r").
    ll: bool,
}

const RR_INITIALS: [&str; 19] = [
    "g", "kk", "n", "d", "tt", "r", "m", "b", "pp", "s", "ss", "", "j", "jj", "ch", "k", "t", "p",
    "h",
];
const RR_MEDIALS: [&str; 21] = [
    "a", "ae", "ya", "yae", "eo", "e", "yeo", "ye", "o", "wa", "wae", "oe", "yo", "u", "wo", "we",
    "wi", "yu", "eu", "ui", "i",
];
const RR_FINALS: [&str; 28] = [
    "", "k", "k", "k", "n", "n", "n", "t", "l", "k", "m", "l", "l", "l", "p", "l", "m", "p", "p",
    "t", "t", "ng", "t", "t", "k", "t", "p", "t",
];

/// McCune–Reischauer without its breve and apostrophes (ŏ, ŭ → o, u; k', t', p', ch' → k, t,
/// p, ch), which no Latin record keeps.
const MR_INITIALS: [&str; 19] = [
    "k", "kk", "n", "t", "tt", "r", "m", "p", "pp", "s", "ss", "", "ch", "tch", "ch", "k", "t",
    "p", "h",
];
const MR_VOICED: [&str; 19] = [
    "g", "kk", "n", "d", "tt", "r", "m", "b", "pp", "s", "ss", "", "j", "tch", "ch", "k", "t", "p",
    "h",
];
const MR_MEDIALS: [&str; 21] = [
    "a", "ae", "ya", "yae", "o", "e", "yo", "ye", "o", "wa", "wae", "oe", "yo", "u", "wo", "we",
    "wi", "yu", "u", "ui", "i",
];
const MR_FINALS: [&str; 28] = RR_FINALS;

/// The DPRK's 1992 system: MR's vowels, but ㅈ "j" and the aspirates "kh", "th", "ph"
/// (Jang Song Thaek, Phyongyang), always in the unvoiced syllable-by-syllable form.
const DPRK_INITIALS: [&str; 19] = [
    "k", "kk", "n", "t", "tt", "r", "m", "p", "pp", "s", "ss", "", "j", "jj", "ch", "kh", "th",
    "ph", "h",
];
const DPRK_MEDIALS: [&str; 21] = MR_MEDIALS;
const DPRK_FINALS: [&str; 28] = RR_FINALS;

const RR: System = System {
    initials: RR_INITIALS,
    voiced: RR_INITIALS,
    medials: RR_MEDIALS,
    finals: RR_FINALS,
    sh: false,
    ll: true,
};
const MR: System = System {
    initials: MR_INITIALS,
    voiced: MR_VOICED,
    medials: MR_MEDIALS,
    finals: MR_FINALS,
    sh: true,
    ll: true,
};
const DPRK: System = System {
    initials: DPRK_INITIALS,
    voiced: DPRK_INITIALS,
    medials: DPRK_MEDIALS,
    finals: DPRK_FINALS,
    sh: false,
    ll: false,
};

/// A final moved onto a following vowel-initial syllable, as pronounced (석우 [서구]).
const LINKED: [&str; 28] = [
    "", "g", "kk", "ks", "n", "nj", "n", "d", "r", "lg", "lm", "lb", "ls", "lt", "lp", "r", "m",
    "b", "ps", "s", "ss", "ng", "j", "ch", "k", "t", "p", "",
];
/// A stop final before ㄴ, ㅁ or ㄹ, nasalised (박민 [방민]); "" for finals that are not stops.
const NASALISED: [&str; 28] = [
    "", "ng", "ng", "ng", "", "", "", "n", "", "ng", "", "", "", "", "m", "", "", "m", "m", "n",
    "n", "", "n", "n", "ng", "n", "m", "n",
];

/// Single-syllable Korean family names (the hundred-odd most common, by census order, and the
/// ㄹ-initial forms the DPRK writes for several of them).
const FAMILY_NAMES: &str = "김이박최정강조윤장임한오서신권황안송류전홍고문양손배백허유남심노하곽성차주우구민\
나진지엄채원천방공현함변염여추도소석선설마길연위표명기반왕금옥육인맹제모탁국어은편용예경봉사부가복태\
목형계피두감음빈동온시호범좌팽승간상갈견당화창옹순빙종궁단리림로라량려렴룡륙련뢰";

/// Two-syllable family names; they are split off only from words of four or more syllables,
/// since in a three-syllable word the same pair is more often family name + given syllable.
const COMPOUND_FAMILY_NAMES: [[char; 2]; 14] = [
    ['남', '궁'],
    ['선', '우'],
    ['제', '갈'],
    ['황', '보'],
    ['독', '고'],
    ['사', '공'],
    ['서', '문'],
    ['동', '방'],
    ['어', '금'],
    ['망', '절'],
    ['강', '전'],
    ['소', '봉'],
    ['장', '곡'],
    ['황', '목'],
];

/// Family names the South writes without the ㄹ or ㄴ the DPRK keeps (the initial-sound law):
/// the same family is 이 in Seoul and 리 in Pyongyang, so either spelling must find both.
const INITIAL_SOUND_PAIRS: [(char, char); 12] = [
    ('이', '리'),
    ('임', '림'),
    ('유', '류'),
    ('노', '로'),
    ('나', '라'),
    ('양', '량'),
    ('여', '려'),
    ('염', '렴'),
    ('용', '룡'),
    ('육', '륙'),
    ('연', '련'),
    ('뇌', '뢰'),
];

/// Customary family-name spellings no rule produces (from missionary-era and English-sounding
/// choices that stuck).
const IRREGULAR: [(char, &[&str]); 6] = [
    ('이', &["lee", "yi", "rhee"]),
    ('박', &["park"]),
    ('최', &["choi"]),
    ('백', &["paik"]),
    ('허', &["hur"]),
    ('임', &["lim"]),
];

/// How to render: a system plus the conventions layered on it.
#[derive(Clone, Copy)]
struct Style {
    sys: &'static System,
    /// MR writes plain stops voiced after a vowel or sonorant within a word (Kildong).
    voicing: bool,
    /// Customary vowels: ㅓ "u", ㅕ "yu", ㅜ "oo", ㅠ "yoo", ㅢ "ee" (Jung, Hyun, Moon, Yoon, hee).
    custom: bool,
    /// Family-name customs: a final ㅣ/ㅟ written "ee"/"wee" (Lee, Jee, Wee).
    family: bool,
    /// A family name's open a/o/u written with "h" (Oh, Ahn, Sohn, Suh, Roh).
    breathy: bool,
    /// RR with the sound changes across syllables (운룡 "ullyong").
    spoken: bool,
}

const PLAIN: Style = Style {
    sys: &RR,
    voicing: false,
    custom: false,
    family: false,
    breathy: false,
    spoken: false,
};
const RR_STYLE: Style = PLAIN;
const MR_STYLE: Style = Style {
    sys: &MR,
    voicing: true,
    ..PLAIN
};
const DPRK_STYLE: Style = Style {
    sys: &DPRK,
    ..PLAIN
};
const CUSTOM_RR: Style = Style {
    custom: true,
    ..PLAIN
};
const CUSTOM_MR: Style = Style {
    sys: &MR,
    custom: true,
    ..PLAIN
};
const SPOKEN: Style = Style {
    spoken: true,
    ..PLAIN
};

/// Syllables of a word, with the byte offset where each ends.
struct Parsed {
    syls: [Syl; MAX_SYLLABLES],
    ends: [usize; MAX_SYLLABLES],
    len: usize,
    /// Every character belonged to a syllable and nothing was cut off.
    clean: bool,
}

impl Parsed {
    fn syllables(&self) -> &[Syl] {
        &self.syls[..self.len]
    }
}

/// Decomposes precomposed syllables and composes conjoining jamo (L V [T], or a precomposed
/// LV syllable + T, as NFC would), skipping everything else.
fn parse(word: &str) -> Parsed {
    let mut p = Parsed {
        syls: [Syl::default(); MAX_SYLLABLES],
        ends: [0; MAX_SYLLABLES],
        len: 0,
        clean: true,
    };
    let mut lead: Option<u8> = None;
    let mut open = false;
    let mut chars = word.char_indices();
    for (i, c) in chars.by_ref().take(MAX_CHARS) {
        let end = i + c.len_utf8();
        let code = u32::from(c);
        let new = match code {
            0xAC00..=0xD7A3 => {
                p.clean &= lead.is_none();
                lead = None;
                Syl::from_code(code)
            }
            0x1100..=0x1112 => {
                p.clean &= lead.is_none();
                lead = Some((code - 0x1100) as u8);
                open = false;
                None
            }
            0x1161..=0x1175 => match lead.take() {
                Some(l) => Some(Syl {
                    l,
                    v: (code - 0x1161) as u8,
                    t: T_NONE,
                }),
                None => {
                    p.clean = false;
                    open = false;
                    None
                }
            },
            0x11A8..=0x11C2 if open && lead.is_none() => {
                if let Some(last) = p.len.checked_sub(1) {
                    p.syls[last].t = (code - 0x11A7) as u8;
                    p.ends[last] = end;
                }
                open = false;
                None
            }
            _ => {
                p.clean = false;
                lead = None;
                open = false;
                None
            }
        };
        if let Some(s) = new {
            if p.len == MAX_SYLLABLES {
                p.clean = false;
                return p;
            }
            p.syls[p.len] = s;
            p.ends[p.len] = end;
            p.len += 1;
            open = s.t == T_NONE;
        }
    }
    p.clean &= lead.is_none() && chars.next().is_none();
    p
}

/// The initial of `s`, after a syllable whose final is `prev`.
fn initial(st: Style, s: Syl, prev: Option<u8>) -> &'static str {
    let sys = st.sys;
    if sys.ll && s.l == L_R && prev == Some(T_L) {
        return "l";
    }
    if sys.sh && s.l == L_S && (s.v == V_I || s.v == V_WI) {
        return "sh";
    }
    match prev {
        Some(t) if st.voicing && voiced_end(sys.finals[usize::from(t)]) => {
            sys.voiced[usize::from(s.l)]
        }
        _ => sys.initials[usize::from(s.l)],
    }
}

/// Whether a syllable ending so leaves the next initial between voiced sounds.
fn voiced_end(final_letters: &str) -> bool {
    matches!(
        final_letters.as_bytes().last(),
        None | Some(b'n' | b'm' | b'l' | b'g')
    )
}

fn medial(st: Style, s: Syl) -> &'static str {
    if !st.custom {
        return st.sys.medials[usize::from(s.v)];
    }
    let bare = s.l == L_NONE;
    match s.v {
        V_EO => "u",
        V_YEO if bare && s.t == T_NG => "you",
        V_YEO => "yu",
        V_U if bare => "woo",
        V_U => "oo",
        V_YU => "yoo",
        V_UI if bare => "eui",
        V_UI => "ee",
        V_I if st.family && s.t == T_NONE && !bare => "ee",
        V_WI if st.family && s.t == T_NONE => "wee",
        v => RR_MEDIALS[usize::from(v)],
    }
}

/// Where a family name takes a customary "h": after an open a/o or before a final n
/// (Oh, Koh, Ahn, Sohn), and after a customary open "u"/"yu" (Suh, Huh, Yuh).
fn takes_h(st: Style, s: Syl) -> bool {
    ((s.v == V_A || s.v == V_O) && (s.t == T_NONE || s.t == T_N))
        || (st.custom && (s.v == V_EO || s.v == V_YEO) && s.t == T_NONE)
}

/// The final of the previous syllable and the initial of the next as pronounced across the
/// boundary, when they change.
fn spoken_boundary(t: u8, l: u8) -> Option<(&'static str, &'static str)> {
    if t == T_NONE {
        return None;
    }
    if l == L_NONE {
        return (t != T_NG).then(|| ("", LINKED[usize::from(t)]));
    }
    match (t, l) {
        (T_N, L_R) | (T_L, L_N) => return Some(("l", "l")),
        (T_M | T_NG, L_R) => return Some((RR_FINALS[usize::from(t)], "n")),
        (T_H, L_G) => return Some(("", "k")),
        (T_H, L_D) => return Some(("", "t")),
        (T_H, L_J) => return Some(("", "ch")),
        _ => {}
    }
    let nasal = NASALISED[usize::from(t)];
    match l {
        L_N | L_M if !nasal.is_empty() => Some((nasal, RR_INITIALS[usize::from(l)])),
        L_R if !nasal.is_empty() => Some((nasal, "n")),
        _ => None,
    }
}

fn render(syls: &[Syl], st: Style, buf: &mut String) {
    buf.clear();
    let mut carried: Option<&str> = None;
    let mut prev = None;
    for (i, &s) in syls.iter().enumerate() {
        buf.push_str(carried.take().unwrap_or_else(|| initial(st, s, prev)));
        buf.push_str(medial(st, s));
        if st.breathy && takes_h(st, s) {
            buf.push('h');
        }
        let mut fin = st.sys.finals[usize::from(s.t)];
        if st.spoken {
            if let Some((f, next)) = syls.get(i + 1).and_then(|n| spoken_boundary(s.t, n.l)) {
                fin = f;
                carried = Some(next);
            }
        }
        buf.push_str(fin);
        prev = Some(s.t);
    }
}

fn push_unique(out: &mut Vec<String>, s: &str) {
    if out.len() < MAX_RENDERINGS && !s.is_empty() && !out.iter().any(|o| o == s) {
        out.push(s.to_owned());
    }
}

fn push_rendered(out: &mut Vec<String>, syls: &[Syl], st: Style, buf: &mut String) {
    render(syls, st, buf);
    push_unique(out, buf);
}

/// The systems, the irregular spellings, then the rule-derived customary ones.
fn family_renderings(s: Syl, out: &mut Vec<String>, buf: &mut String) {
    let one = [s];
    for st in [RR_STYLE, MR_STYLE, DPRK_STYLE] {
        push_rendered(out, &one, st, buf);
    }
    let c = s.to_char();
    for (_, spellings) in IRREGULAR.iter().filter(|(k, _)| Some(*k) == c) {
        for sp in spellings.iter() {
            push_unique(out, sp);
        }
    }
    let family = |base: Style, breathy| Style {
        family: true,
        breathy,
        ..base
    };
    for st in [
        family(CUSTOM_RR, false),
        family(CUSTOM_MR, false),
        family(CUSTOM_RR, true),
        family(CUSTOM_MR, true),
    ] {
        push_rendered(out, &one, st, buf);
    }
}

/// Latin renderings of one Hangul word (lower-case NFC input, syllables U+AC00–U+D7A3; also
/// accepts conjoining jamo U+1100–U+11FF by composing them first, and ignores any other
/// characters). Distinct lower-case ASCII letter strings, at most 8, the most usual first:
/// Revised Romanization, McCune–Reischauer (marks removed, word-internal voicing kept), the
/// DPRK system, then customary spellings (a family name's, when the word is one; for other
/// words the customary vowels of passport spellings, and the RR form with the sound changes
/// across syllables).
pub fn hangul(word: &str) -> Vec<String> {
    let parsed = parse(word);
    let syls = parsed.syllables();
    if syls.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::with_capacity(MAX_RENDERINGS);
    let mut buf = String::with_capacity(syls.len() * 8);
    let family = match syls {
        [s] => s
            .to_char()
            .filter(|c| FAMILY_NAMES.contains(*c))
            .map(|c| (*s, c)),
        _ => None,
    };
    if let Some((s, c)) = family {
        family_renderings(s, &mut out, &mut buf);
        let counterpart = INITIAL_SOUND_PAIRS.iter().find_map(|&(south, north)| {
            (south == c)
                .then_some(north)
                .or((north == c).then_some(south))
        });
        if let Some(other) = counterpart.and_then(|o| Syl::from_code(u32::from(o))) {
            family_renderings(other, &mut out, &mut buf);
        }
    } else {
        for st in [RR_STYLE, MR_STYLE, DPRK_STYLE, CUSTOM_RR, CUSTOM_MR, SPOKEN] {
            push_rendered(&mut out, syls, st, &mut buf);
        }
    }
    out
}

/// Splits a Hangul full name written as one word into (family name, given name): the first
/// syllable of a word of three or more, or the first two when they are a two-syllable family
/// name and the word has four or more. `None` for shorter words, words longer than any name,
/// and words with anything but Hangul in them.
pub fn split_full_name(word: &str) -> Option<(&str, &str)> {
    let parsed = parse(word);
    if !parsed.clean || parsed.len < 3 {
        return None;
    }
    let syls = parsed.syllables();
    let compound = syls.len() >= 4
        && matches!((syls[0].to_char(), syls[1].to_char()), (Some(a), Some(b))
            if COMPOUND_FAMILY_NAMES.contains(&[a, b]));
    let at = parsed.ends[usize::from(compound)];
    Some((word.get(..at)?, word.get(at..)?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn has(word: &str, expected: &[&str]) {
        let got = hangul(word);
        for e in expected {
            assert!(got.iter().any(|g| g == e), "{word}: {e} not in {got:?}");
        }
    }

    fn split(word: &str) -> (&str, &str) {
        split_full_name(word).unwrap_or_else(|| panic!("{word} not split"))
    }

    #[test]
    fn systems_in_order() {
        assert_eq!(hangul("정은")[..3], ["jeongeun", "chongun", "jongun"]);
        assert_eq!(hangul("길동")[..2], ["gildong", "kildong"]);
        assert_eq!(hangul("설주")[..2], ["seolju", "solju"]);
        assert_eq!(hangul("성택")[2], "songthaek");
    }

    #[test]
    fn famous_names() {
        let (f, g) = split("김정은");
        assert_eq!((f, g), ("김", "정은"));
        has(f, &["kim", "gim"]);
        has(g, &["jongun", "jeongeun", "chongun", "jungeun"]);
        let (f, g) = split("박근혜");
        has(f, &["park"]);
        has(g, &["geunhye", "kunhye"]);
        let (f, g) = split("이명박");
        has(f, &["lee", "yi"]);
        has(g, &["myeongbak", "myongbak", "myungbak"]);
        let (f, g) = split("문재인");
        has(f, &["moon", "mun"]);
        has(g, &["jaein", "chaein"]);
        let (f, g) = split("리설주");
        has(f, &["ri", "lee"]);
        has(g, &["solju"]);
        let (f, g) = split("최룡해");
        has(f, &["choe", "choi"]);
        has(g, &["ryonghae"]);
        has("기문", &["gimun", "kimoon"]);
        has("정희", &["junghee", "chunghee"]);
    }

    #[test]
    fn splits() {
        assert_eq!(split("남궁민수"), ("남궁", "민수"));
        assert_eq!(split("남궁민"), ("남", "궁민"));
        assert_eq!(split("황보영수"), ("황보", "영수"));
        assert_eq!(split("김민수진"), ("김", "민수진"));
        assert_eq!(split_full_name("정은"), None);
        assert_eq!(split_full_name("kim"), None);
        assert_eq!(split_full_name("김정x은"), None);
        assert_eq!(split_full_name(""), None);
        // Conjoining jamo: the slices still fall on syllable boundaries.
        assert_eq!(
            split("\u{1100}\u{1175}\u{11B7}정은"),
            ("\u{1100}\u{1175}\u{11B7}", "정은")
        );
    }

    #[test]
    fn jamo_compose_and_junk_is_ignored() {
        assert_eq!(
            hangul("\u{110C}\u{1165}\u{11BC}\u{110B}\u{1173}\u{11AB}"),
            hangul("정은")
        );
        assert_eq!(hangul("가\u{11A8}"), hangul("각"));
        assert_eq!(hangul("정-은"), hangul("정은"));
        assert!(hangul("").is_empty());
        assert!(hangul("abc\u{1100}").is_empty());
    }

    #[test]
    fn family_name_customs() {
        let cases: &[(&str, &[&str])] = &[
            ("김", &["kim", "gim"]),
            ("이", &["lee", "yi", "rhee", "ri", "i"]),
            ("박", &["park", "pak", "bak"]),
            ("최", &["choi", "choe"]),
            ("정", &["jeong", "jung", "chung", "jong"]),
            ("강", &["kang", "gang"]),
            ("조", &["cho", "jo"]),
            ("윤", &["yoon", "yun"]),
            ("장", &["jang", "chang"]),
            ("임", &["lim", "im", "rim"]),
            ("오", &["oh", "o"]),
            ("서", &["seo", "suh"]),
            ("신", &["shin", "sin"]),
            ("권", &["kwon", "gwon"]),
            ("안", &["ahn", "an"]),
            ("류", &["ryu", "yoo", "yu"]),
            ("유", &["ryu", "yoo", "yu"]),
            ("전", &["jeon", "jun", "chun"]),
            ("고", &["ko", "go", "koh"]),
            ("문", &["moon", "mun"]),
            ("손", &["son", "sohn"]),
            ("배", &["bae", "pae"]),
            ("백", &["baek", "paek", "paik"]),
            ("허", &["heo", "hur", "huh"]),
            ("노", &["noh", "roh", "no"]),
            ("심", &["shim", "sim"]),
            ("성", &["sung", "seong"]),
            ("주", &["joo", "ju", "chu"]),
            ("우", &["woo", "u"]),
            ("구", &["koo", "gu", "ku"]),
            ("나", &["na", "ra"]),
            ("진", &["jin", "chin"]),
            ("지", &["ji", "chi"]),
            ("엄", &["um", "eom"]),
            ("천", &["cheon", "chun"]),
            ("변", &["byun", "byeon", "pyon"]),
            ("현", &["hyun", "hyeon"]),
            ("석", &["seok", "suk"]),
            ("선", &["sun", "seon"]),
            ("금", &["keum", "kum", "geum"]),
            ("리", &["ri", "lee"]),
            ("한", &["han", "hahn"]),
            ("곽", &["kwak", "gwak"]),
            ("국", &["kook", "guk"]),
            ("명", &["myung", "myeong"]),
            ("위", &["wi", "wee"]),
            ("양", &["yang", "ryang"]),
        ];
        for (syllable, spellings) in cases {
            has(syllable, spellings);
        }
        assert!(FAMILY_NAMES.chars().count() >= 60);
        assert!(FAMILY_NAMES
            .chars()
            .all(|c| Syl::from_code(u32::from(c)).is_some()));
    }

    #[test]
    fn given_names_are_syllable_by_syllable() {
        let r = hangul("운룡");
        assert_eq!(r[0], "unryong");
        assert!(r.iter().any(|s| s == "ullyong"), "{r:?}");
        has("석우", &["seoku", "seogu"]);
        has("설록", &["seollok"]);
        has("현우", &["hyunwoo"]);
        has("영수", &["youngsoo"]);
    }

    proptest! {
        #[test]
        fn never_panics_and_outputs_are_letters(
            s in "\\PC{0,60}",
            h in "[\u{AC00}-\u{D7A3}\u{1100}-\u{11FF} a-]{0,40}",
            c in proptest::collection::vec(any::<char>(), 0..100),
        ) {
            let noisy: String = c.into_iter().collect();
            for input in [s.as_str(), h.as_str(), noisy.as_str()] {
                let out = hangul(input);
                prop_assert!(out.len() <= MAX_RENDERINGS);
                for (i, r) in out.iter().enumerate() {
                    prop_assert!(!r.is_empty() && r.bytes().all(|b| b.is_ascii_lowercase()), "{:?}", r);
                    prop_assert!(!out[..i].contains(r));
                }
                if let Some((f, g)) = split_full_name(input) {
                    prop_assert_eq!(format!("{f}{g}"), input);
                    prop_assert!(!f.is_empty() && !g.is_empty());
                }
            }
        }
    }

    #[test]
    fn long_input_is_capped() {
        let long = "가".repeat(100_000);
        let out = hangul(&long);
        assert_eq!(out[0], "ga".repeat(MAX_SYLLABLES));
        assert_eq!(split_full_name(&long), None);
    }
}
