//! Vigil's operations, with the access rules applied and every read and
//! write audited. The HTTP API (`vigil-server`) and the CLI both call
//! these; neither talks to the store about records on its own, and nothing
//! here knows HTTP.
//!
//! Layout:
//! - [`vigil`]: the [`Vigil`] service (the store, the screening indexes,
//!   the hit feed); every other operations module adds to it and depends on
//!   it, never the reverse.
//! - [`context`]: who asks and why ([`Ctx`]), and the audit events made from it.
//! - [`error`]: the service's [`ServiceError`]; [`config`]: its [`Config`].
//! - Operations: [`admin`] (agencies, tokens), [`records`], [`audit_log`]
//!   (oversight), [`screening`] (travellers), [`flights`] (MRZ, PAXLST,
//!   whole manifests), [`hits`] (inbox, decisions, live stream),
//!   [`webhooks`], [`exchange`] (import and export), [`federation`]
//!   (organisation identity, peers, the release feed both ways),
//!   [`home_hits`] (hits on received copies, delivered to their owners),
//!   [`forwarded`] (screenings asked of peers that keep records home),
//!   [`links`] (identity links: detection, `xref`, review, judgements),
//!   [`gaps`] (the gap report between two sides), [`stats`].
//! - Keeping screening current: [`feed`] follows the store's change feed
//!   into the screening [`index`] and triggers [`rescreen`] of the
//!   [`recent`] travellers.
//! - [`engine_map`]: the domain's types to the matching engine's and back.
//! - [`json_input`]: JSON documents parsed with errors that name the field.
//!
//! What the caller may see is decided, and the hit-only views are built,
//! in `vigil_core::access` alone; this crate applies it.

pub mod admin;
pub mod audit_log;
pub mod config;
pub mod context;
pub mod engine_map;
pub mod error;
pub mod exchange;
pub mod federation;
pub mod feed;
pub mod flights;
pub mod forwarded;
pub mod gaps;
pub mod hits;
pub mod home_hits;
pub mod index;
pub mod json_input;
pub mod links;
pub mod recent;
pub mod records;
pub mod rescreen;
pub mod screening;
pub mod stats;
pub mod token_cache;
pub mod vigil;
pub mod webhooks;

pub use config::Config;
pub use context::Ctx;
pub use error::{Result, ServiceError};
pub use vigil::Vigil;
