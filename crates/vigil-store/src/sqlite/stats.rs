//! [`StatsStore`] for SQLite: counts grouped by what access depends on
//! (owner, status, policy), read in one statement each; the record counts
//! are kept up to date as records are written, not counted when asked.

use super::rows;
use super::SqliteStore;
use crate::error::Result;
use crate::stats::{ActivityCount, HitGroup, RecordGroup, StatsStore};

impl StatsStore for SqliteStore {
    fn record_groups(&self) -> Result<Vec<RecordGroup>> {
        self.read(|conn| {
            // Kept by triggers on `records` in every write's transaction
            // (schema.rs): a few rows whatever the number of records.
            let mut stmt = conn.prepare_cached(
                "SELECT owner, status, category, handling, policy, n
                 FROM record_counts WHERE n > 0",
            )?;
            rows::all(&mut stmt, [], rows::record_group)
        })
    }

    fn hit_groups(&self) -> Result<Vec<HitGroup>> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT substr(h.created_at, 1, 10) AS day, h.owner AS owner,
                        h.screening_agency AS screening_agency, h.status AS status,
                        r.status AS record_status, r.policy AS policy, COUNT(*) AS n
                 FROM hits h LEFT JOIN records r ON r.id = h.record_id
                 GROUP BY 1, 2, 3, 4, 5, 6",
            )?;
            rows::all(&mut stmt, [], rows::hit_group)
        })
    }

    fn activity(&self) -> Result<Vec<ActivityCount>> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT day, agency, action, outcome, entries, items FROM activity ORDER BY day, agency, action, outcome",
            )?;
            rows::all(&mut stmt, [], rows::activity)
        })
    }
}

#[cfg(test)]
mod tests {
    use vigil_core::{Action, HandlingCode, RecordDraft, RecordId, RecordStatus, Visibility};

    use super::super::testing::{code, event, store_with_record};
    use crate::records::{RecordChange, RecordStore};
    use crate::stats::StatsStore;

    /// The kept counts, and the same counted from the records themselves.
    fn kept_and_recounted(store: &super::SqliteStore) -> (Vec<String>, Vec<String>) {
        let mut kept: Vec<String> = store
            .record_groups()
            .unwrap()
            .iter()
            .map(|g| {
                format!(
                    "{} {:?} {} {} {}",
                    g.owner, g.status, g.category, g.handling, g.count
                )
            })
            .collect();
        kept.sort();
        let mut recounted: Vec<String> = store
            .read(|conn| {
                let mut stmt = conn.prepare(
                    "SELECT r.owner, r.status, r.category,
                            COALESCE(json_extract(v.body, '$.handling.code'), 'H0'), COUNT(*)
                     FROM records r JOIN record_versions v ON v.record_id = r.id AND v.version = r.version
                     GROUP BY 1, 2, 3, 4, r.policy",
                )?;
                let rows = stmt
                    .query_map([], |r| {
                        Ok((
                            r.get::<_, String>(0)?,
                            r.get::<_, String>(1)?,
                            r.get::<_, String>(2)?,
                            r.get::<_, String>(3)?,
                            r.get::<_, i64>(4)?,
                        ))
                    })?
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                Ok(rows)
            })
            .unwrap()
            .into_iter()
            .map(|(owner, status, category, handling, n)| {
                let status: RecordStatus = status.parse().unwrap();
                format!("{owner} {status:?} {category} {handling} {n}")
            })
            .collect();
        recounted.sort();
        (kept, recounted)
    }

    #[test]
    fn the_kept_record_counts_follow_every_kind_of_write() {
        let (_dir, store, id) = store_with_record();
        let second = RecordId::new();
        let mut draft = RecordDraft::new("DE-1", "Hans Meier");
        draft.handling.code = HandlingCode::H2;
        store
            .apply(
                vec![RecordChange::Create {
                    id: second,
                    owner: code("DEU"),
                    draft: draft.clone(),
                }],
                event(Action::RecordCreate),
            )
            .unwrap();
        draft.handling.code = HandlingCode::H1;
        draft.policy.visibility = Visibility::Only(vec![code("FRA")]);
        store
            .apply(
                vec![
                    RecordChange::Update {
                        id: second,
                        draft,
                        expected_version: None,
                    },
                    RecordChange::SetStatus {
                        id,
                        status: RecordStatus::Retired,
                        expected_version: None,
                    },
                ],
                event(Action::RecordUpdate),
            )
            .unwrap();
        let (kept, recounted) = kept_and_recounted(&store);
        assert_eq!(kept, recounted);
        assert_eq!(kept.len(), 2, "{kept:?}");
        assert!(kept.iter().any(|k| k.contains("H1 1")), "{kept:?}");
    }
}
