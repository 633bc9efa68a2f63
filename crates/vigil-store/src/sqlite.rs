//! The embedded SQLite backend: one database file in the data directory.
//!
//! Why this shape: SQLite allows one writer at a time, so writes go through a
//! single connection behind a mutex (which also serialises audit appends, so
//! the hash chain never forks), while reads use a small pool of their own
//! connections; in WAL mode readers never wait for the writer. `synchronous =
//! FULL` makes every acknowledged commit durable, even across a power cut,
//! not just across a process crash.
//!
//! Audit entries for reads are appended by a group-commit thread: every read
//! is audited, and one fsync per read would cap the whole system at a few
//! hundred reads a second. The thread drains whatever entries are waiting,
//! commits them in one transaction, and only then lets each caller answer;
//! so reads stay durable-before-answered while sharing fsyncs.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Mutex};

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use rand::RngCore;
use rusqlite::{params, Connection, OptionalExtension, Transaction};
use sha2::{Digest, Sha256};
use vigil_core::audit::{chain_hash, AuditBody, AuditEvent, StoredAuditEntry, GENESIS_HASH};
use vigil_core::{
    Agency, AgencyCode, AgencyKind, Caller, Record, RecordDraft, RecordId, RecordStatus, Role,
};

use crate::hits::*;
use crate::model::*;
use crate::{Result, Store, StoreError};

const DB_FILE: &str = "vigil.db";
const READERS: usize = 4;

/// Schema migrations, applied in order; `PRAGMA user_version` records how
/// many have run. Never edit one that has shipped: add a new one.
const MIGRATIONS: &[&str] = &[
    r#"
CREATE TABLE agencies (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE tokens (
    id TEXT PRIMARY KEY,
    agency TEXT NOT NULL REFERENCES agencies(code),
    role TEXT NOT NULL,
    label TEXT,
    secret_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
CREATE TABLE records (
    id TEXT PRIMARY KEY,
    owner TEXT NOT NULL REFERENCES agencies(code),
    reference TEXT NOT NULL,
    version INTEGER NOT NULL,
    status TEXT NOT NULL,
    category TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    review_due TEXT NOT NULL,
    UNIQUE (owner, reference)
);
CREATE INDEX records_updated ON records(updated_at);
CREATE TABLE record_versions (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    record_id TEXT NOT NULL REFERENCES records(id),
    version INTEGER NOT NULL,
    change TEXT NOT NULL,
    status TEXT NOT NULL,
    changed_at TEXT NOT NULL,
    changed_by_agency TEXT,
    changed_by_token TEXT,
    body TEXT NOT NULL,
    UNIQUE (record_id, version)
);
CREATE TABLE audit (
    seq INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    agency TEXT NOT NULL,
    action TEXT NOT NULL,
    body TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_agency ON audit(agency, seq);
CREATE TABLE audit_records (
    seq INTEGER NOT NULL REFERENCES audit(seq),
    record_id TEXT NOT NULL,
    owner TEXT NOT NULL
);
CREATE INDEX audit_records_owner ON audit_records(owner, seq);
CREATE INDEX audit_records_record ON audit_records(record_id, seq);
"#,
    r#"
CREATE TABLE hits (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    record_id TEXT NOT NULL,
    owner TEXT NOT NULL,
    reference TEXT NOT NULL,
    screening_agency TEXT NOT NULL,
    token_id TEXT NOT NULL,
    purpose TEXT NOT NULL,
    disclosed TEXT NOT NULL,
    traveller TEXT NOT NULL,
    context TEXT NOT NULL,
    score REAL NOT NULL,
    explanation TEXT NOT NULL,
    created_at TEXT NOT NULL,
    status TEXT NOT NULL,
    decision_note TEXT,
    decided_by TEXT,
    decided_at TEXT,
    traveller_keys TEXT NOT NULL
);
CREATE INDEX hits_owner ON hits(owner, seq);
CREATE INDEX hits_screening ON hits(screening_agency, seq);
CREATE TABLE suppressions (
    record_id TEXT NOT NULL,
    traveller_key TEXT NOT NULL,
    hit_id TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (record_id, traveller_key)
);
CREATE TABLE webhooks (
    id TEXT PRIMARY KEY,
    agency TEXT NOT NULL,
    url TEXT NOT NULL,
    secret TEXT NOT NULL,
    created_at TEXT NOT NULL,
    deleted_at TEXT
);
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    webhook_id TEXT NOT NULL REFERENCES webhooks(id),
    hit_id TEXT NOT NULL,
    idempotency_key TEXT NOT NULL UNIQUE,
    payload TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    delivered_at TEXT,
    last_error TEXT
);
CREATE INDEX outbox_due ON outbox(delivered_at, next_attempt_at);
CREATE TABLE manifests (
    id TEXT PRIMARY KEY,
    agency TEXT NOT NULL,
    received_at TEXT NOT NULL,
    purpose TEXT NOT NULL,
    summary TEXT NOT NULL,
    travellers TEXT NOT NULL
);
CREATE INDEX manifests_received ON manifests(received_at);
"#,
];

/// An audit entry waiting for the group-commit thread, and where to say
/// that it is durable.
type QueuedAudit = (AuditEvent, mpsc::SyncSender<Result<i64>>);

pub struct SqliteStore {
    path: PathBuf,
    writer: Arc<Mutex<Connection>>,
    audit_queue: Mutex<mpsc::Sender<QueuedAudit>>,
    readers: Vec<Mutex<Connection>>,
    next_reader: AtomicUsize,
}

fn now() -> DateTime<Utc> {
    Utc::now()
}

fn ts(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

fn parse_ts(s: &str) -> Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| StoreError::Corrupt(format!("timestamp '{s}': {e}")))
}

fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Corrupt(format!("{what} '{value}'"))
}

fn hash_secret(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::thread_rng().fill_bytes(&mut buf);
    hex::encode(buf)
}

fn open_connection(path: &Path) -> Result<Connection> {
    let conn = Connection::open(path)?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    Ok(conn)
}

/// The writer's page cache (negative = KiB): imports touch many index pages,
/// and the only writer never finds its cache stale.
const WRITER_CACHE_KIB: i64 = 65536;
/// A reader's page cache is dropped whole at the start of every read
/// transaction that follows a commit — with audit entries committed many
/// times a second, that is nearly every read — so a large one buys nothing
/// and only holds memory (4 readers x 64 MiB after the index build read
/// every record): readers keep SQLite's default.
const READER_CACHE_KIB: i64 = 2000;

impl SqliteStore {
    /// Opens (creating if needed) the database in `dir` and runs migrations.
    pub fn open(dir: &Path) -> Result<Self> {
        std::fs::create_dir_all(dir).map_err(|source| StoreError::Io {
            path: dir.display().to_string(),
            source,
        })?;
        let path = dir.join(DB_FILE);
        let mut writer = open_connection(&path)?;
        writer.pragma_update(None, "cache_size", -WRITER_CACHE_KIB)?;
        migrate(&mut writer)?;
        let writer = Arc::new(Mutex::new(writer));
        let readers = (0..READERS)
            .map(|_| {
                let conn = open_connection(&path)?;
                conn.pragma_update(None, "cache_size", -READER_CACHE_KIB)?;
                Ok(Mutex::new(conn))
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(SqliteStore {
            path,
            audit_queue: Mutex::new(spawn_audit_committer(writer.clone()).map_err(|source| {
                StoreError::Io {
                    path: "audit thread".into(),
                    source,
                }
            })?),
            writer,
            readers,
            next_reader: AtomicUsize::new(0),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn write<T>(&self, f: impl FnOnce(&Transaction<'_>) -> Result<T>) -> Result<T> {
        // A poisoned lock only means another request panicked mid-call; the
        // transaction it held was rolled back when its guard dropped.
        let mut conn = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        let tx = conn.transaction()?;
        let out = f(&tx)?;
        tx.commit()?;
        Ok(out)
    }

    fn read<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let i = self.next_reader.fetch_add(1, Ordering::Relaxed) % self.readers.len();
        let conn = self.readers[i].lock().unwrap_or_else(|e| e.into_inner());
        f(&conn)
    }

    /// Runs raw SQL against the database: for tests that tamper with data.
    #[doc(hidden)]
    pub fn execute_raw(&self, sql: &str) -> Result<usize> {
        let conn = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        Ok(conn.execute(sql, [])?)
    }
}

/// Starts the group-commit thread for audit appends. It ends when the store
/// (the only sender) is dropped.
fn spawn_audit_committer(
    writer: Arc<Mutex<Connection>>,
) -> std::io::Result<mpsc::Sender<QueuedAudit>> {
    let (tx, rx) = mpsc::channel::<QueuedAudit>();
    std::thread::Builder::new()
        .name("vigil-audit".into())
        .spawn(move || {
            while let Ok(first) = rx.recv() {
                let mut batch = vec![first];
                while batch.len() < 1024 {
                    match rx.try_recv() {
                        Ok(next) => batch.push(next),
                        Err(_) => break,
                    }
                }
                let (events, replies): (Vec<AuditEvent>, Vec<_>) = batch.into_iter().unzip();
                let mut conn = writer.lock().unwrap_or_else(|e| e.into_inner());
                let outcome = (|| -> Result<Vec<i64>> {
                    let tx = conn.transaction()?;
                    let mut seqs = Vec::with_capacity(events.len());
                    // The chain's head is read once per batch, then carried.
                    let mut head = None;
                    for event in events {
                        seqs.push(append_audit_after(&tx, event, &mut head)?);
                    }
                    tx.commit()?;
                    Ok(seqs)
                })();
                drop(conn);
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
    Ok(tx)
}

fn migrate(conn: &mut Connection) -> Result<()> {
    let applied: usize = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(applied) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", i + 1)?;
        tx.commit()?;
    }
    Ok(())
}

/// A record's current state: its row in `records` and, for the content, the
/// version that row points at (content is stored once, in its version).
const RECORD_COLUMNS: &str =
    "r.id, r.owner, r.version, r.status, r.created_at, r.updated_at, r.review_due, v.body";
const RECORD_FROM: &str =
    "records r JOIN record_versions v ON v.record_id = r.id AND v.version = r.version";

fn record_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<RawRecord> {
    Ok(RawRecord {
        id: row.get(0)?,
        owner: row.get(1)?,
        version: row.get(2)?,
        status: row.get(3)?,
        created_at: row.get(4)?,
        updated_at: row.get(5)?,
        review_due: row.get(6)?,
        body: row.get(7)?,
    })
}

struct RawRecord {
    id: String,
    owner: String,
    version: u32,
    status: String,
    created_at: String,
    updated_at: String,
    review_due: String,
    body: String,
}

impl RawRecord {
    fn into_record(self) -> Result<Record> {
        let draft: RecordDraft = serde_json::from_str(&self.body)
            .map_err(|e| StoreError::Corrupt(format!("record {} body: {e}", self.id)))?;
        Ok(Record {
            id: RecordId::parse(&self.id).ok_or_else(|| corrupt("record id", &self.id))?,
            owner: AgencyCode::parse(&self.owner).map_err(|_| corrupt("owner", &self.owner))?,
            version: self.version,
            status: RecordStatus::parse(&self.status)
                .ok_or_else(|| corrupt("status", &self.status))?,
            created_at: parse_ts(&self.created_at)?,
            updated_at: parse_ts(&self.updated_at)?,
            review_due: NaiveDate::parse_from_str(&self.review_due, "%Y-%m-%d")
                .map_err(|_| corrupt("review date", &self.review_due))?,
            draft,
        })
    }
}

fn load_record(conn: &Connection, id: RecordId) -> Result<Option<Record>> {
    conn.query_row(
        &format!("SELECT {RECORD_COLUMNS} FROM {RECORD_FROM} WHERE r.id = ?1"),
        params![id.to_string()],
        record_from_row,
    )
    .optional()?
    .map(RawRecord::into_record)
    .transpose()
}

fn category_str(c: vigil_core::Category) -> &'static str {
    use vigil_core::Category;
    match c {
        Category::ForeignTerroristFighter => "foreign_terrorist_fighter",
        Category::Suspect => "suspect",
        Category::Associate => "associate",
        Category::Missing => "missing",
        Category::Sanctioned => "sanctioned",
        Category::Other => "other",
    }
}

fn body_json(draft: &RecordDraft) -> Result<String> {
    serde_json::to_string(draft).map_err(|e| StoreError::Corrupt(format!("draft: {e}")))
}

fn save_record(
    tx: &Transaction<'_>,
    record: &Record,
    change: ChangeKind,
    actor: Option<&Actor>,
) -> Result<()> {
    let body = body_json(&record.draft)?;
    let result = tx.prepare_cached(
        "INSERT INTO records (id, owner, reference, version, status, category, created_at, updated_at, review_due)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT(id) DO UPDATE SET reference = excluded.reference, version = excluded.version,
           status = excluded.status, category = excluded.category, updated_at = excluded.updated_at,
           review_due = excluded.review_due",
    )?.execute(
        params![
            record.id.to_string(),
            record.owner.as_str(),
            record.draft.reference,
            record.version,
            record.status.as_str(),
            category_str(record.draft.category),
            ts(&record.created_at),
            ts(&record.updated_at),
            record.review_due.format("%Y-%m-%d").to_string(),
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
            change.as_str(),
            record.status.as_str(),
            ts(&record.updated_at),
            actor.map(|a| a.agency.as_str().to_string()),
            actor.map(|a| a.token_id.clone()),
            body,
        ],
    )?;
    Ok(())
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

fn append_audit_tx(tx: &Transaction<'_>, event: AuditEvent) -> Result<i64> {
    append_audit_after(tx, event, &mut None)
}

/// Appends an entry after `head`, the chain's last (seq, hash) in this
/// transaction (read from the table when `None`), and moves `head` to it.
fn append_audit_after(
    tx: &Transaction<'_>,
    event: AuditEvent,
    head: &mut Option<(i64, String)>,
) -> Result<i64> {
    let last = match head.take() {
        Some(h) => Some(h),
        None => tx
            .prepare_cached("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1")?
            .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?,
    };
    let (seq, prev_hash) = match last {
        Some((s, h)) => (s + 1, h),
        None => (1, GENESIS_HASH.to_string()),
    };
    let at = now();
    let body = AuditBody { seq, at, event };
    let text = serde_json::to_string(&body)
        .map_err(|e| StoreError::Corrupt(format!("audit entry: {e}")))?;
    let hash = chain_hash(&prev_hash, &text);
    tx.prepare_cached(
        "INSERT INTO audit (seq, at, agency, action, body, prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![seq, ts(&at), body.event.agency.as_str(), body.event.action, text, prev_hash, hash])?;
    let mut stmt =
        tx.prepare_cached("INSERT INTO audit_records (seq, record_id, owner) VALUES (?1, ?2, ?3)")?;
    for d in &body.event.disclosed {
        stmt.execute(params![seq, d.record.to_string(), d.owner.as_str()])?;
    }
    *head = Some((seq, hash));
    Ok(seq)
}

/// id, agency, role, label, created_at, revoked_at.
type TokenRow = (
    String,
    String,
    String,
    Option<String>,
    String,
    Option<String>,
);

fn token_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<TokenRow> {
    Ok((
        row.get(0)?,
        row.get(1)?,
        row.get(2)?,
        row.get(3)?,
        row.get(4)?,
        row.get(5)?,
    ))
}

impl Store for SqliteStore {
    fn create_agency(&self, code: &AgencyCode, name: &str, kind: AgencyKind) -> Result<Agency> {
        let agency = Agency {
            code: code.clone(),
            name: name.to_string(),
            kind,
            created_at: now(),
        };
        self.write(|tx| {
            let n = tx.execute(
                "INSERT INTO agencies (code, name, kind, created_at) VALUES (?1, ?2, ?3, ?4) ON CONFLICT(code) DO NOTHING",
                params![code.as_str(), name, kind.as_str(), ts(&agency.created_at)],
            )?;
            if n == 0 {
                return Err(StoreError::Conflict(format!("agency {code} already exists")));
            }
            Ok(())
        })?;
        Ok(agency)
    }

    fn agency(&self, code: &AgencyCode) -> Result<Option<Agency>> {
        Ok(self.agencies()?.into_iter().find(|a| &a.code == code))
    }

    fn agencies(&self) -> Result<Vec<Agency>> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT code, name, kind, created_at FROM agencies ORDER BY code",
            )?;
            let rows = stmt.query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                ))
            })?;
            let mut out = Vec::new();
            for row in rows {
                let (code, name, kind, created) = row?;
                out.push(Agency {
                    code: AgencyCode::parse(&code).map_err(|_| corrupt("agency code", &code))?,
                    name,
                    kind: AgencyKind::parse(&kind).map_err(|_| corrupt("agency kind", &kind))?,
                    created_at: parse_ts(&created)?,
                });
            }
            Ok(out)
        })
    }

    fn create_token(
        &self,
        agency: &AgencyCode,
        role: Role,
        label: Option<&str>,
    ) -> Result<(TokenInfo, String)> {
        if self.agency(agency)?.is_none() {
            return Err(StoreError::NotFound {
                what: format!("agency {agency}"),
            });
        }
        let secret = format!("vgl_{}", random_hex(24));
        let info = TokenInfo {
            id: format!("tok_{}", random_hex(6)),
            agency: agency.clone(),
            role,
            label: label.map(str::to_string),
            created_at: now(),
            revoked_at: None,
        };
        self.write(|tx| {
            tx.execute(
                "INSERT INTO tokens (id, agency, role, label, secret_hash, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![info.id, agency.as_str(), role.as_str(), info.label, hash_secret(&secret), ts(&info.created_at)],
            )?;
            Ok(())
        })?;
        Ok((info, secret))
    }

    fn tokens(&self, agency: Option<&AgencyCode>) -> Result<Vec<TokenInfo>> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT id, agency, role, label, created_at, revoked_at FROM tokens
                 WHERE ?1 IS NULL OR agency = ?1 ORDER BY created_at, id",
            )?;
            let rows = stmt.query_map(params![agency.map(|a| a.as_str())], token_from_row)?;
            let mut out = Vec::new();
            for row in rows {
                let (id, agency, role, label, created, revoked) = row?;
                out.push(TokenInfo {
                    id,
                    agency: AgencyCode::parse(&agency).map_err(|_| corrupt("agency", &agency))?,
                    role: role.parse().map_err(|_| corrupt("role", &role))?,
                    label,
                    created_at: parse_ts(&created)?,
                    revoked_at: revoked.as_deref().map(parse_ts).transpose()?,
                });
            }
            Ok(out)
        })
    }

    fn revoke_token(&self, id: &str) -> Result<bool> {
        self.write(|tx| {
            let n = tx.execute(
                "UPDATE tokens SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL",
                params![id, ts(&now())],
            )?;
            Ok(n > 0)
        })
    }

    fn authenticate(&self, secret: &str) -> Result<Option<Caller>> {
        let hash = hash_secret(secret);
        self.read(|conn| {
            let row: Option<(String, String, String)> = conn
                .query_row(
                    "SELECT id, agency, role FROM tokens WHERE secret_hash = ?1 AND revoked_at IS NULL",
                    params![hash],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .optional()?;
            row.map(|(id, agency, role)| {
                Ok(Caller {
                    agency: AgencyCode::parse(&agency).map_err(|_| corrupt("agency", &agency))?,
                    role: role.parse().map_err(|_| corrupt("role", &role))?,
                    token_id: id,
                })
            })
            .transpose()
        })
    }

    fn apply_observed(
        &self,
        changes: Vec<RecordChange>,
        audit: Option<AuditEvent>,
        progress: Option<&(dyn Fn(usize, usize) + Sync)>,
    ) -> Result<Vec<Record>> {
        let actor = audit.as_ref().map(|e| Actor {
            agency: e.agency.clone(),
            token_id: e.token_id.clone(),
        });
        self.write(|tx| {
            let total = changes.len();
            let mut out = Vec::with_capacity(total);
            for (done, change) in changes.into_iter().enumerate() {
                if let Some(report) = progress {
                    if done % 1000 == 0 {
                        report(done, total);
                    }
                }
                let at = now();
                let (record, kind) = match change {
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
                        let mut r = load_record(tx, id)?.ok_or_else(|| StoreError::NotFound {
                            what: format!("record {id}"),
                        })?;
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
                        let mut r = load_record(tx, id)?.ok_or_else(|| StoreError::NotFound {
                            what: format!("record {id}"),
                        })?;
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
                };
                save_record(tx, &record, kind, actor.as_ref())?;
                out.push(record);
            }
            if let Some(event) = audit {
                append_audit_tx(tx, event)?;
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

    fn record_by_reference(&self, owner: &AgencyCode, reference: &str) -> Result<Option<Record>> {
        self.read(|conn| {
            conn.query_row(
                &format!(
                    "SELECT {RECORD_COLUMNS} FROM {RECORD_FROM} WHERE r.owner = ?1 AND r.reference = ?2"
                ),
                params![owner.as_str(), reference],
                record_from_row,
            )
            .optional()?
            .map(RawRecord::into_record)
            .transpose()
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
            let rows = stmt.query_map(
                params![
                    after.map(|a| a.to_string()),
                    filter.owner.as_ref().map(|o| o.as_str().to_string()),
                    filter.status.map(|s| s.as_str()),
                    filter.category.map(category_str),
                    filter.updated_since.as_ref().map(ts),
                    limit as i64,
                ],
                record_from_row,
            )?;
            rows.map(|r| r.map_err(StoreError::from).and_then(RawRecord::into_record))
                .collect()
        })
    }

    fn record_history(&self, id: RecordId) -> Result<Vec<RecordVersion>> {
        let Some(current) = self.record(id)? else {
            return Ok(Vec::new());
        };
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT version, change, status, changed_at, changed_by_agency, changed_by_token, body
                 FROM record_versions WHERE record_id = ?1 ORDER BY version",
            )?;
            let rows = stmt.query_map(params![id.to_string()], |r| {
                Ok((
                    r.get::<_, u32>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, Option<String>>(4)?,
                    r.get::<_, Option<String>>(5)?,
                    r.get::<_, String>(6)?,
                ))
            })?;
            let mut out = Vec::new();
            for row in rows {
                let (version, change, status, changed_at, agency, token, body) = row?;
                let draft: RecordDraft = serde_json::from_str(&body)
                    .map_err(|e| StoreError::Corrupt(format!("record {id} v{version}: {e}")))?;
                let changed_at = parse_ts(&changed_at)?;
                let changed_by = match (agency, token) {
                    (Some(a), Some(t)) => Some(Actor {
                        agency: AgencyCode::parse(&a).map_err(|_| corrupt("agency", &a))?,
                        token_id: t,
                    }),
                    _ => None,
                };
                out.push(RecordVersion {
                    change: ChangeKind::parse(&change).ok_or_else(|| corrupt("change", &change))?,
                    changed_at,
                    changed_by,
                    record: Record {
                        id,
                        owner: current.owner.clone(),
                        version,
                        status: RecordStatus::parse(&status)
                            .ok_or_else(|| corrupt("status", &status))?,
                        created_at: current.created_at,
                        updated_at: changed_at,
                        review_due: draft.review_due(current.created_at.date_naive()),
                        draft,
                    },
                });
            }
            Ok(out)
        })
    }

    fn last_change_seq(&self) -> Result<i64> {
        self.read(|conn| {
            Ok(conn.query_row(
                "SELECT COALESCE(MAX(seq), 0) FROM record_versions",
                [],
                |r| r.get(0),
            )?)
        })
    }

    fn changes_since(&self, after: i64, limit: usize) -> Result<Vec<ChangeEvent>> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT seq, record_id, version, change FROM record_versions WHERE seq > ?1 ORDER BY seq LIMIT ?2",
            )?;
            let rows = stmt.query_map(params![after, limit as i64], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, u32>(2)?, r.get::<_, String>(3)?))
            })?;
            let mut out = Vec::new();
            for row in rows {
                let (seq, id, version, change) = row?;
                out.push(ChangeEvent {
                    seq,
                    record: RecordId::parse(&id).ok_or_else(|| corrupt("record id", &id))?,
                    version,
                    change: ChangeKind::parse(&change).ok_or_else(|| corrupt("change", &change))?,
                });
            }
            Ok(out)
        })
    }

    fn append_audit(&self, event: AuditEvent) -> Result<i64> {
        let (reply, answer) = mpsc::sync_channel(1);
        self.audit_queue
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .send((event, reply))
            .map_err(|_| StoreError::Unavailable("the audit thread has stopped".into()))?;
        answer
            .recv()
            .map_err(|_| StoreError::Unavailable("the audit thread has stopped".into()))?
    }

    fn append_audits(&self, events: Vec<AuditEvent>) -> Result<Vec<i64>> {
        // Queued together (in order, under the queue's lock), so the
        // group-commit thread takes them in as few transactions as it can.
        let stopped = || StoreError::Unavailable("the audit thread has stopped".into());
        let answers = {
            let queue = self.audit_queue.lock().unwrap_or_else(|e| e.into_inner());
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

    fn audit_entries(&self, filter: &AuditFilter) -> Result<Vec<StoredAuditEntry>> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT a.seq, a.body, a.prev_hash, a.hash FROM audit a
                 WHERE (?1 IS NULL OR a.agency = ?1)
                   AND (?2 IS NULL OR a.action = ?2)
                   AND (?3 IS NULL OR EXISTS (SELECT 1 FROM audit_records r WHERE r.seq = a.seq AND r.owner = ?3))
                   AND (?4 IS NULL OR EXISTS (SELECT 1 FROM audit_records r WHERE r.seq = a.seq AND r.record_id = ?4))
                   AND (?5 IS NULL OR a.at >= ?5)
                   AND (?6 IS NULL OR a.at <= ?6)
                   AND a.seq > ?7
                 ORDER BY a.seq LIMIT ?8",
            )?;
            let rows = stmt.query_map(
                params![
                    filter.agency.as_ref().map(|a| a.as_str().to_string()),
                    filter.action,
                    filter.record_owner.as_ref().map(|a| a.as_str().to_string()),
                    filter.record.map(|r| r.to_string()),
                    filter.since.as_ref().map(ts),
                    filter.until.as_ref().map(ts),
                    filter.after.unwrap_or(0),
                    filter.limit.max(1) as i64,
                ],
                |r| {
                    Ok(StoredAuditEntry {
                        seq: r.get(0)?,
                        body: r.get(1)?,
                        prev_hash: r.get(2)?,
                        hash: r.get(3)?,
                    })
                },
            )?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
    }

    fn audit_chain(&self) -> Result<Vec<StoredAuditEntry>> {
        self.read(|conn| {
            let mut stmt =
                conn.prepare("SELECT seq, body, prev_hash, hash FROM audit ORDER BY rowid")?;
            let rows = stmt.query_map([], |r| {
                Ok(StoredAuditEntry {
                    seq: r.get(0)?,
                    body: r.get(1)?,
                    prev_hash: r.get(2)?,
                    hash: r.get(3)?,
                })
            })?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
    }
    fn insert_hits(&self, hits: Vec<NewHit>, audit: Option<AuditEvent>) -> Result<Vec<Hit>> {
        self.write(|tx| {
            let mut out = Vec::with_capacity(hits.len());
            for h in hits {
                let id = format!("hit_{}", uuid::Uuid::now_v7().simple());
                let at = now();
                let traveller = h.traveller.to_string();
                let context = h.context.to_string();
                let explanation = h.explanation.to_string();
                let keys = serde_json::to_string(&h.traveller_keys).unwrap_or_else(|_| "[]".into());
                tx.prepare_cached(
                    "INSERT INTO hits (id, record_id, owner, reference, screening_agency, token_id, purpose, disclosed,
                       traveller, context, score, explanation, created_at, status, traveller_keys)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, 'new', ?14)",
                )?
                .execute(params![
                    id,
                    h.record.to_string(),
                    h.owner.as_str(),
                    h.reference,
                    h.screening_agency.as_str(),
                    h.token_id,
                    h.purpose,
                    h.disclosed.as_str(),
                    traveller,
                    context,
                    h.score,
                    explanation,
                    ts(&at),
                    keys,
                ])?;
                let seq = tx.last_insert_rowid();
                let hit = Hit {
                    seq,
                    id: id.clone(),
                    record: h.record,
                    owner: h.owner.clone(),
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
                let payload = serde_json::to_string(&serde_json::json!({"event": "hit", "hit": &hit}))
                    .map_err(|e| StoreError::Corrupt(format!("hit payload: {e}")))?;
                let hooks: Vec<String> = {
                    let mut stmt = tx.prepare_cached(
                        "SELECT id FROM webhooks WHERE agency = ?1 AND deleted_at IS NULL",
                    )?;
                    let rows = stmt.query_map(params![h.owner.as_str()], |r| r.get(0))?;
                    rows.collect::<rusqlite::Result<_>>()?
                };
                for hook in hooks {
                    tx.prepare_cached(
                        "INSERT INTO outbox (webhook_id, hit_id, idempotency_key, payload, next_attempt_at)
                         VALUES (?1, ?2, ?3, ?4, ?5)",
                    )?
                    .execute(params![hook, id, format!("{id}:{hook}"), payload, ts(&at)])?;
                }
                out.push(hit);
            }
            if let Some(event) = audit {
                append_audit_tx(tx, event)?;
            }
            Ok(out)
        })
    }

    fn hit(&self, id: &str) -> Result<Option<Hit>> {
        self.read(|conn| {
            conn.query_row(
                &format!("SELECT {HIT_COLUMNS} FROM hits WHERE id = ?1"),
                params![id],
                hit_from_row,
            )
            .optional()?
            .map(RawHit::into_hit)
            .transpose()
        })
    }

    fn hits(&self, filter: &HitFilter) -> Result<Vec<Hit>> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {HIT_COLUMNS} FROM hits
                 WHERE (?1 IS NULL OR owner = ?1)
                   AND (?2 IS NULL OR screening_agency = ?2)
                   AND (?3 IS NULL OR status = ?3)
                   AND seq > ?4
                   AND (?6 IS NULL OR record_id = ?6)
                 ORDER BY seq LIMIT ?5"
            ))?;
            let rows = stmt.query_map(
                params![
                    filter.owner.as_ref().map(|a| a.as_str().to_string()),
                    filter
                        .screening_agency
                        .as_ref()
                        .map(|a| a.as_str().to_string()),
                    filter.status.map(HitStatus::as_str),
                    filter.after_seq.unwrap_or(0),
                    filter.limit.max(1) as i64,
                    filter.record.map(|r| r.to_string()),
                ],
                hit_from_row,
            )?;
            rows.map(|r| r.map_err(StoreError::from).and_then(RawHit::into_hit))
                .collect()
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
        self.write(|tx| {
            let at = now();
            let n = tx.execute(
                "UPDATE hits SET status = ?2, decision_note = ?3, decided_by = ?4, decided_at = ?5 WHERE id = ?1",
                params![id, status.as_str(), note, by.as_str(), ts(&at)],
            )?;
            if n == 0 {
                return Err(StoreError::NotFound { what: format!("hit {id}") });
            }
            let (record, keys): (String, String) = tx.query_row(
                "SELECT record_id, traveller_keys FROM hits WHERE id = ?1",
                params![id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
            if status == HitStatus::FalsePositive {
                let keys: Vec<String> = serde_json::from_str(&keys).unwrap_or_default();
                for key in keys {
                    tx.execute(
                        "INSERT OR IGNORE INTO suppressions (record_id, traveller_key, hit_id, created_at) VALUES (?1, ?2, ?3, ?4)",
                        params![record, key, id, ts(&at)],
                    )?;
                }
            }
            append_audit_tx(tx, audit)?;
            tx.query_row(&format!("SELECT {HIT_COLUMNS} FROM hits WHERE id = ?1"), params![id], hit_from_row)?
                .into_hit()
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

    fn create_webhook(&self, agency: &AgencyCode, url: &str, secret: &str) -> Result<Webhook> {
        let hook = Webhook {
            id: format!("whk_{}", random_hex(6)),
            agency: agency.clone(),
            url: url.to_string(),
            secret: secret.to_string(),
            created_at: now(),
        };
        self.write(|tx| {
            tx.execute(
                "INSERT INTO webhooks (id, agency, url, secret, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![hook.id, agency.as_str(), url, secret, ts(&hook.created_at)],
            )?;
            Ok(())
        })?;
        Ok(hook)
    }

    fn webhooks(&self, agency: &AgencyCode) -> Result<Vec<Webhook>> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT id, url, secret, created_at FROM webhooks WHERE agency = ?1 AND deleted_at IS NULL ORDER BY created_at",
            )?;
            let rows = stmt.query_map(params![agency.as_str()], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, String>(3)?))
            })?;
            let mut out = Vec::new();
            for row in rows {
                let (id, url, secret, created) = row?;
                out.push(Webhook { id, agency: agency.clone(), url, secret, created_at: parse_ts(&created)? });
            }
            Ok(out)
        })
    }

    fn delete_webhook(&self, agency: &AgencyCode, id: &str) -> Result<bool> {
        self.write(|tx| {
            let n = tx.execute(
                "UPDATE webhooks SET deleted_at = ?3 WHERE id = ?1 AND agency = ?2 AND deleted_at IS NULL",
                params![id, agency.as_str(), ts(&now())],
            )?;
            Ok(n > 0)
        })
    }

    fn due_deliveries(&self, at: DateTime<Utc>, limit: usize) -> Result<Vec<Delivery>> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT o.id, o.webhook_id, w.url, w.secret, o.idempotency_key, o.payload, o.attempts
                 FROM outbox o JOIN webhooks w ON w.id = o.webhook_id
                 WHERE o.delivered_at IS NULL AND o.next_attempt_at <= ?1 AND w.deleted_at IS NULL
                 ORDER BY o.id LIMIT ?2",
            )?;
            let rows = stmt.query_map(params![ts(&at), limit as i64], |r| {
                Ok(Delivery {
                    id: r.get(0)?,
                    webhook_id: r.get(1)?,
                    url: r.get(2)?,
                    secret: r.get(3)?,
                    idempotency_key: r.get(4)?,
                    payload: r.get(5)?,
                    attempts: r.get(6)?,
                })
            })?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
    }

    fn delivery_succeeded(&self, id: i64) -> Result<()> {
        self.write(|tx| {
            tx.execute(
                "UPDATE outbox SET delivered_at = ?2, attempts = attempts + 1, last_error = NULL WHERE id = ?1",
                params![id, ts(&now())],
            )?;
            Ok(())
        })
    }

    fn delivery_failed(&self, id: i64, error: &str, retry_at: DateTime<Utc>) -> Result<()> {
        self.write(|tx| {
            tx.execute(
                "UPDATE outbox SET attempts = attempts + 1, last_error = ?2, next_attempt_at = ?3 WHERE id = ?1",
                params![id, error, ts(&retry_at)],
            )?;
            Ok(())
        })
    }

    fn save_manifest(&self, m: &StoredManifest, audit: Option<AuditEvent>) -> Result<()> {
        self.write(|tx| {
            tx.execute(
                "INSERT INTO manifests (id, agency, received_at, purpose, summary, travellers) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![m.id, m.agency.as_str(), ts(&m.received_at), m.purpose, m.summary.to_string(), m.travellers.to_string()],
            )?;
            if let Some(event) = audit {
                append_audit_tx(tx, event)?;
            }
            Ok(())
        })
    }

    fn manifest(&self, id: &str) -> Result<Option<StoredManifest>> {
        self.read(|conn| {
            conn.query_row(
                "SELECT id, agency, received_at, purpose, summary, travellers FROM manifests WHERE id = ?1",
                params![id],
                manifest_from_row,
            )
            .optional()?
            .map(RawManifest::into_manifest)
            .transpose()
        })
    }

    fn manifests_since(&self, since: DateTime<Utc>) -> Result<Vec<StoredManifest>> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT id, agency, received_at, purpose, summary, travellers FROM manifests WHERE received_at >= ?1 ORDER BY received_at",
            )?;
            let rows = stmt.query_map(params![ts(&since)], manifest_from_row)?;
            rows.map(|r| r.map_err(StoreError::from).and_then(RawManifest::into_manifest))
                .collect()
        })
    }
}

const HIT_COLUMNS: &str = "seq, id, record_id, owner, reference, screening_agency, token_id, purpose, disclosed,
    traveller, context, score, explanation, created_at, status, decision_note, decided_by, decided_at";

struct RawHit {
    seq: i64,
    text: [String; 13],
    score: f64,
    decision_note: Option<String>,
    decided_by: Option<String>,
    decided_at: Option<String>,
}

fn hit_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<RawHit> {
    let mut text: [String; 13] = Default::default();
    for (slot, col) in text
        .iter_mut()
        .zip([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 13, 14])
    {
        *slot = r.get(col)?;
    }
    Ok(RawHit {
        seq: r.get(0)?,
        text,
        score: r.get(11)?,
        decision_note: r.get(15)?,
        decided_by: r.get(16)?,
        decided_at: r.get(17)?,
    })
}

fn access_level(s: &str) -> Result<vigil_core::Access> {
    match s {
        "full" => Ok(vigil_core::Access::Full),
        "hit_only" => Ok(vigil_core::Access::HitOnly),
        "hidden" => Ok(vigil_core::Access::Hidden),
        other => Err(corrupt("disclosure", other)),
    }
}

fn json_col(what: &str, s: &str) -> Result<serde_json::Value> {
    serde_json::from_str(s).map_err(|_| corrupt(what, s))
}

impl RawHit {
    fn into_hit(self) -> Result<Hit> {
        let [id, record, owner, reference, screening, token, purpose, disclosed, traveller, context, explanation, created, status] =
            self.text;
        Ok(Hit {
            seq: self.seq,
            record: RecordId::parse(&record).ok_or_else(|| corrupt("record id", &record))?,
            owner: AgencyCode::parse(&owner).map_err(|_| corrupt("owner", &owner))?,
            reference,
            screening_agency: AgencyCode::parse(&screening)
                .map_err(|_| corrupt("agency", &screening))?,
            token_id: token,
            purpose,
            disclosed: access_level(&disclosed)?,
            traveller: json_col("traveller", &traveller)?,
            context: json_col("context", &context)?,
            score: self.score,
            explanation: json_col("explanation", &explanation)?,
            created_at: parse_ts(&created)?,
            status: HitStatus::parse(&status).ok_or_else(|| corrupt("hit status", &status))?,
            decision_note: self.decision_note,
            decided_by: self
                .decided_by
                .as_deref()
                .map(|a| AgencyCode::parse(a).map_err(|_| corrupt("agency", a)))
                .transpose()?,
            decided_at: self.decided_at.as_deref().map(parse_ts).transpose()?,
            id,
        })
    }
}

struct RawManifest([String; 6]);

fn manifest_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<RawManifest> {
    Ok(RawManifest([
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
    ]))
}

impl RawManifest {
    fn into_manifest(self) -> Result<StoredManifest> {
        let [id, agency, received, purpose, summary, travellers] = self.0;
        Ok(StoredManifest {
            id,
            agency: AgencyCode::parse(&agency).map_err(|_| corrupt("agency", &agency))?,
            received_at: parse_ts(&received)?,
            summary: json_col("summary", &summary)?,
            travellers: json_col("travellers", &travellers)?,
            purpose,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use vigil_core::audit::verify_chain;

    fn code(s: &str) -> AgencyCode {
        AgencyCode::parse(s).unwrap()
    }

    fn event(action: &str) -> AuditEvent {
        AuditEvent {
            agency: code("FRA"),
            role: Role::Contributor,
            token_id: "tok_test".into(),
            purpose: "test".into(),
            action: action.into(),
            request: serde_json::Value::Null,
            disclosed: vec![],
            outcome: 200,
        }
    }

    #[test]
    fn records_are_versioned_and_audited_together() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path()).unwrap();
        store
            .create_agency(&code("FRA"), "France", AgencyKind::CountryBureau)
            .unwrap();
        let id = RecordId::new();
        let draft = RecordDraft::new("FR-1", "Jean Dupont");
        store
            .apply(
                vec![RecordChange::Create {
                    id,
                    owner: code("FRA"),
                    draft: draft.clone(),
                }],
                Some(event("record.create")),
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
            Some(event("record.update")),
        );
        assert!(matches!(stale, Err(StoreError::Conflict(_))));
        store
            .apply(
                vec![RecordChange::Update {
                    id,
                    draft: changed,
                    expected_version: Some(1),
                }],
                Some(event("record.update")),
            )
            .unwrap();
        store
            .apply(
                vec![RecordChange::SetStatus {
                    id,
                    status: RecordStatus::Retired,
                    expected_version: None,
                }],
                Some(event("record.retire")),
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
        // The failed update left no audit entry behind: 3 writes, 3 entries.
        let chain = store.audit_chain().unwrap();
        assert_eq!(verify_chain(&chain).unwrap().0, 3);
    }

    #[test]
    fn duplicate_reference_is_a_conflict_and_rolls_back() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path()).unwrap();
        store
            .create_agency(&code("FRA"), "France", AgencyKind::CountryBureau)
            .unwrap();
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
            store.apply(vec![a, b], Some(event("import"))),
            Err(StoreError::Conflict(_))
        ));
        assert!(store
            .records_page(&RecordFilter::default(), None, 10)
            .unwrap()
            .is_empty());
        assert!(store.audit_chain().unwrap().is_empty());
    }

    #[test]
    fn tokens_are_stored_hashed_and_can_be_revoked() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path()).unwrap();
        store
            .create_agency(&code("DEU"), "Germany", AgencyKind::CountryBureau)
            .unwrap();
        let (info, secret) = store
            .create_token(&code("DEU"), Role::Screener, Some("gate 4"))
            .unwrap();
        assert_eq!(
            store.authenticate(&secret).unwrap().unwrap().role,
            Role::Screener
        );
        assert!(store.authenticate("vgl_wrong").unwrap().is_none());
        // The secret itself is nowhere on disk.
        for file in ["vigil.db", "vigil.db-wal"] {
            let bytes = std::fs::read(dir.path().join(file)).unwrap_or_default();
            assert!(!bytes.windows(secret.len()).any(|w| w == secret.as_bytes()));
        }
        assert!(store.revoke_token(&info.id).unwrap());
        assert!(!store.revoke_token(&info.id).unwrap());
        assert!(store.authenticate(&secret).unwrap().is_none());
    }

    #[test]
    fn category_column_matches_the_json_names() {
        use vigil_core::Category::*;
        for c in [
            ForeignTerroristFighter,
            Suspect,
            Associate,
            Missing,
            Sanctioned,
            Other,
        ] {
            assert_eq!(serde_json::to_value(c).unwrap(), category_str(c));
        }
    }

    #[test]
    fn reopening_keeps_data_and_does_not_rerun_migrations() {
        let dir = tempfile::tempdir().unwrap();
        {
            let store = SqliteStore::open(dir.path()).unwrap();
            store
                .create_agency(&code("ITA"), "Italy", AgencyKind::CountryBureau)
                .unwrap();
        }
        let store = SqliteStore::open(dir.path()).unwrap();
        assert_eq!(store.agencies().unwrap().len(), 1);
    }
}
