//! An import in one process while another screens on the same database:
//! no screening fails, the import is stored in parts each audited, and the
//! screening process's index catches up with all of it. Each `Vigil` here
//! stands for one process.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use vigil_core::{AgencyCode, Caller, HitContext, Role, Traveller};
use vigil_service::exchange::ImportFormat;
use vigil_service::screening::ScreenOptions;
use vigil_service::{Config, Ctx, Vigil};
use vigil_store::{AuditFilter, SqliteStore};

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

fn person(i: usize) -> String {
    // Names from a small alphabet of syllables, distinct per record.
    const SYLLABLES: [&str; 10] = ["ka", "lo", "mi", "ne", "ru", "sa", "to", "vi", "za", "be"];
    let word = |mut n: usize| {
        let mut w = String::new();
        for _ in 0..4 {
            w.push_str(SYLLABLES[n % 10]);
            n /= 10;
        }
        w
    };
    serde_json::json!({
        "id": format!("imp-{i}"),
        "schema": "Person",
        "properties": {"name": [format!("{} {}", word(i), word(i / 7 + 3))], "birthDate": ["1980-01-01"]},
    })
    .to_string()
}

#[test]
fn screening_never_fails_while_another_process_imports() {
    const RECORDS: usize = 4_500;
    let dir = tempfile::tempdir().unwrap();
    let server = process(dir.path());
    for code in ["FRA", "EUROPOL"] {
        server
            .create_agency(
                &ctx("LOCAL", Role::Operator),
                &AgencyCode::parse(code).unwrap(),
                code,
                None,
            )
            .unwrap();
    }
    server.warm_up().unwrap();
    let file: String = (0..RECORDS).map(|i| person(i) + "\n").collect();

    let importing = AtomicBool::new(true);
    let screened = std::thread::scope(|s| {
        s.spawn(|| {
            let cli = process(dir.path());
            let report = cli
                .import_file(
                    &ctx("EUROPOL", Role::Contributor),
                    ImportFormat::Ftm,
                    file.as_bytes(),
                )
                .unwrap();
            assert_eq!(report.added, RECORDS);
            importing.store(false, Ordering::Release);
        });
        let screener = ctx("FRA", Role::Screener);
        let traveller = Traveller {
            names: vec!["Nobody Atall".into()],
            ..Traveller::default()
        };
        let mut screened = 0;
        while importing.load(Ordering::Acquire) {
            server
                .screen(
                    &screener,
                    std::slice::from_ref(&traveller),
                    ScreenOptions::default(),
                    HitContext::default(),
                )
                .expect("a screening beside an import");
            screened += 1;
        }
        screened
    });
    assert!(screened > 0);

    // The import was stored in parts, each with its audit entry.
    let parts: Vec<serde_json::Value> = server
        .store()
        .audit_entries(&AuditFilter {
            action: Some(vigil_core::Action::Import),
            limit: 100,
            ..AuditFilter::default()
        })
        .unwrap()
        .into_iter()
        .map(|e| serde_json::from_str::<serde_json::Value>(&e.body).unwrap()["request"].clone())
        .collect();
    assert_eq!(parts.len(), RECORDS.div_ceil(1000));
    assert_eq!(parts.last().unwrap()["part"], parts.len());
    assert!(parts.iter().all(|p| p["added"] == RECORDS));

    // The screening process's index holds every imported record.
    server.catch_up().unwrap();
    assert_eq!(server.warm_up().unwrap(), RECORDS);
}
