//! Vigil's persistence, behind one trait per concern.
//!
//! Layout:
//! - [`Store`]: everything the rest of Vigil asks of a database, as one
//!   trait made of four: [`AgencyStore`] ([`agencies`]: agencies and
//!   tokens), [`RecordStore`] ([`records`]: records, versions, the change
//!   feed), [`AuditStore`] ([`audit`]: the hash-chained log) and
//!   [`HitStore`] ([`hits`]: hits, suppressions, webhooks and their outbox,
//!   manifests), plus [`FederationStore`] ([`federation`]: organisation
//!   identity, peers, the release feed's both sides), [`LinkStore`]
//!   ([`links`]: identity links, judgements, clusters) and [`StatsStore`]
//!   ([`stats`]: the counts statistics are made of). Each module holds its trait and the storage-side values it
//!   takes and returns. The server, the CLI and the importers only ever call
//!   these traits (mostly through `Arc<dyn Store>`), so a PostgreSQL backend
//!   can be added beside SQLite by implementing the four, without touching
//!   them.
//! - [`ids`]: the ids and secrets the store hands out, the same for every
//!   backend; [`error`]: the one error type.
//! - [`sqlite`]: the embedded default (one file in the data directory, WAL
//!   mode, migrations applied on open), one file per concern.
//!
//! Domain values (records, agencies, hits, travellers, audit events) are
//! `vigil_core`'s; stored JSON is decoded back into them, and what does not
//! decode is [`StoreError::Corrupt`], never a default.
//!
//! Invariants every backend keeps:
//! - a record is never changed in place without a trace: each change is a new
//!   version, and every version stays readable;
//! - every write takes its audit event (not an `Option` of one) and appends
//!   it in the same transaction as the write: a failed write leaves no entry,
//!   a stored write always has one; only the delivery worker's bookkeeping
//!   is unaudited;
//! - the audit log is append-only and hash-chained, and every append is
//!   durable before the call returns;
//! - hits and their webhook deliveries commit together (the outbox);
//! - token secrets are stored only as SHA-256 hashes.

pub mod agencies;
pub mod audit;
pub mod error;
pub mod federation;
pub mod hits;
pub mod ids;
pub mod links;
pub mod records;
pub mod sqlite;
pub mod stats;

pub use agencies::*;
pub use audit::*;
pub use error::{Result, StoreError};
pub use federation::*;
pub use hits::*;
pub use ids::{new_token_id, new_webhook_id};
pub use links::*;
pub use records::*;
pub use sqlite::SqliteStore;
pub use stats::*;

/// The traits, for callers that hold a concrete store such as
/// [`SqliteStore`] (methods of `dyn Store` need no import):
/// `use vigil_store::prelude::*;`.
pub mod prelude {
    pub use crate::{
        AgencyStore, AuditStore, FederationStore, HitStore, LinkStore, RecordStore, StatsStore,
        Store,
    };
}

/// Everything Vigil asks of a database: the four concerns together, so that
/// callers hold one `Arc<dyn Store>`. Implemented for every type that
/// implements the four; a backend never implements it by hand.
pub trait Store:
    AgencyStore
    + RecordStore
    + AuditStore
    + HitStore
    + FederationStore
    + LinkStore
    + StatsStore
    + Send
    + Sync
{
}

impl<T> Store for T where
    T: AgencyStore
        + RecordStore
        + AuditStore
        + HitStore
        + FederationStore
        + LinkStore
        + StatsStore
        + Send
        + Sync
{
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    // Only `Store`: callers holding `Arc<dyn Store>` need no other import.
    use crate::{SqliteStore, Store};
    use vigil_core::audit::AuditEvent;
    use vigil_core::{Action, AgencyCode, AgencyKind, Outcome, Role};

    #[test]
    fn a_dyn_store_answers_for_every_concern() {
        let dir = tempfile::tempdir().unwrap();
        let store: Arc<dyn Store> = Arc::new(SqliteStore::open(dir.path()).unwrap());
        let fra = AgencyCode::parse("FRA").unwrap();
        let audit = AuditEvent {
            agency: fra.clone(),
            role: Role::Admin,
            token_id: "tok_test".into(),
            purpose: "test".into(),
            action: Action::AgencyCreate,
            request: serde_json::Value::Null,
            disclosed: vec![],
            outcome: Outcome::Done,
        };
        store
            .create_agency(&fra, "France", AgencyKind::CountryBureau, audit.clone())
            .unwrap();
        assert_eq!(store.last_change_seq().unwrap(), 0);
        assert_eq!(
            store.append_audits(vec![audit.clone(), audit]).unwrap(),
            [2, 3]
        );
        assert!(store.webhooks(&fra).unwrap().is_empty());
    }
}
