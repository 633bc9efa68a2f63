//! Vigil's domain: the types every other crate speaks, validated once at the
//! boundary, and the one module that decides who may see and change what.
//!
//! Layout:
//! - [`agency`]: agencies, roles and the authenticated [`Caller`].
//! - [`record`]: person records ([`RecordDraft`] written by owners, [`Record`] stored).
//! - [`policy`]: what an owner decides about a record (visibility,
//!   disclosure, instruction); [`access`]: the access rules that apply it,
//!   and the one place where the hit-only views are built.
//! - [`traveller`]: a traveller to screen; [`hit`]: stored hits and the
//!   webhook body; [`explanation`]: why a traveller matched.
//! - [`audit`]: audit entries, their vocabulary ([`Action`], [`Outcome`])
//!   and the hash chain that makes the log tamper-evident.
//! - [`country`], [`date`]: [`CountryCode`] and [`PartialDate`].
//! - [`error`]: the crate's error type and field-level validation errors.

pub mod access;
pub mod agency;
pub mod audit;
pub mod country;
pub mod date;
pub mod error;
pub mod explanation;
pub mod hit;
pub mod identity_link;
pub mod policy;
pub mod record;
pub mod traveller;

pub use access::RecordView;
pub use agency::{Agency, AgencyCode, AgencyKind, Caller, Role};
pub use audit::{Action, Outcome};
pub use country::CountryCode;
pub use date::PartialDate;
pub use error::{FieldError, InvalidValue};
pub use explanation::Explanation;
pub use hit::{Flight, Hit, HitContext, HitNotification, HitStatus, NewHit};
pub use identity_link::{IdentityLink, Judgement, LinkState};
pub use policy::{Access, AccessPolicy, Disclosure, Visibility};
pub use record::{
    Category, Document, DocumentKind, Evaluation, Gender, Handling, HandlingCode, Link, Name,
    NameKind, Record, RecordDraft, RecordId, RecordStatus, Script, SourceReliability,
};
pub use traveller::Traveller;
