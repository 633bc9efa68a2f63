//! [`LinkStore`] for SQLite: `links`, `link_judgements`, `clusters` and
//! `record_clusters`.
//!
//! Clusters are the connected parts of the graph of white links. Only
//! records in a cluster of two or more have a `record_clusters` row; each
//! row keeps the first cluster its record joined, so that a split which
//! undoes a merge gives the absorbed part its old id back. A merged-away
//! cluster keeps its row, pointing at the cluster that absorbed it: old ids
//! keep answering.

use std::collections::{HashSet, VecDeque};

use rusqlite::{params, OptionalExtension, Transaction};
use vigil_core::audit::AuditEvent;
use vigil_core::{IdentityLink, Judgement, LinkState, RecordId};

use super::rows::{self, name, now, to_json, ts};
use super::rows::{JUDGEMENT_COLUMNS, LINK_COLUMNS, LINK_FROM};
use super::SqliteStore;
use crate::error::{Result, StoreError};
use crate::links::{Cluster, LinkFilter, LinkStore, NewJudgement, ProposedLink, XrefRun};

fn load_link(tx: &rusqlite::Connection, id: i64) -> Result<Option<IdentityLink>> {
    let mut stmt = tx.prepare_cached(&format!(
        "SELECT {LINK_COLUMNS} FROM {LINK_FROM} WHERE l.id = ?1"
    ))?;
    rows::first(&mut stmt, params![id], rows::link)
}

fn existing_link(tx: &Transaction<'_>, a: RecordId, b: RecordId) -> Result<Option<IdentityLink>> {
    let mut stmt = tx.prepare_cached(&format!(
        "SELECT {LINK_COLUMNS} FROM {LINK_FROM} WHERE l.record_a = ?1 AND l.record_b = ?2"
    ))?;
    rows::first(&mut stmt, params![a.to_string(), b.to_string()], rows::link)
}

fn add_judgement(
    tx: &Transaction<'_>,
    link: i64,
    state: LinkState,
    agency: &str,
    token_id: &str,
    automatic: bool,
    note: &str,
) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO link_judgements (link_id, state, agency, token_id, automatic, note, at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        link,
        name(state),
        agency,
        token_id,
        automatic,
        note,
        ts(&now())
    ])?;
    Ok(())
}

fn cluster_of(tx: &Transaction<'_>, record: RecordId) -> Result<Option<i64>> {
    Ok(tx
        .prepare_cached("SELECT cluster_id FROM record_clusters WHERE record_id = ?1")?
        .query_row(params![record.to_string()], |r| r.get(0))
        .optional()?)
}

fn members(tx: &Transaction<'_>, cluster: i64) -> Result<Vec<RecordId>> {
    let mut stmt =
        tx.prepare_cached("SELECT record_id FROM record_clusters WHERE cluster_id = ?1")?;
    let ids: Vec<String> = stmt
        .query_map(params![cluster], |r| r.get(0))?
        .collect::<std::result::Result<_, _>>()?;
    ids.iter()
        .map(|s| {
            RecordId::parse(s)
                .ok_or_else(|| StoreError::Corrupt(format!("record_clusters: record id '{s}'")))
        })
        .collect()
}

/// The records of `record`'s cluster, or the record alone.
fn side(tx: &Transaction<'_>, record: RecordId) -> Result<Vec<RecordId>> {
    match cluster_of(tx, record)? {
        Some(c) => members(tx, c),
        None => Ok(vec![record]),
    }
}

/// The white links of one record: (link id, the other record).
fn white_edges(tx: &Transaction<'_>, record: RecordId) -> Result<Vec<(i64, RecordId)>> {
    let mut stmt = tx.prepare_cached(
        "SELECT id, record_a, record_b FROM links WHERE state = 'white' AND (record_a = ?1 OR record_b = ?1)",
    )?;
    let me = record.to_string();
    let rows: Vec<(i64, String, String)> = stmt
        .query_map(params![me], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<std::result::Result<_, _>>()?;
    rows.into_iter()
        .map(|(id, a, b)| {
            let other = if a == me { b } else { a };
            RecordId::parse(&other)
                .map(|o| (id, o))
                .ok_or_else(|| StoreError::Corrupt(format!("link {id}: record id '{other}'")))
        })
        .collect()
}

/// The white links of a path from `from` to `to`, leaving out link
/// `skip`; `None` when there is none.
fn white_path(
    tx: &Transaction<'_>,
    from: RecordId,
    to: RecordId,
    skip: Option<i64>,
) -> Result<Option<Vec<i64>>> {
    let mut came_by: std::collections::HashMap<RecordId, (RecordId, i64)> = Default::default();
    let mut seen = HashSet::from([from]);
    let mut queue = VecDeque::from([from]);
    while let Some(r) = queue.pop_front() {
        if r == to {
            let mut path = Vec::new();
            let mut at = to;
            while let Some(&(prev, link)) = came_by.get(&at) {
                path.push(link);
                at = prev;
            }
            path.reverse();
            return Ok(Some(path));
        }
        for (link, next) in white_edges(tx, r)? {
            if Some(link) != skip && seen.insert(next) {
                came_by.insert(next, (r, link));
                queue.push_back(next);
            }
        }
    }
    Ok(None)
}

/// The links that making `a` and `b` the same person contradicts: a green
/// link between their clusters, and the white links that tie its ends to
/// `a` and `b`.
fn white_conflicts(tx: &Transaction<'_>, a: RecordId, b: RecordId) -> Result<Option<Vec<i64>>> {
    let (left, right) = (side(tx, a)?, side(tx, b)?);
    let right_set: HashSet<RecordId> = right.iter().copied().collect();
    let mut stmt = tx.prepare_cached(
        "SELECT id, record_a, record_b FROM links WHERE state = 'green' AND (record_a = ?1 OR record_b = ?1)",
    )?;
    for x in &left {
        let me = x.to_string();
        let greens: Vec<(i64, String, String)> = stmt
            .query_map(params![me], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<std::result::Result<_, _>>()?;
        for (green, ra, rb) in greens {
            let other = if ra == me { rb } else { ra };
            let Some(y) = RecordId::parse(&other).filter(|y| right_set.contains(y)) else {
                continue;
            };
            let mut named = vec![green];
            named.extend(white_path(tx, a, *x, None)?.unwrap_or_default());
            named.extend(white_path(tx, b, y, None)?.unwrap_or_default());
            return Ok(Some(named));
        }
    }
    Ok(None)
}

/// The white links that make `a` and `b` one person (other than `link`
/// itself), which judging them different persons contradicts.
fn green_conflicts(
    tx: &Transaction<'_>,
    a: RecordId,
    b: RecordId,
    link: i64,
) -> Result<Option<Vec<i64>>> {
    white_path(tx, a, b, Some(link))
}

fn list(ids: &[i64]) -> String {
    ids.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

fn new_cluster(tx: &Transaction<'_>) -> Result<i64> {
    tx.prepare_cached("INSERT INTO clusters (created_at) VALUES (?1)")?
        .execute(params![ts(&now())])?;
    Ok(tx.last_insert_rowid())
}

fn put_in(tx: &Transaction<'_>, record: RecordId, cluster: i64) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO record_clusters (record_id, cluster_id, first_cluster) VALUES (?1, ?2, ?2)
         ON CONFLICT (record_id) DO UPDATE SET cluster_id = excluded.cluster_id",
    )?
    .execute(params![record.to_string(), cluster])?;
    Ok(())
}

/// A white link between `a` and `b` now exists: their clusters become one,
/// under the older id.
fn join(tx: &Transaction<'_>, a: RecordId, b: RecordId) -> Result<()> {
    match (cluster_of(tx, a)?, cluster_of(tx, b)?) {
        (None, None) => {
            let c = new_cluster(tx)?;
            put_in(tx, a, c)?;
            put_in(tx, b, c)?;
        }
        (Some(c), None) => put_in(tx, b, c)?,
        (None, Some(c)) => put_in(tx, a, c)?,
        (Some(x), Some(y)) if x != y => {
            let (keep, absorbed) = (x.min(y), x.max(y));
            tx.execute(
                "UPDATE record_clusters SET cluster_id = ?1 WHERE cluster_id = ?2",
                params![keep, absorbed],
            )?;
            tx.execute(
                "UPDATE clusters SET merged_into = ?1 WHERE id = ?2 OR merged_into = ?2",
                params![keep, absorbed],
            )?;
        }
        _ => {}
    }
    Ok(())
}

/// The white link `link` between `a` and `b` is gone: when nothing else
/// ties them, the cluster splits. The larger part keeps the id; the other
/// gets back the id its records had before they were merged in, if they
/// all had the same one, or a new one. A part of one record leaves the
/// cluster table.
fn split(tx: &Transaction<'_>, a: RecordId, b: RecordId) -> Result<()> {
    let Some(cluster) = cluster_of(tx, a)? else {
        return Ok(());
    };
    // The part still tied to `a`.
    let mut part_a = HashSet::from([a]);
    let mut queue = VecDeque::from([a]);
    while let Some(r) = queue.pop_front() {
        for (_, next) in white_edges(tx, r)? {
            if part_a.insert(next) {
                queue.push_back(next);
            }
        }
    }
    if part_a.contains(&b) {
        return Ok(());
    }
    let everyone = members(tx, cluster)?;
    let part_b: Vec<RecordId> = everyone
        .iter()
        .copied()
        .filter(|r| !part_a.contains(r))
        .collect();
    let part_a: Vec<RecordId> = everyone
        .iter()
        .copied()
        .filter(|r| part_a.contains(r))
        .collect();
    let (kept, leaving) = if part_a.len() >= part_b.len() {
        (part_a, part_b)
    } else {
        (part_b, part_a)
    };
    let leaving_id = match previous_cluster(tx, &leaving, cluster)? {
        Some(old) => {
            tx.execute(
                "UPDATE clusters SET merged_into = NULL WHERE id = ?1",
                params![old],
            )?;
            old
        }
        None => new_cluster(tx)?,
    };
    for (part, id) in [(&kept, cluster), (&leaving, leaving_id)] {
        for r in part.iter() {
            if part.len() == 1 {
                tx.execute(
                    "DELETE FROM record_clusters WHERE record_id = ?1",
                    params![r.to_string()],
                )?;
            } else {
                tx.execute(
                    "UPDATE record_clusters SET cluster_id = ?1 WHERE record_id = ?2",
                    params![id, r.to_string()],
                )?;
            }
        }
    }
    Ok(())
}

/// The cluster every record of `part` first joined, when they share one
/// that was merged into `cluster`.
fn previous_cluster(tx: &Transaction<'_>, part: &[RecordId], cluster: i64) -> Result<Option<i64>> {
    let mut firsts = HashSet::new();
    for r in part {
        let first: i64 = tx
            .prepare_cached("SELECT first_cluster FROM record_clusters WHERE record_id = ?1")?
            .query_row(params![r.to_string()], |row| row.get(0))?;
        firsts.insert(first);
    }
    let [first] = firsts.into_iter().collect::<Vec<_>>()[..] else {
        return Ok(None);
    };
    let merged_into: Option<i64> = tx
        .prepare_cached("SELECT merged_into FROM clusters WHERE id = ?1")?
        .query_row(params![first], |row| row.get(0))
        .optional()?
        .flatten();
    Ok((first != cluster && merged_into == Some(cluster)).then_some(first))
}

fn set_state(
    tx: &Transaction<'_>,
    link: &IdentityLink,
    state: LinkState,
    decided: bool,
) -> Result<()> {
    tx.prepare_cached(
        "UPDATE links SET state = ?1, decided = MAX(decided, ?2), updated_at = ?3 WHERE id = ?4",
    )?
    .execute(params![name(state), decided, ts(&now()), link.id])?;
    let [a, b] = link.records;
    if state == LinkState::White && link.state != LinkState::White {
        join(tx, a, b)?;
    } else if link.state == LinkState::White && state != LinkState::White {
        split(tx, a, b)?;
    }
    Ok(())
}

impl LinkStore for SqliteStore {
    fn propose_links(
        &self,
        proposals: Vec<ProposedLink>,
        audit: AuditEvent,
    ) -> Result<Vec<IdentityLink>> {
        let (agency, token) = (audit.agency.to_string(), audit.token_id.clone());
        self.write(audit, |tx| {
            let mut changed = Vec::new();
            for p in proposals {
                let (a, b) = p.records;
                let conflict = match p.state {
                    LinkState::White => white_conflicts(tx, a, b)?,
                    _ => None,
                };
                let (state, note) = match conflict {
                    Some(links) => (
                        LinkState::Yellow,
                        format!(
                            "the same-identity rule holds, but a white link contradicts links {}",
                            list(&links)
                        ),
                    ),
                    None if p.state == LinkState::White => {
                        (LinkState::White, "the same-identity rule holds".to_string())
                    }
                    None => (p.state, "a candidate at or above the link threshold".into()),
                };
                let evidence = to_json("link evidence", &p.evidence)?;
                let id = match existing_link(tx, a, b)? {
                    None => {
                        let at = ts(&now());
                        tx.prepare_cached(
                            "INSERT INTO links (record_a, record_b, owner_a, owner_b, responsible, state,
                               score, evidence, created_at, updated_at)
                             VALUES (?1, ?2, ?3, ?4, ?5, 'yellow', ?6, ?7, ?8, ?8)",
                        )?
                        .execute(params![
                            a.to_string(),
                            b.to_string(),
                            p.owners.0.as_str(),
                            p.owners.1.as_str(),
                            p.responsible.as_str(),
                            p.score,
                            evidence,
                            at
                        ])?;
                        let id = tx.last_insert_rowid();
                        let link = load_link(tx, id)?.ok_or_else(|| StoreError::NotFound {
                            what: "link".into(),
                        })?;
                        set_state(tx, &link, state, false)?;
                        id
                    }
                    Some(link)
                        if !link.decided
                            && link.state == LinkState::Yellow
                            && state == LinkState::White =>
                    {
                        tx.execute(
                            "UPDATE links SET score = ?1, evidence = ?2 WHERE id = ?3",
                            params![p.score, evidence, link.id],
                        )?;
                        set_state(tx, &link, state, false)?;
                        link.id
                    }
                    Some(_) => continue,
                };
                add_judgement(tx, id, state, &agency, &token, true, &note)?;
                changed.push(load_link(tx, id)?.ok_or_else(|| StoreError::NotFound {
                    what: "link".into(),
                })?);
            }
            Ok(changed)
        })
    }

    fn judge_link(
        &self,
        id: i64,
        judgement: NewJudgement,
        audit: AuditEvent,
    ) -> Result<IdentityLink> {
        self.write(audit, |tx| {
            let link = load_link(tx, id)?.ok_or_else(|| StoreError::NotFound {
                what: "link".into(),
            })?;
            let [a, b] = link.records;
            let conflict = match judgement.state {
                LinkState::White if link.state != LinkState::White => white_conflicts(tx, a, b)?,
                LinkState::Green => green_conflicts(tx, a, b, link.id)?,
                _ => None,
            };
            if let Some(links) = conflict {
                return Err(StoreError::Contradiction { links });
            }
            set_state(tx, &link, judgement.state, true)?;
            add_judgement(
                tx,
                id,
                judgement.state,
                judgement.agency.as_str(),
                &judgement.token_id,
                false,
                &judgement.note,
            )?;
            load_link(tx, id)?.ok_or_else(|| StoreError::NotFound {
                what: "link".into(),
            })
        })
    }

    fn link(&self, id: i64) -> Result<Option<IdentityLink>> {
        self.read(|conn| load_link(conn, id))
    }

    fn link_judgements(&self, id: i64) -> Result<Vec<Judgement>> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {JUDGEMENT_COLUMNS} FROM link_judgements WHERE link_id = ?1 ORDER BY id"
            ))?;
            rows::all(&mut stmt, params![id], rows::judgement)
        })
    }

    fn links(&self, filter: &LinkFilter) -> Result<Vec<IdentityLink>> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {LINK_COLUMNS} FROM {LINK_FROM}
                 WHERE l.id > ?1
                   AND (?2 IS NULL OR l.state = ?2)
                   AND (?3 IS NULL OR l.record_a = ?3 OR l.record_b = ?3)
                   AND (?4 IS NULL OR l.responsible = ?4)
                 ORDER BY l.id LIMIT ?5"
            ))?;
            rows::all(
                &mut stmt,
                params![
                    filter.after.unwrap_or(0),
                    filter.state.map(name),
                    filter.record.map(|r| r.to_string()),
                    filter.responsible.as_ref().map(|a| a.as_str()),
                    filter.limit as i64
                ],
                rows::link,
            )
        })
    }

    fn unfinished_xref(&self) -> Result<Option<XrefRun>> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT id, target, position, records, yellow, white, finished_at FROM xref_runs
                 WHERE finished_at IS NULL ORDER BY id DESC LIMIT 1",
            )?;
            rows::first(&mut stmt, [], rows::xref_run)
        })
    }

    fn start_xref(&self, target: i64) -> Result<XrefRun> {
        self.write_unaudited(|tx| {
            tx.execute(
                "UPDATE xref_runs SET finished_at = ?1 WHERE finished_at IS NULL",
                params![ts(&now())],
            )?;
            tx.execute(
                "INSERT INTO xref_runs (target, position, started_at) VALUES (?1, 0, ?2)",
                params![target, ts(&now())],
            )?;
            Ok(XrefRun {
                id: tx.last_insert_rowid(),
                target,
                position: 0,
                records: 0,
                yellow: 0,
                white: 0,
                finished: false,
            })
        })
    }

    fn save_xref(&self, run: &XrefRun) -> Result<()> {
        self.write_unaudited(|tx| {
            tx.execute(
                "UPDATE xref_runs SET position = ?1, records = ?2, yellow = ?3, white = ?4,
                   finished_at = CASE WHEN ?5 THEN ?6 ELSE NULL END
                 WHERE id = ?7",
                params![
                    run.position,
                    run.records,
                    run.yellow,
                    run.white,
                    run.finished,
                    ts(&now()),
                    run.id
                ],
            )?;
            Ok(())
        })
    }

    fn cluster(&self, id: i64) -> Result<Option<Cluster>> {
        self.read(|conn| {
            let mut current = id;
            // Merges are flattened as they happen: one step at most.
            let merged: Option<Option<i64>> = conn
                .prepare_cached("SELECT merged_into FROM clusters WHERE id = ?1")?
                .query_row(params![id], |r| r.get(0))
                .optional()?;
            let Some(merged) = merged else {
                return Ok(None);
            };
            if let Some(into) = merged {
                current = into;
            }
            let mut stmt = conn.prepare_cached(
                "SELECT record_id FROM record_clusters WHERE cluster_id = ?1 ORDER BY record_id",
            )?;
            let ids: Vec<String> = stmt
                .query_map(params![current], |r| r.get(0))?
                .collect::<std::result::Result<_, _>>()?;
            let records = ids
                .iter()
                .map(|s| {
                    RecordId::parse(s).ok_or_else(|| {
                        StoreError::Corrupt(format!("record_clusters: record id '{s}'"))
                    })
                })
                .collect::<Result<Vec<_>>>()?;
            Ok(Some(Cluster {
                id: current,
                merged_from: merged.map(|_| id),
                records,
            }))
        })
    }
}
