//! Property test: for random records, policies and callers, a record the
//! caller may not see answers exactly like a record that does not exist —
//! same status, headers and body on every endpoint, and the same list pages
//! and counts as a database in which it was never written.

mod common;

use common::{setup_event, Harness, AGENCIES};
use proptest::prelude::*;
use serde_json::json;
use vigil_core::Action;
use vigil_core::{AgencyCode, RecordDraft, RecordId};
use vigil_store::prelude::*;
use vigil_store::RecordChange;

#[derive(Debug, Clone)]
struct Spec {
    owner: &'static str,
    visibility: serde_json::Value,
    hit_only: bool,
    hit_only_for: Vec<&'static str>,
}

fn agency() -> impl Strategy<Value = &'static str> {
    prop::sample::select(AGENCIES.to_vec())
}

fn spec() -> impl Strategy<Value = Spec> {
    let vis = prop_oneof![
        Just(json!("all")),
        prop::collection::vec(agency(), 1..3).prop_map(|l| json!({ "only": l })),
        prop::collection::vec(agency(), 0..3).prop_map(|l| json!({ "except": l })),
    ];
    let hit_only_for = prop::collection::vec(agency(), 0..2);
    (agency(), vis, any::<bool>(), hit_only_for).prop_map(
        |(owner, visibility, hit_only, hit_only_for)| Spec {
            owner,
            visibility,
            hit_only,
            hit_only_for,
        },
    )
}

/// The rule, written independently of vigil-core: who may not see a record.
fn hidden_from(spec: &Spec, caller: &str) -> bool {
    if spec.owner == caller {
        return false;
    }
    let listed = |key: &str| {
        spec.visibility[key]
            .as_array()
            .is_some_and(|l| l.iter().any(|a| a == caller))
    };
    (spec.visibility.get("only").is_some() && !listed("only")) || listed("except")
}

fn draft(i: usize, spec: &Spec) -> serde_json::Value {
    json!({
        "reference": format!("REF-{i}"),
        "names": [{"full": format!("Person Number{i}")}],
        "policy": {"visibility": spec.visibility, "disclosure": if spec.hit_only { "hit_only" } else { "full" }, "hit_only_for": spec.hit_only_for},
    })
}

async fn list_all(h: &Harness, token: &str, limit: usize) -> Vec<(Vec<String>, u64, bool)> {
    let mut pages = Vec::new();
    let mut cursor = String::new();
    loop {
        let uri = format!("/v1/records?limit={limit}{cursor}");
        let page = h.call("GET", &uri, Some(token), None).await.json();
        let ids = page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_str().unwrap().to_string())
            .collect();
        let next = page["next_cursor"].as_str().map(str::to_string);
        pages.push((ids, page["count"].as_u64().unwrap(), next.is_some()));
        match next {
            Some(c) => cursor = format!("&cursor={c}"),
            None => return pages,
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]

    #[test]
    fn hidden_records_look_absent(
        specs in prop::collection::vec(spec(), 1..10),
        caller in agency(),
        role in prop::sample::select(vec!["screener", "analyst", "contributor"]),
        limit in 1usize..4,
    ) {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async {
            let full = Harness::new();
            let absent = Harness::new();
            let token = full.token(caller, role);
            let missing = RecordId::new();
            for (i, s) in specs.iter().enumerate() {
                let id = full.create(s.owner, draft(i, s)).await;
                let hidden = hidden_from(s, caller);
                if !hidden {
                    // The same record, same id, in the database where hidden ones never existed.
                    let d: RecordDraft = serde_json::from_value(draft(i, s)).unwrap();
                    absent.store.apply(vec![RecordChange::Create {
                        id: RecordId::parse(&id).unwrap(),
                        owner: AgencyCode::parse(s.owner).unwrap(),
                        draft: d.validate().unwrap(),
                    }], setup_event(Action::RecordCreate)).unwrap();
                }
                for suffix in ["", "/history"] {
                    let a = full.call("GET", &format!("/v1/records/{id}{suffix}"), Some(&token), None).await;
                    if hidden {
                        let b = full.call("GET", &format!("/v1/records/{missing}{suffix}"), Some(&token), None).await;
                        assert_eq!((a.status, &a.headers, &a.body), (b.status, &b.headers, &b.body));
                    } else if suffix.is_empty() {
                        assert_eq!(a.status, 200);
                        let keys = a.json().as_object().unwrap().len();
                        let hit_only = (s.hit_only || s.hit_only_for.contains(&caller)) && s.owner != caller;
                        assert_eq!(keys == 5, hit_only, "hit-only view has exactly 5 fields");
                    }
                }
            }
            let token_b = absent.token(caller, role);
            assert_eq!(list_all(&full, &token, limit).await, list_all(&absent, &token_b, limit).await);
        });
    }
}
