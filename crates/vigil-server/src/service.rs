//! The operations Vigil offers, with the access rules applied and every
//! read and write audited. The HTTP handlers and the CLI both call these;
//! neither talks to the store about records on its own.

use std::sync::Arc;

use serde::Serialize;
use vigil_core::access::{self, may_read_history, may_see_retired, may_write, view_for};
use vigil_core::audit::{verify_chain, AuditBody, AuditEvent, ChainBreak, Disclosed};
use vigil_core::{
    Access, Agency, AgencyCode, AgencyKind, Caller, Record, RecordDraft, RecordId, RecordStatus,
    RecordView, Role,
};
use vigil_store::{AuditFilter, RecordChange, RecordFilter, RecordVersion, Store, TokenInfo};

use std::sync::OnceLock;

use crate::config::Config;
use crate::error::{ApiError, ApiResult};
use crate::rescreen::RecentTravellers;
use crate::screening::ScreeningIndex;

/// Who asks, and why: every operation needs both.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub caller: Caller,
    pub purpose: String,
}

impl Ctx {
    pub fn new(caller: Caller, purpose: impl Into<String>) -> Self {
        Ctx {
            caller,
            purpose: purpose.into(),
        }
    }

    pub(crate) fn event_for(
        &self,
        action: &str,
        request: serde_json::Value,
        disclosed: Vec<Disclosed>,
        outcome: u16,
    ) -> AuditEvent {
        AuditEvent {
            agency: self.caller.agency.clone(),
            role: self.caller.role,
            token_id: self.caller.token_id.clone(),
            purpose: self.purpose.clone(),
            action: action.to_string(),
            request,
            disclosed,
            outcome,
        }
    }
}

/// A page of records and the cursor for the next one.
#[derive(Debug, Serialize)]
pub struct RecordPage {
    pub items: Vec<RecordView>,
    pub count: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// Result of `audit verify`.
#[derive(Debug, Serialize)]
pub struct ChainReport {
    pub entries: u64,
    pub head: String,
}

pub struct Vigil {
    store: Arc<dyn Store>,
    config: Config,
    /// Built on first use (or by [`Vigil::warm_up`]) from the store.
    screening: OnceLock<ScreeningIndex>,
    recent: RecentTravellers,
    /// The newest hit's sequence number: SSE streams and the webhook
    /// worker wait on it.
    hit_feed: tokio::sync::watch::Sender<i64>,
}

fn disclosed(record: &Record, level: Access) -> Disclosed {
    Disclosed {
        record: record.id,
        owner: record.owner.clone(),
        level,
    }
}

impl Vigil {
    pub fn new(store: Arc<dyn Store>, config: Config) -> Self {
        Vigil {
            store,
            config,
            screening: OnceLock::new(),
            recent: RecentTravellers::default(),
            hit_feed: tokio::sync::watch::channel(0).0,
        }
    }

    /// Builds the screening index now rather than on the first screening.
    pub fn warm_up(&self) -> ApiResult<usize> {
        self.catch_up()?;
        Ok(self.screening().len())
    }

    pub(crate) fn recent(&self) -> &RecentTravellers {
        &self.recent
    }

    pub(crate) fn screening(&self) -> &ScreeningIndex {
        self.screening.get_or_init(|| {
            ScreeningIndex::build(self.store.as_ref()).unwrap_or_else(|e| {
                tracing::error!(error = %e, "building the screening index failed; starting empty and catching up from the change feed");
                ScreeningIndex::default()
            })
        })
    }

    /// Brings the screening index up to date with the store's change feed
    /// and re-screens recent manifests against the records that changed.
    /// Every path that consumes the feed goes through here, so no change
    /// escapes re-screening, whichever process wrote it.
    pub fn catch_up(&self) -> ApiResult<()> {
        let changed = self.screening().sync(self.store.as_ref())?;
        if !changed.is_empty() {
            self.rescreen(&changed)?;
        }
        Ok(())
    }

    /// Called after every write. A process that has not built the index
    /// (a CLI command that only writes) leaves the changes to the feed: the
    /// server catches up within a second.
    pub(crate) fn after_write(&self) {
        if self.screening.get().is_some() {
            if let Err(e) = self.catch_up() {
                tracing::error!(error = %e, "screening index update or re-screening failed");
            }
        }
    }

    pub(crate) fn announce_hit(&self, seq: i64) {
        self.hit_feed.send_if_modified(|last| {
            let newer = seq > *last;
            if newer {
                *last = seq;
            }
            newer
        });
    }

    /// A receiver that changes whenever new hits are stored.
    pub fn hit_feed(&self) -> tokio::sync::watch::Receiver<i64> {
        self.hit_feed.subscribe()
    }

    pub fn store(&self) -> &dyn Store {
        self.store.as_ref()
    }

    pub fn store_arc(&self) -> Arc<dyn Store> {
        self.store.clone()
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    fn audit(
        &self,
        ctx: &Ctx,
        action: &str,
        request: serde_json::Value,
        disclosed: Vec<Disclosed>,
        outcome: u16,
    ) -> ApiResult<()> {
        self.store
            .append_audit(ctx.event_for(action, request, disclosed, outcome))?;
        Ok(())
    }

    // --- Agencies and tokens (administration) ---------------------------

    fn require_admin(&self, ctx: &Ctx, action: &str) -> ApiResult<()> {
        if access::may_administer(&ctx.caller) {
            Ok(())
        } else {
            self.audit(ctx, action, serde_json::Value::Null, vec![], 403)?;
            Err(ApiError::Forbidden("this needs an admin token".into()))
        }
    }

    pub fn create_agency(
        &self,
        ctx: &Ctx,
        code: &AgencyCode,
        name: &str,
        kind: Option<AgencyKind>,
    ) -> ApiResult<Agency> {
        self.require_admin(ctx, "agency.create")?;
        if name.trim().is_empty() || name.len() > 200 {
            return Err(ApiError::field("name", "must be 1-200 characters"));
        }
        let kind = kind.unwrap_or_else(|| AgencyKind::guess(code));
        let agency = self.store.create_agency(code, name.trim(), kind)?;
        self.audit(
            ctx,
            "agency.create",
            serde_json::json!({"code": code}),
            vec![],
            201,
        )?;
        Ok(agency)
    }

    pub fn agencies(&self, ctx: &Ctx) -> ApiResult<Vec<Agency>> {
        let list = self.store.agencies()?;
        self.audit(ctx, "agency.list", serde_json::Value::Null, vec![], 200)?;
        Ok(list)
    }

    pub fn create_token(
        &self,
        ctx: &Ctx,
        agency: &AgencyCode,
        role: Role,
        label: Option<&str>,
    ) -> ApiResult<(TokenInfo, String)> {
        self.require_admin(ctx, "token.create")?;
        if self.store.agency(agency)?.is_none() {
            return Err(ApiError::field(
                "agency",
                format!("agency {agency} does not exist"),
            ));
        }
        let out = self.store.create_token(agency, role, label)?;
        self.audit(
            ctx,
            "token.create",
            serde_json::json!({"agency": agency, "role": role, "token": out.0.id}),
            vec![],
            201,
        )?;
        Ok(out)
    }

    pub fn tokens(&self, ctx: &Ctx, agency: Option<&AgencyCode>) -> ApiResult<Vec<TokenInfo>> {
        self.require_admin(ctx, "token.list")?;
        let list = self.store.tokens(agency)?;
        self.audit(
            ctx,
            "token.list",
            serde_json::json!({"agency": agency}),
            vec![],
            200,
        )?;
        Ok(list)
    }

    pub fn revoke_token(&self, ctx: &Ctx, id: &str) -> ApiResult<()> {
        self.require_admin(ctx, "token.revoke")?;
        let found = self.store.revoke_token(id)?;
        self.audit(
            ctx,
            "token.revoke",
            serde_json::json!({"token": id}),
            vec![],
            if found { 204 } else { 404 },
        )?;
        if found {
            Ok(())
        } else {
            Err(ApiError::NotFound("token"))
        }
    }

    // --- Records ----------------------------------------------------------

    /// Loads a record as the caller may see it: `None` when it does not
    /// exist *or* is hidden, so that both take the same path from here on.
    fn visible(&self, ctx: &Ctx, id: RecordId) -> ApiResult<(Option<Record>, Option<RecordView>)> {
        let record = self.store.record(id)?;
        let view = record
            .as_ref()
            .filter(|r| may_see_retired(&ctx.caller, r))
            .and_then(|r| view_for(&ctx.caller, r));
        Ok((record, view))
    }

    pub fn create_record(&self, ctx: &Ctx, draft: RecordDraft) -> ApiResult<Record> {
        let owner = ctx.caller.agency.clone();
        if !may_write(&ctx.caller, &owner) {
            self.audit(ctx, "record.create", serde_json::Value::Null, vec![], 403)?;
            return Err(ApiError::Forbidden(
                "only an agency's contributors may create its records".into(),
            ));
        }
        let draft = draft.validate().map_err(ApiError::Invalid)?;
        let id = RecordId::new();
        let request = serde_json::json!({"reference": draft.reference});
        let event = ctx.event_for(
            "record.create",
            request,
            vec![Disclosed {
                record: id,
                owner: owner.clone(),
                level: Access::Full,
            }],
            201,
        );
        let mut out = self
            .store
            .apply(vec![RecordChange::Create { id, owner, draft }], Some(event))?;
        self.after_write();
        out.pop()
            .ok_or_else(|| ApiError::Internal("store returned no record".into()))
    }

    /// The checks shared by update and retire: a hidden record is "not
    /// found", a visible one owned by someone else is "forbidden".
    fn writable(&self, ctx: &Ctx, id: RecordId, action: &str) -> ApiResult<Record> {
        let (record, view) = self.visible(ctx, id)?;
        let request = serde_json::json!({"id": id});
        match (record, view) {
            (Some(r), Some(_)) if may_write(&ctx.caller, &r.owner) => Ok(r),
            (Some(r), Some(_)) => {
                self.audit(
                    ctx,
                    action,
                    request,
                    vec![disclosed(&r, Access::Hidden)],
                    403,
                )?;
                Err(ApiError::Forbidden(
                    "only the owner's contributors may change a record".into(),
                ))
            }
            (Some(r), None) => {
                self.audit(
                    ctx,
                    action,
                    request,
                    vec![disclosed(&r, Access::Hidden)],
                    404,
                )?;
                Err(ApiError::NotFound("record"))
            }
            (None, _) => {
                self.audit(ctx, action, request, vec![], 404)?;
                Err(ApiError::NotFound("record"))
            }
        }
    }

    pub fn update_record(
        &self,
        ctx: &Ctx,
        id: RecordId,
        draft: RecordDraft,
        expected_version: Option<u32>,
    ) -> ApiResult<Record> {
        let current = self.writable(ctx, id, "record.update")?;
        let draft = draft.validate().map_err(ApiError::Invalid)?;
        let event = ctx.event_for(
            "record.update",
            serde_json::json!({"id": id, "expected_version": expected_version}),
            vec![disclosed(&current, Access::Full)],
            200,
        );
        let mut out = self.store.apply(
            vec![RecordChange::Update {
                id,
                draft,
                expected_version,
            }],
            Some(event),
        )?;
        self.after_write();
        out.pop()
            .ok_or_else(|| ApiError::Internal("store returned no record".into()))
    }

    pub fn retire_record(&self, ctx: &Ctx, id: RecordId) -> ApiResult<Record> {
        let current = self.writable(ctx, id, "record.retire")?;
        if current.status == RecordStatus::Retired {
            return Ok(current);
        }
        let event = ctx.event_for(
            "record.retire",
            serde_json::json!({"id": id}),
            vec![disclosed(&current, Access::Full)],
            200,
        );
        let mut out = self.store.apply(
            vec![RecordChange::SetStatus {
                id,
                status: RecordStatus::Retired,
                expected_version: None,
            }],
            Some(event),
        )?;
        self.after_write();
        out.pop()
            .ok_or_else(|| ApiError::Internal("store returned no record".into()))
    }

    pub fn get_record(&self, ctx: &Ctx, id: RecordId) -> ApiResult<RecordView> {
        let (record, view) = self.visible(ctx, id)?;
        let request = serde_json::json!({"id": id});
        match (record, view) {
            (Some(r), Some(v)) => {
                let level = access::record_access(&ctx.caller, &r);
                self.audit(ctx, "record.get", request, vec![disclosed(&r, level)], 200)?;
                Ok(v)
            }
            (Some(r), None) => {
                // Audited so the owner can see the attempt, answered as absent.
                self.audit(
                    ctx,
                    "record.get",
                    request,
                    vec![disclosed(&r, Access::Hidden)],
                    404,
                )?;
                Err(ApiError::NotFound("record"))
            }
            (None, _) => {
                self.audit(ctx, "record.get", request, vec![], 404)?;
                Err(ApiError::NotFound("record"))
            }
        }
    }

    /// Lists what the caller may see. Hidden records are skipped *before*
    /// the page is cut, and the cursor is the last item returned, so pages
    /// and counts are exactly what they would be without those records.
    pub fn list_records(
        &self,
        ctx: &Ctx,
        filter: &RecordFilter,
        cursor: Option<RecordId>,
        limit: usize,
    ) -> ApiResult<RecordPage> {
        let limit = limit.clamp(1, 1000);
        let mut items: Vec<(Record, RecordView)> = Vec::with_capacity(limit);
        let mut after = cursor;
        let mut more = false;
        'scan: loop {
            let batch = self.store.records_page(filter, after, 500)?;
            let exhausted = batch.len() < 500;
            for r in batch {
                after = Some(r.id);
                if !may_see_retired(&ctx.caller, &r) {
                    continue;
                }
                if let Some(v) = view_for(&ctx.caller, &r) {
                    if items.len() == limit {
                        more = true;
                        break 'scan;
                    }
                    items.push((r, v));
                }
            }
            if exhausted {
                break;
            }
        }
        let disclosed_list = items
            .iter()
            .map(|(r, _)| disclosed(r, access::record_access(&ctx.caller, r)))
            .collect();
        let next_cursor = if more {
            items.last().map(|(r, _)| r.id.to_string())
        } else {
            None
        };
        self.audit(
            ctx,
            "record.list",
            serde_json::json!({
                "owner": filter.owner, "status": filter.status.map(|s| s.as_str()),
                "category": filter.category, "cursor": cursor, "limit": limit,
            }),
            disclosed_list,
            200,
        )?;
        let items: Vec<RecordView> = items.into_iter().map(|(_, v)| v).collect();
        Ok(RecordPage {
            count: items.len(),
            items,
            next_cursor,
        })
    }

    pub fn record_history(&self, ctx: &Ctx, id: RecordId) -> ApiResult<Vec<RecordVersion>> {
        let record = self.store.record(id)?;
        let request = serde_json::json!({"id": id});
        match record {
            Some(r) if may_read_history(&ctx.caller, &r.owner) => {
                let history = self.store.record_history(id)?;
                self.audit(
                    ctx,
                    "record.history",
                    request,
                    vec![disclosed(&r, Access::Full)],
                    200,
                )?;
                Ok(history)
            }
            Some(r) => {
                let seen = may_see_retired(&ctx.caller, &r) && view_for(&ctx.caller, &r).is_some();
                let outcome = if seen { 403 } else { 404 };
                self.audit(
                    ctx,
                    "record.history",
                    request,
                    vec![disclosed(&r, Access::Hidden)],
                    outcome,
                )?;
                if seen {
                    Err(ApiError::Forbidden(
                        "only the owner and auditors may read a record's history".into(),
                    ))
                } else {
                    Err(ApiError::NotFound("record"))
                }
            }
            None => {
                self.audit(ctx, "record.history", request, vec![], 404)?;
                Err(ApiError::NotFound("record"))
            }
        }
    }

    // --- Audit --------------------------------------------------------------

    /// Auditors read everything; anyone else reads the accesses to its own
    /// agency's records.
    pub fn audit_log(&self, ctx: &Ctx, mut filter: AuditFilter) -> ApiResult<Vec<AuditBody>> {
        if !access::may_read_audit(&ctx.caller) {
            filter.record_owner = Some(ctx.caller.agency.clone());
        }
        filter.limit = filter.limit.clamp(1, 1000);
        let entries = self.store.audit_entries(&filter)?;
        self.audit(
            ctx,
            "audit.read",
            serde_json::json!({"agency": filter.agency, "action": filter.action, "record_owner": filter.record_owner, "after": filter.after}),
            vec![],
            200,
        )?;
        entries
            .into_iter()
            .map(|e| {
                serde_json::from_str(&e.body)
                    .map_err(|err| ApiError::Internal(format!("audit entry {}: {err}", e.seq)))
            })
            .collect()
    }

    /// Verifies the whole audit chain.
    pub fn verify_audit(&self) -> ApiResult<Result<ChainReport, ChainBreak>> {
        let chain = self.store.audit_chain()?;
        Ok(verify_chain(&chain).map(|(entries, head)| ChainReport { entries, head }))
    }
}
