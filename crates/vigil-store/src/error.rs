//! The store's error type, shared by every concern and backend.

/// The store's error type.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    #[error("{what} not found")]
    NotFound { what: String },
    #[error("conflict: {0}")]
    Conflict(String),
    /// A judgement of an identity link contradicts these links (the
    /// caller decides which of them it may name).
    #[error("the judgement contradicts links {links:?}")]
    Contradiction { links: Vec<i64> },
    #[error("database error: {0}")]
    Database(#[from] rusqlite::Error),
    #[error("the store cannot take writes: {0}")]
    Unavailable(String),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    /// [`crate::SqliteStore::open_existing`] found no database file.
    #[error("no database at {path}")]
    NoDatabase { path: String },
    #[error("cannot open the data directory {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;
