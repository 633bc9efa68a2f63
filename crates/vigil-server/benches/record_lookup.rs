//! How long `GET /v1/records/{id}` takes for a record the caller may see,
//! one hidden from it, and an id that does not exist: a hidden record must
//! not be told apart from no record by the time it takes to refuse.
//!
//! `cargo bench -p vigil-server --bench record_lookup` prints the median and
//! the mean of each, measured through the router (no network, whose jitter
//! would drown the difference), requests of the three kinds interleaved.
//! Every request waits for its audit entry to be durable, so the figures
//! include the group commit's sync.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::Request;
use tower::ServiceExt;
use vigil_core::{AgencyCode, AgencyKind, Caller, RecordDraft, RecordId, Role};
use vigil_server::{app, AppState, ServerConfig};
use vigil_service::{Config, Ctx, Vigil};
use vigil_store::SqliteStore;

const ROUNDS: usize = 3000;

/// A record with a body worth reading: many names and notes.
fn heavy(reference: &str, policy: serde_json::Value) -> RecordDraft {
    let names: Vec<_> = (0..40)
        .map(|i| serde_json::json!({"full": format!("Alias Number{i} Example"), "kind": "alias"}))
        .collect();
    let notes: Vec<String> = (0..40)
        .map(|i| format!("Case note {i}: {}", "x".repeat(200)))
        .collect();
    serde_json::from_value(serde_json::json!({
        "reference": reference,
        "names": names,
        "notes": notes,
        "birth_dates": ["1980"],
        "policy": policy,
    }))
    .expect("draft")
}

fn main() {
    let dir = tempfile::tempdir().expect("tempdir");
    let vigil = Arc::new(Vigil::new(
        Arc::new(SqliteStore::open(dir.path()).expect("store")),
        Config::default(),
    ));
    let operator = Ctx::new(
        Caller {
            agency: AgencyCode::parse("LOCAL").expect("code"),
            role: Role::Operator,
            token_id: "bench".into(),
        },
        "bench",
    );
    for code in ["DEU", "FRA"] {
        let code = AgencyCode::parse(code).expect("code");
        vigil
            .create_agency(
                &operator,
                &code,
                code.as_str(),
                Some(AgencyKind::CountryBureau),
            )
            .expect("agency");
    }
    let (_, token) = vigil
        .create_token(
            &operator,
            &AgencyCode::parse("FRA").expect("code"),
            Role::Analyst,
            &vigil_store::TokenOptions::default(),
        )
        .expect("token");
    let deu = Ctx::new(
        Caller {
            agency: AgencyCode::parse("DEU").expect("code"),
            role: Role::Contributor,
            token_id: "bench".into(),
        },
        "bench",
    );
    let visible = vigil
        .create_record(
            &deu,
            heavy("DE-1", serde_json::json!({"visibility": "all"})),
        )
        .expect("record")
        .id;
    let hidden = vigil
        .create_record(
            &deu,
            heavy(
                "DE-2",
                serde_json::json!({"visibility": {"except": ["FRA"]}}),
            ),
        )
        .expect("record")
        .id;
    let router = app(AppState::new(vigil, ServerConfig::default()));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let get = |id: RecordId| {
        let router = router.clone();
        let token = token.clone();
        async move {
            let req = Request::get(format!("/v1/records/{id}"))
                .header("authorization", format!("Bearer {token}"))
                .header("x-vigil-purpose", "bench")
                .body(Body::empty())
                .expect("request");
            let t = Instant::now();
            let resp = router.oneshot(req).await.expect("response");
            let status = resp.status();
            axum::body::to_bytes(resp.into_body(), usize::MAX)
                .await
                .expect("body");
            (t.elapsed(), status.as_u16())
        }
    };
    let mut times: [Vec<Duration>; 3] = Default::default();
    runtime.block_on(async {
        for round in 0..ROUNDS + 200 {
            let kinds = [visible, hidden, RecordId::new()];
            for (k, id) in kinds.into_iter().enumerate() {
                let (took, status) = get(id).await;
                assert_eq!(status, if k == 0 { 200 } else { 404 });
                if round >= 200 {
                    times[k].push(took);
                }
            }
        }
    });
    println!("# GET /v1/records/{{id}} through the router, {ROUNDS} of each, interleaved");
    for (name, t) in ["visible (200)", "hidden (404)", "unknown id (404)"]
        .iter()
        .zip(times.iter_mut())
    {
        t.sort();
        let mean = t.iter().sum::<Duration>() / t.len() as u32;
        println!(
            "{name}: median {:.1} µs, mean {:.1} µs",
            t[t.len() / 2].as_secs_f64() * 1e6,
            mean.as_secs_f64() * 1e6
        );
    }
}
