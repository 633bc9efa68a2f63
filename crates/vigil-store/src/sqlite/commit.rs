//! Appending to the audit chain: inside a write's own transaction, or, for
//! entries that go with no write (reads, refusals), through the group-commit
//! thread.
//!
//! Every read is audited, and one fsync per read would cap the whole system
//! at a few hundred reads a second. So the thread drains whatever entries are
//! waiting, commits them in one transaction, and only then lets each caller
//! answer: reads stay durable-before-answered while sharing fsyncs.

use std::sync::{mpsc, Arc, Mutex};

use rusqlite::{params, Connection, OptionalExtension, Transaction};
use vigil_core::audit::{chain_hash, AuditBody, AuditEvent, GENESIS_HASH};

use super::connection::{begin_write, lock};
use super::rows::{now, to_json, ts};
use crate::error::{Result, StoreError};

/// Most entries committed in one transaction.
const MAX_BATCH: usize = 1024;

/// An audit entry waiting for the group-commit thread, and where to say
/// that it is durable.
type QueuedAudit = (AuditEvent, mpsc::SyncSender<Result<i64>>);

/// The handle on the group-commit thread. The thread ends when this (the
/// only sender) is dropped.
pub(super) struct AuditCommitter {
    queue: Mutex<mpsc::Sender<QueuedAudit>>,
}

fn stopped() -> StoreError {
    StoreError::Unavailable("the audit thread has stopped".into())
}

impl AuditCommitter {
    /// Starts the thread, which commits through `writer`.
    pub(super) fn spawn(writer: Arc<Mutex<Connection>>) -> std::io::Result<Self> {
        let (tx, rx) = mpsc::channel::<QueuedAudit>();
        std::thread::Builder::new()
            .name("vigil-audit".into())
            .spawn(move || {
                while let Ok(first) = rx.recv() {
                    let mut batch = vec![first];
                    while batch.len() < MAX_BATCH {
                        match rx.try_recv() {
                            Ok(next) => batch.push(next),
                            Err(_) => break,
                        }
                    }
                    let (events, replies): (Vec<AuditEvent>, Vec<_>) = batch.into_iter().unzip();
                    let outcome = commit_batch(&mut lock(&writer), events);
                    match outcome {
                        Ok(seqs) => {
                            for (reply, seq) in replies.into_iter().zip(seqs) {
                                let _ = reply.send(Ok(seq));
                            }
                        }
                        Err(e) => {
                            let message = e.to_string();
                            for reply in replies {
                                let _ = reply.send(Err(StoreError::Unavailable(format!(
                                    "audit append failed: {message}"
                                ))));
                            }
                        }
                    }
                }
            })?;
        Ok(AuditCommitter {
            queue: Mutex::new(tx),
        })
    }

    /// Appends entries in order; returns their sequence numbers once all are
    /// durable.
    pub(super) fn append(&self, events: Vec<AuditEvent>) -> Result<Vec<i64>> {
        // Queued together (in order, under the queue's lock), so the thread
        // takes them in as few transactions as it can.
        let answers = {
            let queue = self.queue.lock().unwrap_or_else(|e| e.into_inner());
            events
                .into_iter()
                .map(|event| {
                    let (reply, answer) = mpsc::sync_channel(1);
                    queue.send((event, reply)).map_err(|_| stopped())?;
                    Ok(answer)
                })
                .collect::<Result<Vec<_>>>()?
        };
        answers
            .into_iter()
            .map(|answer| answer.recv().map_err(|_| stopped())?)
            .collect()
    }
}

/// One transaction for the whole batch: the chain's head is read once, then
/// carried from entry to entry.
fn commit_batch(conn: &mut Connection, events: Vec<AuditEvent>) -> Result<Vec<i64>> {
    let tx = begin_write(conn)?;
    let mut head = None;
    let seqs = events
        .into_iter()
        .map(|event| append_after(&tx, event, &mut head))
        .collect::<Result<Vec<_>>>()?;
    tx.commit()?;
    Ok(seqs)
}

/// Appends an entry inside `tx`, a write's own transaction, so that the two
/// commit together.
/// Counts the entry in `activity`, in the transaction that appends it:
/// statistics of calls are the log's own figures, never a drifting copy.
fn count_activity(tx: &Transaction<'_>, body: &AuditBody) -> Result<()> {
    let items = body
        .event
        .request
        .get("travellers")
        .and_then(serde_json::Value::as_i64)
        .unwrap_or(0);
    let outcome: &'static str = body.event.outcome.into();
    tx.prepare_cached(
        "INSERT INTO activity (day, agency, action, outcome, entries, items) VALUES (?1, ?2, ?3, ?4, 1, ?5)
         ON CONFLICT (day, agency, action, outcome) DO UPDATE SET entries = entries + 1, items = items + excluded.items",
    )?
    .execute(params![
        body.at.format("%Y-%m-%d").to_string(),
        body.event.agency.as_str(),
        body.event.action.as_str(),
        outcome,
        items
    ])?;
    Ok(())
}

pub(super) fn append_in(tx: &Transaction<'_>, event: AuditEvent) -> Result<i64> {
    append_after(tx, event, &mut None)
}

/// Appends an entry after `head`, the chain's last (seq, hash) in this
/// transaction (read from the table when `None`), and moves `head` to it.
fn append_after(
    tx: &Transaction<'_>,
    event: AuditEvent,
    head: &mut Option<(i64, String)>,
) -> Result<i64> {
    let last = match head.take() {
        Some(h) => Some(h),
        None => tx
            .prepare_cached("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1")?
            .query_row([], |r| Ok((r.get("seq")?, r.get("hash")?)))
            .optional()?,
    };
    let (seq, prev_hash) = match last {
        Some((s, h)) => (s + 1, h),
        None => (1, GENESIS_HASH.to_string()),
    };
    let at = now();
    let body = AuditBody { seq, at, event };
    let text = to_json("audit entry", &body)?;
    let hash = chain_hash(&prev_hash, &text);
    tx.prepare_cached(
        "INSERT INTO audit (seq, at, agency, action, body, prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        seq,
        ts(&at),
        body.event.agency.as_str(),
        body.event.action.as_str(),
        text,
        prev_hash,
        hash
    ])?;
    let mut stmt =
        tx.prepare_cached("INSERT INTO audit_records (seq, record_id, owner) VALUES (?1, ?2, ?3)")?;
    for d in &body.event.disclosed {
        stmt.execute(params![seq, d.record.to_string(), d.owner.as_str()])?;
    }
    count_activity(tx, &body)?;
    *head = Some((seq, hash));
    Ok(seq)
}
