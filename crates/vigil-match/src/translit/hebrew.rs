//! Hebrew to Latin, for matching Hebrew-script names against their Latin renderings.
//!
//! The consonants follow the Academy of the Hebrew Language's simplified romanisation (2006),
//! the basis of Israeli official spellings: ח h, כ kh, ש sh, ב v and פ f after a vowel; צ is
//! tz, as names write it more often than the Academy's ts. A name is met in other systems
//! too, so each reading is also spelled in them: the Anglo and Ashkenazi one (Chaim, Rachel,
//! Abraham), the Central European one (Josef, Jizchak, Benjamin), the strict one (Yitskhak)
//! and the French one that doubles s between vowels (Yossef).
//!
//! Unpointed Hebrew, the normal way names are written, leaves most vowels out: a and e have
//! no letter (in the biblical spelling of old names i and o neither), ו and י are consonants
//! or vowels, א and ע are written but not said. A single reading would be wrong too often,
//! so the word is read several ways and the cheapest readings are returned. Each choice (is
//! this ו a vowel, which vowel sits between these two consonants) has a cost that encodes how
//! names are built: Hebrew ones with a closed first syllable (Yitzhak, Binyamin), a reduced
//! first vowel (Netanyahu), the segolate e before a last l, r or f (Rachel, Yosef), the ben-
//! prefix and the patterns of the biblical spelling (Moshe, Shlomo, David); foreign names,
//! which write their vowels and leave clusters unwritten (Goldberg, Olmert), at a cost that
//! falls with the signs of a transcription (a medial alef, a geresh, many vowel letters,
//! length). Pointed text (niqqud) is read as written.
//!
//! [`hebrew_skeleton`] gives the consonants only, in the skeleton alphabet of the Arabic
//! script, because that is what survives every way of writing the vowels.

use super::finish_skeleton;

/// Only this many characters of a word are read: names are short, and the search below must
/// stay cheap on anything it is given.
const MAX_CHARS: usize = 32;
/// How many renderings a word gets.
const MAX_FORMS: usize = 6;
/// How many ways of reading the letters (ו/י as consonant or vowel…) are kept.
const MAX_READINGS: usize = 6;
/// How many vowel guesses are kept per reading.
const VOWEL_BEAM: usize = 6;
/// A cost that rules a choice out.
const IMPOSSIBLE: f32 = 9.0;
/// What each further vowel guess from one reading adds to its cost when the forms are
/// picked, so that other readings get their turn.
const DIVERSITY: f32 = 0.3;
/// Candidates considered for the output.
const MAX_CANDIDATES: usize = 40;
/// What reading a word as a transcribed foreign name costs ([`foreign_cost`]), and what
/// each sign of one takes off.
const FOREIGN_BASE: f32 = 0.3;
const FOREIGN_ALEF: f32 = 0.3;
const FOREIGN_GERESH: f32 = 0.3;
const FOREIGN_MATER: f32 = 0.1;
const FOREIGN_LENGTH: f32 = 0.2;

/// The vowel points (niqqud).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Point {
    Sheva,
    HatafSegol,
    HatafPatah,
    HatafQamats,
    Hiriq,
    Tsere,
    Segol,
    Patah,
    Qamats,
    Holam,
    Qubuts,
    QamatsQatan,
}

impl Point {
    fn of(c: char) -> Option<Point> {
        Some(match c {
            '\u{05B0}' => Point::Sheva,
            '\u{05B1}' => Point::HatafSegol,
            '\u{05B2}' => Point::HatafPatah,
            '\u{05B3}' => Point::HatafQamats,
            '\u{05B4}' => Point::Hiriq,
            '\u{05B5}' => Point::Tsere,
            '\u{05B6}' => Point::Segol,
            '\u{05B7}' => Point::Patah,
            '\u{05B8}' => Point::Qamats,
            '\u{05B9}' | '\u{05BA}' => Point::Holam,
            '\u{05BB}' => Point::Qubuts,
            '\u{05C7}' => Point::QamatsQatan,
            _ => return None,
        })
    }

    fn vowel(self) -> &'static str {
        match self {
            Point::Sheva => "",
            Point::HatafSegol | Point::Tsere | Point::Segol => "e",
            Point::HatafPatah | Point::Patah | Point::Qamats => "a",
            Point::HatafQamats | Point::Holam | Point::QamatsQatan => "o",
            Point::Hiriq => "i",
            Point::Qubuts => "u",
        }
    }

    /// Whether the point is a full vowel (sheva is none, or a barely heard e).
    fn is_vowel(self) -> bool {
        self != Point::Sheva
    }
}

/// One letter with the marks written on it.
#[derive(Clone, Copy, Debug)]
struct Letter {
    /// The letter, final forms mapped to the ordinary ones (they only mark the word end).
    base: char,
    dagesh: bool,
    sin_dot: bool,
    /// Geresh or gershayim after the letter: ג׳ j, ז׳ zh, צ׳ ch, ת׳ th.
    geresh: bool,
    point: Option<Point>,
}

impl Letter {
    fn new(base: char) -> Letter {
        Letter {
            base,
            dagesh: false,
            sin_dot: false,
            geresh: false,
            point: None,
        }
    }

    fn vowel_point(&self) -> Option<Point> {
        self.point.filter(|p| p.is_vowel())
    }
}

fn base_letter(c: char) -> Option<char> {
    Some(match c {
        'ך' => 'כ',
        'ם' => 'מ',
        'ן' => 'נ',
        'ף' => 'פ',
        'ץ' => 'צ',
        'א'..='ת' => c,
        _ => return None,
    })
}

fn parse(word: &str) -> Vec<Letter> {
    let mut out: Vec<Letter> = Vec::new();
    for c in word.chars().take(MAX_CHARS) {
        if out.len() >= MAX_CHARS {
            break;
        }
        if let Some(b) = base_letter(c) {
            out.push(Letter::new(b));
            continue;
        }
        // The Yiddish ligatures are two letters.
        let pair = match c {
            '\u{05F0}' => Some(('ו', 'ו')),
            '\u{05F1}' => Some(('ו', 'י')),
            '\u{05F2}' => Some(('י', 'י')),
            _ => None,
        };
        if let Some((a, b)) = pair {
            out.push(Letter::new(a));
            out.push(Letter::new(b));
            continue;
        }
        // A mark before any letter has nothing to sit on.
        let Some(last) = out.last_mut() else {
            continue;
        };
        match c {
            '\u{05BC}' => last.dagesh = true,
            '\u{05C2}' => last.sin_dot = true,
            '\u{05F3}' | '\u{05F4}' | '\'' | '"' | '\u{2019}' => last.geresh = true,
            _ => {
                if let Some(p) = Point::of(c) {
                    last.point = Some(p);
                }
            }
        }
    }
    out
}

/// What a letter (or two) becomes in one reading of the word.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Slot {
    /// A consonant, spelled according to the style (index into the letters).
    Cons(usize),
    /// A ש read as sin, s: the dot that tells it from shin is seldom written.
    Sin(usize),
    /// א or ע: written, not pronounced, but it separates syllables like a consonant.
    Silent,
    /// A vowel the script writes, with a letter (ו o, י i) or a point.
    Vowel(&'static str),
    /// The vowel a word-final ה stands for (Sara, Moshe): guessed like the unwritten ones.
    Final,
}

impl Slot {
    fn consonantal(self) -> bool {
        matches!(self, Slot::Cons(_) | Slot::Sin(_) | Slot::Silent)
    }
}

/// One way of reading a letter (or two, or the prefix ben-): a cost and its slots.
#[derive(Clone, Copy)]
struct Choice {
    cost: f32,
    slots: [Option<Slot>; 4],
    /// Letters covered (וו and יי are read together).
    used: usize,
}

fn one(cost: f32, slot: Slot) -> Choice {
    Choice {
        cost,
        slots: [Some(slot), None, None, None],
        used: 1,
    }
}

fn two(cost: f32, a: Slot, b: Slot) -> Choice {
    Choice {
        cost,
        slots: [Some(a), Some(b), None, None],
        used: 1,
    }
}

fn covering(mut c: Choice, used: usize) -> Choice {
    c.used = used;
    c
}

/// The ways of reading the letter at `i` of unpointed text.
fn unpointed_choices(letters: &[Letter], i: usize, out: &mut Vec<Choice>) {
    let n = letters.len();
    let l = letters[i];
    let next = letters.get(i + 1).map(|l| l.base);
    let prev = i.checked_sub(1).map(|p| letters[p].base);
    let first = i == 0;
    let last = i + 1 == n;
    let before_final_he = next == Some('ה') && i + 2 == n;
    match l.base {
        'ו' => {
            if first || next == Some('ו') {
                // Initial ו and וו are the consonant v.
                let used = if next == Some('ו') { 2 } else { 1 };
                out.push(covering(one(0.0, Slot::Cons(i)), used));
            } else if l.dagesh {
                out.extend([one(0.0, Slot::Vowel("u")), one(0.6, Slot::Cons(i))]);
            } else if l.point == Some(Point::Holam) {
                out.extend([one(0.0, Slot::Vowel("o")), one(0.8, Slot::Cons(i))]);
            } else if last {
                // -yahu, the theophoric ending, is u; elsewhere a final ו is mostly o.
                let (u, o) = if prev == Some('ה') {
                    (0.0, 0.4)
                } else {
                    (0.3, 0.0)
                };
                out.extend([
                    one(u, Slot::Vowel("u")),
                    one(o, Slot::Vowel("o")),
                    one(1.0, Slot::Cons(i)),
                ]);
            } else if next == Some('י') && i + 2 == n {
                // Levi, Tzvi: before a final yod, v.
                out.extend([
                    one(0.0, Slot::Cons(i)),
                    one(0.3, Slot::Vowel("o")),
                    one(0.4, Slot::Vowel("u")),
                ]);
            } else if next == Some('א') {
                // Shmuel, Luis: before an alef the vowel is mostly u.
                out.extend([
                    one(0.0, Slot::Vowel("u")),
                    one(0.2, Slot::Vowel("o")),
                    one(0.6, Slot::Cons(i)),
                ]);
            } else if before_final_he {
                // Hava, Tikva: ו before a final ה is usually v.
                out.extend([one(0.0, Slot::Cons(i)), one(0.4, Slot::Vowel("o"))]);
            } else {
                out.extend([
                    one(0.0, Slot::Vowel("o")),
                    one(0.35, Slot::Vowel("u")),
                    one(0.6, Slot::Cons(i)),
                ]);
            }
        }
        'י' => {
            if next == Some('י') {
                // Double yod: the consonant y, or the diphthong of Haim/Chaim.
                if first {
                    out.push(covering(one(0.0, Slot::Cons(i)), 2));
                } else if i + 2 == n {
                    out.extend([
                        covering(one(0.0, Slot::Vowel("ai")), 2),
                        covering(one(0.3, Slot::Vowel("ay")), 2),
                        covering(one(0.5, Slot::Vowel("i")), 2),
                    ]);
                } else {
                    out.extend([
                        covering(one(0.0, Slot::Vowel("ai")), 2),
                        covering(one(0.2, Slot::Vowel("ayi")), 2),
                        covering(one(0.35, Slot::Cons(i)), 2),
                        covering(one(0.5, Slot::Vowel("ei")), 2),
                    ]);
                }
            } else if first {
                if matches!(next, Some('ו' | 'א' | 'ע' | 'ה')) {
                    // Yosef, Yair, Yaakov, Yehuda: a yod before a vowel letter or a
                    // guttural is the consonant.
                    out.push(one(0.0, Slot::Cons(i)));
                } else {
                    // Yitzhak or Itzhak, Yisrael or Israel.
                    out.extend([one(0.0, Slot::Cons(i)), one(0.15, Slot::Vowel("i"))]);
                }
            } else if last {
                out.extend([
                    one(0.0, Slot::Vowel("i")),
                    one(0.5, Slot::Vowel("ai")),
                    one(0.8, Slot::Vowel("ei")),
                    one(1.0, Slot::Cons(i)),
                ]);
            } else if prev == Some('א') && i == 1 {
                // Eitan, Eilat: the tsere of an initial alef is often written with yod.
                out.extend([
                    one(0.0, Slot::Vowel("i")),
                    one(0.3, Slot::Vowel("ei")),
                    one(0.4, Slot::Vowel("e")),
                ]);
            } else if next == Some('ו') || before_final_he {
                // Yo-, -ya: a yod before a vowel letter is a consonant.
                out.extend([
                    one(0.0, Slot::Cons(i)),
                    one(0.25, Slot::Vowel("i")),
                    two(0.3, Slot::Vowel("i"), Slot::Cons(i)),
                ]);
            } else if next == Some('ה') {
                // Eliyahu, Netanyahu.
                out.extend([
                    one(0.0, Slot::Cons(i)),
                    two(0.4, Slot::Vowel("i"), Slot::Cons(i)),
                    one(0.4, Slot::Vowel("i")),
                ]);
            } else if matches!(next, Some('א' | 'ע')) {
                // Daniel, Ariel.
                out.extend([one(0.0, Slot::Vowel("i")), one(0.5, Slot::Cons(i))]);
            } else {
                out.extend([
                    one(0.0, Slot::Vowel("i")),
                    one(0.5, Slot::Cons(i)),
                    one(0.8, Slot::Vowel("e")),
                ]);
            }
        }
        'ב' if first && next == Some('נ') && n > 3 => {
            // Ben- or bin-, "son of" in Hebrew and Arabic, begins many names (Binyamin,
            // Benayahu, Ben-Ami, Bin Laden); what follows it starts a word, so a yod there
            // is the consonant y.
            let yod = letters.get(2).is_some_and(|l| l.base == 'י');
            out.push(one(0.0, Slot::Cons(i)));
            for (cost, vowel) in [(0.1, "e"), (0.3, "i")] {
                out.push(Choice {
                    cost,
                    slots: [
                        Some(Slot::Cons(0)),
                        Some(Slot::Vowel(vowel)),
                        Some(Slot::Cons(1)),
                        yod.then_some(Slot::Cons(2)),
                    ],
                    used: if yod { 3 } else { 2 },
                });
            }
        }
        'א' | 'ע' => out.push(one(0.0, Slot::Silent)),
        'ש' if !l.sin_dot && !l.dagesh && l.point.is_none() => {
            out.extend([one(0.0, Slot::Cons(i)), one(0.6, Slot::Sin(i))]);
        }
        'ה' if last && !first && !l.dagesh => {
            out.extend([one(0.0, Slot::Final), one(0.9, Slot::Cons(i))]);
        }
        _ => out.push(one(0.0, Slot::Cons(i))),
    }
}

/// The way of reading the letter at `i` of pointed text: as the points say, with the few
/// ambiguities points leave (sheva, qamats).
fn pointed_choices(letters: &[Letter], i: usize, out: &mut Vec<Choice>) {
    let n = letters.len();
    let l = letters[i];
    let first = i == 0;
    let last = i + 1 == n;
    let prev_vowel = i
        .checked_sub(1)
        .and_then(|p| letters[p].vowel_point())
        .filter(|_| i > 0);
    let consonant = if matches!(l.base, 'א' | 'ע') {
        Slot::Silent
    } else {
        Slot::Cons(i)
    };
    match (l.base, l.point) {
        // Shuruk and holam male: the vowel letter carries the point.
        ('ו', None) if l.dagesh && (first || prev_vowel.is_none()) => {
            out.push(one(0.0, Slot::Vowel("u")))
        }
        ('ו', Some(Point::Holam)) if !first && prev_vowel.is_none() => {
            out.push(one(0.0, Slot::Vowel("o")))
        }
        ('ו', None) if !first => {
            if prev_vowel.is_some() {
                out.extend([one(0.0, Slot::Cons(i)), one(0.5, Slot::Vowel(""))]);
            } else {
                out.extend([one(0.0, Slot::Vowel("o")), one(0.5, Slot::Cons(i))]);
            }
        }
        // A bare yod after a vowel lengthens it (i, e) or closes a diphthong (ai, oi).
        ('י', None) if !first => match prev_vowel {
            Some(Point::Hiriq) => out.push(one(0.0, Slot::Vowel(""))),
            Some(Point::Tsere | Point::Segol) => {
                out.extend([one(0.0, Slot::Vowel("")), one(0.4, Slot::Vowel("i"))])
            }
            _ => out.push(one(0.0, Slot::Vowel("i"))),
        },
        // A bare final he is a vowel letter; with mappiq it is h.
        ('ה', None) if last && !l.dagesh => out.push(one(0.0, Slot::Vowel(""))),
        // Patah furtivum: the a is said before the final guttural (Yehoshua, ruach).
        ('ח' | 'ע' | 'ה', Some(Point::Patah)) if last && !first => {
            out.push(two(0.0, Slot::Vowel("a"), consonant))
        }
        (_, Some(Point::Qamats)) => out.extend([
            two(0.0, consonant, Slot::Vowel("a")),
            two(0.9, consonant, Slot::Vowel("o")),
        ]),
        (_, Some(Point::Sheva)) if first => {
            // An initial sheva is heard as e where no cluster can be said: after y or a
            // guttural, before a guttural or the same letter, and mostly after the nasals and
            // l (Yehoshua, Netanyahu, Menashe); elsewhere it is silent (Shlomo, Dvora).
            let second = letters.get(1).map(|l| l.base);
            let vocal = matches!(l.base, 'י' | 'ה' | 'ח' | 'ע' | 'א' | 'ל' | 'מ' | 'נ')
                || matches!(second, Some('ה' | 'ח' | 'ע' | 'א' | 'י'))
                || second == Some(l.base);
            let (silent, e) = if vocal { (0.4, 0.0) } else { (0.0, 0.4) };
            out.extend([one(silent, consonant), two(e, consonant, Slot::Vowel("e"))]);
        }
        (_, Some(p)) if p.is_vowel() => out.push(two(0.0, consonant, Slot::Vowel(p.vowel()))),
        _ => out.push(one(0.0, consonant)),
    }
}

/// A reading: the letters turned into slots.
struct Reading {
    cost: f32,
    slots: Vec<Slot>,
}

fn readings(letters: &[Letter], pointed: bool) -> Vec<Reading> {
    // Partial readings, each with the index of the next letter to read.
    let mut beam: Vec<(Reading, usize)> = vec![(
        Reading {
            cost: 0.0,
            slots: Vec::new(),
        },
        0,
    )];
    let mut done: Vec<Reading> = Vec::new();
    let mut choices = Vec::new();
    while !beam.is_empty() {
        let mut next = Vec::with_capacity(beam.len() * 3);
        for (r, i) in beam {
            if i >= letters.len() {
                done.push(r);
                continue;
            }
            choices.clear();
            if pointed {
                pointed_choices(letters, i, &mut choices);
            } else {
                unpointed_choices(letters, i, &mut choices);
            }
            for c in &choices {
                let mut slots = r.slots.clone();
                slots.extend(c.slots.iter().flatten());
                next.push((
                    Reading {
                        cost: r.cost + c.cost,
                        slots,
                    },
                    i + c.used.max(1),
                ));
            }
        }
        next.sort_by(|a, b| a.0.cost.total_cmp(&b.0.cost));
        next.truncate(MAX_READINGS);
        beam = next;
    }
    done.sort_by(|a, b| a.cost.total_cmp(&b.cost));
    done.truncate(MAX_READINGS);
    done
}

/// What surrounds one unwritten-vowel position: between two consonantal slots.
#[derive(Clone, Copy)]
struct Gap {
    /// Right after the word's first letter.
    first: bool,
    /// The word's only gap: a cluster there would leave it one syllable at most.
    only: bool,
    /// The next slot ends the word (a consonant, no final vowel after it).
    before_last: bool,
    /// The letters before and after, and the one before that.
    prev: Option<char>,
    next: Option<char>,
    before_prev: Option<char>,
    prev_silent: bool,
    next_silent: bool,
    /// The slot before is a ו or י read as a consonant, which needs a vowel after it (else
    /// the letter would have been the vowel).
    prev_glide: bool,
    /// Right after the prefix ben-, which closes its syllable.
    after_prefix: bool,
    /// The next slot is a single yod read as the consonant y.
    next_yod: bool,
}

/// Everything a gap or a final he can be read as.
const VOWELS: [&str; 8] = ["", "a", "e", "i", "o", "u", "ah", "eh"];

/// The vowels picked for a word's gaps, in order, three bits each: a guess is copied at
/// every step of the search, so it must not allocate.
#[derive(Clone, Copy, PartialEq, Eq, Default)]
struct Picks {
    bits: u128,
    len: u8,
}

impl Picks {
    fn push(&mut self, v: &str) {
        let code = VOWELS.iter().position(|&x| x == v).unwrap_or(0) as u128;
        if usize::from(self.len) < 128 / 3 {
            self.bits |= code << (3 * u32::from(self.len));
            self.len += 1;
        }
    }

    fn get(&self, k: usize) -> &'static str {
        if k >= usize::from(self.len) {
            return "";
        }
        let code = (self.bits >> (3 * k)) & 7;
        VOWELS.get(code as usize).copied().unwrap_or("")
    }

    fn of(vowels: &[&str]) -> Picks {
        let mut p = Picks::default();
        for v in vowels {
            p.push(v);
        }
        p
    }
}

/// A partial vowel guess: the choices made so far (one per gap and final ה, in order).
#[derive(Clone, Copy)]
struct Guess {
    cost: f32,
    choices: Picks,
    /// The last vowel heard ('-' none since the last consonant, '^' word start).
    prev: char,
    /// Consonants since the last vowel.
    since_vowel: u8,
    /// Open syllables in a row (a vowel gap right after another vowel).
    run: u8,
    /// Whether the last vowel was guessed rather than written.
    guessed: bool,
}

const GAP_VOWELS: [&str; 6] = ["", "a", "e", "i", "o", "u"];
const FINAL_VOWELS: [&str; 5] = ["a", "e", "ah", "o", "eh"];

fn is_guttural(c: Option<char>) -> bool {
    matches!(c, Some('ח' | 'ה' | 'א' | 'ע'))
}

/// How the word is assumed to be spelled, which decides what its unwritten vowels are.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Mode {
    /// A Hebrew name: the script leaves out a and e (and in the biblical spelling i and o),
    /// so most consonants are followed by a vowel.
    Native,
    /// A foreign name transcribed into Hebrew: its vowels are written with letters (א a,
    /// ו o/u, י i/e), and what is left unwritten is a consonant cluster or an e (Engelman,
    /// Oppenheimer, Grant).
    Foreign,
}

/// The cost of hearing `v` (or no vowel, "") at a gap.
fn gap_cost(g: &Gap, h: &Guess, v: &str, defective: bool, mode: Mode) -> f32 {
    if v.is_empty() {
        if g.prev_silent && (g.first || h.since_vowel >= 2) {
            // An א or ע with no vowel on either side is not read at all.
            return IMPOSSIBLE;
        }
        if g.next_silent && g.before_last {
            // Abba, Ezra: a final alef carries the last vowel.
            return IMPOSSIBLE;
        }
        if g.prev_glide {
            return 2.0;
        }
    }
    match mode {
        Mode::Native => native_gap_cost(g, h, v, defective),
        Mode::Foreign => foreign_gap_cost(g, h, v),
    }
}

fn foreign_gap_cost(g: &Gap, h: &Guess, v: &str) -> f32 {
    if v.is_empty() {
        // European clusters: an s or sh before a consonant, a consonant before r or l
        // (Stein, Bradshaw, Blankenburg); at the end a sonorant before an obstruent or an
        // s after a consonant (Grant, Olmert, Marks); three consonants at most.
        let sibilant = matches!(g.prev, Some('ש' | 'ס' | 'צ' | 'ז'));
        let liquid = matches!(g.next, Some('ר' | 'ל' | 'ו'));
        let sonorant = |c: Option<char>| matches!(c, Some('ר' | 'ל' | 'נ' | 'מ'));
        if h.since_vowel >= 3 {
            return 3.0;
        }
        if g.first {
            return if sibilant || liquid { 0.0 } else { 1.0 };
        }
        if g.before_last {
            let coda = (sonorant(g.prev) && !sonorant(g.next))
                || (sibilant && matches!(g.next, Some('ט' | 'ת' | 'ק')))
                || matches!(g.next, Some('ס' | 'ץ' | 'צ'));
            return match (h.since_vowel, coda) {
                (1, true) => 0.1,
                (1, false) => 0.8,
                _ => 1.5,
            };
        }
        // Three in a row after a sonorant: Goldberg, Feldman, Schwartzman.
        return match h.since_vowel {
            0 | 1 => 0.0,
            _ if sibilant || liquid || sonorant(g.before_prev) => 0.2,
            _ => 0.6,
        };
    }
    let c = v.chars().next().unwrap_or('a');
    if g.first && g.prev_silent {
        // Engelman, Escobar, Abegg.
        return match c {
            'a' => 0.0,
            'e' => 0.1,
            'i' | 'o' => 0.5,
            _ => 0.8,
        };
    }
    if g.prev_silent {
        // A medial alef writes a (Danvers, Matiashvili).
        return match c {
            'a' => 0.0,
            'e' => 0.3,
            _ => 1.0,
        };
    }
    match c {
        'e' => 0.3,
        'a' => 0.4,
        'i' | 'o' => 1.0,
        _ => 1.2,
    }
}

fn native_gap_cost(g: &Gap, h: &Guess, v: &str, defective: bool) -> f32 {
    if g.after_prefix {
        return if v.is_empty() { 0.0 } else { 0.5 };
    }
    let Some(c) = v.chars().next() else {
        // No vowel: a consonant cluster or a closed syllable.
        if h.since_vowel >= 2 {
            return 4.0;
        }
        if g.first {
            return match g.prev {
                Some('ח' | 'ה' | 'י') => 3.0,
                // Shlomo, Shmuel, Tzvi, Zvulun.
                Some('ש' | 'ס' | 'צ' | 'ז') if !g.only => 0.0,
                // A word of one syllable has its vowel here (Sara, not Sra).
                _ if g.only => 1.5,
                // Bracha, Dvora, Gdalya, Kfir.
                _ if matches!(g.next, Some('ר' | 'ל' | 'ו')) => 0.3,
                _ => 0.9,
            };
        }
        if g.before_last {
            // Hebrew words rarely end in two consonants.
            return 1.2;
        }
        if g.next_yod {
            // A consonant y after a consonant follows a closed syllable: Bin-yamin,
            // Netan-yahu, Mir-yam.
            return 0.0;
        }
        if g.next_silent {
            // Before a medial alef the vowel is more often said (Yisra-el, Mikha-el).
            return 0.3;
        }
        if g.prev_silent {
            return 0.4;
        }
        // A closed syllable; Yitzhak and Binyamin close their first one after an i.
        return if h.prev == 'i' { 0.0 } else { 0.25 };
    };
    let mut cost = match c {
        'a' => 0.0,
        'e' => 0.3,
        'i' => 0.9,
        'o' => 1.0,
        _ => 1.4,
    };
    if defective && matches!(c, 'i' | 'o') {
        // A word with no vowel letters is in the biblical spelling, which leaves i and o out
        // too.
        cost -= 0.3;
    }
    if g.first && g.prev == Some('י') {
        // Yitzhak, Yaakov, Yehuda (ye- before ה and ח).
        cost = match c {
            'i' => 0.1,
            'a' => 0.15,
            'e' if matches!(g.next, Some('ה' | 'ח')) => 0.1,
            'e' => 0.3,
            _ => cost,
        };
    } else if g.first && c == 'e' && !g.prev_silent {
        // The reduced vowel (vocal sheva) of a first syllable: Netanyahu, Yehuda, Menachem.
        cost = 0.1;
    } else if g.first && g.prev_silent {
        // Avraham, Ester, Eliyahu.
        cost = match c {
            'a' => 0.0,
            'e' => 0.1,
            'i' | 'o' => 0.9,
            _ => cost,
        };
    } else if g.prev_silent {
        // Yisrael, Michael: -el after a medial alef.
        cost = match c {
            'e' if g.before_last && g.next == Some('ל') => 0.0,
            'e' => 0.2,
            'a' => 0.1,
            _ => cost,
        };
    } else if g.before_last {
        // The last syllable: e before the consonants of the segolate and participle
        // endings (Rachel, Yosef, Asher, Peretz), a before the others (Natan, Avraham,
        // Yitzhak) and the gutturals (Noach).
        let segolate = matches!(
            g.next,
            Some('ל' | 'ר' | 'פ' | 'ת' | 'ט' | 'ס' | 'ש' | 'צ' | 'ז')
        );
        cost = match (c, segolate) {
            ('e', true) | ('a', false) => 0.0,
            ('a', true) | ('e', false) => 0.1,
            _ => cost,
        };
    }
    if g.next_yod && !g.first {
        cost += 0.2;
    }
    if is_guttural(g.next) && matches!(c, 'i' | 'u') {
        // Gutturals colour the vowel before them to a (Yaakov, Yehoshua).
        cost += 0.3;
    }
    // Open syllables in a row are less usual than a closed one among them; an alef or ayin
    // between vowels (Yisra-el, Mikha-el) is no such run.
    let continuing =
        h.prev.is_ascii_lowercase() && h.since_vowel <= 1 && !g.prev_silent && !g.next_silent;
    let run = if continuing {
        f32::from(h.run) + 1.0
    } else {
        0.0
    };
    (cost + 0.15 * run).max(0.0)
}

fn final_cost(h: &Guess, v: &str, after_yod: bool) -> f32 {
    let prev = if h.guessed { h.prev } else { '-' };
    match (v, prev) {
        // Moshe, Shlomo: after an o the final he is e or o.
        ("e", 'o') => 0.05,
        ("o", 'o') => 0.15,
        ("a", 'o') => 0.4,
        ("a", _) => 0.0,
        ("e", _) => 0.3,
        ("ah", _) if after_yod => 0.3,
        ("ah", _) => 0.55,
        ("eh", _) => 0.9,
        _ => 1.2,
    }
}

/// Vowel patterns of names (mishkalim) that the additive costs above cannot express, as
/// (gaps, ends in final he, choices, cost). The biblical spelling writes them with no vowel
/// letter at all.
const PATTERNS: &[(usize, bool, &[&str], f32)] = &[
    // CoCe, the participle shape: Moshe.
    (1, true, &["o", "e"], 0.2),
    // CCoCo: Shlomo.
    (2, true, &["", "o", "o"], 0.2),
    // CiCCa: Rivka, Simcha.
    (2, true, &["i", "", "a"], 0.25),
    // CaCiC (qatil): David, where the biblical spelling writes the middle v with ו.
    (2, false, &["a", "i"], -0.05),
    // CoCeC (qotel).
    (2, false, &["o", "e"], 0.5),
    // yiCCaC, the imperfect that many names are: Yitzhak, Yishmael, Yiftach.
    (3, false, &["i", "", "a"], 0.1),
];

/// Advances a guess over a slot (after any vowel before it has been chosen).
fn advance(h: &Guess, slot: Slot) -> Guess {
    let mut h = *h;
    match slot {
        Slot::Cons(_) | Slot::Sin(_) | Slot::Silent => {
            h.since_vowel = h.since_vowel.saturating_add(1)
        }
        Slot::Vowel(v) => {
            if let Some(c) = v.chars().last() {
                h.prev = c;
                h.since_vowel = 0;
                h.run = 0;
                h.guessed = false;
            }
        }
        Slot::Final => {}
    }
    h
}

/// Extends a guess with the vowel `v` at a gap or final he.
fn choose(h: &Guess, v: &'static str, cost: f32) -> Guess {
    let mut h = *h;
    h.cost += cost;
    h.choices.push(v);
    match v.chars().last() {
        Some(c) => {
            h.run = if h.prev != '-' && h.prev != '^' && h.since_vowel <= 1 {
                h.run.saturating_add(1)
            } else {
                0
            };
            h.prev = c;
            h.since_vowel = 0;
            h.guessed = true;
        }
        None => {
            h.prev = '-';
            h.run = 0;
        }
    }
    h
}

fn gap_at(slots: &[Slot], letters: &[Letter], k: usize) -> Gap {
    let letter_of = |s: Option<&Slot>| match s {
        Some(Slot::Cons(i) | Slot::Sin(i)) => letters.get(*i).map(|l| l.base),
        Some(Slot::Silent) => Some('א'),
        _ => None,
    };
    let prev = slots.get(k.wrapping_sub(1));
    let next = slots.get(k);
    // A silent letter is a real letter for the rules on it; say which one it was.
    let gaps = (1..slots.len())
        .filter(|&j| slots[j].consonantal() && slots[j - 1].consonantal())
        .count();
    Gap {
        first: k == 1,
        only: gaps == 1,
        before_last: k + 1 == slots.len(),
        prev: letter_of(prev),
        next: letter_of(next),
        before_prev: letter_of(slots.get(k.wrapping_sub(2))),
        prev_silent: matches!(prev, Some(Slot::Silent)),
        next_silent: matches!(next, Some(Slot::Silent)),
        next_yod: matches!(next, Some(Slot::Cons(i))
            if letters.get(*i).map(|l| l.base) == Some('י')
                && letters.get(*i + 1).map(|l| l.base) != Some('י')
                && *i > 0),
        after_prefix: k == 3
            && matches!(slots.get(1), Some(&Slot::Vowel("e" | "i")))
            && letters.first().map(|l| l.base) == Some('ב'),
        prev_glide: match prev {
            Some(Slot::Cons(i)) => {
                let glide = |j: usize| letters.get(j).map(|l| l.base);
                matches!(glide(*i), Some('ו' | 'י')) && glide(*i + 1) != glide(*i)
            }
            _ => false,
        },
    }
}

/// The cheapest ways of filling the vowels a reading leaves open.
fn vowel_guesses(reading: &Reading, letters: &[Letter], pointed: bool, mode: Mode) -> Vec<Guess> {
    let slots = &reading.slots;
    let defective = !slots.iter().any(|s| matches!(s, Slot::Vowel(_)));
    let start = Guess {
        cost: 0.0,
        choices: Picks::default(),
        prev: '^',
        since_vowel: 0,
        run: 0,
        guessed: false,
    };
    let mut beam = vec![start];
    for k in 0..slots.len() {
        let slot = slots[k];
        let gap = k > 0 && slot.consonantal() && slots[k - 1].consonantal();
        if gap && !pointed {
            let g = gap_at(slots, letters, k);
            let mut next = Vec::with_capacity(beam.len() * GAP_VOWELS.len());
            for h in &beam {
                for v in GAP_VOWELS {
                    let cost = gap_cost(&g, h, v, defective, mode);
                    if cost < IMPOSSIBLE {
                        next.push(choose(h, v, cost));
                    }
                }
            }
            beam = next;
        } else if gap {
            // Pointed text: an unpointed consonant before another has no vowel.
            beam = beam.iter().map(|h| choose(h, "", 0.0)).collect();
        }
        if slot == Slot::Final {
            let after_yod = matches!(slots.get(k.wrapping_sub(1)), Some(Slot::Cons(i)) if letters.get(*i).map(|l| l.base) == Some('י'));
            let mut next = Vec::with_capacity(beam.len() * FINAL_VOWELS.len());
            for h in &beam {
                for v in FINAL_VOWELS {
                    next.push(choose(h, v, final_cost(h, v, after_yod)));
                }
            }
            beam = next;
        }
        beam = beam.iter().map(|h| advance(h, slot)).collect();
        beam.sort_by(|a, b| a.cost.total_cmp(&b.cost));
        beam.truncate(VOWEL_BEAM);
    }
    if !pointed && mode == Mode::Native {
        add_patterns(slots, letters, defective, &start, &mut beam);
    }
    beam.sort_by(|a, b| a.cost.total_cmp(&b.cost));
    beam
}

/// Adds the [`PATTERNS`] that fit the reading, each at its own cost unless the generic
/// costs already rate it cheaper.
fn add_patterns(
    slots: &[Slot],
    letters: &[Letter],
    defective: bool,
    start: &Guess,
    beam: &mut Vec<Guess>,
) {
    let gaps = (1..slots.len())
        .filter(|&k| slots[k].consonantal() && slots[k - 1].consonantal())
        .count();
    let has_final = slots.last() == Some(&Slot::Final);
    for &(n, fin, pattern, cost) in PATTERNS {
        if n != gaps || fin != has_final {
            continue;
        }
        // Only the biblical spelling leaves every vowel out.
        if !defective {
            continue;
        }
        let letter = |k: usize| match slots.get(k) {
            Some(Slot::Cons(i) | Slot::Sin(i)) => letters.get(*i).map(|l| l.base),
            _ => None,
        };
        let fits = match pattern {
            // David: the biblical spelling writes this v with ו.
            ["a", "i"] => letter(1) == Some('ו'),
            // Only a sibilant begins such a cluster.
            ["", "o", "o"] => matches!(letter(0), Some('ש' | 'ס' | 'צ' | 'ז')),
            ["i", "", "a"] => letter(0) == Some('י') && letter(1).is_some() && letter(2).is_some(),
            _ => true,
        };
        if !fits {
            continue;
        }
        if let Some(h) = beam.iter_mut().find(|h| h.choices == Picks::of(pattern)) {
            h.cost = h.cost.min(cost);
            continue;
        }
        // Walk the pattern with the generic costs, to rule out the impossible.
        let mut h = *start;
        let mut picks = pattern.iter();
        let mut ok = true;
        for k in 0..slots.len() {
            let slot = slots[k];
            if k > 0 && slot.consonantal() && slots[k - 1].consonantal() {
                let v = picks.next().copied().unwrap_or("");
                let c = gap_cost(&gap_at(slots, letters, k), &h, v, defective, Mode::Native);
                ok &= c < IMPOSSIBLE;
                h = choose(&h, v, c);
            }
            if slot == Slot::Final {
                let v = picks.next().copied().unwrap_or("a");
                let c = final_cost(&h, v, false);
                h = choose(&h, v, c);
            }
            h = advance(&h, slot);
        }
        if ok {
            h.cost = h.cost.min(cost);
            beam.push(h);
        }
    }
}

/// What assuming a transcribed foreign name costs, from the letters that give one away:
/// a medial alef written for a (Danvers), geresh sounds Hebrew lacks (ג׳ ז׳ צ׳), and many
/// vowel letters.
fn foreign_cost(letters: &[Letter]) -> f32 {
    let n = letters.len();
    // Hebrew names are short; long words are compounds and European surnames (Goldberg,
    // Bernstein) written with their clusters.
    let mut cost = FOREIGN_BASE - FOREIGN_LENGTH * n.saturating_sub(5) as f32;
    for (i, l) in letters.iter().enumerate() {
        let medial = i > 0 && i + 1 < n;
        let el = i + 2 == n && letters.get(i + 1).is_some_and(|l| l.base == 'ל');
        if l.base == 'א' && medial && !el {
            cost -= FOREIGN_ALEF;
        }
        if l.geresh && matches!(l.base, 'ג' | 'ז' | 'צ') {
            cost -= FOREIGN_GERESH;
        }
        if medial && matches!(l.base, 'ו' | 'י') {
            cost -= FOREIGN_MATER;
        }
    }
    cost
}

/// The spellings of the consonants, see the module comment.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Style {
    /// Israeli official: h, kh, tz, v.
    Israeli,
    /// Anglo/traditional: Chaim, Rachel, Abraham.
    Traditional,
    /// French: s doubled between vowels (Yossef).
    French,
    /// Strict: kh for both ח and כ, ts (Yitskhak).
    Strict,
    /// Central European: j for y, z for tz, ch (Josef, Jizchak, Benjamin).
    European,
}

const STYLES: [(Style, f32); 5] = [
    (Style::Israeli, 0.0),
    (Style::Traditional, 0.1),
    (Style::French, 0.25),
    (Style::European, 0.35),
    (Style::Strict, 0.4),
];

/// `foreign`: the word is read as a transcription, where ב stands for b as often as v.
fn consonant(
    letters: &[Letter],
    i: usize,
    pointed: bool,
    foreign: bool,
    style: Style,
) -> &'static str {
    let Some(l) = letters.get(i) else {
        return "";
    };
    let initial = i == 0;
    let last = i + 1 == letters.len();
    if l.geresh {
        match l.base {
            'ג' => return "j",
            'ז' => return "zh",
            'צ' => return "ch",
            'ת' => return "th",
            'ד' => return "dh",
            'ח' => return "kh",
            'ע' => return "gh",
            'ט' => return "z",
            _ => {}
        }
    }
    // Bet, kaf and pe are stops with a dagesh and fricatives without; unpointed, a word
    // starts with the stop.
    let hard = if pointed { l.dagesh } else { initial };
    match l.base {
        'ב' => match style {
            Style::Strict if !hard => "v",
            Style::Israeli | Style::French if !hard && !foreign => "v",
            _ => "b",
        },
        'כ' if hard && !last => "k",
        'כ' => match style {
            Style::Traditional | Style::European => "ch",
            _ => "kh",
        },
        'פ' if hard && !last => "p",
        'פ' => "f",
        'ג' => "g",
        'ד' => "d",
        'ה' => "h",
        'ו' => "v",
        'ז' => "z",
        'ח' => match style {
            Style::Israeli | Style::French => "h",
            Style::Traditional | Style::European => "ch",
            Style::Strict => "kh",
        },
        'ט' | 'ת' => "t",
        'י' => match style {
            Style::European => "j",
            _ => "y",
        },
        'ל' => "l",
        'מ' => "m",
        'נ' => "n",
        'ס' if style == Style::French && !initial && !last => "ss",
        'ס' => "s",
        'צ' => match style {
            Style::European => "z",
            Style::Strict => "ts",
            _ => "tz",
        },
        'ק' => "k",
        'ר' => "r",
        'ש' if l.sin_dot => "s",
        'ש' => "sh",
        _ => "",
    }
}

fn render(
    letters: &[Letter],
    reading: &Reading,
    guess: &Guess,
    style: Style,
    pointed: bool,
    foreign: bool,
) -> String {
    let mut out = String::with_capacity(reading.slots.len() * 2);
    let mut next_pick = 0;
    let mut pick = || {
        next_pick += 1;
        guess.choices.get(next_pick - 1)
    };
    let slots = &reading.slots;
    for (k, &slot) in slots.iter().enumerate() {
        if k > 0 && slot.consonantal() && slots[k - 1].consonantal() {
            out.push_str(pick());
        }
        match slot {
            Slot::Cons(i) => out.push_str(consonant(letters, i, pointed, foreign, style)),
            Slot::Sin(_) => out.push('s'),
            Slot::Silent => {}
            Slot::Vowel(v) => out.push_str(v),
            Slot::Final => out.push_str(pick()),
        }
    }
    out
}

/// Latin renderings of a Hebrew word (lower-case NFC; other characters are ignored, at most
/// 32 characters read): at most six distinct lower-case ASCII forms, the likeliest first.
///
/// Pointed text is read by its points (dagesh: בּ b / ב v, כּ k / כ kh, פּ p / פ f; shin and
/// sin dots; shuruk and holam on ו). Unpointed text is read several ways (ו as v, o or u; י
/// as y, i or e; the unwritten vowels guessed as a Hebrew name or as a transcribed foreign
/// one would have them) and each reading spelled in the customary systems: משה "moshe",
/// דוד "david", יצחק "yitzhak"/"itzhak", אברהם "avraham"/"abraham", חיים "haim"/"chaim",
/// יוסף "yosef"/"yossef". Geresh or gershayim (or an apostrophe) after a letter writes a
/// sound Hebrew lacks: ג׳ j, ז׳ zh, צ׳ ch, ת׳ th.
///
/// A word without Hebrew letters has no rendering.
pub fn hebrew(word: &str) -> Vec<String> {
    let letters = parse(word);
    if letters.is_empty() {
        return Vec::new();
    }
    // Read as pointed when most letters that could carry a vowel carry one: a stray point
    // or two (a dagesh, a disambiguating hiriq) leaves the rest of the word unpointed.
    let points = letters.iter().filter(|l| l.point.is_some()).count();
    let pointed = points > 0 && points * 2 + 1 >= letters.len().saturating_sub(1);

    let readings = readings(&letters, pointed);
    // Every reading with its vowel guesses under each mode, and what the mode costs.
    let foreign = foreign_cost(&letters);
    let mut guesses: Vec<(usize, f32, Mode, Vec<Guess>)> = Vec::new();
    for (ri, r) in readings.iter().enumerate() {
        guesses.push((
            ri,
            0.0,
            Mode::Native,
            vowel_guesses(r, &letters, pointed, Mode::Native),
        ));
        let vowel_letters = r
            .slots
            .iter()
            .filter(|s| matches!(s, Slot::Vowel(_)))
            .count();
        // Ben- is Hebrew; and a word that writes no vowel is no transcription.
        let native_prefix = matches!(r.slots.get(1), Some(&Slot::Vowel("e" | "i")));
        if !pointed && !native_prefix {
            let cost = foreign
                + match vowel_letters {
                    0 => 0.8,
                    1 => 0.1,
                    _ => 0.0,
                };
            guesses.push((
                ri,
                cost,
                Mode::Foreign,
                vowel_guesses(r, &letters, pointed, Mode::Foreign),
            ));
        }
    }
    let mut candidates: Vec<(f32, usize, usize, Style)> = Vec::new();
    for (mi, (ri, mode_cost, _, gs)) in guesses.iter().enumerate() {
        let reading_cost = readings.get(*ri).map_or(0.0, |r| r.cost);
        for (gi, g) in gs.iter().enumerate() {
            for (style, cost) in STYLES {
                candidates.push((reading_cost + mode_cost + g.cost + cost, mi, gi, style));
            }
        }
    }
    candidates.sort_by(|a, b| a.0.total_cmp(&b.0));
    candidates.truncate(MAX_CANDIDATES);
    // Pick the cheapest candidate, each form already taken from the same reading and mode
    // making the next one dearer: the structural alternatives (is this ו a vowel, is the
    // name foreign) are worth more than a third guess at one unwritten vowel.
    let mut taken = vec![0u8; guesses.len()];
    let mut chosen: Vec<(usize, usize)> = Vec::new();
    let mut out: Vec<String> = Vec::with_capacity(MAX_FORMS);
    while out.len() < MAX_FORMS && !candidates.is_empty() {
        let mut best = 0;
        let mut best_cost = f32::INFINITY;
        for (k, c) in candidates.iter().enumerate() {
            // Another spelling of a vowel guess already taken costs only its style.
            let known = chosen.contains(&(c.1, c.2));
            let seen = if known {
                0
            } else {
                taken.get(c.1).copied().unwrap_or(0)
            };
            let cost = c.0 + DIVERSITY * f32::from(seen);
            if cost < best_cost {
                best = k;
                best_cost = cost;
            }
        }
        let (_, mi, gi, style) = candidates.remove(best);
        let Some((ri, _, mode, gs)) = guesses.get(mi) else {
            continue;
        };
        let (Some(r), Some(g)) = (readings.get(*ri), gs.get(gi)) else {
            continue;
        };
        let form = render(&letters, r, g, style, pointed, *mode == Mode::Foreign);
        if !form.is_empty() && !out.contains(&form) {
            out.push(form);
            if !chosen.contains(&(mi, gi)) {
                chosen.push((mi, gi));
                if let Some(t) = taken.get_mut(mi) {
                    *t = t.saturating_add(1);
                }
            }
        }
    }
    out
}

/// Consonant skeleton of a Hebrew word in the alphabet of the Arabic skeletons, so that a
/// Hebrew name meets Arabic and Latin ones whatever vowels they write: b (ב, also when it is
/// v), t (ת ט), j (ג), h (ח ה), k (כ ק), d (ד), r (ר), s (ס צ ז, ש with the sin dot), S (ש),
/// f (פ), l, m, n; א ע ו י drop out (in names they are mostly vowels), repeated letters
/// collapse and a final h goes (משה "mS", דוד "dd", יוסף "sf", אברהם "brhm").
///
/// A geresh letter takes the class of the sound it stands for, as its Latin spelling would
/// (ז׳ "zh" j, צ׳ "ch" S, ח׳ "kh" k, ע׳ "gh" j, ט׳ for ظ s).
pub fn hebrew_skeleton(word: &str) -> String {
    let letters = parse(word);
    finish_skeleton(letters.iter().map(|l| {
        if l.geresh {
            match l.base {
                'ז' | 'ע' => return Some('j'),
                'צ' => return Some('S'),
                'ח' => return Some('k'),
                'ט' => return Some('s'),
                _ => {}
            }
        }
        Some(match l.base {
            'ב' => 'b',
            'ת' | 'ט' => 't',
            'ג' => 'j',
            'ח' | 'ה' => 'h',
            'כ' | 'ק' => 'k',
            'ד' => 'd',
            'ר' => 'r',
            'ש' if l.sin_dot => 's',
            'ס' | 'צ' | 'ז' => 's',
            'ש' => 'S',
            'פ' => 'f',
            'ל' => 'l',
            'מ' => 'm',
            'נ' => 'n',
            _ => return None,
        })
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn assert_renders(word: &str, wants: &[&str]) {
        super::super::assert_renders(hebrew, word, wants);
    }

    #[test]
    fn unpointed_names_in_their_customary_spellings() {
        let cases: &[(&str, &[&str])] = &[
            ("משה", &["moshe"]),
            ("דוד", &["david"]),
            ("יצחק", &["yitzhak", "itzhak"]),
            ("שלמה", &["shlomo"]),
            ("אברהם", &["avraham", "abraham"]),
            ("בנימין", &["binyamin", "benjamin"]),
            ("נתניהו", &["netanyahu"]),
            ("חיים", &["haim", "chaim"]),
            ("יוסף", &["yosef", "yossef"]),
            ("רחל", &["rachel", "rahel"]),
            ("שמואל", &["shmuel"]),
            ("מיכאל", &["michael"]),
            ("דניאל", &["daniel"]),
            ("יאיר", &["yair"]),
            ("שרון", &["sharon"]),
            ("אחמד", &["ahmad"]),
            ("חסן", &["hasan", "hassan"]),
            ("מזרחי", &["mazrahi"]),
        ];
        for (word, wants) in cases {
            assert_renders(word, wants);
        }
    }

    #[test]
    fn transcribed_foreign_names_keep_their_clusters() {
        assert_renders("אולמרט", &["olmert"]);
        assert_renders("גולדברג", &["goldberg"]);
    }

    #[test]
    fn pointed_text_follows_the_points() {
        let cases: &[(&str, &[&str])] = &[
            ("מֹשֶׁה", &["moshe"]),
            ("דָּוִד", &["david"]),
            ("בִּנְיָמִין", &["binyamin"]),
            ("יְהוֹשֻׁעַ", &["yehoshua"]),
            ("שְׁלֹמֹה", &["shlomo"]),
            ("שָׂרָה", &["sara"]),
            ("יוֹסֵף", &["yosef"]),
            ("אֱנוֹשׁ", &["enosh"]),
        ];
        for (word, wants) in cases {
            assert_renders(word, wants);
        }
        // The points decide: no guessed vowels.
        assert_eq!(hebrew("מֹשֶׁה"), ["moshe"]);
    }

    #[test]
    fn geresh_letters() {
        assert_renders("ג׳ורג׳", &["jorj"]);
        assert_renders("ג'ון", &["jon"]);
        assert_renders("ז׳ק", &["zhak"]);
        assert_renders("צ׳רלי", &["charli"]);
    }

    #[test]
    fn final_forms_are_the_letters() {
        assert_eq!(hebrew("שלום"), hebrew("שלומ"));
        assert_eq!(hebrew_skeleton("פרץ"), "frs");
    }

    #[test]
    fn skeletons() {
        assert_eq!(hebrew_skeleton("משה"), "mS");
        assert_eq!(hebrew_skeleton("דוד"), "dd");
        assert_eq!(hebrew_skeleton("יוסף"), "sf");
        assert_eq!(hebrew_skeleton("אברהם"), "brhm");
        assert_eq!(hebrew_skeleton("שָׂרָה"), "sr");
        assert_eq!(hebrew_skeleton("ז׳ק"), "jk");
        assert_eq!(hebrew_skeleton("abc"), "");
    }

    #[test]
    fn nothing_to_read() {
        for word in ["", "abc", "\u{05B8}\u{05BC}", "׳", "-"] {
            assert!(hebrew(word).is_empty(), "{word}");
        }
    }

    #[test]
    fn long_input_is_cut() {
        let long = "שלמה".repeat(10_000);
        let forms = hebrew(&long);
        assert!(!forms.is_empty() && forms.len() <= MAX_FORMS);
        assert!(forms.iter().all(|f| f.len() < 200));
    }

    proptest! {
        #[test]
        fn any_input_gives_distinct_ascii(
            s in "\\PC{0,40}",
            h in "[\u{0591}-\u{05F4}'\"a ]{0,40}",
            c in proptest::collection::vec(any::<char>(), 0..60),
        ) {
            let noisy: String = c.into_iter().collect();
            for input in [&s, &h, &noisy] {
                let skeleton = hebrew_skeleton(input);
                prop_assert!(skeleton.bytes().all(|b| b.is_ascii_alphabetic()), "{skeleton}");
                let forms = hebrew(input);
                super::super::assert_well_formed(&forms, MAX_FORMS);
            }
        }
    }
}
