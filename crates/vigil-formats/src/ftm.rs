//! FollowTheMoney (FtM) entities as JSON lines, both ways: the exchange
//! format of OpenSanctions, Aleph and yente (see `domain.md` §6).
//!
//! Import ([`parse_lines`]) maps every `Person` property that has a place in
//! the model and keeps every other property in `draft.extra` under its FtM
//! name; values the model cannot hold (an unknown country code, a date that
//! is not a date) are kept there too, with a `Dropped` diagnostic. Export
//! ([`draft_to_entity`], [`record_to_entity`]) writes the model back and
//! then appends `extra`, so that `parse_lines(export(parse_lines(x)))` gives
//! the same drafts as `parse_lines(x)` (tested).
//!
//! Mapping decisions:
//! - The values of a property are a set, as in FtM: a value repeated in one
//!   property is read once, and `extra` holds each value once per key
//!   (export writes each value once, so a repeat would not survive the
//!   round trip).
//! - `name`: the first value in Latin script (or the first at all, if none
//!   is Latin) is the primary name; further values in a non-Latin script are
//!   `OriginalScript`, further Latin ones `Alias`. `alias` → `Alias`,
//!   `weakAlias` → `WeakAlias`. Identical names are kept once. Names are
//!   ordered primary, original script, alias, weak alias.
//! - `firstName`/`lastName` become `given`/`family` of the primary name
//!   when there is exactly one value; otherwise (and for `middleName`,
//!   `fatherName`, `secondName`, `motherName`) they stay in `extra`. Without
//!   any `name`, the primary name is built from the parts (a repair).
//! - `nationality` and `citizenship` both become nationalities (the model
//!   has one list); export writes them all as `nationality`.
//! - Dates are `YYYY`, `YYYY-MM`, `YYYY-MM-DD`; a timestamp is cut to its
//!   date (repair). Vigil's year ranges are not FtM: export writes every
//!   year of the range, and import does not accept the `1969..1973` form.
//! - Category comes from `topics`: `sanction*` → `Sanctioned`, `crime*` or
//!   `wanted` → `Suspect`, anything else → `Other` (calling someone a
//!   suspect because they appear in a dataset would be wrong). Export adds
//!   the topic that brings the category back (`sanction`, `crime.terror` for
//!   foreign terrorist fighters, `crime` for suspects) when it is missing.
//! - `passportNumber` → passport, `idNumber` → national id (FtM has no
//!   issuing country on these flat properties). Other document kinds are
//!   exported as `idNumber`.
//! - Other schemas of the FtM model (companies, vessels, sanctions, …) are
//!   skipped with a counted reason; a schema FtM does not have is a
//!   rejected row.
//! - Not exported: links, handling, evaluation, access policy, listing and
//!   confirmation dates (FtM `Person` has no place for them).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Map, Value};
use vigil_core::access::HitOnlyView;
use vigil_core::{
    AgencyCode, Category, CountryCode, Document, DocumentKind, Gender, NameKind, PartialDate,
    Record, RecordDraft, Script,
};

use crate::import::{clip, rejected, DraftBuilder, FormatError, ImportBatch, Position, Skipped};

/// FtM schemata other than `Person`, of FollowTheMoney 3 and 4: known, so
/// skipped rather than rejected.
const OTHER_SCHEMATA: &[&str] = &[
    "Address",
    "Airplane",
    "Analyzable",
    "Article",
    "Assessment",
    "Asset",
    "Associate",
    "Audio",
    "BankAccount",
    "Call",
    "CallForTenders",
    "Company",
    "Contract",
    "ContractAward",
    "CourtCase",
    "CourtCaseParty",
    "CryptoWallet",
    "Debt",
    "Directorship",
    "Document",
    "Documentation",
    "EconomicActivity",
    "Email",
    "Employment",
    "Event",
    "Family",
    "Folder",
    "HyperText",
    "Identification",
    "Image",
    "Interest",
    "Interval",
    "Land",
    "LegalEntity",
    "License",
    "Membership",
    "Mention",
    "Message",
    "Note",
    "Occupancy",
    "Organization",
    "Ownership",
    "Package",
    "Page",
    "Pages",
    "Passport",
    "Payment",
    "PlainText",
    "Position",
    "Project",
    "ProjectParticipant",
    "PublicBody",
    "RealEstate",
    "Representation",
    "Risk",
    "Sanction",
    "Security",
    "Similar",
    "Succession",
    "Table",
    "TaxRoll",
    "Thing",
    "Trip",
    "UnknownLink",
    "UserAccount",
    "Value",
    "Vehicle",
    "Vessel",
    "Video",
    "Workbook",
];

/// Whether `name` is a FollowTheMoney schema (`Person` or another).
pub fn is_schema(name: &str) -> bool {
    name == "Person" || OTHER_SCHEMATA.contains(&name)
}

/// Parses FtM JSON lines: one entity a line, blank lines ignored.
///
/// A line that is not a JSON entity is a rejected row; only a last line
/// cut off mid-JSON (no trailing newline) makes the whole file an error,
/// because that is what a truncated download looks like.
pub fn parse_lines(input: &str) -> Result<ImportBatch, FormatError> {
    let mut batch = ImportBatch::default();
    let pieces: Vec<&str> = input.split('\n').collect();
    let last = pieces.len().saturating_sub(1);
    for (i, raw) in pieces.iter().enumerate() {
        let line = raw.trim();
        if line.is_empty() {
            continue;
        }
        let position = Position::Line { line: i + 1 };
        let value: Value = match serde_json::from_str(line) {
            Ok(v) => v,
            Err(e) if i == last && e.is_eof() => {
                return Err(FormatError::Malformed {
                    position,
                    message: format!("the last line ends mid-JSON ({e}): the file is truncated"),
                });
            }
            Err(e) => {
                rejected(&mut batch, position, None, format!("not JSON: {e}"));
                continue;
            }
        };
        entity(&value, position, &mut batch);
    }
    Ok(batch)
}

fn entity(value: &Value, position: Position, batch: &mut ImportBatch) {
    let Some(object) = value.as_object() else {
        rejected(
            batch,
            position,
            None,
            "not an FtM entity: not a JSON object".into(),
        );
        return;
    };
    let id = object.get("id").and_then(Value::as_str).map(str::trim);
    let Some(id) = id.filter(|id| !id.is_empty()) else {
        rejected(batch, position, None, "not an FtM entity: no \"id\"".into());
        return;
    };
    let id = reference_of(id, object);
    let id = id.as_str();
    let reference = Some(id.to_string());
    let schema = object.get("schema").and_then(Value::as_str).unwrap_or("");
    if schema != "Person" {
        if OTHER_SCHEMATA.contains(&schema) {
            batch.skipped.push(Skipped {
                reference: id.to_string(),
                reason: format!("{schema} (non-person) entities are not imported"),
                position,
            });
        } else {
            let message = format!("unknown FtM schema '{}'", clip(schema));
            rejected(batch, position, reference, message);
        }
        return;
    }
    let empty = Map::new();
    let properties = match object.get("properties") {
        None => &empty,
        Some(Value::Object(p)) => p,
        Some(_) => {
            let message = "\"properties\" is not an object".to_string();
            rejected(batch, position, reference, message);
            return;
        }
    };
    let mut b = DraftBuilder::new(id, position);
    let mut values: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for (key, raw) in properties {
        let list = property_values(key, raw, &mut b);
        values.insert(key.as_str(), list);
    }
    person(&mut b, &mut values);
    // Distinct raw values can still meet in `extra` once cleaned (two
    // spellings of the same unusable name, say).
    for list in b.draft.extra.values_mut() {
        let mut seen = BTreeSet::new();
        list.retain(|value| seen.insert(value.clone()));
    }
    b.finish(batch);
}

/// The string values of one property. FtM writes lists of strings; a bare
/// string or a number is accepted with a repair note, anything else is
/// dropped with a diagnostic. A value repeated in the list is read once.
fn property_values(key: &str, raw: &Value, b: &mut DraftBuilder) -> Vec<String> {
    let items: Vec<&Value> = match raw {
        Value::Array(items) => items.iter().collect(),
        Value::Null => Vec::new(),
        single => {
            b.repaired(format!("property {key} is not a list; read as one value"));
            vec![single]
        }
    };
    let mut out = Vec::new();
    for item in items {
        match item {
            Value::String(s) => {
                if !s.trim().is_empty() && !out.contains(s) {
                    out.push(s.clone());
                }
            }
            Value::Number(_) | Value::Bool(_) => {
                b.repaired(format!("property {key}: value {item} read as a string"));
                let text = item.to_string();
                if !out.contains(&text) {
                    out.push(text);
                }
            }
            other => b.repaired(format!(
                "property {key}: value {} is not a string and was left out",
                clip(&other.to_string())
            )),
        }
    }
    out
}

fn person(b: &mut DraftBuilder, values: &mut BTreeMap<&str, Vec<String>>) {
    let mut take = |key: &str| values.remove(key).unwrap_or_default();
    let names = take("name");
    let aliases = take("alias");
    let weak = take("weakAlias");
    let first = take("firstName");
    let last = take("lastName");
    let birth_dates = take("birthDate");
    let birth_places = take("birthPlace");
    let nationalities = take("nationality");
    let citizenships = take("citizenship");
    let genders = take("gender");
    let passports = take("passportNumber");
    let ids = take("idNumber");
    let notes = take("notes");
    let topics = take("topics");

    add_names(b, &names, &first, &last, values);
    for alias in &aliases {
        b.add_name(alias, NameKind::Alias, "alias");
    }
    for alias in &weak {
        b.add_name(alias, NameKind::WeakAlias, "weakAlias");
    }
    // Primary, original script, alias, weak alias: the order export writes.
    b.draft.names.sort_by_key(|n| match n.kind {
        NameKind::Primary => 0,
        NameKind::OriginalScript => 1,
        NameKind::Alias => 2,
        NameKind::WeakAlias => 3,
    });

    for text in &birth_dates {
        birth_date(b, text);
    }
    for place in &birth_places {
        b.add_birth_place(place, "birthPlace");
    }
    for (key, list) in [
        ("nationality", &nationalities),
        ("citizenship", &citizenships),
    ] {
        for code in list {
            match parse_country(code) {
                Some(c) => b.add_nationality(c),
                None => b.dropped(key, code, "is not an ISO 3166 country code"),
            }
        }
    }
    for g in &genders {
        let gender = match g.trim().to_lowercase().as_str() {
            "male" => Some(Gender::Male),
            "female" => Some(Gender::Female),
            "other" => Some(Gender::Other),
            _ => None,
        };
        match (gender, b.draft.gender) {
            (Some(g), None) => b.draft.gender = Some(g),
            (Some(g), Some(had)) if g == had => {}
            (Some(_), Some(_)) => b.dropped("gender", g, "contradicts the first gender given"),
            (None, _) => b.dropped("gender", g, "is not male, female or other"),
        }
    }
    for (key, kind, list) in [
        ("passportNumber", DocumentKind::Passport, &passports),
        ("idNumber", DocumentKind::NationalId, &ids),
    ] {
        for number in list {
            let document = Document {
                kind,
                number: number.clone(),
                country: None,
                expiry: None,
                only_one: false,
            };
            b.add_document(document, key);
        }
    }
    for note in &notes {
        b.add_note(note, "notes");
    }
    for topic in &topics {
        b.add_topic(topic);
    }
    b.draft.category = category(&b.draft.topics);
    for (key, list) in std::mem::take(values) {
        for value in list {
            b.extra(key, &value);
        }
    }
}

fn add_names(
    b: &mut DraftBuilder,
    names: &[String],
    first: &[String],
    last: &[String],
    values: &BTreeMap<&str, Vec<String>>,
) {
    let latin = |s: &str| matches!(Script::detect(s), Some(Script::Latin) | None);
    let usable = |s: &str| s.chars().any(char::is_alphanumeric);
    let primary = names
        .iter()
        .position(|n| usable(n) && latin(n))
        .or_else(|| names.iter().position(|n| usable(n)));
    let single = |list: &[String]| match list {
        [one] => Some(one.trim().to_string()),
        _ => None,
    };
    let (given, family) = (single(first), single(last));
    match primary {
        Some(p) => {
            if let Some(name) = b.add_name(&names[p], NameKind::Primary, "name") {
                name.given = given.clone();
                name.family = family.clone();
            }
        }
        None => {
            // No usable name: build one from the parts, as FtM itself does.
            let part = |key: &str| values.get(key).and_then(|v| v.first()).cloned();
            let parts: Vec<String> = [
                first.first().cloned(),
                part("secondName"),
                part("middleName"),
                part("fatherName"),
                last.first().cloned(),
            ]
            .into_iter()
            .flatten()
            .collect();
            if !parts.is_empty() {
                let full = parts.join(" ");
                b.repaired(format!(
                    "no name; primary name '{full}' built from its parts"
                ));
                if let Some(name) = b.add_name(&full, NameKind::Primary, "name") {
                    name.given = given.clone();
                    name.family = family.clone();
                }
            }
        }
    }
    for (i, name) in names.iter().enumerate() {
        if Some(i) == primary {
            continue;
        }
        let kind = if latin(name) {
            NameKind::Alias
        } else {
            NameKind::OriginalScript
        };
        b.add_name(name, kind, "name");
    }
    // Name parts that did not become given/family are kept as they came.
    let placed = b
        .draft
        .names
        .iter()
        .any(|n| n.kind == NameKind::Primary && (n.given.is_some() || n.family.is_some()));
    for (key, list, used) in [
        ("firstName", first, given.is_some()),
        ("lastName", last, family.is_some()),
    ] {
        if !(placed && used) {
            for value in list {
                b.extra(key, value);
            }
        }
    }
}

fn birth_date(b: &mut DraftBuilder, text: &str) {
    let trimmed = text.trim();
    if trimmed.contains("..") {
        b.dropped("birthDate", text, "is not an FtM date");
        return;
    }
    if let Ok(date) = PartialDate::parse(trimmed) {
        b.add_birth_date(date);
        return;
    }
    // A timestamp ("1971-07-28T00:00:00"): its date part.
    let repaired = trimmed
        .get(..10)
        .filter(|_| trimmed.len() > 10 && trimmed.as_bytes().get(10) == Some(&b'T'))
        .and_then(|d| PartialDate::parse(d).ok());
    match repaired {
        Some(date) => {
            b.repaired(format!("birthDate '{}' read as {date}", clip(text)));
            b.add_birth_date(date);
        }
        None => b.dropped(
            "birthDate",
            text,
            "is not a date (YYYY, YYYY-MM or YYYY-MM-DD)",
        ),
    }
}

/// FtM country codes: ISO alpha-2 in lower case; alpha-3 is accepted too.
fn parse_country(code: &str) -> Option<CountryCode> {
    let code = code.trim();
    if code.len() < 2 {
        return None;
    }
    CountryCode::parse(code).ok()
}

fn category(topics: &[String]) -> Category {
    if topics.iter().any(|t| t.starts_with("sanction")) {
        Category::Sanctioned
    } else if topics
        .iter()
        .any(|t| t.starts_with("crime") || t == "wanted")
    {
        Category::Suspect
    } else {
        Category::Other
    }
}

/// A stored record as an FtM entity; the owner is its dataset. Two agencies
/// may use the same reference for different people, so the entity's id is
/// qualified by the owner ([`entity_id`]) and the owner's own reference is
/// kept as the entity's one referent, which import reads back.
pub fn record_to_entity(record: &Record) -> Value {
    let mut entity = draft_to_entity(&record.draft);
    if let Some(object) = entity.as_object_mut() {
        qualify(object, &record.owner, &record.draft.reference);
    }
    entity
}

/// Marks an exported entity as a copy received from a peer organisation:
/// `"origin": {"org", "owner", "id", "version", "received_at"}` beside the
/// FtM fields, so that whoever reads the export knows whose record it is
/// and where to ask about it.
pub fn set_origin(
    entity: &mut Value,
    org: &str,
    owner: &AgencyCode,
    id: &str,
    version: u32,
    received_at: &str,
) {
    if let Some(object) = entity.as_object_mut() {
        object.insert(
            "origin".into(),
            json!({"org": org, "owner": owner, "id": id, "version": version, "received_at": received_at}),
        );
    }
}

/// What a hit-only party may receive of a record, as an FtM entity: the
/// fields of the hit-only view and no property of the person.
pub fn hit_only_entity(view: &HitOnlyView) -> Value {
    let mut entity = json!({
        "schema": "Person",
        "properties": {},
        "vigil": {
            "id": view.id,
            "disclosure": view.disclosure,
            "owner": view.owner,
            "instruction": view.instruction,
        },
    });
    if let Some(object) = entity.as_object_mut() {
        qualify(object, &view.owner, &view.reference);
    }
    entity
}

/// The id of an owner's record in FtM exports: `OWNER-reference`. Agency
/// codes never contain `-`, so the owner is always the part before the
/// first one.
pub fn entity_id(owner: &AgencyCode, reference: &str) -> String {
    format!("{owner}-{reference}")
}

fn qualify(object: &mut Map<String, Value>, owner: &AgencyCode, reference: &str) {
    object.insert("id".into(), json!(entity_id(owner, reference)));
    object.insert("referents".into(), json!([reference]));
    object.insert("datasets".into(), json!([owner.as_str()]));
}

/// A record's FtM topics: its own, and the one its category stands for when
/// they do not already imply it.
pub fn topics(draft: &RecordDraft) -> Vec<String> {
    let mut out = draft.topics.clone();
    if category(&draft.topics) != draft.category {
        let topic = match draft.category {
            Category::Sanctioned => Some("sanction"),
            Category::ForeignTerroristFighter => Some("crime.terror"),
            Category::Suspect => Some("crime"),
            Category::Associate | Category::Missing | Category::Other => None,
        };
        out.extend(topic.map(str::to_string));
    }
    out
}

/// The owner's reference of an entity Vigil exported (`OWNER-reference`
/// with the reference as its referent); any other id is the reference
/// itself.
fn reference_of(id: &str, object: &Map<String, Value>) -> String {
    let referents = object.get("referents").and_then(Value::as_array);
    let exported = id.split_once('-').and_then(|(owner, rest)| {
        let ours = AgencyCode::parse(owner).is_ok_and(|code| code.as_str() == owner)
            && referents.is_some_and(|list| list.len() == 1 && list[0].as_str() == Some(rest));
        ours.then(|| rest.to_string())
    });
    exported.unwrap_or_else(|| id.to_string())
}

/// A draft as an FtM `Person` entity: `{"id", "schema", "properties"}`,
/// every property a list of strings.
pub fn draft_to_entity(draft: &RecordDraft) -> Value {
    let mut props: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut put = |key: &str, value: String| {
        let list = props.entry(key.to_string()).or_default();
        if !value.trim().is_empty() && !list.contains(&value) {
            list.push(value);
        }
    };
    for kind in [NameKind::Primary, NameKind::OriginalScript] {
        for name in draft.names.iter().filter(|n| n.kind == kind) {
            put("name", name.full.clone());
        }
    }
    for (kind, key) in [
        (NameKind::Alias, "alias"),
        (NameKind::WeakAlias, "weakAlias"),
    ] {
        for name in draft.names.iter().filter(|n| n.kind == kind) {
            put(key, name.full.clone());
        }
    }
    if let Some(primary) = draft.names.iter().find(|n| n.kind == NameKind::Primary) {
        if let Some(given) = &primary.given {
            put("firstName", given.clone());
        }
        if let Some(family) = &primary.family {
            put("lastName", family.clone());
        }
    }
    for date in &draft.birth_dates {
        match *date {
            PartialDate::YearRange { from, to } => {
                for year in from..=to {
                    put("birthDate", format!("{year:04}"));
                }
            }
            other => put("birthDate", other.to_string()),
        }
    }
    for place in &draft.birth_places {
        put("birthPlace", place.clone());
    }
    for country in &draft.nationalities {
        let code = country
            .alpha2_lower()
            .unwrap_or_else(|| country.as_str().to_ascii_lowercase());
        put("nationality", code);
    }
    if let Some(gender) = draft.gender {
        let text = match gender {
            Gender::Male => "male",
            Gender::Female => "female",
            Gender::Other => "other",
        };
        put("gender", text.to_string());
    }
    for document in &draft.documents {
        let key = match document.kind {
            DocumentKind::Passport => "passportNumber",
            _ => "idNumber",
        };
        put(key, document.number.clone());
    }
    for note in &draft.notes {
        put("notes", note.clone());
    }
    for topic in topics(draft) {
        put("topics", topic);
    }
    for (key, values) in &draft.extra {
        for value in values {
            put(key, value.clone());
        }
    }
    props.retain(|_, v| !v.is_empty());
    json!({
        "id": draft.reference,
        "schema": "Person",
        "properties": props,
    })
}
