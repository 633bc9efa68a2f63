//! The embedded SQLite backend: one database file in the data directory.
//!
//! Why this shape: SQLite allows one writer at a time, so writes go through a
//! single connection behind a mutex (which also serialises audit appends, so
//! the hash chain never forks), while reads use a small pool of their own
//! connections; in WAL mode readers never wait for the writer. `synchronous =
//! FULL` makes every acknowledged commit durable, even across a power cut,
//! not just across a process crash.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use rand::RngCore;
use rusqlite::{params, Connection, OptionalExtension, Transaction};
use sha2::{Digest, Sha256};
use vigil_core::audit::{chain_hash, AuditBody, AuditEvent, StoredAuditEntry, GENESIS_HASH};
use vigil_core::{
    Agency, AgencyCode, AgencyKind, Caller, Record, RecordDraft, RecordId, RecordStatus, Role,
};

use crate::model::*;
use crate::{Result, Store, StoreError};

const DB_FILE: &str = "vigil.db";
const READERS: usize = 4;

/// Schema migrations, applied in order; `PRAGMA user_version` records how
/// many have run. Never edit one that has shipped: add a new one.
const MIGRATIONS: &[&str] = &[r#"
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
    body TEXT NOT NULL,
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
"#];

pub struct SqliteStore {
    path: PathBuf,
    writer: Mutex<Connection>,
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

impl SqliteStore {
    /// Opens (creating if needed) the database in `dir` and runs migrations.
    pub fn open(dir: &Path) -> Result<Self> {
        std::fs::create_dir_all(dir).map_err(|source| StoreError::Io {
            path: dir.display().to_string(),
            source,
        })?;
        let path = dir.join(DB_FILE);
        let mut writer = open_connection(&path)?;
        migrate(&mut writer)?;
        let readers = (0..READERS)
            .map(|_| open_connection(&path).map(Mutex::new))
            .collect::<Result<Vec<_>>>()?;
        Ok(SqliteStore {
            path,
            writer: Mutex::new(writer),
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

const RECORD_COLUMNS: &str = "id, owner, version, status, created_at, updated_at, review_due, body";

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
        &format!("SELECT {RECORD_COLUMNS} FROM records WHERE id = ?1"),
        params![id.to_string()],
        record_from_row,
    )
    .optional()?
    .map(RawRecord::into_record)
    .transpose()
}

fn category_str(c: vigil_core::Category) -> String {
    serde_json::to_value(c)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
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
    let result = tx.execute(
        "INSERT INTO records (id, owner, reference, version, status, category, created_at, updated_at, review_due, body)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
         ON CONFLICT(id) DO UPDATE SET reference = excluded.reference, version = excluded.version,
           status = excluded.status, category = excluded.category, updated_at = excluded.updated_at,
           review_due = excluded.review_due, body = excluded.body",
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
            body,
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
    tx.execute(
        "INSERT INTO record_versions (record_id, version, change, status, changed_at, changed_by_agency, changed_by_token, body)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
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
    let last: Option<(i64, String)> = tx
        .query_row(
            "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let (seq, prev_hash) = match last {
        Some((s, h)) => (s + 1, h),
        None => (1, GENESIS_HASH.to_string()),
    };
    let at = now();
    let body = AuditBody { seq, at, event };
    let text = serde_json::to_string(&body)
        .map_err(|e| StoreError::Corrupt(format!("audit entry: {e}")))?;
    let hash = chain_hash(&prev_hash, &text);
    tx.execute(
        "INSERT INTO audit (seq, at, agency, action, body, prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![seq, ts(&at), body.event.agency.as_str(), body.event.action, text, prev_hash, hash],
    )?;
    let mut stmt =
        tx.prepare_cached("INSERT INTO audit_records (seq, record_id, owner) VALUES (?1, ?2, ?3)")?;
    for d in &body.event.disclosed {
        stmt.execute(params![seq, d.record.to_string(), d.owner.as_str()])?;
    }
    Ok(seq)
}

fn token_from_row(
    row: &rusqlite::Row<'_>,
) -> rusqlite::Result<(
    String,
    String,
    String,
    Option<String>,
    String,
    Option<String>,
)> {
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

    fn apply(&self, changes: Vec<RecordChange>, audit: Option<AuditEvent>) -> Result<Vec<Record>> {
        let actor = audit.as_ref().map(|e| Actor {
            agency: e.agency.clone(),
            token_id: e.token_id.clone(),
        });
        self.write(|tx| {
            let mut out = Vec::with_capacity(changes.len());
            for change in changes {
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
                    "SELECT {RECORD_COLUMNS} FROM records WHERE owner = ?1 AND reference = ?2"
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
                "SELECT {RECORD_COLUMNS} FROM records
                 WHERE (?1 IS NULL OR id > ?1)
                   AND (?2 IS NULL OR owner = ?2)
                   AND (?3 IS NULL OR status = ?3)
                   AND (?4 IS NULL OR category = ?4)
                   AND (?5 IS NULL OR updated_at >= ?5)
                 ORDER BY id LIMIT ?6"
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
        self.write(|tx| append_audit_tx(tx, event))
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
