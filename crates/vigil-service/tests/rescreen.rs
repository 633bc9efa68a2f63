//! Re-screening misses nothing across processes and restarts: it follows
//! the change feed from a cursor kept in the store, and picks up manifests
//! that other processes stored. Each `Vigil` here stands for one process
//! on the same database.

use std::path::Path;
use std::sync::Arc;

use vigil_core::{AgencyCode, Caller, Name, NameKind, PartialDate, RecordDraft, Role, Traveller};
use vigil_service::flights::ManifestInput;
use vigil_service::hits::HitSide;
use vigil_service::screening::ScreenOptions;
use vigil_service::{Config, Ctx, Vigil};
use vigil_store::SqliteStore;

fn ctx(agency: &str, role: Role) -> Ctx {
    Ctx::new(
        Caller {
            agency: AgencyCode::parse(agency).unwrap(),
            role,
            token_id: format!("tok_{agency}_{role}"),
        },
        "test",
    )
}

fn process(dir: &Path) -> Vigil {
    Vigil::new(Arc::new(SqliteStore::open(dir).unwrap()), Config::default())
}

fn mueller() -> RecordDraft {
    let mut d = RecordDraft::new("DE-MUELLER", "Jürgen Oemer Müller-Lüdenscheidt");
    d.names.push(Name::new("Juergen Mueller", NameKind::Alias));
    d.birth_dates = vec![PartialDate::parse("1985-08-12").unwrap()];
    d
}

fn flight() -> ManifestInput {
    ManifestInput::Travellers(vec![Traveller {
        surname: Some("MUELLER LUEDENSCHEIDT".into()),
        given_names: Some("JUERGEN OEMER".into()),
        birth_date: PartialDate::parse("1985-08-12").ok(),
        ..Traveller::default()
    }])
}

fn set_up(dir: &Path) {
    let v = process(dir);
    for c in ["FRA", "DEU"] {
        let code = AgencyCode::parse(c).unwrap();
        v.create_agency(&ctx("LOCAL", Role::Operator), &code, c, None)
            .unwrap();
    }
}

fn inbox(v: &Vigil) -> usize {
    v.list_hits(&ctx("DEU", Role::Analyst), HitSide::Owner, None, None, 100)
        .unwrap()
        .len()
}

#[test]
fn a_record_written_while_no_server_ran_is_rescreened_at_start() {
    let dir = tempfile::tempdir().unwrap();
    set_up(dir.path());
    {
        let server = process(dir.path());
        server.warm_up().unwrap();
        let (summary, _) = server
            .screen_manifest(
                &ctx("FRA", Role::Screener),
                flight(),
                ScreenOptions::default(),
            )
            .unwrap();
        assert_eq!(summary.hits, 0);
    } // the server stops
      // A CLI writes the record: it builds no index and screens nothing.
    process(dir.path())
        .create_record(&ctx("DEU", Role::Contributor), mueller())
        .unwrap();
    let restarted = process(dir.path());
    assert_eq!(inbox(&restarted), 0);
    restarted.warm_up().unwrap();
    assert_eq!(inbox(&restarted), 1, "re-screened at start");
    // ... once: another start finds nothing new.
    process(dir.path()).warm_up().unwrap();
    assert_eq!(inbox(&restarted), 1);
}

#[test]
fn a_manifest_stored_by_another_process_is_rescreened() {
    let dir = tempfile::tempdir().unwrap();
    set_up(dir.path());
    let server = process(dir.path());
    server.warm_up().unwrap();
    // The server has loaded its (empty) recent travellers; a CLI stores a flight.
    server
        .create_record(
            &ctx("DEU", Role::Contributor),
            RecordDraft::new("DE-OTHER", "Somebody Else"),
        )
        .unwrap();
    let cli = process(dir.path());
    cli.warm_up().unwrap();
    cli.screen_manifest(
        &ctx("FRA", Role::Screener),
        flight(),
        ScreenOptions::default(),
    )
    .unwrap();
    // The record is written on the server afterwards.
    server
        .create_record(&ctx("DEU", Role::Contributor), mueller())
        .unwrap();
    assert_eq!(inbox(&server), 1);
}
