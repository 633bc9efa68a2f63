//! What PAXLST segments mean: the envelope (UNB/UNG/UNH ... UNT/UNE/UNZ)
//! with its counts and references, the flight legs, and the travellers.
//!
//! The interpreter walks the segments once, keeping just enough state to know
//! which leg, traveller or document a `LOC` or `DTM` belongs to. PAXLST
//! decides that by qualifier as much as by position (`DTM+36` is always a
//! document's expiry, `DTM+189` always a departure), so the state is small.

use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime};

use super::syntax::Segment;
use super::{
    Diagnostic, DiagnosticCode, Leg, Manifest, ManifestKind, Reference, Role, Severity, Sex,
    TravelDocument, Traveller,
};

use DiagnosticCode as Code;
use Severity::{Error, Warning};

pub(super) fn interpret(segments: &[Segment]) -> Manifest {
    let mut state = State::default();
    for (index, segment) in segments.iter().enumerate() {
        state.segment(index, segment);
    }
    state.finish(segments.len().saturating_sub(1))
}

/// Segments PAXLST allows that carry nothing the manifest keeps.
const IGNORED_SEGMENTS: &[&str] = &[
    "COM", "CTA", "FTX", "EMP", "GEI", "MEA", "QTY", "SEQ", "GDS", "CPI", "ERC",
];

#[derive(Default)]
struct State {
    manifest: Manifest,
    /// Preparation date of the interchange: the anchor for two-digit years.
    reference_date: Option<NaiveDate>,
    seen_unb: bool,
    seen_unz: bool,
    seen_bgm: bool,
    messages: usize,
    groups: usize,
    group: Option<Group>,
    message: Option<Message>,
}

struct Group {
    reference: String,
    messages: usize,
}

#[derive(Default)]
struct Message {
    start: usize,
    reference: String,
    legs: Vec<Leg>,
    first_traveller: usize,
    in_travellers: bool,
    /// The open traveller: index into the manifest, and its `NAD` segment.
    traveller: Option<(usize, usize)>,
    birth_date_sent: bool,
    document_open: bool,
    /// `CNT` segments: (segment index, qualifier, count as sent).
    declared: Vec<(usize, String, String)>,
}

/// Which way to resolve a two-digit year.
#[derive(Clone, Copy)]
pub(super) enum Century {
    /// The latest date not after the reference (birth dates).
    Past,
    /// The date nearest the reference (expiry dates, flight times).
    Nearest,
}

impl State {
    fn diag(
        &mut self,
        segment_index: usize,
        severity: Severity,
        code: Code,
        message: String,
        traveller: Option<usize>,
    ) {
        self.manifest.diagnostics.push(Diagnostic {
            segment_index,
            severity,
            code,
            message,
            traveller,
        });
    }

    fn current_traveller(&self) -> Option<usize> {
        self.message.as_ref()?.traveller.map(|(t, _)| t)
    }

    /// A diagnostic about the open traveller, if there is one.
    fn finding(&mut self, index: usize, severity: Severity, code: Code, message: String) {
        let traveller = self.current_traveller();
        self.diag(index, severity, code, message, traveller);
    }

    fn segment(&mut self, index: usize, seg: &Segment) {
        if !seg.has_valid_tag() {
            let message = if seg.terminated {
                format!("segment with invalid tag {:?} ignored", truncate(&seg.tag))
            } else {
                format!(
                    "text after the last segment terminator ignored: {:?}",
                    truncate(&seg.tag)
                )
            };
            self.diag(index, Warning, Code::MalformedSegment, message, None);
            return;
        }
        if !seg.terminated {
            self.diag(
                index,
                Warning,
                Code::MalformedSegment,
                format!("{} segment has no terminator", seg.tag),
                None,
            );
        }
        match seg.tag.as_str() {
            "UNB" => self.unb(index, seg),
            "UNG" => self.ung(index, seg),
            "UNH" => self.unh(index, seg),
            "UNT" => self.unt(index, seg),
            "UNE" => self.une(index, seg),
            "UNZ" => self.unz(index, seg),
            _ => self.body(index, seg),
        }
    }

    fn unb(&mut self, index: usize, seg: &Segment) {
        if self.seen_unb {
            self.diag(
                index,
                Warning,
                Code::UnexpectedSegment,
                "second UNB in one input; its header is ignored".into(),
                None,
            );
            return;
        }
        self.seen_unb = true;
        let (date, time) = (seg.get(3, 0), seg.get(3, 1));
        let prepared_at = date_time(date, time, Century::Nearest, None);
        if prepared_at.is_none() && !date.is_empty() {
            self.diag(
                index,
                Warning,
                Code::InvalidDate,
                format!("UNB preparation date {date:?}:{time:?} is not a date"),
                None,
            );
        }
        self.reference_date = prepared_at.map(|t| t.date());
        self.manifest.interchange = super::Interchange {
            sender: seg.get(1, 0).to_owned(),
            recipient: seg.get(2, 0).to_owned(),
            reference: seg.get(4, 0).to_owned(),
            prepared_at,
        };
    }

    fn ung(&mut self, index: usize, seg: &Segment) {
        if self.group.is_some() {
            self.close_group(index, None);
        }
        self.groups += 1;
        self.group = Some(Group {
            reference: seg.get(4, 0).to_owned(),
            messages: 0,
        });
    }

    fn unh(&mut self, index: usize, seg: &Segment) {
        if self.message.is_some() {
            self.close_message(index, None);
        }
        self.open_message(index, seg.get(0, 0));
        let kind = seg.get(1, 0);
        if kind != "PAXLST" {
            self.diag(
                index,
                Warning,
                Code::UnknownQualifier,
                format!("message type is {kind:?}, expected PAXLST"),
                None,
            );
        }
    }

    fn open_message(&mut self, start: usize, reference: &str) {
        self.messages += 1;
        if let Some(group) = &mut self.group {
            group.messages += 1;
        }
        if self.manifest.message_reference.is_empty() {
            self.manifest.message_reference = reference.to_owned();
        }
        self.message = Some(Message {
            start,
            reference: reference.to_owned(),
            first_traveller: self.manifest.travellers.len(),
            ..Message::default()
        });
    }

    fn unt(&mut self, index: usize, seg: &Segment) {
        if self.message.is_none() {
            self.diag(
                index,
                Error,
                Code::UnexpectedSegment,
                "UNT without a UNH".into(),
                None,
            );
            return;
        }
        self.close_message(index, Some(seg));
    }

    /// Ends the open message at `index`: final traveller checks, CNT and UNT
    /// checks, and its legs merged into the manifest.
    fn close_message(&mut self, index: usize, unt: Option<&Segment>) {
        self.close_traveller();
        let Some(message) = self.message.take() else {
            return;
        };
        let travellers = &self.manifest.travellers[message.first_traveller..];
        let crew = travellers.iter().filter(|t| t.role.is_crew()).count();
        let passengers = travellers.len() - crew;
        for (at, qualifier, declared) in &message.declared {
            let (counted, what) = match qualifier.as_str() {
                "42" => (passengers, "passengers"),
                "41" => (crew, "crew members"),
                _ => continue,
            };
            if declared.parse::<usize>().ok() != Some(counted) {
                self.diag(
                    *at,
                    Error,
                    Code::CountMismatch,
                    format!(
                        "CNT+{qualifier} declares {declared:?} {what}, the message has {counted}"
                    ),
                    None,
                );
            }
        }
        match unt {
            Some(unt) => {
                let counted = index - message.start + 1;
                self.check_count(index, "UNT", unt.get(0, 0), counted, "segments");
                self.check_reference(index, "UNT", unt.get(1, 0), "UNH", &message.reference);
            }
            None => self.diag(
                index,
                Error,
                Code::MissingEnvelope,
                format!("message {:?} has no UNT", message.reference),
                None,
            ),
        }
        for leg in message.legs {
            if !self.manifest.legs.contains(&leg) {
                self.manifest.legs.push(leg);
            }
        }
    }

    fn check_count(&mut self, index: usize, tag: &str, declared: &str, counted: usize, what: &str) {
        if declared.parse::<usize>().ok() != Some(counted) {
            self.diag(
                index,
                Error,
                Code::CountMismatch,
                format!("{tag} declares {declared:?} {what}, counted {counted}"),
                None,
            );
        }
    }

    fn check_reference(
        &mut self,
        index: usize,
        tag: &str,
        found: &str,
        header: &str,
        expected: &str,
    ) {
        if found != expected {
            self.diag(
                index,
                Error,
                Code::ReferenceMismatch,
                format!("{tag} reference {found:?} differs from {header} reference {expected:?}"),
                None,
            );
        }
    }

    fn une(&mut self, index: usize, seg: &Segment) {
        if self.message.is_some() {
            self.close_message(index, None);
        }
        if self.group.is_none() {
            self.diag(
                index,
                Error,
                Code::UnexpectedSegment,
                "UNE without a UNG".into(),
                None,
            );
            return;
        }
        self.close_group(index, Some(seg));
    }

    fn close_group(&mut self, index: usize, une: Option<&Segment>) {
        let Some(group) = self.group.take() else {
            return;
        };
        match une {
            Some(une) => {
                self.check_count(index, "UNE", une.get(0, 0), group.messages, "messages");
                self.check_reference(index, "UNE", une.get(1, 0), "UNG", &group.reference);
            }
            None => self.diag(
                index,
                Error,
                Code::MissingEnvelope,
                format!("group {:?} has no UNE", group.reference),
                None,
            ),
        }
    }

    fn unz(&mut self, index: usize, seg: &Segment) {
        if self.message.is_some() {
            self.close_message(index, None);
        }
        if self.group.is_some() {
            self.close_group(index, None);
        }
        self.seen_unz = true;
        // UNZ counts groups when the interchange has them, messages otherwise.
        let (counted, what) = if self.groups > 0 {
            (self.groups, "groups")
        } else {
            (self.messages, "messages")
        };
        self.check_count(index, "UNZ", seg.get(0, 0), counted, what);
        let reference = self.manifest.interchange.reference.clone();
        self.check_reference(index, "UNZ", seg.get(1, 0), "UNB", &reference);
    }

    fn finish(mut self, last: usize) -> Manifest {
        if self.message.is_some() {
            self.close_message(last, None);
        }
        if self.group.is_some() {
            self.close_group(last, None);
        }
        if !self.seen_unb {
            self.diag(
                0,
                Warning,
                Code::MissingEnvelope,
                "no UNB interchange header".into(),
                None,
            );
        }
        if self.messages == 0 {
            self.diag(
                0,
                Error,
                Code::MissingEnvelope,
                "no UNH message".into(),
                None,
            );
        }
        if !self.seen_unz {
            self.diag(
                last,
                Warning,
                Code::MissingEnvelope,
                "no UNZ interchange trailer".into(),
                None,
            );
        }
        self.manifest
    }

    /// Segments inside a message.
    fn body(&mut self, index: usize, seg: &Segment) {
        if self.message.is_none() {
            self.diag(
                index,
                Error,
                Code::MissingEnvelope,
                format!(
                    "{} outside a UNH message; reading it as the start of one",
                    seg.tag
                ),
                None,
            );
            self.open_message(index, "");
        }
        match seg.tag.as_str() {
            "BGM" => self.bgm(index, seg),
            "TDT" => self.tdt(index, seg),
            "NAD" => self.nad(index, seg),
            "ATT" => self.att(index, seg),
            "DTM" => self.dtm(index, seg),
            "LOC" => self.loc(index, seg),
            "NAT" => self.nat(index, seg),
            "RFF" => self.rff(index, seg),
            "DOC" => self.doc(index, seg),
            "CNT" => self.cnt(index, seg),
            tag if IGNORED_SEGMENTS.contains(&tag) => {}
            tag => self.finding(
                index,
                Warning,
                Code::UnknownSegment,
                format!("{tag} is not a PAXLST segment; ignored"),
            ),
        }
    }

    fn bgm(&mut self, index: usize, seg: &Segment) {
        let kind = match seg.get(0, 0) {
            "745" => ManifestKind::PassengerList,
            "250" => ManifestKind::CrewList,
            "" => {
                self.diag(
                    index,
                    Warning,
                    Code::EmptyElement,
                    "BGM without a document code".into(),
                    None,
                );
                ManifestKind::Other(String::new())
            }
            other => {
                self.diag(
                    index,
                    Warning,
                    Code::UnknownQualifier,
                    format!(
                        "BGM document code {other:?} is neither 745 (passengers) nor 250 (crew)"
                    ),
                    None,
                );
                ManifestKind::Other(other.to_owned())
            }
        };
        if !self.seen_bgm {
            self.seen_bgm = true;
            self.manifest.kind = kind;
        }
    }

    fn tdt(&mut self, index: usize, seg: &Segment) {
        let Some(message) = &mut self.message else {
            return;
        };
        let after_travellers = message.in_travellers;
        message.legs.push(Leg {
            carrier: non_empty(seg.get(4, 0)),
            flight: seg.get(1, 0).to_owned(),
            ..Leg::default()
        });
        if after_travellers {
            self.diag(
                index,
                Warning,
                Code::UnexpectedSegment,
                "TDT after the travellers".into(),
                None,
            );
        }
        if seg.get(1, 0).is_empty() {
            self.diag(
                index,
                Warning,
                Code::EmptyElement,
                "TDT without a flight identification".into(),
                None,
            );
        }
        if seg.get(0, 0) != "20" {
            self.diag(
                index,
                Warning,
                Code::UnknownQualifier,
                format!(
                    "TDT stage qualifier {:?}, expected 20 (main carriage)",
                    seg.get(0, 0)
                ),
                None,
            );
        }
    }

    fn nad(&mut self, index: usize, seg: &Segment) {
        let role = match seg.get(0, 0) {
            "FL" => Role::Passenger,
            "FM" => Role::Crew,
            "DDU" => Role::TransitPassenger,
            "DDT" => Role::TransitCrew,
            // The reporting party, in the message header.
            "MS" => return,
            "" => {
                self.close_traveller();
                self.diag(
                    index,
                    Error,
                    Code::EmptyElement,
                    "NAD without a party qualifier; read as a passenger".into(),
                    Some(self.manifest.travellers.len()),
                );
                Role::Passenger
            }
            other => {
                self.finding(
                    index,
                    Warning,
                    Code::UnknownQualifier,
                    format!("NAD party qualifier {other:?} is not a traveller role; ignored"),
                );
                return;
            }
        };
        self.close_traveller();
        let traveller = self.manifest.travellers.len();
        let mut surname = seg.get(3, 0).to_owned();
        let given_names: Vec<String> = seg
            .elements
            .get(3)
            .map(|name| {
                name.iter()
                    .skip(1)
                    .map(|g| g.trim())
                    .filter(|g| !g.is_empty())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        if surname.is_empty() {
            // Some senders put the whole name in the party id or free-text elements.
            let free: Vec<&str> = seg
                .elements
                .iter()
                .skip(1)
                .take(2)
                .flatten()
                .map(|c| c.trim())
                .filter(|c| !c.is_empty())
                .collect();
            surname = free.join(" ");
            let (severity, message) = if surname.is_empty() {
                (Error, "traveller has no name".to_owned())
            } else {
                (
                    Warning,
                    format!("name {surname:?} sent as free text, not SURNAME:GIVEN"),
                )
            };
            self.diag(index, severity, Code::MissingName, message, Some(traveller));
        }
        self.manifest.travellers.push(Traveller {
            role,
            surname,
            given_names,
            ..Traveller::default()
        });
        if let Some(message) = &mut self.message {
            message.traveller = Some((traveller, index));
            message.in_travellers = true;
            message.birth_date_sent = false;
            message.document_open = false;
        }
    }

    /// Data-quality checks that need the whole traveller.
    fn close_traveller(&mut self) {
        let Some(message) = &mut self.message else {
            return;
        };
        let Some((traveller, at)) = message.traveller.take() else {
            return;
        };
        message.document_open = false;
        let birth_date_sent = message.birth_date_sent;
        if !birth_date_sent {
            self.diag(
                at,
                Warning,
                Code::MissingBirthDate,
                "no birth date (DTM+329)".into(),
                Some(traveller),
            );
        }
        if self
            .manifest
            .travellers
            .get(traveller)
            .is_some_and(|t| t.documents.is_empty())
        {
            self.diag(
                at,
                Warning,
                Code::MissingDocument,
                "no travel document (DOC)".into(),
                Some(traveller),
            );
        }
    }

    /// The open traveller, or a diagnostic saying `tag` has none.
    fn traveller_for(&mut self, index: usize, tag: &str) -> Option<usize> {
        let traveller = self.current_traveller();
        if traveller.is_none() {
            self.diag(
                index,
                Warning,
                Code::UnexpectedSegment,
                format!("{tag} outside a traveller (no NAD before it); ignored"),
                None,
            );
        }
        traveller
    }

    fn att(&mut self, index: usize, seg: &Segment) {
        let Some(t) = self.traveller_for(index, "ATT") else {
            return;
        };
        if seg.get(0, 0) != "2" {
            let message = format!("ATT qualifier {:?} is not 2 (sex); ignored", seg.get(0, 0));
            self.finding(index, Warning, Code::UnknownQualifier, message);
            return;
        }
        let sex = match seg.get(2, 0) {
            "M" => Sex::Male,
            "F" => Sex::Female,
            "U" | "X" => Sex::Unspecified,
            "" => {
                self.finding(
                    index,
                    Warning,
                    Code::EmptyElement,
                    "ATT+2 without a value".into(),
                );
                return;
            }
            other => {
                let message = format!("sex {other:?} is not M, F, U or X");
                self.finding(index, Warning, Code::UnknownQualifier, message);
                return;
            }
        };
        self.manifest.travellers[t].sex = Some(sex);
    }

    fn dtm(&mut self, index: usize, seg: &Segment) {
        let (qualifier, value) = (seg.get(0, 0), seg.get(0, 1));
        let reference = self.reference_date;
        match qualifier {
            "189" | "232" => {
                let leg = self
                    .message
                    .as_mut()
                    .filter(|m| !m.in_travellers)
                    .and_then(|m| m.legs.last_mut());
                let Some(leg) = leg else {
                    let message = format!("DTM+{qualifier} outside a flight leg (TDT); ignored");
                    self.finding(index, Warning, Code::UnexpectedSegment, message);
                    return;
                };
                let time = split_date_time(value)
                    .and_then(|(d, t)| date_time(d, t, Century::Nearest, reference));
                if qualifier == "189" {
                    leg.departure_time = time;
                    // Without a UNB date, the first departure anchors two-digit years.
                    if self.reference_date.is_none() {
                        self.reference_date = time.map(|t| t.date());
                    }
                } else {
                    leg.arrival_time = time;
                }
                if time.is_none() {
                    self.bad_date(index, qualifier, value);
                }
            }
            "329" => {
                let Some(t) = self.traveller_for(index, "DTM+329") else {
                    return;
                };
                if let Some(message) = &mut self.message {
                    message.birth_date_sent = true;
                }
                let date = date_time(value, "", Century::Past, reference).map(|d| d.date());
                self.manifest.travellers[t].birth_date = date;
                if date.is_none() {
                    self.bad_date(index, qualifier, value);
                }
            }
            "36" => {
                let Some(doc) = self.open_document(index, "DTM+36") else {
                    return;
                };
                let date = date_time(value, "", Century::Nearest, reference).map(|d| d.date());
                doc.expiry = date;
                if date.is_none() {
                    self.bad_date(index, qualifier, value);
                }
            }
            // Document issue date: valid PAXLST, not kept.
            "182" => {}
            "" => self.finding(
                index,
                Warning,
                Code::EmptyElement,
                "DTM without a qualifier".into(),
            ),
            other => {
                let message = format!("DTM qualifier {other:?} is not used in PAXLST; ignored");
                self.finding(index, Warning, Code::UnknownQualifier, message);
            }
        }
    }

    fn bad_date(&mut self, index: usize, qualifier: &str, value: &str) {
        if value.is_empty() {
            let message = format!("DTM+{qualifier} has no date");
            self.finding(index, Warning, Code::EmptyElement, message);
        } else {
            let message = format!("DTM+{qualifier} value {value:?} is not a date");
            self.finding(index, Error, Code::InvalidDate, message);
        }
    }

    /// The open traveller's current document, or a diagnostic saying `what` has none.
    fn open_document(&mut self, index: usize, what: &str) -> Option<&mut TravelDocument> {
        let open = self.message.as_ref().is_some_and(|m| m.document_open);
        let traveller = self.current_traveller();
        match traveller {
            Some(t) if open => self.manifest.travellers.get_mut(t)?.documents.last_mut(),
            _ => {
                let message = format!("{what} outside a document (no DOC before it); ignored");
                self.finding(index, Warning, Code::UnexpectedSegment, message);
                None
            }
        }
    }

    fn loc(&mut self, index: usize, seg: &Segment) {
        let qualifier = seg.get(0, 0);
        // Free-text place names go in component 4 when there is no code.
        let place = match seg.get(1, 0) {
            "" => seg.get(1, 3),
            code => code,
        };
        let place = non_empty(place);
        if place.is_none() {
            let message = format!("LOC+{qualifier} has no place");
            self.finding(index, Warning, Code::EmptyElement, message);
        }
        if let Some(t) = self.current_traveller() {
            match qualifier {
                "91" => {
                    if let Some(doc) = self.open_document(index, "LOC+91") {
                        doc.issuing_country = place;
                    }
                }
                // Place of clearance: valid PAXLST, not kept.
                "22" => {}
                _ => match traveller_place(&mut self.manifest.travellers[t], qualifier) {
                    Some(field) => *field = place,
                    None => {
                        let message = format!(
                            "LOC qualifier {qualifier:?} is not used for travellers; ignored"
                        );
                        self.finding(index, Warning, Code::UnknownQualifier, message);
                    }
                },
            }
            return;
        }
        let leg = self
            .message
            .as_mut()
            .filter(|m| !m.in_travellers)
            .and_then(|m| m.legs.last_mut());
        let Some(leg) = leg else {
            let message = format!("LOC+{qualifier} outside a flight leg or traveller; ignored");
            self.diag(index, Warning, Code::UnexpectedSegment, message, None);
            return;
        };
        match qualifier {
            "125" => leg.departure_airport = place,
            "87" => leg.arrival_airport = place,
            // Routing: the first LOC+92 of a leg is where it leaves, the next where it lands.
            "92" if leg.departure_airport.is_none() => leg.departure_airport = place,
            "92" => leg.arrival_airport = place,
            "22" => {}
            other => {
                let message =
                    format!("LOC qualifier {other:?} is not used for flight legs; ignored");
                self.diag(index, Warning, Code::UnknownQualifier, message, None);
            }
        }
    }

    fn nat(&mut self, index: usize, seg: &Segment) {
        let Some(t) = self.traveller_for(index, "NAT") else {
            return;
        };
        if seg.get(0, 0) != "2" {
            let message = format!(
                "NAT qualifier {:?} is not 2 (current nationality); ignored",
                seg.get(0, 0)
            );
            self.finding(index, Warning, Code::UnknownQualifier, message);
            return;
        }
        let nationality = non_empty(seg.get(1, 0));
        if nationality.is_none() {
            self.finding(
                index,
                Warning,
                Code::EmptyElement,
                "NAT+2 without a country".into(),
            );
        }
        self.manifest.travellers[t].nationality = nationality;
    }

    fn rff(&mut self, index: usize, seg: &Segment) {
        // Header references (RFF+TN transaction number) are not kept.
        let Some(t) = self.current_traveller() else {
            return;
        };
        let (qualifier, value) = (seg.get(0, 0), seg.get(0, 1));
        if qualifier.is_empty() || value.is_empty() {
            self.finding(
                index,
                Warning,
                Code::EmptyElement,
                format!("RFF+{qualifier} is empty"),
            );
            return;
        }
        let traveller = &mut self.manifest.travellers[t];
        match qualifier {
            "AVF" => traveller.booking_reference = Some(value.to_owned()),
            "SEA" => traveller.seat = Some(value.to_owned()),
            _ => traveller.other_references.push(Reference {
                qualifier: qualifier.to_owned(),
                value: value.to_owned(),
            }),
        }
    }

    fn doc(&mut self, index: usize, seg: &Segment) {
        let Some(t) = self.traveller_for(index, "DOC") else {
            return;
        };
        let (doc_type, number) = (seg.get(0, 0), seg.get(1, 0));
        if number.is_empty() {
            let message = format!("DOC+{doc_type} has no document number");
            self.finding(index, Error, Code::EmptyElement, message);
        } else if doc_type.is_empty() {
            self.finding(
                index,
                Warning,
                Code::EmptyElement,
                "DOC has no document type".into(),
            );
        }
        self.manifest.travellers[t].documents.push(TravelDocument {
            doc_type: doc_type.to_owned(),
            number: number.to_owned(),
            ..TravelDocument::default()
        });
        if let Some(message) = &mut self.message {
            message.document_open = true;
        }
    }

    fn cnt(&mut self, index: usize, seg: &Segment) {
        self.close_traveller();
        let qualifier = seg.get(0, 0).to_owned();
        // `CNT+41+8` (count as its own element) is a common error; read it too.
        let count = match seg.get(0, 1) {
            "" => seg.get(1, 0),
            count => count,
        }
        .to_owned();
        if !matches!(qualifier.as_str(), "41" | "42") {
            let message =
                format!("CNT qualifier {qualifier:?} is neither 42 (passengers) nor 41 (crew)");
            self.diag(index, Warning, Code::UnknownQualifier, message, None);
        }
        if let Some(message) = &mut self.message {
            message.declared.push((index, qualifier, count));
        }
    }
}

/// The traveller field a `LOC` qualifier fills.
fn traveller_place<'a>(
    traveller: &'a mut Traveller,
    qualifier: &str,
) -> Option<&'a mut Option<String>> {
    match qualifier {
        "178" => Some(&mut traveller.embarkation),
        "179" => Some(&mut traveller.debarkation),
        "174" => Some(&mut traveller.residence),
        "180" => Some(&mut traveller.birth_place),
        _ => None,
    }
}

fn non_empty(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| s.to_owned())
}

/// At most 40 characters of untrusted text, for messages.
fn truncate(s: &str) -> String {
    s.chars().take(40).collect()
}

/// `YYMMDDHHMM` or `CCYYMMDDHHMM` into date and time parts.
fn split_date_time(value: &str) -> Option<(&str, &str)> {
    match value.len() {
        10 | 12 if value.is_char_boundary(value.len() - 4) => Some(value.split_at(value.len() - 4)),
        6 | 8 => Some((value, "")),
        _ => None,
    }
}

/// A date (`YYMMDD` or `CCYYMMDD`) and optional `HHMM` time.
fn date_time(
    date: &str,
    time: &str,
    century: Century,
    reference: Option<NaiveDate>,
) -> Option<NaiveDateTime> {
    if !date.bytes().all(|b| b.is_ascii_digit()) || !time.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let number = |s: &str, from: usize, len: usize| s.get(from..from + len)?.parse::<u32>().ok();
    let time = match time.len() {
        0 => NaiveTime::MIN,
        4 => NaiveTime::from_hms_opt(number(time, 0, 2)?, number(time, 2, 2)?, 0)?,
        _ => return None,
    };
    let date = match date.len() {
        8 => NaiveDate::from_ymd_opt(
            number(date, 0, 4)? as i32,
            number(date, 4, 2)?,
            number(date, 6, 2)?,
        )?,
        6 => resolve(
            number(date, 0, 2)? as i32,
            number(date, 2, 2)?,
            number(date, 4, 2)?,
            century,
            reference,
        )?,
        _ => return None,
    };
    Some(date.and_time(time))
}

/// Picks the century for a two-digit year. Without a reference date, the
/// POSIX convention: 69-99 are 19xx, 00-68 are 20xx.
pub(super) fn resolve(
    yy: i32,
    mm: u32,
    dd: u32,
    century: Century,
    reference: Option<NaiveDate>,
) -> Option<NaiveDate> {
    let Some(reference) = reference else {
        let year = if yy >= 69 { 1900 + yy } else { 2000 + yy };
        return NaiveDate::from_ymd_opt(year, mm, dd);
    };
    let base = reference.year().div_euclid(100) * 100;
    let candidates = [base - 200, base - 100, base, base + 100]
        .into_iter()
        .filter_map(|c| NaiveDate::from_ymd_opt(c + yy, mm, dd));
    match century {
        Century::Past => candidates.filter(|d| *d <= reference).max(),
        Century::Nearest => candidates.min_by_key(|d| (*d - reference).num_days().abs()),
    }
}
