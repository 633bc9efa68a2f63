//! What the engine knows about names before it sees any list: variant groups (rigour), English
//! nicknames, how common each name part is, and the closed word classes (titles, particles).
//!
//! The data files are embedded with `include_str!` and parsed once, lazily, on first use
//! (`OnceLock`): the server pays the cost at its first query or first index build, tests that
//! never touch names pay nothing. Forms are stored by the hash of their canonical spelling in
//! sorted vectors, which is compact (≈13 MB for 156k groups) and needs no string copies.

use std::sync::OnceLock;

use crate::canonical::canonical_forms;
use crate::keys::{hash, FastMap};
use crate::text::{tokenize, RawToken};

const RIGOUR: &str = include_str!("../data/name_variants_rigour-1.8.2.txt");
const NICKNAMES: &str = include_str!("../data/nicknames-1.0.1.csv");
const FREQUENCIES: &str = include_str!("../data/name_frequencies.txt");

/// Namespaces of [`hash`] used by the lexicon tables.
const NS_FORM: u8 = 1;

/// A sorted multimap from form hash to group id.
struct GroupTable(Vec<(u64, u32)>);

impl GroupTable {
    fn build(mut pairs: Vec<(u64, u32)>) -> Self {
        pairs.sort_unstable();
        pairs.dedup();
        GroupTable(pairs)
    }

    fn get(&self, form: &str) -> impl Iterator<Item = u32> + '_ {
        let h = hash(NS_FORM, form);
        let start = self.0.partition_point(|(k, _)| *k < h);
        self.0[start..]
            .iter()
            .take_while(move |(k, _)| *k == h)
            .map(|(_, g)| *g)
    }
}

/// Canonical lookup spellings of a variant-list entry: a one-word entry gives its word, a
/// several-word entry ("abdul aziz") its words joined, as the aligner joins split parts.
fn entry_forms(entry: &str) -> Vec<String> {
    // Fast path for the common plain-ASCII entry: the full pipeline would give the same
    // answer (letters kept, separators dropped), without its allocations.
    let entry = entry.trim();
    if entry
        .bytes()
        .all(|b| b.is_ascii_lowercase() || matches!(b, b' ' | b'-' | b'\'' | b'.'))
    {
        let joined: String = entry.chars().filter(char::is_ascii_lowercase).collect();
        return if joined.is_empty() {
            Vec::new()
        } else {
            vec![joined]
        };
    }
    let tokens: Vec<RawToken> = tokenize(entry);
    let canon: Vec<Vec<String>> = tokens.iter().map(canonical_forms).collect();
    if canon.len() == 1 {
        return canon.into_iter().next().unwrap_or_default();
    }
    let joined: String = canon
        .iter()
        .filter_map(|f| f.first())
        .map(String::as_str)
        .collect();
    if joined.is_empty() {
        Vec::new()
    } else {
        vec![joined]
    }
}

/// Whether the `lexicon-holdout` feature leaves the variant group of Wikidata item `qid` out
/// of the lexicon: every tenth item, which the `scripts` bench then uses as unseen names.
pub fn is_held_out(qid: u32) -> bool {
    qid % 10 == 7
}

pub struct Lexicon {
    groups: GroupTable,
    nicknames: GroupTable,
    counts: FastMap<u64, u32>,
    total: f64,
}

impl Lexicon {
    /// The lexicon, parsed on first use.
    pub fn get() -> &'static Lexicon {
        static LEXICON: OnceLock<Lexicon> = OnceLock::new();
        LEXICON.get_or_init(Lexicon::parse)
    }

    fn parse() -> Lexicon {
        let mut groups = Vec::with_capacity(900_000);
        for line in RIGOUR.lines() {
            let Some((forms, qid)) = line.rsplit_once("=>") else {
                continue;
            };
            let Ok(id) = qid.trim().trim_start_matches('Q').parse::<u32>() else {
                continue;
            };
            if cfg!(feature = "lexicon-holdout") && is_held_out(id) {
                continue;
            }
            for form in forms.split(',') {
                for f in entry_forms(form) {
                    groups.push((hash(NS_FORM, &f), id));
                }
            }
        }
        // Nicknames: each formal name starts a group that its nicknames join.
        let mut nick_ids: FastMap<u64, u32> = FastMap::default();
        let mut nicknames = Vec::new();
        for line in NICKNAMES.lines().skip(1) {
            let mut cols = line.split(',');
            let (Some(name), Some(_), Some(nick)) = (cols.next(), cols.next(), cols.next()) else {
                continue;
            };
            let next_id = nick_ids.len() as u32;
            let id = *nick_ids.entry(hash(NS_FORM, name)).or_insert(next_id);
            for f in entry_forms(name).into_iter().chain(entry_forms(nick)) {
                nicknames.push((hash(NS_FORM, &f), id));
            }
        }
        let mut counts = FastMap::default();
        let mut total = 1.0;
        for line in FREQUENCIES.lines() {
            let Some((word, n)) = line.rsplit_once(' ') else {
                continue;
            };
            let Ok(n) = n.parse::<u32>() else { continue };
            if word == "# total" {
                total = f64::from(n);
                continue;
            }
            for f in entry_forms(word) {
                let c = counts.entry(hash(NS_FORM, &f)).or_insert(0u32);
                *c = (*c).max(n);
            }
        }
        Lexicon {
            groups: GroupTable::build(groups),
            nicknames: GroupTable::build(nicknames),
            counts,
            total,
        }
    }

    /// Variant group ids of a canonical form (empty when unknown).
    pub fn groups(&self, form: &str) -> impl Iterator<Item = u32> + '_ {
        // "abd" (servant of) is no name on its own, so the variant list lacks it; the Latin and
        // Arabic spellings still need to meet. Group 0 is no Wikidata item.
        let abd = matches!(form, "abd" | "عبد").then_some(0);
        self.groups.get(form).chain(abd)
    }

    /// Whether a canonical form is a name the lexicon knows (a variant group or a frequency).
    pub fn is_known(&self, form: &str) -> bool {
        self.groups.get(form).next().is_some() || self.counts.contains_key(&hash(NS_FORM, form))
    }

    /// Nickname group ids of a canonical Latin form.
    pub fn nicknames(&self, form: &str) -> impl Iterator<Item = u32> + '_ {
        self.nicknames.get(form)
    }

    /// Rarity weight in [0.25, 1]: how much agreeing on this part says about identity. Common
    /// parts (Mohammed, Ali, Smith) weigh about a third of a rare surname.
    pub fn weight(&self, form: &str) -> f32 {
        let count = self.counts.get(&hash(NS_FORM, form)).copied().unwrap_or(0);
        let idf = (self.total / (f64::from(count) + 1.0)).log10();
        ((idf - 1.5) / 2.5).clamp(0.25, 1.0) as f32
    }
}

/// Titles, honorifics and legal-form words that say nothing about who a person is.
pub const TITLES: &[&str] = &[
    "mr",
    "mrs",
    "ms",
    "miss",
    "mx",
    "dr",
    "doctor",
    "prof",
    "professor",
    "sir",
    "dame",
    "lord",
    "lady",
    "sheikh",
    "shaikh",
    "sheik",
    "shaykh",
    "cheikh",
    "haji",
    "hajji",
    "hadji",
    "hajj",
    "alhaj",
    "alhajj",
    "mullah",
    "mulla",
    "maulana",
    "maulvi",
    "mawlawi",
    "mawlana",
    "molvi",
    "qari",
    "imam",
    "general",
    "gen",
    "colonel",
    "col",
    "major",
    "maj",
    "captain",
    "capt",
    "lt",
    "lieutenant",
    "brigadier",
    "commander",
    "cmdr",
    "sgt",
    "sergeant",
    "president",
    "prasident",
    "praesident",
    "presidente",
    "monsieur",
    "madame",
    "mme",
    "mlle",
    "herr",
    "frau",
    "senor",
    "senora",
    "sra",
    "jr",
    "junior",
    "senior",
    "ii",
    "iii",
    "excellency",
    "hon",
    "honourable",
    "honorable",
    "rev",
    "reverend",
    "ustad",
    "ustaz",
    "ustadh",
    "ayatollah",
    "hojatoleslam",
    "eng",
    "engineer",
    "llc",
    "ltd",
    "inc",
    "gmbh",
    "plc",
    "sa",
    "شيخ",
    "الشيخ",
    "حاج",
    "الحاج",
    "السيد",
    "господин",
];

/// Name particles, mapped to the class they are compared as (bin = ibn = ben …).
pub fn particle(text: &str) -> Option<&'static str> {
    Some(match text {
        "bin" | "ibn" | "ben" | "b" | "bn" | "بن" | "ابن" => "bin",
        "bint" | "binti" | "bte" | "بنت" => "bint",
        "abu" | "abou" | "abo" | "bou" | "ابو" => "abu",
        "umm" | "um" | "ام" => "umm",
        "al" | "el" | "il" | "ul" | "ال" => "al",
        "ould" | "wuld" | "ag" | "ولد" => "ould",
        "van" => "van",
        "von" => "von",
        "zu" => "zu",
        "de" => "de",
        "der" => "der",
        "den" => "den",
        "del" => "del",
        "della" => "della",
        "di" => "di",
        "da" => "da",
        "das" => "das",
        "dos" => "dos",
        "do" => "do",
        "du" => "du",
        "la" => "la",
        "le" => "le",
        "les" => "les",
        "lo" => "lo",
        "ter" => "ter",
        "ten" => "ten",
        "y" => "y",
        "na" => "na",
        _ => return None,
    })
}

/// Arabic article assimilated to a following sun letter ("ad-Din", "ar-Rahman"): only an
/// article when written with a hyphen, otherwise these are ordinary words.
pub fn is_sun_article(text: &str) -> bool {
    matches!(
        text,
        "ad" | "ar"
            | "as"
            | "an"
            | "at"
            | "az"
            | "ash"
            | "ath"
            | "adh"
            | "ud"
            | "ur"
            | "us"
            | "un"
            | "ut"
            | "uz"
            | "ed"
            | "er"
            | "es"
            | "en"
            | "et"
            | "ez"
            | "ad-"
    )
}

/// Patronymic by its suffix (Viktorovich, Oleksandrovych, Ivanovna, Aliyev oglu): a missing
/// patronymic is weaker evidence than a missing given name.
pub fn is_patronymic(text: &str) -> bool {
    [
        "ovich", "evich", "ovych", "evych", "ovitch", "evitch", "ovna", "evna", "ivna", "ichna",
        "ogly", "oglu", "kyzy",
    ]
    .iter()
    .any(|s| text.len() > s.len() + 2 && text.ends_with(s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variant_groups_cross_scripts() {
        let lex = Lexicon::get();
        let group = |s: &str| lex.groups(s).collect::<Vec<_>>();
        let shared = |a: &str, b: &str| group(a).iter().any(|g| group(b).contains(g));
        assert!(shared("mohammed", "muhammad"));
        assert!(shared("mohammed", "محمد"));
        assert!(shared("barack", "барак"));
        assert!(!shared("mohammed", "barack"));
        assert!(group("zzqxv").is_empty());
    }

    #[test]
    fn nicknames_and_weights() {
        let lex = Lexicon::get();
        let ted: Vec<u32> = lex.nicknames("ted").collect();
        assert!(lex.nicknames("theodore").any(|g| ted.contains(&g)));
        assert!(lex.weight("mohammed") < 0.5);
        assert!(lex.weight("nooristani") > 0.9);
    }
}
