//! The in-memory candidate index: finds, among a million listed persons, the dozen or so worth
//! scoring, then scores them.
//!
//! Retrieval keys per name part (see [`retrieval_keys`]): its variant groups (so Muhammad
//! finds Mohammed and محمد), its phonetic key and that key's one-deletion neighbourhood (so a
//! typo, a doubled or dropped letter still meets: two keys share a deletion when they are at
//! most one substitution, insertion or deletion apart), its Arabic consonant skeleton (so a
//! Latin query finds an Arabic-script alias and back), and for scripts we do not romanise the
//! text and its deletions. Queries add joined adjacent parts and the halves of long parts, for
//! "Alisher Usmanov"/"AlisherUsmanov".
//!
//! Candidates accumulate, per query part, the IDF of the rarest key that reached them, so a
//! shared rare surname outweighs a shared Mohammed, weighed by how their birth years (carried
//! in the postings) fit the query's. Posting lists are visited rarest first under a budget;
//! lists longer than `LONG_LIST` are never walked, only probed (lists are kept sorted) for the
//! leading candidates. Only candidates retrieved nearly as well as the best are scored. The
//! `visible` filter is applied when candidates are picked, before any scoring, so hidden
//! records never reach the scorer, and the pruning is relative to the best visible one.
//!
//! Name parts are interned: a part shared by 50,000 persons is analysed and stored once, and a
//! stored name is a short list of part ids. Upsert and remove touch only the posting lists of
//! that person's keys.

use crate::analysis::{parts, Class, Token};
use crate::keys::{hash, hash_id, FastMap};
use crate::model::{
    DateSpec, DocumentEntry, Gender, Match, NameKind, PersonEntry, Query, SearchOptions,
    DEFAULT_THRESHOLD,
};
use crate::names::SimilarityCache;
use crate::person::{normalise_number, score_person, Facts, NameForm};
use crate::text::{RawToken, Script};

/// Key namespaces.
const NS_GROUP: u8 = 10;
const NS_KEY: u8 = 11;
const NS_SKELETON: u8 = 12;
const NS_TEXT: u8 = 13;
const NS_DOCUMENT: u8 = 14;
const NS_INTERN: u8 = 20;

/// Posting lists longer than this (a Mohammed among a million Arabic names) are only probed
/// for candidates found through rarer keys.
const LONG_LIST: usize = 4096;
/// Most postings walked per query.
const BUDGET: usize = 6_000;
/// Lists too long to walk are probed (a binary search each) for the best candidates found
/// so far only, and only the first few such lists.
const BOOST_LIMIT: usize = 128;
const MAX_BOOSTS: usize = 4;
/// Longest list of a common part intersected with another (see `add_common_pairs`).
const COMMON_PAIR_LIMIT: usize = 16_384;
/// Candidates fully scored per query (beyond the requested limit).
const CANDIDATES: usize = 4;
/// Candidates retrieved with less than this share of the best visible one's retrieval score
/// are not scored (at the default threshold): they share only the query's weaker parts, or too
/// few of them, to reach an alert. Scoring them was a fifth of the cost of a search.
const PRUNE: f32 = 0.5;
/// How much stricter that floor is for a candidate that shares at most one part of a query of
/// several: it must be retrieved nearly as well as the best to reach an alert.
const ONE_PART_PRUNE: f32 = 1.6;
/// Query probes tracked per query (one bit each).
const MAX_PROBES: usize = 32;
/// Document numbers shorter than this are not indexed (too many accidental equalities).
const MIN_DOCUMENT_LEN: usize = 5;
/// Most persons taken per query document number (a number shared by more is a data error).
const MAX_DOCUMENT_HITS: usize = 64;

struct StoredName {
    text: Box<str>,
    kind: NameKind,
    tokens: Box<[u32]>,
}

struct Stored {
    key: u64,
    names: Vec<StoredName>,
    birth_dates: Vec<DateSpec>,
    nationalities: Vec<String>,
    gender: Option<Gender>,
    documents: Vec<DocumentEntry>,
}

/// Per-thread buffers of retrieval, kept between searches so a search allocates nothing here.
///
/// The walked postings are gathered as words (see [`gathered`]) and grouped by slot with
/// a radix sort instead of being added into a dense per-slot array: a few thousand postings
/// spread over a million slots would each cost a cache miss there, while the sort streams
/// through buffers that stay in cache.
#[derive(Default)]
struct Scratch {
    postings: Vec<u64>,
    sorted: Vec<u64>,
}

/// Bits of a slot number sorted per radix pass (a 2,048-entry histogram stays in L1).
const RADIX_BITS: u32 = 11;

impl Scratch {
    /// Sorts `postings` by slot (the high half), keeping the walking order within a slot:
    /// stable, least significant digit first, as many passes as `slots` needs (two up to
    /// four million slots). The digits of every pass are counted in one read.
    fn sort_by_slot(&mut self, slots: usize) {
        const MAX_PASSES: usize = 3;
        let bits = usize::BITS - slots.max(1).leading_zeros();
        let passes = (bits.div_ceil(RADIX_BITS) as usize).clamp(1, MAX_PASSES);
        let digit = |w: u64, pass: usize| {
            ((w >> (32 + pass as u32 * RADIX_BITS)) & ((1 << RADIX_BITS) - 1)) as usize
        };
        let mut next = [[0u32; 1 << RADIX_BITS]; MAX_PASSES];
        for &w in &self.postings {
            for (pass, counts) in next.iter_mut().enumerate().take(passes) {
                counts[digit(w, pass)] += 1;
            }
        }
        self.sorted.resize(self.postings.len(), 0);
        for (pass, counts) in next.iter_mut().enumerate().take(passes) {
            let mut total = 0;
            for c in counts.iter_mut() {
                (*c, total) = (total, total + *c);
            }
            for &w in &self.postings {
                let d = digit(w, pass);
                self.sorted[counts[d] as usize] = w;
                counts[d] += 1;
            }
            std::mem::swap(&mut self.postings, &mut self.sorted);
        }
    }
}

/// What a posting of one walked list adds to a candidate.
struct ListWeight {
    /// The query probe's bit.
    bit: u32,
    idf: f32,
}

impl Candidate {
    /// Counts a list for this candidate, unless a rarer list of the same probe already did.
    fn add(&mut self, w: &ListWeight) {
        if self.probes & w.bit == 0 {
            self.probes |= w.bit;
            self.score += w.idf * self.factor;
        }
    }
}

/// Bits of a gathered posting word: the slot in the high half, then the class of its date
/// factor, then the index of its list among the query's.
const FACTOR_SHIFT: u32 = 30;
const LIST_MASK: u64 = (1 << FACTOR_SHIFT) - 1;

/// A walked posting as the radix sort takes it (see [`Scratch`]).
fn gathered(p: &Posting, query_years: YearSpan, list: usize) -> u64 {
    let class = date_class(query_years, p.years) as u64;
    (u64::from(p.slot) << 32) | (class << FACTOR_SHIFT) | list as u64
}

/// Best retrieval score first; slot order breaks ties, so results are reproducible.
fn rank_order(a: &Candidate, b: &Candidate) -> std::cmp::Ordering {
    b.score.total_cmp(&a.score).then(a.slot.cmp(&b.slot))
}

/// A retrieved person: retrieval score, the query probes that reached it (one bit each), slot.
#[derive(Clone, Copy)]
struct Candidate {
    score: f32,
    /// Weight of the birth years (see [`DATE_FACTORS`]), applied to every list counted.
    factor: f32,
    probes: u32,
    slot: u32,
}

thread_local! {
    static SCRATCH: std::cell::RefCell<Scratch> = std::cell::RefCell::new(Scratch::default());
}

/// Watchlist index. `Send + Sync`: searches take `&self` and may run on many threads.
#[derive(Default)]
pub struct Index {
    tokens: Vec<Token>,
    token_keys: Vec<Box<[u64]>>,
    token_ids: FastMap<u64, u32>,
    slots: Vec<Option<Stored>>,
    free: Vec<u32>,
    slot_of: FastMap<u64, u32>,
    postings: FastMap<u64, Vec<Posting>>,
}

/// One entry of a posting list: a person's slot and birth years. The years travel with the
/// slot so that every candidate is weighed by birth year (see [`date_class`]) without a
/// cache miss per candidate for looking them up.
#[derive(Clone, Copy)]
struct Posting {
    slot: u32,
    years: YearSpan,
}

fn push_deletions(key: &[u8], namespace: u8, out: &mut Vec<u64>) {
    if let Ok(s) = std::str::from_utf8(key) {
        out.push(hash(namespace, s));
    }
    if key.len() < 4 {
        return;
    }
    let mut buf = Vec::with_capacity(key.len());
    for skip in 0..key.len() {
        buf.clear();
        buf.extend_from_slice(&key[..skip]);
        buf.extend_from_slice(&key[skip + 1..]);
        if let Ok(s) = std::str::from_utf8(&buf) {
            out.push(hash(namespace, s));
        }
    }
}

/// The keys under which a part is found (see the module comment).
fn retrieval_keys(t: &Token) -> Vec<u64> {
    let mut out = Vec::new();
    if !t.is_word() || t.class == Class::Initial {
        return out;
    }
    out.extend(t.groups.iter().map(|&g| hash_id(NS_GROUP, g)));
    // Latin parts have one or two spellings; a romanised part has one per system, all of
    // which a Latin record may have used.
    let spellings = if t.script == Script::Latin { 2 } else { 4 };
    for k in t.keys.iter().take(spellings) {
        push_deletions(k.as_bytes(), NS_KEY, &mut out);
    }
    out.extend(
        t.skeletons
            .iter()
            .filter(|s| s.len() >= 2)
            .map(|s| hash(NS_SKELETON, s)),
    );
    if t.script.compared_in_own_script() {
        let chars: Vec<char> = t.text.chars().collect();
        out.push(hash(NS_TEXT, &t.text));
        if chars.len() >= 3 {
            for skip in 0..chars.len() {
                let s: String = chars
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| *i != skip)
                    .map(|(_, c)| c)
                    .collect();
                out.push(hash(NS_TEXT, &s));
            }
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// Extra keys of a long query part: the phonetic keys of its two halves at every split point,
/// for a listed "Alisher Usmanov" against a typed "AlisherUsmanov".
fn split_keys(t: &Token, out: &mut Vec<u64>) {
    if let Some(k) = t.keys.first() {
        if k.len() >= 7 {
            for at in 3..=k.len() - 3 {
                if let (Some(left), Some(right)) = (k.get(..at), k.get(at..)) {
                    out.push(hash(NS_KEY, left));
                    out.push(hash(NS_KEY, right));
                }
            }
        }
    }
}

/// Keys of two adjacent listed parts written as one ("شهيد خيل" typed "Shahidkhel"): their
/// phonetic keys and skeletons concatenated, exact only.
fn joined_keys(a: &Token, b: &Token, out: &mut Vec<u64>) {
    if let (Some(x), Some(y)) = (a.keys.first(), b.keys.first()) {
        out.push(hash(NS_KEY, &format!("{x}{y}")));
    }
    if let (Some(x), Some(y)) = (a.skeletons.first(), b.skeletons.first()) {
        let joined = if x.ends_with(&y[..y.len().min(1)]) {
            format!("{x}{}", &y[y.len().min(1)..])
        } else {
            format!("{x}{y}")
        };
        out.push(hash(NS_SKELETON, &joined));
    }
}

/// The key of a document number (normalised: ASCII alphanumerics, upper case), or `None` for
/// numbers too short to identify anyone. Kind and issuer are left to scoring, which decides
/// whether the documents are compatible.
fn document_key(d: &DocumentEntry) -> Option<u64> {
    let n = normalise_number(&d.number);
    (n.len() >= MIN_DOCUMENT_LEN).then(|| hash(NS_DOCUMENT, &n))
}

/// A query part and the keys that look for it.
struct Probe {
    keys: Vec<u64>,
    /// The query's words it stands for, one bit each: one word, or two or three joined.
    covers: u32,
}

fn probes<'a>(query_names: impl Iterator<Item = &'a [Token]>) -> Vec<Probe> {
    let mut out: Vec<Probe> = Vec::new();
    // Words are numbered across all the query's names (one bit each in `Probe::covers`).
    let mut next_word = 0;
    for tokens in query_names {
        let mut bit_of = Vec::with_capacity(tokens.len());
        for t in tokens {
            bit_of.push(if t.is_word() && next_word < 32 {
                next_word += 1;
                1u32 << (next_word - 1)
            } else {
                0
            });
        }
        for (t, &bit) in tokens.iter().zip(&bit_of).filter(|(t, _)| t.is_word()) {
            let mut keys = retrieval_keys(t);
            split_keys(t, &mut keys);
            out.push(Probe { keys, covers: bit });
        }
        // Adjacent parts joined, for a listed name written as one word: "Alisher Usmanov"
        // typed "AlisherUsmanov", and Arabic compounds (جلال الدين) listed only in Latin as
        // one part ("Jalaluddin").
        let joinable = |run: &[&Token]| {
            run.iter().all(|t| {
                (t.script.is_romanised() || t.script == Script::Arabic)
                    && t.class != Class::Initial
                    && t.script == run[0].script
            })
        };
        let words: Vec<(&Token, u32)> = tokens
            .iter()
            .zip(bit_of.iter().copied())
            .filter(|(t, _)| t.is_word())
            .collect();
        for pair in words.windows(2) {
            let run = [pair[0].0, pair[1].0];
            if joinable(&run) {
                out.push(Probe {
                    keys: retrieval_keys(&Token::joined(&run)),
                    covers: pair[0].1 | pair[1].1,
                });
            }
        }
        // Two parts around a short linking one ("Noor ud Din", "Fazl ur Rahman") joined
        // whole, for a listed "Nooruddin".
        for (w, bits) in tokens.windows(3).zip(bit_of.windows(3)) {
            let run = [&w[0], &w[1], &w[2]];
            if joinable(&run) && w[0].is_word() && w[2].is_word() && w[1].display().len() <= 2 {
                out.push(Probe {
                    keys: retrieval_keys(&Token::joined(&run)),
                    covers: bits[0] | bits[1] | bits[2],
                });
            }
        }
    }
    out.retain(|p| !p.keys.is_empty());
    out.truncate(MAX_PROBES);
    out
}

/// Position of the first element of a sorted list not below `target`, found by doubling steps
/// from the start: cheap when the target is near.
fn gallop(list: &[Posting], target: u32) -> usize {
    let mut bound = 1;
    while bound < list.len() && list[bound - 1].slot < target {
        bound *= 2;
    }
    let start = bound / 2;
    let end = bound.min(list.len());
    start + list[start..end].partition_point(|p| p.slot < target)
}

/// Earliest and latest birth year of a person or query.
type YearSpan = (i16, i16);
const NO_YEARS: YearSpan = (i16::MAX, i16::MIN);

fn year_span(dates: &[DateSpec]) -> YearSpan {
    let clamp = |y: i32| y.clamp(i32::from(i16::MIN) + 1, i32::from(i16::MAX) - 1) as i16;
    dates.iter().fold(NO_YEARS, |(from, to), d| {
        (from.min(clamp(d.year_from)), to.max(clamp(d.year_to)))
    })
}

/// Retrieval weight of a candidate's birth years against the query's: namesakes of a common
/// name tie on the names, and among a hundred "Ahmed Ibrahim Nasseri"s the one born in the
/// traveller's year must be among those scored. Years more than one apart push a candidate
/// down, an unknown year slightly (it cannot corroborate a common name); the scorer decides.
/// Indexed by [`date_class`].
const DATE_FACTORS: [f32; 3] = [1.0, 0.9, 0.6];

/// The class of `DATE_FACTORS` that applies: 0 years compatible or no query year, 1 listed
/// year unknown, 2 years apart.
fn date_class(query: YearSpan, listed: YearSpan) -> usize {
    if query == NO_YEARS {
        0
    } else if listed == NO_YEARS {
        1
    } else if i32::from(listed.0) > i32::from(query.1) + 1
        || i32::from(query.0) > i32::from(listed.1) + 1
    {
        2
    } else {
        0
    }
}

impl Index {
    pub fn new() -> Self {
        Index::default()
    }

    /// Number of persons indexed.
    pub fn len(&self) -> usize {
        self.slot_of.len()
    }

    pub fn is_empty(&self) -> bool {
        self.slot_of.is_empty()
    }

    fn intern(&mut self, raw: &RawToken) -> u32 {
        let h = hash(
            NS_INTERN + raw.script as u8 + if raw.word { 64 } else { 0 },
            &raw.text,
        );
        if let Some(&id) = self.token_ids.get(&h) {
            return id;
        }
        let token = Token::new(raw);
        let id = self.tokens.len() as u32;
        self.token_keys
            .push(retrieval_keys(&token).into_boxed_slice());
        self.tokens.push(token);
        self.token_ids.insert(h, id);
        id
    }

    fn person_keys(&self, stored: &Stored) -> Vec<u64> {
        let mut keys: Vec<u64> = stored
            .names
            .iter()
            .flat_map(|n| n.tokens.iter())
            .flat_map(|&id| self.token_keys[id as usize].iter().copied())
            .collect();
        for name in &stored.names {
            let words: Vec<&Token> = name
                .tokens
                .iter()
                .map(|&id| &self.tokens[id as usize])
                .filter(|t| t.is_word())
                .collect();
            for pair in words.windows(2) {
                joined_keys(pair[0], pair[1], &mut keys);
            }
        }
        keys.extend(stored.documents.iter().filter_map(document_key));
        keys.sort_unstable();
        keys.dedup();
        keys
    }

    /// Inserts a person, or replaces the person already stored under `key`.
    pub fn upsert(&mut self, key: u64, entry: &PersonEntry) {
        self.remove(key);
        let names = entry
            .names
            .iter()
            .map(|n| {
                let text = n.text();
                let tokens = parts(&text).iter().map(|raw| self.intern(raw)).collect();
                StoredName {
                    text: text.into_boxed_str(),
                    kind: n.kind,
                    tokens,
                }
            })
            .collect();
        let stored = Stored {
            key,
            names,
            birth_dates: entry.birth_dates.clone(),
            nationalities: entry.nationalities.clone(),
            gender: entry.gender,
            documents: entry.documents.clone(),
        };
        let slot = match self.free.pop() {
            Some(slot) => slot,
            None => {
                self.slots.push(None);
                (self.slots.len() - 1) as u32
            }
        };
        let posting = Posting {
            slot,
            years: year_span(&stored.birth_dates),
        };
        for k in self.person_keys(&stored) {
            let list = self.postings.entry(k).or_default();
            match list.last() {
                Some(last) if last.slot > slot => {
                    let at = list.partition_point(|p| p.slot < slot);
                    list.insert(at, posting);
                }
                _ => list.push(posting),
            }
        }
        self.slots[slot as usize] = Some(stored);
        self.slot_of.insert(key, slot);
    }

    /// A stored person's documents and birth dates: what the same-identity
    /// rule ([`crate::identity_evidence`]) compares beside the names.
    pub fn documents_and_dates(&self, key: u64) -> Option<(&[DocumentEntry], &[DateSpec])> {
        let slot = *self.slot_of.get(&key)?;
        let stored = self.slots.get(slot as usize)?.as_ref()?;
        Some((&stored.documents, &stored.birth_dates))
    }

    /// Removes a person (no-op when absent).
    pub fn remove(&mut self, key: u64) {
        let Some(slot) = self.slot_of.remove(&key) else {
            return;
        };
        let Some(stored) = self.slots[slot as usize].take() else {
            return;
        };
        for k in self.person_keys(&stored) {
            if let Some(list) = self.postings.get_mut(&k) {
                if let Ok(at) = list.binary_search_by_key(&slot, |p| p.slot) {
                    list.remove(at);
                }
                if list.is_empty() {
                    self.postings.remove(&k);
                }
            }
        }
        self.free.push(slot);
    }

    /// Finds listed persons matching `q`. `visible(key)` decides, before any scoring, which
    /// persons the caller may see; invisible persons do not influence the result at all.
    pub fn search(
        &self,
        q: &Query,
        opts: &SearchOptions,
        visible: &dyn Fn(u64) -> bool,
    ) -> Vec<Match> {
        let query_names: Vec<(String, NameKind, Vec<Token>)> = q
            .names
            .iter()
            .map(|n| {
                let text = n.text();
                let tokens = parts(&text).iter().map(Token::new).collect();
                (text, n.kind, tokens)
            })
            .collect();
        let probes = probes(query_names.iter().map(|(_, _, t)| t.as_slice()));
        let mut candidates = self.document_candidates(q, visible);
        let query_years = year_span(&q.birth_dates);
        // A lower threshold asks for weaker matches: prune less.
        let prune = PRUNE * (opts.threshold / DEFAULT_THRESHOLD).clamp(0.0, 1.0) as f32;
        for slot in self.candidates(
            &probes,
            query_years,
            opts.limit + CANDIDATES,
            prune,
            visible,
        ) {
            if !candidates.contains(&slot) {
                candidates.push(slot);
            }
        }

        let forms: Vec<NameForm<'_>> = query_names
            .iter()
            .map(|(text, kind, tokens)| NameForm {
                text,
                kind: *kind,
                tokens: tokens.iter().collect(),
            })
            .collect();
        let facts = Facts {
            birth_dates: &q.birth_dates,
            nationalities: &q.nationalities,
            gender: q.gender,
            documents: &q.documents,
        };
        let mut cache = SimilarityCache::default();
        let score = |slot: u32, cache: &mut SimilarityCache, explain: bool| {
            let stored = self.slots[slot as usize].as_ref()?;
            let names: Vec<NameForm<'_>> = stored
                .names
                .iter()
                .map(|n| NameForm {
                    text: &n.text,
                    kind: n.kind,
                    tokens: n
                        .tokens
                        .iter()
                        .map(|&id| &self.tokens[id as usize])
                        .collect(),
                })
                .collect();
            let person = Facts {
                birth_dates: &stored.birth_dates,
                nationalities: &stored.nationalities,
                gender: stored.gender,
                documents: &stored.documents,
            };
            Some((
                stored.key,
                score_person(&forms, &facts, &names, &person, cache, explain),
            ))
        };
        // Score every candidate, then explain only those returned.
        let mut kept: Vec<(f64, u64, u32)> = candidates
            .into_iter()
            .filter_map(|slot| {
                let (key, (score, _)) = score(slot, &mut cache, false)?;
                (score >= opts.threshold).then_some((score, key, slot))
            })
            .collect();
        kept.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        kept.truncate(opts.limit);
        kept.into_iter()
            .filter_map(|(_, _, slot)| {
                let (key, (score, explanation)) = score(slot, &mut cache, true)?;
                Some(Match {
                    key,
                    score,
                    is_match: score >= DEFAULT_THRESHOLD,
                    explanation,
                })
            })
            .collect()
    }

    /// The visible slots holding one of the query's document numbers: always scored, since an
    /// equal number is decisive whatever the names say.
    fn document_candidates(&self, q: &Query, visible: &dyn Fn(u64) -> bool) -> Vec<u32> {
        let mut out = Vec::new();
        for key in q.documents.iter().filter_map(document_key) {
            let Some(list) = self.postings.get(&key) else {
                continue;
            };
            let mut taken = 0;
            for &Posting { slot, .. } in list {
                if taken == MAX_DOCUMENT_HITS {
                    break;
                }
                if out.contains(&slot) {
                    continue;
                }
                if self.slots[slot as usize]
                    .as_ref()
                    .is_some_and(|s| visible(s.key))
                {
                    out.push(slot);
                    taken += 1;
                }
            }
        }
        out
    }

    /// The slots worth scoring, best retrieval score first, visible ones only.
    fn candidates(
        &self,
        probes: &[Probe],
        query_years: YearSpan,
        wanted: usize,
        prune: f32,
        visible: &dyn Fn(u64) -> bool,
    ) -> Vec<u32> {
        let n = self.len().max(1) as f64;
        let mut lists: Vec<(usize, &[Posting])> = Vec::new();
        for (p, probe) in probes.iter().enumerate() {
            for k in &probe.keys {
                if let Some(list) = self.postings.get(k) {
                    lists.push((p, list));
                }
            }
        }
        lists.sort_by_key(|(_, l)| l.len());
        let weight: Vec<ListWeight> = lists
            .iter()
            .map(|&(p, list)| ListWeight {
                bit: 1u32 << p,
                idf: (1.0 + n / list.len() as f64).ln() as f32,
            })
            .collect();
        let mut skipped: Vec<usize> = Vec::new();
        // The shortest unwalked list of each of the first two query parts that have one.
        let mut common: Vec<usize> = Vec::with_capacity(2);
        let mut ranked = SCRATCH.with(|scratch| {
            let mut scratch = scratch.borrow_mut();
            scratch.postings.clear();
            let mut visited = 0;
            for (i, &(_, list)) in lists.iter().enumerate() {
                if list.len() <= LONG_LIST && visited + list.len() <= BUDGET {
                    visited += list.len();
                    scratch
                        .postings
                        .extend(list.iter().map(|p| gathered(p, query_years, i)));
                } else {
                    if skipped.len() < MAX_BOOSTS {
                        skipped.push(i);
                    }
                    if common.len() < 2 && common.iter().all(|&j| lists[j].0 != lists[i].0) {
                        common.push(i);
                    }
                }
            }
            if scratch.postings.is_empty() {
                // Only very common parts ("Mohammed Ali"): take the head of the rarest list.
                if let Some(&(_, list)) = lists.first() {
                    scratch.postings.extend(
                        list.iter()
                            .take(BUDGET)
                            .map(|p| gathered(p, query_years, 0)),
                    );
                }
            }
            scratch.sort_by_slot(self.slots.len());
            // Lists were walked rarest first and the sort is stable, so the first posting of
            // a probe for a slot is its rarest key: the one that counts.
            let mut ranked: Vec<Candidate> = Vec::with_capacity(scratch.postings.len());
            for &word in &scratch.postings {
                let slot = (word >> 32) as u32;
                let w = &weight[(word & LIST_MASK) as usize];
                match ranked.last_mut() {
                    Some(c) if c.slot == slot => c.add(w),
                    _ => {
                        let factor = DATE_FACTORS[((word >> FACTOR_SHIFT) & 3) as usize];
                        ranked.push(Candidate {
                            score: w.idf * factor,
                            factor,
                            probes: w.bit,
                            slot,
                        })
                    }
                }
            }
            ranked
        });
        if !ranked.iter().any(|c| c.probes.count_ones() >= 2) {
            self.add_common_pairs(&mut ranked, &lists, &weight, &common, query_years);
        }
        // The leaders are looked up in the lists too long to walk: among fifty "… Elliot"s the
        // George is the one to score. Boosts only raise leaders, so none of the others can
        // overtake them and the leaders alone need sorting.
        let lead = BOOST_LIMIT.max(wanted).min(ranked.len());
        if lead > 0 && lead < ranked.len() {
            ranked.select_nth_unstable_by(lead - 1, rank_order);
        }
        if !skipped.is_empty() {
            let leaders = &mut ranked[..lead];
            // In slot order, each list is searched forward from the last position found
            // (galloping): the probes stay near each other in memory.
            leaders.sort_unstable_by_key(|c| c.slot);
            for &i in &skipped {
                let list = lists[i].1;
                let mut from = 0;
                // A list of up to 128 entries per leader is read through (it streams from
                // memory); a longer one is galloped (each step a likely cache miss).
                let step: fn(&[Posting], u32) -> usize = if list.len() <= 128 * leaders.len() {
                    |list, slot| list.iter().take_while(|p| p.slot < slot).count()
                } else {
                    gallop
                };
                for c in leaders.iter_mut() {
                    from += step(&list[from..], c.slot);
                    if from == list.len() {
                        break;
                    }
                    if list[from].slot == c.slot {
                        c.add(&weight[i]);
                    }
                }
            }
        }
        ranked[..lead].sort_unstable_by(rank_order);
        // Outside the scratch borrow: `visible` is the caller's code.
        self.best_visible(&mut ranked, lead, wanted, prune, probes, visible)
    }

    /// Adds the persons found in both of the two shortest lists, of two different query parts,
    /// that were too long to walk. Without them a "George Elliot" whose every part is common
    /// is found only if a rarer key happens to reach him; with them the persons bearing both
    /// common parts outrank those bearing one. `ranked` is in slot order and stays so.
    fn add_common_pairs(
        &self,
        ranked: &mut Vec<Candidate>,
        lists: &[(usize, &[Posting])],
        weight: &[ListWeight],
        common: &[usize],
        query_years: YearSpan,
    ) {
        let &[first, second] = common else {
            return;
        };
        let (short, long) = (lists[first].1, lists[second].1);
        if short.len() > COMMON_PAIR_LIMIT {
            return;
        }
        let mut both = Vec::new();
        let mut from = 0;
        for p in short {
            from += gallop(&long[from..], p.slot);
            if from == long.len() {
                break;
            }
            if long[from].slot == p.slot {
                let mut c = Candidate {
                    score: 0.0,
                    factor: DATE_FACTORS[date_class(query_years, p.years)],
                    probes: 0,
                    slot: p.slot,
                };
                c.add(&weight[first]);
                c.add(&weight[second]);
                both.push(c);
            }
        }
        if both.is_empty() {
            return;
        }
        // Merged by slot; a person already reached through one of the two parts' rarer keys
        // keeps that key's weight for it.
        let mut merged = Vec::with_capacity(ranked.len() + both.len());
        let mut found = both.into_iter().peekable();
        for c in ranked.drain(..) {
            while let Some(f) = found.next_if(|f| f.slot < c.slot) {
                merged.push(f);
            }
            let mut c = c;
            if found.next_if(|f| f.slot == c.slot).is_some() {
                c.add(&weight[first]);
                c.add(&weight[second]);
            }
            merged.push(c);
        }
        merged.extend(found);
        *ranked = merged;
    }

    /// The first `wanted` visible slots, best first, down to `prune` times the best one's
    /// retrieval score. `ranked[..sorted]` is already in order and outranks the rest, which
    /// is ranked only as deep as needed.
    fn best_visible(
        &self,
        ranked: &mut [Candidate],
        sorted: usize,
        wanted: usize,
        prune: f32,
        probes: &[Probe],
        visible: &dyn Fn(u64) -> bool,
    ) -> Vec<u32> {
        let mut out = Vec::with_capacity(wanted);
        let is_visible = |slot: u32| {
            self.slots[slot as usize]
                .as_ref()
                .is_some_and(|s| visible(s.key))
        };
        // Chunks of the rest double, so a filter that rejects almost everything costs one sort
        // of the candidates, not one partial selection per chunk.
        let mut start = 0;
        let mut end = sorted;
        let mut chunk = (wanted * 4).max(64);
        let (mut floor, mut one_part_floor) = (f32::NEG_INFINITY, f32::NEG_INFINITY);
        // Words that have keys: a candidate reached through one of several is a weak one.
        let keyed = probes.iter().fold(0, |all, p| all | p.covers);
        let one_part = |c: &Candidate| {
            let covered = probes
                .iter()
                .enumerate()
                .filter(|(i, _)| c.probes & (1 << i) != 0)
                .fold(0, |all, (_, p)| all | p.covers);
            keyed.count_ones() >= 2 && covered.count_ones() < 2
        };
        loop {
            for c in &ranked[start..end] {
                if out.len() == wanted || c.score < floor {
                    return out;
                }
                if one_part(c) && c.score < one_part_floor {
                    continue;
                }
                if is_visible(c.slot) {
                    if out.is_empty() {
                        floor = c.score * prune;
                        one_part_floor = c.score * prune * ONE_PART_PRUNE;
                    }
                    out.push(c.slot);
                }
            }
            if out.len() == wanted || end == ranked.len() {
                return out;
            }
            start = end;
            end = (start + chunk).min(ranked.len());
            chunk *= 2;
            if end < ranked.len() {
                ranked[start..].select_nth_unstable_by(end - start - 1, rank_order);
            }
            ranked[start..end].sort_unstable_by(rank_order);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn joined_probes_cover_the_words_they_join() {
        let tokens: Vec<Token> = parts("Noor ud Din Turabi").iter().map(Token::new).collect();
        let covers: Vec<u32> = probes(std::iter::once(tokens.as_slice()))
            .iter()
            .map(|p| p.covers)
            .collect();
        // noor, ud, din, turabi; then the adjacent pairs; then "noor ud din" whole.
        assert_eq!(
            covers,
            [0b0001, 0b0010, 0b0100, 0b1000, 0b0011, 0b0110, 0b1100, 0b0111]
        );
    }

    proptest! {
        /// The radix sort groups postings by slot and keeps the walking order within a slot
        /// (the rarest list first), whatever the number of slots.
        #[test]
        fn radix_sort_is_a_stable_sort_by_slot(
            postings in prop::collection::vec((0u32..5_000_000, 0u32..64), 0..2_000),
        ) {
            let words: Vec<u64> = postings
                .iter()
                .map(|&(slot, list)| (u64::from(slot) << 32) | u64::from(list))
                .collect();
            let slots = postings.iter().map(|&(s, _)| s as usize + 1).max().unwrap_or(0);
            let mut scratch = Scratch {
                postings: words.clone(),
                sorted: Vec::new(),
            };
            scratch.sort_by_slot(slots);
            let mut expected = words;
            expected.sort_by_key(|w| w >> 32);
            prop_assert_eq!(scratch.postings, expected);
        }

        /// A gathered posting keeps its slot, list and date class apart.
        #[test]
        fn gathered_posting_packs_slot_date_class_and_list(
            query in prop::option::of((1900i16..2030, 0i16..5)),
            listed in prop::option::of((1900i16..2030, 0i16..5)),
        ) {
            let span = |y: Option<(i16, i16)>| y.map_or(NO_YEARS, |(from, width)| (from, from + width));
            let (query, listed) = (span(query), span(listed));
            let p = Posting { slot: 7, years: listed };
            let word = gathered(&p, query, 3);
            prop_assert_eq!(((word >> FACTOR_SHIFT) & 3) as usize, date_class(query, listed));
            prop_assert_eq!(word >> 32, 7);
            prop_assert_eq!(word & LIST_MASK, 3);
        }
    }
}
