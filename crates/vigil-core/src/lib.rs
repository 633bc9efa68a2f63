//! Vigil's domain: the types every other crate speaks, validated once at the
//! boundary, and the one module that decides who may see and change what.
//!
//! Layout:
//! - [`agency`]: agencies, roles and the authenticated [`Caller`].
//! - [`record`]: person records ([`RecordDraft`] written by owners, [`Record`] stored).
//! - [`access`]: access policies and the access rules, in one place.
//! - [`audit`]: audit entries and the hash chain that makes the log tamper-evident.
//! - [`country`], [`date`]: [`CountryCode`] and [`PartialDate`].
//! - [`error`]: the crate's error type and field-level validation errors.

pub mod access;
pub mod agency;
pub mod audit;
pub mod country;
pub mod date;
pub mod error;
pub mod record;

pub use access::{Access, AccessPolicy, Disclosure, RecordView, Visibility};
pub use agency::{Agency, AgencyCode, AgencyKind, Caller, Role};
pub use country::CountryCode;
pub use date::PartialDate;
pub use error::{CoreError, FieldError, InvalidValue};
pub use record::{
    Category, Document, DocumentKind, Evaluation, Gender, Handling, HandlingCode, Link, Name,
    NameKind, Record, RecordDraft, RecordId, RecordStatus, Script, SourceReliability,
};
