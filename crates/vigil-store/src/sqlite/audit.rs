//! [`AuditStore`] for SQLite: entries on their own go through the
//! group-commit thread (`commit`); reading filters `audit` and, for the
//! records an entry touched, `audit_records`.

use rusqlite::params;
use vigil_core::audit::{AuditEvent, StoredAuditEntry};
use vigil_core::Action;

use super::rows::{self, ts, AUDIT_COLUMNS};
use super::SqliteStore;
use crate::audit::{AuditFilter, AuditStore};
use crate::error::{Result, StoreError};

impl AuditStore for SqliteStore {
    fn append_audit(&self, event: AuditEvent) -> Result<i64> {
        self.audit
            .append(vec![event])?
            .pop()
            .ok_or_else(|| StoreError::Unavailable("the audit thread gave no answer".into()))
    }

    fn append_audits(&self, events: Vec<AuditEvent>) -> Result<Vec<i64>> {
        self.audit.append(events)
    }

    fn audit_entries(&self, filter: &AuditFilter) -> Result<Vec<StoredAuditEntry>> {
        let (cut, direction, start) = if filter.newest_first {
            ("<", "DESC", i64::MAX)
        } else {
            (">", "ASC", 0)
        };
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {AUDIT_COLUMNS} FROM audit a
                 WHERE (?1 IS NULL OR a.agency = ?1)
                   AND (?2 IS NULL OR a.action = ?2)
                   AND (?3 IS NULL OR EXISTS (SELECT 1 FROM audit_records r WHERE r.seq = a.seq AND r.owner = ?3))
                   AND (?4 IS NULL OR EXISTS (SELECT 1 FROM audit_records r WHERE r.seq = a.seq AND r.record_id = ?4))
                   AND (?5 IS NULL OR a.at >= ?5)
                   AND (?6 IS NULL OR a.at <= ?6)
                   AND a.seq {cut} ?7
                   AND (?9 IS NULL OR a.agency = ?9
                        OR EXISTS (SELECT 1 FROM audit_records r WHERE r.seq = a.seq AND r.owner = ?9))
                 ORDER BY a.seq {direction} LIMIT ?8"
            ))?;
            rows::all(
            &mut stmt,
            params![
                filter.agency.as_ref().map(|a| a.as_str().to_string()),
                filter.action.map(Action::as_str),
                filter.record_owner.as_ref().map(|a| a.as_str().to_string()),
                filter.record.map(|r| r.to_string()),
                filter.since.as_ref().map(ts),
                filter.until.as_ref().map(ts),
                filter.after.unwrap_or(start),
                filter.limit.max(1) as i64,
                filter.involving.as_ref().map(|a| a.as_str().to_string()),
            ],
            rows::audit_entry)
        })
    }

    fn audit_chain_page(&self, after: i64, limit: usize) -> Result<Vec<StoredAuditEntry>> {
        // `seq` is the rowid: stored order. A tampered `seq` inside a body
        // is the verifier's to find.
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {AUDIT_COLUMNS} FROM audit a WHERE a.rowid > ?1 ORDER BY a.rowid LIMIT ?2"
            ))?;
            let limit = i64::try_from(limit).unwrap_or(i64::MAX);
            rows::all(&mut stmt, params![after, limit], rows::audit_entry)
        })
    }
}

#[cfg(test)]
mod tests {
    use vigil_core::audit::{AuditBody, Disclosed};
    use vigil_core::{Access, Action, RecordId};

    use super::super::testing::{code, event, store};
    use crate::audit::{AuditFilter, AuditStore};

    #[test]
    fn involving_an_agency_means_its_own_actions_or_its_records() {
        let (_dir, store) = store();
        let mut own = event(Action::RecordGet);
        own.agency = code("DEU");
        let mut on_its_record = event(Action::RecordGet);
        on_its_record.disclosed = vec![Disclosed {
            record: RecordId::new(),
            owner: code("DEU"),
            level: Access::Full,
        }];
        let elsewhere = event(Action::RecordGet);
        store
            .append_audits(vec![own, on_its_record, elsewhere])
            .unwrap();
        let filter = AuditFilter {
            involving: Some(code("DEU")),
            limit: 10,
            ..AuditFilter::default()
        };
        let seqs: Vec<i64> = store
            .audit_entries(&filter)
            .unwrap()
            .iter()
            .map(|e| serde_json::from_str::<AuditBody>(&e.body).unwrap().seq)
            .collect();
        assert_eq!(seqs, [1, 2]);
    }
}
