//! [`FederationStore`] for SQLite: `org_identity`, `peers`, the sender's
//! `release_positions`, `release_log` and `released`, the receiver's
//! `peer_checkpoints`, `received` and `quarantine`.

use std::collections::HashMap;

use rusqlite::{params, OptionalExtension, Transaction};
use vigil_core::audit::AuditEvent;
use vigil_core::{AgencyCode, AgencyKind, Hit, Record, RecordId};

use super::hits::insert_hit;
use super::records::{changed, save_record};
use super::rows::{self, name, now, to_json, ts};
use super::rows::{
    CHECKPOINT_COLUMNS, HIT_COLUMNS, ORG_COLUMNS, PEER_COLUMNS, PROVENANCE_COLUMNS,
    QUARANTINE_COLUMNS,
};
use super::{insert_new, SqliteStore};
use crate::error::{Result, StoreError};
use crate::federation::{
    CopyState, FederationStore, HomeDelivery, HomeHit, OrgIdentity, Peer, Provenance, Quarantined,
    ReceivedBatch, ReceiverState, ReleaseEntry, ReleaseOp, ReleasePosition, Released, SyncTurn,
};
use crate::records::Actor;

fn no_peer(peer: &AgencyCode) -> StoreError {
    StoreError::NotFound {
        what: format!("peer {peer}"),
    }
}

fn position(conn: &rusqlite::Connection, peer: &AgencyCode) -> Result<ReleasePosition> {
    conn.query_row(
        "SELECT epoch, change_seq, head FROM release_positions WHERE peer = ?1",
        params![peer.as_str()],
        |r| {
            Ok(ReleasePosition {
                epoch: r.get(0)?,
                change_seq: r.get(1)?,
                head: r.get(2)?,
            })
        },
    )
    .optional()?
    .ok_or_else(|| no_peer(peer))
}

fn upsert_copy(tx: &Transaction<'_>, copy: &Provenance) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO received (peer, origin_id, record_id, origin_owner, origin_version, level, received_at, epoch, state)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT(peer, origin_id) DO UPDATE SET origin_owner = excluded.origin_owner,
           origin_version = excluded.origin_version, level = excluded.level,
           received_at = excluded.received_at, epoch = excluded.epoch, state = excluded.state",
    )?
    .execute(params![
        copy.peer.as_str(),
        copy.origin_id.to_string(),
        copy.record_id.to_string(),
        copy.origin_owner.as_str(),
        copy.origin_version,
        name(copy.level),
        ts(&copy.received_at),
        copy.epoch,
        name(copy.state),
    ])?;
    Ok(())
}

/// A peer's checkpoint row, without counts.
fn load_checkpoint(conn: &rusqlite::Connection, peer: &AgencyCode) -> Result<ReceiverState> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {CHECKPOINT_COLUMNS} FROM peer_checkpoints WHERE peer = ?1"
    ))?;
    rows::first(&mut stmt, params![peer.as_str()], rows::checkpoint)?.ok_or_else(|| no_peer(peer))
}

impl FederationStore for SqliteStore {
    fn org(&self) -> Result<Option<OrgIdentity>> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {ORG_COLUMNS} FROM org_identity WHERE only_row = 1"
            ))?;
            rows::first(&mut stmt, [], rows::org_identity)
        })
    }

    fn init_org(&self, org: &OrgIdentity, audit: AuditEvent) -> Result<()> {
        self.write(audit, |tx| {
            insert_new(
                tx,
                "this instance's organisation identity",
                "INSERT INTO org_identity (only_row, code, name, secret_key, public_key, created_at)
                 VALUES (1, ?1, ?2, ?3, ?4, ?5) ON CONFLICT(only_row) DO NOTHING",
                params![
                    org.code.as_str(),
                    org.name,
                    org.secret_key,
                    org.public_key,
                    ts(&org.created_at)
                ],
            )
        })
    }

    fn reset_release(&self, peer: &AgencyCode, epoch: &str, audit: AuditEvent) -> Result<()> {
        self.write(audit, |tx| {
            let p = params![peer.as_str()];
            if tx.execute(
                "UPDATE release_positions SET epoch = ?2, change_seq = 0, head = 0 WHERE peer = ?1",
                params![peer.as_str(), epoch],
            )? == 0
            {
                return Err(no_peer(peer));
            }
            tx.execute("DELETE FROM release_log WHERE peer = ?1", p)?;
            tx.execute("DELETE FROM released WHERE peer = ?1", p)?;
            Ok(())
        })
    }

    fn add_peer(&self, peer: &Peer, epoch: &str, audit: AuditEvent) -> Result<()> {
        self.write(audit, |tx| {
            insert_new(
                tx,
                &format!("peer {}", peer.code),
                "INSERT INTO peers (code, url, public_key, added_at) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT(code) DO NOTHING",
                params![
                    peer.code.as_str(),
                    peer.url,
                    peer.public_key,
                    ts(&peer.added_at)
                ],
            )?;
            tx.execute(
                "INSERT INTO release_positions (peer, epoch, change_seq, head) VALUES (?1, ?2, 0, 0)",
                params![peer.code.as_str(), epoch],
            )?;
            tx.execute(
                "INSERT INTO peer_checkpoints (peer, epoch, applied_seq, past_epochs, head, unchanged, refused)
                 VALUES (?1, NULL, 0, '[]', 0, 0, 0)",
                params![peer.code.as_str()],
            )?;
            Ok(())
        })
    }

    fn peers(&self) -> Result<Vec<Peer>> {
        self.read(|conn| {
            let mut stmt =
                conn.prepare_cached(&format!("SELECT {PEER_COLUMNS} FROM peers ORDER BY code"))?;
            rows::all(&mut stmt, [], rows::peer)
        })
    }

    fn peer(&self, code: &AgencyCode) -> Result<Option<Peer>> {
        self.read(|conn| {
            let mut stmt =
                conn.prepare_cached(&format!("SELECT {PEER_COLUMNS} FROM peers WHERE code = ?1"))?;
            rows::first(&mut stmt, params![code.as_str()], rows::peer)
        })
    }

    fn peers_answering_queries(&self) -> Result<Vec<Peer>> {
        self.read(|conn| {
            let columns = rows::aliased("p", PEER_COLUMNS);
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {columns} FROM peers p JOIN peer_checkpoints c ON c.peer = p.code
                 WHERE c.answers_queries = 1 ORDER BY p.code"
            ))?;
            rows::all(&mut stmt, [], rows::peer)
        })
    }

    fn release_position(&self, peer: &AgencyCode) -> Result<ReleasePosition> {
        self.read(|conn| position(conn, peer))
    }

    fn released(
        &self,
        peer: &AgencyCode,
        records: &[RecordId],
    ) -> Result<HashMap<RecordId, Released>> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT version, level, agencies FROM released WHERE peer = ?1 AND record_id = ?2",
            )?;
            let mut out = HashMap::new();
            for id in records {
                let row = stmt
                    .query_row(params![peer.as_str(), id.to_string()], |r| {
                        Ok((
                            r.get::<_, u32>(0)?,
                            r.get::<_, String>(1)?,
                            r.get::<_, String>(2)?,
                        ))
                    })
                    .optional()?;
                if let Some((version, level, agencies)) = row {
                    let corrupt = |what: &str| {
                        StoreError::Corrupt(format!("released {id} to {peer}: {what}"))
                    };
                    out.insert(
                        *id,
                        Released {
                            version,
                            level: level.parse().map_err(|_| corrupt("level"))?,
                            agencies: serde_json::from_str(&agencies)
                                .map_err(|_| corrupt("agencies"))?,
                        },
                    );
                }
            }
            Ok(out)
        })
    }

    fn append_release(
        &self,
        peer: &AgencyCode,
        from: i64,
        to: i64,
        entries: Vec<ReleaseEntry>,
        audit: AuditEvent,
    ) -> Result<ReleasePosition> {
        let append = |tx: &Transaction<'_>| {
            let mut at = position(tx, peer)?;
            if at.change_seq != from {
                return Err(StoreError::Conflict(format!(
                    "the release feed for {peer} has moved on to {}, not {from}",
                    at.change_seq
                )));
            }
            for entry in &entries {
                if let Some(body) = &entry.body {
                    at.head += 1;
                    tx.prepare_cached(
                        "INSERT INTO release_log (peer, seq, record_id, body) VALUES (?1, ?2, ?3, ?4)",
                    )?
                    .execute(params![
                        peer.as_str(),
                        at.head,
                        entry.record.to_string(),
                        body
                    ])?;
                }
                match &entry.released {
                    Some(r) => tx
                        .prepare_cached(
                            "INSERT INTO released (peer, record_id, version, level, agencies) VALUES (?1, ?2, ?3, ?4, ?5)
                             ON CONFLICT(peer, record_id) DO UPDATE SET version = excluded.version,
                               level = excluded.level, agencies = excluded.agencies",
                        )?
                        .execute(params![
                            peer.as_str(),
                            entry.record.to_string(),
                            r.version,
                            name(r.level),
                            to_json("released agencies", &r.agencies)?
                        ])?,
                    None => tx
                        .prepare_cached("DELETE FROM released WHERE peer = ?1 AND record_id = ?2")?
                        .execute(params![peer.as_str(), entry.record.to_string()])?,
                };
            }
            at.change_seq = to;
            tx.execute(
                "UPDATE release_positions SET change_seq = ?2, head = ?3 WHERE peer = ?1",
                params![peer.as_str(), at.change_seq, at.head],
            )?;
            Ok(at)
        };
        if entries.is_empty() {
            // Only the position moved: bookkeeping, nothing released.
            self.write_unaudited(append)
        } else {
            self.write(audit, append)
        }
    }

    fn answers_queries(&self, peer: &AgencyCode) -> Result<bool> {
        self.read(|conn| {
            Ok(conn
                .prepare_cached(
                    "SELECT 1 FROM released WHERE peer = ?1 AND level = 'query' LIMIT 1",
                )?
                .exists(params![peer.as_str()])?)
        })
    }

    fn release_ops(&self, peer: &AgencyCode, after: i64, limit: usize) -> Result<Vec<ReleaseOp>> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT seq, body FROM release_log WHERE peer = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3",
            )?;
            let rows = stmt.query_map(params![peer.as_str(), after, limit as i64], |r| {
                Ok(ReleaseOp {
                    seq: r.get(0)?,
                    body: r.get(1)?,
                })
            })?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
    }

    fn receiver_checkpoint(&self, peer: &AgencyCode) -> Result<ReceiverState> {
        self.read(|conn| load_checkpoint(conn, peer))
    }

    fn receiver_state(&self, peer: &AgencyCode) -> Result<ReceiverState> {
        self.read(|conn| {
            let mut state = load_checkpoint(conn, peer)?;
            let mut stmt = conn.prepare_cached(
                "SELECT state, COUNT(*) FROM received WHERE peer = ?1 GROUP BY state",
            )?;
            let counts = stmt.query_map(params![peer.as_str()], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, u64>(1)?))
            })?;
            for count in counts {
                let (copy_state, n) = count?;
                match copy_state.parse() {
                    Ok(CopyState::Held) => state.received = n,
                    Ok(CopyState::Retracted) => state.retracted = n,
                    Ok(CopyState::Retired) => state.retired = n,
                    Err(_) => {
                        return Err(StoreError::Corrupt(format!(
                            "received copy state '{copy_state}'"
                        )))
                    }
                }
            }
            state.quarantined = conn.query_row(
                "SELECT COUNT(*) FROM quarantine WHERE peer = ?1",
                params![peer.as_str()],
                |r| r.get(0),
            )?;
            Ok(state)
        })
    }

    fn copies(
        &self,
        peer: &AgencyCode,
        origins: &[RecordId],
    ) -> Result<HashMap<RecordId, Provenance>> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {PROVENANCE_COLUMNS} FROM received WHERE peer = ?1 AND origin_id = ?2"
            ))?;
            let mut out = HashMap::new();
            for id in origins {
                if let Some(copy) = rows::first(
                    &mut stmt,
                    params![peer.as_str(), id.to_string()],
                    rows::provenance,
                )? {
                    out.insert(*id, copy);
                }
            }
            Ok(out)
        })
    }

    fn copies_outside_epoch(&self, peer: &AgencyCode, epoch: &str) -> Result<Vec<Provenance>> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {PROVENANCE_COLUMNS} FROM received WHERE peer = ?1 AND state = 'held' AND epoch <> ?2"
            ))?;
            rows::all(&mut stmt, params![peer.as_str(), epoch], rows::provenance)
        })
    }

    fn apply_received(&self, batch: ReceivedBatch, audit: AuditEvent) -> Result<Vec<Record>> {
        let actor = Actor::from(&audit);
        self.write(audit, |tx| {
            let (epoch, applied): (Option<String>, i64) = tx
                .query_row(
                    "SELECT epoch, applied_seq FROM peer_checkpoints WHERE peer = ?1",
                    params![batch.peer.as_str()],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?
                .ok_or_else(|| no_peer(&batch.peer))?;
            if epoch != batch.expected_epoch || applied != batch.expected_applied {
                return Err(StoreError::Conflict(format!(
                    "the checkpoint for {} moved to {applied} meanwhile; the batch was not applied",
                    batch.peer
                )));
            }
            let at = now();
            for owner in &batch.owners {
                tx.prepare_cached(
                    "INSERT INTO agencies (code, name, kind, created_at) VALUES (?1, ?1, ?2, ?3)
                     ON CONFLICT(code) DO NOTHING",
                )?
                .execute(params![
                    owner.as_str(),
                    name(AgencyKind::PeerAgency),
                    ts(&at)
                ])?;
            }
            let mut out = Vec::with_capacity(batch.changes.len());
            for received in batch.changes {
                let (mut record, kind) = changed(tx, received.change)?;
                if let Some(due) = received.review_due {
                    record.review_due = due;
                }
                save_record(tx, &record, kind, &actor)?;
                out.push(record);
            }
            for copy in &batch.copies {
                upsert_copy(tx, copy)?;
            }
            for q in &batch.quarantined {
                tx.prepare_cached(
                    "INSERT INTO quarantine (peer, seq, origin, diagnostic, body, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                )?
                .execute(params![
                    q.peer.as_str(),
                    q.seq,
                    q.origin,
                    q.diagnostic,
                    q.body,
                    ts(&q.at)
                ])?;
            }
            tx.execute(
                "UPDATE peer_checkpoints SET epoch = ?2, applied_seq = ?3, past_epochs = ?4, head = ?5,
                   last_attempt = ?6, last_success = ?6, last_error = NULL, unchanged = unchanged + ?7,
                   last_digest = COALESCE(?8, last_digest), answers_queries = ?9, reconcile_pending = ?10
                 WHERE peer = ?1",
                params![
                    batch.peer.as_str(),
                    batch.epoch,
                    batch.applied,
                    to_json("past epochs", &batch.past_epochs)?,
                    batch.head,
                    ts(&at),
                    batch.unchanged,
                    batch.digest,
                    batch.answers_queries,
                    batch.reconcile_pending
                ],
            )?;
            Ok(out)
        })
    }

    fn note_sync(
        &self,
        peer: &AgencyCode,
        error: Option<&str>,
        head: Option<i64>,
        refused: Option<AuditEvent>,
    ) -> Result<()> {
        let refusal = refused.is_some();
        let note = |tx: &Transaction<'_>| {
            let changed = tx.execute(
                "UPDATE peer_checkpoints SET last_attempt = ?2, last_error = ?3,
                   head = COALESCE(?4, head), refused = refused + ?5,
                   last_success = CASE WHEN ?3 IS NULL THEN ?2 ELSE last_success END
                 WHERE peer = ?1",
                params![peer.as_str(), ts(&now()), error, head, refusal as i64],
            )?;
            if changed == 0 {
                return Err(no_peer(peer));
            }
            Ok(())
        };
        match refused {
            Some(audit) => self.write(audit, note),
            None => self.write_unaudited(note),
        }
    }

    fn provenance(&self, record: RecordId) -> Result<Option<Provenance>> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {PROVENANCE_COLUMNS} FROM received WHERE record_id = ?1"
            ))?;
            rows::first(&mut stmt, params![record.to_string()], rows::provenance)
        })
    }

    fn quarantine(&self, peer: &AgencyCode, limit: usize) -> Result<Vec<Quarantined>> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {QUARANTINE_COLUMNS} FROM quarantine WHERE peer = ?1 ORDER BY id DESC LIMIT ?2"
            ))?;
            rows::all(&mut stmt, params![peer.as_str(), limit as i64], rows::quarantined)
        })
    }

    fn sync_turn(&self, peer: &AgencyCode) -> Result<Option<SyncTurn>> {
        // A lock on a file beside the database: the system releases it when
        // the process ends, killed or not, so no turn outlives its holder.
        let dir = self.path().parent().unwrap_or(std::path::Path::new("."));
        let path = dir.join(format!("sync-{peer}.lock"));
        let io = |source| StoreError::Io {
            path: path.display().to_string(),
            source,
        };
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(io)?;
        match file.try_lock() {
            Ok(()) => Ok(Some(SyncTurn::new(file))),
            Err(std::fs::TryLockError::WouldBlock) => Ok(None),
            Err(std::fs::TryLockError::Error(e)) => Err(io(e)),
        }
    }

    fn ever_released(&self, peer: &AgencyCode, record: RecordId) -> Result<bool> {
        self.read(|conn| {
            Ok(conn
                .prepare_cached(
                    "SELECT 1 FROM release_log WHERE peer = ?1 AND record_id = ?2 LIMIT 1",
                )?
                .exists(params![peer.as_str(), record.to_string()])?)
        })
    }

    fn due_home_deliveries(
        &self,
        now: chrono::DateTime<chrono::Utc>,
        limit: usize,
    ) -> Result<Vec<HomeDelivery>> {
        self.read(|conn| {
            let columns = rows::aliased("h", HIT_COLUMNS);
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT o.id AS delivery_id, o.peer AS delivery_peer, o.attempts AS delivery_attempts, {columns}
                 FROM home_outbox o JOIN hits h ON h.id = o.hit_id
                 WHERE o.delivered_at IS NULL AND o.next_attempt_at <= ?1
                 ORDER BY o.next_attempt_at, o.id LIMIT ?2"
            ))?;
            rows::all(&mut stmt, params![ts(&now), limit as i64], |row| {
                Ok(HomeDelivery {
                    id: row.get("delivery_id")?,
                    peer: rows::peer_code(row, "delivery_peer")?,
                    attempts: row.get("delivery_attempts")?,
                    hit: rows::hit(row)?,
                })
            })
        })
    }

    fn home_delivered(&self, ids: &[i64]) -> Result<()> {
        self.write_unaudited(|tx| {
            let at = ts(&now());
            for id in ids {
                tx.prepare_cached(
                    "UPDATE home_outbox SET delivered_at = ?2, last_error = NULL WHERE id = ?1",
                )?
                .execute(params![id, at])?;
            }
            Ok(())
        })
    }

    fn home_failed(
        &self,
        peer: &AgencyCode,
        ids: &[i64],
        error: &str,
        retry_at: chrono::DateTime<chrono::Utc>,
    ) -> Result<()> {
        self.write_unaudited(|tx| {
            for id in ids {
                tx.prepare_cached(
                    "UPDATE home_outbox SET attempts = attempts + 1, last_error = ?2 WHERE id = ?1",
                )?
                .execute(params![id, error])?;
            }
            tx.prepare_cached(
                "UPDATE home_outbox SET next_attempt_at = ?2 WHERE peer = ?1 AND delivered_at IS NULL",
            )?
            .execute(params![peer.as_str(), ts(&retry_at)])?;
            Ok(())
        })
    }

    fn insert_home_hits(
        &self,
        peer: &AgencyCode,
        hits: Vec<HomeHit>,
        audit: AuditEvent,
    ) -> Result<Vec<Hit>> {
        self.write(audit, |tx| {
            let mut out = Vec::new();
            let at = ts(&now());
            for home in hits {
                let seen = tx
                    .prepare_cached("SELECT 1 FROM home_hits WHERE peer = ?1 AND key = ?2")?
                    .exists(params![peer.as_str(), home.key])?;
                if seen {
                    continue;
                }
                let hit = insert_hit(tx, home.hit)?;
                tx.prepare_cached(
                    "INSERT INTO home_hits (peer, key, hit_id, received_at) VALUES (?1, ?2, ?3, ?4)",
                )?
                .execute(params![peer.as_str(), home.key, hit.id, at])?;
                out.push(hit);
            }
            Ok(out)
        })
    }
}
