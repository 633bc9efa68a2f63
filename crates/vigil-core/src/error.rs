//! Errors of the domain crate: a value that does not satisfy a domain type
//! ([`InvalidValue`]), and a problem with one field of an input document
//! ([`FieldError`], with its JSON path). Validation reports every problem
//! at once, as a list of field errors.

use std::fmt;

/// One value that failed validation; the path is added by whoever knows it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct InvalidValue {
    pub message: String,
}

impl InvalidValue {
    pub fn new(message: impl Into<String>) -> Self {
        InvalidValue {
            message: message.into(),
        }
    }
}

/// A problem with one field of an input document.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FieldError {
    /// JSON path of the field, e.g. `names[0].full`.
    pub path: String,
    pub message: String,
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}
