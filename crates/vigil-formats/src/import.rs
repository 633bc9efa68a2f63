//! What every list importer ([`crate::ftm`], [`crate::unsc`], [`crate::ofac`])
//! returns: the person records it could build, the rows it deliberately
//! skipped (companies, vessels) and one diagnostic per rejected or repaired
//! row or value. A bad row never fails the batch; only a file that is
//! malformed as a whole (truncated, not XML, not JSON lines) is an error.
//!
//! The importers also share, crate-internally, the [`DraftBuilder`] that
//! keeps every emitted draft inside what [`RecordDraft::validate`] accepts
//! (values it cannot place go to `extra`, with a diagnostic), the lookup of
//! English country names as the lists write them, and a small streaming
//! reader that hands over one XML list entry at a time.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use serde::Serialize;
use vigil_core::{CountryCode, Document, DocumentKind, Name, NameKind, PartialDate, RecordDraft};

/// Where in the input a record, a skipped row or a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "at", rename_all = "snake_case")]
pub enum Position {
    /// 1-based line of a line-oriented file (FtM JSON lines).
    Line { line: usize },
    /// The n-th (1-based) top-level entry of an XML list, counting persons
    /// and non-persons alike, and the byte offset of its start tag.
    Element { index: usize, byte: u64 },
    /// A byte offset in the file.
    Byte { byte: u64 },
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Position::Line { line } => write!(f, "line {line}"),
            Position::Element { index, byte } => write!(f, "entry {index} (byte {byte})"),
            Position::Byte { byte } => write!(f, "byte {byte}"),
        }
    }
}

/// The result of importing one file.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ImportBatch {
    pub records: Vec<ImportedRecord>,
    pub skipped: Vec<Skipped>,
    pub diagnostics: Vec<ImportDiagnostic>,
}

impl ImportBatch {
    /// How many rows were skipped for each reason, so that a report can say
    /// "193 entity records skipped" instead of staying silent.
    pub fn skipped_counts(&self) -> BTreeMap<&str, usize> {
        let mut counts = BTreeMap::new();
        for s in &self.skipped {
            *counts.entry(s.reason.as_str()).or_default() += 1;
        }
        counts
    }

    /// Diagnostics of one kind ("rejected", "repaired", "dropped").
    pub fn count_diagnostics(&self, kind: &str) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.kind.name() == kind)
            .count()
    }
}

/// One person record, valid by [`RecordDraft::validate`].
#[derive(Debug, Clone, Serialize)]
pub struct ImportedRecord {
    pub draft: RecordDraft,
    pub position: Position,
}

/// A row that was read but is not a person, with the reason.
#[derive(Debug, Clone, Serialize)]
pub struct Skipped {
    pub reference: String,
    pub reason: String,
    pub position: Position,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, strum::IntoStaticStr)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum DiagnosticKind {
    /// The whole row was not imported.
    Rejected,
    /// A value was changed to fit the model (the message says how).
    Repaired,
    /// A value could not be placed in the model; it is kept in the draft's
    /// `extra` (the message says under which key) but not screened on.
    Dropped(String),
}

impl DiagnosticKind {
    pub fn name(&self) -> &'static str {
        self.into()
    }
}

/// What happened to one row or value: what, where, why.
#[derive(Debug, Clone, Serialize)]
pub struct ImportDiagnostic {
    pub position: Position,
    pub reference: Option<String>,
    pub kind: DiagnosticKind,
    pub message: String,
}

/// A file that cannot be read as a whole. Bad rows are diagnostics instead.
#[derive(Debug, Clone, thiserror::Error, Serialize)]
#[non_exhaustive]
pub enum FormatError {
    #[error("malformed input at {position}: {message}")]
    Malformed { position: Position, message: String },
    #[error("not a {expected} file: the root element is <{found}>")]
    UnexpectedRoot {
        expected: &'static str,
        found: String,
    },
}

const MAX_TEXT: usize = 500;
const MAX_NOTE: usize = 20_000;
const MAX_DOCUMENT_NUMBER: usize = 64;

/// Collapses runs of whitespace (line breaks included) into one space and
/// trims: list exports wrap long names and places over several lines.
pub(crate) fn clean_text(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Builds one draft and its diagnostics. Every `add_*` method either puts
/// the value where [`RecordDraft::validate`] will accept it, or keeps it in
/// `extra` under `extra_key` with a `Dropped` diagnostic, so that one odd
/// value never costs the whole record.
pub(crate) struct DraftBuilder {
    pub(crate) draft: RecordDraft,
    position: Position,
    diagnostics: Vec<ImportDiagnostic>,
}

impl DraftBuilder {
    pub(crate) fn new(reference: &str, position: Position) -> Self {
        let mut draft = RecordDraft::new(reference.trim(), "");
        draft.names.clear();
        DraftBuilder {
            draft,
            position,
            diagnostics: Vec::new(),
        }
    }

    fn diagnostic(&mut self, kind: DiagnosticKind, message: String) {
        self.diagnostics.push(ImportDiagnostic {
            position: self.position,
            reference: Some(self.draft.reference.clone()),
            kind,
            message,
        });
    }

    pub(crate) fn repaired(&mut self, message: String) {
        self.diagnostic(DiagnosticKind::Repaired, message);
    }

    /// Keeps `value` in `extra[key]` and says why it is not in the model.
    pub(crate) fn dropped(&mut self, key: &str, value: &str, why: &str) {
        self.extra(key, value);
        self.diagnostic(
            DiagnosticKind::Dropped(value.to_string()),
            format!("{key} '{}' {why}; kept in extra[\"{key}\"]", clip(value)),
        );
    }

    /// Keeps a value that has no place in the model. Empty values are noise.
    pub(crate) fn extra(&mut self, key: &str, value: &str) {
        if !value.trim().is_empty() {
            self.draft
                .extra
                .entry(key.to_string())
                .or_default()
                .push(value.to_string());
        }
    }

    /// Adds a name unless an identical one is already there; returns it so
    /// that the caller can fill in given and family names.
    pub(crate) fn add_name(
        &mut self,
        full: &str,
        kind: NameKind,
        extra_key: &str,
    ) -> Option<&mut Name> {
        let full = clean_text(full);
        if full.is_empty() {
            return None;
        }
        if let Some(why) = name_problem(&full) {
            self.dropped(extra_key, &full, why);
            return None;
        }
        if self.draft.names.iter().any(|n| n.full == full) {
            return None;
        }
        let mut name = Name::new(full, kind);
        name.script = vigil_core::Script::detect(&name.full);
        self.draft.names.push(name);
        self.draft.names.last_mut()
    }

    pub(crate) fn add_birth_date(&mut self, date: PartialDate) {
        if !self.draft.birth_dates.contains(&date) {
            self.draft.birth_dates.push(date);
        }
    }

    pub(crate) fn add_birth_place(&mut self, place: &str, extra_key: &str) {
        let place = clean_text(place);
        if place.is_empty() || self.draft.birth_places.contains(&place) {
            return;
        }
        if place.len() > MAX_TEXT || place.chars().any(char::is_control) {
            self.dropped(extra_key, &place, "is too long for a birth place");
        } else {
            self.draft.birth_places.push(place);
        }
    }

    pub(crate) fn add_nationality(&mut self, code: CountryCode) {
        if !self.draft.nationalities.contains(&code) {
            self.draft.nationalities.push(code);
        }
    }

    /// Adds a document; returns whether it was added (numbers longer than a
    /// document number can be are kept in `extra` instead).
    pub(crate) fn add_document(&mut self, document: Document, extra_key: &str) -> bool {
        let number = clean_text(&document.number);
        if number.is_empty() {
            return false;
        }
        if number.len() > MAX_DOCUMENT_NUMBER {
            self.dropped(
                extra_key,
                &number,
                "is longer than a document number can be",
            );
            return false;
        }
        let document = Document { number, ..document };
        if !self.draft.documents.contains(&document) {
            self.draft.documents.push(document);
        }
        true
    }

    pub(crate) fn add_note(&mut self, note: &str, extra_key: &str) {
        let note = note.trim();
        if note.is_empty() || self.draft.notes.iter().any(|n| n == note) {
            return;
        }
        if note.len() > MAX_NOTE {
            self.dropped(extra_key, note, "is longer than 20000 bytes");
        } else {
            self.draft.notes.push(note.to_string());
        }
    }

    pub(crate) fn add_topic(&mut self, topic: &str) {
        let topic = topic.trim();
        if !topic.is_empty() && !self.draft.topics.iter().any(|t| t == topic) {
            self.draft.topics.push(topic.to_string());
        }
    }

    /// Validates the draft: a valid one becomes a record, an invalid one a
    /// `Rejected` diagnostic listing every field error.
    pub(crate) fn finish(self, batch: &mut ImportBatch) {
        let DraftBuilder {
            draft,
            position,
            mut diagnostics,
        } = self;
        let reference = draft.reference.clone();
        match draft.validate() {
            Ok(draft) => {
                batch.diagnostics.append(&mut diagnostics);
                batch.records.push(ImportedRecord { draft, position });
            }
            Err(errors) => {
                batch.diagnostics.append(&mut diagnostics);
                let list: Vec<String> = errors.iter().map(ToString::to_string).collect();
                batch.diagnostics.push(ImportDiagnostic {
                    position,
                    reference: (!reference.is_empty()).then_some(reference),
                    kind: DiagnosticKind::Rejected,
                    message: format!("record is invalid: {}", list.join("; ")),
                });
            }
        }
    }
}

/// Why a (cleaned) name cannot be a [`Name`], mirroring `validate`.
fn name_problem(full: &str) -> Option<&'static str> {
    if full.len() > MAX_TEXT {
        Some("is longer than 500 bytes")
    } else if !full.chars().any(char::is_alphanumeric) {
        Some("has no letter")
    } else if full.chars().any(char::is_control) {
        Some("contains control characters")
    } else {
        None
    }
}

pub(crate) fn clip(text: &str) -> String {
    let mut out: String = text.chars().take(80).collect();
    if out.len() < text.len() {
        out.push('…');
    }
    out
}

pub(crate) fn rejected(
    batch: &mut ImportBatch,
    position: Position,
    reference: Option<String>,
    message: String,
) {
    batch.diagnostics.push(ImportDiagnostic {
        position,
        reference,
        kind: DiagnosticKind::Rejected,
        message,
    });
}

/// Country names as the UN and OFAC lists write them where they differ from
/// the ISO short names that [`CountryCode::from_name`] knows. Lower case.
const COUNTRY_ALIASES: &[(&str, &str)] = &[
    // Demonyms, which the UN list writes in places for a country.
    ("afghan", "AFG"),
    ("algerian", "DZA"),
    ("german", "DEU"),
    ("kuwaiti", "KWT"),
    ("moroccan", "MAR"),
    ("pakistani", "PAK"),
    ("saudi arabian", "SAU"),
    ("somali", "SOM"),
    ("tunisian", "TUN"),
    ("yemeni", "YEM"),
    // French abbreviation of the DPRK, in UN document entries.
    ("rpdc", "PRK"),
    ("bolivia", "BOL"),
    ("bolivia (plurinational state of)", "BOL"),
    ("brunei", "BRN"),
    ("burma", "MMR"),
    ("cape verde", "CPV"),
    ("congo, democratic republic of the", "COD"),
    ("congo, republic of the", "COG"),
    ("cote d'ivoire", "CIV"),
    ("czech republic", "CZE"),
    ("democratic people's republic of korea", "PRK"),
    ("democratic republic of the congo", "COD"),
    ("holy see", "VAT"),
    ("iran", "IRN"),
    ("iran (islamic republic of)", "IRN"),
    ("korea, north", "PRK"),
    ("korea, south", "KOR"),
    ("lao people's democratic republic", "LAO"),
    ("laos", "LAO"),
    ("macau", "MAC"),
    ("micronesia (federated states of)", "FSM"),
    ("moldova", "MDA"),
    ("north macedonia", "MKD"),
    ("north macedonia, the republic of", "MKD"),
    ("palestinian", "PSE"),
    ("republic of korea", "KOR"),
    ("republic of moldova", "MDA"),
    ("russia", "RUS"),
    ("state of palestine", "PSE"),
    ("swaziland", "SWZ"),
    ("syria", "SYR"),
    ("taiwan", "TWN"),
    ("tanzania", "TZA"),
    ("the gambia", "GMB"),
    ("the former yugoslav republic of macedonia", "MKD"),
    ("turkey", "TUR"),
    (
        "united kingdom of great britain and northern ireland",
        "GBR",
    ),
    ("united republic of tanzania", "TZA"),
    ("united states of america", "USA"),
    ("venezuela", "VEN"),
    ("venezuela (bolivarian republic of)", "VEN"),
    ("vietnam", "VNM"),
];

/// Resolves English country names, remembering answers: the lists repeat a
/// few dozen names tens of thousands of times.
#[derive(Default)]
pub(crate) struct CountryNames {
    cache: HashMap<String, Option<CountryCode>>,
}

impl CountryNames {
    pub(crate) fn resolve(&mut self, name: &str) -> Option<CountryCode> {
        let key = clean_text(name).to_lowercase();
        if let Some(found) = self.cache.get(&key) {
            return *found;
        }
        let found = COUNTRY_ALIASES
            .iter()
            .find(|(alias, _)| *alias == key)
            .and_then(|(_, code)| CountryCode::parse(code).ok())
            .or_else(|| CountryCode::from_name(&key));
        self.cache.insert(key, found);
        found
    }
}

/// The document kind for a free-text document type, when it is one of the
/// travel or identity documents a border officer sees.
pub(crate) fn document_kind(label: &str) -> Option<DocumentKind> {
    let l = label.to_lowercase();
    if l.contains("passport") || l.contains("pasaporte") || l.contains("passeport") {
        Some(DocumentKind::Passport)
    } else if l.contains("visa") {
        Some(DocumentKind::Visa)
    } else if l.contains("residen") {
        Some(DocumentKind::ResidencePermit)
    } else if l.contains("national id")
        || l.contains("national identification")
        || l.contains("national identity")
        || l.contains("personal id")
        || l.contains("identity card")
        || l.contains("id card")
        || l.contains("identification number")
        || l.contains("cedula")
        || l.contains("d.n.i.")
        || l.contains("tazkira")
    {
        Some(DocumentKind::NationalId)
    } else {
        None
    }
}

/// A minimal streaming XML reader for the list formats: it hands over one
/// list entry at a time as a small tree, so memory stays bounded by the
/// largest entry rather than the file, and reports truncation with its byte
/// offset.
pub(crate) mod xml {
    use quick_xml::events::Event;
    use quick_xml::Reader;

    use super::{FormatError, Position};

    /// One element of a list entry: its local name, its text, its children.
    #[derive(Debug, Default)]
    pub(crate) struct Element {
        pub(crate) name: String,
        pub(crate) text: String,
        pub(crate) children: Vec<Element>,
    }

    impl Element {
        pub(crate) fn child(&self, name: &str) -> Option<&Element> {
            self.children.iter().find(|c| c.name == name)
        }

        pub(crate) fn all<'s>(&'s self, name: &'s str) -> impl Iterator<Item = &'s Element> {
            self.children.iter().filter(move |c| c.name == name)
        }

        /// The trimmed text of the first child called `name`, if not empty.
        pub(crate) fn text_of(&self, name: &str) -> Option<&str> {
            self.child(name)
                .map(|c| c.text.trim())
                .filter(|t| !t.is_empty())
        }

        /// Trimmed non-empty text of this element.
        pub(crate) fn value(&self) -> Option<&str> {
            Some(self.text.trim()).filter(|t| !t.is_empty())
        }
    }

    /// Reads `input`, whose root element must be `root`, and calls `entry`
    /// for every element whose local name is in `entries` (outside other
    /// entries), with its position. Text outside entries is ignored.
    pub(crate) fn read_entries(
        input: &[u8],
        root: &'static str,
        entries: &[&str],
        mut entry: impl FnMut(Element, Position),
    ) -> Result<(), FormatError> {
        let mut reader = Reader::from_reader(input);
        // Depth of open elements outside any entry, and the elements open
        // inside the current entry (built up as a tree).
        let mut outer_depth = 0usize;
        let mut open: Vec<Element> = Vec::new();
        let mut entry_start = 0u64;
        let mut index = 0usize;
        let mut seen_root = false;
        loop {
            let before = reader.buffer_position();
            let event = reader
                .read_event()
                .map_err(|e| malformed(reader.error_position(), e.to_string()))?;
            match event {
                Event::Start(start) => {
                    let name = local_name(start.local_name().as_ref(), before)?;
                    if !open.is_empty() {
                        open.push(Element {
                            name,
                            ..Element::default()
                        });
                        continue;
                    }
                    check_root(&mut seen_root, root, &name)?;
                    if entries.contains(&name.as_str()) {
                        index += 1;
                        entry_start = before;
                        open.push(Element {
                            name,
                            ..Element::default()
                        });
                    } else {
                        outer_depth += 1;
                    }
                }
                Event::Empty(start) => {
                    let name = local_name(start.local_name().as_ref(), before)?;
                    let element = Element {
                        name,
                        ..Element::default()
                    };
                    if let Some(parent) = open.last_mut() {
                        parent.children.push(element);
                    } else {
                        check_root(&mut seen_root, root, &element.name)?;
                        if entries.contains(&element.name.as_str()) {
                            index += 1;
                            entry(
                                element,
                                Position::Element {
                                    index,
                                    byte: before,
                                },
                            );
                        }
                    }
                }
                Event::End(_) => match open.pop() {
                    Some(done) => match open.last_mut() {
                        Some(parent) => parent.children.push(done),
                        None => entry(
                            done,
                            Position::Element {
                                index,
                                byte: entry_start,
                            },
                        ),
                    },
                    None => outer_depth = outer_depth.saturating_sub(1),
                },
                Event::Text(text) => {
                    if let Some(current) = open.last_mut() {
                        let text = text
                            .unescape()
                            .map_err(|e| malformed(before, e.to_string()))?;
                        current.text.push_str(&text);
                    }
                }
                Event::CData(data) => {
                    if let Some(current) = open.last_mut() {
                        let text = std::str::from_utf8(data.as_ref())
                            .map_err(|e| malformed(before, e.to_string()))?;
                        current.text.push_str(text);
                    }
                }
                Event::Eof => {
                    let end = reader.buffer_position();
                    if !seen_root {
                        return Err(malformed(end, "no root element".into()));
                    }
                    if outer_depth > 0 || !open.is_empty() {
                        let inside = open.last().map(|e| e.name.as_str()).unwrap_or(root);
                        return Err(malformed(
                            end,
                            format!("input ends inside <{inside}>: the file is truncated"),
                        ));
                    }
                    return Ok(());
                }
                _ => {}
            }
        }
    }

    fn malformed(byte: u64, message: String) -> FormatError {
        FormatError::Malformed {
            position: Position::Byte { byte },
            message,
        }
    }

    fn local_name(bytes: &[u8], at: u64) -> Result<String, FormatError> {
        std::str::from_utf8(bytes)
            .map(str::to_string)
            .map_err(|e| malformed(at, format!("element name is not UTF-8: {e}")))
    }

    fn check_root(seen: &mut bool, root: &'static str, name: &str) -> Result<(), FormatError> {
        if !*seen {
            *seen = true;
            if name != root {
                return Err(FormatError::UnexpectedRoot {
                    expected: root,
                    found: name.to_string(),
                });
            }
        }
        Ok(())
    }
}
