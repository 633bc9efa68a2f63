//! Identity links: automatic detection on every write and received copy
//! (and over a whole database with `vigil xref`), the review queue, and
//! judgements. A link is shown only to who sees both of its records
//! (`vigil_core::access::may_see_link`): to anyone else it does not exist.
//!
//! Detection compares a record with the records of other owners through
//! the screening index. The same-identity rule of `vigil_match`
//! (`identity_evidence`) alone makes a link white; a candidate whose
//! linkage score reaches the threshold becomes yellow. See docs/links.md.

use serde::Serialize;
use vigil_core::access::{self, may_judge_link, may_see_link};
use vigil_core::agency::LOCAL_OPERATOR;
use vigil_core::audit::{AuditEvent, Disclosed};
use vigil_core::identity_link::ordered_pair;
use vigil_core::{
    Access, Action, AgencyCode, IdentityLink, Judgement, LinkState, Outcome, Record, RecordId,
    RecordStatus, RecordView, Role,
};
use vigil_match as engine;
use vigil_store::{LinkFilter, NewJudgement, ProposedLink, StoreError, XrefRun};

use crate::context::Ctx;
use crate::engine_map::{explanation, record_query};
use crate::error::{Result, ServiceError};
use crate::screening::par_map;
use crate::vigil::Vigil;

/// The token id detection is audited under: no person asked, the system
/// did (as the local operator, `LOCAL`).
pub const DETECTION_TOKEN: &str = "link-detection";
/// The store's cursor of detection in the change feed.
const LINKS_CURSOR: &str = "links";
/// Candidates compared per record.
const CANDIDATES: usize = 20;
/// Changes read per page by the follower and by `vigil xref`.
const PAGE: usize = 2000;
/// Records checked in the background between two looks at whether a
/// screening is waiting for the cores. So few are checked on the calling
/// thread alone (see `par_map`): background links never take every core.
const BACKGROUND_CHUNK: usize = 16;

/// A link as its viewer may see it.
#[derive(Debug, Clone, Serialize)]
pub struct LinkView {
    pub id: i64,
    pub state: LinkState,
    pub cluster: Option<i64>,
    pub records: [RecordId; 2],
    pub owners: [AgencyCode; 2],
    pub score: f64,
    pub responsible: AgencyCode,
    pub decided: bool,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    /// What detection found; only for a viewer who sees both records in
    /// full (it quotes their names and documents).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<serde_json::Value>,
}

/// One link with both records side by side, as far as the viewer may see
/// them, and its judgements.
#[derive(Debug, Serialize)]
pub struct LinkDetail {
    pub link: LinkView,
    /// The two records' views (none for the operator, who reads no record).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub records: Vec<RecordView>,
    pub judgements: Vec<Judgement>,
}

#[derive(Debug, Serialize)]
pub struct LinkPage {
    pub items: Vec<LinkView>,
    pub count: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// A cluster as its viewer may see it: the records it sees.
#[derive(Debug, Serialize)]
pub struct ClusterView {
    pub id: i64,
    /// The id asked for, when it has been merged into `id`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub merged_from: Option<i64>,
    pub records: Vec<RecordId>,
}

/// What a detection pass found.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Detected {
    pub records: usize,
    pub yellow: usize,
    pub white: usize,
}

/// The end of a `vigil xref` pass.
#[derive(Debug, Clone, Serialize)]
pub struct XrefSummary {
    /// Records checked by the whole pass (resumed parts included).
    pub records: i64,
    /// Links the pass made or changed, by state.
    pub yellow: i64,
    pub white: i64,
    /// Whether this run resumed an interrupted pass.
    pub resumed: bool,
    /// The change-feed position the pass covered.
    pub target: i64,
}

impl Vigil {
    /// The link threshold: candidates below it are not proposed.
    fn link_threshold(&self) -> f64 {
        self.config.link_threshold
    }

    /// The links detection proposes for one record.
    fn proposals(&self, record: &Record) -> Vec<ProposedLink> {
        if record.status != RecordStatus::Active {
            return Vec::new();
        }
        let query = record_query(record);
        let opts = engine::SearchOptions {
            limit: CANDIDATES,
            threshold: 0.0,
        };
        let threshold = self.link_threshold();
        self.screening()
            .link_candidates(&query, &record.owner, &opts)
            .into_iter()
            .filter_map(|c| {
                let score = engine::linkage_score(c.found.score, &c.evidence);
                let state = if c.evidence.same_person {
                    LinkState::White
                } else if score >= threshold {
                    LinkState::Yellow
                } else {
                    return None;
                };
                let other = &c.found.record;
                let (first, _) = ordered_pair(record.id, other.id);
                let owners = if first == record.id {
                    (record.owner.clone(), other.owner.clone())
                } else {
                    (other.owner.clone(), record.owner.clone())
                };
                // The newer record's owner reviews: it wrote what made the
                // candidate. A copy's owner is at its home instance, so
                // the local owner reviews then.
                let responsible = if record.owner.organisation().is_none()
                    || other.owner.organisation().is_some()
                {
                    record.owner.clone()
                } else {
                    other.owner.clone()
                };
                Some(ProposedLink {
                    records: ordered_pair(record.id, other.id),
                    owners,
                    responsible,
                    state,
                    score,
                    evidence: serde_json::json!({
                        "rule": c.evidence,
                        "engine_score": c.found.score,
                        "explanation": explanation(&c.found.explanation),
                    }),
                })
            })
            .collect()
    }

    /// Detects links for records just written or received, and stores
    /// them in one audited transaction. Writes call it themselves (and the
    /// feed's follower for other processes' writes); public for the
    /// benchmark of one write's detection.
    pub fn detect_links(&self, records: &[Record]) -> Result<Detected> {
        let proposals: Vec<ProposedLink> = par_map(records, |r| self.proposals(r))
            .into_iter()
            .flatten()
            .collect();
        let mut detected = Detected {
            records: records.len(),
            ..Detected::default()
        };
        if proposals.is_empty() {
            return Ok(detected);
        }
        // Audited as the instance's own act, naming no record: an entry
        // shown to an owner as "touching" its record would tell it that a
        // record hidden from it resembles one of its own. Oversight traces
        // every automatic link through its judgements (token below).
        let event = AuditEvent {
            agency: AgencyCode::parse(LOCAL_OPERATOR)
                .map_err(|e| ServiceError::Internal(e.to_string()))?,
            role: Role::Operator,
            token_id: DETECTION_TOKEN.into(),
            purpose: "automatic identity-link detection".into(),
            action: Action::LinkDetect,
            request: serde_json::json!({
                "records": records.iter().map(|r| r.id).collect::<Vec<_>>(),
                "proposed": proposals.len(),
            }),
            disclosed: Vec::new(),
            outcome: Outcome::Done,
        };
        for link in self.store.propose_links(proposals, event)? {
            match link.state {
                LinkState::White => detected.white += 1,
                LinkState::Yellow => detected.yellow += 1,
                _ => {}
            }
        }
        Ok(detected)
    }

    /// Detection from the persisted cursor, at most one page of changes
    /// (2,000) per call: every change reaches it, whichever process wrote it
    /// (the server's follower calls this every round, after re-screening, so
    /// that a bulk import's links never hold up the border's re-screening;
    /// `vigil xref` checks a whole database in one go). Returns whether
    /// changes remain.
    ///
    /// Links are an analyst's work and screening a border officer's: the
    /// page is checked in chunks, the cursor saved after each, and the call
    /// returns as soon as a screening or a record write is under way, so
    /// that a bulk import's links take only the cores those leave idle (a
    /// chunk a round at least, so they are never starved).
    pub(crate) fn detect_from_cursor(&self) -> Result<bool> {
        let after = self.store.feed_cursor(LINKS_CURSOR)?;
        let events = self.store.changes_since(after, PAGE)?;
        let mut checked = std::collections::HashSet::new();
        for chunk in events.chunks(BACKGROUND_CHUNK) {
            // A record changed twice in the page is checked once, as it is now.
            let ids: Vec<RecordId> = chunk
                .iter()
                .map(|e| e.record)
                .filter(|id| checked.insert(*id))
                .collect();
            self.detect_changed(ids.into_iter())?;
            let last = chunk.last().map_or(after, |e| e.seq);
            self.store.advance_feed_cursor(LINKS_CURSOR, last)?;
            if self.foreground_under_way() {
                return Ok(true);
            }
        }
        Ok(events.len() == PAGE)
    }

    /// Detection for the records behind a page of changes (each once).
    fn detect_changed(&self, ids: impl Iterator<Item = RecordId>) -> Result<Detected> {
        let mut ids: Vec<RecordId> = ids.collect();
        ids.sort();
        ids.dedup();
        let mut records = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(r) = self.store.record(id)? {
                records.push(r);
            }
        }
        self.detect_links(&records)
    }

    /// `vigil xref`: checks every record of the database against the
    /// others, page by page of the change feed, saving its position after
    /// each page so that an interrupted pass resumes where it stopped.
    /// `progress` is told (done, target) after each page.
    pub fn xref(
        &self,
        ctx: &Ctx,
        restart: bool,
        progress: &mut dyn FnMut(i64, i64),
    ) -> Result<XrefSummary> {
        if ctx.caller.role != Role::Operator {
            return Err(ServiceError::Forbidden(
                "only the local operator runs a cross-check of the whole database".into(),
            ));
        }
        self.screening().sync(self.store.as_ref())?;
        let resumable = if restart {
            None
        } else {
            self.store.unfinished_xref()?
        };
        let resumed = resumable.is_some();
        let mut run: XrefRun = match resumable {
            Some(run) => run,
            None => self.store.start_xref(self.store.last_change_seq()?)?,
        };
        self.audit(
            ctx,
            Action::LinkDetect,
            serde_json::json!({"xref": run.id, "resumed": resumed, "from": run.position, "target": run.target}),
            vec![],
            Outcome::Done,
        )?;
        progress(run.position, run.target);
        while run.position < run.target {
            let events = self.store.changes_since(run.position, PAGE)?;
            let in_pass: Vec<_> = events.iter().filter(|e| e.seq <= run.target).collect();
            let Some(last) = in_pass.last().map(|e| e.seq) else {
                break;
            };
            let d = self.detect_changed(in_pass.iter().map(|e| e.record))?;
            run.position = last;
            run.records += d.records as i64;
            run.yellow += d.yellow as i64;
            run.white += d.white as i64;
            self.store.save_xref(&run)?;
            progress(run.position, run.target);
        }
        run.position = run.target;
        run.finished = true;
        self.store.save_xref(&run)?;
        // What the pass covered needs no second look by the follower.
        self.store.advance_feed_cursor(LINKS_CURSOR, run.target)?;
        Ok(XrefSummary {
            records: run.records,
            yellow: run.yellow,
            white: run.white,
            resumed,
            target: run.target,
        })
    }

    /// Every stored link (in `state`, when given), page by page, whoever
    /// may see it: for figures the caller's view is applied to after.
    pub(crate) fn for_each_link(
        &self,
        state: Option<LinkState>,
        mut f: impl FnMut(IdentityLink) -> Result<()>,
    ) -> Result<()> {
        let mut filter = LinkFilter {
            state,
            limit: 5000,
            ..LinkFilter::default()
        };
        loop {
            let page = self.store.links(&filter)?;
            let done = page.len() < filter.limit;
            filter.after = page.last().map(|l| l.id);
            for link in page {
                f(link)?;
            }
            if done {
                return Ok(());
            }
        }
    }

    /// Whether the caller sees `link`, and at which levels its records.
    fn link_seen(&self, ctx: &Ctx, link: &IdentityLink) -> Result<Option<[Access; 2]>> {
        let mut facts = Vec::with_capacity(2);
        for id in link.records {
            let Some(f) = self.store.access_facts(id)? else {
                return Ok(None);
            };
            facts.push(f);
        }
        let ends = [0, 1].map(|i| (&facts[i].owner, facts[i].status, &facts[i].policy));
        if !may_see_link(&ctx.caller, ends) {
            return Ok(None);
        }
        if ctx.caller.role == Role::Operator {
            return Ok(Some([Access::Hidden, Access::Hidden]));
        }
        Ok(Some([0, 1].map(|i| {
            if ctx.caller.role == Role::Auditor {
                Access::Full
            } else {
                access::access_for(&ctx.caller.agency, &facts[i].owner, &facts[i].policy)
            }
        })))
    }

    fn link_view(link: IdentityLink, levels: [Access; 2]) -> LinkView {
        let full = levels.iter().all(|l| *l == Access::Full);
        LinkView {
            id: link.id,
            state: link.state,
            cluster: link.cluster,
            records: link.records,
            owners: link.owners,
            score: link.score,
            responsible: link.responsible,
            decided: link.decided,
            created_at: link.created_at,
            updated_at: link.updated_at,
            evidence: full.then_some(link.evidence),
        }
    }

    fn disclosed_link(link: &IdentityLink, levels: [Access; 2]) -> Vec<Disclosed> {
        (0..2)
            .map(|i| Disclosed {
                record: link.records[i],
                owner: link.owners[i].clone(),
                level: levels[i],
            })
            .collect()
    }

    /// The links the caller sees, in id order after `cursor`. Links it may
    /// not see are skipped before the page is cut, so pages and counts are
    /// what they would be without them.
    pub fn list_links(&self, ctx: &Ctx, mut filter: LinkFilter, limit: usize) -> Result<LinkPage> {
        let limit = limit.clamp(1, 10_000);
        let mut items = Vec::new();
        let mut disclosed = Vec::new();
        let mut more = false;
        filter.limit = 1000;
        let request = serde_json::json!({
            "state": filter.state, "record": filter.record, "responsible": filter.responsible,
            "cursor": filter.after, "limit": limit,
        });
        'scan: loop {
            let batch = self.store.links(&filter)?;
            let exhausted = batch.len() < filter.limit;
            for link in batch {
                filter.after = Some(link.id);
                let Some(levels) = self.link_seen(ctx, &link)? else {
                    continue;
                };
                if items.len() == limit {
                    more = true;
                    break 'scan;
                }
                disclosed.extend(Self::disclosed_link(&link, levels));
                items.push(Self::link_view(link, levels));
            }
            if exhausted {
                break;
            }
        }
        self.audit(ctx, Action::LinkList, request, disclosed, Outcome::Done)?;
        let next_cursor = more
            .then(|| items.last().map(|l: &LinkView| l.id.to_string()))
            .flatten();
        Ok(LinkPage {
            count: items.len(),
            items,
            next_cursor,
        })
    }

    /// A link the caller sees, or "not found" as for one that does not exist.
    fn seen_link(&self, ctx: &Ctx, id: i64, action: Action) -> Result<(IdentityLink, [Access; 2])> {
        let found = match self.store.link(id)? {
            Some(link) => self.link_seen(ctx, &link)?.map(|levels| (link, levels)),
            None => None,
        };
        match found {
            Some(seen) => Ok(seen),
            None => {
                self.audit(
                    ctx,
                    action,
                    serde_json::json!({"id": id}),
                    vec![],
                    Outcome::NotFound,
                )?;
                Err(ServiceError::NotFound("link"))
            }
        }
    }

    /// One link with both records side by side at the caller's levels, and
    /// its history of judgements.
    pub fn get_link(&self, ctx: &Ctx, id: i64) -> Result<LinkDetail> {
        let (link, levels) = self.seen_link(ctx, id, Action::LinkGet)?;
        let mut records = Vec::new();
        if ctx.caller.role != Role::Operator {
            for rid in link.records {
                if let Some(r) = self.store.record(rid)? {
                    if let Some(v) = access::view_for(&ctx.caller, &r) {
                        records.push(v);
                    }
                }
            }
        }
        let judgements = self.store.link_judgements(id)?;
        self.audit(
            ctx,
            Action::LinkGet,
            serde_json::json!({"id": id}),
            Self::disclosed_link(&link, levels),
            Outcome::Done,
        )?;
        Ok(LinkDetail {
            link: Self::link_view(link, levels),
            records,
            judgements,
        })
    }

    /// Judges a link: a new state with the caller's reason. Refused when
    /// the caller may not judge it, and when it contradicts other links
    /// (those are named).
    pub fn decide_link(
        &self,
        ctx: &Ctx,
        id: i64,
        state: LinkState,
        note: &str,
    ) -> Result<LinkView> {
        let (link, levels) = self.seen_link(ctx, id, Action::LinkDecide)?;
        let request = serde_json::json!({"id": id, "state": state, "note": note});
        let owners = [&link.owners[0], &link.owners[1]];
        if !may_judge_link(&ctx.caller, owners, &link.responsible) {
            self.audit(
                ctx,
                Action::LinkDecide,
                request,
                Self::disclosed_link(&link, levels),
                Outcome::Denied,
            )?;
            return Err(ServiceError::Forbidden(
                "only the responsible agency or an owner of the linked records judges a link"
                    .into(),
            ));
        }
        let note = note.trim();
        if note.is_empty() {
            return Err(ServiceError::field("note", "a judgement needs a reason"));
        }
        if note.len() > 2000 {
            return Err(ServiceError::field("note", "is longer than 2000 bytes"));
        }
        let event = ctx.event(
            Action::LinkDecide,
            request.clone(),
            Self::disclosed_link(&link, levels),
            Outcome::Done,
        );
        let judgement = NewJudgement {
            state,
            agency: ctx.caller.agency.clone(),
            token_id: ctx.caller.token_id.clone(),
            note: note.to_string(),
        };
        match self.store.judge_link(id, judgement, event) {
            Ok(link) => Ok(Self::link_view(link, levels)),
            Err(StoreError::Contradiction { links }) => {
                self.audit(
                    ctx,
                    Action::LinkDecide,
                    request,
                    Self::disclosed_link(&link, levels),
                    Outcome::Denied,
                )?;
                Err(ServiceError::Conflict(
                    self.contradiction(ctx, id, state, &links)?,
                ))
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Why a judgement was refused, naming only the contradicted links the
    /// caller sees: one joining a record hidden from it stays unnamed.
    fn contradiction(&self, ctx: &Ctx, id: i64, state: LinkState, links: &[i64]) -> Result<String> {
        let mut named = Vec::new();
        for l in links {
            if let Some(link) = self.store.link(*l)? {
                if self.link_seen(ctx, &link)?.is_some() {
                    named.push(l.to_string());
                }
            }
        }
        let why = match state {
            LinkState::White => "a green judgement separates the two records' persons",
            _ => "white links make the two records one person",
        };
        Ok(if named.is_empty() {
            format!(
                "judging link {id} {} contradicts earlier judgements: {why}",
                state.as_str()
            )
        } else {
            format!(
                "judging link {id} {} contradicts links {}: {why}",
                state.as_str(),
                named.join(", ")
            )
        })
    }

    /// A cluster by its id (or an id merged into it), with the records the
    /// caller sees; not found when it sees fewer than two.
    pub fn get_cluster(&self, ctx: &Ctx, id: i64) -> Result<ClusterView> {
        let cluster = self.store.cluster(id)?;
        let mut records = Vec::new();
        let mut disclosed = Vec::new();
        for rid in cluster.iter().flat_map(|c| c.records.iter()) {
            let Some(f) = self.store.access_facts(*rid)? else {
                continue;
            };
            let visible = ctx.caller.role == Role::Operator
                || !access::hidden_from(&ctx.caller, &f.owner, f.status, &f.policy);
            if visible {
                records.push(*rid);
                disclosed.push(Disclosed {
                    record: *rid,
                    owner: f.owner,
                    level: Access::Hidden,
                });
            }
        }
        // One record alone would tell that others, hidden, join it.
        let found = records.len() >= 2;
        self.audit(
            ctx,
            Action::LinkGet,
            serde_json::json!({"cluster": id}),
            disclosed,
            Outcome::found(found),
        )?;
        match cluster {
            Some(c) if found => Ok(ClusterView {
                id: c.id,
                merged_from: c.merged_from,
                records,
            }),
            _ => Err(ServiceError::NotFound("cluster")),
        }
    }
}
