//! A traveller as a screener describes it: the query side of screening, from
//! a form, a passport's MRZ, a flight's passenger list or a yente query.

use serde::{Deserialize, Serialize};

use crate::country::CountryCode;
use crate::date::PartialDate;
use crate::error::FieldError;
use crate::record::{Document, Gender};

/// Longest name text accepted, in bytes.
const MAX_NAME_BYTES: usize = 1000;

/// A traveller to screen. At least one name or document.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Traveller {
    /// Full names, in any script and order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub names: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub given_names: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub surname: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub birth_date: Option<PartialDate>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub nationalities: Vec<CountryCode>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gender: Option<Gender>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub documents: Vec<Document>,
}

impl Traveller {
    /// Checks what types cannot: something to screen on, sane lengths.
    /// `path` is where the traveller sits in the request, for the error.
    pub fn validate(&self, path: &str) -> Result<(), FieldError> {
        let has_letter = |n: &String| n.chars().any(char::is_alphanumeric);
        let has_name = self.name_texts().any(has_letter);
        if !has_name && self.documents.is_empty() {
            return Err(FieldError {
                path: path.to_string(),
                message: "needs at least one name (with a letter) or a document".into(),
            });
        }
        for (i, t) in self.name_texts().enumerate() {
            if t.len() > MAX_NAME_BYTES {
                return Err(FieldError {
                    path: format!("{path}.names[{i}]"),
                    message: format!("is longer than {MAX_NAME_BYTES} bytes"),
                });
            }
        }
        Ok(())
    }

    /// Every name text given: full names, then surname and given names.
    fn name_texts(&self) -> impl Iterator<Item = &String> {
        self.names
            .iter()
            .chain(self.surname.iter())
            .chain(self.given_names.iter())
    }

    /// Given names and surname as one full name, when either is given.
    pub fn structured_name(&self) -> Option<String> {
        if self.surname.is_none() && self.given_names.is_none() {
            return None;
        }
        Some(
            [self.given_names.as_deref(), self.surname.as_deref()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" "),
        )
    }

    /// Keys that identify this traveller for false-positive suppression:
    /// each document, and the name with the birth date.
    pub fn keys(&self) -> Vec<String> {
        let mut keys: Vec<String> = self
            .documents
            .iter()
            .map(|d| {
                let number: String = d
                    .number
                    .chars()
                    .filter(char::is_ascii_alphanumeric)
                    .collect();
                let kind: &'static str = d.kind.into();
                format!(
                    "doc:{kind}:{}:{}",
                    d.country.map(|c| c.to_string()).unwrap_or_default(),
                    number.to_uppercase()
                )
            })
            .collect();
        if let Some(bd) = &self.birth_date {
            let mut words: Vec<String> = self
                .names
                .iter()
                .chain(self.given_names.iter())
                .chain(self.surname.iter())
                .flat_map(|n| n.split(|c: char| !c.is_alphanumeric()))
                .filter(|w| !w.is_empty())
                .map(str::to_uppercase)
                .collect();
            words.sort();
            words.dedup();
            if !words.is_empty() {
                keys.push(format!("name:{}:{bd}", words.join(" ")));
            }
        }
        keys
    }

    /// One line naming the traveller, for the audit log.
    pub fn display(&self) -> String {
        self.names
            .first()
            .cloned()
            .or_else(|| self.structured_name())
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::DocumentKind;

    #[test]
    fn a_traveller_needs_a_name_or_a_document() {
        let empty = Traveller {
            names: vec!["  -- ".into()],
            ..Traveller::default()
        };
        assert_eq!(empty.validate("traveller").unwrap_err().path, "traveller");
        let long = Traveller {
            names: vec!["a".repeat(1001)],
            ..Traveller::default()
        };
        assert_eq!(
            long.validate("t").unwrap_err().path,
            "t.names[0]",
            "the path names the long text"
        );
    }

    #[test]
    fn keys_name_documents_and_name_with_birth_date() {
        let t = Traveller {
            names: vec!["Jean Dupont".into()],
            birth_date: PartialDate::parse("1980-02-03").ok(),
            documents: vec![Document {
                kind: DocumentKind::NationalId,
                number: "ab 12-34".into(),
                country: CountryCode::parse("FRA").ok(),
                expiry: None,
                only_one: false,
            }],
            ..Traveller::default()
        };
        assert_eq!(
            t.keys(),
            vec![
                "doc:national_id:FRA:AB1234".to_string(),
                "name:DUPONT JEAN:1980-02-03".to_string()
            ]
        );
    }
}
