//! OCR confusions between letters and digits, and how to undo them.
//!
//! Scanners misread the same few glyph pairs. A misread is only visible when
//! a character lands in a field of the wrong type (a letter in a date, a
//! digit in a name) or when a check digit stops adding up. These tables
//! undo only the first kind: a failing check digit alone does not say which
//! character of a mixed field a scanner got wrong.

/// Glyph pairs that OCR engines confuse in the OCR-B font.
const CONFUSIONS: [(char, char); 6] = [
    ('0', 'O'),
    ('1', 'I'),
    ('5', 'S'),
    ('8', 'B'),
    ('2', 'Z'),
    ('6', 'G'),
];

/// The digit a misread letter most likely was, if it is a known confusion.
pub(super) fn letter_to_digit(c: char) -> Option<char> {
    CONFUSIONS.iter().find(|(_, l)| *l == c).map(|(d, _)| *d)
}

/// The letter a misread digit most likely was, if it is a known confusion.
pub(super) fn digit_to_letter(c: char) -> Option<char> {
    CONFUSIONS.iter().find(|(d, _)| *d == c).map(|(_, l)| *l)
}

/// Maps letters to digits where a confusion is known; leaves the rest alone
/// so that a genuinely wrong character still fails later.
pub(super) fn as_digits(s: &str) -> String {
    s.chars().map(|c| letter_to_digit(c).unwrap_or(c)).collect()
}
