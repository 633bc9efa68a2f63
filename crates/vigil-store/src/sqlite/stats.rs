//! [`StatsStore`] for SQLite: counts grouped by what access depends on
//! (owner, status, policy), read in one statement each.

use super::rows;
use super::SqliteStore;
use crate::error::Result;
use crate::stats::{ActivityCount, HitGroup, RecordGroup, StatsStore};

impl StatsStore for SqliteStore {
    fn record_groups(&self) -> Result<Vec<RecordGroup>> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT r.owner AS owner, r.status AS status, r.category AS category,
                        COALESCE(json_extract(v.body, '$.handling.code'), 'H0') AS handling,
                        r.policy AS policy, COUNT(*) AS n
                 FROM records r JOIN record_versions v ON v.record_id = r.id AND v.version = r.version
                 GROUP BY 1, 2, 3, 4, 5",
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
