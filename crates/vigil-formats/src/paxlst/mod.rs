//! UN/EDIFACT PAXLST passenger and crew lists (Advance Passenger
//! Information), parsed into a [`Manifest`] and emitted back to EDIFACT.
//!
//! Layout:
//! - `syntax`: the EDIFACT syntax layer (UNA, delimiters, release character,
//!   segments). Public so other EDIFACT messages can reuse it.
//! - `message`: what PAXLST segments mean: envelope checks, legs, travellers.
//! - `emit`: the reverse, used to send lists and to generate test flights.
//!
//! Real API data is dirty, and one bad record must not stop a border from
//! screening the other three hundred passengers. So [`parse`] (and
//! [`parse_bytes`], for input that may not be UTF-8) fails only when
//! the input is not EDIFACT text at all; everything else (count mismatches,
//! empty elements, unknown qualifiers, missing birth dates) becomes a
//! [`Diagnostic`] on the manifest, tied to the traveller where there is one.
//!
//! Two-digit years are resolved against the interchange's preparation date
//! (from `UNB`, else the first departure), not the clock: birth dates to the
//! latest year not after it, other dates to the nearest century.

mod emit;
mod message;
pub mod syntax;

use chrono::{NaiveDate, NaiveDateTime};
use serde::Serialize;

pub use emit::emit;
pub use syntax::Delimiters;

/// Input that cannot be read as EDIFACT at all. Positions are byte offsets
/// into the input; segment indices count segments after the `UNA`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PaxlstError {
    #[error("no EDIFACT segments in input")]
    Empty,
    #[error("UNA service string advice at byte {offset} is shorter than 9 characters")]
    TruncatedUna { offset: usize },
    #[error("UNA at byte {offset} declares delimiters that are not distinct punctuation")]
    AmbiguousDelimiters { offset: usize },
    #[error("control character {character:?} at byte {offset} (segment {segment_index}): not EDIFACT text")]
    ControlCharacter {
        segment_index: usize,
        offset: usize,
        character: char,
    },
    #[error("release character at end of input (byte {offset}, segment {segment_index})")]
    DanglingRelease { segment_index: usize, offset: usize },
    #[error("input does not start with an EDIFACT segment tag (byte {offset})")]
    NotEdifact { offset: usize },
}

/// The `UNB` interchange header.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Interchange {
    pub sender: String,
    pub recipient: String,
    /// Interchange control reference, repeated in `UNZ`.
    pub reference: String,
    pub prepared_at: Option<NaiveDateTime>,
}

/// What `BGM` says the list is.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ManifestKind {
    /// `BGM+745`.
    #[default]
    PassengerList,
    /// `BGM+250`.
    CrewList,
    /// Any other document code, kept verbatim.
    Other(String),
}

/// One flight leg (`TDT` with its `LOC`/`DTM` group).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Leg {
    /// Carrier code from `TDT` element 5, when sent.
    pub carrier: Option<String>,
    /// Flight identification, e.g. `XY123`.
    pub flight: String,
    pub departure_airport: Option<String>,
    pub departure_time: Option<NaiveDateTime>,
    pub arrival_airport: Option<String>,
    pub arrival_time: Option<NaiveDateTime>,
}

impl Leg {
    pub fn new(
        carrier: &str,
        flight: &str,
        departure: (&str, NaiveDateTime),
        arrival: (&str, NaiveDateTime),
    ) -> Leg {
        Leg {
            carrier: Some(carrier.to_owned()),
            flight: flight.to_owned(),
            departure_airport: Some(departure.0.to_owned()),
            departure_time: Some(departure.1),
            arrival_airport: Some(arrival.0.to_owned()),
            arrival_time: Some(arrival.1),
        }
    }
}

/// `NAD` party qualifier of a traveller.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// `FL`.
    #[default]
    Passenger,
    /// `FM`.
    Crew,
    /// `DDU`: passenger in transit.
    TransitPassenger,
    /// `DDT`: crew member in transit.
    TransitCrew,
}

impl Role {
    pub fn is_crew(self) -> bool {
        matches!(self, Role::Crew | Role::TransitCrew)
    }
}

/// `ATT+2` value. `U` and `X` both mean unspecified.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Sex {
    #[serde(rename = "M")]
    Male,
    #[serde(rename = "F")]
    Female,
    #[serde(rename = "U")]
    Unspecified,
}

/// A `DOC` group.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct TravelDocument {
    /// Document name code, e.g. `P` (passport), `V` (visa), `I` (ID card).
    pub doc_type: String,
    pub number: String,
    /// `DTM+36`.
    pub expiry: Option<NaiveDate>,
    /// `LOC+91`.
    pub issuing_country: Option<String>,
}

/// An `RFF` the manifest has no dedicated field for, e.g. `ABO` or `AEA`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Reference {
    pub qualifier: String,
    pub value: String,
}

/// A passenger or crew member. Data-quality findings about them are in
/// [`Manifest::diagnostics`], see [`Manifest::diagnostics_for`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Traveller {
    pub role: Role,
    pub surname: String,
    /// Given and middle names, in order.
    pub given_names: Vec<String>,
    pub sex: Option<Sex>,
    /// `DTM+329`.
    pub birth_date: Option<NaiveDate>,
    /// `NAT+2`.
    pub nationality: Option<String>,
    /// `LOC+174`.
    pub residence: Option<String>,
    /// `LOC+180`.
    pub birth_place: Option<String>,
    /// `LOC+178`.
    pub embarkation: Option<String>,
    /// `LOC+179`.
    pub debarkation: Option<String>,
    /// `RFF+AVF`.
    pub booking_reference: Option<String>,
    /// `RFF+SEA`.
    pub seat: Option<String>,
    pub documents: Vec<TravelDocument>,
    pub other_references: Vec<Reference>,
}

impl Traveller {
    /// A traveller with only a role and a name; set the other fields directly.
    pub fn new(role: Role, surname: &str, given_names: &[&str]) -> Traveller {
        Traveller {
            role,
            surname: surname.to_owned(),
            given_names: given_names.iter().map(|&g| g.to_owned()).collect(),
            ..Traveller::default()
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, strum::IntoStaticStr)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Severity {
    /// Incomplete or unusual, but the data that is there can be used.
    Warning,
    /// The message contradicts itself or a value is unusable.
    Error,
}

/// What a diagnostic is about, stable for filtering and statistics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, strum::IntoStaticStr)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
#[non_exhaustive]
pub enum DiagnosticCode {
    /// UNT, UNE, UNZ or CNT disagrees with what was counted.
    CountMismatch,
    /// UNT/UNE/UNZ reference differs from its header's.
    ReferenceMismatch,
    /// A required envelope segment (UNB, UNH, UNT, UNZ, ...) is missing.
    MissingEnvelope,
    /// A segment where it cannot belong, e.g. `DTM+36` with no `DOC` before it.
    UnexpectedSegment,
    /// A segment tag PAXLST does not use.
    UnknownSegment,
    /// A qualifier or code value this parser does not know.
    UnknownQualifier,
    /// A required element is present but empty (`DOC++`, `DTM+36:`).
    EmptyElement,
    InvalidDate,
    MissingName,
    MissingBirthDate,
    MissingDocument,
    /// Text that is not a segment: a bad tag, or data after the last terminator.
    MalformedSegment,
    /// The input was not UTF-8 and was decoded as ISO 8859-1.
    NotUtf8,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// Index of the segment in the interchange (0 = first after `UNA`).
    pub segment_index: usize,
    pub severity: Severity,
    pub code: DiagnosticCode,
    pub message: String,
    /// Index into [`Manifest::travellers`] when the finding is about one.
    pub traveller: Option<usize>,
}

/// A parsed interchange: the flight, its travellers, and what was wrong with it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Manifest {
    pub interchange: Interchange,
    /// The first message's `UNH` reference.
    pub message_reference: String,
    /// The first message's `BGM` code.
    pub kind: ManifestKind,
    /// Legs of all messages, without duplicates, in order of first appearance.
    pub legs: Vec<Leg>,
    /// Travellers of all messages, in order.
    pub travellers: Vec<Traveller>,
    pub diagnostics: Vec<Diagnostic>,
}

impl Manifest {
    /// An empty one-leg manifest ready for [`emit`]; the references are
    /// derived from the flight and can be overwritten.
    pub fn new_flight(kind: ManifestKind, leg: Leg, prepared_at: NaiveDateTime) -> Manifest {
        let reference = prepared_at.format("%y%m%d%H%M").to_string();
        Manifest {
            interchange: Interchange {
                sender: leg.carrier.clone().unwrap_or_default(),
                recipient: leg.arrival_airport.clone().unwrap_or_default(),
                reference: reference.clone(),
                prepared_at: Some(prepared_at),
            },
            message_reference: reference,
            kind,
            legs: vec![leg],
            travellers: Vec::new(),
            diagnostics: Vec::new(),
        }
    }

    /// Diagnostics about traveller `index`.
    pub fn diagnostics_for(&self, index: usize) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics
            .iter()
            .filter(move |d| d.traveller == Some(index))
    }

    pub fn passengers(&self) -> impl Iterator<Item = &Traveller> {
        self.travellers.iter().filter(|t| !t.role.is_crew())
    }

    pub fn crew(&self) -> impl Iterator<Item = &Traveller> {
        self.travellers.iter().filter(|t| t.role.is_crew())
    }
}

/// Parses a PAXLST interchange from bytes as received. Input that is not
/// UTF-8 is decoded as ISO 8859-1 (the UNOC repertoire airlines fall back
/// to), with the C1 control range, which is never text, replaced by U+FFFD;
/// a [`DiagnosticCode::NotUtf8`] warning says so.
pub fn parse_bytes(input: &[u8]) -> Result<Manifest, PaxlstError> {
    match std::str::from_utf8(input) {
        Ok(text) => parse(text),
        Err(_) => {
            let text: String = input
                .iter()
                .map(|&b| match b {
                    0x80..=0x9f => char::REPLACEMENT_CHARACTER,
                    _ => char::from(b),
                })
                .collect();
            let mut manifest = parse(&text)?;
            manifest.diagnostics.insert(
                0,
                Diagnostic {
                    segment_index: 0,
                    severity: Severity::Warning,
                    code: DiagnosticCode::NotUtf8,
                    message: "input is not UTF-8; decoded as ISO 8859-1".into(),
                    traveller: None,
                },
            );
            Ok(manifest)
        }
    }
}

/// Parses a PAXLST interchange. Errors only for input that cannot be
/// tokenised as EDIFACT; every other problem is a diagnostic on the result.
pub fn parse(input: &str) -> Result<Manifest, PaxlstError> {
    let tokens = syntax::tokenize(input)?;
    Ok(message::interpret(&tokens.segments))
}
