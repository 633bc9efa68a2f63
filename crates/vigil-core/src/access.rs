//! The access rules, in one place. Every endpoint, the screening index and
//! the exporters ask this module what a caller may see of a record and
//! whether it may change it; none of them re-implements the rules.
//!
//! - Only the owner's contributors may create, change or retire its records.
//! - The owner always sees its own records in full.
//! - Others see a record if its visibility lets them, and then at the
//!   disclosure level the owner chose: in full, or hit-only (that a record
//!   exists, who owns it, a reference to quote and the owner's instruction).
//! - Oversight (the auditor role) sees every record in full; the operator,
//!   who runs the instance, sees none.
//! - A record a caller may not see is [`Access::Hidden`]: callers must make it
//!   indistinguishable from a record that does not exist.
//! - Tokens: the operator creates agencies and any agency's tokens; an
//!   agency's admin only its own agency's, and never oversight's.
//! - The audit log: oversight reads it whole; anyone else its own agency's
//!   actions and who touched its records ([`audit_view`]).
//!
//! - A past disclosure lasts only as far as the owner still allows
//!   ([`lasting_access`]): a hit on a record since hidden from the screener
//!   keeps that it happened and whom to contact, nothing of the record.
//!
//! - Release to peer organisations ([`release_to`]): default deny; only the
//!   owner's rule for that organisation lets anything leave, and a record
//!   received from a peer never leaves again (not onward, not back home).
//!   What a copy carries is decided here too ([`released_draft`],
//!   [`received_policy`]).
//!
//! - Identity links ([`may_see_link`]): seen only by who sees both records.
//!
//! It also builds the hit-only views ([`HitOnlyView`], [`screener_view`]):
//! what a hit-only party receives is decided and shaped here only. A
//! hit-only record is never listed or exported to that party
//! ([`listed_view`]).

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::agency::{AgencyCode, Caller, Role};
use crate::audit::{AuditBody, Disclosed};
use crate::hit::{Hit, HitContext, HitStatus};
pub use crate::policy::Access;
use crate::policy::{AccessPolicy, Disclosure, ReleaseLevel, Visibility};
use crate::record::{Record, RecordDraft, RecordId, RecordStatus};
use crate::traveller::Traveller;

/// What `agency` may see of a record owned by `owner` under `policy`.
pub fn access_for(agency: &AgencyCode, owner: &AgencyCode, policy: &AccessPolicy) -> Access {
    if agency == owner {
        return Access::Full;
    }
    let visible = match &policy.visibility {
        Visibility::All => true,
        Visibility::Only(list) => list.contains(agency),
        Visibility::Except(list) => !list.contains(agency),
    };
    if !visible {
        return Access::Hidden;
    }
    match policy.disclosure {
        Disclosure::Full if !policy.hit_only_for.contains(agency) => Access::Full,
        Disclosure::Full | Disclosure::HitOnly => Access::HitOnly,
    }
}

/// What a caller may see of a record. Oversight (auditors) sees every
/// record in full: it is there to check what agencies hold and share.
pub fn record_access(caller: &Caller, record: &Record) -> Access {
    caller_access(caller, &record.owner, &record.draft.policy)
}

/// [`record_access`] from the owner and policy alone.
fn caller_access(caller: &Caller, owner: &AgencyCode, policy: &AccessPolicy) -> Access {
    match caller.role {
        Role::Auditor => return Access::Full,
        // Running the instance is not reading its records; a peer reads
        // only what its release feed carries.
        Role::Operator | Role::Peer => return Access::Hidden,
        _ => {}
    }
    access_for(&caller.agency, owner, policy)
}

/// Whether a record with this owner, status and policy is hidden from the
/// caller: [`record_access`] says so, or it is retired and the caller may
/// not see retired records ([`may_see_retired`]). Decided on these alone,
/// before the record is read, so that refusing it costs no more than an
/// unknown id.
pub fn hidden_from(
    caller: &Caller,
    owner: &AgencyCode,
    status: RecordStatus,
    policy: &AccessPolicy,
) -> bool {
    let retired_hidden = status != RecordStatus::Active && !may_read_history(caller, owner);
    retired_hidden || caller_access(caller, owner, policy) == Access::Hidden
}

/// One end of an identity link, as access sees it.
pub type LinkEnd<'a> = (&'a AgencyCode, RecordStatus, &'a AccessPolicy);

/// Whether the caller sees an identity link: only when it sees both of its
/// records, so that a link never tells of a record hidden from it. The
/// operator, who runs the instance and reads no record, sees links as ids,
/// owners and states (the CLI's view), never what they link.
pub fn may_see_link(caller: &Caller, ends: [LinkEnd<'_>; 2]) -> bool {
    caller.role == Role::Operator
        || ends
            .iter()
            .all(|(owner, status, policy)| !hidden_from(caller, owner, *status, policy))
}

/// Whether the caller may judge a link it sees: an analyst or contributor
/// (or admin) of the agency responsible for it or owning one of its
/// records. A peer's agency judges nothing here.
pub fn may_judge_link(caller: &Caller, owners: [&AgencyCode; 2], responsible: &AgencyCode) -> bool {
    matches!(caller.role, Role::Analyst | Role::Contributor | Role::Admin)
        && caller.agency.organisation().is_none()
        && (&caller.agency == responsible || owners.contains(&&caller.agency))
}

/// Whether the caller may create, change or retire records owned by `owner`.
/// A peer organisation's agency (`FRA@INTERPOL`) writes nothing here: its
/// records arrive only through its organisation's release feed.
pub fn may_write(caller: &Caller, owner: &AgencyCode) -> bool {
    caller.role == Role::Contributor && &caller.agency == owner && owner.organisation().is_none()
}

/// Whether the caller may read a record's full version history: its owner's
/// people and oversight (auditors), whatever the policy says to others.
pub fn may_read_history(caller: &Caller, owner: &AgencyCode) -> bool {
    match caller.role {
        Role::Auditor => true,
        Role::Operator | Role::Peer => false,
        _ => &caller.agency == owner,
    }
}

/// Whether the caller may read the whole audit log (oversight only).
pub fn may_read_audit(caller: &Caller) -> bool {
    caller.role == Role::Auditor
}

/// Whether the caller creates member agencies: the operator of the instance.
pub fn may_create_agencies(caller: &Caller) -> bool {
    caller.role == Role::Operator
}

/// Whether the caller may create or revoke a token of `agency` with `role`:
/// the operator any token; an agency's admin its own agency's tokens, but
/// not oversight's or the operator's (an agency does not audit itself).
pub fn may_manage_token(caller: &Caller, agency: &AgencyCode, role: Role) -> bool {
    // A peer organisation's agency acts only at its own instance.
    if agency.organisation().is_some() {
        return false;
    }
    if role == Role::Peer {
        return false;
    }
    match caller.role {
        Role::Operator => true,
        Role::Admin => &caller.agency == agency && !matches!(role, Role::Auditor | Role::Operator),
        _ => false,
    }
}

/// Whose tokens the caller may list: every agency's (`None`) for the
/// operator, its own agency's for an admin, nobody's otherwise.
pub fn token_scope(caller: &Caller) -> Option<Option<&AgencyCode>> {
    match caller.role {
        Role::Operator => Some(None),
        Role::Admin => Some(Some(&caller.agency)),
        _ => None,
    }
}

/// Whether the caller may read its agency's hits, manifests and streams:
/// everyone but the operator, who runs the instance and reads no case.
pub fn may_read_cases(caller: &Caller) -> bool {
    !matches!(caller.role, Role::Operator | Role::Peer)
}

/// Whether the caller manages this instance's federation (its
/// organisation identity and peers): the operator who runs it.
pub fn may_manage_federation(caller: &Caller) -> bool {
    caller.role == Role::Operator
}

/// Whether the caller manages its agency's webhooks (where hits on its
/// records are posted).
pub fn may_manage_webhooks(caller: &Caller) -> bool {
    matches!(caller.role, Role::Admin | Role::Contributor | Role::Analyst)
}

/// Whether the caller may screen travellers.
pub fn may_screen(caller: &Caller) -> bool {
    matches!(
        caller.role,
        Role::Screener | Role::Analyst | Role::Contributor | Role::Admin
    )
}

/// The hit-only face of a record: the fields hit/no-hit disclosure allows,
/// and nothing else.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HitOnlyView {
    pub id: RecordId,
    pub owner: AgencyCode,
    pub reference: String,
    pub disclosure: Access,
    pub instruction: String,
}

impl HitOnlyView {
    pub fn of(record: &Record) -> Self {
        HitOnlyView {
            id: record.id,
            owner: record.owner.clone(),
            reference: record.draft.reference.clone(),
            disclosure: Access::HitOnly,
            instruction: contact_instruction(record),
        }
    }
}

/// The owner's instruction, or the default one: contact the owner.
pub fn contact_instruction(record: &Record) -> String {
    match &record.draft.policy.instruction {
        Some(text) => format!(
            "{text} Contact the owner agency {} quoting reference {}.",
            record.owner, record.draft.reference
        ),
        None => format!(
            "Contact the owner agency {} quoting reference {}.",
            record.owner, record.draft.reference
        ),
    }
}

/// What lasts of a past disclosure: the lesser of what the agency was
/// shown then and what it may see now. An owner who narrows a record's
/// policy narrows what every earlier hit and stored flight still shows of
/// it; a wider policy does not widen what was shown then.
pub fn lasting_access(then: Access, now: Access) -> Access {
    then.min(now)
}

/// What the screening agency sees of a hit it produced: what it sent (the
/// traveller, the context), and of the record what [`lasting_access`]
/// leaves of what it was shown. A hit-only record adds the fields of
/// [`HitOnlyView`] and nothing else. A hit on a record since hidden from it
/// keeps only that the hit happened and whom to contact
/// ([`WithdrawnHitView`]); one on a record hidden when it screened was never
/// its to see. `record` is the hit's record, when it still exists.
pub fn screener_view(hit: &Hit, record: Option<&Record>) -> Option<ScreenerView> {
    let now = record.map_or(hit.disclosed, |r| {
        access_for(&hit.screening_agency, &r.owner, &r.draft.policy)
    });
    let full = match lasting_access(hit.disclosed, now) {
        Access::Hidden if hit.disclosed == Access::Hidden => return None,
        Access::Hidden => return Some(ScreenerView::Withdrawn(WithdrawnHitView::of(hit))),
        Access::HitOnly => false,
        Access::Full => true,
    };
    let hit_only = (!full).then(|| record.map(HitOnlyView::of)).flatten();
    Some(ScreenerView::Disclosed(ScreenerHitView {
        seq: hit.screener_seq,
        id: hit.id.clone(),
        record: hit.record,
        owner: hit.owner.clone(),
        reference: hit.reference.clone(),
        disclosure: if full { Access::Full } else { Access::HitOnly },
        created_at: hit.created_at,
        status: hit.status,
        score: full.then_some(hit.score),
        decision_note: full.then(|| hit.decision_note.clone()).flatten(),
        instruction: hit_only.map(|v| v.instruction),
        traveller: hit.traveller.clone(),
        context: hit.context.clone(),
    }))
}

/// See [`screener_view`].
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum ScreenerView {
    Disclosed(ScreenerHitView),
    Withdrawn(WithdrawnHitView),
}

/// The disclosure level of a past disclosure the owner has since withdrawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Withdrawn {
    Withdrawn,
}

/// A hit on a record the screening agency may no longer see: that it
/// happened, on what it sent, and whom to contact quoting the hit — not the
/// record, its reference, the score or the owner's decision.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WithdrawnHitView {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seq: Option<i64>,
    pub id: String,
    pub owner: AgencyCode,
    pub disclosure: Withdrawn,
    pub created_at: DateTime<Utc>,
    pub instruction: String,
    pub traveller: Traveller,
    pub context: HitContext,
}

impl WithdrawnHitView {
    fn of(hit: &Hit) -> Self {
        WithdrawnHitView {
            seq: hit.screener_seq,
            id: hit.id.clone(),
            owner: hit.owner.clone(),
            disclosure: Withdrawn::Withdrawn,
            created_at: hit.created_at,
            instruction: withdrawn_instruction(&hit.owner, &hit.id),
            traveller: hit.traveller.clone(),
            context: hit.context.clone(),
        }
    }
}

/// What to do about a past hit whose record the owner no longer shares.
pub fn withdrawn_instruction(owner: &AgencyCode, hit_id: &str) -> String {
    format!("The owner agency {owner} no longer shares this record with your agency. Contact it quoting hit {hit_id}.")
}

/// See [`screener_view`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScreenerHitView {
    /// Position among the hits the agency may know of: the `after` of the
    /// next page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seq: Option<i64>,
    pub id: String,
    pub record: RecordId,
    pub owner: AgencyCode,
    pub reference: String,
    pub disclosure: Access,
    pub created_at: DateTime<Utc>,
    pub status: HitStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decision_note: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instruction: Option<String>,
    pub traveller: Traveller,
    pub context: HitContext,
}

/// What a caller may read of an audit entry, or `None` when nothing.
/// Oversight reads every entry whole. Anyone else reads the entries of its
/// own agency's actions, less what they say about records hidden from it
/// (a refused look-up names the record and its owner), and, as an owner,
/// who touched *its* records: the agency, role, time, purpose, action,
/// outcome and its own records' disclosures — not the other agency's token,
/// request or other records. The operator reads only operators' entries.
/// `now` is what the caller may see of a disclosed record today: a record
/// it was shown once and may no longer see is no longer named
/// ([`lasting_access`]).
pub fn audit_view(
    caller: &Caller,
    mut entry: AuditBody,
    now: impl Fn(&Disclosed) -> Access,
) -> Option<AuditBody> {
    match caller.role {
        Role::Auditor => return Some(entry),
        // The operator reads no case, not even through its agency's log:
        // only what operators of its agency did.
        Role::Operator if entry.event.role != Role::Operator => return None,
        Role::Peer => return None,
        _ => {}
    }
    let mine = |d: &Disclosed| d.owner == caller.agency;
    if entry.event.agency == caller.agency {
        entry
            .event
            .disclosed
            .retain(|d| mine(d) || lasting_access(d.level, now(d)) != Access::Hidden);
        return Some(entry);
    }
    entry.event.disclosed.retain(mine);
    if entry.event.disclosed.is_empty() {
        return None;
    }
    entry.event.token_id = String::new();
    entry.event.request = serde_json::Value::Null;
    Some(entry)
}

/// A record as one caller may see it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum RecordView {
    Full(Box<Record>),
    HitOnly(HitOnlyView),
}

/// The view a caller gets of a record, or `None` when it is hidden.
pub fn view_for(caller: &Caller, record: &Record) -> Option<RecordView> {
    match record_access(caller, record) {
        Access::Hidden => None,
        Access::HitOnly => Some(RecordView::HitOnly(HitOnlyView::of(record))),
        Access::Full => Some(RecordView::Full(Box::new(record.clone()))),
    }
}

/// The view a caller gets of a record in a list, a search or an export:
/// as [`view_for`], except that a hit-only record is not listed. Hit/no-hit
/// means a record becomes known to another agency through a hit, and then
/// by its id — never through a directory of the owner's cases.
pub fn listed_view(caller: &Caller, record: &Record) -> Option<RecordView> {
    match record_access(caller, record) {
        Access::HitOnly => None,
        _ => view_for(caller, record),
    }
}

/// Whether retired records are shown: only to the owner and oversight; to
/// everyone else a record that left the list is gone.
pub fn may_see_retired(caller: &Caller, record: &Record) -> bool {
    record.status == RecordStatus::Active || may_read_history(caller, &record.owner)
}

/// What of a record leaves this instance for one peer organisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Release {
    /// Nothing leaves (and a copy sent before must be retracted).
    Withheld,
    /// The record stays home; the peer's screenings are answered here.
    Query,
    /// A copy travels, read at `level` by the listed agencies of the peer
    /// (their own codes there; empty: all of them).
    Copy {
        level: Access,
        agencies: Vec<AgencyCode>,
    },
}

/// What of `record` may leave for peer organisation `peer`, by its owner's
/// release rule for that organisation; no rule releases nothing. A record
/// received from a peer is never released: not onward (handling code H2
/// forbids it, and a chain of copies would escape its owner's control), not
/// back to its origin (no sync loops). A retired record is withheld too: the
/// feed tells the peer to retire its copy.
pub fn release_to(record: &Record, peer: &AgencyCode) -> Release {
    if record.owner.organisation().is_some() || record.status != RecordStatus::Active {
        return Release::Withheld;
    }
    let Some(rule) = record.draft.policy.release_for(peer) else {
        return Release::Withheld;
    };
    let level = match rule.level {
        ReleaseLevel::None => return Release::Withheld,
        ReleaseLevel::Query => return Release::Query,
        ReleaseLevel::HitOnly => Access::HitOnly,
        ReleaseLevel::Full => Access::Full,
    };
    Release::Copy {
        level,
        agencies: rule.agencies.clone(),
    }
}

/// Whether peer organisation `peer` may query an active record of `owner`
/// under `policy`: [`release_to`] would say [`Release::Query`].
pub fn queryable_by(owner: &AgencyCode, policy: &AccessPolicy, peer: &AgencyCode) -> bool {
    owner.organisation().is_none()
        && policy
            .release_for(peer)
            .is_some_and(|rule| rule.level == ReleaseLevel::Query)
}

/// The hit-only face of a record as a peer's screener sees it, answering
/// a forwarded query: the owner named as the peer names it
/// (`FRA@INTERPOL`), so that the contact instruction is unambiguous there.
pub fn forwarded_view(record: &Record, home_org: &AgencyCode) -> HitOnlyView {
    let mut named = record.clone();
    named.owner = AgencyCode::qualified(&record.owner, home_org);
    HitOnlyView::of(&named)
}

/// The draft a released copy carries. The owner's policy stays home (a
/// copy never names the owner's other recipients or rules), except the
/// instruction to whoever gets a hit. A hit-only copy carries what matching
/// needs (names, dates and places of birth, nationalities, documents) and
/// the handling code; nothing of the case (notes, links, topics,
/// evaluation, imported extras).
pub fn released_draft(record: &Record, level: Access) -> RecordDraft {
    let mut draft = record.draft.clone();
    draft.policy = AccessPolicy {
        instruction: draft.policy.instruction.take(),
        ..AccessPolicy::default()
    };
    if level != Access::Full {
        draft.notes.clear();
        draft.links.clear();
        draft.topics.clear();
        draft.evaluation = None;
        draft.extra.clear();
    }
    draft
}

/// The policy of a received copy at the receiver, from the level it was
/// released at: the listed local agencies (or all) see it at that level,
/// and no rule releases it further.
pub fn received_policy(
    level: Access,
    agencies: &[AgencyCode],
    instruction: Option<String>,
) -> AccessPolicy {
    AccessPolicy {
        visibility: if agencies.is_empty() {
            Visibility::All
        } else {
            Visibility::Only(agencies.to_vec())
        },
        disclosure: if level == Access::Full {
            Disclosure::Full
        } else {
            Disclosure::HitOnly
        },
        hit_only_for: Vec::new(),
        instruction,
        release: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn code(s: &str) -> AgencyCode {
        AgencyCode::parse(s).unwrap()
    }

    fn agency() -> impl Strategy<Value = AgencyCode> {
        prop::sample::select(vec!["FRA", "DEU", "ITA", "INTERPOL", "EUROPOL"]).prop_map(code)
    }

    fn policy() -> impl Strategy<Value = AccessPolicy> {
        let vis = prop_oneof![
            Just(Visibility::All),
            prop::collection::vec(agency(), 1..3).prop_map(Visibility::Only),
            prop::collection::vec(agency(), 0..3).prop_map(Visibility::Except),
        ];
        let disc = prop_oneof![Just(Disclosure::Full), Just(Disclosure::HitOnly)];
        let hit_only_for = prop::collection::vec(agency(), 0..2);
        (vis, disc, hit_only_for).prop_map(|(visibility, disclosure, hit_only_for)| AccessPolicy {
            visibility,
            disclosure,
            hit_only_for,
            instruction: None,
            release: Vec::new(),
        })
    }

    proptest! {
        #[test]
        fn owner_always_sees_everything(owner in agency(), p in policy()) {
            prop_assert_eq!(access_for(&owner, &owner, &p), Access::Full);
        }

        #[test]
        fn rules_follow_the_policy(owner in agency(), caller in agency(), p in policy()) {
            let got = access_for(&caller, &owner, &p);
            if caller == owner {
                prop_assert_eq!(got, Access::Full);
            } else {
                let listed_only = matches!(&p.visibility, Visibility::Only(l) if !l.contains(&caller));
                let excluded = matches!(&p.visibility, Visibility::Except(l) if l.contains(&caller));
                if listed_only || excluded {
                    prop_assert_eq!(got, Access::Hidden);
                } else if p.disclosure == Disclosure::HitOnly || p.hit_only_for.contains(&caller) {
                    prop_assert_eq!(got, Access::HitOnly);
                } else {
                    prop_assert_eq!(got, Access::Full);
                }
            }
        }
    }

    #[test]
    fn admins_manage_their_own_agency_and_the_operator_every_agency() {
        let mk = |a: &str, role| Caller {
            agency: code(a),
            role,
            token_id: "t".into(),
        };
        let (fra, deu) = (code("FRA"), code("DEU"));
        let admin = mk("FRA", Role::Admin);
        assert!(may_manage_token(&admin, &fra, Role::Contributor));
        assert!(may_manage_token(&admin, &fra, Role::Admin));
        assert!(!may_manage_token(&admin, &deu, Role::Contributor));
        assert!(!may_manage_token(&admin, &fra, Role::Auditor));
        assert!(!may_manage_token(&admin, &fra, Role::Operator));
        assert!(!may_create_agencies(&admin));
        let operator = mk("INTERPOL", Role::Operator);
        assert!(may_manage_token(&operator, &deu, Role::Auditor));
        assert!(may_create_agencies(&operator));
        assert!(!may_read_cases(&operator));
        assert!(!may_read_history(&operator, &code("INTERPOL")));
        assert_eq!(token_scope(&admin), Some(Some(&fra)));
        assert_eq!(token_scope(&mk("FRA", Role::Analyst)), None);
    }

    #[test]
    fn only_the_owners_contributors_write() {
        let fra = code("FRA");
        let mk = |a: &str, role| Caller {
            agency: code(a),
            role,
            token_id: "t".into(),
        };
        assert!(may_write(&mk("FRA", Role::Contributor), &fra));
        assert!(!may_write(&mk("FRA", Role::Screener), &fra));
        assert!(!may_write(&mk("FRA", Role::Admin), &fra));
        assert!(!may_write(&mk("DEU", Role::Contributor), &fra));
        // Not even as the peer's agency itself: copies come only by the feed.
        let peer = code("FRA@INTERPOL");
        assert!(!may_write(&mk("FRA@INTERPOL", Role::Contributor), &peer));
    }

    fn entry(agency: &str, disclosed: Vec<(&str, Access)>) -> AuditBody {
        AuditBody {
            seq: 1,
            at: chrono::Utc::now(),
            event: crate::audit::AuditEvent {
                agency: code(agency),
                role: Role::Screener,
                token_id: "tok".into(),
                purpose: "p".into(),
                action: crate::audit::Action::RecordGet,
                request: serde_json::json!({"id": "x"}),
                disclosed: disclosed
                    .into_iter()
                    .map(|(owner, level)| Disclosed {
                        record: RecordId::new(),
                        owner: code(owner),
                        level,
                    })
                    .collect(),
                outcome: crate::audit::Outcome::Done,
            },
        }
    }

    #[test]
    fn audit_entries_say_nothing_of_records_hidden_from_the_reader() {
        let deu = Caller {
            agency: code("DEU"),
            role: Role::Analyst,
            token_id: "t".into(),
        };
        // Its own refused look-up of another owner's hidden record: the
        // entry stays, the record does not.
        let own = audit_view(&deu, entry("DEU", vec![("FRA", Access::Hidden)]), |_| {
            Access::Full
        })
        .unwrap();
        assert!(own.event.disclosed.is_empty());
        assert_eq!(own.event.token_id, "tok");
        // Another agency's access to DEU's record and to someone else's.
        let other = entry("ITA", vec![("DEU", Access::HitOnly), ("FRA", Access::Full)]);
        let seen = audit_view(&deu, other, |_| Access::Full).unwrap();
        assert_eq!(seen.event.disclosed.len(), 1);
        assert_eq!(seen.event.disclosed[0].owner, code("DEU"));
        assert_eq!(
            (seen.event.token_id.as_str(), &seen.event.request),
            ("", &serde_json::Value::Null)
        );
        assert_eq!(seen.event.purpose, "p");
        // Nothing of DEU's: nothing at all.
        assert!(
            audit_view(&deu, entry("ITA", vec![("FRA", Access::Full)]), |_| {
                Access::Full
            })
            .is_none()
        );
        // Its own look-up of a record it was shown then and may not see now.
        let since_hidden = entry("DEU", vec![("FRA", Access::Full), ("ITA", Access::Full)]);
        let named_now = audit_view(&deu, since_hidden, |d| {
            if d.owner == code("FRA") {
                Access::Hidden
            } else {
                Access::HitOnly
            }
        })
        .unwrap();
        assert_eq!(named_now.event.disclosed.len(), 1);
        assert_eq!(named_now.event.disclosed[0].owner, code("ITA"));
        let auditor = Caller {
            role: Role::Auditor,
            ..deu
        };
        let whole = entry("ITA", vec![("FRA", Access::Hidden)]);
        assert_eq!(
            audit_view(&auditor, whole.clone(), |_| Access::Hidden),
            Some(whole)
        );
        let operator = Caller {
            role: Role::Operator,
            agency: code("ITA"),
            token_id: "o".into(),
        };
        assert!(
            audit_view(&operator, entry("ITA", vec![("ITA", Access::Full)]), |_| {
                Access::Full
            })
            .is_none()
        );
    }

    fn release_rule() -> impl Strategy<Value = crate::policy::ReleaseRule> {
        let level = prop_oneof![
            Just(ReleaseLevel::None),
            Just(ReleaseLevel::Query),
            Just(ReleaseLevel::HitOnly),
            Just(ReleaseLevel::Full),
        ];
        let org = prop::sample::select(vec!["INTERPOL", "EUROPOL", "UNODC"]).prop_map(code);
        (org, level, prop::collection::vec(agency(), 0..2)).prop_map(|(org, level, agencies)| {
            crate::policy::ReleaseRule {
                org,
                level,
                agencies,
            }
        })
    }

    fn owned_record(owner: &str, policy: AccessPolicy) -> Record {
        let mut draft = RecordDraft::new("REF-1", "Ivan Petrov");
        draft.notes.push("informant says".into());
        draft.policy = policy;
        let at = chrono::Utc::now();
        Record {
            id: RecordId::new(),
            owner: code(owner),
            version: 1,
            status: RecordStatus::Active,
            created_at: at,
            updated_at: at,
            review_due: at.date_naive(),
            draft,
        }
    }

    proptest! {
        #[test]
        fn nothing_leaves_without_the_owners_rule_for_that_peer(
            p in policy(),
            rules in prop::collection::vec(release_rule(), 0..3),
            peer in prop::sample::select(vec!["INTERPOL", "EUROPOL", "UNODC", "NATO"]).prop_map(code),
            received in any::<bool>(),
            retired in any::<bool>(),
        ) {
            let owner = if received { "FRA@INTERPOL" } else { "FRA" };
            let mut record = owned_record(owner, AccessPolicy { release: rules.clone(), ..p });
            if retired {
                record.status = RecordStatus::Retired;
            }
            let got = release_to(&record, &peer);
            let rule = rules.iter().find(|r| r.org == peer);
            let expected = match rule.map(|r| r.level) {
                _ if received || retired => Release::Withheld,
                None | Some(ReleaseLevel::None) => Release::Withheld,
                Some(ReleaseLevel::Query) => Release::Query,
                Some(ReleaseLevel::HitOnly) => Release::Copy { level: Access::HitOnly, agencies: rule.unwrap().agencies.clone() },
                Some(ReleaseLevel::Full) => Release::Copy { level: Access::Full, agencies: rule.unwrap().agencies.clone() },
            };
            prop_assert_eq!(got, expected);
        }
    }

    #[test]
    fn a_copy_carries_no_owner_rules_and_a_hit_only_copy_no_case() {
        let policy = AccessPolicy {
            visibility: Visibility::Only(vec![code("DEU")]),
            hit_only_for: vec![code("ITA")],
            instruction: Some("Discreet check.".into()),
            release: vec![crate::policy::ReleaseRule {
                org: code("EUROPOL"),
                level: ReleaseLevel::HitOnly,
                agencies: vec![],
            }],
            ..AccessPolicy::default()
        };
        let record = owned_record("FRA", policy);
        let full = released_draft(&record, Access::Full);
        assert_eq!(full.policy.instruction.as_deref(), Some("Discreet check."));
        assert_eq!(full.policy.visibility, Visibility::All);
        assert!(full.policy.release.is_empty() && full.policy.hit_only_for.is_empty());
        assert_eq!(full.notes, record.draft.notes);
        let hit_only = released_draft(&record, Access::HitOnly);
        assert!(hit_only.notes.is_empty());
        assert_eq!(hit_only.names, record.draft.names);
        let at_receiver = received_policy(Access::HitOnly, &[code("NLD")], None);
        assert_eq!(at_receiver.disclosure, Disclosure::HitOnly);
        assert_eq!(at_receiver.visibility, Visibility::Only(vec![code("NLD")]));
        assert!(at_receiver.release.is_empty());
    }

    #[test]
    fn policy_json_shape() {
        let p: AccessPolicy =
            serde_json::from_str(r#"{"visibility":{"only":["FRA"]},"disclosure":"hit_only"}"#)
                .unwrap();
        assert_eq!(p.visibility, Visibility::Only(vec![code("FRA")]));
        let p: AccessPolicy = serde_json::from_str(r#"{"visibility":"all"}"#).unwrap();
        assert_eq!(p.disclosure, Disclosure::Full);
    }
}
