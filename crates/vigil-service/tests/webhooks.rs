//! Webhook registration refuses receivers inside the operator's network
//! unless the operator allows them.

use std::sync::Arc;

use vigil_core::{AgencyCode, Caller, Role};
use vigil_service::{Config, Ctx, ServiceError, Vigil};
use vigil_store::SqliteStore;

fn analyst() -> Ctx {
    Ctx::new(
        Caller {
            agency: AgencyCode::parse("FRA").unwrap(),
            role: Role::Analyst,
            token_id: "t".into(),
        },
        "test",
    )
}

fn vigil(dir: &tempfile::TempDir, allow_private_webhooks: bool) -> Vigil {
    let store = SqliteStore::open(dir.path()).unwrap();
    let config = Config {
        allow_private_webhooks,
        ..Config::default()
    };
    Vigil::new(Arc::new(store), config)
}

#[test]
fn private_receivers_need_the_operators_consent() {
    let dir = tempfile::tempdir().unwrap();
    let refusing = vigil(&dir, false);
    for url in [
        "http://127.0.0.1:8080/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://localhost/hook",
        "http://[::1]/hook",
    ] {
        match refusing.create_webhook(&analyst(), url, None) {
            Err(ServiceError::Invalid(fields)) => assert_eq!(fields[0].path, "url", "{url}"),
            other => panic!("{url}: {other:?}"),
        }
    }
    assert!(refusing
        .create_webhook(&analyst(), "https://hooks.example.org/vigil", None)
        .is_ok());
    drop(refusing);
    let allowing = vigil(&dir, true);
    assert!(allowing
        .create_webhook(&analyst(), "http://127.0.0.1:8080/hook", None)
        .is_ok());
}
