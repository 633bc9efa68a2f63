//! Names in every script (not pass/fail): for each writing system, how often a name part
//! written in it finds the Latin-only record of the same name first (recall@1), and how often
//! it raises an alert on a wrong record.
//!
//! The test sets are the rigour variant groups (Wikidata items) that the `lexicon-holdout`
//! feature leaves out of the embedded lexicon, so the engine meets them through its
//! romanisation alone, as it meets names of a list it has never seen:
//!
//! ```text
//! cargo bench -p vigil-match --bench scripts --features lexicon-holdout
//! ```
//!
//! Without the feature the same groups are in the lexicon and the figures say how well known
//! names are found (much higher, and not a measure of generalisation).
//!
//! - Parts: every held-out group with a Latin spelling becomes one record whose names are its
//!   Latin spellings; every spelling of the group in another script is a query.
//! - Native names: Han spellings of groups with no other script but Hangul and only pinyin
//!   Latin spellings, Hangul
//!   spellings of groups with no other script (the rest are transcriptions of foreign names).
//! - Full names: Korean and Chinese given names of such groups joined to a common family
//!   name in one word, as the two languages write them (김정은, 习近平), against a Latin record
//!   "Family Given" queried also in the other order.
use std::collections::{BTreeMap, HashSet};

use unicode_script::{Script, UnicodeScript};
use vigil_match::{
    is_held_out, Index, NameEntry, PersonEntry, Query, SearchOptions, DEFAULT_THRESHOLD,
};

/// The embedded copy of rigour's variant groups (same file as the lexicon's).
const RIGOUR: &str = include_str!("../data/name_variants_rigour-1.8.2.txt");

/// The writing system of a form: that of its first letter with a script of its own.
fn script_of(form: &str) -> Option<&'static str> {
    let script = form
        .chars()
        .filter(|c| c.is_alphabetic())
        .map(|c| c.script())
        .find(|s| !matches!(s, Script::Common | Script::Inherited))?;
    Some(match script {
        Script::Latin => "Latin",
        Script::Hangul => "Hangul",
        Script::Han => "Han",
        Script::Hiragana | Script::Katakana => "Kana",
        Script::Hebrew => "Hebrew",
        Script::Greek => "Greek",
        Script::Cyrillic => "Cyrillic",
        Script::Arabic => "Arabic",
        Script::Devanagari => "Devanagari",
        Script::Bengali => "Bengali",
        Script::Georgian => "Georgian",
        Script::Armenian => "Armenian",
        Script::Thai => "Thai",
        _ => "other",
    })
}

/// One held-out variant group.
struct Group {
    latin: Vec<String>,
    /// (script, form) of every non-Latin spelling.
    others: Vec<(&'static str, String)>,
}

fn held_out_groups() -> Vec<Group> {
    let mut out = Vec::new();
    for line in RIGOUR.lines() {
        let Some((forms, qid)) = line.rsplit_once("=>") else {
            continue;
        };
        let Ok(id) = qid.trim().trim_start_matches('Q').parse::<u32>() else {
            continue;
        };
        if !is_held_out(id) {
            continue;
        }
        let mut group = Group {
            latin: Vec::new(),
            others: Vec::new(),
        };
        for form in forms.split(',').map(str::trim).filter(|f| !f.is_empty()) {
            match script_of(form) {
                // Plain spellings only: the record a Latin-only list would hold.
                Some("Latin")
                    if form.chars().filter(|c| c.is_ascii_alphabetic()).count() >= 2
                        && form
                            .chars()
                            .all(|c| c.is_ascii_alphabetic() || c == '-' || c == ' ') =>
                {
                    group.latin.push(form.to_string());
                }
                Some("Latin") => {}
                Some(script) => group.others.push((script, form.to_string())),
                None => {}
            }
        }
        if !group.latin.is_empty() && !group.others.is_empty() {
            out.push(group);
        }
    }
    out
}

#[derive(Default)]
struct Tally {
    queries: usize,
    top1: usize,
    alerted: usize,
    wrong_alert: usize,
}

impl Tally {
    fn add(&mut self, found: &[vigil_match::Match], right: u64) {
        self.queries += 1;
        let best = found.first().map_or(0.0, |m| m.score);
        // Groups that share a Latin spelling cannot be told apart: a tie with the right
        // record at the top counts as found.
        let right_best = found.iter().any(|m| m.key == right && m.score >= best);
        self.top1 += usize::from(right_best);
        self.alerted += usize::from(
            found
                .iter()
                .any(|m| m.key == right && m.score >= DEFAULT_THRESHOLD),
        );
        self.wrong_alert += usize::from(!right_best && best >= DEFAULT_THRESHOLD);
    }

    fn line(&self, name: &str) -> String {
        let share = |n: usize| n as f64 / self.queries.max(1) as f64;
        format!(
            "  {name:<11} {:>6} queries  recall@1 {:.3}  at threshold {:.3}  wrong record on top and alerting {:.3}",
            self.queries,
            share(self.top1),
            share(self.alerted),
            share(self.wrong_alert)
        )
    }
}

fn search(index: &Index, name: &str) -> Vec<vigil_match::Match> {
    let query = Query {
        names: vec![NameEntry::full(name)],
        ..Query::default()
    };
    index.search(
        &query,
        &SearchOptions {
            limit: 5,
            threshold: 0.3,
        },
        &|_| true,
    )
}

fn parts(groups: &[Group]) {
    let mut index = Index::new();
    for (key, g) in groups.iter().enumerate() {
        index.upsert(
            key as u64,
            &PersonEntry {
                names: g.latin.iter().map(NameEntry::full).collect(),
                ..PersonEntry::default()
            },
        );
    }
    let mut tallies: BTreeMap<&str, Tally> = BTreeMap::new();
    let mut misses: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for (key, g) in groups.iter().enumerate() {
        for (script, form) in &g.others {
            let found = search(&index, form);
            let tally = tallies.entry(script).or_default();
            let before = tally.top1;
            tally.add(&found, key as u64);
            if tally.top1 == before {
                misses.entry(script).or_default().push(format!(
                    "    {form} -> {:?} (want {:?})",
                    found
                        .first()
                        .map(|m| (&m.explanation.matched_name, m.score)),
                    g.latin
                ));
            }
        }
    }
    println!(
        "Name parts in their own script against Latin-only records ({} records):",
        groups.len()
    );
    for (script, tally) in &tallies {
        if tally.queries >= 5 {
            println!("{}", tally.line(script));
        }
    }
    // Many Han and Hangul spellings in the groups are transcriptions of foreign names
    // (费迪南德 Ferdinand, 쥔량 for the Chinese Junliang): the native names apart.
    let syllables = pinyin_syllables();
    let mut native: BTreeMap<&str, Tally> = BTreeMap::new();
    for (key, g) in groups.iter().enumerate() {
        for (script, form) in &g.others {
            let is_native = match *script {
                "Han" => is_chinese(g, &syllables),
                "Hangul" => g.others.iter().all(|(s, _)| *s == "Hangul"),
                _ => false,
            };
            if is_native {
                let found = search(&index, form);
                let tally = native.entry(script).or_default();
                let before = tally.top1;
                tally.add(&found, key as u64);
                if tally.top1 == before && std::env::var("VIGIL_BENCH_VERBOSE").is_ok() {
                    println!(
                        "    native miss: {form} -> {:?} (want {:?})",
                        found
                            .first()
                            .map(|m| (&m.explanation.matched_name, m.score)),
                        g.latin
                    );
                }
            }
        }
    }
    println!("  of which native names (Han: groups of Han and Hangul only, Latin spellings all pinyin; Hangul: Korean-only groups):");
    for (script, tally) in &native {
        println!("{}", tally.line(script));
    }
    if std::env::var("VIGIL_BENCH_VERBOSE").is_ok() {
        for (script, list) in &misses {
            println!("  misses, {script}:");
            for m in list.iter().take(25) {
                println!("{m}");
            }
        }
    }
}

/// Every toneless pinyin syllable, from the readings of the CJK Unified Ideographs.
fn pinyin_syllables() -> HashSet<String> {
    use pinyin::ToPinyinMulti;
    ('\u{4E00}'..='\u{9FFF}')
        .filter_map(|c| c.to_pinyin_multi())
        .flat_map(|m| m.into_iter().map(|p| p.plain().replace('ü', "v")))
        .collect()
}

/// Whether a Latin spelling is a sequence of pinyin syllables (hyphens and spaces allowed).
fn is_pinyin(latin: &str, syllables: &HashSet<String>) -> bool {
    let word: String = latin.chars().filter(char::is_ascii_alphabetic).collect();
    // reachable[i]: word[..i] is a sequence of syllables (the longest has six letters).
    let mut reachable = vec![false; word.len() + 1];
    reachable[0] = true;
    for i in 0..word.len() {
        if reachable[i] {
            for len in 1..=6.min(word.len() - i) {
                reachable[i + len] |= syllables.contains(&word[i..i + len]);
            }
        }
    }
    !word.is_empty() && reachable[word.len()]
}

/// Whether a group is a Chinese name: Han spellings, no other script but Hangul (Korean
/// transcriptions of Chinese names are usual; kana means a Japanese name, other scripts a
/// foreign name transcribed into characters), and Latin spellings that are all pinyin.
fn is_chinese(g: &Group, syllables: &HashSet<String>) -> bool {
    g.others.iter().any(|(s, _)| *s == "Han")
        && g.others.iter().all(|(s, _)| matches!(*s, "Han" | "Hangul"))
        && g.latin.iter().all(|l| is_pinyin(l, syllables))
}

/// Korean and Chinese full names: family name and given name in one word.
fn full_names(groups: &[Group]) {
    let syllables = pinyin_syllables();
    const KOREAN_FAMILIES: &[(&str, &str)] = &[
        ("김", "Kim"),
        ("이", "Lee"),
        ("박", "Park"),
        ("최", "Choi"),
        ("정", "Jung"),
        ("강", "Kang"),
        ("조", "Cho"),
        ("윤", "Yoon"),
        ("장", "Jang"),
        ("임", "Lim"),
        ("리", "Ri"),
        ("최", "Choe"),
        ("박", "Pak"),
        ("한", "Han"),
        ("오", "Oh"),
    ];
    const CHINESE_FAMILIES: &[(&str, &str)] = &[
        ("王", "Wang"),
        ("李", "Li"),
        ("张", "Zhang"),
        ("刘", "Liu"),
        ("陈", "Chen"),
        ("杨", "Yang"),
        ("黄", "Huang"),
        ("赵", "Zhao"),
        ("周", "Zhou"),
        ("吴", "Wu"),
        ("徐", "Xu"),
        ("孙", "Sun"),
    ];
    let two_syllables = |form: &str, script: &str, g: &Group| {
        // Korean given names: groups of Hangul and Latin only (a group that also has Han or
        // kana spellings is a Chinese or Japanese name transcribed in Hangul).
        let korean_only = g.others.iter().all(|(s, _)| *s == "Hangul");
        form.chars().count() == 2
            && if script == "Han" {
                is_chinese(g, &syllables)
            } else {
                korean_only
            }
    };
    for (script, families) in [("Hangul", KOREAN_FAMILIES), ("Han", CHINESE_FAMILIES)] {
        let mut cases = Vec::new();
        for g in groups {
            for (s, form) in &g.others {
                if *s == script && two_syllables(form, script, g) {
                    let (family, latin_family) = families[cases.len() % families.len()];
                    cases.push((format!("{family}{form}"), latin_family, g.latin[0].clone()));
                }
            }
        }
        // The records written family name first, then given name first, queried with the
        // same one-word names.
        let tally = |written: fn(&str, &str) -> String| {
            let mut index = Index::new();
            for (key, (_, family, given)) in cases.iter().enumerate() {
                index.upsert(
                    key as u64,
                    &PersonEntry {
                        names: vec![NameEntry::full(written(family, given))],
                        ..PersonEntry::default()
                    },
                );
            }
            let mut tally = Tally::default();
            for (key, (query, family, given)) in cases.iter().enumerate() {
                let found = search(&index, query);
                let before = tally.top1;
                tally.add(&found, key as u64);
                if tally.top1 == before && std::env::var("VIGIL_BENCH_VERBOSE").is_ok() {
                    println!(
                        "    full-name miss: {query} -> {:?} (want {:?})",
                        found
                            .first()
                            .map(|m| (&m.explanation.matched_name, m.score)),
                        written(family, given)
                    );
                }
            }
            tally
        };
        let family_first = tally(|family, given| format!("{family} {given}"));
        let family_last = tally(|family, given| format!("{given} {family}"));
        println!(
            "{script} full names in one word against Latin records ({} persons):",
            cases.len()
        );
        println!("{}", family_first.line("family 1st"));
        println!("{}", family_last.line("family 2nd"));
    }
}

fn main() {
    let holdout = cfg!(feature = "lexicon-holdout");
    println!(
        "lexicon: {}",
        if holdout {
            "test groups held out (names the engine has not seen)"
        } else {
            "complete (test groups are known names; run with --features lexicon-holdout to measure unseen names)"
        }
    );
    let groups = held_out_groups();
    parts(&groups);
    full_names(&groups);
}
