//! Two organisations' instances in one process, synced through the same
//! calls the HTTP API and the CLI make (`feed_request` → `authenticate_peer`
//! → `serve_feed` → `receive_batch`): after any sequence of writes, policy
//! changes, retirements, epoch renewals and restores, the receiver holds
//! exactly what the sender's owners release to it, at the released level.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use proptest::prelude::*;
use vigil_core::access::{self, Release};
use vigil_core::policy::{ReleaseLevel, ReleaseRule};
use vigil_core::{
    Access, Action, AgencyCode, Caller, Record, RecordDraft, RecordId, RecordStatus, Role,
};
use vigil_federation::SealedBatch;
use vigil_service::federation::{PeerRequest, ReceiveReport};
use vigil_service::{Config, Ctx, ServiceError, Vigil};
use vigil_store::{AuditFilter, RecordFilter, SqliteStore};

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

fn operator() -> Ctx {
    ctx("LOCAL", Role::Operator)
}

struct Instance {
    org: AgencyCode,
    vigil: Arc<Vigil>,
}

fn open(dir: &Path) -> Arc<Vigil> {
    Arc::new(Vigil::new(
        Arc::new(SqliteStore::open(dir).unwrap()),
        Config::default(),
    ))
}

fn instance(dir: &Path, org: &str, agencies: &[&str]) -> Instance {
    let vigil = open(dir);
    for a in agencies {
        vigil.create_agency(&operator(), &code(a), a, None).unwrap();
    }
    vigil.org_init(&operator(), &code(org), org).unwrap();
    Instance {
        org: code(org),
        vigil,
    }
}

fn key(i: &Instance) -> String {
    i.vigil.org().unwrap().unwrap().public_key
}

/// Registers each with the other.
fn link(a: &Instance, b: &Instance) {
    a.vigil
        .add_peer(&operator(), b.org.as_str(), "http://127.0.0.1:9", &key(b))
        .unwrap();
    b.vigil
        .add_peer(&operator(), a.org.as_str(), "http://127.0.0.1:9", &key(a))
        .unwrap();
}

/// One pull, as a peer's HTTP request would make it.
fn pull(receiver: &Instance, sender: &Instance, limit: usize) -> Result<SealedBatch, ServiceError> {
    let (url, signed) = receiver.vigil.feed_request(&sender.org, limit).unwrap();
    let path = url.trim_start_matches("http://127.0.0.1:9");
    let caller = sender
        .vigil
        .authenticate_peer(&PeerRequest {
            signed,
            method: "GET",
            path,
            body: b"",
        })
        .unwrap()
        .expect("the peer's request verifies");
    let query: BTreeMap<String, String> = url::Url::parse(&url)
        .unwrap()
        .query_pairs()
        .into_owned()
        .collect();
    sender.vigil.serve_feed(
        &caller,
        query["after"].parse().unwrap(),
        query.get("epoch").map(String::as_str),
        query.get("digest").map(String::as_str),
        query["limit"].parse().unwrap(),
    )
}

/// Pulls until caught up; the reports of each batch.
fn sync(receiver: &Instance, sender: &Instance, limit: usize) -> Vec<ReceiveReport> {
    let mut reports = Vec::new();
    loop {
        let sealed = pull(receiver, sender, limit).unwrap();
        let report = receiver.vigil.receive_batch(&sender.org, &sealed).unwrap();
        let done = report.caught_up;
        reports.push(report);
        if done {
            return reports;
        }
        assert!(reports.len() < 1000, "sync does not converge");
    }
}

fn all_records(vigil: &Vigil) -> Vec<Record> {
    let mut out = Vec::new();
    let mut after = None;
    loop {
        let page = vigil
            .store()
            .records_page(&RecordFilter::default(), after, 500)
            .unwrap();
        let Some(last) = page.last() else {
            return out;
        };
        after = Some(last.id);
        out.extend(page);
    }
}

/// What the sender releases to `peer`: origin id → (version, level, agencies).
fn released(
    sender: &Instance,
    peer: &AgencyCode,
) -> BTreeMap<RecordId, (u32, Access, Vec<AgencyCode>)> {
    all_records(&sender.vigil)
        .into_iter()
        .filter_map(|r| match access::release_to(&r, peer) {
            Release::Copy { level, agencies } => Some((r.id, (r.version, level, agencies))),
            _ => None,
        })
        .collect()
}

/// What the receiver holds from `peer`, by origin id, checked against the
/// record it stores.
fn held(
    receiver: &Instance,
    peer: &AgencyCode,
) -> BTreeMap<RecordId, (u32, Access, Vec<AgencyCode>)> {
    let mut out = BTreeMap::new();
    for r in all_records(&receiver.vigil) {
        if r.owner.organisation() != Some(peer.as_str()) || r.status != RecordStatus::Active {
            continue;
        }
        let p = receiver
            .vigil
            .store()
            .provenance(r.id)
            .unwrap()
            .expect("provenance");
        let agencies = match &r.draft.policy.visibility {
            vigil_core::Visibility::Only(list) => list.clone(),
            _ => vec![],
        };
        let level = match r.draft.policy.disclosure {
            vigil_core::Disclosure::Full => Access::Full,
            vigil_core::Disclosure::HitOnly => Access::HitOnly,
        };
        assert_eq!(p.level, level);
        assert!(
            r.draft.policy.release.is_empty(),
            "a copy is never released on"
        );
        assert!(
            out.insert(p.origin_id, (p.origin_version, level, agencies))
                .is_none(),
            "duplicate copy"
        );
    }
    out
}

fn rule(org: &str, level: ReleaseLevel, agencies: &[&str]) -> ReleaseRule {
    ReleaseRule {
        org: code(org),
        level,
        agencies: agencies.iter().map(|a| code(a)).collect(),
    }
}

fn draft(reference: &str, release: Vec<ReleaseRule>) -> RecordDraft {
    let mut d = RecordDraft::new(reference, format!("Person {reference} Example"));
    d.notes.push(format!("case note of {reference}"));
    d.policy.release = release;
    d
}

fn pair(dirs: &(tempfile::TempDir, tempfile::TempDir)) -> (Instance, Instance) {
    let interpol = instance(dirs.0.path(), "INTERPOL", &["FRA", "DEU"]);
    let europol = instance(dirs.1.path(), "EUROPOL", &["FRA", "NLD"]);
    link(&interpol, &europol);
    (interpol, europol)
}

fn dirs() -> (tempfile::TempDir, tempfile::TempDir) {
    (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap())
}

#[test]
fn released_records_arrive_at_their_level_and_narrowing_retracts_them() {
    let d = dirs();
    let (interpol, europol) = pair(&d);
    let fra = ctx("FRA", Role::Contributor);
    let eu = code("EUROPOL");
    let full = interpol
        .vigil
        .create_record(
            &fra,
            draft("F-1", vec![rule("EUROPOL", ReleaseLevel::Full, &[])]),
        )
        .unwrap();
    let hit_only = interpol
        .vigil
        .create_record(
            &fra,
            draft(
                "F-2",
                vec![rule("EUROPOL", ReleaseLevel::HitOnly, &["NLD"])],
            ),
        )
        .unwrap();
    interpol
        .vigil
        .create_record(&fra, draft("F-3", vec![]))
        .unwrap();
    interpol
        .vigil
        .create_record(
            &fra,
            draft("F-4", vec![rule("EUROPOL", ReleaseLevel::Query, &[])]),
        )
        .unwrap();
    sync(&europol, &interpol, 100);
    assert_eq!(held(&europol, &interpol.org), released(&interpol, &eu));
    assert_eq!(held(&europol, &interpol.org).len(), 2);

    // At the receiver: NLD sees the hit-only copy as hit-only, FRA (of
    // EUROPOL) not at all; the full copy in full, without the owner's rules.
    let copies = all_records(&europol.vigil);
    let copy_of = |origin: RecordId| {
        copies
            .iter()
            .find(|r| {
                europol
                    .vigil
                    .store()
                    .provenance(r.id)
                    .unwrap()
                    .unwrap()
                    .origin_id
                    == origin
            })
            .unwrap()
            .clone()
    };
    let h = copy_of(hit_only.id);
    assert_eq!(h.owner, code("FRA@INTERPOL"));
    assert!(
        h.draft.notes.is_empty(),
        "a hit-only copy carries no case notes"
    );
    let nld = ctx("NLD", Role::Analyst);
    let seen = europol.vigil.get_record(&nld, h.id).unwrap();
    assert!(matches!(seen, vigil_core::RecordView::HitOnly(_)));
    assert!(matches!(
        europol.vigil.get_record(&ctx("FRA", Role::Analyst), h.id),
        Err(ServiceError::NotFound(_))
    ));
    let f = copy_of(full.id);
    assert_eq!(f.draft.notes, full.draft.notes);
    assert!(matches!(
        europol
            .vigil
            .get_record(&ctx("FRA", Role::Analyst), f.id)
            .unwrap(),
        vigil_core::RecordView::Full(_)
    ));
    // Nobody here writes a received record, nor acts as its owner.
    let peer_agency = code("FRA@INTERPOL");
    assert!(europol
        .vigil
        .create_token(
            &operator(),
            &peer_agency,
            Role::Contributor,
            &vigil_store::TokenOptions::default()
        )
        .is_err());
    assert!(europol
        .vigil
        .create_agency(&operator(), &code("DEU@INTERPOL"), "x", None)
        .is_err());
    assert!(europol
        .vigil
        .create_record(
            &ctx("FRA@INTERPOL", Role::Contributor),
            draft("FAKE", vec![])
        )
        .is_err());
    assert!(europol
        .vigil
        .update_record(
            &ctx("FRA", Role::Contributor),
            f.id,
            draft("X", vec![]),
            None
        )
        .is_err());

    // The owner narrows one and retires the other: both copies go.
    interpol
        .vigil
        .update_record(
            &fra,
            full.id,
            draft("F-1", vec![rule("EUROPOL", ReleaseLevel::None, &[])]),
            None,
        )
        .unwrap();
    interpol.vigil.retire_record(&fra, hit_only.id).unwrap();
    let reports = sync(&europol, &interpol, 100);
    let (retracted, retired): (usize, usize) = reports
        .iter()
        .fold((0, 0), |(a, b), r| (a + r.retracted, b + r.retired));
    assert_eq!((retracted, retired), (1, 1));
    assert!(held(&europol, &interpol.org).is_empty());
    assert!(matches!(
        europol.vigil.get_record(&ctx("FRA", Role::Analyst), f.id),
        Err(ServiceError::NotFound(_))
    ));
    let status = europol.vigil.peer_status(&operator(), None).unwrap();
    assert_eq!(
        (
            status[0].received,
            status[0].retracted,
            status[0].retired,
            status[0].lag
        ),
        (0, 1, 1, 0)
    );
    // Nothing travels back: INTERPOL's feed from EUROPOL is empty.
    let back = sync(&interpol, &europol, 100);
    assert_eq!(back.iter().map(|r| r.upserted).sum::<usize>(), 0);
}

#[test]
fn forged_altered_replayed_misaddressed_and_out_of_epoch_batches_are_refused() {
    let d = dirs();
    let (interpol, europol) = pair(&d);
    let fra = ctx("FRA", Role::Contributor);
    for i in 0..3 {
        interpol
            .vigil
            .create_record(
                &fra,
                draft(
                    &format!("R-{i}"),
                    vec![rule("EUROPOL", ReleaseLevel::Full, &[])],
                ),
            )
            .unwrap();
    }
    let first = pull(&europol, &interpol, 2).unwrap();
    // Altered in transit.
    let mut altered = first.clone();
    let text = String::from_utf8(altered.body.clone()).unwrap();
    altered.body = text.replace("Person R-0", "Person R-9").into_bytes();
    assert_ne!(altered.body, first.body);
    let refused = |r: Result<ReceiveReport, ServiceError>| {
        assert!(matches!(r, Err(ServiceError::Forbidden(_))), "{r:?}");
    };
    refused(europol.vigil.receive_batch(&interpol.org, &altered));
    // Forged: a batch signed by another key.
    let dir = tempfile::tempdir().unwrap();
    let forger = instance(dir.path(), "INTERPOL", &["FRA"]);
    forger
        .vigil
        .add_peer(&operator(), "EUROPOL", "http://127.0.0.1:9", &key(&europol))
        .unwrap();
    forger
        .vigil
        .create_record(
            &fra,
            draft("FORGED", vec![rule("EUROPOL", ReleaseLevel::Full, &[])]),
        )
        .unwrap();
    let forged = pull(&europol, &forger, 10);
    // The forger's instance does not even accept EUROPOL's request signed
    // for it? It does (it registered EUROPOL's key); its batch is refused.
    refused(europol.vigil.receive_batch(&interpol.org, &forged.unwrap()));
    assert!(held(&europol, &interpol.org).is_empty());

    // The genuine batch applies once; replayed, it is refused.
    let applied = europol.vigil.receive_batch(&interpol.org, &first).unwrap();
    assert_eq!(applied.applied_seq, 2);
    refused(europol.vigil.receive_batch(&interpol.org, &first));

    // A batch of another epoch that does not start at 0.
    interpol.vigil.renew_epochs(&operator(), None).unwrap();
    let mut state_before = europol
        .vigil
        .peer_status(&operator(), None)
        .unwrap()
        .remove(0);
    let fresh = pull(&europol, &interpol, 1).unwrap();
    let second = {
        // A later batch of the new epoch, before its start was applied.
        let after_first = europol.vigil.receive_batch(&interpol.org, &fresh).unwrap();
        assert_eq!(after_first.applied_seq, 1);
        pull(&europol, &interpol, 1).unwrap()
    };
    let old_epoch = state_before.epoch.take().unwrap();
    // Replaying the old epoch's first batch now: an epoch left before.
    refused(europol.vigil.receive_batch(&interpol.org, &first));
    europol.vigil.receive_batch(&interpol.org, &second).unwrap();
    sync(&europol, &interpol, 10);
    assert_eq!(
        held(&europol, &interpol.org),
        released(&interpol, &code("EUROPOL"))
    );
    let status = europol
        .vigil
        .peer_status(&operator(), None)
        .unwrap()
        .remove(0);
    assert_ne!(status.epoch.as_deref(), Some(old_epoch.as_str()));
    assert_eq!(status.refused, 4);
    assert!(status.last_error.is_none(), "a good round clears the error");
    // Every refusal is in the receiver's audit log, with the peer named.
    let refusals = europol
        .vigil
        .store()
        .audit_entries(&AuditFilter {
            action: Some(Action::FederationRefuse),
            agency: Some(code("INTERPOL")),
            limit: 100,
            ..AuditFilter::default()
        })
        .unwrap();
    assert_eq!(refusals.len(), 4);
}

#[derive(Debug, Clone)]
enum Step {
    /// Create or update record `n` of `owner` with this release to EUROPOL.
    Write {
        owner: &'static str,
        n: usize,
        level: ReleaseLevel,
        only_nld: bool,
    },
    Retire {
        owner: &'static str,
        n: usize,
    },
    Sync {
        limit: usize,
    },
    /// The sender's operator starts the feeds over.
    Renew,
}

fn step() -> impl Strategy<Value = Step> {
    let owner = prop::sample::select(vec!["FRA", "DEU"]);
    let level = prop::sample::select(vec![
        ReleaseLevel::None,
        ReleaseLevel::Query,
        ReleaseLevel::HitOnly,
        ReleaseLevel::Full,
    ]);
    prop_oneof![
        5 => (owner.clone(), 0..4usize, level, any::<bool>()).prop_map(|(owner, n, level, only_nld)| Step::Write { owner, n, level, only_nld }),
        1 => (owner, 0..4usize).prop_map(|(owner, n)| Step::Retire { owner, n }),
        2 => (1..4usize).prop_map(|limit| Step::Sync { limit }),
        1 => Just(Step::Renew),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn the_receiver_holds_exactly_what_is_released_to_it(steps in prop::collection::vec(step(), 1..14)) {
        let d = dirs();
        let (interpol, europol) = pair(&d);
        let eu = code("EUROPOL");
        let mut ids: BTreeMap<(&str, usize), RecordId> = BTreeMap::new();
        for s in steps {
            match s {
                Step::Write { owner, n, level, only_nld } => {
                    let agencies: &[&str] = if only_nld && matches!(level, ReleaseLevel::HitOnly | ReleaseLevel::Full) { &["NLD"] } else { &[] };
                    let d = draft(&format!("{owner}-{n}"), vec![rule("EUROPOL", level, agencies)]);
                    let c = ctx(owner, Role::Contributor);
                    match ids.get(&(owner, n)) {
                        None => {
                            let r = interpol.vigil.create_record(&c, d).unwrap();
                            ids.insert((owner, n), r.id);
                        }
                        Some(id) => {
                            interpol.vigil.update_record(&c, *id, d, None).unwrap();
                        }
                    }
                }
                Step::Retire { owner, n } => {
                    if let Some(id) = ids.get(&(owner, n)) {
                        interpol.vigil.retire_record(&ctx(owner, Role::Contributor), *id).unwrap();
                    }
                }
                Step::Sync { limit } => {
                    sync(&europol, &interpol, limit);
                    prop_assert_eq!(held(&europol, &interpol.org), released(&interpol, &eu));
                }
                Step::Renew => {
                    interpol.vigil.renew_epochs(&operator(), None).unwrap();
                }
            }
        }
        sync(&europol, &interpol, 3);
        prop_assert_eq!(held(&europol, &interpol.org), released(&interpol, &eu));
        let status = europol.vigil.peer_status(&operator(), None).unwrap().remove(0);
        prop_assert_eq!(status.lag, 0);
        prop_assert_eq!(status.received as usize, released(&interpol, &eu).len());
    }
}

#[test]
fn a_sender_restored_from_a_backup_starts_a_new_epoch_and_the_receiver_follows_it() {
    let d = dirs();
    let (interpol, europol) = pair(&d);
    let fra = ctx("FRA", Role::Contributor);
    let full = vec![rule("EUROPOL", ReleaseLevel::Full, &[])];
    interpol
        .vigil
        .create_record(&fra, draft("KEPT", full.clone()))
        .unwrap();
    sync(&europol, &interpol, 10);
    // A backup of the sender, taken with the database closed.
    let backup = tempfile::tempdir().unwrap();
    let Instance { org, vigil } = interpol;
    drop(vigil);
    for f in std::fs::read_dir(d.0.path()).unwrap() {
        let f = f.unwrap();
        std::fs::copy(f.path(), backup.path().join(f.file_name())).unwrap();
    }
    let interpol = Instance {
        org,
        vigil: open(d.0.path()),
    };
    for i in 0..3 {
        interpol
            .vigil
            .create_record(&fra, draft(&format!("LOST-{i}"), full.clone()))
            .unwrap();
    }
    sync(&europol, &interpol, 10);
    assert_eq!(held(&europol, &interpol.org).len(), 4);
    // The sender comes back from the backup, and goes on with other writes:
    // its numbers now mean other operations than those EUROPOL applied.
    drop(interpol);
    let restored = Instance {
        org: code("INTERPOL"),
        vigil: open(backup.path()),
    };
    for i in 0..4 {
        restored
            .vigil
            .create_record(&fra, draft(&format!("NEW-{i}"), full.clone()))
            .unwrap();
    }
    let before = europol
        .vigil
        .peer_status(&operator(), None)
        .unwrap()
        .remove(0)
        .epoch;
    sync(&europol, &restored, 2);
    let after = europol
        .vigil
        .peer_status(&operator(), None)
        .unwrap()
        .remove(0);
    assert_ne!(after.epoch, before, "a new epoch");
    // Exactly what the restored sender releases: the three records lost
    // with the restore are gone from the receiver too.
    assert_eq!(
        held(&europol, &restored.org),
        released(&restored, &code("EUROPOL"))
    );
    assert_eq!(held(&europol, &restored.org).len(), 5);
}

/// Sends what is due home from `from` to `to`, as the delivery worker does.
fn deliver(from: &Instance, to: &Instance) -> usize {
    let mut n = 0;
    for batch in from.vigil.due_home_hits(100).unwrap() {
        let caller = to
            .vigil
            .authenticate_peer(&PeerRequest {
                signed: batch.signed.clone(),
                method: "POST",
                path: vigil_service::home_hits::NOTICES_PATH,
                body: &batch.body,
            })
            .unwrap()
            .expect("the notices' signature verifies");
        n += to.vigil.receive_hit_notices(&caller, &batch.body).unwrap();
        from.vigil.home_hits_delivered(&batch).unwrap();
    }
    n
}

#[test]
fn a_hit_on_a_copy_reaches_the_owners_inbox_once() {
    let d = dirs();
    let (interpol, europol) = pair(&d);
    let fra = ctx("FRA", Role::Contributor);
    let mut wanted = draft("W-1", vec![rule("EUROPOL", ReleaseLevel::HitOnly, &[])]);
    wanted.names = vec![vigil_core::Name::new(
        "Ivan Petrovich Sidorov",
        vigil_core::NameKind::Primary,
    )];
    wanted.birth_dates = vec![vigil_core::PartialDate::parse("1980-05-01").unwrap()];
    wanted.policy.instruction = Some("Discreet check.".into());
    let original = interpol.vigil.create_record(&fra, wanted).unwrap();
    sync(&europol, &interpol, 10);

    // A NLD officer at EUROPOL screens the person: hit-only, the owner's
    // instruction, nothing of the record.
    let outcome = screen_traveller(
        &europol,
        "NLD",
        serde_json::json!({"names": ["Ivan Sidorov"], "birth_date": "1980-05-01"}),
    );
    let shown = outcome.to_string();
    assert!(shown.contains("Discreet check."), "{shown}");
    assert!(!shown.contains("case note"), "{shown}");

    assert_eq!(deliver(&europol, &interpol), 1);
    // Delivered again (at least once): still one hit at home.
    let again = europol
        .vigil
        .store()
        .due_home_deliveries(chrono::Utc::now(), 10)
        .unwrap();
    assert!(again.is_empty(), "delivered hits are not due again");
    let home = inbox(&interpol, "FRA");
    assert_eq!(home.len(), 1);
    let hit = serde_json::to_value(&home[0]).unwrap();
    assert_eq!(hit["record"], original.id.to_string());
    assert_eq!(hit["screening_agency"], "NLD@EUROPOL");
    assert_eq!(hit["traveller"]["names"][0], "Ivan Sidorov");
}

#[test]
fn hit_notices_are_counted_once_per_key_and_never_tell_which_records_exist() {
    let d = dirs();
    let (interpol, europol) = pair(&d);
    let fra = ctx("FRA", Role::Contributor);
    interpol
        .vigil
        .create_record(
            &fra,
            draft("R-1", vec![rule("EUROPOL", ReleaseLevel::Full, &[])]),
        )
        .unwrap();
    let kept_home = interpol
        .vigil
        .create_record(&fra, draft("R-2", vec![]))
        .unwrap();
    sync(&europol, &interpol, 10);
    screen_outcome(&europol, "NLD", "Person R-1 Example");
    let batch = europol.vigil.due_home_hits(10).unwrap().remove(0);
    let mut notices: serde_json::Value = serde_json::from_slice(&batch.body).unwrap();
    let real = notices["hits"][0].clone();
    let mut other = real.clone();
    other["key"] = "k2".into();
    other["origin_id"] = kept_home.id.to_string().into();
    let mut unknown = real.clone();
    unknown["key"] = "k3".into();
    unknown["origin_id"] = RecordId::new().to_string().into();
    notices["hits"] = serde_json::json!([real, real, other, unknown]);
    let body = serde_json::to_vec(&notices).unwrap();
    let peer = Caller {
        agency: code("EUROPOL"),
        role: Role::Peer,
        token_id: "peer:EUROPOL".into(),
    };
    // Every notice answered as received, whatever it names; twice.
    assert_eq!(interpol.vigil.receive_hit_notices(&peer, &body).unwrap(), 4);
    assert_eq!(interpol.vigil.receive_hit_notices(&peer, &body).unwrap(), 4);
    let hits = inbox(&interpol, "FRA");
    assert_eq!(
        hits.len(),
        1,
        "one hit for the one key; none for a record never released or unknown"
    );
    // Notices that claim another sender are refused.
    notices["from"] = "UNODC".into();
    let forged = serde_json::to_vec(&notices).unwrap();
    assert!(interpol.vigil.receive_hit_notices(&peer, &forged).is_err());
}

/// Forwards queries to another instance in this process, through the same
/// signature check the HTTP route makes.
struct InProcess {
    to: Arc<Vigil>,
    up: std::sync::atomic::AtomicBool,
}

impl vigil_service::forwarded::QueryForwarder for InProcess {
    fn post(
        &self,
        _url: &str,
        signed: &vigil_federation::request::SignedRequest,
        body: &[u8],
    ) -> Result<Vec<u8>, String> {
        if !self.up.load(std::sync::atomic::Ordering::Relaxed) {
            return Err("connection refused".into());
        }
        let caller = self
            .to
            .authenticate_peer(&PeerRequest {
                signed: signed.clone(),
                method: "POST",
                path: vigil_service::forwarded::QUERY_PATH,
                body,
            })
            .map_err(|e| e.to_string())?
            .ok_or("401")?;
        let answer = self
            .to
            .answer_query(&caller, body)
            .map_err(|e| e.to_string())?;
        Ok(serde_json::to_vec(&answer).unwrap())
    }
}

/// One traveller screened at `i` by `agency`'s screener: its outcome.
fn screen_traveller(i: &Instance, agency: &str, traveller: serde_json::Value) -> serde_json::Value {
    let traveller: vigil_core::Traveller = serde_json::from_value(traveller).unwrap();
    let out = i
        .vigil
        .screen(
            &ctx(agency, Role::Screener),
            &[traveller],
            vigil_service::screening::ScreenOptions::default(),
            vigil_core::HitContext::default(),
        )
        .unwrap();
    serde_json::to_value(&out[0]).unwrap()
}

fn screen_outcome(i: &Instance, agency: &str, name: &str) -> serde_json::Value {
    screen_traveller(i, agency, serde_json::json!({ "names": [name] }))
}

/// The owner's inbox at `i`, as `agency`'s analyst reads it.
fn inbox(i: &Instance, agency: &str) -> Vec<vigil_service::hits::HitView> {
    i.vigil
        .list_hits(
            &ctx(agency, Role::Analyst),
            vigil_service::hits::HitSide::Owner,
            None,
            None,
            100,
        )
        .unwrap()
}

#[test]
fn a_query_level_record_stays_home_and_answers_the_peers_screenings() {
    let d = dirs();
    let (interpol, europol) = pair(&d);
    let fra = ctx("FRA", Role::Contributor);
    let mut kept = draft("Q-1", vec![rule("EUROPOL", ReleaseLevel::Query, &[])]);
    kept.policy.instruction = Some("Call the FRA duty desk.".into());
    let record = interpol.vigil.create_record(&fra, kept).unwrap();
    sync(&europol, &interpol, 10);
    assert!(held(&europol, &interpol.org).is_empty(), "nothing travels");
    let status = europol
        .vigil
        .peer_status(&operator(), None)
        .unwrap()
        .remove(0);
    assert!(status.answers_queries);

    // Without a way to reach INTERPOL, the screening says so.
    let offline = screen_outcome(&europol, "NLD", "Person Q-1 Example");
    assert_eq!(offline["unanswered"], serde_json::json!(["INTERPOL"]));
    assert_eq!(offline["hits"], 0);

    let forwarder = Arc::new(InProcess {
        to: interpol.vigil.clone(),
        up: true.into(),
    });
    europol.vigil.set_query_forwarder(forwarder.clone());
    let answered = screen_outcome(&europol, "NLD", "Person Q-1 Example");
    assert_eq!(answered["hits"], 1, "{answered}");
    let result = &answered["results"][0];
    assert_eq!(result["owner"], "FRA@INTERPOL");
    assert_eq!(result["disclosure"], "hit_only");
    assert!(result["instruction"]
        .as_str()
        .unwrap()
        .contains("Call the FRA duty desk."));
    assert!(result.get("score").is_none() && result.get("explanation").is_none());
    assert!(answered.get("unanswered").is_none());
    // The hit is in the owner's inbox at home, screened by NLD@EUROPOL.
    let home = inbox(&interpol, "FRA");
    assert_eq!(home.len(), 1);
    let hit = serde_json::to_value(&home[0]).unwrap();
    assert_eq!(hit["record"], record.id.to_string());
    assert_eq!(hit["screening_agency"], "NLD@EUROPOL");
    // A name that matches nothing: no hit, nothing told.
    let none = screen_outcome(&europol, "NLD", "Completely Different Name");
    assert_eq!(none["hits"], 0);
    // A peer that stops answering: named, not silent.
    forwarder
        .up
        .store(false, std::sync::atomic::Ordering::Relaxed);
    let down = screen_outcome(&europol, "NLD", "Person Q-1 Example");
    assert_eq!(down["unanswered"], serde_json::json!(["INTERPOL"]));

    // The owner widens the release to a copy: it travels, and queries stop.
    interpol
        .vigil
        .update_record(
            &fra,
            record.id,
            draft("Q-1", vec![rule("EUROPOL", ReleaseLevel::HitOnly, &[])]),
            None,
        )
        .unwrap();
    sync(&europol, &interpol, 10);
    assert_eq!(held(&europol, &interpol.org).len(), 1);
    let status = europol
        .vigil
        .peer_status(&operator(), None)
        .unwrap()
        .remove(0);
    assert!(!status.answers_queries);
    let local = screen_outcome(&europol, "NLD", "Person Q-1 Example");
    assert!(local.get("unanswered").is_none(), "{local}");
    assert_eq!(local["hits"], 1);
}

#[test]
fn a_bad_operation_is_quarantined_and_the_rest_of_its_batch_applies() {
    use vigil_federation::{FeedBatch, FeedChange, FeedOp, OrgKeys, ReleasedRecord};
    let d = dirs();
    let (interpol, europol) = pair(&d);
    let keys = OrgKeys::from_secret_hex(&interpol.vigil.store().org().unwrap().unwrap().secret_key)
        .unwrap();
    let good = |reference: &str, owner: &str| ReleasedRecord {
        id: RecordId::new(),
        owner: code(owner),
        version: 1,
        level: Access::Full,
        agencies: vec![],
        review_due: chrono::Utc::now().date_naive(),
        draft: draft(reference, vec![]),
    };
    let upsert = |seq, r: ReleasedRecord| {
        FeedOp::new(
            seq,
            &FeedChange::Upsert {
                record: Box::new(r),
            },
        )
    };
    let mut unreadable = upsert(2, good("B", "FRA"));
    unreadable.body.insert("op".into(), "explode".into());
    let mut invalid = good("C", "FRA");
    invalid.draft.names.clear();
    let mut hidden_level = good("D", "FRA");
    hidden_level.level = Access::Hidden;
    let ops = vec![
        upsert(1, good("A", "FRA")),
        unreadable,
        upsert(3, invalid),
        // Another organisation's agency: a peer writes only its own records.
        upsert(4, good("E", "FRA@UNODC")),
        upsert(5, hidden_level),
        upsert(6, good("F", "DEU")),
    ];
    let batch = FeedBatch {
        from: code("INTERPOL"),
        to: code("EUROPOL"),
        epoch: "e1".into(),
        after: 0,
        head: 6,
        caught_up: true,
        answers_queries: false,
        issued_at: chrono::Utc::now(),
        ops,
    };
    let report = europol
        .vigil
        .receive_batch(&interpol.org, &SealedBatch::seal(&keys, &batch))
        .unwrap();
    assert_eq!(
        (report.upserted, report.quarantined, report.applied_seq),
        (2, 4, 6)
    );
    let owners: Vec<String> = all_records(&europol.vigil)
        .iter()
        .map(|r| r.owner.to_string())
        .collect();
    assert_eq!(owners, ["FRA@INTERPOL", "DEU@INTERPOL"]);
    let quarantine = europol.vigil.store().quarantine(&interpol.org, 10).unwrap();
    assert_eq!(quarantine.len(), 4);
    assert!(quarantine.iter().all(|q| !q.diagnostic.is_empty()));
    // Shown without the operation's content, which may carry a person's data.
    let shown = serde_json::to_value(&quarantine[0]).unwrap();
    assert!(shown.get("body").is_none() && shown["diagnostic"].is_string());
    assert!(
        quarantine
            .iter()
            .any(|q| q.diagnostic.contains("not an agency of INTERPOL")),
        "{quarantine:?}"
    );
    let status = europol
        .vigil
        .peer_status(&operator(), None)
        .unwrap()
        .remove(0);
    assert_eq!((status.received, status.quarantined, status.lag), (2, 4, 0));
}

#[test]
fn one_process_at_a_time_pulls_a_peer() {
    let d = dirs();
    let (interpol, europol) = pair(&d);
    // Another process on EUROPOL's database (a `vigil sync` beside its server).
    let other = open(d.1.path());
    let turn = europol.vigil.sync_turn(&interpol.org).unwrap();
    assert!(turn.is_some());
    assert!(other.sync_turn(&interpol.org).unwrap().is_none());
    // Another peer's feed is not held up.
    assert!(other.sync_turn(&code("UNODC")).unwrap().is_some());
    drop(turn);
    assert!(other.sync_turn(&interpol.org).unwrap().is_some());
}
