//! The UN Security Council consolidated sanctions list (XML, `--format
//! un-xml`): every INDIVIDUAL becomes a person draft; ENTITY rows are
//! skipped with a counted reason.
//!
//! Mapping decisions:
//! - The primary name is FIRST_NAME..FOURTH_NAME joined with spaces. Given
//!   and family names are left empty on purpose: the four fields are name
//!   *positions*, not roles. DPRK entries put the family name first (`KIM` /
//!   `KYONG OK`), Arabic entries are patronymic chains (name, father,
//!   grandfather, tribe), so any split would be wrong for a large share of
//!   the list. The parts are kept in `extra` (`un:FIRST_NAME`, …).
//! - Alias quality `Good`, `a.k.a.`, `f.k.a.` or none → `Alias`; `Low` →
//!   `WeakAlias` (the UN marks nicknames and generic names as low quality).
//!   NAME_ORIGINAL_SCRIPT → `OriginalScript` with the detected script.
//! - Birth dates: EXACT with DATE → exact date, with YEAR → year; BETWEEN →
//!   year range; APPROXIMATELY a year → range year-1..year+1, because a bare
//!   year would claim a precision the list does not. A month named only in
//!   the NOTE (`Nov. 1973`, `Sep.` + YEAR) is read into a year-month. Dates
//!   given on aliases (alias identities) are birth dates too.
//! - Nationalities and document countries are English names, resolved with
//!   a small table of the spellings the UN uses; unknown names are kept in
//!   `extra["nationality"]` with a diagnostic.
//! - REFERENCE_NUMBER (`QDi.123`) → `reference` and a `Link{kind: "un_sc"}`;
//!   LISTED_ON → `listed_on`; COMMENTS1 → notes; UN_LIST_TYPE → `extra
//!   ["program"]`; TITLE → `extra["title"]`, DESIGNATION → `extra
//!   ["position"]`, addresses → `extra["address"]`; category `Sanctioned`,
//!   topics `sanction` (plus `crime.terror` on the ISIL/Al-Qaida list).

use chrono::NaiveDate;
use vigil_core::{Category, Document, DocumentKind, Gender, Link, NameKind, PartialDate};

use crate::import::xml::{read_entries, Element};
use crate::import::{
    clean_text, document_kind, CountryNames, DraftBuilder, FormatError, ImportBatch, Position,
    Skipped,
};

/// Why ENTITY rows are not imported (the same text for every one, so that
/// [`ImportBatch::skipped_counts`] counts them).
pub const ENTITY_SKIPPED: &str = "entity (non-person) records are not imported";

/// Parses a whole consolidated list.
pub fn parse(input: &[u8]) -> Result<ImportBatch, FormatError> {
    let mut batch = ImportBatch::default();
    let mut countries = CountryNames::default();
    read_entries(
        input,
        "CONSOLIDATED_LIST",
        &["INDIVIDUAL", "ENTITY"],
        |element, position| {
            if element.name == "INDIVIDUAL" {
                individual(&element, position, &mut countries, &mut batch);
            } else {
                batch.skipped.push(Skipped {
                    reference: element
                        .text_of("REFERENCE_NUMBER")
                        .unwrap_or("")
                        .to_string(),
                    reason: ENTITY_SKIPPED.to_string(),
                    position,
                });
            }
        },
    )?;
    Ok(batch)
}

fn individual(
    el: &Element,
    position: Position,
    countries: &mut CountryNames,
    batch: &mut ImportBatch,
) {
    let reference = el.text_of("REFERENCE_NUMBER").unwrap_or("");
    let mut b = DraftBuilder::new(reference, position);
    b.draft.category = Category::Sanctioned;
    b.add_topic("sanction");
    if !reference.is_empty() {
        b.draft.links.push(Link {
            kind: "un_sc".into(),
            reference: reference.to_string(),
        });
    }

    let parts: Vec<&str> = NAME_PARTS.iter().filter_map(|p| el.text_of(p)).collect();
    b.add_name(&parts.join(" "), NameKind::Primary, "name");
    if let Some(original) = el.text_of("NAME_ORIGINAL_SCRIPT") {
        b.add_name(original, NameKind::OriginalScript, "name");
    }
    for alias in el.all("INDIVIDUAL_ALIAS") {
        alias_entry(alias, &mut b);
    }

    for dob in el.all("INDIVIDUAL_DATE_OF_BIRTH") {
        birth_date(dob, &mut b);
    }
    for pob in el.all("INDIVIDUAL_PLACE_OF_BIRTH") {
        let place = join_fields(pob, &["STREET", "CITY", "STATE_PROVINCE", "COUNTRY"]);
        b.add_birth_place(&place, "birthPlace");
        if let Some(note) = pob.text_of("NOTE") {
            b.extra("un:birthPlaceNote", &clean_text(note));
        }
    }
    for value in values(el, "NATIONALITY") {
        nationality(value, &mut b, countries);
    }
    for doc in el.all("INDIVIDUAL_DOCUMENT") {
        document(doc, &mut b, countries);
    }
    match el.text_of("GENDER") {
        Some(g) if g.eq_ignore_ascii_case("male") => b.draft.gender = Some(Gender::Male),
        Some(g) if g.eq_ignore_ascii_case("female") => b.draft.gender = Some(Gender::Female),
        Some(g) => b.dropped("gender", g, "is not a known gender"),
        None => {}
    }
    if let Some(listed) = el.text_of("LISTED_ON") {
        // Some dates carry a time zone suffix (`2015-07-01-04:00`).
        let day = listed.get(..10).unwrap_or(listed);
        match NaiveDate::parse_from_str(day, "%Y-%m-%d") {
            Ok(d) => b.draft.listed_on = Some(d),
            Err(_) => b.dropped("un:LISTED_ON", listed, "is not a YYYY-MM-DD date"),
        }
    }
    if let Some(comments) = el.text_of("COMMENTS1") {
        b.add_note(comments, "notes");
    }
    if let Some(list) = el.text_of("UN_LIST_TYPE") {
        b.extra("program", list);
        if list == "Al-Qaida" {
            b.add_topic("crime.terror");
        }
    }
    for part in NAME_PARTS {
        if let Some(text) = el.text_of(part) {
            b.extra(&format!("un:{part}"), text);
        }
    }
    for value in values(el, "TITLE") {
        b.extra("title", &clean_text(value));
    }
    for value in values(el, "DESIGNATION") {
        b.extra("position", &clean_text(value));
    }
    for address in el.all("INDIVIDUAL_ADDRESS") {
        let text = join_fields(
            address,
            &[
                "STREET",
                "CITY",
                "STATE_PROVINCE",
                "ZIP_CODE",
                "COUNTRY",
                "NOTE",
            ],
        );
        b.extra("address", &text);
    }
    for child in &el.children {
        if HANDLED.contains(&child.name.as_str()) {
            continue;
        }
        // Whatever else the UN adds (DATAID, LAST_DAY_UPDATED, …) is kept.
        let key = format!("un:{}", child.name);
        if child.children.is_empty() {
            if let Some(v) = child.value() {
                b.extra(&key, &clean_text(v));
            }
        } else {
            for v in child.children.iter().filter_map(Element::value) {
                b.extra(&key, &clean_text(v));
            }
        }
    }
    b.finish(batch);
}

const NAME_PARTS: [&str; 4] = ["FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME"];

/// Children of INDIVIDUAL mapped above; everything else goes to `extra`.
const HANDLED: &[&str] = &[
    "REFERENCE_NUMBER",
    "FIRST_NAME",
    "SECOND_NAME",
    "THIRD_NAME",
    "FOURTH_NAME",
    "NAME_ORIGINAL_SCRIPT",
    "INDIVIDUAL_ALIAS",
    "INDIVIDUAL_DATE_OF_BIRTH",
    "INDIVIDUAL_PLACE_OF_BIRTH",
    "NATIONALITY",
    "INDIVIDUAL_DOCUMENT",
    "GENDER",
    "LISTED_ON",
    "COMMENTS1",
    "UN_LIST_TYPE",
    "TITLE",
    "DESIGNATION",
    "INDIVIDUAL_ADDRESS",
    "SORT_KEY",
    "SORT_KEY_LAST_MOD",
];

/// The non-empty VALUE children of a list-valued element.
fn values<'e>(el: &'e Element, name: &'e str) -> impl Iterator<Item = &'e str> {
    el.all(name)
        .flat_map(|c| c.all("VALUE"))
        .filter_map(Element::value)
}

fn join_fields(el: &Element, fields: &[&str]) -> String {
    let parts: Vec<String> = fields
        .iter()
        .filter_map(|f| el.text_of(f))
        .map(clean_text)
        .collect();
    parts.join(", ")
}

fn alias_entry(alias: &Element, b: &mut DraftBuilder) {
    if let Some(name) = alias.text_of("ALIAS_NAME") {
        let kind = match alias.text_of("QUALITY") {
            Some(q) if q.eq_ignore_ascii_case("low") => NameKind::WeakAlias,
            _ => NameKind::Alias,
        };
        b.add_name(name, kind, "alias");
        if let Some(note) = alias.text_of("NOTE") {
            b.extra(
                "un:aliasNote",
                &format!("{}: {}", clean_text(name), clean_text(note)),
            );
        }
    }
    if let Some(text) = alias.text_of("DATE_OF_BIRTH") {
        match alias_date(text) {
            Some(date) => b.add_birth_date(date),
            None if text == "null" => {}
            None => b.dropped("birthDate", text, "is not a date"),
        }
    }
    let place = join_fields(alias, &["CITY_OF_BIRTH", "COUNTRY_OF_BIRTH"]);
    b.add_birth_place(&place, "birthPlace");
}

/// Alias birth dates: `1969-01-01`, `1969`, `1965 - 1969`.
fn alias_date(text: &str) -> Option<PartialDate> {
    if let Some((from, to)) = text.split_once(" - ") {
        return PartialDate::parse(&format!("{}..{}", from.trim(), to.trim())).ok();
    }
    iso_date(text)
}

/// `YYYY-MM-DD`, `YYYY`, or a date with a time zone suffix as the 2020
/// list writes some (`1965-01-01-05:00`): the first ten characters count.
fn iso_date(text: &str) -> Option<PartialDate> {
    let text = text.trim();
    PartialDate::parse(text).ok().or_else(|| {
        text.get(..10)
            .filter(|_| text.len() > 10)
            .and_then(|d| PartialDate::parse(d).ok())
            .filter(|d| matches!(d, PartialDate::Exact(_)))
    })
}

fn birth_date(dob: &Element, b: &mut DraftBuilder) {
    let kind = dob.text_of("TYPE_OF_DATE").unwrap_or("");
    let note = dob.text_of("NOTE").map(clean_text);
    let year = dob.text_of("YEAR").and_then(|y| y.parse::<i32>().ok());
    let approximate = kind.eq_ignore_ascii_case("APPROXIMATELY");
    let date = if let Some(text) = dob.text_of("DATE") {
        let parsed = iso_date(text);
        if parsed.is_none() {
            b.dropped("birthDate", text, "is not a date");
        } else if text.trim().len() > 10 {
            b.repaired(format!(
                "birth date '{text}' read as its first ten characters"
            ));
        }
        parsed
    } else if let (Some(from), Some(to)) = (dob.text_of("FROM_YEAR"), dob.text_of("TO_YEAR")) {
        let parsed = PartialDate::parse(&format!("{from}..{to}")).ok();
        if parsed.is_none() {
            b.dropped("birthDate", &format!("{from}..{to}"), "is not a year range");
        }
        parsed
    } else if let Some(year) = year {
        let month = note.as_deref().and_then(single_month);
        let parsed = match month {
            Some(month) if !approximate => Some(PartialDate::YearMonth { year, month }),
            _ if approximate => PartialDate::parse(&format!("{}..{}", year - 1, year + 1)).ok(),
            _ => PartialDate::parse(&year.to_string()).ok(),
        };
        if parsed.is_none() {
            b.dropped("birthDate", &year.to_string(), "is not a plausible year");
        }
        parsed
    } else if let Some(note) = note.as_deref() {
        // Only a note: "Nov. 1973", "Between Aug. and Sep. 1977".
        let parsed = note_date(note);
        if parsed.is_some() {
            b.repaired(format!("birth date read from the note '{note}'"));
        }
        parsed
    } else {
        None
    };
    if let Some(date) = date {
        b.add_birth_date(date);
    }
    if let Some(note) = note {
        if date.is_none() {
            b.dropped("un:birthDateNote", &note, "is not a date");
        } else {
            b.extra("un:birthDateNote", &note);
        }
    }
}

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

/// The month named in a note, when exactly one is.
fn single_month(note: &str) -> Option<u32> {
    let mut found = note
        .split(|c: char| !c.is_alphabetic())
        .filter(|w| w.len() >= 3)
        .filter_map(|w| {
            let w = w.to_lowercase();
            MONTHS.iter().position(|m| w.starts_with(m))
        });
    let first = found.next()?;
    match found.next() {
        None => u32::try_from(first + 1).ok(),
        Some(_) => None,
    }
}

fn note_date(note: &str) -> Option<PartialDate> {
    let years: Vec<&str> = note
        .split(|c: char| !c.is_ascii_digit())
        .filter(|w| w.len() == 4)
        .collect();
    let [year] = years.as_slice() else {
        return None;
    };
    let year = PartialDate::parse(year).ok()?;
    match (single_month(note), year) {
        (Some(month), PartialDate::Year(year)) => Some(PartialDate::YearMonth { year, month }),
        _ => Some(year),
    }
}

fn nationality(value: &str, b: &mut DraftBuilder, countries: &mut CountryNames) {
    match countries.resolve(value) {
        Some(code) => b.add_nationality(code),
        None => b.dropped("nationality", &clean_text(value), "is not a known country"),
    }
}

fn document(doc: &Element, b: &mut DraftBuilder, countries: &mut CountryNames) {
    let label = doc.text_of("TYPE_OF_DOCUMENT").unwrap_or("");
    let kind = document_kind(label).unwrap_or(DocumentKind::Other);
    let country_name = doc
        .text_of("ISSUING_COUNTRY")
        .or_else(|| doc.text_of("COUNTRY_OF_ISSUE"));
    let country = country_name.and_then(|c| {
        let found = countries.resolve(c);
        if found.is_none() {
            b.dropped(
                "un:documentCountry",
                &clean_text(c),
                "is not a known country",
            );
        }
        found
    });
    let number = doc.text_of("NUMBER").unwrap_or("");
    let added = b.add_document(
        Document {
            kind,
            number: number.to_string(),
            country,
            expiry: None,
            only_one: false,
        },
        "idNumber",
    );
    // What the model has no field for (second type, issue date and city,
    // notes) is kept as one line per document.
    let details = join_fields(
        doc,
        &[
            "TYPE_OF_DOCUMENT",
            "TYPE_OF_DOCUMENT2",
            "DATE_OF_ISSUE",
            "CITY_OF_ISSUE",
            "NOTE",
        ],
    );
    if !added && !details.is_empty() && number.is_empty() {
        b.dropped("un:document", &details, "has no document number");
    } else if doc.text_of("TYPE_OF_DOCUMENT2").is_some()
        || doc.text_of("DATE_OF_ISSUE").is_some()
        || doc.text_of("CITY_OF_ISSUE").is_some()
        || doc.text_of("NOTE").is_some()
    {
        b.extra("un:document", &format!("{}: {details}", clean_text(number)));
    }
}
