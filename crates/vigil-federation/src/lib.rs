//! The protocol between two organisations' Vigil instances, with no I/O:
//! what travels and how each side proves who sent it.
//!
//! Layout:
//! - [`keys`]: an organisation's Ed25519 signing key ([`OrgKeys`]) and the
//!   public key its peers trust ([`PeerKey`]).
//! - [`feed`]: the release feed's [`FeedBatch`] (a gapless run of
//!   operations for one peer, in one epoch), its operations, and
//!   [`SealedBatch`]: the batch's exact bytes with the sender's signature.
//!   [`feed::Checkpoint`] is where a receiver stands, and decides whether a
//!   batch follows on from it.
//! - [`hits`]: [`HitNotice`], a hit on a copy on its way to the record's
//!   own instance.
//! - [`query`]: a screening forwarded to the instance that keeps the
//!   records home, and its hit/no-hit answer.
//! - [`request`]: a peer's signed request (who asks, when, for what), so a
//!   peer authenticates with its key and no shared secret is stored.
//! - [`error`]: the crate's error type, [`FederationError`].
//!
//! Invariants:
//! - a receiver applies a batch only if its signature verifies against the
//!   sender's registered key over the exact bytes received, it is addressed
//!   to the receiver, and it starts where the receiver's checkpoint stands
//!   in the same epoch (or opens a new epoch at zero): forged, altered,
//!   replayed, misaddressed and out-of-epoch batches are refused;
//! - the sequence is a count of operations for one peer, never a clock.

pub mod error;
pub mod feed;
pub mod hits;
pub mod keys;
pub mod query;
pub mod request;

pub use error::FederationError;
pub use feed::{Checkpoint, FeedBatch, FeedChange, FeedOp, ReleasedRecord, SealedBatch};
pub use hits::{HitNotice, HitNotices};
pub use keys::{OrgKeys, PeerKey};
pub use query::{ForwardedQuery, QueryAnswer, QueryHit};
