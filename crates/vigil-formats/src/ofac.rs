//! The US OFAC SDN list (XML, `--format ofac-xml`): every `sdnEntry` of
//! `sdnType` Individual becomes a person draft; entities, vessels and
//! aircraft are skipped with a counted reason.
//!
//! Mapping decisions:
//! - `reference` is `OFAC-<uid>`: the uid is OFAC's own entry number, and
//!   the prefix keeps it apart from other lists imported by the same owner.
//!   A `Link{kind: "ofac_sdn", reference: uid}` carries the bare number.
//! - OFAC separates surname (`lastName`) from given names (`firstName`), so
//!   both the primary name and every aka get `given`/`family`; the full name
//!   is `firstName lastName`. aka category `strong` → `Alias`, `weak` →
//!   `WeakAlias`.
//! - Birth dates: `15 Jan 1970`, `Jan 1970`, `1970`; `A to B` → the
//!   narrowest partial date covering both ends (same day → exact, same month
//!   → year-month, same year → year, else a year range); `circa` → range
//!   year-1..year+1, because the model has no "approximately" flag.
//! - `idList`: idType `Gender` sets the gender; passports (also diplomatic),
//!   national ids, visas and residence numbers become documents of that
//!   kind with `idCountry` and `expirationDate`; other personal identifiers
//!   (tax ids, driving licences, birth certificates, C.U.R.P., …) become
//!   `DocumentKind::Other` with the type kept in `extra["ofac:documentType"]`;
//!   everything else (sanctions notes, e-mail, phone, digital currency
//!   addresses) goes to `extra["ofac:<idType>"]`.
//! - Programs → `extra["program"]`; topics `sanction`, plus `crime.terror`
//!   for the terrorism programmes (SDGT, SDT, FTO); category `Sanctioned`.
//!   `remarks` → notes; title → `extra["title"]`; addresses →
//!   `extra["address"]`.

use chrono::NaiveDate;
use vigil_core::{Category, Document, DocumentKind, Gender, Link, NameKind, PartialDate};

use crate::import::xml::{read_entries, Element};
use crate::import::{
    clean_text, document_kind, CountryNames, DraftBuilder, FormatError, ImportBatch, Position,
    Skipped,
};

/// Programmes that are about terrorism.
const TERRORISM_PROGRAMS: &[&str] = &["SDGT", "SDT", "FTO"];

/// Personal identifiers that are not travel or identity documents a border
/// officer sees, but still identify a person: kept as `DocumentKind::Other`.
const OTHER_DOCUMENTS: &[&str] = &[
    "Birth Certificate Number",
    "C.U.I.",
    "C.U.I.P.",
    "C.U.I.T.",
    "C.U.R.P.",
    "Cartilla de Servicio Militar Nacional",
    "Citizen's Card Number",
    "Credencial electoral",
    "Driver's License No.",
    "Electoral Registry No.",
    "I.F.E.",
    "Immigration No.",
    "Italian Fiscal Code",
    "Kenyan ID No.",
    "LE Number",
    "Military Registration Number",
    "NIT #",
    "National Foreign ID Number",
    "Numero de Identidad",
    "Pilot License Number",
    "R.F.C.",
    "RFC",
    "SSN",
    "Tax ID No.",
    "Travel Document Number",
];

/// Parses a whole SDN list.
pub fn parse(input: &[u8]) -> Result<ImportBatch, FormatError> {
    let mut batch = ImportBatch::default();
    let mut countries = CountryNames::default();
    read_entries(input, "sdnList", &["sdnEntry"], |entry, position| {
        let uid = entry.text_of("uid").unwrap_or("");
        match entry.text_of("sdnType") {
            Some("Individual") => individual(&entry, uid, position, &mut countries, &mut batch),
            other => batch.skipped.push(Skipped {
                reference: format!("OFAC-{uid}"),
                reason: format!(
                    "{} (non-person) records are not imported",
                    other.unwrap_or("untyped").to_lowercase()
                ),
                position,
            }),
        }
    })?;
    Ok(batch)
}

fn individual(
    el: &Element,
    uid: &str,
    position: Position,
    countries: &mut CountryNames,
    batch: &mut ImportBatch,
) {
    let reference = if uid.is_empty() {
        String::new()
    } else {
        format!("OFAC-{uid}")
    };
    let mut b = DraftBuilder::new(&reference, position);
    b.draft.category = Category::Sanctioned;
    b.add_topic("sanction");
    if !uid.is_empty() {
        b.draft.links.push(Link {
            kind: "ofac_sdn".into(),
            reference: uid.to_string(),
        });
    }
    person_name(el, NameKind::Primary, &mut b);
    for aka in el.all("akaList").flat_map(|l| l.all("aka")) {
        let kind = match aka.text_of("category") {
            Some("weak") => NameKind::WeakAlias,
            _ => NameKind::Alias,
        };
        person_name(aka, kind, &mut b);
    }
    for item in el
        .all("dateOfBirthList")
        .flat_map(|l| l.all("dateOfBirthItem"))
    {
        if let Some(text) = item.text_of("dateOfBirth") {
            match parse_date(text) {
                Some(date) => b.add_birth_date(date),
                None => b.dropped("birthDate", text, "is not a date"),
            }
        }
    }
    for item in el
        .all("placeOfBirthList")
        .flat_map(|l| l.all("placeOfBirthItem"))
    {
        if let Some(place) = item.text_of("placeOfBirth") {
            b.add_birth_place(place, "birthPlace");
        }
    }
    for (list, item, key) in [
        ("nationalityList", "nationality", "nationality"),
        ("citizenshipList", "citizenship", "citizenship"),
    ] {
        for country in el.all(list).flat_map(|l| l.all(item)) {
            if let Some(name) = country.text_of("country") {
                match countries.resolve(name) {
                    Some(code) => b.add_nationality(code),
                    None => b.dropped(key, &clean_text(name), "is not a known country"),
                }
            }
        }
    }
    for id in el.all("idList").flat_map(|l| l.all("id")) {
        identifier(id, &mut b, countries);
    }
    for program in el.all("programList").flat_map(|l| l.all("program")) {
        if let Some(p) = program.value() {
            b.extra("program", p);
            if TERRORISM_PROGRAMS.contains(&p) {
                b.add_topic("crime.terror");
            }
        }
    }
    if let Some(remarks) = el.text_of("remarks") {
        b.add_note(remarks, "notes");
    }
    if let Some(title) = el.text_of("title") {
        b.extra("title", &clean_text(title));
    }
    for address in el.all("addressList").flat_map(|l| l.all("address")) {
        let parts: Vec<String> = [
            "address1",
            "address2",
            "address3",
            "city",
            "stateOrProvince",
            "postalCode",
            "country",
        ]
        .iter()
        .filter_map(|f| address.text_of(f))
        .map(clean_text)
        .collect();
        b.extra("address", &parts.join(", "));
    }
    b.finish(batch);
}

/// Adds `firstName lastName` with its parts.
fn person_name(el: &Element, kind: NameKind, b: &mut DraftBuilder) {
    let first = el.text_of("firstName").map(clean_text);
    let last = el.text_of("lastName").map(clean_text);
    let full = [first.as_deref(), last.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    let key = if kind == NameKind::Primary {
        "name"
    } else {
        "alias"
    };
    if let Some(name) = b.add_name(&full, kind, key) {
        name.given = first;
        name.family = last;
    }
}

fn identifier(id: &Element, b: &mut DraftBuilder, countries: &mut CountryNames) {
    let Some(kind_label) = id.text_of("idType") else {
        return;
    };
    let number = id.text_of("idNumber").unwrap_or("");
    if kind_label == "Gender" {
        match number {
            "Male" => b.draft.gender = Some(Gender::Male),
            "Female" => b.draft.gender = Some(Gender::Female),
            other => b.dropped("gender", other, "is not a known gender"),
        }
        return;
    }
    let country_name = id.text_of("idCountry");
    let kind = document_kind(kind_label).or_else(|| {
        OTHER_DOCUMENTS
            .contains(&kind_label)
            .then_some(DocumentKind::Other)
    });
    let Some(kind) = kind else {
        let value = match country_name {
            Some(c) => format!("{number} ({c})"),
            None => number.to_string(),
        };
        let key = kind_label.trim_end_matches([':', '-', ' ']);
        b.extra(&format!("ofac:{key}"), &clean_text(&value));
        return;
    };
    let country = country_name.and_then(|c| {
        let found = countries.resolve(c);
        if found.is_none() {
            b.dropped("ofac:idCountry", &clean_text(c), "is not a known country");
        }
        found
    });
    let expiry = id.text_of("expirationDate").and_then(|text| {
        let found = NaiveDate::parse_from_str(text, "%d %b %Y").ok();
        if found.is_none() {
            b.dropped("ofac:expirationDate", text, "is not a date");
        }
        found
    });
    let added = b.add_document(
        Document {
            kind,
            number: number.to_string(),
            country,
            expiry,
            only_one: false,
        },
        "idNumber",
    );
    if added && (kind == DocumentKind::Other || kind_label.contains("Diplomatic")) {
        b.extra(
            "ofac:documentType",
            &format!("{}: {kind_label}", clean_text(number)),
        );
    }
    if let Some(issued) = id.text_of("issueDate") {
        b.extra(
            "ofac:issueDate",
            &format!("{}: {issued}", clean_text(number)),
        );
    }
}

/// OFAC birth dates: `15 Jan 1970`, `Jan 1970`, `1970`, `circa 1970`,
/// `1965 to 1970`, `01 Jan 1965 to 31 Dec 1970`.
pub fn parse_date(text: &str) -> Option<PartialDate> {
    let text = clean_text(text);
    if let Some(rest) = text.strip_prefix("circa ") {
        let (from, to) = single_date(rest)?.year_bounds();
        return range(from - 1, to + 1);
    }
    if let Some((a, b)) = text.split_once(" to ") {
        let (a, b) = (single_date(a)?, single_date(b)?);
        if a == b {
            return Some(a);
        }
        let ((from, _), (_, to)) = (a.year_bounds(), b.year_bounds());
        if from == to {
            return match (a.month(), b.month()) {
                (Some(m), Some(n)) if m == n => Some(PartialDate::YearMonth {
                    year: from,
                    month: m,
                }),
                _ => Some(PartialDate::Year(from)),
            };
        }
        return range(from, to);
    }
    single_date(&text)
}

fn range(from: i32, to: i32) -> Option<PartialDate> {
    PartialDate::parse(&format!("{from:04}..{to:04}")).ok()
}

fn single_date(text: &str) -> Option<PartialDate> {
    let parts: Vec<&str> = text.split_whitespace().collect();
    match parts.as_slice() {
        [year] => PartialDate::parse(year).ok(),
        [month, year] => {
            let month = month_number(month)?;
            PartialDate::parse(&format!("{year}-{month:02}")).ok()
        }
        [day, month, year] => {
            let month = month_number(month)?;
            let day: u32 = day.parse().ok()?;
            PartialDate::parse(&format!("{year}-{month:02}-{day:02}")).ok()
        }
        _ => None,
    }
}

fn month_number(text: &str) -> Option<u32> {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let index = MONTHS.iter().position(|m| m.eq_ignore_ascii_case(text))?;
    u32::try_from(index + 1).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_date_form() {
        for (text, expected) in [
            ("15 Jan 1970", "1970-01-15"),
            ("Jan 1970", "1970-01"),
            ("1970", "1970"),
            ("circa 1970", "1969..1971"),
            ("circa 15 Jul 1970", "1969..1971"),
            ("1965 to 1970", "1965..1970"),
            ("01 Jan 1965 to 31 Dec 1970", "1965..1970"),
            ("Mar 1970 to Mar 1970", "1970-03"),
            ("05 Mar 1970 to 05 Mar 1970", "1970-03-05"),
            ("Jan 1970 to Feb 1970", "1970"),
            ("01 Mar 1970 to 30 Mar 1970", "1970-03"),
        ] {
            assert_eq!(
                parse_date(text).map(|d| d.to_string()).as_deref(),
                Some(expected),
                "{text}"
            );
        }
        for bad in ["", "circa", "32 Jan 1970", "1970 to 1960", "Foo 1970", "to"] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }
}
