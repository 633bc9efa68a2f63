//! Connections: the one writer, the pool of readers, and the settings that
//! make every acknowledged commit durable.
//!
//! SQLite allows one writer at a time, so writes go through a single
//! connection behind a mutex (which also serialises audit appends, so the
//! hash chain never forks), while reads use a small pool of their own
//! connections; in WAL mode readers never wait for the writer. `synchronous =
//! FULL` makes every acknowledged commit durable, even across a power cut,
//! not just across a process crash.

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Mutex, MutexGuard};
use std::time::Duration;

use rusqlite::{Connection, Transaction, TransactionBehavior};

use crate::error::{Result, StoreError};

/// Readers in the pool: enough for the server's concurrent reads on a small
/// machine, each with its own page cache.
const READERS: usize = 4;

/// The writer's page cache (negative = KiB): imports touch many index pages,
/// and the only writer never finds its cache stale.
const WRITER_CACHE_KIB: i64 = 65536;
/// A reader's page cache is dropped whole at the start of every read
/// transaction that follows a commit — with audit entries committed many
/// times a second, that is nearly every read — so a large one buys nothing
/// and only holds memory (4 readers x 64 MiB after the index build read
/// every record): readers keep SQLite's default.
const READER_CACHE_KIB: i64 = 2000;

fn open_connection(path: &Path, cache_kib: i64) -> Result<Connection> {
    let conn = Connection::open(path)?;
    conn.busy_handler(Some(wait_for_lock))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.pragma_update(None, "cache_size", -cache_kib)?;
    // No commit checkpoints the WAL itself: that would make whichever
    // commit crosses the threshold copy everything written since into the
    // database first — a whole import's pages, on a screening's audit
    // entry. The checkpointer does it beside.
    conn.pragma_update(None, "wal_autocheckpoint", 0)?;
    Ok(conn)
}

/// How long to wait for another process's write lock before giving up.
const LOCK_WAIT_MS: i32 = 10_000;

/// Waits for the write lock a millisecond at a time. SQLite's own busy
/// timeout sleeps ever longer (up to 100 ms a try), and a waiter that wakes
/// that rarely misses the short moments between another process's
/// transactions (an import's parts) again and again: it starved for seconds.
fn wait_for_lock(attempt: i32) -> bool {
    std::thread::sleep(Duration::from_millis(1));
    attempt < LOCK_WAIT_MS
}

/// How often the checkpointer copies the WAL into the database.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(500);

/// A thread that checkpoints the WAL on a connection of its own, so that
/// no commit waits for a checkpoint. Passive checkpoints take no lock that
/// readers or the writer wait for; the WAL is reused from its start once
/// everything in it is in the database. Stops when dropped.
pub(super) struct Checkpointer {
    _stop: mpsc::Sender<()>,
}

impl Checkpointer {
    pub(super) fn spawn(path: &Path) -> Result<Self> {
        let conn = open_connection(path, READER_CACHE_KIB)?;
        let (stop, stopped) = mpsc::channel::<()>();
        std::thread::Builder::new()
            .name("vigil-checkpoint".into())
            .spawn(move || loop {
                let last = matches!(
                    stopped.recv_timeout(CHECKPOINT_EVERY),
                    Err(mpsc::RecvTimeoutError::Disconnected)
                );
                if let Err(e) = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())) {
                    tracing::warn!(error = %e, "WAL checkpoint failed; retried shortly");
                }
                if last {
                    return;
                }
            })
            .map_err(|source| StoreError::Io {
                path: "checkpoint thread".into(),
                source,
            })?;
        Ok(Checkpointer { _stop: stop })
    }
}

/// The connection every write (and every audit append) goes through.
pub(super) fn open_writer(path: &Path) -> Result<Connection> {
    open_connection(path, WRITER_CACHE_KIB)
}

/// Begins a write transaction that takes SQLite's write lock at once
/// (`BEGIN IMMEDIATE`). A deferred transaction that reads first (the audit
/// chain's head) and writes after fails at once with "database is locked"
/// if another process committed in between, without waiting: an immediate
/// one waits for the other writer (up to the busy timeout) and then sees its
/// commit.
pub(super) fn begin_write(conn: &mut Connection) -> Result<Transaction<'_>> {
    Ok(conn.transaction_with_behavior(TransactionBehavior::Immediate)?)
}

/// Locks a connection. A poisoned lock only means another request panicked
/// mid-call; the transaction it held was rolled back when its guard dropped,
/// so the connection is fine to use.
pub(super) fn lock(conn: &Mutex<Connection>) -> MutexGuard<'_, Connection> {
    conn.lock().unwrap_or_else(|e| e.into_inner())
}

/// The read connections, taken in turn.
pub(super) struct Readers {
    conns: Vec<Mutex<Connection>>,
    next: AtomicUsize,
}

impl Readers {
    pub(super) fn open(path: &Path) -> Result<Self> {
        let conns = (0..READERS)
            .map(|_| Ok(Mutex::new(open_connection(path, READER_CACHE_KIB)?)))
            .collect::<Result<Vec<_>>>()?;
        Ok(Readers {
            conns,
            next: AtomicUsize::new(0),
        })
    }

    pub(super) fn read<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let i = self.next.fetch_add(1, Ordering::Relaxed) % self.conns.len();
        f(&lock(&self.conns[i]))
    }
}
