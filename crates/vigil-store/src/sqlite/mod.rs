//! The embedded SQLite backend: one database file in the data directory.
//!
//! This module holds [`SqliteStore`] itself: opening it, and the two ways in
//! to the database, `read` on the reader pool and
//! `write`, a transaction on the single writer that always
//! ends by appending the write's audit entry, so a write and its entry commit
//! together or not at all. Each concern implements its trait in its own file,
//! on those two and on `rows`; none of them imports another.
//!
//! - `connection`: the writer, the reader pool and their pragmas;
//! - `schema`: migrations, run on open;
//! - `commit`: audit appends, in a write's transaction or group-committed;
//! - `rows`: column formats and row decoding;
//! - `agencies`, `records`, `audit`, `hits`, `federation`, `links`,
//!   `stats`: one trait each.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use rusqlite::{Connection, Params, Transaction};
use vigil_core::audit::AuditEvent;

use self::commit::AuditCommitter;
use self::connection::{begin_write, lock, open_writer, Checkpointer, Readers};
use crate::error::{Result, StoreError};

mod agencies;
mod audit;
mod commit;
mod connection;
mod federation;
mod hits;
mod links;
mod records;
mod rows;
mod schema;
mod stats;
#[cfg(test)]
mod testing;

const DB_FILE: &str = "vigil.db";

pub struct SqliteStore {
    path: PathBuf,
    /// Shared with the group-commit thread, which commits through it too.
    writer: Arc<Mutex<Connection>>,
    audit: AuditCommitter,
    readers: Readers,
    _checkpointer: Checkpointer,
}

impl SqliteStore {
    /// Opens (creating if needed) the database in `dir` and runs migrations.
    pub fn open(dir: &Path) -> Result<Self> {
        std::fs::create_dir_all(dir).map_err(|source| StoreError::Io {
            path: dir.display().to_string(),
            source,
        })?;
        let path = dir.join(DB_FILE);
        let mut writer = open_writer(&path)?;
        schema::migrate(&mut writer)?;
        let writer = Arc::new(Mutex::new(writer));
        let readers = Readers::open(&path)?;
        let audit = AuditCommitter::spawn(writer.clone()).map_err(|source| StoreError::Io {
            path: "audit thread".into(),
            source,
        })?;
        let checkpointer = Checkpointer::spawn(&path)?;
        Ok(SqliteStore {
            path,
            writer,
            audit,
            readers,
            _checkpointer: checkpointer,
        })
    }

    /// Opens the database in `dir` only if it is there, creating nothing:
    /// for callers that read or change what exists, to whom a mistyped
    /// directory must be an error rather than a new, empty database.
    pub fn open_existing(dir: &Path) -> Result<Self> {
        let path = dir.join(DB_FILE);
        if !path.is_file() {
            return Err(StoreError::NoDatabase {
                path: path.display().to_string(),
            });
        }
        Self::open(dir)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `f` in a transaction on the writer, appends `audit` in the same
    /// transaction, and commits: an error anywhere rolls back both.
    fn write<T>(
        &self,
        audit: AuditEvent,
        f: impl FnOnce(&Transaction<'_>) -> Result<T>,
    ) -> Result<T> {
        self.write_unaudited(|tx| {
            let out = f(tx)?;
            commit::append_in(tx, audit)?;
            Ok(out)
        })
    }

    /// A write with no audit entry: only for the delivery worker's
    /// bookkeeping, which is no caller's act.
    fn write_unaudited<T>(&self, f: impl FnOnce(&Transaction<'_>) -> Result<T>) -> Result<T> {
        let mut conn = lock(&self.writer);
        let tx = begin_write(&mut conn)?;
        let out = f(&tx)?;
        tx.commit()?;
        Ok(out)
    }

    fn read<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        self.readers.read(f)
    }

    /// Runs raw SQL against the database: for tests that tamper with data.
    #[doc(hidden)]
    pub fn execute_raw(&self, sql: &str) -> Result<usize> {
        Ok(lock(&self.writer).execute(sql, [])?)
    }
}

/// Inserts a row whose key must be new: `sql` ends `ON CONFLICT(key) DO
/// NOTHING`, and a key already taken is a conflict naming `what`.
fn insert_new(tx: &Transaction<'_>, what: &str, sql: &str, params: impl Params) -> Result<()> {
    if tx.execute(sql, params)? == 0 {
        return Err(StoreError::Conflict(format!("{what} already exists")));
    }
    Ok(())
}

/// Every audited write, checked against the one rule: the write and its
/// entry commit together.
#[cfg(test)]
mod tests {
    use crate::TokenOptions;
    use chrono::Utc;
    use vigil_core::audit::AuditBody;
    use vigil_core::{Action, AgencyKind, HitStatus, RecordDraft, RecordId, Role};

    use super::testing::{
        audit_len, code, event, new_hit, store, store_with_record, stored_hit, traveller,
    };
    use super::*;
    use crate::agencies::AgencyStore;
    use crate::audit::AuditStore;
    use crate::hits::{HitFilter, HitStore, StoredManifest};
    use crate::ids::{new_token_id, new_webhook_id};
    use crate::records::{RecordChange, RecordStore};

    fn manifest(id: &str) -> StoredManifest {
        StoredManifest {
            id: id.into(),
            agency: code("DEU"),
            received_at: rows::now(),
            summary: serde_json::json!({"travellers": 1, "hits": 0}),
            travellers: vec![traveller()],
            purpose: "border check".into(),
        }
    }

    fn update(id: RecordId) -> RecordChange {
        RecordChange::Update {
            id,
            draft: RecordDraft::new("FR-1", "Jean Dupond"),
            expected_version: None,
        }
    }

    /// A webhook and a token of FRA's, to update or to collide with.
    fn hook_and_token(store: &SqliteStore) -> (String, String) {
        let hook = new_webhook_id();
        let url = "https://fra.example/hook";
        store
            .create_webhook(&hook, &code("FRA"), url, "s", event(Action::WebhookCreate))
            .unwrap();
        let token = new_token_id();
        store
            .create_token(
                &token,
                &code("FRA"),
                Role::Admin,
                &TokenOptions::default(),
                event(Action::TokenCreate),
            )
            .unwrap();
        (hook, token)
    }

    /// The action of the chain's last entry.
    fn last_action(store: &SqliteStore) -> Action {
        let chain = store.audit_chain().unwrap();
        let body: AuditBody = serde_json::from_str(&chain.last().unwrap().body).unwrap();
        body.event.action
    }

    /// Runs `write` and checks that it added exactly one entry, `action`.
    fn one_entry<T>(store: &SqliteStore, action: Action, write: impl FnOnce() -> T) -> T {
        let before = audit_len(store);
        let out = write();
        assert_eq!(audit_len(store), before + 1, "{action:?}");
        assert_eq!(last_action(store), action);
        out
    }

    #[test]
    fn open_existing_creates_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("elsewhere");
        let err = SqliteStore::open_existing(&missing).err().unwrap();
        assert!(matches!(err, StoreError::NoDatabase { .. }), "{err}");
        assert!(!missing.exists(), "not even the directory");
        drop(SqliteStore::open(&missing).unwrap());
        assert!(SqliteStore::open_existing(&missing).is_ok());
    }

    #[test]
    fn reopening_keeps_data_and_does_not_rerun_migrations() {
        let dir = tempfile::tempdir().unwrap();
        {
            let store = SqliteStore::open(dir.path()).unwrap();
            store
                .create_agency(
                    &code("ITA"),
                    "Italy",
                    AgencyKind::CountryBureau,
                    event(Action::AgencyCreate),
                )
                .unwrap();
        }
        let store = SqliteStore::open(dir.path()).unwrap();
        assert_eq!(store.agencies().unwrap().len(), 1);
        assert_eq!(audit_len(&store), 1);
    }

    #[test]
    fn every_write_leaves_exactly_one_entry() {
        let (_dir, store) = store();
        use Action::*;
        one_entry(&store, AgencyCreate, || {
            store.create_agency(
                &code("FRA"),
                "France",
                AgencyKind::CountryBureau,
                event(AgencyCreate),
            )
        })
        .unwrap();
        one_entry(&store, AgencyCreate, || {
            store.create_agency(
                &code("DEU"),
                "Germany",
                AgencyKind::CountryBureau,
                event(AgencyCreate),
            )
        })
        .unwrap();
        let token = new_token_id();
        one_entry(&store, TokenCreate, || {
            store.create_token(
                &token,
                &code("FRA"),
                Role::Admin,
                &TokenOptions::default(),
                event(TokenCreate),
            )
        })
        .unwrap();
        // Revoking is audited whether or not there was a token to revoke.
        assert!(one_entry(&store, TokenRevoke, || store
            .revoke_token(&token, event(TokenRevoke)))
        .unwrap());
        assert!(!one_entry(&store, TokenRevoke, || store
            .revoke_token(&token, event(TokenRevoke)))
        .unwrap());
        let id = RecordId::new();
        let create = RecordChange::Create {
            id,
            owner: code("FRA"),
            draft: RecordDraft::new("FR-1", "Jean Dupont"),
        };
        one_entry(&store, RecordCreate, || {
            store.apply(vec![create], event(RecordCreate))
        })
        .unwrap();
        one_entry(&store, Import, || {
            store.apply_observed(vec![update(id)], event(Import), None)
        })
        .unwrap();
        let hook = new_webhook_id();
        one_entry(&store, WebhookCreate, || {
            store.create_webhook(
                &hook,
                &code("FRA"),
                "https://fra.example/hook",
                "s3cret",
                event(WebhookCreate),
            )
        })
        .unwrap();
        let hits = one_entry(&store, Screen, || {
            store.insert_hits(vec![new_hit(id)], event(Screen))
        })
        .unwrap();
        one_entry(&store, HitDecide, || {
            store.decide_hit(
                &hits[0].id,
                HitStatus::Confirmed,
                None,
                &code("FRA"),
                event(HitDecide),
            )
        })
        .unwrap();
        one_entry(&store, ManifestStore, || {
            store.save_manifest(&manifest("man_1"), event(ManifestStore))
        })
        .unwrap();
        assert!(one_entry(&store, WebhookDelete, || store.delete_webhook(
            &code("FRA"),
            &hook,
            event(WebhookDelete)
        ))
        .unwrap());
        assert!(!one_entry(&store, WebhookDelete, || store.delete_webhook(
            &code("FRA"),
            &hook,
            event(WebhookDelete)
        ))
        .unwrap());
        // The delivery worker's bookkeeping is not audited.
        let before = audit_len(&store);
        store.delivery_succeeded(1).unwrap();
        store.delivery_failed(1, "timeout", Utc::now()).unwrap();
        assert_eq!(audit_len(&store), before);
        let chain = store.audit_chain().unwrap();
        assert!(vigil_core::audit::verify_chain(&chain).is_ok());
    }

    #[test]
    fn a_failing_write_leaves_no_entry() {
        let (_dir, store, id) = store_with_record();
        let (hook, token) = hook_and_token(&store);
        store
            .save_manifest(&manifest("man_1"), event(Action::ManifestStore))
            .unwrap();
        let before = store.audit_chain().unwrap();
        let e = event;
        assert!(store
            .create_agency(
                &code("FRA"),
                "again",
                AgencyKind::CountryBureau,
                e(Action::AgencyCreate)
            )
            .is_err());
        assert!(store
            .create_token(
                &new_token_id(),
                &code("ITA"),
                Role::Admin,
                &TokenOptions::default(),
                e(Action::TokenCreate)
            )
            .is_err());
        assert!(store
            .create_token(
                &token,
                &code("FRA"),
                Role::Admin,
                &TokenOptions::default(),
                e(Action::TokenCreate)
            )
            .is_err());
        let stale = RecordChange::Update {
            id,
            draft: RecordDraft::new("FR-1", "X Y"),
            expected_version: Some(9),
        };
        assert!(store.apply(vec![stale], e(Action::RecordUpdate)).is_err());
        assert!(store
            .apply_observed(vec![update(RecordId::new())], e(Action::Import), None)
            .is_err());
        assert!(store
            .decide_hit(
                "hit_none",
                HitStatus::Confirmed,
                None,
                &code("FRA"),
                e(Action::HitDecide)
            )
            .is_err());
        assert!(store
            .create_webhook(
                &hook,
                &code("FRA"),
                "https://x",
                "s",
                e(Action::WebhookCreate)
            )
            .is_err());
        assert!(store
            .save_manifest(&manifest("man_1"), e(Action::ManifestStore))
            .is_err());
        // Writes with no failure of their own fail when the database refuses
        // them; a trigger stands in for a full disk.
        for (table, on) in [
            ("hits", "INSERT"),
            ("tokens", "UPDATE"),
            ("webhooks", "UPDATE"),
        ] {
            store
                .execute_raw(&format!(
                    "CREATE TRIGGER refuse_{table} BEFORE {on} ON {table} BEGIN SELECT RAISE(ABORT, 'refused'); END"
                ))
                .unwrap();
        }
        assert!(store
            .insert_hits(vec![new_hit(id)], e(Action::Screen))
            .is_err());
        assert!(store.revoke_token(&token, e(Action::TokenRevoke)).is_err());
        assert!(store
            .delete_webhook(&code("FRA"), &hook, e(Action::WebhookDelete))
            .is_err());
        assert_eq!(store.audit_chain().unwrap(), before);
    }

    #[test]
    fn a_write_whose_entry_fails_is_not_stored() {
        let (_dir, store, id) = store_with_record();
        let (hook, token) = hook_and_token(&store);
        let hit = stored_hit(&store, id);
        let chain = store.audit_chain().unwrap();
        store
            .execute_raw("CREATE TRIGGER refuse_audit BEFORE INSERT ON audit BEGIN SELECT RAISE(ABORT, 'refused'); END")
            .unwrap();
        let e = event;
        assert!(store
            .create_agency(
                &code("ITA"),
                "Italy",
                AgencyKind::CountryBureau,
                e(Action::AgencyCreate)
            )
            .is_err());
        assert!(store.agency(&code("ITA")).unwrap().is_none());
        let other = new_token_id();
        assert!(store
            .create_token(
                &other,
                &code("FRA"),
                Role::Admin,
                &TokenOptions::default(),
                e(Action::TokenCreate)
            )
            .is_err());
        assert!(store.token(&other).unwrap().is_none());
        assert!(store.revoke_token(&token, e(Action::TokenRevoke)).is_err());
        assert!(store.token(&token).unwrap().unwrap().revoked_at.is_none());
        let new_id = RecordId::new();
        let create = RecordChange::Create {
            id: new_id,
            owner: code("FRA"),
            draft: RecordDraft::new("FR-2", "Marie Curie"),
        };
        assert!(store.apply(vec![create], e(Action::RecordCreate)).is_err());
        assert!(store.record(new_id).unwrap().is_none());
        assert!(store
            .apply_observed(vec![update(id)], e(Action::Import), None)
            .is_err());
        assert_eq!(store.record(id).unwrap().unwrap().version, 1);
        let seqs = store.last_change_seq().unwrap();
        assert!(store
            .insert_hits(vec![new_hit(id)], e(Action::Screen))
            .is_err());
        assert_eq!(
            store
                .hits(&HitFilter {
                    limit: 10,
                    ..HitFilter::default()
                })
                .unwrap(),
            std::slice::from_ref(&hit)
        );
        assert_eq!(
            store.due_deliveries(Utc::now(), 10).unwrap().len(),
            1,
            "only the first hit's"
        );
        assert!(store
            .decide_hit(
                &hit.id,
                HitStatus::FalsePositive,
                Some("no"),
                &code("FRA"),
                e(Action::HitDecide)
            )
            .is_err());
        assert_eq!(store.hit(&hit.id).unwrap(), Some(hit.clone()));
        assert!(store
            .suppressed(id, &hit.traveller.keys())
            .unwrap()
            .is_empty());
        let other_hook = new_webhook_id();
        assert!(store
            .create_webhook(
                &other_hook,
                &code("FRA"),
                "https://x",
                "s",
                e(Action::WebhookCreate)
            )
            .is_err());
        assert!(store
            .delete_webhook(&code("FRA"), &hook, e(Action::WebhookDelete))
            .is_err());
        assert_eq!(store.webhooks(&code("FRA")).unwrap().len(), 1);
        assert_eq!(store.webhooks(&code("FRA")).unwrap()[0].id, hook);
        assert!(store
            .save_manifest(&manifest("man_2"), e(Action::ManifestStore))
            .is_err());
        assert!(store.manifest("man_2").unwrap().is_none());
        // Nothing reached the change feed or the chain.
        assert_eq!(store.last_change_seq().unwrap(), seqs);
        assert_eq!(store.audit_chain().unwrap(), chain);
    }
}
