//! Vocalised comparison of an Arabic-script name part with a Latin spelling of a name part.
//!
//! Arabic script writes consonants and long vowels (ا و ي, and ة ى at the end of a word) but
//! not short vowels; a Latin rendering writes every vowel. The consonant skeletons of the
//! parent module throw away everything but consonant classes, so "Azzam" meets سامي and
//! "Dwairi" meets داري. Here the two spellings are aligned letter by letter with a weighted
//! edit distance that knows which Latin letters may render which Arabic letter (digraphs
//! included: ش = sh/ch/sch, خ = kh/ch/x, ق = q/k/g/gh…), and what each side may leave out:
//! - a Latin short vowel may stand for no Arabic letter (the script does not write it), but a
//!   Latin word does not open on an unwritten vowel (Arabic writes a seat, ا or ع), and a vowel
//!   next to another (a long vowel or diphthong: "ai", "ia") is written in Arabic too;
//! - an Arabic long vowel letter (ا و ي) must be met by a Latin vowel (or w/y/v);
//! - ayn and hamza may vanish, a final ة (canonicalised to ه) may be a/ah/e/eh/at or nothing,
//!   a doubled Latin consonant is a shadda;
//! - the article ال may be rendered al/el/ul, assimilated (ar-r, ad-d), or dropped, also
//!   inside compounds (عبدالرحمن = abdulrahman, abderrahmane).
//!
//! The costs were tuned on Wikidata and dzirinames (Algerian) pairs of Arabic and Latin
//! spellings (the ignored test `evaluate_on_name_pairs`). Everything runs on fixed-size stack
//! arrays with `match`-based cost tables: this is called in the hot loop of a search.

/// Longest Arabic part aligned (letters); longer inputs are not names and score 0.
const MAX_ARABIC: usize = 32;
/// Longest Latin part aligned (letters).
const MAX_LATIN: usize = 48;
/// Cost of an alignment step that is not allowed.
const NEVER: f32 = 1.0e6;

/// A Latin vowel that no Arabic letter writes, after a consonant: the short vowels.
const SHORT_VOWEL: f32 = 0.05;
/// A Latin word ending in an unwritten a/i/o/u: Arabic writes final vowels (ا ي و ه ى),
/// except French mute "e" (Amine, Abderrahmane), which costs a short vowel.
const FINAL_VOWEL: f32 = 0.7;
/// An unwritten vowel next to another vowel ("ai", "ia"): a diphthong or long vowel, which
/// Arabic writes with ي/و/ا.
const SECOND_VOWEL: f32 = 0.6;
/// An unwritten vowel opening the Latin word: Arabic writes a seat (ا, ع, ء) there.
const START_VOWEL: f32 = 0.8;
/// A doubled Latin consonant (shadda, or a spelling habit such as French "ss").
const DOUBLED: f32 = 0.05;
/// Latin "al"/"el" before a name whose Arabic form has no article, or a Latin article fused
/// to the end of the word ("Nurul", "Habibur", "Abdel": Arabic writes it on the next part).
const LATIN_ARTICLE: f32 = 0.3;
/// The article inside a compound with nothing in Latin (عبدالرحمن = abdrahman): unusual.
const INNER_ARTICLE_DROPPED: f32 = 0.4;

/// Arabic letters after canonicalisation, with Persian and Urdu letters folded into the
/// nearest class that matters for Latin renderings.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Ar {
    Alef,
    Beh,
    Peh,
    Teh,
    Theh,
    Jeem,
    Tcheh,
    Hah,
    Khah,
    Dal,
    Thal,
    Reh,
    Zain,
    Jeh,
    Seen,
    Sheen,
    Sad,
    Dad,
    Tah,
    Zah,
    Ain,
    Ghain,
    Feh,
    Veh,
    Qaf,
    Kaf,
    Gaf,
    Lam,
    Meem,
    Noon,
    /// Urdu noon ghunna: nasalisation, often unwritten in Latin.
    Ghunna,
    /// ه, and ة which canonicalisation folds into it.
    Heh,
    Waw,
    /// ي, and ى which canonicalisation folds into it.
    Yeh,
    Hamza,
    /// Any other letter: matches nothing.
    Other,
}

/// The class of an Arabic-script character; `None` for what is not a letter (marks, joiners,
/// tatweel, digits), which the alignment skips.
fn letter(c: char) -> Option<Ar> {
    use Ar::*;
    // Canonical input has already lost hamza seats (أ → ا, ؤ → و, ئ → ي) and folded ة/ى,
    // Persian yeh/keheh and Urdu heh forms; the raw forms are accepted too so the function
    // does not depend on that. Urdu, Pashto and Kurdish letters join the Arabic letter they
    // are written for in Latin (ټ ډ ړ retroflex t d r, ځ dz, څ ts, ښ x/sh, ږ zh/g, ڼ n).
    Some(match c {
        'ا' | 'أ' | 'إ' | 'آ' | 'ٱ' | 'ٲ' | 'ٳ' => Alef,
        'ب' => Beh,
        'پ' => Peh,
        'ت' | 'ٹ' | 'ټ' => Teh,
        'ث' => Theh,
        'ج' => Jeem,
        'چ' => Tcheh,
        'ح' => Hah,
        'خ' => Khah,
        'د' | 'ڈ' | 'ډ' => Dal,
        'ذ' => Thal,
        'ر' | 'ڑ' | 'ړ' | 'ڕ' => Reh,
        'ز' | 'ځ' => Zain,
        'ژ' | 'ږ' => Jeh,
        'س' | 'څ' => Seen,
        'ش' | 'ښ' => Sheen,
        'ص' => Sad,
        'ض' => Dad,
        'ط' => Tah,
        'ظ' => Zah,
        'ع' => Ain,
        'غ' => Ghain,
        'ف' => Feh,
        'ڤ' | 'ۋ' => Veh,
        'ق' => Qaf,
        'ك' | 'ک' | 'ڪ' => Kaf,
        // ڨ (Algeria, Tunisia) and ڭ (Morocco) write the g of dialect names.
        'گ' | 'ګ' | 'ڭ' | 'ڨ' => Gaf,
        'ل' | 'ڵ' => Lam,
        'م' => Meem,
        'ن' | 'ڼ' => Noon,
        'ں' => Ghunna,
        'ه' | 'ة' | 'ۀ' | 'ہ' | 'ھ' | 'ە' | 'ۃ' => Heh,
        'و' | 'ؤ' | 'ۆ' | 'ۇ' | 'ۈ' => Waw,
        'ي' | 'ى' | 'ی' | 'ې' | 'ۍ' | 'ے' | 'ئ' | 'ۓ' | 'ێ' => Yeh,
        'ء' | 'ٴ' => Hamza,
        c if c.is_alphabetic() => Other,
        _ => return None,
    })
}

fn is_vowel(c: u8) -> bool {
    matches!(c, b'a' | b'e' | b'i' | b'o' | b'u')
}

/// Letters the article assimilates to ("ar-Rahman", "ad-Din"): the sun letters.
fn is_sun(a: Ar) -> bool {
    use Ar::*;
    matches!(
        a,
        Teh | Theh | Dal | Thal | Reh | Zain | Seen | Sheen | Sad | Dad | Tah | Zah | Lam | Noon
    )
}

/// Cost of one Arabic letter rendered by one Latin letter.
fn one(a: Ar, c: u8, first: bool, last: bool) -> f32 {
    use Ar::*;
    let v = is_vowel(c);
    // By Arabic letter first: a jump table, then a few comparisons.
    match a {
        Alef => match c {
            b'a' => 0.0,
            // Initial alef is a hamza seat and carries whichever vowel (Ibrahim, Usama, Omar).
            _ if first && v => 0.0,
            // Imala (Djamel, Kamel) and Persian/Urdu vowel colouring.
            b'e' => 0.1,
            b'o' => 0.5,
            b'i' | b'u' => 0.7,
            _ => 1.0,
        },
        Beh => match c {
            b'b' => 0.0,
            // Arabic writes a foreign p with ب (بيريز, Perez).
            b'p' => 0.1,
            b'v' => 0.5,
            _ => 1.0,
        },
        Peh => match c {
            b'p' => 0.0,
            b'b' => 0.2,
            _ => 1.0,
        },
        Teh => match c {
            b't' => 0.0,
            b'd' => 0.5,
            _ => 1.0,
        },
        Tah => match c {
            b't' => 0.0,
            b'd' => 0.4,
            _ => 1.0,
        },
        // ث is s in Persian, Urdu and Turkish (Usman), t in dialects.
        Theh => match c {
            b's' => 0.0,
            b't' => 0.1,
            b'z' => 0.6,
            _ => 1.0,
        },
        Jeem => match c {
            b'j' | b'g' => 0.0,
            b'y' | b'z' => 0.5,
            _ => 1.0,
        },
        Tcheh => match c {
            b'c' => 0.3,
            b'j' => 0.4,
            _ => 1.0,
        },
        Hah => match c {
            b'h' => 0.0,
            b'k' => 0.6,
            _ => 1.0,
        },
        Khah => match c {
            b'x' => 0.2,
            b'h' | b'j' => 0.3,
            b'k' => 0.4,
            b'g' => 0.5,
            _ => 1.0,
        },
        Dal => match c {
            b'd' => 0.0,
            b't' => 0.5,
            _ => 1.0,
        },
        // ذ is z in Persian and Urdu and d in most dialects.
        Thal => match c {
            b'z' => 0.0,
            b'd' => 0.1,
            b's' => 0.6,
            _ => 1.0,
        },
        Reh => match c {
            b'r' => 0.0,
            _ => 1.0,
        },
        // A Latin s between vowels often renders ز.
        Zain => match c {
            b'z' => 0.0,
            b's' => 0.3,
            _ => 1.0,
        },
        Jeh => match c {
            b'z' | b'j' => 0.2,
            b'g' => 0.5,
            _ => 1.0,
        },
        Seen => match c {
            b's' => 0.0,
            b'c' => 0.3,
            b'z' => 0.4,
            _ => 1.0,
        },
        Sad => match c {
            b's' => 0.0,
            b'c' => 0.3,
            b'z' => 0.5,
            _ => 1.0,
        },
        Sheen => match c {
            b'x' => 0.3,
            b's' => 0.5,
            _ => 1.0,
        },
        Dad => match c {
            b'd' | b'z' => 0.0,
            b't' => 0.5,
            _ => 1.0,
        },
        Zah => match c {
            b'z' => 0.0,
            b'd' => 0.2,
            b't' => 0.5,
            _ => 1.0,
        },
        // Ayn and hamza carry the vowel next to them (Ali, Omar, Alaa).
        Ain | Hamza if v => 0.0,
        // Lebanese spellings write ayn h: Wadih, Rabih, Nehme.
        Ain if c == b'h' => {
            if last {
                0.2
            } else {
                0.4
            }
        }
        Ghain => match c {
            b'g' => 0.0,
            b'r' => 0.3,
            b'q' => 0.4,
            b'k' => 0.6,
            _ => 1.0,
        },
        Feh => match c {
            b'f' => 0.0,
            b'v' => 0.2,
            b'p' => 0.4,
            _ => 1.0,
        },
        Veh => match c {
            b'v' => 0.0,
            b'f' => 0.2,
            b'w' => 0.3,
            _ => 1.0,
        },
        // ق is k in most Latin spellings (Kassem) and g in Gulf, Egyptian and Persian ones.
        Qaf => match c {
            b'q' | b'k' | b'g' => 0.0,
            b'c' => 0.1,
            _ => 1.0,
        },
        Kaf => match c {
            b'k' | b'c' => 0.0,
            b'q' | b'g' => 0.3,
            _ => 1.0,
        },
        Gaf => match c {
            b'g' => 0.0,
            b'k' => 0.3,
            b'j' => 0.4,
            _ => 1.0,
        },
        Lam => match c {
            b'l' => 0.0,
            _ => 1.0,
        },
        Meem => match c {
            b'm' => 0.0,
            b'n' => 0.7,
            _ => 1.0,
        },
        // n before b is said m (عنبر, Ambar; جنبلاط, Jumblatt).
        Noon => match c {
            b'n' => 0.0,
            b'm' => 0.5,
            _ => 1.0,
        },
        Ghunna => match c {
            b'n' => 0.0,
            b'm' => 0.3,
            _ => 1.0,
        },
        Heh => match c {
            b'h' => 0.0,
            // Final ه is mostly ة: Fatima, Fatimeh.
            b'a' | b'e' if last => 0.0,
            // Ta marbuta after alef read as t (حياة, Hayat); pronoun ه as o (Abdo).
            b't' if last => 0.1,
            b'o' | b'u' if last => 0.3,
            b'a' | b'e' => 0.6,
            _ => 1.0,
        },
        Waw => match c {
            b'w' | b'v' | b'u' | b'o' => 0.0,
            _ => 1.0,
        },
        Yeh => match c {
            b'y' | b'i' => 0.0,
            b'e' => 0.2,
            b'j' => 0.3,
            // Final ى (folded into ي) is an a: Mustafa, Musa, Huda, Laila.
            b'a' if last => 0.35,
            _ => 1.0,
        },
        Ain | Hamza | Other => 1.0,
    }
}

/// Cost of one Arabic letter rendered by two Latin letters (`NEVER` if they cannot).
fn two(a: Ar, c: [u8; 2], last: bool) -> f32 {
    use Ar::*;
    let [x, y] = c;
    match a {
        Alef => match &c {
            b"aa" => 0.0,
            b"ah" if last => 0.1,
            _ => NEVER,
        },
        // Ayn between two vowels (Saad, Aomar, Saeed).
        Ain if is_vowel(x) && is_vowel(y) => 0.1,
        Theh => match &c {
            b"th" => 0.0,
            b"ts" => 0.4,
            _ => NEVER,
        },
        Thal => match &c {
            b"dh" | b"th" => 0.0,
            b"zh" => 0.1,
            b"dz" => 0.3,
            _ => NEVER,
        },
        Dad => match &c {
            b"dh" => 0.0,
            b"zh" => 0.2,
            b"dz" => 0.3,
            _ => NEVER,
        },
        Zah => match &c {
            b"dh" => 0.0,
            b"zh" => 0.1,
            b"th" => 0.2,
            b"dz" => 0.3,
            _ => NEVER,
        },
        Teh | Tah if c == *b"th" => 0.3,
        Dal if c == *b"dh" => 0.3,
        Jeem => match &c {
            b"dj" => 0.0,
            // French and Italian soft and hard g: Naguib, George.
            b"gu" | b"ge" => 0.1,
            b"dz" | b"zh" | b"jh" => 0.3,
            b"ch" => 0.5,
            _ => NEVER,
        },
        Tcheh => match &c {
            b"ch" => 0.0,
            b"cz" => 0.3,
            _ => NEVER,
        },
        Hah if matches!(&c, b"kh" | b"ch") => 0.4,
        Khah => match &c {
            b"kh" => 0.0,
            // German and older English spellings: Chalid, Chaled.
            b"ch" => 0.1,
            b"gh" => 0.4,
            _ => NEVER,
        },
        Jeh => match &c {
            b"zh" => 0.0,
            b"jh" => 0.2,
            _ => NEVER,
        },
        Seen if matches!(&c, b"sh" | b"ts") => 0.5,
        // French writes ش as ch (Chérif, Achour).
        Sheen => match &c {
            b"sh" | b"ch" => 0.0,
            b"sz" => 0.2,
            b"sc" => 0.3,
            _ => NEVER,
        },
        Ghain => match &c {
            b"gh" => 0.0,
            b"rh" => 0.2,
            b"gu" => 0.3,
            b"kh" => 0.5,
            _ => NEVER,
        },
        Feh if c == *b"ph" => 0.0,
        Qaf => match &c {
            // Persian ق is gh (Ghasem).
            b"ck" | b"qu" | b"gh" => 0.0,
            b"gu" => 0.1,
            b"kh" => 0.5,
            _ => NEVER,
        },
        Kaf => match &c {
            b"ck" => 0.0,
            b"qu" => 0.3,
            b"kh" | b"ch" => 0.4,
            _ => NEVER,
        },
        Gaf => match &c {
            b"gu" => 0.1,
            b"gh" => 0.2,
            _ => NEVER,
        },
        Heh => match &c {
            b"ah" | b"eh" | b"at" | b"et" if last => 0.0,
            b"ha" if last => 0.1,
            b"ou" if last => 0.3,
            b"at" => 0.4,
            _ => NEVER,
        },
        Waw => match &c {
            b"ou" | b"oo" | b"ow" | b"uu" | b"aw" | b"au" => 0.0,
            b"wu" => 0.1,
            b"ao" | b"oe" | b"ue" => 0.3,
            // A glide and the short vowel after it: Louay.
            [b'u', z] if is_vowel(*z) => 0.1,
            _ => NEVER,
        },
        Yeh => match &c {
            // Diphthongs: Hussain, Zaid, Heydari.
            b"ee" | b"ie" | b"ei" | b"ey" | b"iy" | b"ii" | b"ai" | b"ay" => 0.0,
            // A glide and the short vowel after it: Mariam, Ziad.
            [b'i', z] if is_vowel(*z) => 0.1,
            _ => NEVER,
        },
        _ => NEVER,
    }
}

/// Cost of one Arabic letter rendered by three Latin letters (`NEVER` if they cannot).
fn three(a: Ar, c: [u8; 3]) -> f32 {
    use Ar::*;
    match a {
        Sheen if c == *b"sch" => 0.0,
        Tcheh if matches!(&c, b"tch" | b"tsh") => 0.0,
        Jeem => match &c {
            b"dzh" => 0.0,
            b"dsh" => 0.1,
            _ => NEVER,
        },
        // French "que"/"gue" with a mute e: Rafique, Haque, Bouallegue.
        Qaf => match &c {
            b"que" => 0.0,
            b"gue" => 0.1,
            _ => NEVER,
        },
        Gaf if c == *b"gue" => 0.1,
        Kaf if c == *b"que" => 0.1,
        Waw => match &c {
            // A consonant waw with its long vowel: Dawood, Daoud.
            b"woo" | b"wou" => 0.1,
            // French "ou" for a consonant waw, and the vowel after it: Oualid, Louay.
            [b'o', b'u', x] if is_vowel(*x) => 0.05,
            _ => NEVER,
        },
        // French "aie"/"aye" for ay + short vowel: Taieb, Sghaier, Kraiem.
        Yeh => match &c {
            [b'a' | b'e', b'i' | b'y', x] if is_vowel(*x) => 0.1,
            _ => NEVER,
        },
        _ => NEVER,
    }
}

/// Cost of an Arabic letter with nothing in Latin; `cluster`: the Latin word opens with two
/// consonants.
fn deletion(ar: &[Ar], i: usize, cluster: bool) -> f32 {
    use Ar::*;
    let last = i + 1 == ar.len();
    let prev = if i > 0 { ar[i - 1] } else { Other };
    let next = ar.get(i + 1).copied().unwrap_or(Other);
    match ar[i] {
        Ain => 0.15,
        Hamza => 0.1,
        Ghunna => 0.3,
        // عمرو: the waw only tells Amr from Omar.
        Waw if last && ar == [Ain, Meem, Reh, Waw] => 0.1,
        // A seat and its long vowel: ايمان Iman, اوميد Omid.
        Alef if i == 0 && matches!(next, Yeh | Waw) => 0.0,
        // Maghrebi spellings drop the opening vowel: Skander, Smail, Btissam, Mhamed.
        Alef if i == 0 && cluster => 0.3,
        // An initial alef is the vowel the Latin word opens with.
        Alef if i == 0 => 1.0,
        // A doubled long vowel after a lost hamza seat (داوود Daud, رايي Rai) is written once.
        Waw if prev == Waw => 0.2,
        Yeh if prev == Yeh => 0.2,
        // Persian خوا is said kha: خواجه Khajeh.
        Waw if prev == Khah && matches!(next, Alef | Yeh) => 0.2,
        Heh if last => 0.5,
        Hah => 0.9,
        Heh => 0.7,
        _ => 1.0,
    }
}

/// Cost of a Latin letter with nothing in Arabic.
fn insertion(la: &[u8], j: usize) -> f32 {
    let c = la[j];
    let prev = if j > 0 { la[j - 1] } else { 0 };
    let next = la.get(j + 1).copied().unwrap_or(0);
    // "y" between consonants is a vowel (Myriam).
    let vowel = is_vowel(c) || c == b'y' && j > 0 && !is_vowel(prev) && !is_vowel(next);
    // French "ou" and "eu" write one short vowel (Houssem, Ameur).
    let one_vowel = |x: u8, y: u8| y == b'u' && matches!(x, b'o' | b'e');
    if vowel {
        if j == 0 {
            START_VOWEL
        } else if is_vowel(prev) && !one_vowel(prev, c)
            || is_vowel(next) && !one_vowel(c, next) && !la[j + 1..].starts_with(b"ou")
        {
            // A vowel next to another: a long vowel or diphthong, which Arabic writes. Before
            // "ou" it can be short: French writes a consonant waw so (Alaoui, Jaouad).
            SECOND_VOWEL
        } else if j + 1 == la.len() && c != b'e' {
            FINAL_VOWEL
        } else {
            SHORT_VOWEL
        }
    } else if c == prev {
        DOUBLED
    } else {
        match c {
            b'h' => 0.7,
            b'w' | b'y' => 0.8,
            _ => 1.0,
        }
    }
}

/// Cost of the article ال at `ar[i..i + 2]` rendered by `la[j..j + k]`, for each `k` in 0..4.
fn article(ar: &[Ar], i: usize, la: &[u8], j: usize) -> [f32; 4] {
    let mut out = [NEVER; 4];
    // Dropped: usual at the start (الهاشمي = Hashimi), rare inside a compound (abdrahman).
    out[0] = if i == 0 { 0.0 } else { INNER_ARTICLE_DROPPED };
    let at = |k: usize| la.get(j + k).copied().unwrap_or(0);
    if at(0) == b'l' {
        // Maghrebi spellings keep only the l at the start: Larbi, Lakhdar, Lahcen.
        out[1] = if i == 0 { 0.0 } else { 0.2 };
    }
    if is_vowel(at(0)) {
        // "abdu rahman" fused: the article's vowel alone.
        out[1] = 0.2;
        if at(1) == b'l' {
            out[2] = 0.0;
        }
        // Assimilated to a following sun letter: "ar-rahman", "ash-shams".
        if ar.get(i + 2).is_some_and(|&a| is_sun(a)) {
            let (c1, c2) = (at(1), at(2));
            if c1 != 0 && !is_vowel(c1) && c1 == c2 {
                out[2] = 0.0;
            }
            if c2 == b'h' && c1 != 0 && at(3) == c1 && at(4) == b'h' {
                out[3] = 0.0;
            }
        }
    }
    out
}

/// Whether the word opens with the article: ال and at least two letters after it (not الله).
fn has_article(ar: &[Ar]) -> bool {
    use Ar::*;
    ar.len() >= 4 && ar[0] == Alef && ar[1] == Lam && ar != [Alef, Lam, Lam, Heh]
}

/// Similarity in [0, 1] of an Arabic-script name part and a romanised Latin spelling of a
/// name part.
///
/// `arabic` is the canonical form the analyser keeps (marks stripped, see `arabic_canonical`);
/// `latin` a lower-case ASCII romanisation ("mohammed", "abdulrahman"). Characters that are
/// not letters of the respective script are ignored; longer parts than any name (over 32
/// Arabic or 48 Latin letters) score 0.
///
/// The score is 1 − alignment cost / number of Arabic letters; an Arabic word with the article
/// is also aligned without it (scored against the letters after it), and the better of the two
/// is kept. Spellings of one name mostly score 0.9 or more; 0.8 separates same from different
/// names well (the ignored test `evaluate_on_name_pairs` measures this on real pairs).
///
/// Scores below `floor` are not worth computing to the caller: the alignment stops as soon as
/// it cannot reach `floor` and then returns some score below it (0 with `floor` 0 never
/// happens early).
pub fn arabic_latin_similarity(arabic: &str, latin: &str, floor: f64) -> f64 {
    let mut ar = [Ar::Other; MAX_ARABIC];
    let mut n = 0;
    for c in arabic.chars() {
        if let Some(a) = letter(c) {
            if n == MAX_ARABIC {
                return 0.0;
            }
            ar[n] = a;
            n += 1;
        }
    }
    let mut la = [0u8; MAX_LATIN];
    let mut m = 0;
    for b in latin.bytes() {
        let b = b.to_ascii_lowercase();
        if b.is_ascii_lowercase() {
            if m == MAX_LATIN {
                return 0.0;
            }
            la[m] = b;
            m += 1;
        }
    }
    if n == 0 || m == 0 {
        return 0.0;
    }
    let (ar, la) = (&ar[..n], &la[..m]);
    // The most an alignment of `letters` Arabic letters may cost and still score `floor`.
    let limit = |letters: usize| ((1.0 - floor.clamp(0.0, 1.0)) * letters as f64) as f32;
    let mut best = 1.0 - f64::from(align(ar, la, false, limit(n))) / n as f64;
    if has_article(ar) {
        let without = 1.0 - f64::from(align(ar, la, true, limit(n - 2))) / (n - 2) as f64;
        best = best.max(without);
    }
    best.clamp(0.0, 1.0)
}

/// Least total cost of rendering `ar` as `la`; with `skip_article`, the opening article is
/// aligned as a unit (al, el, ar-r…, or nothing) at no cost. Partial costs above `limit`
/// (the caller's floor) are not followed, and once no partial cost is within it the result is
/// `NEVER`: steps never cost less than nothing, so they cannot lead back below it, and every
/// result up to `limit` is exact.
fn align(ar: &[Ar], la: &[u8], skip_article: bool, limit: f32) -> f32 {
    let (n, m) = (ar.len(), la.len());
    // Steps go from row i to rows i, i + 1 and (the article) i + 2: three rolling rows.
    let mut d = [[NEVER; MAX_LATIN + 1]; 3];
    let first_row = if skip_article {
        for (k, cost) in article(ar, 0, la, 0).into_iter().enumerate() {
            if k <= m {
                d[2][k] = cost;
            }
        }
        2
    } else {
        d[0][0] = 0.0;
        // A Latin article before a name written without it in Arabic ("Elbani" for باني).
        if !has_article(ar) && m >= 5 && matches!(&la[..2], b"al" | b"el") {
            d[0][2] = LATIN_ARTICLE;
        }
        0
    };
    let cluster = m >= 3
        && !is_vowel(la[0])
        && !is_vowel(la[1])
        && la[1] != b'h'
        && !matches!(la[0], b'y' | b'w')
        && la[0] != la[1];
    let mut ins = [0.0f32; MAX_LATIN];
    for (j, c) in ins.iter_mut().enumerate().take(m) {
        *c = insertion(la, j);
    }
    let mut del = [0.0f32; MAX_ARABIC];
    for (i, c) in del.iter_mut().enumerate().take(n) {
        *c = deletion(ar, i, false);
    }
    let del_opening = deletion(ar, 0, cluster);
    let inner_article = n >= 6 && ar[2..n - 2].windows(2).any(|w| w == [Ar::Alef, Ar::Lam]);
    let relax = |row: &mut [f32; MAX_LATIN + 1], j: usize, cost: f32| {
        if cost < row[j] {
            row[j] = cost;
        }
    };
    // Before the last row, the cost with the last two Latin letters left over (see below).
    let mut before_tail = NEVER;
    for i in first_row..=n {
        // The slot of row i + 2 last held row i − 1, which is done with.
        if i > first_row {
            d[(i + 2) % 3] = [NEVER; MAX_LATIN + 1];
        }
        let (cur, one_on, two_on) = (i % 3, (i + 1) % 3, (i + 2) % 3);
        for j in 0..=m {
            let here = d[cur][j];
            if here > limit {
                continue;
            }
            if j < m {
                relax(&mut d[cur], j + 1, here + ins[j]);
            }
            if i == n {
                continue;
            }
            let a = ar[i];
            let (first, last) = (i == 0, i + 1 == n);
            let gone = if i == 0 && j == 0 {
                del_opening
            } else {
                del[i]
            };
            relax(&mut d[one_on], j, here + gone);
            if j < m {
                relax(&mut d[one_on], j + 1, here + one(a, la[j], first, last));
            }
            if j + 1 < m {
                relax(
                    &mut d[one_on],
                    j + 2,
                    here + two(a, [la[j], la[j + 1]], last),
                );
            }
            if j + 2 < m {
                let c = three(a, [la[j], la[j + 1], la[j + 2]]);
                relax(&mut d[one_on], j + 3, here + c);
            }
            // The article inside a compound (عبدالرحمن, نورالدين), with at least two letters
            // of name after it.
            if inner_article && i >= 2 && n >= i + 4 && a == Ar::Alef && ar[i + 1] == Ar::Lam {
                for (k, cost) in article(ar, i, la, j).into_iter().enumerate() {
                    if j + k <= m {
                        relax(&mut d[two_on], j + k, here + cost);
                    }
                }
            }
        }
        if i == n && m >= 2 {
            before_tail = d[cur][m - 2];
        }
        if i < n
            && d[one_on][..=m]
                .iter()
                .chain(&d[two_on][..=m])
                .all(|&c| c > limit)
        {
            return NEVER;
        }
    }
    let mut cost = d[n % 3][m];
    // A Latin article fused to the end of the word: Arabic writes it on the next part.
    if n >= 3 && m >= 5 {
        let tail = &la[m - 2..];
        if matches!(tail, b"ul" | b"ur" | b"us" | b"ud" | b"uz" | b"el" | b"al") {
            cost = cost.min(before_tail + LATIN_ARTICLE);
        }
    }
    cost
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lexicon::particle;
    use crate::text::{fold_latin, strip_marks, tokenize, Fold};
    use crate::translit::{arabic_canonical, arabic_skeleton, latin_skeleton, skeleton_similarity};
    use proptest::prelude::*;

    /// The canonical form the analyser keeps for an Arabic-script word (see `Token::new`).
    fn arabic(word: &str) -> String {
        arabic_canonical(&strip_marks(word))
    }

    fn sim(ar: &str, la: &str) -> f64 {
        arabic_latin_similarity(&arabic(ar), la, 0.0)
    }

    #[test]
    fn spellings_of_one_name_score_high() {
        let cases = [
            ("محمد", "mohammed"),
            ("مُحَمَّد", "muhammad"),
            ("محمد", "mohamed"),
            ("عبدالرحمن", "abdulrahman"),
            ("عبدالرحمن", "abderrahmane"),
            ("عبدالرحمن", "abdurrahman"),
            ("الجميل", "aljamil"),
            ("الجميل", "gemayel"),
            ("حسين", "hussein"),
            ("حسين", "husain"),
            ("قاسم", "qasim"),
            ("قاسم", "kassem"),
            ("قاسم", "ghasem"),
            ("يوسف", "youssef"),
            ("يوسف", "yusuf"),
            ("فاطمة", "fatima"),
            ("فاطمة", "fatemeh"),
            ("إبراهيم", "ibrahim"),
            ("أسامة", "osama"),
            ("مصطفى", "mustafa"),
            ("شفيق", "chafik"),
            ("خالد", "khaled"),
            ("جمال", "djamel"),
            ("داوود", "daoud"),
            ("عمرو", "amr"),
            ("الحسن", "lahcen"),
            ("الهاشمي", "hashimi"),
            ("الرحمن", "arrahman"),
            ("نورالدين", "noureddine"),
            ("عبد", "abdul"),
        ];
        for (ar, la) in cases {
            let s = sim(ar, la);
            assert!(s >= 0.85, "{ar} {la}: {s}");
        }
    }

    #[test]
    fn different_names_alike_in_consonants_score_low() {
        // All of these have equal consonant skeletons, or nearly.
        let cases = [
            ("سامي", "azzam"),
            ("داري", "dwairi"),
            ("دودو", "dhaouadi"),
            ("بزاز", "bseiso"),
            ("زهير", "sahar"),
            ("ايلا", "alaa"),
            ("مريم", "amorim"),
            ("خالد", "khaleghi"),
            ("حسن", "hussein"),
            ("محمود", "mohamed"),
            ("أحمد", "hamid"),
        ];
        for (ar, la) in cases {
            let s = sim(ar, la);
            assert!(s < 0.8, "{ar} {la}: {s}");
        }
        // Canonical ي is also ى (an a: Mustafa), so فتحي can be read "Fatiha"; the written
        // long vowel of فتيحة still makes that the better match.
        assert!(sim("فتيحة", "fatiha") > sim("فتحي", "fatiha") + 0.05);
    }

    #[test]
    fn nothing_to_compare_scores_zero() {
        assert_eq!(arabic_latin_similarity("", "ali", 0.0), 0.0);
        assert_eq!(arabic_latin_similarity("علي", "", 0.0), 0.0);
        assert_eq!(arabic_latin_similarity("123", "-", 0.0), 0.0);
        let long = "ب".repeat(MAX_ARABIC + 1);
        assert_eq!(arabic_latin_similarity(&long, "b", 0.0), 0.0);
    }

    proptest! {
        #[test]
        fn any_input_scores_in_range(
            s in "\\PC{0,60}",
            chars in proptest::collection::vec(any::<char>(), 0..80),
            ar in "[\u{0621}-\u{064A}\u{067E}\u{0686}\u{0698}\u{06A9}\u{06AF}\u{06BA}\u{06BE}\u{06C1}\u{06CC}\u{06D2}]{0,40}",
            la in "[a-z]{0,60}",
        ) {
            let noisy: String = chars.into_iter().collect();
            for (x, y) in [(&ar, &la), (&s, &noisy), (&noisy, &s), (&ar, &s), (&noisy, &la)] {
                let score = arabic_latin_similarity(x, y, 0.0);
                prop_assert!((0.0..=1.0).contains(&score), "{x:?} {y:?}: {score}");
                // A floor only cuts work: at or above it the score is exact, below it stays below.
                for floor in [0.5, 0.8, 0.95] {
                    let cut = arabic_latin_similarity(x, y, floor);
                    if score >= floor {
                        prop_assert!((cut - score).abs() < 1e-9, "{x:?} {y:?} {floor}: {cut} {score}");
                    } else {
                        prop_assert!(cut < floor, "{x:?} {y:?} {floor}: {cut} {score}");
                    }
                }
            }
        }
    }

    /// Evaluation on real pairs (run by hand; the pairs are in the shared data, found by
    /// `vigil_testdata`):
    /// `cargo test -p vigil-match --lib arabic_latin -- --ignored --nocapture`.
    ///
    /// Rows of `arabic_latin_full_name_pairs.train.tsv` whose two sides have as many words give
    /// aligned word pairs (particles left out). Negatives: each Arabic word against the Latin
    /// word of another random row ("random"; "clean" also leaves out spellings that the data
    /// pairs with that Arabic word elsewhere), and against a Latin word of a different Arabic
    /// word with the same consonant skeleton ("same skeleton": the skeleton's blind spot; many
    /// are in fact spelling variants of one name, so this rate cannot reach 0).
    #[test]
    #[ignore]
    fn evaluate_on_name_pairs() {
        use std::collections::{HashMap, HashSet};
        let Some(path) =
            vigil_testdata::shared_data("names/arabic_latin_full_name_pairs.train.tsv")
        else {
            return;
        };
        let text = std::fs::read_to_string(&path).expect("Arabic-Latin pairs");
        let arabic_word = |w: &str| -> String {
            let t: String = tokenize(w).iter().map(|t| arabic(&t.text)).collect();
            let arabic_only = t
                .chars()
                .all(|c| matches!(c as u32, 0x0600..=0x06FF | 0x0750..=0x077F));
            if arabic_only {
                t
            } else {
                String::new()
            }
        };
        let latin_word = |w: &str| -> String {
            tokenize(w)
                .iter()
                .map(|t| fold_latin(&t.text, Fold::Plain))
                .collect::<String>()
                .chars()
                .filter(char::is_ascii_alphabetic)
                .collect()
        };
        let mut rows: Vec<Vec<(String, String)>> = Vec::new();
        for line in text.lines().skip(1) {
            let mut fields = line.split('\t');
            let (Some(a), Some(l)) = (fields.next(), fields.next()) else {
                continue;
            };
            let (aw, lw): (Vec<&str>, Vec<&str>) = (
                a.split_whitespace().collect(),
                l.split_whitespace().collect(),
            );
            if aw.len() != lw.len() {
                continue;
            }
            let row: Vec<(String, String)> = aw
                .iter()
                .zip(&lw)
                .map(|(a, l)| (arabic_word(a), latin_word(l)))
                .filter(|(a, l)| {
                    !a.is_empty() && !l.is_empty() && particle(a).is_none() && particle(l).is_none()
                })
                .collect();
            if !row.is_empty() {
                rows.push(row);
            }
        }
        let seen: HashSet<&(String, String)> = rows.iter().flatten().collect();
        let mut unique: Vec<&(String, String)> = seen.iter().copied().collect();
        unique.sort();
        // xorshift: a fixed sample whatever the rand version.
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = |k: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % k as u64) as usize
        };
        let (mut random, mut clean) = (Vec::new(), Vec::new());
        for (ri, row) in rows.iter().enumerate() {
            for (a, l) in row {
                loop {
                    let rj = next(rows.len());
                    let other = &rows[rj];
                    let l2 = &other[next(other.len())].1;
                    if rj == ri || l2 == l {
                        continue;
                    }
                    let pair = (a.clone(), l2.clone());
                    if !seen.contains(&pair) {
                        clean.push(pair.clone());
                    }
                    random.push(pair);
                    break;
                }
            }
        }
        let mut by_skeleton: HashMap<String, Vec<&(String, String)>> = HashMap::new();
        for p in &unique {
            by_skeleton
                .entry(arabic_skeleton(&p.0))
                .or_default()
                .push(p);
        }
        let mut arabic_words: Vec<&String> = unique.iter().map(|p| &p.0).collect();
        arabic_words.dedup();
        let mut same_skeleton = Vec::new();
        for a in arabic_words {
            let others: Vec<&&(String, String)> = by_skeleton[&arabic_skeleton(a)]
                .iter()
                .filter(|(a2, l2)| a2 != a && !seen.contains(&(a.clone(), l2.clone())))
                .collect();
            if !others.is_empty() {
                same_skeleton.push((a.clone(), others[next(others.len())].1.clone()));
            }
        }
        let occurrences: Vec<(String, String)> = rows.iter().flatten().cloned().collect();
        let unique: Vec<(String, String)> = unique.into_iter().cloned().collect();

        // Today's skeleton comparison, plain and as the engine applies it (an Arabic word
        // with the article also without it, a fused "ben"/"bou" dropped, short skeletons
        // capped at 0.85).
        let plain = |a: &str, l: &str| skeleton_similarity(&arabic_skeleton(a), &latin_skeleton(l));
        let engine = |a: &str, l: &str| {
            let mut xs = vec![arabic_skeleton(a)];
            if a.chars().count() >= 4 && a != "الله" {
                xs.extend(a.strip_prefix("ال").map(arabic_skeleton));
            }
            let mut ys = vec![latin_skeleton(l)];
            let fused = ["ben", "bin", "bou", "abou", "abu", "ould"]
                .iter()
                .find_map(|p| l.strip_prefix(p))
                .filter(|rest| rest.len() >= 3);
            ys.extend(fused.map(latin_skeleton));
            let mut best = 0.0f64;
            for x in &xs {
                for y in &ys {
                    let cap = if x.len().min(y.len()) < 3 { 0.85 } else { 1.0 };
                    best = best.max(skeleton_similarity(x, y).min(cap));
                }
            }
            best
        };
        type Measure<'a> = &'a dyn Fn(&str, &str) -> f64;
        let measures: [(&str, Measure); 3] = [
            ("skeleton", &plain),
            ("skeleton as engine", &engine),
            ("vocalised (new)", &|a, l| {
                arabic_latin_similarity(a, l, 0.0)
            }),
        ];
        let sets: [(&str, &[(String, String)]); 5] = [
            ("recall, word occurrences", &occurrences),
            ("recall, distinct pairs", &unique),
            ("false positives, random", &random),
            ("false positives, random clean", &clean),
            ("false positives, same skeleton", &same_skeleton),
        ];
        let thresholds = [0.6, 0.7, 0.75, 0.8, 0.85, 0.9];
        for (title, set) in sets {
            println!("{title} ({} pairs), % scoring >= T", set.len());
            println!("  {:20} {:?}", "T", thresholds);
            for (name, f) in &measures {
                let scores: Vec<f64> = set.iter().map(|(a, l)| f(a, l)).collect();
                let shares: Vec<String> = thresholds
                    .iter()
                    .map(|t| {
                        let k = scores.iter().filter(|s| **s >= *t).count();
                        format!("{:5.1}", 100.0 * k as f64 / set.len() as f64)
                    })
                    .collect();
                println!("  {name:20} {}", shares.join(" "));
            }
        }
        println!("examples: skeleton / as engine / new");
        for (a, l) in [
            ("سامي", "azzam"),
            ("داري", "dwairi"),
            ("دودو", "dhaouadi"),
            ("بزاز", "bseiso"),
            ("زهير", "sahar"),
            ("ايلا", "alaa"),
            ("فتحي", "fatiha"),
            ("مريم", "amorim"),
            ("خالد", "khaleghi"),
        ] {
            let a = arabic(a);
            println!(
                "  {a} {l}: {:.2} / {:.2} / {:.2}",
                plain(&a, l),
                engine(&a, l),
                arabic_latin_similarity(&a, l, 0.0)
            );
        }
        let pairs: Vec<&(String, String)> = unique.iter().chain(&random).collect();
        let start = std::time::Instant::now();
        let total: f64 = pairs
            .iter()
            .map(|(a, l)| arabic_latin_similarity(std::hint::black_box(a), l, 0.0))
            .sum();
        let new_ns = start.elapsed().as_nanos() as f64 / pairs.len() as f64;
        let skeletons: Vec<(String, String)> = pairs
            .iter()
            .map(|(a, l)| (arabic_skeleton(a), latin_skeleton(l)))
            .collect();
        let start = std::time::Instant::now();
        let old: f64 = skeletons
            .iter()
            .map(|(x, y)| skeleton_similarity(std::hint::black_box(x), y))
            .sum();
        let old_ns = start.elapsed().as_nanos() as f64 / pairs.len() as f64;
        println!(
            "time per call: new {new_ns:.0} ns, skeleton_similarity on ready skeletons \
             {old_ns:.0} ns ({total:.0} {old:.0})"
        );
    }
}
