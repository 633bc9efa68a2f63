//! [`RecordStore`] for SQLite: `records` (the current state, a cache of the
//! latest version) and `record_versions` (every version, which doubles as
//! the change feed: one row per change).

use rusqlite::{params, Connection, OptionalExtension, Transaction};
use vigil_core::audit::AuditEvent;
use vigil_core::{AgencyCode, Record, RecordId, RecordStatus};

use super::rows::{self, date, name, now, to_json, ts};
use super::rows::{CHANGE_COLUMNS, RECORD_COLUMNS, RECORD_FROM, VERSION_COLUMNS};
use super::SqliteStore;
use crate::error::{Result, StoreError};
use crate::records::{
    AccessFacts, Actor, ChangeEvent, ChangeKind, RecordChange, RecordFilter, RecordStore,
    RecordVersion,
};

fn load_record(conn: &Connection, id: RecordId) -> Result<Option<Record>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {RECORD_COLUMNS} FROM {RECORD_FROM} WHERE r.id = ?1"
    ))?;
    rows::first(&mut stmt, params![id.to_string()], rows::record)
}

fn load_existing(conn: &Connection, id: RecordId) -> Result<Record> {
    load_record(conn, id)?.ok_or_else(|| StoreError::NotFound {
        what: format!("record {id}"),
    })
}

fn check_version(record: &Record, expected: Option<u32>) -> Result<()> {
    match expected {
        Some(v) if v != record.version => Err(StoreError::Conflict(format!(
            "record {} is at version {}, not {v}",
            record.id, record.version
        ))),
        _ => Ok(()),
    }
}

/// The record a change makes, and what kind of change it is.
pub(super) fn changed(tx: &Transaction<'_>, change: RecordChange) -> Result<(Record, ChangeKind)> {
    let at = now();
    Ok(match change {
        RecordChange::Create { id, owner, draft } => {
            let review_due = draft.review_due(at.date_naive());
            (
                Record {
                    id,
                    owner,
                    version: 1,
                    status: RecordStatus::Active,
                    created_at: at,
                    updated_at: at,
                    review_due,
                    draft,
                },
                ChangeKind::Create,
            )
        }
        RecordChange::Update {
            id,
            draft,
            expected_version,
        } => {
            let mut r = load_existing(tx, id)?;
            check_version(&r, expected_version)?;
            r.version += 1;
            r.updated_at = at;
            r.review_due = draft.review_due(r.created_at.date_naive());
            r.draft = draft;
            (r, ChangeKind::Update)
        }
        RecordChange::SetStatus {
            id,
            status,
            expected_version,
        } => {
            let mut r = load_existing(tx, id)?;
            check_version(&r, expected_version)?;
            let kind = match status {
                RecordStatus::Retired => ChangeKind::Retire,
                RecordStatus::Active => ChangeKind::Reactivate,
            };
            r.version += 1;
            r.updated_at = at;
            r.status = status;
            (r, kind)
        }
    })
}

/// Writes the record's current row and its new version.
pub(super) fn save_record(
    tx: &Transaction<'_>,
    record: &Record,
    change: ChangeKind,
    actor: &Actor,
) -> Result<()> {
    let body = to_json("record draft", &record.draft)?;
    let policy = to_json("record policy", &record.draft.policy)?;
    let result = tx.prepare_cached(
        "INSERT INTO records (id, owner, reference, version, status, category, created_at, updated_at, review_due, policy, handling)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
         ON CONFLICT(id) DO UPDATE SET reference = excluded.reference, version = excluded.version,
           status = excluded.status, category = excluded.category, updated_at = excluded.updated_at,
           review_due = excluded.review_due, policy = excluded.policy, handling = excluded.handling",
    )?.execute(
        params![
            record.id.to_string(),
            record.owner.as_str(),
            record.draft.reference,
            record.version,
            name(record.status),
            name(record.draft.category),
            ts(&record.created_at),
            ts(&record.updated_at),
            date(&record.review_due),
            policy,
            name(record.draft.handling.code),
        ],
    );
    match result {
        Err(rusqlite::Error::SqliteFailure(e, _))
            if e.code == rusqlite::ErrorCode::ConstraintViolation =>
        {
            return Err(StoreError::Conflict(format!(
                "agency {} already has a record with reference '{}'",
                record.owner, record.draft.reference
            )));
        }
        other => {
            other?;
        }
    }
    tx.prepare_cached(
        "INSERT INTO record_versions (record_id, version, change, status, changed_at, changed_by_agency, changed_by_token, body)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?.execute(
        params![
            record.id.to_string(),
            record.version,
            name(change),
            name(record.status),
            ts(&record.updated_at),
            actor.agency.as_str(),
            actor.token_id,
            body,
        ],
    )?;
    Ok(())
}

impl RecordStore for SqliteStore {
    fn apply_observed(
        &self,
        changes: Vec<RecordChange>,
        audit: AuditEvent,
        progress: Option<&(dyn Fn(usize, usize) + Sync)>,
    ) -> Result<Vec<Record>> {
        let actor = Actor::from(&audit);
        self.write(audit, |tx| {
            let total = changes.len();
            let mut out = Vec::with_capacity(total);
            for (done, change) in changes.into_iter().enumerate() {
                if let Some(report) = progress {
                    if done % 1000 == 0 {
                        report(done, total);
                    }
                }
                let (record, kind) = changed(tx, change)?;
                save_record(tx, &record, kind, &actor)?;
                out.push(record);
            }
            if let Some(report) = progress {
                report(total, total);
            }
            Ok(out)
        })
    }

    fn record(&self, id: RecordId) -> Result<Option<Record>> {
        self.read(|conn| load_record(conn, id))
    }

    fn access_facts(&self, id: RecordId) -> Result<Option<AccessFacts>> {
        self.read(|conn| {
            let mut stmt =
                conn.prepare_cached("SELECT id, owner, status, policy FROM records WHERE id = ?1")?;
            rows::first(&mut stmt, params![id.to_string()], rows::access_facts)
        })
    }

    fn record_by_reference(&self, owner: &AgencyCode, reference: &str) -> Result<Option<Record>> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {RECORD_COLUMNS} FROM {RECORD_FROM} WHERE r.owner = ?1 AND r.reference = ?2"
            ))?;
            rows::first(&mut stmt, params![owner.as_str(), reference], rows::record)
        })
    }

    fn records_page(
        &self,
        filter: &RecordFilter,
        after: Option<RecordId>,
        limit: usize,
    ) -> Result<Vec<Record>> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {RECORD_COLUMNS} FROM {RECORD_FROM}
                 WHERE (?1 IS NULL OR r.id > ?1)
                   AND (?2 IS NULL OR r.owner = ?2)
                   AND (?3 IS NULL OR r.status = ?3)
                   AND (?4 IS NULL OR r.category = ?4)
                   AND (?5 IS NULL OR r.updated_at >= ?5)
                 ORDER BY r.id LIMIT ?6"
            ))?;
            rows::all(
                &mut stmt,
                params![
                    after.map(|a| a.to_string()),
                    filter.owner.as_ref().map(|o| o.as_str().to_string()),
                    filter.status.map(name),
                    filter.category.map(name),
                    filter.updated_since.as_ref().map(ts),
                    limit as i64,
                ],
                rows::record,
            )
        })
    }

    fn record_history(&self, id: RecordId) -> Result<Vec<RecordVersion>> {
        let Some(current) = self.record(id)? else {
            return Ok(Vec::new());
        };
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {VERSION_COLUMNS} FROM record_versions WHERE record_id = ?1 ORDER BY version"
            ))?;
            rows::all(&mut stmt, params![id.to_string()], |row| {
                rows::version(row, &current)
            })
        })
    }

    fn feed_cursor(&self, name: &str) -> Result<i64> {
        self.read(|conn| {
            Ok(conn
                .query_row(
                    "SELECT seq FROM feed_cursors WHERE name = ?1",
                    params![name],
                    |r| r.get("seq"),
                )
                .optional()?
                .unwrap_or(0))
        })
    }

    fn advance_feed_cursor(&self, name: &str, seq: i64) -> Result<()> {
        self.write_unaudited(|tx| {
            tx.execute(
                "INSERT INTO feed_cursors (name, seq) VALUES (?1, ?2)
                 ON CONFLICT (name) DO UPDATE SET seq = MAX(seq, excluded.seq)",
                params![name, seq],
            )?;
            Ok(())
        })
    }

    fn last_change_seq(&self) -> Result<i64> {
        self.read(|conn| {
            Ok(conn.query_row(
                "SELECT COALESCE(MAX(seq), 0) AS seq FROM record_versions",
                [],
                |r| r.get("seq"),
            )?)
        })
    }

    fn changes_since(&self, after: i64, limit: usize) -> Result<Vec<ChangeEvent>> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {CHANGE_COLUMNS} FROM record_versions WHERE seq > ?1 ORDER BY seq LIMIT ?2"
            ))?;
            rows::all(&mut stmt, params![after, limit as i64], rows::change_event)
        })
    }
}

#[cfg(test)]
mod tests {
    use vigil_core::audit::verify_chain;
    use vigil_core::{Action, RecordDraft};

    use super::super::testing::{add_agency, code, event, store, store_with_record};
    use super::*;
    use crate::audit::AuditStore;

    #[test]
    fn records_are_versioned_and_audited_together() {
        let (_dir, store) = store();
        add_agency(&store, "FRA");
        let id = RecordId::new();
        let draft = RecordDraft::new("FR-1", "Jean Dupont");
        store
            .apply(
                vec![RecordChange::Create {
                    id,
                    owner: code("FRA"),
                    draft: draft.clone(),
                }],
                event(Action::RecordCreate),
            )
            .unwrap();
        let mut changed = draft.clone();
        changed.notes.push("seen in Lyon".into());
        let stale = store.apply(
            vec![RecordChange::Update {
                id,
                draft: changed.clone(),
                expected_version: Some(7),
            }],
            event(Action::RecordUpdate),
        );
        assert!(matches!(stale, Err(StoreError::Conflict(_))));
        store
            .apply(
                vec![RecordChange::Update {
                    id,
                    draft: changed,
                    expected_version: Some(1),
                }],
                event(Action::RecordUpdate),
            )
            .unwrap();
        store
            .apply(
                vec![RecordChange::SetStatus {
                    id,
                    status: RecordStatus::Retired,
                    expected_version: None,
                }],
                event(Action::RecordRetire),
            )
            .unwrap();
        let history = store.record_history(id).unwrap();
        let kinds: Vec<_> = history
            .iter()
            .map(|v| (v.record.version, v.change))
            .collect();
        assert_eq!(
            kinds,
            [
                (1, ChangeKind::Create),
                (2, ChangeKind::Update),
                (3, ChangeKind::Retire)
            ]
        );
        assert!(history[0].record.draft.notes.is_empty());
        assert_eq!(store.changes_since(0, 10).unwrap().len(), 3);
        // The failed update left no audit entry behind: the agency's entry,
        // then 3 writes, 3 entries.
        let chain = store.audit_chain().unwrap();
        assert_eq!(verify_chain(&chain).unwrap().0, 1 + 3);
        // Each version names the actor of its write's audit event.
        assert!(history.iter().all(|v| v.changed_by
            == Some(Actor {
                agency: code("FRA"),
                token_id: "tok_test".into()
            })));
        // The latest version is the current record.
        assert_eq!(history[2].record, store.record(id).unwrap().unwrap());
    }

    #[test]
    fn duplicate_reference_is_a_conflict_and_rolls_back() {
        let (_dir, store) = store();
        add_agency(&store, "FRA");
        let before = store.audit_chain().unwrap();
        let a = RecordChange::Create {
            id: RecordId::new(),
            owner: code("FRA"),
            draft: RecordDraft::new("R", "A B"),
        };
        let b = RecordChange::Create {
            id: RecordId::new(),
            owner: code("FRA"),
            draft: RecordDraft::new("R", "C D"),
        };
        assert!(matches!(
            store.apply(vec![a, b], event(Action::Import)),
            Err(StoreError::Conflict(_))
        ));
        assert!(store
            .records_page(&RecordFilter::default(), None, 10)
            .unwrap()
            .is_empty());
        // The failed import left no entry: the chain is as it was.
        assert_eq!(store.audit_chain().unwrap(), before);
    }

    #[test]
    fn progress_is_told_and_the_import_is_one_entry() {
        let (_dir, store) = store();
        add_agency(&store, "FRA");
        let changes = (0..3)
            .map(|i| RecordChange::Create {
                id: RecordId::new(),
                owner: code("FRA"),
                draft: RecordDraft::new(format!("R{i}"), "A B"),
            })
            .collect();
        let told = std::sync::Mutex::new(Vec::new());
        let progress = |done, total| told.lock().unwrap().push((done, total));
        let records = store
            .apply_observed(changes, event(Action::Import), Some(&progress))
            .unwrap();
        assert_eq!(records.len(), 3);
        assert_eq!(*told.lock().unwrap(), [(0, 3), (3, 3)]);
        assert_eq!(store.audit_chain().unwrap().len(), 2);
    }

    #[test]
    fn change_kind_column_matches_the_json_names() {
        for k in [
            ChangeKind::Create,
            ChangeKind::Update,
            ChangeKind::Retire,
            ChangeKind::Reactivate,
        ] {
            let stored = name(k);
            assert_eq!(serde_json::to_value(k).unwrap(), stored);
            assert_eq!(stored.parse::<ChangeKind>().unwrap(), k);
        }
    }

    #[test]
    fn feed_cursors_start_at_the_head_and_only_move_forward() {
        let (_dir, store, _) = store_with_record();
        let head = store.last_change_seq().unwrap();
        assert_eq!(store.feed_cursor("other").unwrap(), 0);
        store.advance_feed_cursor("other", 5).unwrap();
        store.advance_feed_cursor("other", 3).unwrap();
        assert_eq!(store.feed_cursor("other").unwrap(), 5);
        // A fresh database's re-screening cursor was set by the migration.
        assert!(store.feed_cursor("rescreen").unwrap() <= head);
    }
}
