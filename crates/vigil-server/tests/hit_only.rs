//! Property test: an agency that gets a record hit-only learns that it
//! exists, whose it is, the reference to quote and the owner's instruction,
//! and nothing else, on every output path that describes the record. FRA
//! writes records with every field filled in, and each private value holds a
//! random marker. DEU screens a traveller that is sure to match, through
//! every screening interface, then reads back its hits, its manifest, the
//! export and the record. No marker may appear anywhere in what DEU gets,
//! and every object that describes the record must have exactly the
//! documented hit-only keys. As a control, FRA reading the same record and
//! hit does see the markers and the fields DEU is refused.

mod common;

use std::collections::BTreeSet;

use axum::http::StatusCode;
use common::{Harness, Reply};
use proptest::prelude::*;
use serde_json::{json, Value};
use vigil_core::access::HitOnlyView;
use vigil_core::{Access, AgencyCode, RecordId};

/// What hit-only disclosure lets out, key by key. This is the one place
/// the test writes it down; every check below takes its keys from here.
/// The source is `vigil_core::access`: [`HitOnlyView`] ("the fields
/// hit/no-hit disclosure allows, and nothing else") and `screener_view` (a
/// hit-only hit "adds the fields of HitOnlyView and nothing else"). The
/// outputs built on it add their own framing: `ScreenResult::HitOnly` in
/// vigil-service, `hit_only_entity` in vigil-formats and the yente result of
/// `/v1/match` in vigil-server.
mod documented {
    /// `vigil_core::access::HitOnlyView`.
    pub const VIEW: &[&str] = &["id", "owner", "reference", "disclosure", "instruction"];
    /// `ScreenResult::HitOnly` is the view plus these.
    pub const SCREEN_RESULT_ADDS: &[&str] = &["match", "hit_id"];
    /// `vigil_core::access::ScreenerHitView` of a hit-only hit whose record
    /// still exists: what the screener sent, the hit's bookkeeping and the
    /// view's fields. It has no score, no decision_note and no explanation.
    pub const SCREENER_HIT: &[&str] = &[
        "seq",
        "id",
        "record",
        "owner",
        "reference",
        "disclosure",
        "created_at",
        "status",
        "instruction",
        "traveller",
        "context",
    ];
    /// `vigil_formats::ftm::hit_only_entity`: a Person with no properties.
    pub const FTM_ENTITY: &[&str] = &[
        "id",
        "schema",
        "referents",
        "datasets",
        "properties",
        "vigil",
    ];
    /// Its `vigil` object.
    pub const FTM_VIGIL: &[&str] = &["id", "disclosure", "owner", "instruction"];
    /// A `/v1/match` result is the entity plus these: yente's model
    /// requires them, and for a hit-only record they are constants (the
    /// hit threshold for the score, nulls for the dates).
    pub const MATCH_ADDS: &[&str] = &[
        "caption",
        "score",
        "match",
        "vigil_id",
        "explanations",
        "target",
        "first_seen",
        "last_seen",
        "last_change",
    ];
    /// A `/v1/match` result's `explanations`: one feature.
    pub const MATCH_EXPLANATIONS: &[&str] = &["hit_only"];
    /// That feature, as yente's `FeatureResult`.
    pub const MATCH_FEATURE: &[&str] = &["score", "detail", "query", "candidate"];
    /// Record fields that a screener's own data never uses either. Any
    /// object that holds one of these keys, at any depth, is a leak.
    pub const RECORD_ONLY_KEYS: &[&str] = &[
        "category",
        "birth_dates",
        "birth_places",
        "notes",
        "links",
        "topics",
        "handling",
        "evaluation",
        "listed_on",
        "confirmed_on",
        "review_due",
        "extra",
        "policy",
        "explanation",
        "decision_note",
        "suppressed_by",
    ];

    pub fn keys(parts: &[&[&'static str]]) -> Vec<&'static str> {
        parts.iter().flat_map(|p| p.iter().copied()).collect()
    }
}

/// The constants above still describe the code they were taken from.
#[test]
fn the_documented_keys_are_those_of_vigil_core() {
    let view = HitOnlyView {
        id: RecordId::new(),
        owner: AgencyCode::parse("FRA").unwrap(),
        reference: "FR-1".into(),
        disclosure: Access::HitOnly,
        instruction: "Contact the owner agency FRA quoting reference FR-1.".into(),
    };
    assert_keys(
        "HitOnlyView",
        &serde_json::to_value(&view).unwrap(),
        documented::VIEW,
    );
    let entity = vigil_formats::ftm::hit_only_entity(&view);
    assert_keys("hit_only_entity", &entity, documented::FTM_ENTITY);
    assert_keys(
        "hit_only_entity.vigil",
        &entity["vigil"],
        documented::FTM_VIGIL,
    );
}

// ---------------------------------------------------------------------------
// Generated cases

/// Given and family names a traveller may carry (none contains "zq", the
/// markers' prefix).
const GIVEN: &[&str] = &[
    "Anna", "Karim", "Youssef", "Marta", "Ivan", "Leila", "Omar", "Sofia", "Tomas", "Nadia",
];
const FAMILY: &[&str] = &[
    "Eriksson", "Haddad", "Kowalski", "Benali", "Petrov", "Moreau", "Rahimi", "Novak",
];
const ARABIC: &str = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي";
const CYRILLIC: &str = "абвгдежзийклмнопрстуфхцчшщыэюя";
const INSTRUCTIONS: &[&str] = &[
    "Discreet check: do not alert the subject.",
    "Detain and call the duty officer.",
    "Report route and companions.",
];
/// Latin markers the draft uses (see `draft`).
const LATIN_MARKERS: usize = 19;

#[derive(Debug, Clone)]
struct Case {
    reference: String,
    given: &'static str,
    family: &'static str,
    male: bool,
    birth: (i32, u32, u32),
    /// The passport's issuer and the nationality DEU's traveller states.
    issuer: &'static str,
    nationality: &'static str,
    /// The record's second nationality and the second document's issuer:
    /// private.
    other_country: &'static str,
    document: String,
    expiry: (i32, u32, u32),
    /// `zq` and 8 random letters each, all different.
    latin: Vec<String>,
    arabic: [String; 2],
    cyrillic: [String; 2],
    partial_birth: (i32, u32),
    birth_range: i32,
    listed_on: (i32, u32, u32),
    confirmed_on: (i32, u32, u32),
    second_expiry: (i32, u32, u32),
    category: &'static str,
    visibility: Value,
    /// 0: disclosure hit_only; 1: full, but hit_only_for DEU; 2: both.
    hit_only_mode: u8,
    instruction: &'static str,
}

fn word(alphabet: &'static str) -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop::sample::select(alphabet.chars().collect::<Vec<_>>()),
        8,
    )
    .prop_map(String::from_iter)
}

fn date(years: std::ops::RangeInclusive<i32>) -> impl Strategy<Value = (i32, u32, u32)> {
    (years, 1u32..=12, 1u32..=28)
}

prop_compose! {
    fn person()(
        reference in "FR-[0-9]{4}-[0-9]{5}",
        given in prop::sample::select(GIVEN),
        family in prop::sample::select(FAMILY),
        male in any::<bool>(),
        birth in date(1960..=1999),
        issuer in prop::sample::select(vec!["UTO", "TUN"]),
        nationality in prop::sample::select(vec!["UTO", "TUN"]),
        other_country in prop::sample::select(vec!["SYR", "IRQ", "DZA", "RUS"]),
        document in "[A-Z]{2}[0-9]{7}",
        expiry in date(2030..=2035),
    ) -> (String, &'static str, &'static str, bool, (i32, u32, u32), &'static str, &'static str, &'static str, String, (i32, u32, u32)) {
        (reference, given, family, male, birth, issuer, nationality, other_country, document, expiry)
    }
}

prop_compose! {
    fn secrets()(
        latin in prop::collection::hash_set("[a-z]{8}", LATIN_MARKERS),
        arabic in (word(ARABIC), word(ARABIC)),
        cyrillic in (word(CYRILLIC), word(CYRILLIC)),
        partial_birth in (1930..=1950i32, 1u32..=12),
        birth_range in 1930..=1950i32,
        listed_on in date(2001..=2009),
        confirmed_on in date(2023..=2023),
        second_expiry in date(2040..=2049),
        category in prop::sample::select(vec!["foreign_terrorist_fighter", "suspect", "associate", "missing", "sanctioned"]),
    ) -> (Vec<String>, [String; 2], [String; 2], (i32, u32), i32, (i32, u32, u32), (i32, u32, u32), (i32, u32, u32), &'static str) {
        let latin = latin.into_iter().map(|m| format!("zq{m}")).collect();
        (latin, [arabic.0, arabic.1], [cyrillic.0, cyrillic.1], partial_birth, birth_range, listed_on, confirmed_on, second_expiry, category)
    }
}

fn case() -> impl Strategy<Value = Case> {
    let visibility = prop::sample::select(vec![
        json!("all"),
        json!({"except": ["ITA"]}),
        json!({"only": ["DEU"]}),
        json!({"only": ["ITA", "DEU"]}),
    ]);
    (
        person(),
        secrets(),
        visibility,
        0u8..3,
        prop::sample::select(INSTRUCTIONS),
    )
        .prop_map(|(p, s, visibility, hit_only_mode, instruction)| Case {
            reference: p.0,
            given: p.1,
            family: p.2,
            male: p.3,
            birth: p.4,
            issuer: p.5,
            nationality: p.6,
            other_country: p.7,
            document: p.8,
            expiry: p.9,
            latin: s.0,
            arabic: s.1,
            cyrillic: s.2,
            partial_birth: s.3,
            birth_range: s.4,
            listed_on: s.5,
            confirmed_on: s.6,
            second_expiry: s.7,
            category: s.8,
            visibility,
            hit_only_mode,
            instruction,
        })
}

fn ymd((y, m, d): (i32, u32, u32)) -> String {
    format!("{y:04}-{m:02}-{d:02}")
}

fn cap(s: &str) -> String {
    let mut chars = s.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

impl Case {
    fn m(&self, i: usize) -> &str {
        &self.latin[i]
    }

    fn gender(&self) -> &'static str {
        if self.male {
            "male"
        } else {
            "female"
        }
    }

    fn instruction(&self) -> String {
        format!(
            "{} Contact the owner agency FRA quoting reference {}.",
            self.instruction, self.reference
        )
    }

    /// FRA's record: every field filled in; every private value carries a
    /// marker. The primary name has a middle name DEU does not know.
    fn draft(&self) -> Value {
        let policy = match self.hit_only_mode {
            0 => {
                json!({"visibility": self.visibility, "disclosure": "hit_only", "instruction": self.instruction})
            }
            1 => {
                json!({"visibility": self.visibility, "disclosure": "full", "hit_only_for": ["DEU"], "instruction": self.instruction})
            }
            _ => {
                json!({"visibility": self.visibility, "disclosure": "hit_only", "hit_only_for": ["ITA", "DEU"], "instruction": self.instruction})
            }
        };
        let (py, pm) = self.partial_birth;
        json!({
            "reference": self.reference,
            "category": self.category,
            "names": [
                {"full": format!("{} {} {}", self.given, cap(self.m(0)), self.family),
                 "given": format!("{} {}", self.given, cap(self.m(0))), "family": self.family, "lang": "fr"},
                {"full": format!("{} {}", cap(self.m(1)), cap(self.m(2))),
                 "given": cap(self.m(1)), "family": cap(self.m(2)), "kind": "alias"},
                {"full": format!("Abu {}", cap(self.m(3))), "kind": "alias"},
                {"full": format!("Al-{}", cap(self.m(4))), "kind": "weak_alias"},
                {"full": cap(self.m(5)), "kind": "weak_alias"},
                {"full": format!("{} {}", self.arabic[0], self.arabic[1]), "kind": "original_script", "lang": "ar"},
                {"full": format!("{} {}", cap(&self.cyrillic[0]), cap(&self.cyrillic[1])), "kind": "original_script", "lang": "ru"},
            ],
            "gender": self.gender(),
            "birth_dates": [ymd(self.birth), format!("{py:04}-{pm:02}"), format!("{}..{}", self.birth_range, self.birth_range + 4)],
            "birth_places": [format!("{} (Aleppo)", cap(self.m(6))), format!("{}-sur-Mer", cap(self.m(7)))],
            "nationalities": [self.nationality, self.other_country],
            "documents": [
                {"kind": "passport", "number": self.document, "country": self.issuer, "expiry": ymd(self.expiry)},
                {"kind": "national_id", "number": self.m(8).to_uppercase(), "country": self.other_country, "expiry": ymd(self.second_expiry)},
            ],
            "notes": [format!("Seen with {} in Gaziantep.", self.m(9)), format!("Source: {}.", self.m(10))],
            "links": [
                {"kind": "interpol_notice", "reference": format!("A-{}/2019", self.m(11))},
                {"kind": format!("case_{}", self.m(12)), "reference": format!("https://example.org/{}", self.m(13))},
            ],
            "topics": ["crime.terror", format!("role.{}", self.m(14))],
            "handling": {"code": "H3", "text": format!("Not to be shared with {}.", self.m(15))},
            "evaluation": {"source": "B", "information": 2},
            "policy": policy,
            "listed_on": ymd(self.listed_on),
            "confirmed_on": ymd(self.confirmed_on),
            "extra": {
                "website": [format!("https://{}.example.org", self.m(16))],
                self.m(17): [format!("value {}", self.m(18))],
            },
        })
    }

    /// What DEU's officer types in: the primary name without its middle
    /// name, the exact birth date, the passport.
    fn traveller(&self) -> Value {
        json!({
            "names": [format!("{} {}", self.given, self.family)],
            "birth_date": ymd(self.birth),
            "nationalities": [self.nationality],
            "gender": self.gender(),
            "documents": [{"kind": "passport", "number": self.document, "country": self.issuer, "expiry": ymd(self.expiry)}],
        })
    }

    /// The same traveller as a yente query.
    fn ftm_query(&self) -> Value {
        json!({
            "schema": "Person",
            "properties": {
                "name": [format!("{} {}", self.given, self.family)],
                "birthDate": [ymd(self.birth)],
                "nationality": [self.nationality],
                "passportNumber": [self.document],
            },
        })
    }

    /// The same traveller's passport, as a TD3 machine-readable zone.
    fn mrz(&self) -> String {
        let cd = |s: &str| vigil_formats::mrz::check_digit(s).unwrap();
        let yymmdd = |(y, m, d): (i32, u32, u32)| format!("{:02}{m:02}{d:02}", y % 100);
        let name = format!(
            "{}<<{}",
            self.family.to_uppercase(),
            self.given.to_uppercase()
        );
        let line1 = format!("P<{}{name:<<39}", self.issuer);
        let number = format!("{:<<9}", self.document);
        let birth = yymmdd(self.birth);
        let expiry = yymmdd(self.expiry);
        let optional = "<".repeat(14);
        let first = format!("{number}{}", cd(&number));
        let birth = format!("{birth}{}", cd(&birth));
        let expiry = format!("{expiry}{}", cd(&expiry));
        let optional = format!("{optional}{}", cd(&optional));
        let composite = cd(&format!("{first}{birth}{expiry}{optional}"));
        let sex = if self.male { "M" } else { "F" };
        let line2 = format!(
            "{first}{}{birth}{sex}{expiry}{optional}{composite}",
            self.nationality
        );
        assert_eq!((line1.len(), line2.len()), (44, 44));
        format!("{line1}\n{line2}")
    }

    /// Every private value of the record, by where it sits: markers, found
    /// case-insensitively (the engine may fold case), and values that are
    /// not markers (dates, codes), found as the API writes them.
    fn secrets(&self) -> Vec<Secret> {
        let fuzzy = |field: &str, needle: &str| Secret {
            field: field.to_string(),
            needle: needle.to_lowercase(),
            fold_case: true,
        };
        let exact = |field: &str, needle: String| Secret {
            field: field.to_string(),
            needle,
            fold_case: false,
        };
        let latin_fields = [
            "names[0] (primary name's middle name)",
            "names[1].given (alias)",
            "names[1].family (alias)",
            "names[2] (alias)",
            "names[3] (weak alias)",
            "names[4] (weak alias)",
            "birth_places[0]",
            "birth_places[1]",
            "documents[1].number",
            "notes[0]",
            "notes[1]",
            "links[0].reference",
            "links[1].kind",
            "links[1].reference",
            "topics[1]",
            "handling.text",
            "extra.website",
            "extra (key)",
            "extra (value)",
        ];
        assert_eq!(latin_fields.len(), LATIN_MARKERS);
        let mut out: Vec<Secret> = latin_fields
            .iter()
            .zip(&self.latin)
            .map(|(f, m)| fuzzy(f, m))
            .collect();
        out.push(fuzzy("names[5] (Arabic)", &self.arabic[0]));
        out.push(fuzzy("names[5] (Arabic)", &self.arabic[1]));
        out.push(fuzzy("names[6] (Cyrillic)", &self.cyrillic[0]));
        out.push(fuzzy("names[6] (Cyrillic)", &self.cyrillic[1]));
        let (py, pm) = self.partial_birth;
        out.push(exact("birth_dates[1]", format!("\"{py:04}-{pm:02}\"")));
        out.push(exact(
            "birth_dates[2]",
            format!("{}..{}", self.birth_range, self.birth_range + 4),
        ));
        out.push(exact(
            "nationalities / documents[1].country",
            format!("\"{}\"", self.other_country),
        ));
        out.push(exact("documents[1].expiry", ymd(self.second_expiry)));
        out.push(exact("listed_on", ymd(self.listed_on)));
        out.push(exact("confirmed_on", ymd(self.confirmed_on)));
        out.push(exact("category", format!("\"{}\"", self.category)));
        out.push(exact("handling.code", "\"H3\"".into()));
        out.push(exact("topics[0]", "crime.terror".into()));
        out
    }
}

/// A private value of the record and where it sits in it.
struct Secret {
    field: String,
    needle: String,
    fold_case: bool,
}

fn found_in<'a>(secrets: &'a [Secret], body: &str) -> Vec<&'a str> {
    let folded = body.to_lowercase();
    secrets
        .iter()
        .filter(|s| {
            let text = if s.fold_case { &folded } else { body };
            text.contains(&s.needle)
        })
        .map(|s| s.field.as_str())
        .collect()
}

// ---------------------------------------------------------------------------
// Checks

fn assert_keys(what: &str, v: &Value, expected: &[&str]) {
    let got: BTreeSet<&str> = v
        .as_object()
        .unwrap_or_else(|| panic!("{what}: not an object: {v}"))
        .keys()
        .map(String::as_str)
        .collect();
    let want: BTreeSet<&str> = expected.iter().copied().collect();
    let extra: Vec<_> = got.difference(&want).collect();
    let missing: Vec<_> = want.difference(&got).collect();
    assert!(
        extra.is_empty() && missing.is_empty(),
        "{what}: keys beyond the documented hit-only ones: {extra:?}; missing: {missing:?}\n{v:#}"
    );
}

fn all_keys<'a>(v: &'a Value, out: &mut Vec<&'a str>) {
    match v {
        Value::Object(map) => {
            for (k, v) in map {
                out.push(k);
                all_keys(v, out);
            }
        }
        Value::Array(list) => list.iter().for_each(|v| all_keys(v, out)),
        _ => {}
    }
}

/// What the test knows of the record that DEU may be told.
struct Expected {
    id: String,
    reference: String,
    instruction: String,
}

impl Expected {
    fn view_values(&self, what: &str, v: &Value) {
        assert_eq!(v["id"], self.id.as_str(), "{what}.id");
        assert_eq!(v["owner"], "FRA", "{what}.owner");
        assert_eq!(v["reference"], self.reference.as_str(), "{what}.reference");
        assert_eq!(v["disclosure"], "hit_only", "{what}.disclosure");
        assert_eq!(
            v["instruction"],
            self.instruction.as_str(),
            "{what}.instruction"
        );
    }

    /// A `ScreenResult::HitOnly`.
    fn screen_result(&self, what: &str, v: &Value) -> String {
        assert_keys(
            what,
            v,
            &documented::keys(&[documented::VIEW, documented::SCREEN_RESULT_ADDS]),
        );
        self.view_values(what, v);
        assert_eq!(v["match"], true, "{what}.match");
        v["hit_id"]
            .as_str()
            .unwrap_or_else(|| panic!("{what}.hit_id"))
            .to_string()
    }

    /// A `ScreenerHitView` of a hit-only hit.
    fn screener_hit(&self, what: &str, v: &Value) {
        assert_keys(what, v, documented::SCREENER_HIT);
        assert_eq!(v["record"], self.id.as_str(), "{what}.record");
        assert_eq!(v["owner"], "FRA", "{what}.owner");
        assert_eq!(v["reference"], self.reference.as_str(), "{what}.reference");
        assert_eq!(v["disclosure"], "hit_only", "{what}.disclosure");
        assert_eq!(
            v["instruction"],
            self.instruction.as_str(),
            "{what}.instruction"
        );
    }

    /// A `hit_only_entity`, with the keys of `adds` on top.
    fn entity(&self, what: &str, v: &Value, adds: &[&'static str]) {
        assert_keys(what, v, &documented::keys(&[documented::FTM_ENTITY, adds]));
        assert_eq!(
            v["id"],
            format!("FRA-{}", self.reference).as_str(),
            "{what}.id"
        );
        assert_eq!(v["schema"], "Person", "{what}.schema");
        assert_eq!(v["referents"], json!([self.reference]), "{what}.referents");
        assert_eq!(v["datasets"], json!(["FRA"]), "{what}.datasets");
        assert_eq!(v["properties"], json!({}), "{what}.properties");
        let vigil = &v["vigil"];
        assert_keys(&format!("{what}.vigil"), vigil, documented::FTM_VIGIL);
        assert_eq!(vigil["id"], self.id.as_str(), "{what}.vigil.id");
        assert_eq!(vigil["owner"], "FRA", "{what}.vigil.owner");
        assert_eq!(vigil["disclosure"], "hit_only", "{what}.vigil.disclosure");
        assert_eq!(
            vigil["instruction"],
            self.instruction.as_str(),
            "{what}.vigil.instruction"
        );
    }
}

/// Every reply DEU gets: no private value of the record in its text, no
/// record-only key anywhere in it. Returns the body as text.
fn nothing_private(secrets: &[Secret], path: &str, r: &Reply) -> String {
    let body = String::from_utf8_lossy(&r.body).to_string();
    let leaked = found_in(secrets, &body);
    assert!(
        leaked.is_empty(),
        "LEAK on {path}: the hit-only party received {leaked:?}\n{body}"
    );
    let values: Vec<Value> = if path.contains("/v1/export") {
        body.lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    } else {
        vec![r.json()]
    };
    let mut keys = Vec::new();
    values.iter().for_each(|v| all_keys(v, &mut keys));
    let bad: Vec<_> = keys
        .iter()
        .filter(|k| documented::RECORD_ONLY_KEYS.contains(k))
        .collect();
    assert!(
        bad.is_empty(),
        "LEAK on {path}: record-only keys {bad:?}\n{body}"
    );
    body
}

fn ok(path: &str, r: &Reply, status: StatusCode) -> Value {
    assert_eq!(
        r.status,
        status,
        "{path}: {}",
        String::from_utf8_lossy(&r.body)
    );
    r.json()
}

async fn one_case(c: Case) {
    let h = Harness::new();
    let deu = h.token("DEU", "screener");
    let fra = h.token("FRA", "analyst");
    let id = h.create("FRA", c.draft()).await;
    let expect = Expected {
        id: id.clone(),
        reference: c.reference.clone(),
        instruction: c.instruction(),
    };
    let secrets = c.secrets();
    let mut hit_ids = Vec::new();

    // One traveller, as a form.
    let path = "POST /v1/screen";
    let body = json!({"traveller": c.traveller(), "context": {"border_post": "BER T1"}});
    let r = h
        .call("POST", "/v1/screen", Some(&deu), Some(&body.to_string()))
        .await;
    nothing_private(&secrets, path, &r);
    let v = ok(path, &r, StatusCode::OK);
    let results = v["results"].as_array().unwrap();
    assert_eq!((results.len(), v["hits"].as_u64()), (1, Some(1)), "{path}");
    hit_ids.push(expect.screen_result(&format!("{path} results[0]"), &results[0]));

    // The passport's MRZ.
    let path = "POST /v1/screen/mrz";
    let body = json!({"mrz": c.mrz(), "context": {"border_post": "BER T1"}});
    let r = h
        .call(
            "POST",
            "/v1/screen/mrz",
            Some(&deu),
            Some(&body.to_string()),
        )
        .await;
    nothing_private(&secrets, path, &r);
    let v = ok(path, &r, StatusCode::OK);
    assert_eq!(v["mrz"]["document_number"], c.document.as_str(), "{path}");
    let results = v["results"].as_array().unwrap();
    assert_eq!((results.len(), v["hits"].as_u64()), (1, Some(1)), "{path}");
    hit_ids.push(expect.screen_result(&format!("{path} results[0]"), &results[0]));

    // A yente query.
    let path = "POST /v1/match";
    let body = json!({"queries": {"q1": c.ftm_query()}});
    let r = h
        .call("POST", "/v1/match", Some(&deu), Some(&body.to_string()))
        .await;
    nothing_private(&secrets, path, &r);
    let v = ok(path, &r, StatusCode::OK);
    let results = v["responses"]["q1"]["results"].as_array().unwrap();
    assert_eq!(results.len(), 1, "{path}: {v:#}");
    let what = format!("{path} responses.q1.results[0]");
    let result = &results[0];
    expect.entity(&what, result, documented::MATCH_ADDS);
    assert_eq!(result["caption"], c.reference.as_str(), "{what}.caption");
    assert_eq!(result["score"], 0.8, "{what}.score");
    assert_eq!(result["match"], true, "{what}.match");
    assert_eq!(result["target"], true, "{what}.target");
    for key in ["first_seen", "last_seen", "last_change"] {
        assert_eq!(result[key], Value::Null, "{what}.{key}");
    }
    assert_eq!(result["vigil_id"], id.as_str(), "{what}.vigil_id");
    let explanations = &result["explanations"];
    assert_keys(
        &format!("{what}.explanations"),
        explanations,
        documented::MATCH_EXPLANATIONS,
    );
    let feature = &explanations["hit_only"];
    assert_keys(
        &format!("{what}.explanations.hit_only"),
        feature,
        documented::MATCH_FEATURE,
    );
    assert_eq!(feature["score"], 0.8);
    assert_eq!(
        feature["detail"],
        format!(
            "the owner discloses only that this record exists: {}",
            expect.instruction
        )
    );

    // A flight, as JSON, and the stored manifest.
    let path = "POST /v1/manifests";
    let body = json!({"travellers": [c.traveller()]});
    let r = h
        .call("POST", "/v1/manifests", Some(&deu), Some(&body.to_string()))
        .await;
    nothing_private(&secrets, path, &r);
    let v = ok(path, &r, StatusCode::CREATED);
    assert_eq!(v["hits"], 1, "{path}");
    let link = v["link"].as_str().unwrap().to_string();
    let path = "GET /v1/manifests/{id}";
    let r = h.call("GET", &link, Some(&deu), None).await;
    nothing_private(&secrets, path, &r);
    let v = ok(path, &r, StatusCode::OK);
    let results = v["results"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 1, "{path}: {v:#}");
    hit_ids.push(expect.screen_result(&format!("{path} results[0].results[0]"), &results[0]));

    // DEU's hits: the list, and each one.
    let path = "GET /v1/hits?side=screener";
    let r = h
        .call("GET", "/v1/hits?side=screener", Some(&deu), None)
        .await;
    nothing_private(&secrets, path, &r);
    let v = ok(path, &r, StatusCode::OK);
    let hits = v["hits"].as_array().unwrap();
    // The form, the MRZ, the yente query and the flight each raised one.
    assert_eq!(hits.len(), 4, "{path}: {v:#}");
    for (i, hit) in hits.iter().enumerate() {
        expect.screener_hit(&format!("{path} hits[{i}]"), hit);
    }
    let listed: Vec<String> = hits
        .iter()
        .map(|h| h["id"].as_str().unwrap().to_string())
        .collect();
    assert!(hit_ids.iter().all(|h| listed.contains(h)), "{path}");
    for hit in &listed {
        let path = "GET /v1/hits/{id}";
        let r = h
            .call("GET", &format!("/v1/hits/{hit}"), Some(&deu), None)
            .await;
        nothing_private(&secrets, path, &r);
        let v = ok(path, &r, StatusCode::OK);
        expect.screener_hit(path, &v);

        // Control: the owner sees the same hit with what DEU is refused,
        // the record's own name form among it.
        let owner = h
            .call("GET", &format!("/v1/hits/{hit}"), Some(&fra), None)
            .await;
        let v = ok("GET /v1/hits/{id} as the owner", &owner, StatusCode::OK);
        for key in ["score", "explanation", "screening_agency", "purpose"] {
            assert!(v.get(key).is_some(), "the owner's hit has {key}: {v:#}");
        }
        assert_eq!(v["disclosed"], "hit_only");
        let body = String::from_utf8_lossy(&owner.body);
        assert!(
            found_in(&secrets, &body).contains(&"names[0] (primary name's middle name)"),
            "the owner's hit explains the match with the record's name: {v:#}"
        );
    }

    // The export.
    let path = "GET /v1/export?format=ftm";
    let r = h
        .call("GET", "/v1/export?format=ftm", Some(&deu), None)
        .await;
    let body = nothing_private(&secrets, path, &r);
    assert_eq!(r.status, StatusCode::OK, "{path}");
    let lines: Vec<Value> = body
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    // A hit-only record is known only through a hit: never exported.
    assert_eq!(lines.len(), 0, "{path}: {body}");

    // The record, alone and in the list, and its history.
    let path = "GET /v1/records/{id}";
    let r = h
        .call("GET", &format!("/v1/records/{id}"), Some(&deu), None)
        .await;
    nothing_private(&secrets, path, &r);
    let v = ok(path, &r, StatusCode::OK);
    assert_keys(path, &v, documented::VIEW);
    expect.view_values(path, &v);
    let path = "GET /v1/records";
    let r = h.call("GET", "/v1/records", Some(&deu), None).await;
    nothing_private(&secrets, path, &r);
    let v = ok(path, &r, StatusCode::OK);
    // ... nor listed: the record's id, from a hit, is the way to it.
    let items = v["items"].as_array().unwrap();
    assert_eq!(items.len(), 0, "{path}: {v:#}");
    let path = "GET /v1/records/{id}/history";
    let r = h
        .call(
            "GET",
            &format!("/v1/records/{id}/history"),
            Some(&deu),
            None,
        )
        .await;
    nothing_private(&secrets, path, &r);
    // Refused (the record is visible to DEU, so not "absent"), and empty.
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{path}");

    // Control: the owner reads its record with every private value, so
    // the search above looks for what the API really writes.
    let r = h
        .call("GET", &format!("/v1/records/{id}"), Some(&fra), None)
        .await;
    ok("GET /v1/records/{id} as the owner", &r, StatusCode::OK);
    let body = String::from_utf8_lossy(&r.body);
    let found = found_in(&secrets, &body);
    let missed: Vec<&str> = secrets
        .iter()
        .map(|s| s.field.as_str())
        .filter(|f| !found.contains(f))
        .collect();
    assert!(
        missed.is_empty(),
        "the owner's record lacks {missed:?}: {body}"
    );
}

proptest! {
    // Each case drives the whole API: a few cases go a long way.
    #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]

    #[test]
    fn a_hit_only_party_gets_nothing_beyond_the_hit_only_fields(c in case()) {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(one_case(c));
    }
}
