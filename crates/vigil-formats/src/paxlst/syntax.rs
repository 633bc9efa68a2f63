//! The UN/EDIFACT syntax layer (ISO 9735): service string advice, delimiters,
//! release character, and splitting text into segments, elements and
//! components. Nothing here knows what a PAXLST segment means.

use serde::Serialize;

use super::PaxlstError;

/// The six service characters a `UNA` segment can set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Delimiters {
    pub component: char,
    pub element: char,
    pub decimal: char,
    pub release: char,
    /// `None` when the UNA has a space here (syntax versions before 4 reserve
    /// the position; version 4 messages commonly leave it blank too).
    pub repetition: Option<char>,
    pub terminator: char,
}

impl Default for Delimiters {
    /// `UNA:+.? '`, what airlines send in practice.
    fn default() -> Self {
        Delimiters {
            component: ':',
            element: '+',
            decimal: '.',
            release: '?',
            repetition: None,
            terminator: '\'',
        }
    }
}

impl Delimiters {
    /// What ISO 9735 version 4 implies when a message has no `UNA`.
    pub fn implied() -> Self {
        Delimiters {
            repetition: Some('*'),
            ..Delimiters::default()
        }
    }

    /// The `UNA` segment announcing these delimiters, terminator included.
    pub fn una(&self) -> String {
        format!(
            "UNA{}{}{}{}{}{}",
            self.component,
            self.element,
            self.decimal,
            self.release,
            self.repetition.unwrap_or(' '),
            self.terminator
        )
    }

    /// Characters that must be preceded by the release character in data.
    fn special(&self, c: char) -> bool {
        c == self.component
            || c == self.element
            || c == self.release
            || c == self.terminator
            || Some(c) == self.repetition
    }

    /// `value` with every service character released, ready to write.
    pub fn escape(&self, value: &str) -> String {
        let mut out = String::with_capacity(value.len());
        for c in value.chars() {
            if self.special(c) {
                out.push(self.release);
            }
            out.push(c);
        }
        out
    }

    /// Distinct, and neither letters, digits nor control characters (a
    /// line feed as terminator is tolerated), so tags stay readable.
    fn usable(&self) -> bool {
        let mut used = vec![self.component, self.element, self.release, self.terminator];
        used.extend(self.repetition);
        let count = used.len();
        let readable = used
            .iter()
            .all(|&c| !c.is_alphanumeric() && (!c.is_control() || c == '\n'));
        used.sort_unstable();
        used.dedup();
        readable && used.len() == count
    }
}

/// One segment: its tag and its data elements, each a list of components,
/// with release characters already removed.
///
/// Repetition separators are kept as text: PAXLST has no repeating data
/// element that this crate reads, and keeping them means a sender id such as
/// `APIS*C3K` survives intact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Segment {
    pub tag: String,
    pub elements: Vec<Vec<String>>,
    /// Byte offset of the segment's first character in the input.
    pub offset: usize,
    /// False for text after the last terminator.
    pub terminated: bool,
}

impl Segment {
    /// The component, whitespace-trimmed; empty if absent. Indices are 0-based
    /// and do not count the tag.
    pub fn get(&self, element: usize, component: usize) -> &str {
        self.elements
            .get(element)
            .and_then(|e| e.get(component))
            .map_or("", |c| c.trim())
    }

    /// A three-character upper-case alphanumeric tag, as ISO 9735 requires.
    pub fn has_valid_tag(&self) -> bool {
        self.tag.len() == 3
            && self
                .tag
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
    }
}

/// A tokenised interchange.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Tokens {
    pub delimiters: Delimiters,
    /// Whether the delimiters came from a `UNA` segment.
    pub explicit: bool,
    /// Every segment after the `UNA`, in order; indices into this list are the
    /// "segment index" used in errors and diagnostics.
    pub segments: Vec<Segment>,
}

/// Whitespace that may separate segments (and wrap long ones) without being data.
fn layout_whitespace(c: char, d: &Delimiters) -> bool {
    matches!(c, '\r' | '\n' | '\t' | ' ' | '\u{feff}') && !d.special(c)
}

/// Splits `input` into segments. Fails only on input that is not EDIFACT
/// text at all: control characters, a truncated or ambiguous `UNA`, a
/// dangling release character, no segments, or a first segment without a
/// valid tag.
pub fn tokenize(input: &str) -> Result<Tokens, PaxlstError> {
    let mut rest = input.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
    let mut offset = input.len() - rest.len();
    let mut delimiters = Delimiters::implied();
    let explicit = rest.starts_with("UNA");
    if explicit {
        let mut chars = rest[3..].chars();
        let mut next = || chars.next().ok_or(PaxlstError::TruncatedUna { offset });
        let (component, element, decimal, release, repetition, terminator) =
            (next()?, next()?, next()?, next()?, next()?, next()?);
        delimiters = Delimiters {
            component,
            element,
            decimal,
            release,
            repetition: (repetition != ' ').then_some(repetition),
            terminator,
        };
        if !delimiters.usable() {
            return Err(PaxlstError::AmbiguousDelimiters { offset });
        }
        let una_len: usize = 3 + rest[3..].chars().take(6).map(char::len_utf8).sum::<usize>();
        rest = &rest[una_len..];
        offset += una_len;
    }

    let segments = split_segments(rest, offset, &delimiters)?;
    match segments.first() {
        None => Err(PaxlstError::Empty),
        Some(first) if !first.has_valid_tag() => Err(PaxlstError::NotEdifact {
            offset: first.offset,
        }),
        Some(_) => Ok(Tokens {
            delimiters,
            explicit,
            segments,
        }),
    }
}

fn split_segments(text: &str, base: usize, d: &Delimiters) -> Result<Vec<Segment>, PaxlstError> {
    let mut segments = Vec::new();
    let mut chars = text.char_indices().peekable();
    loop {
        while chars.next_if(|&(_, c)| layout_whitespace(c, d)).is_some() {}
        let Some(&(start, _)) = chars.peek() else {
            return Ok(segments);
        };
        let segment_index = segments.len();
        let mut elements: Vec<Vec<String>> = vec![vec![String::new()]];
        let mut terminated = false;
        while let Some((at, c)) = chars.next() {
            let offset = base + at;
            if c == d.release {
                match chars.next() {
                    Some((_, escaped)) if !escaped.is_control() => {
                        push_char(&mut elements, escaped)
                    }
                    Some((at, escaped)) => {
                        return Err(PaxlstError::ControlCharacter {
                            segment_index,
                            offset: base + at,
                            character: escaped,
                        })
                    }
                    None => {
                        return Err(PaxlstError::DanglingRelease {
                            segment_index,
                            offset,
                        })
                    }
                }
            } else if c == d.terminator {
                terminated = true;
                break;
            } else if c == d.element {
                elements.push(vec![String::new()]);
            } else if c == d.component {
                if let Some(element) = elements.last_mut() {
                    element.push(String::new());
                }
            } else if c == '\r' || c == '\n' {
                // Line breaks inside a segment come from fixed-width wrapping, not data.
            } else if c.is_control() && c != '\t' {
                return Err(PaxlstError::ControlCharacter {
                    segment_index,
                    offset,
                    character: c,
                });
            } else {
                push_char(&mut elements, c);
            }
        }
        let mut elements = elements.into_iter();
        let tag = elements
            .next()
            .and_then(|tag| tag.into_iter().next())
            .unwrap_or_default()
            .trim()
            .to_owned();
        segments.push(Segment {
            tag,
            elements: elements.collect(),
            offset: base + start,
            terminated,
        });
    }
}

fn push_char(elements: &mut [Vec<String>], c: char) {
    if let Some(component) = elements.last_mut().and_then(|e| e.last_mut()) {
        component.push(c);
    }
}
