//! ICAO Doc 9303 machine-readable zones (the two or three OCR-B lines at the
//! foot of a passport, ID card or visa).
//!
//! [`parse`] takes the text an OCR reader produced and returns every field,
//! with dates resolved to four-digit years and every check digit verified.
//! Readers misread a few glyph pairs (`0`/`O`, `1`/`I`, ...); where a field's
//! type or a check digit proves a misread, the parser undoes it and lists the
//! change in [`Mrz::repairs`] so a border officer can see what was assumed.
//!
//! Layouts: TD1 (3 × 30, ID cards), TD2 (2 × 36), TD3 (2 × 44, passports),
//! MRV-A (2 × 44) and MRV-B (2 × 36) visas. Field positions live in
//! `layout.rs`, the OCR confusion table in `repair.rs`.

mod layout;
mod repair;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use vigil_core::{CountryCode, PartialDate};

use layout::{Layout, Span};

/// The MRZ layout, told apart by line count, line length and document code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Format {
    /// ID card, 3 lines of 30.
    TD1,
    /// Card or document, 2 lines of 36.
    TD2,
    /// Passport booklet, 2 lines of 44.
    TD3,
    /// Visa sticker, 2 lines of 44.
    MRVA,
    /// Visa sticker, 2 lines of 36.
    MRVB,
}

/// Sex as printed in the zone; a filler (`<`) is `None` on [`Mrz::sex`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, strum::IntoStaticStr)]
pub enum Sex {
    #[serde(rename = "M")]
    #[strum(serialize = "M")]
    Male,
    #[serde(rename = "F")]
    #[strum(serialize = "F")]
    Female,
    /// `X`: issued as unspecified (not the same as a filler, which means not recorded).
    #[serde(rename = "X")]
    #[strum(serialize = "X")]
    Unspecified,
}

/// One OCR misread the parser undid. `from` and `to` are the whole field as
/// read and as corrected, so the change can be shown in context.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Repair {
    pub field: &'static str,
    pub from: String,
    pub to: String,
}

/// A parsed and verified machine-readable zone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Mrz {
    pub format: Format,
    /// Document code without fillers: `P`, `I`, `ID`, `V`, ...
    pub document_type: String,
    /// Issuing state or organisation, e.g. `UTO` or `D` (fillers stripped).
    pub issuing_state: String,
    /// The full document number, including a TD1/TD2 overflow into the optional field.
    pub document_number: String,
    /// Primary identifier; `<` inside it becomes a space.
    pub surname: String,
    /// Secondary identifiers, space-separated.
    pub given_names: String,
    pub nationality: String,
    /// As far as the zone knows it: fillers for the day (`7408<<`) leave the
    /// year and month, fillers for the month the year; `None` when the year
    /// is unknown too.
    pub birth_date: Option<PartialDate>,
    /// `None` unless the zone gives the whole date.
    pub expiry_date: Option<NaiveDate>,
    pub sex: Option<Sex>,
    /// The optional data element: on TD3 the personal number, elsewhere issuer-defined.
    pub optional_data: String,
    /// TD1 only: the second optional data element, on line 2.
    pub optional_data_2: String,
    pub repairs: Vec<Repair>,
    /// What the parser accepted but a reader should know: a state or
    /// nationality that is not an ICAO 9303 code, a date left partly unknown.
    pub warnings: Vec<MrzWarning>,
}

/// Something in a zone that is well-formed and covered by its check digits
/// but not what 9303 allows or not all there is to know.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MrzWarning {
    pub field: &'static str,
    pub message: String,
}

/// Why a zone was rejected. Every variant names where the problem is, so a
/// reader application can point at the line or field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MrzError {
    #[error("expected 2 or 3 MRZ lines (or one concatenated line of 72, 88 or 90 characters), found {found}")]
    LineCount { found: usize },
    #[error("line {line} has {found} characters, expected {expected}")]
    Length {
        line: usize,
        expected: usize,
        found: usize,
    },
    #[error("line {line} position {position}: illegal character {character:?}")]
    IllegalCharacter {
        line: usize,
        position: usize,
        character: char,
    },
    #[error("{field} check digit is {found}, expected {expected}")]
    CheckDigit {
        field: &'static str,
        expected: char,
        found: char,
    },
    #[error("{field} is not a valid date")]
    InvalidDate { field: &'static str },
    #[error("unknown MRZ format: the document code does not start with a letter")]
    UnknownFormat,
}

impl MrzError {
    /// What the error is about, as a field path under the MRZ: the field
    /// whose check digit or date failed, or the line at fault.
    pub fn field(&self) -> String {
        match self {
            MrzError::CheckDigit { field, .. } | MrzError::InvalidDate { field } => {
                field.to_string()
            }
            MrzError::Length { line, .. } | MrzError::IllegalCharacter { line, .. } => {
                format!("line{line}")
            }
            MrzError::LineCount { .. } | MrzError::UnknownFormat => "lines".into(),
        }
    }
}

/// The 9303 check digit of `data`: values 0-9, A-Z = 10-35, `<` = 0,
/// weighted 7, 3, 1 from the left, summed, modulo 10. `None` if `data` holds a
/// character outside the MRZ alphabet.
pub fn check_digit(data: &str) -> Option<char> {
    let mut sum = 0u32;
    for (c, weight) in data.chars().zip([7u32, 3, 1].into_iter().cycle()) {
        let value = match c {
            '0'..='9' => c as u32 - '0' as u32,
            'A'..='Z' => c as u32 - 'A' as u32 + 10,
            '<' => 0,
            _ => return None,
        };
        sum += value * weight;
    }
    char::from_digit(sum % 10, 10)
}

/// Parses an MRZ. `today` resolves two-digit years: a birth date is the
/// latest one not after `today`, an expiry date the one nearest to `today`
/// (documents are valid for at most a few decades either way).
pub fn parse(text: &str, today: NaiveDate) -> Result<Mrz, MrzError> {
    let lines = split_lines(text);
    let format = detect(&lines)?;
    let mut zone = Zone {
        lines: lines.iter().map(|l| l.chars().collect()).collect(),
        repairs: Vec::new(),
    };
    let layout = Layout::for_format(format);

    for (field, span) in [
        ("document_code", layout.code),
        ("issuing_state", layout.state),
        ("nationality", layout.nationality),
        ("name", layout.name),
    ] {
        zone.alphabetic(field, span)?;
    }
    let sex = zone.sex(layout.sex)?;
    zone.numeric("birth_date", layout.birth, layout.birth_check)?;
    zone.numeric("expiry_date", layout.expiry, layout.expiry_check)?;

    let (number_cells, number_check, optional_cells) = zone.document_number_cells(&layout);
    zone.alphanumeric(
        "document_number",
        &number_cells,
        number_check,
        false,
        layout.composite,
    )?;
    if let Some(check) = layout.optional_check {
        zone.alphanumeric(
            "personal_number",
            &cells(layout.optional),
            check,
            true,
            layout.composite,
        )?;
    }
    if let Some((check, spans)) = layout.composite {
        zone.composite(check, spans)?;
    }

    let mut warnings = Vec::new();
    let birth_text = zone.span(layout.birth);
    let birth_date = match date(&birth_text, "birth_date")? {
        YyMmDd::Known(y, m, d) => Some(PartialDate::Exact(resolve_birth(y, m, d, today)?)),
        YyMmDd::Partial(y, m) => Some(resolve_partial_birth(y, m, today)),
        YyMmDd::Unknown => None,
    };
    if birth_text.contains('<') {
        warnings.push(MrzWarning {
            field: "birth_date",
            message: match birth_date {
                Some(known) => format!("only partly known: {known}"),
                None => "unknown".into(),
            },
        });
    }
    let expiry_date = match date(&zone.span(layout.expiry), "expiry_date")? {
        YyMmDd::Known(y, m, d) => Some(resolve_expiry(y, m, d, today)?),
        YyMmDd::Partial(..) | YyMmDd::Unknown => None,
    };
    let (surname, given_names) = split_name(&zone.span(layout.name));
    let issuing_state = strip_fillers(&zone.span(layout.state));
    let nationality = strip_fillers(&zone.span(layout.nationality));
    for (field, code) in [
        ("issuing_state", &issuing_state),
        ("nationality", &nationality),
    ] {
        if CountryCode::from_mrz(code).is_none() {
            warnings.push(MrzWarning {
                field,
                message: format!("'{code}' is not an ICAO 9303 state or organisation code"),
            });
        }
    }

    Ok(Mrz {
        format,
        document_type: strip_fillers(&zone.span(layout.code)),
        issuing_state,
        document_number: strip_fillers(&zone.text(&number_cells)),
        surname,
        given_names,
        nationality,
        birth_date,
        expiry_date,
        sex,
        optional_data: strip_fillers(&zone.text(&optional_cells)),
        optional_data_2: layout
            .optional_2
            .map(|span| strip_fillers(&zone.span(span)))
            .unwrap_or_default(),
        repairs: zone.repairs,
        warnings,
    })
}

/// Trims each line, drops blank ones, and splits a single concatenated zone
/// (some readers return the MRZ without line breaks).
fn split_lines(text: &str) -> Vec<String> {
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    if let [single] = lines.as_slice() {
        let chars: Vec<char> = single.chars().collect();
        let width = match chars.len() {
            90 => Some(30),
            88 => Some(44),
            72 => Some(36),
            _ => None,
        };
        if let Some(width) = width {
            return chars
                .chunks(width)
                .map(|chunk| chunk.iter().collect())
                .collect();
        }
    }
    lines.into_iter().map(str::to_owned).collect()
}

fn detect(lines: &[String]) -> Result<Format, MrzError> {
    let width = match lines.len() {
        3 => 30,
        2 => {
            let first = lines[0].chars().count();
            // Report a wrong first line against the nearer of the two widths.
            if first <= 40 {
                36
            } else {
                44
            }
        }
        found => return Err(MrzError::LineCount { found }),
    };
    for (i, line) in lines.iter().enumerate() {
        let found = line.chars().count();
        if found != width {
            return Err(MrzError::Length {
                line: i + 1,
                expected: width,
                found,
            });
        }
        if let Some((position, character)) = line
            .chars()
            .enumerate()
            .find(|(_, c)| !matches!(c, 'A'..='Z' | '0'..='9' | '<'))
        {
            return Err(MrzError::IllegalCharacter {
                line: i + 1,
                position: position + 1,
                character,
            });
        }
    }
    let visa = match lines[0].chars().next() {
        Some('V') => true,
        Some(c) if c.is_ascii_uppercase() => false,
        _ => return Err(MrzError::UnknownFormat),
    };
    Ok(match (width, visa) {
        (30, _) => Format::TD1,
        (36, false) => Format::TD2,
        (36, true) => Format::MRVB,
        (_, false) => Format::TD3,
        (_, true) => Format::MRVA,
    })
}

/// Every character a zone may hold.
const MRZ_ALPHABET: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<";

/// A (line, column) position, both 0-based.
type Cell = (usize, usize);

fn cells(span: Span) -> Vec<Cell> {
    (span.start..span.start + span.len)
        .map(|col| (span.line, col))
        .collect()
}

/// The zone's characters (already checked to be the MRZ alphabet, so every
/// cell is ASCII) plus the repairs made so far.
struct Zone {
    lines: Vec<Vec<char>>,
    repairs: Vec<Repair>,
}

impl Zone {
    fn at(&self, (line, col): Cell) -> char {
        self.lines[line][col]
    }

    fn text(&self, cells: &[Cell]) -> String {
        cells.iter().map(|&cell| self.at(cell)).collect()
    }

    fn span(&self, span: Span) -> String {
        self.text(&cells(span))
    }

    /// Writes `to` over `cells` and records the change, if there is one.
    fn replace(&mut self, field: &'static str, cells: &[Cell], to: &str) {
        let from = self.text(cells);
        if from == to {
            return;
        }
        for (&(line, col), c) in cells.iter().zip(to.chars()) {
            self.lines[line][col] = c;
        }
        self.repairs.push(Repair {
            field,
            from,
            to: to.to_owned(),
        });
    }

    /// Names, states and codes hold only letters and fillers, so a digit there
    /// is a misread whether or not any check digit covers it.
    fn alphabetic(&mut self, field: &'static str, span: Span) -> Result<(), MrzError> {
        let cells = cells(span);
        let mut fixed = String::with_capacity(cells.len());
        for &cell in &cells {
            let c = self.at(cell);
            if c.is_ascii_digit() {
                match repair::digit_to_letter(c) {
                    Some(letter) => fixed.push(letter),
                    None => return Err(illegal(cell, c)),
                }
            } else {
                fixed.push(c);
            }
        }
        self.replace(field, &cells, &fixed);
        Ok(())
    }

    fn sex(&self, span: Span) -> Result<Option<Sex>, MrzError> {
        let cell = (span.line, span.start);
        match self.at(cell) {
            'M' => Ok(Some(Sex::Male)),
            'F' => Ok(Some(Sex::Female)),
            'X' => Ok(Some(Sex::Unspecified)),
            '<' => Ok(None),
            c => Err(illegal(cell, c)),
        }
    }

    /// A check digit as read, and as a digit if it was misread as a letter.
    fn check_char(&self, span: Span) -> (Cell, char, char) {
        let cell = (span.line, span.start);
        let found = self.at(cell);
        (cell, found, repair::letter_to_digit(found).unwrap_or(found))
    }

    fn repair_check(&mut self, field: &'static str, cell: Cell, found: char, check: char) {
        if found != check {
            self.lines[cell.0][cell.1] = check;
            self.repairs.push(Repair {
                field,
                from: found.to_string(),
                to: check.to_string(),
            });
        }
    }

    /// Dates: letters can only be misread digits; the repair stands only if
    /// the check digit then agrees.
    fn numeric(&mut self, field: &'static str, span: Span, check: Span) -> Result<(), MrzError> {
        let cells = cells(span);
        let fixed = repair::as_digits(&self.text(&cells));
        let (check_cell, found, check) = self.check_char(check);
        let expected = check_digit(&fixed).unwrap_or('0');
        if expected != check {
            return Err(MrzError::CheckDigit {
                field,
                expected,
                found,
            });
        }
        self.replace(field, &cells, &fixed);
        self.repair_check(check_field(field), check_cell, found, check);
        Ok(())
    }

    /// Document and personal numbers mix letters and digits, so neither a
    /// character's type nor the OCR confusion table says which one is wrong:
    /// a mod-10 check digit is satisfied by several single changes at almost
    /// every position, and "repairing" through it turns an arbitrary misread
    /// into a wrong number. So a failing field is repaired only when exactly
    /// one single-character change anywhere in the field or its check digit
    /// satisfies every check digit covering them (its own and the
    /// composite). In practice that is a misread check digit the composite
    /// confirms; the number itself is then kept as read.
    fn alphanumeric(
        &mut self,
        field: &'static str,
        cells: &[Cell],
        check: Span,
        filler_check_allowed: bool,
        composite: Option<(Span, &'static [Span])>,
    ) -> Result<(), MrzError> {
        let original = self.text(cells);
        let (check_cell, found, check) = self.check_char(check);
        // 9303: an empty optional field may carry `<` or 0 as its check digit.
        if filler_check_allowed && original.chars().all(|c| c == '<') && matches!(found, '<' | '0')
        {
            return Ok(());
        }
        let expected = check_digit(&original).unwrap_or('0');
        if expected == check {
            self.repair_check(check_field(field), check_cell, found, check);
            return Ok(());
        }
        let failure = MrzError::CheckDigit {
            field,
            expected,
            found,
        };
        // Without a composite nothing can tell a misread check digit from a
        // misread number.
        let Some(composite) = composite else {
            return Err(failure);
        };
        let mut passing = Vec::new();
        let chars: Vec<char> = original.chars().collect();
        for (i, &read) in chars.iter().enumerate() {
            for alt in MRZ_ALPHABET.chars().filter(|&c| c != read) {
                let mut candidate = chars.clone();
                candidate[i] = alt;
                let candidate: String = candidate.into_iter().collect();
                if check_digit(&candidate) == Some(check)
                    && self.composite_agrees(composite, &[(cells[i], alt)])
                {
                    passing.push(cells[i]);
                }
            }
        }
        if self.composite_agrees(composite, &[(check_cell, expected)]) {
            passing.push(check_cell);
        }
        match passing.as_slice() {
            [only] if *only == check_cell => {
                self.repair_check(check_field(field), check_cell, found, expected);
                Ok(())
            }
            _ => Err(failure),
        }
    }

    /// Whether the composite check digit holds once `changes` are written
    /// over the zone (the zone itself is left as it is).
    fn composite_agrees(&self, (check, spans): (Span, &[Span]), changes: &[(Cell, char)]) -> bool {
        let at = |cell: Cell| {
            changes
                .iter()
                .find(|(changed, _)| *changed == cell)
                .map_or(self.at(cell), |&(_, c)| c)
        };
        let data: String = spans.iter().flat_map(|&span| cells(span)).map(at).collect();
        let read = at((check.line, check.start));
        let read = repair::letter_to_digit(read).unwrap_or(read);
        check_digit(&data) == Some(read)
    }

    fn composite(&mut self, check: Span, spans: &[Span]) -> Result<(), MrzError> {
        let data: String = spans.iter().map(|&s| self.span(s)).collect();
        let (check_cell, found, check) = self.check_char(check);
        let expected = check_digit(&data).unwrap_or('0');
        if expected != check {
            return Err(MrzError::CheckDigit {
                field: "composite",
                expected,
                found,
            });
        }
        self.repair_check("composite_check", check_cell, found, check);
        Ok(())
    }

    /// The cells of the document number and of the optional data, and the
    /// number's check digit. A TD1/TD2 number longer than 9 characters has a
    /// filler where its check digit would be and continues at the start of
    /// the optional field, followed by its check digit and a filler (9303
    /// part 5, note j; part 6, note j).
    fn document_number_cells(&self, layout: &Layout) -> (Vec<Cell>, Span, Vec<Cell>) {
        let number = cells(layout.number);
        let optional = cells(layout.optional);
        let truncated = matches!(layout.format, Format::TD1 | Format::TD2)
            && self.at((layout.number_check.line, layout.number_check.start)) == '<'
            && optional.first().is_some_and(|&c| self.at(c) != '<');
        if !truncated {
            return (number, layout.number_check, optional);
        }
        let end = optional
            .iter()
            .position(|&c| self.at(c) == '<')
            .unwrap_or(optional.len());
        // `end` >= 1 because the optional field does not start with a filler.
        let (check_line, check_col) = optional[end - 1];
        let mut full = number;
        full.extend_from_slice(&optional[..end - 1]);
        let rest = optional.get(end + 1..).unwrap_or_default().to_vec();
        (
            full,
            Span {
                line: check_line,
                start: check_col,
                len: 1,
            },
            rest,
        )
    }
}

fn check_field(field: &'static str) -> &'static str {
    match field {
        "document_number" => "document_number_check",
        "birth_date" => "birth_date_check",
        "expiry_date" => "expiry_date_check",
        _ => "personal_number_check",
    }
}

fn illegal((line, col): Cell, character: char) -> MrzError {
    MrzError::IllegalCharacter {
        line: line + 1,
        position: col + 1,
        character,
    }
}

fn strip_fillers(s: &str) -> String {
    s.trim_matches('<').to_owned()
}

/// Surname before the first `<<`, given names after it; single `<` are spaces.
fn split_name(field: &str) -> (String, String) {
    let words = |s: &str| {
        s.split('<')
            .filter(|w| !w.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
    };
    match field.split_once("<<") {
        Some((surname, given)) => (words(surname), words(given)),
        None => (words(field), String::new()),
    }
}

/// A YYMMDD field as far as it is known.
enum YyMmDd {
    Known(i32, u32, u32),
    /// Year, and month if known: the rest is fillers.
    Partial(i32, Option<u32>),
    Unknown,
}

/// Reads YYMMDD from the left until the first part made of fillers; what
/// follows an unknown part is not used (a day without its month says
/// nothing).
fn date(s: &str, field: &'static str) -> Result<YyMmDd, MrzError> {
    let part = |range: std::ops::Range<usize>| -> Result<Option<u32>, MrzError> {
        let text = s.get(range).ok_or(MrzError::InvalidDate { field })?;
        if text.contains('<') {
            return Ok(None);
        }
        text.parse::<u32>()
            .map(Some)
            .map_err(|_| MrzError::InvalidDate { field })
    };
    let Some(yy) = part(0..2)? else {
        return Ok(YyMmDd::Unknown);
    };
    let month = part(2..4)?;
    if month.is_some_and(|m| !(1..=12).contains(&m)) {
        return Err(MrzError::InvalidDate { field });
    }
    match (month, part(4..6)?) {
        (Some(mm), Some(dd)) => Ok(YyMmDd::Known(yy as i32, mm, dd)),
        (month, _) => Ok(YyMmDd::Partial(yy as i32, month)),
    }
}

/// A partly known birth date, in the latest century that does not put it
/// after `today`.
fn resolve_partial_birth(yy: i32, month: Option<u32>, today: NaiveDate) -> PartialDate {
    let century = today.year().div_euclid(100) * 100;
    let not_future = |year: i32| match month {
        Some(m) => (year, m) <= (today.year(), today.month()),
        None => year <= today.year(),
    };
    let year = if not_future(century + yy) {
        century + yy
    } else {
        century - 100 + yy
    };
    match month {
        Some(month) => PartialDate::YearMonth { year, month },
        None => PartialDate::Year(year),
    }
}

fn resolve_birth(yy: i32, mm: u32, dd: u32, today: NaiveDate) -> Result<NaiveDate, MrzError> {
    let century = today.year().div_euclid(100) * 100;
    // Feb 29 exists in some centuries only, so look further back if needed.
    [century, century - 100, century - 200]
        .into_iter()
        .filter_map(|c| NaiveDate::from_ymd_opt(c + yy, mm, dd))
        .find(|d| *d <= today)
        .ok_or(MrzError::InvalidDate {
            field: "birth_date",
        })
}

fn resolve_expiry(yy: i32, mm: u32, dd: u32, today: NaiveDate) -> Result<NaiveDate, MrzError> {
    let century = today.year().div_euclid(100) * 100;
    [century - 100, century, century + 100]
        .into_iter()
        .filter_map(|c| NaiveDate::from_ymd_opt(c + yy, mm, dd))
        .min_by_key(|d| (*d - today).num_days().abs())
        .ok_or(MrzError::InvalidDate {
            field: "expiry_date",
        })
}
