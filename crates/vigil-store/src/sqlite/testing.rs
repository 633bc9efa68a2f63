//! Fixtures for the backend's tests: a fresh store, audit events, and a hit
//! with every typed part filled in.

use vigil_core::audit::AuditEvent;
use vigil_core::explanation::{
    Adjustment, Basis, DateVerdict, DocumentVerdict, Explanation, NameEvidence, PartEvidence,
    Verdict,
};
use vigil_core::{
    Access, Action, Agency, AgencyCode, AgencyKind, CountryCode, Document, DocumentKind, Flight,
    Hit, HitContext, NameKind, NewHit, Outcome, PartialDate, RecordDraft, RecordId, Role,
    Traveller,
};

use super::SqliteStore;
use crate::agencies::AgencyStore;
use crate::audit::AuditStore;
use crate::hits::HitStore;
use crate::records::{RecordChange, RecordStore};

pub(super) fn code(s: &str) -> AgencyCode {
    AgencyCode::parse(s).unwrap()
}

pub(super) fn event(action: Action) -> AuditEvent {
    AuditEvent {
        agency: code("FRA"),
        role: Role::Contributor,
        token_id: "tok_test".into(),
        purpose: "test".into(),
        action,
        request: serde_json::Value::Null,
        disclosed: vec![],
        outcome: Outcome::Done,
    }
}

/// A fresh store in its own directory (kept alive by the first value).
pub(super) fn store() -> (tempfile::TempDir, SqliteStore) {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path()).unwrap();
    (dir, store)
}

/// Creates a country bureau named after its code.
pub(super) fn add_agency(store: &SqliteStore, c: &str) -> Agency {
    let kind = AgencyKind::CountryBureau;
    store
        .create_agency(&code(c), c, kind, event(Action::AgencyCreate))
        .unwrap()
}

/// A fresh store with agencies FRA and DEU and one FRA record.
pub(super) fn store_with_record() -> (tempfile::TempDir, SqliteStore, RecordId) {
    let (dir, store) = store();
    add_agency(&store, "FRA");
    add_agency(&store, "DEU");
    let id = RecordId::new();
    store
        .apply(
            vec![RecordChange::Create {
                id,
                owner: code("FRA"),
                draft: RecordDraft::new("FR-1", "Jean Dupont"),
            }],
            event(Action::RecordCreate),
        )
        .unwrap();
    (dir, store, id)
}

/// Stores [`new_hit`] on `record`.
pub(super) fn stored_hit(store: &SqliteStore, record: RecordId) -> Hit {
    store
        .insert_hits(vec![new_hit(record)], event(Action::Screen))
        .unwrap()
        .remove(0)
}

/// Overwrites one column of one row, as damage or an old version would
/// have left it.
pub(super) fn tamper(store: &SqliteStore, table: &str, id: &str, column: &str, value: &str) {
    store
        .execute_raw(&format!(
            "UPDATE {table} SET {column} = '{value}' WHERE id = '{id}'"
        ))
        .unwrap();
}

/// Entries in the audit chain.
pub(super) fn audit_len(store: &SqliteStore) -> usize {
    store.audit_chain().unwrap().len()
}

pub(super) fn traveller() -> Traveller {
    Traveller {
        names: vec!["Jean Dupont".into()],
        given_names: Some("Jean".into()),
        surname: Some("Dupont".into()),
        birth_date: PartialDate::parse("1980-02-03").ok(),
        nationalities: vec![CountryCode::parse("FRA").unwrap()],
        gender: None,
        documents: vec![Document {
            kind: DocumentKind::Passport,
            number: "12AB34567".into(),
            country: CountryCode::parse("FRA").ok(),
            expiry: None,
            only_one: false,
        }],
    }
}

/// A hit on `record` (owned by FRA) found by DEU, every part filled in.
pub(super) fn new_hit(record: RecordId) -> NewHit {
    let traveller = traveller();
    NewHit {
        record,
        owner: code("FRA"),
        reference: "FR-1".into(),
        screening_agency: code("DEU"),
        token_id: "tok_gate".into(),
        purpose: "border check".into(),
        disclosed: Access::HitOnly,
        traveller_keys: traveller.keys(),
        traveller,
        context: HitContext {
            manifest: Some("man_1".into()),
            traveller: Some(3),
            flight: Some(Flight {
                flight: "XY123".into(),
                departure_airport: Some("CDG".into()),
                ..Flight::default()
            }),
            labels: [("post".to_string(), serde_json::json!("gate 4"))].into(),
            ..HitContext::default()
        },
        score: 0.875,
        explanation: Explanation {
            name_score: 0.75,
            query_name: "jean dupont".into(),
            matched_name: "jean dupont".into(),
            matched_kind: NameKind::Primary,
            name: NameEvidence {
                score: 0.75,
                rarity: 2.5,
                parts: vec![PartEvidence {
                    query: "dupont".into(),
                    matched: "dupont".into(),
                    similarity: 1.0,
                    basis: Basis::Exact,
                    weight: 0.5,
                }],
                unmatched_query: vec![],
                unmatched_matched: vec!["marie".into()],
            },
            birth_date: DateVerdict::Exact,
            nationality: Verdict::Agree,
            gender: Verdict::Unknown,
            document: DocumentVerdict::Unknown,
            adjustments: vec![Adjustment {
                reason: "same birth date".into(),
                delta: 0.125,
            }],
        },
    }
}
