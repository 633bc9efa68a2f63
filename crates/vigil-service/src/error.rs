//! The service's error type: what went wrong, in the service's own terms.
//! Only the HTTP crate turns these into status codes (in one place), and
//! only the CLI turns them into exit codes.

use vigil_core::FieldError;
use vigil_store::StoreError;

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServiceError {
    /// The input cannot be read at all (not UTF-8, not the format it claims).
    #[error("{message}")]
    Malformed {
        message: String,
        fields: Vec<FieldError>,
    },
    /// The input was read, but fields are wrong; each is named by its path.
    #[error("invalid input: {}", join(.0))]
    Invalid(Vec<FieldError>),
    /// The caller may not do this.
    #[error("{0}")]
    Forbidden(String),
    /// Nothing there — or nothing the caller may see: the same error.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The request contradicts the stored state (a stale version, a duplicate).
    #[error("{0}")]
    Conflict(String),
    /// A fault of Vigil's, not the caller's; the detail is for the log only.
    #[error("internal error: {0}")]
    Internal(String),
}

fn join(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

impl ServiceError {
    /// One invalid field.
    pub fn field(path: &str, message: impl Into<String>) -> Self {
        ServiceError::Invalid(vec![FieldError {
            path: path.to_string(),
            message: message.into(),
        }])
    }

    /// Input that cannot be read.
    pub fn malformed(message: impl Into<String>) -> Self {
        ServiceError::Malformed {
            message: message.into(),
            fields: Vec::new(),
        }
    }
}

impl From<FieldError> for ServiceError {
    fn from(e: FieldError) -> Self {
        ServiceError::Invalid(vec![e])
    }
}

impl From<StoreError> for ServiceError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound { .. } => ServiceError::NotFound("resource"),
            StoreError::Conflict(m) => ServiceError::Conflict(m),
            StoreError::Contradiction { .. } => ServiceError::Conflict(e.to_string()),
            other => ServiceError::Internal(other.to_string()),
        }
    }
}

pub type Result<T, E = ServiceError> = std::result::Result<T, E>;
