//! The schema: migrations, applied in order on open. `PRAGMA user_version`
//! records how many have run. Never edit one that has shipped: add a new one.

use rusqlite::Connection;

use super::connection::begin_write;
use crate::error::Result;

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
    // Where each consumer of the change feed stands, so that it resumes
    // across restarts and processes. Re-screening starts at the current
    // head: what came before this migration was screened as it happened.
    r#"
CREATE TABLE feed_cursors (
    name TEXT PRIMARY KEY,
    seq INTEGER NOT NULL
);
INSERT INTO feed_cursors (name, seq)
    SELECT 'rescreen', COALESCE(MAX(seq), 0) FROM record_versions;
"#,
    // A record's access policy beside its owner and status, so that access
    // is decided without parsing the record's content: refusing a hidden
    // record then costs what an unknown id costs.
    r#"
ALTER TABLE records ADD COLUMN policy TEXT;
UPDATE records SET policy = (
    SELECT json_extract(v.body, '$.policy') FROM record_versions v
    WHERE v.record_id = records.id AND v.version = records.version
);
"#,
    // Hits counted per owner, and per screening agency among those it may
    // know of: one counter over all hits would let any reader count, in the
    // gaps between its own hits' numbers, hits on records hidden from it.
    r#"
ALTER TABLE hits ADD COLUMN owner_seq INTEGER;
ALTER TABLE hits ADD COLUMN screener_seq INTEGER;
UPDATE hits SET owner_seq = n.rn FROM (
    SELECT seq, ROW_NUMBER() OVER (PARTITION BY owner ORDER BY seq) AS rn FROM hits
) AS n WHERE n.seq = hits.seq;
UPDATE hits SET screener_seq = n.rn FROM (
    SELECT seq, ROW_NUMBER() OVER (PARTITION BY screening_agency ORDER BY seq) AS rn
    FROM hits WHERE disclosed <> 'hidden'
) AS n WHERE n.seq = hits.seq;
CREATE UNIQUE INDEX hits_owner_seq ON hits(owner, owner_seq);
CREATE UNIQUE INDEX hits_screener_seq ON hits(screening_agency, screener_seq);
"#,
    // Federation: this instance's organisation and its peers; the sender's
    // release log per peer (gapless `seq` per peer, the change-feed
    // position it has read, what each peer holds); the receiver's
    // checkpoint per peer, its copies' provenance and its quarantine; hits
    // on copies waiting to go home (`home_outbox`) and hits that came home
    // (`home_hits`, one per idempotency key).
    r#"
CREATE TABLE org_identity (
    only_row INTEGER PRIMARY KEY CHECK (only_row = 1),
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    secret_key TEXT NOT NULL,
    public_key TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE peers (
    code TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    public_key TEXT NOT NULL,
    added_at TEXT NOT NULL
);
CREATE TABLE release_positions (
    peer TEXT PRIMARY KEY REFERENCES peers(code),
    epoch TEXT NOT NULL,
    change_seq INTEGER NOT NULL,
    head INTEGER NOT NULL
);
CREATE TABLE release_log (
    peer TEXT NOT NULL REFERENCES peers(code),
    seq INTEGER NOT NULL,
    record_id TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (peer, seq)
);
CREATE TABLE released (
    peer TEXT NOT NULL REFERENCES peers(code),
    record_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    level TEXT NOT NULL,
    agencies TEXT NOT NULL,
    PRIMARY KEY (peer, record_id)
);
CREATE TABLE peer_checkpoints (
    peer TEXT PRIMARY KEY REFERENCES peers(code),
    epoch TEXT,
    applied_seq INTEGER NOT NULL,
    past_epochs TEXT NOT NULL,
    last_digest TEXT,
    head INTEGER NOT NULL,
    last_attempt TEXT,
    last_success TEXT,
    last_error TEXT,
    unchanged INTEGER NOT NULL,
    refused INTEGER NOT NULL,
    answers_queries INTEGER NOT NULL DEFAULT 0,
    reconcile_pending INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE received (
    peer TEXT NOT NULL REFERENCES peers(code),
    origin_id TEXT NOT NULL,
    record_id TEXT NOT NULL UNIQUE REFERENCES records(id),
    origin_owner TEXT NOT NULL,
    origin_version INTEGER NOT NULL,
    level TEXT NOT NULL,
    received_at TEXT NOT NULL,
    epoch TEXT NOT NULL,
    state TEXT NOT NULL,
    PRIMARY KEY (peer, origin_id)
);
CREATE INDEX received_state ON received(peer, state, epoch);
CREATE TABLE quarantine (
    id INTEGER PRIMARY KEY,
    peer TEXT NOT NULL REFERENCES peers(code),
    seq INTEGER NOT NULL,
    origin TEXT,
    diagnostic TEXT NOT NULL,
    body TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX quarantine_peer ON quarantine(peer, id);
CREATE INDEX release_log_record ON release_log(peer, record_id);
CREATE INDEX released_level ON released(peer, level);
CREATE TABLE home_outbox (
    id INTEGER PRIMARY KEY,
    peer TEXT NOT NULL REFERENCES peers(code),
    hit_id TEXT NOT NULL UNIQUE REFERENCES hits(id),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    delivered_at TEXT,
    last_error TEXT
);
CREATE INDEX home_outbox_due ON home_outbox(delivered_at, next_attempt_at);
CREATE TABLE home_hits (
    peer TEXT NOT NULL REFERENCES peers(code),
    key TEXT NOT NULL,
    hit_id TEXT NOT NULL REFERENCES hits(id),
    received_at TEXT NOT NULL,
    PRIMARY KEY (peer, key)
);
"#,
    // Identity links, their judgements and the clusters white links make;
    // activity counted beside the audit log (backfilled from it here).
    r#"
CREATE TABLE links (
    id INTEGER PRIMARY KEY,
    record_a TEXT NOT NULL,
    record_b TEXT NOT NULL,
    owner_a TEXT NOT NULL,
    owner_b TEXT NOT NULL,
    responsible TEXT NOT NULL,
    state TEXT NOT NULL,
    score REAL NOT NULL,
    evidence TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    decided INTEGER NOT NULL DEFAULT 0,
    UNIQUE (record_a, record_b)
);
CREATE INDEX links_b ON links(record_b);
CREATE INDEX links_state ON links(state, id);
CREATE TABLE link_judgements (
    id INTEGER PRIMARY KEY,
    link_id INTEGER NOT NULL REFERENCES links(id),
    state TEXT NOT NULL,
    agency TEXT NOT NULL,
    token_id TEXT NOT NULL,
    automatic INTEGER NOT NULL,
    note TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX link_judgements_link ON link_judgements(link_id, id);
CREATE TABLE clusters (
    id INTEGER PRIMARY KEY,
    created_at TEXT NOT NULL,
    merged_into INTEGER REFERENCES clusters(id)
);
CREATE TABLE record_clusters (
    record_id TEXT PRIMARY KEY,
    cluster_id INTEGER NOT NULL REFERENCES clusters(id),
    first_cluster INTEGER NOT NULL REFERENCES clusters(id)
);
CREATE INDEX record_clusters_cluster ON record_clusters(cluster_id);
CREATE TABLE activity (
    day TEXT NOT NULL,
    agency TEXT NOT NULL,
    action TEXT NOT NULL,
    outcome TEXT NOT NULL,
    entries INTEGER NOT NULL,
    items INTEGER NOT NULL,
    PRIMARY KEY (day, agency, action, outcome)
);
CREATE TABLE xref_runs (
    id INTEGER PRIMARY KEY,
    target INTEGER NOT NULL,
    position INTEGER NOT NULL,
    records INTEGER NOT NULL DEFAULT 0,
    yellow INTEGER NOT NULL DEFAULT 0,
    white INTEGER NOT NULL DEFAULT 0,
    started_at TEXT NOT NULL,
    finished_at TEXT
);
-- Detection follows the change feed from here: what came before is
-- checked by `vigil xref`.
INSERT INTO feed_cursors (name, seq)
    SELECT 'links', COALESCE(MAX(seq), 0) FROM record_versions;
INSERT INTO activity (day, agency, action, outcome, entries, items)
    SELECT substr(at, 1, 10), agency, action, CAST(json_extract(body, '$.outcome') AS TEXT),
           COUNT(*), SUM(COALESCE(json_extract(body, '$.request.travellers'), 0))
    FROM audit GROUP BY 1, 2, 3, 4;
"#,
    r#"
ALTER TABLE tokens ADD COLUMN default_purpose TEXT;
"#,
    // Record counts for the statistics, kept by triggers in the
    // transaction of every write to `records` (whatever writes it), so that
    // reading them costs a few rows at any number of records.
    r#"
ALTER TABLE records ADD COLUMN handling TEXT NOT NULL DEFAULT 'H0';
UPDATE records SET handling = COALESCE((
    SELECT json_extract(v.body, '$.handling.code') FROM record_versions v
    WHERE v.record_id = records.id AND v.version = records.version), 'H0');
CREATE TABLE record_counts (
    owner TEXT NOT NULL,
    status TEXT NOT NULL,
    category TEXT NOT NULL,
    handling TEXT NOT NULL,
    policy TEXT NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (owner, status, category, handling, policy)
);
INSERT INTO record_counts (owner, status, category, handling, policy, n)
    SELECT owner, status, category, handling, policy, COUNT(*) FROM records GROUP BY 1, 2, 3, 4, 5;
CREATE TRIGGER records_counted_on_insert AFTER INSERT ON records BEGIN
    INSERT INTO record_counts (owner, status, category, handling, policy, n)
        VALUES (NEW.owner, NEW.status, NEW.category, NEW.handling, NEW.policy, 1)
        ON CONFLICT (owner, status, category, handling, policy) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER records_counted_on_update AFTER UPDATE OF owner, status, category, handling, policy ON records BEGIN
    UPDATE record_counts SET n = n - 1
        WHERE owner = OLD.owner AND status = OLD.status AND category = OLD.category
          AND handling = OLD.handling AND policy = OLD.policy;
    INSERT INTO record_counts (owner, status, category, handling, policy, n)
        VALUES (NEW.owner, NEW.status, NEW.category, NEW.handling, NEW.policy, 1)
        ON CONFLICT (owner, status, category, handling, policy) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER records_counted_on_delete AFTER DELETE ON records BEGIN
    UPDATE record_counts SET n = n - 1
        WHERE owner = OLD.owner AND status = OLD.status AND category = OLD.category
          AND handling = OLD.handling AND policy = OLD.policy;
END;
"#,
];

/// Runs the migrations not yet applied, each in its own transaction. The
/// version is read inside the transaction, which holds the write lock: two
/// processes opening a new database at once never run a migration twice.
pub(super) fn migrate(conn: &mut Connection) -> Result<()> {
    loop {
        let tx = begin_write(conn)?;
        let applied: usize = tx.pragma_query_value(None, "user_version", |r| r.get(0))?;
        let Some(sql) = MIGRATIONS.get(applied) else {
            return Ok(());
        };
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", applied + 1)?;
        tx.commit()?;
    }
}
