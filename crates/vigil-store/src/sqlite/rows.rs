//! How values sit in columns, and rows decoded back into values by column
//! name.
//!
//! Timestamps are RFC 3339 text with microseconds (so that text order is time
//! order), dates `YYYY-MM-DD`, enums their snake_case names, structured
//! values JSON text. The column lists that queries select sit next to the
//! decoder that reads them, so the two cannot drift apart. A value that does
//! not decode is [`StoreError::Corrupt`] naming the row and the column: never
//! a default in its place.

use std::fmt::Display;
use std::str::FromStr;

use chrono::{DateTime, NaiveDate, SecondsFormat, SubsecRound, Utc};
use rusqlite::types::{FromSql, ValueRef};
use rusqlite::{Params, Row, Statement};
use serde::de::DeserializeOwned;
use serde::Serialize;
use vigil_core::audit::StoredAuditEntry;
use vigil_core::{
    AccessPolicy, Agency, Caller, Hit, HitContext, IdentityLink, Judgement, LinkState, Record,
    RecordId, RecordStatus,
};

use crate::agencies::{TokenHolder, TokenInfo};
use crate::error::{Result, StoreError};
use crate::federation::{OrgIdentity, Peer, Provenance, Quarantined, ReceiverState};
use crate::hits::{Delivery, StoredManifest, Webhook};
use crate::links::XrefRun;
use crate::records::{AccessFacts, Actor, ChangeEvent, RecordVersion};
use crate::stats::{ActivityCount, HitGroup, RecordGroup};

/// The store's clock, at the precision timestamps are stored with, so that
/// a value a write returns equals the one a later read returns.
pub(super) fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}

pub(super) fn ts(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

pub(super) fn date(d: &NaiveDate) -> String {
    d.format(DATE_FORMAT).to_string()
}

const DATE_FORMAT: &str = "%Y-%m-%d";

/// An enum's stored name: the same as its JSON name (strum and serde both
/// derive snake_case).
pub(super) fn name(value: impl Into<&'static str>) -> &'static str {
    value.into()
}

/// A value as JSON text for a column.
pub(super) fn to_json(what: &str, value: &impl Serialize) -> Result<String> {
    serde_json::to_string(value)
        .map_err(|e| StoreError::Corrupt(format!("cannot encode {what}: {e}")))
}

/// Every row of a query, decoded.
pub(super) fn all<T>(
    stmt: &mut Statement<'_>,
    params: impl Params,
    mut decode: impl FnMut(&Row<'_>) -> Result<T>,
) -> Result<Vec<T>> {
    let mut rows = stmt.query(params)?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(decode(row)?);
    }
    Ok(out)
}

/// The first row of a query, if there is one, decoded.
pub(super) fn first<T>(
    stmt: &mut Statement<'_>,
    params: impl Params,
    decode: impl FnOnce(&Row<'_>) -> Result<T>,
) -> Result<Option<T>> {
    stmt.query(params)?.next()?.map(decode).transpose()
}

/// A row being decoded, and which row it is, for the error when one of its
/// values does not decode.
struct Columns<'r, 's> {
    row: &'r Row<'s>,
    /// What the row holds ("hit") and its key, as the error names it.
    what: &'static str,
    key: String,
}

impl<'r, 's> Columns<'r, 's> {
    /// A row of `what`, named in errors by the value of `key_column`.
    fn new(row: &'r Row<'s>, what: &'static str, key_column: &str) -> Result<Self> {
        let key = match row.get_ref(key_column)? {
            ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned(),
            ValueRef::Integer(i) => i.to_string(),
            other => format!("{other:?}"),
        };
        Ok(Columns { row, what, key })
    }

    fn corrupt(&self, column: &str, problem: impl Display) -> StoreError {
        StoreError::Corrupt(format!(
            "{} {}, column {column}: {problem}",
            self.what, self.key
        ))
    }

    /// A value SQLite hands over as it is (text, integer, real, or NULL for
    /// an `Option`).
    fn get<T: FromSql>(&self, column: &str) -> Result<T> {
        Ok(self.row.get(column)?)
    }

    /// A text column read by `parse`.
    fn parse_with<T>(&self, column: &str, parse: impl FnOnce(&str) -> Option<T>) -> Result<T> {
        let text: String = self.get(column)?;
        parse(&text).ok_or_else(|| self.corrupt(column, format!("'{text}'")))
    }

    /// A nullable text column read by `parse`.
    fn parse_opt_with<T>(
        &self,
        column: &str,
        parse: impl FnOnce(&str) -> Option<T>,
    ) -> Result<Option<T>> {
        let text: Option<String> = self.get(column)?;
        text.map(|t| parse(&t).ok_or_else(|| self.corrupt(column, format!("'{t}'"))))
            .transpose()
    }

    /// A text column holding a value's `FromStr` form (codes, enum names).
    fn parse<T: FromStr>(&self, column: &str) -> Result<T> {
        self.parse_with(column, |s| s.parse().ok())
    }

    fn parse_opt<T: FromStr>(&self, column: &str) -> Result<Option<T>> {
        self.parse_opt_with(column, |s| s.parse().ok())
    }

    fn record_id(&self, column: &str) -> Result<RecordId> {
        self.parse_with(column, RecordId::parse)
    }

    fn time(&self, column: &str) -> Result<DateTime<Utc>> {
        self.parse_with(column, parse_ts)
    }

    fn time_opt(&self, column: &str) -> Result<Option<DateTime<Utc>>> {
        self.parse_opt_with(column, parse_ts)
    }

    fn date(&self, column: &str) -> Result<NaiveDate> {
        self.parse_with(column, |s| NaiveDate::parse_from_str(s, DATE_FORMAT).ok())
    }

    /// A JSON text column, decoded into its type.
    fn json<T: DeserializeOwned>(&self, column: &str) -> Result<T> {
        let text: String = self.get(column)?;
        serde_json::from_str(&text).map_err(|e| self.corrupt(column, e))
    }
}

fn parse_ts(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

pub(super) const AGENCY_COLUMNS: &str = "code, name, kind, created_at";

pub(super) fn agency(row: &Row<'_>) -> Result<Agency> {
    let c = Columns::new(row, "agency", "code")?;
    Ok(Agency {
        code: c.parse("code")?,
        name: c.get("name")?,
        kind: c.parse("kind")?,
        created_at: c.time("created_at")?,
    })
}

pub(super) const TOKEN_COLUMNS: &str =
    "id, agency, role, label, default_purpose, created_at, revoked_at";

pub(super) fn token(row: &Row<'_>) -> Result<TokenInfo> {
    let c = Columns::new(row, "token", "id")?;
    Ok(TokenInfo {
        id: c.get("id")?,
        agency: c.parse("agency")?,
        role: c.parse("role")?,
        label: c.get("label")?,
        default_purpose: c.get("default_purpose")?,
        created_at: c.time("created_at")?,
        revoked_at: c.time_opt("revoked_at")?,
    })
}

/// Reads `id, agency, role, default_purpose` of a token.
pub(super) fn token_holder(row: &Row<'_>) -> Result<TokenHolder> {
    let c = Columns::new(row, "token", "id")?;
    Ok(TokenHolder {
        caller: Caller {
            agency: c.parse("agency")?,
            role: c.parse("role")?,
            token_id: c.get("id")?,
        },
        default_purpose: c.get("default_purpose")?,
    })
}

/// A record's current state: its row in `records` and, for the content, the
/// version that row points at (content is stored once, in its version).
pub(super) const RECORD_COLUMNS: &str = "r.id AS id, r.owner AS owner, r.version AS version, \
     r.status AS status, r.created_at AS created_at, r.updated_at AS updated_at, \
     r.review_due AS review_due, v.body AS body";
pub(super) const RECORD_FROM: &str =
    "records r JOIN record_versions v ON v.record_id = r.id AND v.version = r.version";

pub(super) fn record(row: &Row<'_>) -> Result<Record> {
    let c = Columns::new(row, "record", "id")?;
    Ok(Record {
        id: c.record_id("id")?,
        owner: c.parse("owner")?,
        version: c.get("version")?,
        status: c.parse("status")?,
        created_at: c.time("created_at")?,
        updated_at: c.time("updated_at")?,
        review_due: c.date("review_due")?,
        draft: c.json("body")?,
    })
}

/// A record's [`AccessFacts`]; a body without a policy has the default one.
pub(super) fn access_facts(row: &Row<'_>) -> Result<AccessFacts> {
    let c = Columns::new(row, "record", "id")?;
    let policy: Option<String> = c.get("policy")?;
    Ok(AccessFacts {
        owner: c.parse("owner")?,
        status: c.parse("status")?,
        policy: match policy {
            Some(text) => serde_json::from_str(&text).map_err(|e| c.corrupt("policy", e))?,
            None => AccessPolicy::default(),
        },
    })
}

pub(super) const VERSION_COLUMNS: &str =
    "version, change, status, changed_at, changed_by_agency, changed_by_token, body";

/// One version of `current`: what is not stored per version (owner,
/// creation) is the record's.
pub(super) fn version(row: &Row<'_>, current: &Record) -> Result<RecordVersion> {
    let version: u32 = row.get("version")?;
    let c = Columns {
        row,
        what: "record version",
        key: format!("{} v{version}", current.id),
    };
    let draft: vigil_core::RecordDraft = c.json("body")?;
    let changed_at = c.time("changed_at")?;
    let changed_by = match (
        c.parse_opt("changed_by_agency")?,
        c.get::<Option<String>>("changed_by_token")?,
    ) {
        (Some(agency), Some(token_id)) => Some(Actor { agency, token_id }),
        _ => None,
    };
    Ok(RecordVersion {
        change: c.parse("change")?,
        changed_at,
        changed_by,
        record: Record {
            id: current.id,
            owner: current.owner.clone(),
            version,
            status: c.parse::<RecordStatus>("status")?,
            created_at: current.created_at,
            updated_at: changed_at,
            review_due: draft.review_due(current.created_at.date_naive()),
            draft,
        },
    })
}

pub(super) const CHANGE_COLUMNS: &str = "seq, record_id, version, change";

pub(super) fn change_event(row: &Row<'_>) -> Result<ChangeEvent> {
    let c = Columns::new(row, "change", "seq")?;
    Ok(ChangeEvent {
        seq: c.get("seq")?,
        record: c.record_id("record_id")?,
        version: c.get("version")?,
        change: c.parse("change")?,
    })
}

/// Qualified, for queries that join: `a` is the `audit` table.
pub(super) const AUDIT_COLUMNS: &str =
    "a.seq AS seq, a.body AS body, a.prev_hash AS prev_hash, a.hash AS hash";

pub(super) fn audit_entry(row: &Row<'_>) -> Result<StoredAuditEntry> {
    Ok(StoredAuditEntry {
        seq: row.get("seq")?,
        body: row.get("body")?,
        prev_hash: row.get("prev_hash")?,
        hash: row.get("hash")?,
    })
}

pub(super) const HIT_COLUMNS: &str =
    "seq, owner_seq, screener_seq, id, record_id, owner, reference, screening_agency, \
     token_id, purpose, disclosed, traveller, context, score, explanation, created_at, status, \
     decision_note, decided_by, decided_at";

pub(super) fn hit(row: &Row<'_>) -> Result<Hit> {
    let c = Columns::new(row, "hit", "id")?;
    Ok(Hit {
        seq: c.get("owner_seq")?,
        stored: c.get("seq")?,
        screener_seq: c.get("screener_seq")?,
        id: c.get("id")?,
        record: c.record_id("record_id")?,
        owner: c.parse("owner")?,
        reference: c.get("reference")?,
        screening_agency: c.parse("screening_agency")?,
        token_id: c.get("token_id")?,
        purpose: c.get("purpose")?,
        disclosed: c.parse("disclosed")?,
        traveller: c.json("traveller")?,
        context: hit_context(&c)?,
        score: c.get("score")?,
        explanation: c.json("explanation")?,
        created_at: c.time("created_at")?,
        status: c.parse("status")?,
        decision_note: c.get("decision_note")?,
        decided_by: c.parse_opt("decided_by")?,
        decided_at: c.time_opt("decided_at")?,
    })
}

/// Hits stored before contexts were typed hold the JSON `null` where the
/// screener sent no context: that is the empty context, stated as such.
/// Anything else that does not decode is corrupt.
fn hit_context(c: &Columns<'_, '_>) -> Result<HitContext> {
    match c.json::<Option<HitContext>>("context")? {
        Some(context) => Ok(context),
        None => Ok(HitContext::default()),
    }
}

/// What a false-positive decision needs of a hit: its record, and the keys
/// of its traveller.
pub(super) fn suppression_keys(row: &Row<'_>) -> Result<(String, Vec<String>)> {
    let c = Columns::new(row, "hit", "id")?;
    Ok((c.get("record_id")?, c.json("traveller_keys")?))
}

pub(super) const WEBHOOK_COLUMNS: &str = "id, agency, url, secret, created_at";

pub(super) fn webhook(row: &Row<'_>) -> Result<Webhook> {
    let c = Columns::new(row, "webhook", "id")?;
    Ok(Webhook {
        id: c.get("id")?,
        agency: c.parse("agency")?,
        url: c.get("url")?,
        secret: c.get("secret")?,
        created_at: c.time("created_at")?,
    })
}

/// Qualified: `o` is the outbox, `w` the webhook it delivers to.
pub(super) const DELIVERY_COLUMNS: &str = "o.id AS id, o.webhook_id AS webhook_id, w.url AS url, \
     w.secret AS secret, o.idempotency_key AS idempotency_key, o.payload AS payload, \
     o.attempts AS attempts";

pub(super) fn delivery(row: &Row<'_>) -> Result<Delivery> {
    Ok(Delivery {
        id: row.get("id")?,
        webhook_id: row.get("webhook_id")?,
        url: row.get("url")?,
        secret: row.get("secret")?,
        idempotency_key: row.get("idempotency_key")?,
        payload: row.get("payload")?,
        attempts: row.get("attempts")?,
    })
}

pub(super) const MANIFEST_COLUMNS: &str = "id, agency, received_at, purpose, summary, travellers";

pub(super) fn manifest(row: &Row<'_>) -> Result<StoredManifest> {
    let c = Columns::new(row, "manifest", "id")?;
    Ok(StoredManifest {
        id: c.get("id")?,
        agency: c.parse("agency")?,
        received_at: c.time("received_at")?,
        summary: c.json("summary")?,
        travellers: c.json("travellers")?,
        purpose: c.get("purpose")?,
    })
}

/// A column list with each column prefixed by a table's alias, for a join
/// (`"a, b"` with `h` → `"h.a, h.b"`).
pub(super) fn aliased(alias: &str, columns: &str) -> String {
    columns
        .split(',')
        .map(|c| format!("{alias}.{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// An agency code in column `column` of a row of any shape.
pub(super) fn peer_code(row: &Row<'_>, column: &str) -> Result<vigil_core::AgencyCode> {
    let text: String = row.get(column)?;
    text.parse().map_err(|_| {
        StoreError::Corrupt(format!("column {column}: '{text}' is not an agency code"))
    })
}

pub(super) const ORG_COLUMNS: &str = "code, name, secret_key, public_key, created_at";

pub(super) fn org_identity(row: &Row<'_>) -> Result<OrgIdentity> {
    let c = Columns::new(row, "organisation", "code")?;
    Ok(OrgIdentity {
        code: c.parse("code")?,
        name: c.get("name")?,
        secret_key: c.get("secret_key")?,
        public_key: c.get("public_key")?,
        created_at: c.time("created_at")?,
    })
}

pub(super) const PEER_COLUMNS: &str = "code, url, public_key, added_at";

pub(super) fn peer(row: &Row<'_>) -> Result<Peer> {
    let c = Columns::new(row, "peer", "code")?;
    Ok(Peer {
        code: c.parse("code")?,
        url: c.get("url")?,
        public_key: c.get("public_key")?,
        added_at: c.time("added_at")?,
    })
}

pub(super) const PROVENANCE_COLUMNS: &str =
    "peer, origin_id, record_id, origin_owner, origin_version, level, received_at, epoch, state";

pub(super) fn provenance(row: &Row<'_>) -> Result<Provenance> {
    let c = Columns::new(row, "received record", "record_id")?;
    Ok(Provenance {
        peer: c.parse("peer")?,
        origin_id: c.record_id("origin_id")?,
        origin_owner: c.parse("origin_owner")?,
        origin_version: c.get("origin_version")?,
        record_id: c.record_id("record_id")?,
        level: c.parse("level")?,
        received_at: c.time("received_at")?,
        epoch: c.get("epoch")?,
        state: c.parse("state")?,
        signature_verified: true,
    })
}

pub(super) const CHECKPOINT_COLUMNS: &str =
    "peer, epoch, applied_seq, past_epochs, head, last_attempt, last_success, last_error, \
     unchanged, refused, last_digest, answers_queries, reconcile_pending";

/// A peer's checkpoint, without the counts of copies (left at 0).
pub(super) fn checkpoint(row: &Row<'_>) -> Result<ReceiverState> {
    let c = Columns::new(row, "peer checkpoint", "peer")?;
    Ok(ReceiverState {
        epoch: c.get("epoch")?,
        applied_seq: c.get("applied_seq")?,
        past_epochs: c.json("past_epochs")?,
        head: c.get("head")?,
        last_attempt: c.time_opt("last_attempt")?,
        last_success: c.time_opt("last_success")?,
        last_error: c.get("last_error")?,
        unchanged: c.get("unchanged")?,
        refused: c.get("refused")?,
        last_digest: c.get("last_digest")?,
        answers_queries: c.get("answers_queries")?,
        reconcile_pending: c.get("reconcile_pending")?,
        ..ReceiverState::default()
    })
}

pub(super) const QUARANTINE_COLUMNS: &str = "id, peer, seq, origin, diagnostic, body, at";

pub(super) fn quarantined(row: &Row<'_>) -> Result<Quarantined> {
    let c = Columns::new(row, "quarantined operation", "id")?;
    Ok(Quarantined {
        peer: c.parse("peer")?,
        seq: c.get("seq")?,
        origin: c.get("origin")?,
        diagnostic: c.get("diagnostic")?,
        body: c.get("body")?,
        at: c.time("at")?,
    })
}

pub(super) const LINK_COLUMNS: &str =
    "l.id AS id, l.record_a AS record_a, l.record_b AS record_b, \
     l.owner_a AS owner_a, l.owner_b AS owner_b, l.responsible AS responsible, l.state AS state, \
     l.score AS score, l.evidence AS evidence, l.created_at AS created_at, \
     l.updated_at AS updated_at, l.decided AS decided, rc.cluster_id AS cluster";
/// Links with the cluster of their first record (a white link's cluster).
pub(super) const LINK_FROM: &str =
    "links l LEFT JOIN record_clusters rc ON rc.record_id = l.record_a";

pub(super) fn link(row: &Row<'_>) -> Result<IdentityLink> {
    let c = Columns::new(row, "link", "id")?;
    let state: LinkState = c.parse("state")?;
    let decided: i64 = c.get("decided")?;
    Ok(IdentityLink {
        id: c.get("id")?,
        records: [c.record_id("record_a")?, c.record_id("record_b")?],
        owners: [c.parse("owner_a")?, c.parse("owner_b")?],
        state,
        score: c.get("score")?,
        cluster: if state == LinkState::White {
            c.get("cluster")?
        } else {
            None
        },
        responsible: c.parse("responsible")?,
        evidence: c.json("evidence")?,
        created_at: c.time("created_at")?,
        updated_at: c.time("updated_at")?,
        decided: decided != 0,
    })
}

pub(super) const JUDGEMENT_COLUMNS: &str = "id, state, agency, token_id, automatic, note, at";

pub(super) fn judgement(row: &Row<'_>) -> Result<Judgement> {
    let c = Columns::new(row, "link judgement", "id")?;
    let automatic: i64 = c.get("automatic")?;
    Ok(Judgement {
        state: c.parse("state")?,
        agency: c.parse("agency")?,
        token_id: c.get("token_id")?,
        automatic: automatic != 0,
        note: c.get("note")?,
        at: c.time("at")?,
    })
}

pub(super) fn record_group(row: &Row<'_>) -> Result<RecordGroup> {
    let c = Columns::new(row, "record group", "owner")?;
    Ok(RecordGroup {
        owner: c.parse("owner")?,
        status: c.parse("status")?,
        category: c.get("category")?,
        handling: c.get("handling")?,
        policy: c.json("policy")?,
        count: c.get("n")?,
    })
}

pub(super) fn hit_group(row: &Row<'_>) -> Result<HitGroup> {
    let c = Columns::new(row, "hit group", "day")?;
    let record_status: Option<RecordStatus> = c.parse_opt("record_status")?;
    let policy: Option<String> = c.get("policy")?;
    let record = match (record_status, policy) {
        (Some(status), Some(_)) => Some((status, c.json("policy")?)),
        _ => None,
    };
    Ok(HitGroup {
        day: c.get("day")?,
        owner: c.parse("owner")?,
        screening_agency: c.parse("screening_agency")?,
        status: c.parse("status")?,
        record,
        count: c.get("n")?,
    })
}

pub(super) fn activity(row: &Row<'_>) -> Result<ActivityCount> {
    let c = Columns::new(row, "activity", "day")?;
    Ok(ActivityCount {
        day: c.get("day")?,
        agency: c.parse("agency")?,
        action: c.get("action")?,
        outcome: c.get("outcome")?,
        entries: c.get("entries")?,
        items: c.get("items")?,
    })
}

pub(super) fn xref_run(row: &Row<'_>) -> Result<XrefRun> {
    let c = Columns::new(row, "xref run", "id")?;
    let finished: Option<String> = c.get("finished_at")?;
    Ok(XrefRun {
        id: c.get("id")?,
        target: c.get("target")?,
        position: c.get("position")?,
        records: c.get("records")?,
        yellow: c.get("yellow")?,
        white: c.get("white")?,
        finished: finished.is_some(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

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
            assert_eq!(serde_json::to_value(c).unwrap(), name(c));
        }
    }

    #[test]
    fn timestamps_keep_their_text_format_and_the_clock_its_precision() {
        let t = now();
        assert_eq!(parse_ts(&ts(&t)), Some(t));
        assert!(ts(&t).ends_with('Z') && ts(&t).len() == "2026-01-01T00:00:00.000000Z".len());
    }
}
