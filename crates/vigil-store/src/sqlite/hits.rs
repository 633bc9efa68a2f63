//! [`HitStore`] for SQLite: `hits`, `suppressions`, `webhooks`, the
//! `outbox` of deliveries, and `manifests`. A hit and its deliveries are
//! written in one transaction, so no hit is stored without its owner being
//! told, and none is told of a hit that was not stored.

use chrono::{DateTime, Utc};
use rusqlite::{params, Transaction};
use vigil_core::audit::AuditEvent;
use vigil_core::{Access, AgencyCode, Hit, HitNotification, HitStatus, NewHit, RecordId};

use super::rows::{self, name, now, to_json, ts};
use super::rows::{DELIVERY_COLUMNS, HIT_COLUMNS, MANIFEST_COLUMNS, WEBHOOK_COLUMNS};
use super::{insert_new, SqliteStore};
use crate::error::{Result, StoreError};
use crate::hits::{Delivery, HitFilter, HitStore, StoredManifest, Webhook};
use crate::ids::new_hit_id;

/// Stores one hit and queues its delivery to each of the owner's webhooks,
/// and home to the owner's organisation when the record is a copy received
/// from a peer (its owner is `AGENCY@PEER`).
pub(super) fn insert_hit(tx: &Transaction<'_>, h: NewHit) -> Result<Hit> {
    let id = new_hit_id();
    let at = now();
    // Under the write lock: the next number in each sequence is taken by
    // this transaction alone.
    let owner_seq: i64 = tx
        .prepare_cached("SELECT COALESCE(MAX(owner_seq), 0) + 1 FROM hits WHERE owner = ?1")?
        .query_row(params![h.owner.as_str()], |r| r.get(0))?;
    let screener_seq: Option<i64> = match h.disclosed {
        Access::Hidden => None,
        _ => Some(
            tx.prepare_cached(
                "SELECT COALESCE(MAX(screener_seq), 0) + 1 FROM hits WHERE screening_agency = ?1",
            )?
            .query_row(params![h.screening_agency.as_str()], |r| r.get(0))?,
        ),
    };
    tx.prepare_cached(
        "INSERT INTO hits (id, record_id, owner, reference, screening_agency, token_id, purpose, disclosed,
           traveller, context, score, explanation, created_at, status, traveller_keys, owner_seq, screener_seq)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
    )?
    .execute(params![
        id,
        h.record.to_string(),
        h.owner.as_str(),
        h.reference,
        h.screening_agency.as_str(),
        h.token_id,
        h.purpose,
        name(h.disclosed),
        to_json("traveller", &h.traveller)?,
        to_json("hit context", &h.context)?,
        h.score,
        to_json("explanation", &h.explanation)?,
        ts(&at),
        name(HitStatus::New),
        to_json("traveller keys", &h.traveller_keys)?,
        owner_seq,
        screener_seq,
    ])?;
    let hit = Hit {
        seq: owner_seq,
        stored: tx.last_insert_rowid(),
        screener_seq,
        id,
        record: h.record,
        owner: h.owner,
        reference: h.reference,
        screening_agency: h.screening_agency,
        token_id: h.token_id,
        purpose: h.purpose,
        disclosed: h.disclosed,
        traveller: h.traveller,
        context: h.context,
        score: h.score,
        explanation: h.explanation,
        created_at: at,
        status: HitStatus::New,
        decision_note: None,
        decided_by: None,
        decided_at: None,
    };
    let payload = to_json("hit notification", &HitNotification::of(&hit))?;
    let hooks: Vec<String> = {
        let mut stmt =
            tx.prepare_cached("SELECT id FROM webhooks WHERE agency = ?1 AND deleted_at IS NULL")?;
        let ids = stmt.query_map(params![hit.owner.as_str()], |r| r.get("id"))?;
        ids.collect::<rusqlite::Result<_>>()?
    };
    for hook in hooks {
        tx.prepare_cached(
            "INSERT INTO outbox (webhook_id, hit_id, idempotency_key, payload, next_attempt_at)
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )?
        .execute(params![
            hook,
            hit.id,
            format!("{}:{hook}", hit.id),
            payload,
            ts(&at)
        ])?;
    }
    if let Some(peer) = hit.owner.organisation() {
        tx.prepare_cached(
            "INSERT INTO home_outbox (peer, hit_id, next_attempt_at) VALUES (?1, ?2, ?3)",
        )?
        .execute(params![peer, hit.id, ts(&at)])?;
    }
    Ok(hit)
}

fn load_hit(conn: &rusqlite::Connection, id: &str) -> Result<Option<Hit>> {
    let mut stmt = conn.prepare_cached(&format!("SELECT {HIT_COLUMNS} FROM hits WHERE id = ?1"))?;
    rows::first(&mut stmt, params![id], rows::hit)
}

impl HitStore for SqliteStore {
    fn insert_hits(&self, hits: Vec<NewHit>, audit: AuditEvent) -> Result<Vec<Hit>> {
        self.write(audit, |tx| {
            hits.into_iter().map(|h| insert_hit(tx, h)).collect()
        })
    }

    fn hit(&self, id: &str) -> Result<Option<Hit>> {
        self.read(|conn| load_hit(conn, id))
    }

    fn hits(&self, filter: &HitFilter) -> Result<Vec<Hit>> {
        // The sequence a page is cut in: the owner's for an owner's hits,
        // the screening agency's for its own (which leaves out the hits it
        // may not know of), the store's otherwise.
        let order = match (&filter.owner, &filter.screening_agency) {
            (Some(_), _) => "owner_seq",
            (None, Some(_)) => "screener_seq",
            (None, None) => "seq",
        };
        let (cut, direction, start) = if filter.newest_first {
            ("<", "DESC", i64::MAX)
        } else {
            (">", "ASC", 0)
        };
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {HIT_COLUMNS} FROM hits
                 WHERE (?1 IS NULL OR owner = ?1)
                   AND (?2 IS NULL OR screening_agency = ?2)
                   AND (?3 IS NULL OR status = ?3)
                   AND {order} {cut} ?4
                   AND (?6 IS NULL OR record_id = ?6)
                 ORDER BY {order} {direction} LIMIT ?5"
            ))?;
            rows::all(
                &mut stmt,
                params![
                    filter.owner.as_ref().map(|a| a.as_str().to_string()),
                    filter
                        .screening_agency
                        .as_ref()
                        .map(|a| a.as_str().to_string()),
                    filter.status.map(name),
                    filter.after_seq.unwrap_or(start),
                    filter.limit.max(1) as i64,
                    filter.record.map(|r| r.to_string()),
                ],
                rows::hit,
            )
        })
    }

    fn last_hit_seq(&self, owner: &AgencyCode) -> Result<i64> {
        self.read(|conn| {
            Ok(conn.query_row(
                "SELECT COALESCE(MAX(owner_seq), 0) FROM hits WHERE owner = ?1",
                params![owner.as_str()],
                |r| r.get(0),
            )?)
        })
    }

    fn decide_hit(
        &self,
        id: &str,
        status: HitStatus,
        note: Option<&str>,
        by: &AgencyCode,
        audit: AuditEvent,
    ) -> Result<Hit> {
        let not_found = || StoreError::NotFound {
            what: format!("hit {id}"),
        };
        self.write(audit, |tx| {
            let at = now();
            let n = tx.execute(
                "UPDATE hits SET status = ?2, decision_note = ?3, decided_by = ?4, decided_at = ?5 WHERE id = ?1",
                params![id, name(status), note, by.as_str(), ts(&at)],
            )?;
            if n == 0 {
                return Err(not_found());
            }
            if status == HitStatus::FalsePositive {
                let mut stmt = tx.prepare_cached(
                    "SELECT id, record_id, traveller_keys FROM hits WHERE id = ?1",
                )?;
                let (record, keys) = rows::first(&mut stmt, params![id], rows::suppression_keys)?
                    .ok_or_else(not_found)?;
                for key in keys {
                    tx.execute(
                        "INSERT OR IGNORE INTO suppressions (record_id, traveller_key, hit_id, created_at) VALUES (?1, ?2, ?3, ?4)",
                        params![record, key, id, ts(&at)],
                    )?;
                }
            }
            load_hit(tx, id)?.ok_or_else(not_found)
        })
    }

    fn suppressed(&self, record: RecordId, keys: &[String]) -> Result<Vec<String>> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT 1 FROM suppressions WHERE record_id = ?1 AND traveller_key = ?2",
            )?;
            let mut out = Vec::new();
            for key in keys {
                if stmt.exists(params![record.to_string(), key])? {
                    out.push(key.clone());
                }
            }
            Ok(out)
        })
    }

    fn create_webhook(
        &self,
        id: &str,
        agency: &AgencyCode,
        url: &str,
        secret: &str,
        audit: AuditEvent,
    ) -> Result<Webhook> {
        let hook = Webhook {
            id: id.to_string(),
            agency: agency.clone(),
            url: url.to_string(),
            secret: secret.to_string(),
            created_at: now(),
        };
        self.write(audit, |tx| {
            insert_new(
                tx,
                &format!("webhook {id}"),
                "INSERT INTO webhooks (id, agency, url, secret, created_at) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT(id) DO NOTHING",
                params![hook.id, agency.as_str(), url, secret, ts(&hook.created_at)],
            )
        })?;
        Ok(hook)
    }

    fn webhooks(&self, agency: &AgencyCode) -> Result<Vec<Webhook>> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {WEBHOOK_COLUMNS} FROM webhooks WHERE agency = ?1 AND deleted_at IS NULL ORDER BY created_at"
            ))?;
            rows::all(&mut stmt, params![agency.as_str()], rows::webhook)
        })
    }

    fn delete_webhook(&self, agency: &AgencyCode, id: &str, audit: AuditEvent) -> Result<bool> {
        self.write(audit, |tx| {
            let n = tx.execute(
                "UPDATE webhooks SET deleted_at = ?3 WHERE id = ?1 AND agency = ?2 AND deleted_at IS NULL",
                params![id, agency.as_str(), ts(&now())],
            )?;
            Ok(n > 0)
        })
    }

    fn due_deliveries(&self, at: DateTime<Utc>, per_webhook: usize) -> Result<Vec<Delivery>> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {DELIVERY_COLUMNS}
                 FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY webhook_id ORDER BY id) AS nth
                       FROM outbox WHERE delivered_at IS NULL AND next_attempt_at <= ?1) o
                 JOIN webhooks w ON w.id = o.webhook_id
                 WHERE o.nth <= ?2 AND w.deleted_at IS NULL
                 ORDER BY o.id"
            ))?;
            rows::all(
                &mut stmt,
                params![ts(&at), per_webhook as i64],
                rows::delivery,
            )
        })
    }

    fn postpone_deliveries(&self, webhook_id: &str, until: DateTime<Utc>) -> Result<()> {
        self.write_unaudited(|tx| {
            tx.execute(
                "UPDATE outbox SET next_attempt_at = ?2
                 WHERE webhook_id = ?1 AND delivered_at IS NULL AND next_attempt_at < ?2",
                params![webhook_id, ts(&until)],
            )?;
            Ok(())
        })
    }

    fn delivery_succeeded(&self, id: i64) -> Result<()> {
        self.write_unaudited(|tx| {
            tx.execute(
                "UPDATE outbox SET delivered_at = ?2, attempts = attempts + 1, last_error = NULL WHERE id = ?1",
                params![id, ts(&now())],
            )?;
            Ok(())
        })
    }

    fn delivery_failed(&self, id: i64, error: &str, retry_at: DateTime<Utc>) -> Result<()> {
        self.write_unaudited(|tx| {
            tx.execute(
                "UPDATE outbox SET attempts = attempts + 1, last_error = ?2, next_attempt_at = ?3 WHERE id = ?1",
                params![id, error, ts(&retry_at)],
            )?;
            Ok(())
        })
    }

    fn save_manifest(&self, m: &StoredManifest, audit: AuditEvent) -> Result<()> {
        self.write(audit, |tx| {
            tx.execute(
                "INSERT INTO manifests (id, agency, received_at, purpose, summary, travellers) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    m.id,
                    m.agency.as_str(),
                    ts(&m.received_at),
                    m.purpose,
                    to_json("manifest summary", &m.summary)?,
                    to_json("manifest travellers", &m.travellers)?,
                ],
            )?;
            Ok(())
        })
    }

    fn manifest(&self, id: &str) -> Result<Option<StoredManifest>> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {MANIFEST_COLUMNS} FROM manifests WHERE id = ?1"
            ))?;
            rows::first(&mut stmt, params![id], rows::manifest)
        })
    }

    fn manifests_since(&self, since: DateTime<Utc>) -> Result<Vec<StoredManifest>> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {MANIFEST_COLUMNS} FROM manifests WHERE received_at >= ?1 ORDER BY received_at"
            ))?;
            rows::all(&mut stmt, params![ts(&since)], rows::manifest)
        })
    }
}

#[cfg(test)]
mod tests {
    use vigil_core::{Action, HitContext, Traveller};

    use super::super::testing::{
        code, event, new_hit, store_with_record, stored_hit, tamper, traveller,
    };
    use super::*;
    use crate::ids::new_webhook_id;

    fn all_hits() -> HitFilter {
        HitFilter {
            limit: 100,
            ..HitFilter::default()
        }
    }

    #[test]
    fn a_hit_round_trips_typed() {
        let (_dir, store, record) = store_with_record();
        let new = new_hit(record);
        let hit = store
            .insert_hits(vec![new.clone()], event(Action::Screen))
            .unwrap()
            .remove(0);
        assert_eq!(
            (&hit.traveller, &hit.context, &hit.explanation, hit.score),
            (&new.traveller, &new.context, &new.explanation, new.score)
        );
        assert_eq!(hit.status, HitStatus::New);
        assert_eq!(store.hit(&hit.id).unwrap(), Some(hit.clone()));
        assert_eq!(store.hits(&all_hits()).unwrap(), std::slice::from_ref(&hit));

        let decided = store
            .decide_hit(
                &hit.id,
                HitStatus::FalsePositive,
                Some("another man"),
                &code("FRA"),
                event(Action::HitDecide),
            )
            .unwrap();
        assert_eq!(decided.status, HitStatus::FalsePositive);
        assert_eq!(decided.decided_by, Some(code("FRA")));
        assert_eq!(store.hit(&hit.id).unwrap(), Some(decided));
        // A false positive suppresses the traveller, by each of its keys.
        assert_eq!(
            store.suppressed(record, &new.traveller_keys).unwrap(),
            new.traveller_keys
        );
        assert!(store
            .suppressed(record, &["name:OTHER:1990".into()])
            .unwrap()
            .is_empty());
    }

    #[test]
    fn each_receiver_gets_its_share_and_its_own_backoff() {
        let (_dir, store, record) = store_with_record();
        let hook = |url: &str| {
            store
                .create_webhook(
                    &new_webhook_id(),
                    &code("FRA"),
                    url,
                    "s3cret",
                    event(Action::WebhookCreate),
                )
                .unwrap()
        };
        let (slow, fast) = (hook("https://slow.example/"), hook("https://fast.example/"));
        for _ in 0..3 {
            stored_hit(&store, record);
        }
        let due = store.due_deliveries(Utc::now(), 2).unwrap();
        let count = |id: &str| due.iter().filter(|d| d.webhook_id == id).count();
        assert_eq!((count(&slow.id), count(&fast.id)), (2, 2));
        store
            .postpone_deliveries(&slow.id, Utc::now() + chrono::Duration::hours(1))
            .unwrap();
        let due = store.due_deliveries(Utc::now(), 10).unwrap();
        assert!(due.iter().all(|d| d.webhook_id == fast.id));
        assert_eq!(due.len(), 3);
    }

    #[test]
    fn each_webhook_is_sent_the_hit_notification() {
        let (_dir, store, record) = store_with_record();
        let hook = store
            .create_webhook(
                &new_webhook_id(),
                &code("FRA"),
                "https://fra.example/hook",
                "s3cret",
                event(Action::WebhookCreate),
            )
            .unwrap();
        assert_eq!(store.webhooks(&code("FRA")).unwrap()[0].id, hook.id);
        let hit = stored_hit(&store, record);
        let due = store.due_deliveries(Utc::now(), 10).unwrap();
        assert_eq!(due.len(), 1);
        assert_eq!(due[0].webhook_id, hook.id);
        assert_eq!(due[0].idempotency_key, format!("{}:{}", hit.id, hook.id));
        // What is sent is what the owner reads (the store's own positions
        // are not sent).
        let json: serde_json::Value = serde_json::from_str(&due[0].payload).unwrap();
        assert_eq!(
            json,
            serde_json::to_value(HitNotification::of(&hit)).unwrap()
        );
        assert!(json["hit"].get("stored").is_none() && json["hit"].get("screener_seq").is_none());
        assert_eq!(json["event"], "hit");
        store.delivery_succeeded(due[0].id).unwrap();
        assert!(store.due_deliveries(Utc::now(), 10).unwrap().is_empty());
    }

    #[test]
    fn an_old_hit_without_context_reads_as_the_default_context() {
        let (_dir, store, record) = store_with_record();
        let hit = stored_hit(&store, record);
        // What the old `/v1/screen` stored when the screener sent no context.
        tamper(&store, "hits", &hit.id, "context", "null");
        let read = store.hit(&hit.id).unwrap().unwrap();
        assert_eq!(read.context, HitContext::default());
        assert_eq!(read.traveller, hit.traveller);
    }

    #[test]
    fn a_corrupt_json_column_is_corrupt_naming_the_column_and_row() {
        for (column, value) in [
            ("traveller", r#"{"names": 5}"#),
            ("traveller", "null"),
            ("context", r#""a string""#),
            ("explanation", "{}"),
            ("explanation", "not json"),
        ] {
            let (_dir, store, record) = store_with_record();
            let hit = stored_hit(&store, record);
            tamper(&store, "hits", &hit.id, column, value);
            for read in [
                store.hit(&hit.id).map(|_| ()),
                store.hits(&all_hits()).map(|_| ()),
            ] {
                match read {
                    Err(StoreError::Corrupt(message)) => {
                        assert!(message.contains(&format!("column {column}")), "{message}");
                        assert!(message.contains(&hit.id), "{message}");
                    }
                    other => panic!("{column} = {value}: {other:?}"),
                }
            }
        }
    }

    #[test]
    fn corrupt_traveller_keys_fail_a_false_positive_decision() {
        let (_dir, store, record) = store_with_record();
        let hit = stored_hit(&store, record);
        tamper(&store, "hits", &hit.id, "traveller_keys", "oops");
        let decided = store.decide_hit(
            &hit.id,
            HitStatus::FalsePositive,
            None,
            &code("FRA"),
            event(Action::HitDecide),
        );
        assert!(
            matches!(&decided, Err(StoreError::Corrupt(m)) if m.contains("traveller_keys")),
            "{decided:?}"
        );
        // Rolled back: the hit is undecided.
        assert_eq!(store.hit(&hit.id).unwrap().unwrap().status, HitStatus::New);
    }

    #[test]
    fn a_manifest_round_trips_typed() {
        let (_dir, store, _) = store_with_record();
        let manifest = StoredManifest {
            id: "man_1".into(),
            agency: code("DEU"),
            received_at: super::super::rows::now(),
            summary: serde_json::json!({"travellers": 2, "hits": [1]}),
            travellers: vec![traveller(), Traveller::default()],
            purpose: "border check".into(),
        };
        store
            .save_manifest(&manifest, event(Action::ManifestStore))
            .unwrap();
        let read = store.manifest("man_1").unwrap().unwrap();
        assert_eq!(read.travellers, manifest.travellers);
        assert_eq!(read.summary, manifest.summary);
        assert_eq!(read.received_at, manifest.received_at);
        let since = store.manifests_since(manifest.received_at).unwrap();
        assert_eq!(since.len(), 1);
        assert_eq!(since[0].travellers, manifest.travellers);

        tamper(
            &store,
            "manifests",
            "man_1",
            "travellers",
            r#"{"names": []}"#,
        );
        assert!(matches!(
            store.manifest("man_1"),
            Err(StoreError::Corrupt(m)) if m.contains("column travellers") && m.contains("man_1")
        ));
    }
}
