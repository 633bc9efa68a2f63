//! Every operation leaves its audit entry, including those no person asked
//! for: re-screening, an agency created for an import, the verification of
//! the chain itself. Driven through the service on a real SQLite store.

use std::sync::Arc;

use vigil_core::audit::AuditBody;
use vigil_core::{
    Action, AgencyCode, Caller, Document, DocumentKind, Name, NameKind, Outcome, PartialDate,
    RecordDraft, Role, Traveller,
};
use vigil_service::flights::ManifestInput;
use vigil_service::screening::ScreenOptions;
use vigil_service::{Config, Ctx, Vigil};
use vigil_store::{AuditFilter, SqliteStore};

fn code(s: &str) -> AgencyCode {
    AgencyCode::parse(s).unwrap()
}

fn ctx(agency: &str, role: Role) -> Ctx {
    Ctx::new(
        Caller {
            agency: code(agency),
            role,
            token_id: format!("tok_{agency}_{role}"),
        },
        "test",
    )
}

fn open() -> (tempfile::TempDir, Vigil) {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path()).unwrap();
    (dir, Vigil::new(Arc::new(store), Config::default()))
}

fn entries(vigil: &Vigil) -> Vec<AuditBody> {
    let filter = AuditFilter {
        limit: 1000,
        ..AuditFilter::default()
    };
    vigil
        .audit_log(&ctx("LOCAL", Role::Auditor), filter)
        .unwrap()
}

fn mueller() -> RecordDraft {
    let mut d = RecordDraft::new("DE-MUELLER", "Jürgen Oemer Müller-Lüdenscheidt");
    d.names.push(Name::new("Juergen Mueller", NameKind::Alias));
    d.birth_dates = vec![PartialDate::parse("1985-08-12").unwrap()];
    d
}

fn traveller() -> Traveller {
    Traveller {
        surname: Some("MUELLER LUEDENSCHEIDT".into()),
        given_names: Some("JUERGEN OEMER".into()),
        birth_date: PartialDate::parse("1985-08-12").ok(),
        documents: vec![Document {
            kind: DocumentKind::Passport,
            number: "C01X00T47".into(),
            country: None,
            expiry: None,
            only_one: false,
        }],
        ..Traveller::default()
    }
}

#[test]
fn rescreening_is_audited_for_the_agency_whose_traveller_matched() {
    let (_dir, vigil) = open();
    let admin = ctx("LOCAL", Role::Operator);
    for c in ["FRA", "DEU"] {
        vigil.create_agency(&admin, &code(c), c, None).unwrap();
    }
    vigil.warm_up().unwrap();
    let (summary, _) = vigil
        .screen_manifest(
            &ctx("FRA", Role::Screener),
            ManifestInput::Travellers(vec![traveller()]),
            ScreenOptions::default(),
        )
        .unwrap();
    assert_eq!(summary.hits, 0);
    let record = vigil
        .create_record(&ctx("DEU", Role::Contributor), mueller())
        .unwrap();
    let log = entries(&vigil);
    let rescreen: Vec<&AuditBody> = log
        .iter()
        .filter(|e| e.event.action == Action::Rescreen)
        .collect();
    assert_eq!(rescreen.len(), 1, "{log:#?}");
    let e = &rescreen[0].event;
    assert_eq!(e.agency, code("FRA"));
    assert_eq!(e.token_id, "rescreen");
    assert_eq!(e.outcome, Outcome::Done);
    assert_eq!(e.disclosed.len(), 1);
    assert_eq!(e.disclosed[0].record, record.id);
    assert_eq!(e.request["manifests"][0], summary.id.as_str());
    // The hit it stored is there for the owner, and nothing is audited twice.
    let more = vigil
        .update_record(&ctx("DEU", Role::Contributor), record.id, mueller(), None)
        .unwrap();
    assert_eq!(more.version, 2);
    let again = entries(&vigil);
    assert_eq!(
        again
            .iter()
            .filter(|e| e.event.action == Action::Rescreen)
            .count(),
        1,
        "the same traveller does not alert twice"
    );
}

#[test]
fn an_agency_made_for_an_import_and_every_read_are_audited() {
    let (_dir, vigil) = open();
    let operator = ctx("LOCAL", Role::Operator);
    vigil.ensure_agency(&operator, &code("OFAC")).unwrap();
    vigil.ensure_agency(&operator, &code("OFAC")).unwrap();
    let fra = ctx("FRA", Role::Analyst);
    vigil.webhooks(&fra).unwrap();
    let stream = vigil.open_hit_stream(&fra, Some(0)).unwrap();
    drop(stream);
    let report = vigil
        .verify_audit(&ctx("LOCAL", Role::Auditor))
        .unwrap()
        .unwrap();
    assert_eq!(report.entries, 3, "agency, webhook list, hit stream");
    assert!(vigil.verify_audit(&fra).is_err(), "oversight only");
    let actions: Vec<(Action, Outcome)> = entries(&vigil)
        .iter()
        .map(|e| (e.event.action, e.event.outcome))
        .collect();
    // The listing's own entry is appended after it has read the log.
    assert_eq!(
        actions,
        [
            (Action::AgencyCreate, Outcome::Done),
            (Action::WebhookList, Outcome::Done),
            (Action::HitStream, Outcome::Done),
            (Action::AuditVerify, Outcome::Done),
            (Action::AuditVerify, Outcome::Denied),
        ]
    );
}
