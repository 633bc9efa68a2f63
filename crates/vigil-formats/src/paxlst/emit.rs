//! Writes a [`Manifest`] as a PAXLST interchange: one `UNH` message with
//! every leg and traveller, counts (`CNT`, `UNT`, `UNZ`) computed rather than
//! copied, and data escaped with the release character.
//!
//! Dates are written with two-digit years as PAXLST expects
//! (`DTM+329:YYMMDD`), and the `UNB` date carries the anchor
//! [`super::parse`] resolves them against: the manifest's `prepared_at`,
//! else the first departure time. A date the anchor would resolve to another
//! century (a 101-year-old passenger) is written with four digits instead
//! (format 102/203), so emitting never changes a date.

use chrono::{Datelike, NaiveDate, NaiveDateTime};

use super::message::{resolve, Century};
use super::{Delimiters, Manifest, ManifestKind, Role, Sex, Traveller};

/// Renders `manifest` with `delimiters`, announced in a leading `UNA`.
/// Empty references are written as `1`. Diagnostics are not emitted.
pub fn emit(manifest: &Manifest, delimiters: &Delimiters) -> String {
    let message_reference = or_one(&manifest.message_reference);
    let interchange_reference = or_one(&manifest.interchange.reference);
    let anchor = manifest
        .interchange
        .prepared_at
        .or_else(|| manifest.legs.iter().find_map(|l| l.departure_time));

    let mut body = Writer::new(delimiters, anchor.map(|t| t.date()));
    body.segment(
        "UNH",
        &[&[message_reference], &["PAXLST", "D", "05B", "UN", "IATA"]],
    );
    let document_code = match &manifest.kind {
        ManifestKind::PassengerList => "745",
        ManifestKind::CrewList => "250",
        ManifestKind::Other(code) => code,
    };
    body.segment("BGM", &[&[document_code]]);
    for leg in &manifest.legs {
        let carrier = leg.carrier.as_deref().unwrap_or("");
        body.segment("TDT", &[&["20"], &[&leg.flight], &[], &[], &[carrier]]);
        for (qualifier, airport, time_qualifier, time) in [
            ("125", &leg.departure_airport, "189", leg.departure_time),
            ("87", &leg.arrival_airport, "232", leg.arrival_time),
        ] {
            if let Some(airport) = airport {
                body.segment("LOC", &[&[qualifier], &[airport]]);
            }
            if let Some(time) = time {
                body.date_time(time_qualifier, time);
            }
        }
    }
    for traveller in &manifest.travellers {
        body.traveller(traveller);
    }
    let crew = manifest.crew().count();
    let passengers = manifest.travellers.len() - crew;
    if passengers > 0 || manifest.kind == ManifestKind::PassengerList {
        body.segment("CNT", &[&["42", &passengers.to_string()]]);
    }
    if crew > 0 || manifest.kind == ManifestKind::CrewList {
        body.segment("CNT", &[&["41", &crew.to_string()]]);
    }
    // UNT counts itself as well as everything from UNH on.
    let count = (body.segments + 1).to_string();
    body.segment("UNT", &[&[&count], &[message_reference]]);

    let mut out = Writer::new(delimiters, None);
    out.text.push_str(&delimiters.una());
    let (date, time) = anchor.map(date_and_time).unwrap_or_default();
    out.segment(
        "UNB",
        &[
            &[syntax_identifier(&body.text), "4"],
            &[&manifest.interchange.sender],
            &[&manifest.interchange.recipient],
            &[&date, &time],
            &[interchange_reference],
            &[],
            &["APIS"],
        ],
    );
    out.text.push_str(&body.text);
    out.segment("UNZ", &[&["1"], &[interchange_reference]]);
    out.text
}

fn or_one(reference: &str) -> &str {
    if reference.is_empty() {
        "1"
    } else {
        reference
    }
}

/// The UNB date and time; four-digit years outside the window that
/// two-digit UNB years are read in (1969-2068).
fn date_and_time(t: NaiveDateTime) -> (String, String) {
    let date = if (1969..=2068).contains(&t.year()) {
        t.format("%y%m%d")
    } else {
        t.format("%Y%m%d")
    };
    (date.to_string(), t.format("%H%M").to_string())
}

/// The narrowest character repertoire that holds the message: UNOA (upper
/// case), UNOB (ASCII) or UNOW (UTF-8).
fn syntax_identifier(text: &str) -> &'static str {
    if text.chars().all(|c| {
        c.is_ascii_uppercase() || c.is_ascii_digit() || " .,-()/='+:?!\"%&*;<>".contains(c)
    }) {
        "UNOA"
    } else if text.is_ascii() {
        "UNOB"
    } else {
        "UNOW"
    }
}

struct Writer<'d> {
    delimiters: &'d Delimiters,
    /// The date two-digit years will be resolved against when read back.
    anchor: Option<NaiveDate>,
    text: String,
    segments: usize,
}

impl<'d> Writer<'d> {
    fn new(delimiters: &'d Delimiters, anchor: Option<NaiveDate>) -> Self {
        Writer {
            delimiters,
            anchor,
            text: String::new(),
            segments: 0,
        }
    }

    /// Whether `YYMMDD` of `date` reads back as `date`.
    fn short_year_reads_back(&self, date: NaiveDate, century: Century) -> bool {
        resolve(
            date.year().rem_euclid(100),
            date.month(),
            date.day(),
            century,
            self.anchor,
        ) == Some(date)
    }

    fn date(&mut self, qualifier: &str, date: NaiveDate, century: Century) {
        if self.short_year_reads_back(date, century) {
            self.segment("DTM", &[&[qualifier, &date.format("%y%m%d").to_string()]]);
        } else {
            self.segment(
                "DTM",
                &[&[qualifier, &date.format("%Y%m%d").to_string(), "102"]],
            );
        }
    }

    fn date_time(&mut self, qualifier: &str, time: NaiveDateTime) {
        let (format, code) = if self.short_year_reads_back(time.date(), Century::Nearest) {
            ("%y%m%d%H%M", "201")
        } else {
            ("%Y%m%d%H%M", "203")
        };
        self.segment(
            "DTM",
            &[&[qualifier, &time.format(format).to_string(), code]],
        );
    }

    /// Writes one segment, dropping trailing empty elements and components
    /// as ISO 9735 asks.
    fn segment(&mut self, tag: &str, elements: &[&[&str]]) {
        let d = self.delimiters;
        let trim = |parts: &[&str]| {
            parts
                .iter()
                .rposition(|p| !p.is_empty())
                .map_or(0, |i| i + 1)
        };
        let used = elements
            .iter()
            .rposition(|e| trim(e) > 0)
            .map_or(0, |i| i + 1);
        self.text.push_str(tag);
        for element in &elements[..used] {
            self.text.push(d.element);
            for (i, component) in element[..trim(element)].iter().enumerate() {
                if i > 0 {
                    self.text.push(d.component);
                }
                self.text.push_str(&d.escape(component));
            }
        }
        self.text.push(d.terminator);
        self.segments += 1;
    }

    fn traveller(&mut self, t: &Traveller) {
        let qualifier = match t.role {
            Role::Passenger => "FL",
            Role::Crew => "FM",
            Role::TransitPassenger => "DDU",
            Role::TransitCrew => "DDT",
        };
        let mut name: Vec<&str> = vec![&t.surname];
        name.extend(t.given_names.iter().map(String::as_str));
        self.segment("NAD", &[&[qualifier], &[], &[], &name]);
        if let Some(sex) = t.sex {
            let value = match sex {
                Sex::Male => "M",
                Sex::Female => "F",
                Sex::Unspecified => "U",
            };
            self.segment("ATT", &[&["2"], &[], &[value]]);
        }
        if let Some(birth) = t.birth_date {
            self.date("329", birth, Century::Past);
        }
        for (qualifier, place) in [
            ("174", &t.residence),
            ("178", &t.embarkation),
            ("179", &t.debarkation),
            ("180", &t.birth_place),
        ] {
            if let Some(place) = place {
                self.segment("LOC", &[&[qualifier], &[place]]);
            }
        }
        if let Some(nationality) = &t.nationality {
            self.segment("NAT", &[&["2"], &[nationality]]);
        }
        for (qualifier, value) in [("AVF", &t.booking_reference), ("SEA", &t.seat)] {
            if let Some(value) = value {
                self.segment("RFF", &[&[qualifier, value]]);
            }
        }
        for reference in &t.other_references {
            self.segment("RFF", &[&[&reference.qualifier, &reference.value]]);
        }
        for doc in &t.documents {
            // 110:111 = IATA code list for document types, as airlines send it.
            self.segment("DOC", &[&[&doc.doc_type, "110", "111"], &[&doc.number]]);
            if let Some(expiry) = doc.expiry {
                self.date("36", expiry, Century::Nearest);
            }
            if let Some(country) = &doc.issuing_country {
                self.segment("LOC", &[&["91"], &[country]]);
            }
        }
    }
}
