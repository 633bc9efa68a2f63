//! The crate's error type: why a key, batch or request was refused.

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FederationError {
    #[error("key: {0}")]
    Key(String),
    #[error("signature: {0}")]
    Signature(String),
    #[error("batch: {0}")]
    Malformed(String),
    /// The batch does not follow on from the receiver's checkpoint.
    #[error("sequence: {0}")]
    Sequence(String),
    #[error("epoch: {0}")]
    Epoch(String),
    #[error("request: {0}")]
    Request(String),
}
