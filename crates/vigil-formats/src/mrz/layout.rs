//! Where each field sits in each ICAO 9303 layout.
//!
//! The positions are written out once per format, as in the tables of
//! Doc 9303 parts 4 to 7, so the parser itself never does index arithmetic
//! and a layout can be checked against the standard by eye.

use super::Format;

/// A run of characters on one line; `line` and `start` are 0-based.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Span {
    pub line: usize,
    pub start: usize,
    pub len: usize,
}

const fn span(line: usize, start: usize, len: usize) -> Span {
    Span { line, start, len }
}

/// Field positions for one format. Every check digit is a one-character span.
#[derive(Debug, Clone)]
pub(super) struct Layout {
    pub format: Format,
    pub code: Span,
    pub state: Span,
    pub name: Span,
    pub number: Span,
    pub number_check: Span,
    pub nationality: Span,
    pub birth: Span,
    pub birth_check: Span,
    pub sex: Span,
    pub expiry: Span,
    pub expiry_check: Span,
    pub optional: Span,
    /// Only TD3 protects its optional field (the personal number) with a check digit.
    pub optional_check: Option<Span>,
    /// TD1 has a second optional field on line 2.
    pub optional_2: Option<Span>,
    /// The composite check and the spans it covers; visas have none.
    pub composite: Option<(Span, &'static [Span])>,
}

const TD3_COMPOSITE: &[Span] = &[span(1, 0, 10), span(1, 13, 7), span(1, 21, 22)];
const TD2_COMPOSITE: &[Span] = &[span(1, 0, 10), span(1, 13, 7), span(1, 21, 14)];
const TD1_COMPOSITE: &[Span] = &[
    span(0, 5, 25),
    span(1, 0, 7),
    span(1, 8, 7),
    span(1, 18, 11),
];

impl Layout {
    /// Layouts whose line 1 is code, state and name, and whose line 2 starts
    /// with the document number: TD2, TD3 and both visas.
    fn two_line(format: Format, width: usize) -> Layout {
        let (optional_len, optional_check, composite) = match format {
            Format::TD3 => (
                14,
                Some(span(1, 42, 1)),
                Some((span(1, 43, 1), TD3_COMPOSITE)),
            ),
            Format::TD2 => (7, None, Some((span(1, 35, 1), TD2_COMPOSITE))),
            Format::MRVA | Format::MRVB | Format::TD1 => (width - 28, None, None),
        };
        Layout {
            format,
            code: span(0, 0, 2),
            state: span(0, 2, 3),
            name: span(0, 5, width - 5),
            number: span(1, 0, 9),
            number_check: span(1, 9, 1),
            nationality: span(1, 10, 3),
            birth: span(1, 13, 6),
            birth_check: span(1, 19, 1),
            sex: span(1, 20, 1),
            expiry: span(1, 21, 6),
            expiry_check: span(1, 27, 1),
            optional: span(1, 28, optional_len),
            optional_check,
            optional_2: None,
            composite,
        }
    }

    fn td1() -> Layout {
        Layout {
            format: Format::TD1,
            code: span(0, 0, 2),
            state: span(0, 2, 3),
            number: span(0, 5, 9),
            number_check: span(0, 14, 1),
            optional: span(0, 15, 15),
            birth: span(1, 0, 6),
            birth_check: span(1, 6, 1),
            sex: span(1, 7, 1),
            expiry: span(1, 8, 6),
            expiry_check: span(1, 14, 1),
            nationality: span(1, 15, 3),
            optional_2: Some(span(1, 18, 11)),
            composite: Some((span(1, 29, 1), TD1_COMPOSITE)),
            name: span(2, 0, 30),
            optional_check: None,
        }
    }

    pub fn for_format(format: Format) -> Layout {
        match format {
            Format::TD1 => Layout::td1(),
            Format::TD2 | Format::MRVB => Layout::two_line(format, 36),
            Format::TD3 | Format::MRVA => Layout::two_line(format, 44),
        }
    }
}
