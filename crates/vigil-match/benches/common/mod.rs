//! Reproducible synthetic watchlist and traveller generator for the speed bench, drawn from
//! real name distributions: Arabic-script full names with their Latin rendering, FEBRL given
//! names and surnames, and rigour variant groups for transliteration swaps. These are in the
//! shared data (found by `vigil_testdata`); [`Pools::load`] is `None` when they are absent.

use std::collections::HashMap;

use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::Rng;
use vigil_match::{DateSpec, Gender, NameEntry, NameKind, PersonEntry, Query};

/// One name part in both scripts (the Arabic side empty for Western names).
#[derive(Clone)]
struct Part {
    latin: String,
    arabic: String,
}

pub struct Pools {
    arabic_given: Vec<Part>,
    arabic_family: Vec<Part>,
    given: Vec<String>,
    family: Vec<String>,
    /// Latin spelling → other spellings of the same name (rigour groups).
    variants: HashMap<String, Vec<String>>,
}

fn title_case(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

impl Pools {
    /// The pools, or `None` (after a skip message) when the shared data is absent.
    pub fn load() -> Option<Pools> {
        let arabic_pairs =
            vigil_testdata::shared_data("names/arabic_latin_full_name_pairs.train.tsv")?;
        let febrl = vigil_testdata::shared_data("linkage/febrl")?;
        let rigour = vigil_testdata::shared_data("names/name_variants_rigour-1.8.2.txt")?;
        let text = std::fs::read_to_string(arabic_pairs).expect("arabic pairs");
        let (mut arabic_given, mut arabic_family) = (Vec::new(), Vec::new());
        for line in text.lines().skip(1) {
            let mut cols = line.split('\t');
            let (Some(ar), Some(la)) = (cols.next(), cols.next()) else {
                continue;
            };
            let a: Vec<&str> = ar.split_whitespace().collect();
            let l: Vec<&str> = la.split_whitespace().collect();
            if a.len() == 2 && l.len() == 2 {
                arabic_given.push(Part {
                    latin: l[0].into(),
                    arabic: a[0].into(),
                });
                arabic_family.push(Part {
                    latin: l[1].into(),
                    arabic: a[1].into(),
                });
            }
        }
        let (mut given, mut family) = (Vec::new(), Vec::new());
        for file in ["dataset1", "dataset2", "dataset3", "dataset4a", "dataset4b"] {
            let Ok(mut reader) = csv::Reader::from_path(febrl.join(format!("{file}.csv"))) else {
                continue;
            };
            for row in reader.records().flatten() {
                let (g, f) = (
                    row.get(1).unwrap_or("").trim(),
                    row.get(2).unwrap_or("").trim(),
                );
                if g.len() > 1 {
                    given.push(title_case(g));
                }
                if f.len() > 1 {
                    family.push(title_case(f));
                }
            }
        }
        let rigour = std::fs::read_to_string(rigour).expect("rigour");
        let mut variants: HashMap<String, Vec<String>> = HashMap::new();
        for line in rigour.lines() {
            let Some((forms, _)) = line.rsplit_once("=>") else {
                continue;
            };
            let latin: Vec<String> = forms
                .split(',')
                .map(str::trim)
                .filter(|f| !f.is_empty() && f.bytes().all(|b| b.is_ascii_lowercase()))
                .map(String::from)
                .collect();
            if latin.len() >= 2 {
                for f in &latin {
                    variants
                        .entry(f.clone())
                        .or_default()
                        .extend(latin.iter().filter(|o| *o != f).cloned());
                }
            }
        }
        Some(Pools {
            arabic_given,
            arabic_family,
            given,
            family,
            variants,
        })
    }

    fn date(rng: &mut StdRng) -> (Vec<DateSpec>, DateSpec) {
        let year = rng.gen_range(1950..2006);
        let exact = DateSpec::exact(year, rng.gen_range(1..=12), rng.gen_range(1..=28));
        let listed = match rng.gen_range(0..100) {
            0..=59 => vec![exact],
            60..=84 => vec![DateSpec::year(year)],
            85..=94 => vec![DateSpec::years(year - 2, year + 2)],
            _ => vec![],
        };
        (listed, exact)
    }

    /// A person and the full birth date a traveller document would carry.
    pub fn person(&self, rng: &mut StdRng) -> (PersonEntry, DateSpec) {
        let mut names = Vec::new();
        let nationality = if rng.gen_bool(0.6) {
            let given = self.arabic_given.choose(rng).expect("pool").clone();
            let family = self.arabic_family.choose(rng).expect("pool").clone();
            let father = rng
                .gen_bool(0.5)
                .then(|| self.arabic_given.choose(rng).expect("pool").clone());
            let parts: Vec<&Part> = [Some(&given), father.as_ref(), Some(&family)]
                .into_iter()
                .flatten()
                .collect();
            let latin = parts
                .iter()
                .map(|p| p.latin.as_str())
                .collect::<Vec<_>>()
                .join(" ");
            let arabic = parts
                .iter()
                .map(|p| p.arabic.as_str())
                .collect::<Vec<_>>()
                .join(" ");
            names.push(NameEntry {
                full: latin.clone(),
                kind: NameKind::Primary,
                ..Default::default()
            });
            names.push(NameEntry {
                full: arabic,
                kind: NameKind::OriginalScript,
                ..Default::default()
            });
            names.push(NameEntry {
                full: self.variant_spelling(&latin, rng),
                kind: NameKind::Alias,
                ..Default::default()
            });
            [
                "IRQ", "SYR", "DZA", "EGY", "IRN", "PAK", "MAR", "TUN", "AFG", "SAU",
            ][rng.gen_range(0..10)]
        } else {
            let given = self.given.choose(rng).expect("pool");
            let family = self.family.choose(rng).expect("pool");
            let middle = rng
                .gen_bool(0.3)
                .then(|| self.given.choose(rng).expect("pool"));
            let full = [Some(given), middle, Some(family)]
                .into_iter()
                .flatten()
                .cloned()
                .collect::<Vec<_>>()
                .join(" ");
            names.push(NameEntry {
                full,
                kind: NameKind::Primary,
                ..Default::default()
            });
            names.push(NameEntry {
                full: format!("{}, {given}", family.to_uppercase()),
                kind: NameKind::Alias,
                ..Default::default()
            });
            if rng.gen_bool(0.7) {
                let initial = given.chars().next().unwrap_or('X');
                names.push(NameEntry {
                    full: format!("{initial}. {family}"),
                    kind: NameKind::WeakAlias,
                    ..Default::default()
                });
            }
            ["AUS", "GBR", "FRA", "DEU", "BEL", "NLD", "USA", "CAN"][rng.gen_range(0..8)]
        };
        let (birth_dates, exact) = Pools::date(rng);
        let gender = Some(if rng.gen_bool(0.8) {
            Gender::Male
        } else {
            Gender::Female
        });
        let entry = PersonEntry {
            names,
            birth_dates,
            nationalities: vec![nationality.into()],
            gender,
            documents: vec![],
        };
        (entry, exact)
    }

    /// Replaces one part by another spelling of the same name when the variant list has one.
    fn variant_spelling(&self, full: &str, rng: &mut StdRng) -> String {
        let mut parts: Vec<String> = full.split_whitespace().map(String::from).collect();
        let i = rng.gen_range(0..parts.len());
        if let Some(v) = self.variants.get(&parts[i].to_lowercase()) {
            parts[i] = title_case(v.choose(rng).expect("non-empty"));
        } else {
            parts.reverse();
        }
        parts.join(" ")
    }

    fn typo(word: &str, rng: &mut StdRng) -> String {
        let mut c: Vec<char> = word.chars().collect();
        if c.len() < 4 {
            return word.to_string();
        }
        let i = rng.gen_range(1..c.len() - 1);
        match rng.gen_range(0..4) {
            0 => c[i] = (b'a' + rng.gen_range(0..26)) as char,
            1 => {
                c.remove(i);
            }
            2 => c.insert(i, c[i]),
            _ => c.swap(i, i + 1),
        }
        c.into_iter().collect()
    }

    /// A traveller who is this listed person, as a clerk or a passport would write them:
    /// one or two of typo, transliteration swap, reordering, dropped middle name.
    pub fn noisy_traveller(&self, person: &PersonEntry, date: DateSpec, rng: &mut StdRng) -> Query {
        let latin: Vec<&NameEntry> = person
            .names
            .iter()
            .filter(|n| n.kind != NameKind::OriginalScript && n.kind != NameKind::WeakAlias)
            .collect();
        let form = if rng.gen_bool(0.15) {
            person
                .names
                .iter()
                .find(|n| n.kind == NameKind::OriginalScript)
                .unwrap_or(latin[0])
        } else {
            latin.choose(rng).expect("latin name")
        };
        let mut parts: Vec<String> = form
            .full
            .replace(',', "")
            .split_whitespace()
            .map(String::from)
            .collect();
        if form.kind != NameKind::OriginalScript {
            for _ in 0..rng.gen_range(1..=2) {
                match rng.gen_range(0..4) {
                    0 => {
                        let i = rng.gen_range(0..parts.len());
                        parts[i] = Pools::typo(&parts[i], rng);
                    }
                    1 => {
                        let i = rng.gen_range(0..parts.len());
                        if let Some(v) = self.variants.get(&parts[i].to_lowercase()) {
                            parts[i] = title_case(v.choose(rng).expect("non-empty"));
                        }
                    }
                    2 => parts.rotate_left(1),
                    _ if parts.len() >= 3 => {
                        parts.remove(1);
                    }
                    _ => {}
                }
            }
        }
        Query {
            names: vec![NameEntry {
                full: parts.join(" "),
                ..Default::default()
            }],
            birth_dates: vec![date],
            nationalities: person.nationalities.clone(),
            gender: person.gender,
            documents: vec![],
        }
    }

    /// A traveller who is not listed: drawn from the same distributions.
    pub fn other_traveller(&self, rng: &mut StdRng) -> Query {
        let (p, date) = self.person(rng);
        Query {
            names: vec![p.names[0].clone()],
            birth_dates: vec![date],
            nationalities: p.nationalities,
            gender: p.gender,
            documents: vec![],
        }
    }
}
