//! [`LinkStore`]: identity links between records, their append-only
//! judgements and the clusters white links make. A judgement, the link's
//! new state and the clusters it moves commit in one transaction with the
//! audit entry; a judgement that contradicts others is refused whole.

use vigil_core::audit::AuditEvent;
use vigil_core::{AgencyCode, IdentityLink, Judgement, LinkState, RecordId};

use crate::error::Result;

/// A link automatic detection proposes.
#[derive(Debug, Clone)]
pub struct ProposedLink {
    /// In stored order (`vigil_core::identity_link::ordered_pair`).
    pub records: (RecordId, RecordId),
    pub owners: (AgencyCode, AgencyCode),
    pub responsible: AgencyCode,
    /// Yellow, or white when the deterministic rule holds.
    pub state: LinkState,
    pub score: f64,
    pub evidence: serde_json::Value,
}

/// A person's judgement of a link.
#[derive(Debug, Clone)]
pub struct NewJudgement {
    pub state: LinkState,
    pub agency: AgencyCode,
    pub token_id: String,
    pub note: String,
}

/// Which links to list. Empty fields do not filter.
#[derive(Debug, Clone, Default)]
pub struct LinkFilter {
    pub state: Option<LinkState>,
    /// Links with this record on either side.
    pub record: Option<RecordId>,
    pub responsible: Option<AgencyCode>,
    /// Links with a greater id (the cursor of a page).
    pub after: Option<i64>,
    pub limit: usize,
}

/// A cluster: its current id (after the merges that absorbed the one
/// asked for) and its records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cluster {
    pub id: i64,
    /// The id asked for, when it has since been merged into `id`.
    pub merged_from: Option<i64>,
    pub records: Vec<RecordId>,
}

/// A pass of `vigil xref` over the change feed up to `target`, resumable
/// from `position`, with what it has found so far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XrefRun {
    pub id: i64,
    pub target: i64,
    pub position: i64,
    pub records: i64,
    pub yellow: i64,
    pub white: i64,
    pub finished: bool,
}

pub trait LinkStore {
    /// Stores what detection proposes: a pair never linked before becomes a
    /// new link; an undecided yellow link becomes white when the rule now
    /// holds. A decided link, a green one above all, is never touched. A
    /// white proposal that contradicts a judgement is stored yellow, the
    /// contradiction noted. Returns the links created or changed.
    fn propose_links(
        &self,
        proposals: Vec<ProposedLink>,
        audit: AuditEvent,
    ) -> Result<Vec<IdentityLink>>;
    /// Appends a judgement and moves clusters; refused with
    /// `StoreError::Conflict` naming the contradicted links.
    fn judge_link(
        &self,
        id: i64,
        judgement: NewJudgement,
        audit: AuditEvent,
    ) -> Result<IdentityLink>;
    fn link(&self, id: i64) -> Result<Option<IdentityLink>>;
    /// A link's judgements, oldest first.
    fn link_judgements(&self, id: i64) -> Result<Vec<Judgement>>;
    /// Links in id order after the filter's cursor.
    fn links(&self, filter: &LinkFilter) -> Result<Vec<IdentityLink>>;
    /// The unfinished `vigil xref` pass, if one was interrupted.
    fn unfinished_xref(&self) -> Result<Option<XrefRun>>;
    fn start_xref(&self, target: i64) -> Result<XrefRun>;
    /// Records a pass's progress (its counts are totals so far).
    fn save_xref(&self, run: &XrefRun) -> Result<()>;
    /// A cluster by its id or an id merged into it.
    fn cluster(&self, id: i64) -> Result<Option<Cluster>>;
}
