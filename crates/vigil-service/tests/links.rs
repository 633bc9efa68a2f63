//! Identity links end to end on the real store: the colours and the rule
//! that makes a link white, judgements that are never overridden and those
//! refused for contradicting others, clusters whose ids survive merges and
//! splits, a resumable `xref`, and hidden ≡ absent for links, the gap
//! report and statistics (a property test).

use std::sync::Arc;

use proptest::prelude::*;
use vigil_core::audit::AuditEvent;
use vigil_core::{
    Action, AgencyCode, Caller, Document, DocumentKind, LinkState, Outcome, PartialDate,
    RecordDraft, RecordId, Role, Visibility,
};
use vigil_service::links::LinkView;
use vigil_service::{Config, Ctx, ServiceError, Vigil};
use vigil_store::{LinkFilter, RecordChange, SqliteStore};

fn ctx(agency: &str, role: Role) -> Ctx {
    Ctx::new(
        Caller {
            agency: AgencyCode::parse(agency).unwrap(),
            role,
            token_id: format!("tok_{agency}_{role:?}"),
        },
        "test",
    )
}

fn operator() -> Ctx {
    ctx("LOCAL", Role::Operator)
}

/// A service on a new database with these agencies, its index built (as a
/// server's is), so that every write is checked at once.
fn service(dir: &std::path::Path, agencies: &[&str]) -> Vigil {
    let v = Vigil::new(Arc::new(SqliteStore::open(dir).unwrap()), Config::default());
    for a in agencies {
        v.create_agency(&operator(), &AgencyCode::parse(a).unwrap(), a, None)
            .unwrap();
    }
    v.warm_up().unwrap();
    v
}

fn person(reference: &str, name: &str, born: &str, passport: Option<&str>) -> RecordDraft {
    let mut d = RecordDraft::new(reference, name);
    d.birth_dates = vec![PartialDate::parse(born).unwrap()];
    if let Some(number) = passport {
        d.documents = vec![Document {
            kind: DocumentKind::Passport,
            number: number.into(),
            country: None,
            expiry: None,
            only_one: false,
        }];
    }
    d
}

fn write(v: &Vigil, owner: &str, draft: RecordDraft) -> RecordId {
    v.create_record(&ctx(owner, Role::Contributor), draft)
        .unwrap()
        .id
}

fn links(v: &Vigil, viewer: &Ctx) -> Vec<LinkView> {
    v.list_links(viewer, LinkFilter::default(), 10_000)
        .unwrap()
        .items
}

fn link_between(v: &Vigil, a: RecordId, b: RecordId) -> LinkView {
    links(v, &operator())
        .into_iter()
        .find(|l| l.records.contains(&a) && l.records.contains(&b))
        .unwrap_or_else(|| panic!("no link between {a} and {b}"))
}

fn decide(v: &Vigil, who: &str, link: i64, state: LinkState) -> Result<LinkView, ServiceError> {
    v.decide_link(&ctx(who, Role::Analyst), link, state, "checked the files")
}

#[test]
fn the_same_document_and_similar_identity_make_a_white_link_a_resemblance_a_yellow_one() {
    let dir = tempfile::tempdir().unwrap();
    let v = service(dir.path(), &["FRA", "DEU", "ESP"]);
    let fra = write(
        &v,
        "FRA",
        person("F1", "Jürgen Schmidt", "1980-03-04", Some("C01X00T47")),
    );
    let deu = write(
        &v,
        "DEU",
        person("D1", "JUERGEN SCHMIT", "1980-03-04", Some("c01x 00t47")),
    );
    let esp = write(
        &v,
        "ESP",
        person("E1", "Jurgen Schmidt", "1980-03-04", None),
    );
    // Same name and date, another passport: never white, however high the score.
    let other = write(
        &v,
        "FRA",
        person("F2", "Juergen Schmidt", "1980-03-04", Some("X99999999")),
    );
    let white = link_between(&v, fra, deu);
    assert_eq!(white.state, LinkState::White);
    assert!(white.cluster.is_some());
    // The newer record's owner reviews.
    assert_eq!(white.responsible.as_str(), "DEU");
    assert_eq!(link_between(&v, fra, esp).state, LinkState::Yellow);
    assert_eq!(link_between(&v, deu, other).state, LinkState::Yellow);
    assert_eq!(link_between(&v, fra, esp).cluster, None);
    // Records of one owner are never linked to each other.
    assert!(links(&v, &operator())
        .iter()
        .all(|l| l.owners[0] != l.owners[1]));
    // The evidence goes only to who sees both records in full.
    let seen = links(&v, &ctx("ESP", Role::Analyst));
    assert!(seen.iter().all(|l| l.evidence.is_some()));
    assert!(links(&v, &operator()).iter().all(|l| l.evidence.is_none()));
}

#[test]
fn a_judgement_stands_and_a_green_pair_is_never_proposed_again() {
    let dir = tempfile::tempdir().unwrap();
    let v = service(dir.path(), &["FRA", "DEU"]);
    let a = write(&v, "FRA", person("F1", "Amal Haddad", "1990-01-02", None));
    let b = write(&v, "DEU", person("D1", "Amal Hadad", "1990-01-02", None));
    let link = link_between(&v, a, b);
    assert_eq!(link.state, LinkState::Yellow);
    // Only the responsible agency or an owner judges.
    v.create_agency(&operator(), &AgencyCode::parse("ITA").unwrap(), "ITA", None)
        .unwrap();
    assert!(matches!(
        decide(&v, "ITA", link.id, LinkState::Green),
        Err(ServiceError::Forbidden(_))
    ));
    let green = decide(&v, "DEU", link.id, LinkState::Green).unwrap();
    assert!(green.decided);
    // The records change and the whole database is checked again: the pair
    // keeps its one link, green.
    let mut d = person("D1", "Amal Haddad", "1990-01-02", Some("P1234567"));
    d.nationalities = vec![vigil_core::CountryCode::parse("SYR").unwrap()];
    v.update_record(&ctx("DEU", Role::Contributor), b, d, None)
        .unwrap();
    v.xref(&operator(), true, &mut |_, _| {}).unwrap();
    let all = links(&v, &operator());
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].state, LinkState::Green);
    let detail = v.get_link(&ctx("FRA", Role::Analyst), link.id).unwrap();
    let states: Vec<LinkState> = detail.judgements.iter().map(|j| j.state).collect();
    assert_eq!(states, [LinkState::Yellow, LinkState::Green]);
    assert!(detail.judgements[0].automatic && !detail.judgements[1].automatic);
    assert_eq!(detail.records.len(), 2);
}

/// Three records of three owners that all resemble each other.
fn triangle(v: &Vigil) -> [RecordId; 3] {
    [("FRA", "F"), ("DEU", "D"), ("ESP", "E")]
        .map(|(owner, r)| write(v, owner, person(r, "Yusuf Karimov", "1988-07-21", None)))
}

#[test]
fn a_judgement_that_contradicts_others_is_refused_naming_them() {
    let dir = tempfile::tempdir().unwrap();
    let v = service(dir.path(), &["FRA", "DEU", "ESP"]);
    let [a, b, c] = triangle(&v);
    let (ab, bc, ac) = (
        link_between(&v, a, b).id,
        link_between(&v, b, c).id,
        link_between(&v, a, c).id,
    );
    decide(&v, "DEU", ab, LinkState::White).unwrap();
    decide(&v, "ESP", bc, LinkState::White).unwrap();
    let Err(ServiceError::Conflict(why)) = decide(&v, "ESP", ac, LinkState::Green) else {
        panic!("a green link inside a white cluster was accepted");
    };
    assert!(
        why.contains(&ab.to_string()) && why.contains(&bc.to_string()),
        "{why}"
    );
    assert_eq!(link_between(&v, a, c).state, LinkState::Yellow);
    // The other way round: a white link across a green one.
    decide(&v, "ESP", bc, LinkState::Yellow).unwrap();
    decide(&v, "ESP", ac, LinkState::Green).unwrap();
    let Err(ServiceError::Conflict(why)) = decide(&v, "ESP", bc, LinkState::White) else {
        panic!("a white link joining two sides of a green one was accepted");
    };
    assert!(why.contains(&ac.to_string()), "{why}");
    // The refusals are audited.
    let refused = v
        .audit_log(
            &ctx("ESP", Role::Analyst),
            vigil_store::AuditFilter {
                action: Some(Action::LinkDecide),
                limit: 1000,
                ..Default::default()
            },
        )
        .unwrap()
        .into_iter()
        .filter(|e| e.event.outcome == Outcome::Denied)
        .count();
    assert_eq!(refused, 2);
}

#[test]
fn cluster_ids_survive_merges_and_splits() {
    let dir = tempfile::tempdir().unwrap();
    let v = service(dir.path(), &["FRA", "DEU", "ESP", "ITA"]);
    let ids: Vec<RecordId> = [("FRA", "F"), ("DEU", "D"), ("ESP", "E"), ("ITA", "I")]
        .iter()
        .map(|(o, r)| write(&v, o, person(r, "Omar Farouk Saleh", "1979-11-30", None)))
        .collect();
    let (a, b, c, d) = (ids[0], ids[1], ids[2], ids[3]);
    let ab = decide(&v, "DEU", link_between(&v, a, b).id, LinkState::White).unwrap();
    let cd = decide(&v, "ITA", link_between(&v, c, d).id, LinkState::White).unwrap();
    let (x, y) = (ab.cluster.unwrap(), cd.cluster.unwrap());
    assert!(x < y);
    // A merge keeps the older id; the absorbed one still answers.
    let bc_id = link_between(&v, b, c).id;
    let bc = decide(&v, "ESP", bc_id, LinkState::White).unwrap();
    assert_eq!(bc.cluster, Some(x));
    assert_eq!(link_between(&v, c, d).cluster, Some(x));
    let merged = v.get_cluster(&operator(), y).unwrap();
    assert_eq!((merged.id, merged.merged_from), (x, Some(y)));
    assert_eq!(merged.records.len(), 4);
    // Undoing the merge gives each side its id back.
    decide(&v, "ESP", bc_id, LinkState::Red).unwrap();
    assert_eq!(link_between(&v, a, b).cluster, Some(x));
    assert_eq!(link_between(&v, c, d).cluster, Some(y));
    assert_eq!(v.get_cluster(&operator(), y).unwrap().records.len(), 2);
    // A split that undoes no merge: the larger part keeps the id, a lone
    // record leaves the cluster.
    let ac_id = link_between(&v, a, c).id;
    decide(&v, "ESP", ac_id, LinkState::White).unwrap(); // a, b, c, d: cluster x again
    assert_eq!(link_between(&v, c, d).cluster, Some(x));
    decide(&v, "DEU", link_between(&v, a, b).id, LinkState::Green).unwrap();
    assert_eq!(link_between(&v, a, c).cluster, Some(x));
    let cluster = v.get_cluster(&operator(), x).unwrap();
    assert!(!cluster.records.contains(&b) && cluster.records.len() == 3);
}

#[test]
fn a_link_to_a_record_hidden_from_the_caller_does_not_exist_for_it() {
    let dir = tempfile::tempdir().unwrap();
    let v = service(dir.path(), &["FRA", "DEU", "ESP"]);
    let fra = write(&v, "FRA", person("F1", "Leila Nasser", "1992-05-06", None));
    let mut hidden = person("D1", "Leila Naser", "1992-05-06", None);
    hidden.policy.visibility = Visibility::Only(vec![AgencyCode::parse("ESP").unwrap()]);
    let deu = write(&v, "DEU", hidden);
    let link = link_between(&v, fra, deu).id;
    let caller = ctx("FRA", Role::Analyst);
    assert!(links(&v, &caller).is_empty());
    let unknown = 999_999;
    for id in [link, unknown] {
        assert!(matches!(
            v.get_link(&caller, id),
            Err(ServiceError::NotFound("link"))
        ));
        assert!(matches!(
            decide(&v, "FRA", id, LinkState::Green),
            Err(ServiceError::NotFound("link"))
        ));
    }
    assert_eq!(links(&v, &ctx("ESP", Role::Analyst)).len(), 1);
    assert_eq!(links(&v, &ctx("DEU", Role::Analyst)).len(), 1);
    // Nothing in FRA's audit log tells of the link or the hidden record.
    let log = v
        .audit_log(
            &caller,
            vigil_store::AuditFilter {
                limit: 1000,
                ..Default::default()
            },
        )
        .unwrap();
    assert!(log.len() > 2);
    let text = serde_json::to_string(&log).unwrap();
    assert!(!text.contains(&deu.to_string()), "{text}");
}

#[test]
fn an_interrupted_xref_resumes_where_it_stopped() {
    let dir = tempfile::tempdir().unwrap();
    // Records written by a process that checks nothing itself (a CLI import).
    {
        let v = Vigil::new(
            Arc::new(SqliteStore::open(dir.path()).unwrap()),
            Config::default(),
        );
        for a in ["FRA", "DEU"] {
            v.create_agency(&operator(), &AgencyCode::parse(a).unwrap(), a, None)
                .unwrap();
        }
        let changes = (0..2500)
            .map(|i| RecordChange::Create {
                id: RecordId::new(),
                owner: AgencyCode::parse(if i % 2 == 0 { "FRA" } else { "DEU" }).unwrap(),
                draft: person(
                    &format!("R{i}"),
                    &synthetic_name(i / 2),
                    &format!(
                        "{}-{:02}-{:02}",
                        1940 + i / 2 % 60,
                        i / 2 % 12 + 1,
                        i / 2 % 28 + 1
                    ),
                    Some(&format!("DOC{:07}", i / 2)),
                ),
            })
            .collect();
        let event = ctx("FRA", Role::Contributor).event(
            Action::Import,
            serde_json::Value::Null,
            vec![],
            Outcome::Done,
        );
        v.store().apply(changes, event).unwrap();
    }
    let first = Vigil::new(
        Arc::new(SqliteStore::open(dir.path()).unwrap()),
        Config::default(),
    );
    let mut calls = 0;
    let interrupted = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        first.xref(&operator(), false, &mut |_, _| {
            calls += 1;
            if calls == 2 {
                panic!("interrupted after the first page");
            }
        })
    }));
    assert!(interrupted.is_err());
    let done_before = links(&first, &operator()).len();
    assert!(done_before > 0 && done_before < 1250, "{done_before}");
    drop(first);
    let second = Vigil::new(
        Arc::new(SqliteStore::open(dir.path()).unwrap()),
        Config::default(),
    );
    let summary = second.xref(&operator(), false, &mut |_, _| {}).unwrap();
    assert!(summary.resumed);
    assert_eq!(summary.records, 2500);
    // Each pair shares a passport and the same identity: white.
    let white = second
        .list_links(
            &operator(),
            LinkFilter {
                state: Some(LinkState::White),
                ..LinkFilter::default()
            },
            10_000,
        )
        .unwrap()
        .items;
    assert_eq!(white.len(), 1250);
    assert_eq!(summary.white, 1250);
    // A new pass finds nothing new.
    let again = second.xref(&operator(), false, &mut |_, _| {}).unwrap();
    assert!(!again.resumed);
    assert_eq!((again.records, again.white, again.yellow), (2500, 0, 0));
}

/// A name of two made-up parts, different for every `k`.
fn synthetic_name(k: usize) -> String {
    const SYLLABLES: [&str; 16] = [
        "ba", "ko", "ri", "tu", "me", "sa", "lo", "ni", "da", "fe", "gu", "hi", "jo", "ka", "pu",
        "ze",
    ];
    let part = |mut n: usize| -> String {
        let mut s = String::new();
        for _ in 0..4 {
            s.push_str(SYLLABLES[n % 16]);
            n /= 16;
        }
        let mut c = s.chars();
        c.next()
            .map(|f| f.to_ascii_uppercase())
            .into_iter()
            .chain(c)
            .collect()
    };
    let spread = k.wrapping_mul(2_654_435_761) % 65_536;
    format!("{} {}", part(spread), part(k))
}

/// One record of the property test: who owns it, who may see it, and which
/// of three people it describes.
#[derive(Debug, Clone)]
struct Spec {
    owner: &'static str,
    visibility: Visibility,
    person: usize,
    with_document: bool,
}

const OWNERS: [&str; 3] = ["FRA", "DEU", "ESP"];
const PEOPLE: [(&str, &str, &str); 3] = [
    ("Karim Benali", "1985-02-03", "K1234567"),
    ("Sofia Petrova", "1991-09-10", "S7654321"),
    ("Ahmad Rahimi", "1978-12-25", "A5556667"),
];

fn spec() -> impl Strategy<Value = Spec> {
    let agency = prop::sample::select(OWNERS.to_vec());
    let visibility = prop_oneof![
        Just(Visibility::All),
        agency
            .clone()
            .prop_map(|a| Visibility::Only(vec![AgencyCode::parse(a).unwrap()])),
        agency.prop_map(|a| Visibility::Except(vec![AgencyCode::parse(a).unwrap()])),
    ];
    (
        prop::sample::select(OWNERS.to_vec()),
        visibility,
        0..PEOPLE.len(),
        any::<bool>(),
    )
        .prop_map(|(owner, visibility, person, with_document)| Spec {
            owner,
            visibility,
            person,
            with_document,
        })
}

/// A database holding `specs` under the given ids, every link detected.
fn database(dir: &std::path::Path, specs: &[(RecordId, Spec)]) -> Vigil {
    let v = service(dir, &OWNERS);
    for (id, s) in specs {
        let (name, born, passport) = PEOPLE[s.person];
        let mut draft = person(
            &format!("{}-{id}", s.owner),
            name,
            born,
            s.with_document.then_some(passport),
        );
        draft.policy.visibility = s.visibility.clone();
        let owner = AgencyCode::parse(s.owner).unwrap();
        let event: AuditEvent = ctx(s.owner, Role::Contributor).event(
            Action::RecordCreate,
            serde_json::Value::Null,
            vec![],
            Outcome::Done,
        );
        v.store()
            .apply(
                vec![RecordChange::Create {
                    id: *id,
                    owner,
                    draft,
                }],
                event,
            )
            .unwrap();
    }
    v.catch_up().unwrap();
    v
}

/// What the caller gets from the gap report and statistics, with the
/// instant the statistics were made left out.
fn figures(v: &Vigil, caller: &Ctx) -> (serde_json::Value, serde_json::Value) {
    let (a, b) = (
        v.gap_side("FRA", "a").unwrap(),
        v.gap_side("DEU", "b").unwrap(),
    );
    let gaps = serde_json::to_value(v.gap_report(caller, &a, &b).unwrap()).unwrap();
    let mut stats = serde_json::to_value(v.stats(caller).unwrap()).unwrap();
    stats["generated_at"] = serde_json::Value::Null;
    (gaps, stats)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn gaps_and_statistics_are_the_same_with_a_hidden_record_as_without(
        specs in prop::collection::vec(spec(), 1..7),
        caller in prop::sample::select(OWNERS.to_vec()),
    ) {
        let caller = ctx(caller, Role::Analyst);
        let specs: Vec<(RecordId, Spec)> = specs.into_iter().map(|s| (RecordId::new(), s)).collect();
        let visible: Vec<(RecordId, Spec)> = specs
            .iter()
            .filter(|(_, s)| {
                s.owner == caller.caller.agency.as_str()
                    || match &s.visibility {
                        Visibility::All => true,
                        Visibility::Only(list) => list.contains(&caller.caller.agency),
                        Visibility::Except(list) => !list.contains(&caller.caller.agency),
                    }
            })
            .cloned()
            .collect();
        let (full_dir, absent_dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let full = database(full_dir.path(), &specs);
        let absent = database(absent_dir.path(), &visible);
        prop_assert_eq!(figures(&full, &caller), figures(&absent, &caller));
        let seen = |v: &Vigil| -> Vec<([RecordId; 2], LinkState)> {
            links(v, &caller).into_iter().map(|l| (l.records, l.state)).collect()
        };
        prop_assert_eq!(seen(&full), seen(&absent));
    }
}

#[test]
fn a_refusal_names_no_link_to_a_record_hidden_from_the_caller() {
    let dir = tempfile::tempdir().unwrap();
    let v = service(dir.path(), &["FRA", "DEU", "ESP"]);
    let a = write(&v, "FRA", person("F", "Rami Khoury", "1983-03-03", None));
    let b = write(&v, "DEU", person("D", "Rami Khouri", "1983-03-03", None));
    let mut hidden = person("E", "Rami Khoury", "1983-03-03", None);
    hidden.policy.visibility = Visibility::Only(vec![AgencyCode::parse("DEU").unwrap()]);
    let h = write(&v, "ESP", hidden);
    let (ab, bh, ah) = (
        link_between(&v, a, b).id,
        link_between(&v, b, h).id,
        link_between(&v, a, h).id,
    );
    decide(&v, "ESP", bh, LinkState::White).unwrap();
    decide(&v, "ESP", ah, LinkState::Green).unwrap();
    let Err(ServiceError::Conflict(why)) = decide(&v, "FRA", ab, LinkState::White) else {
        panic!("a white link across a green one was accepted");
    };
    assert!(
        !why.contains(&bh.to_string()) && !why.contains(&ah.to_string()),
        "{why}"
    );
    assert!(!why.contains(&h.to_string()), "{why}");
    // Who sees them is told which.
    let Err(ServiceError::Conflict(why)) = decide(&v, "DEU", ab, LinkState::White) else {
        panic!("a white link across a green one was accepted");
    };
    assert!(why.contains(&ah.to_string()), "{why}");
}
