//! Records: create, read, update, retire, list and history, with the
//! access rules of `vigil_core::access` applied and every call audited. A
//! record the caller may not see takes the same path as one that does not
//! exist.

use vigil_core::access::{
    self, listed_view, may_read_history, may_see_retired, may_write, view_for,
};
use vigil_core::audit::Disclosed;
use vigil_core::{
    Access, Action, AgencyCode, FieldError, Outcome, Record, RecordDraft, RecordId, RecordStatus,
    RecordView,
};
use vigil_store::{RecordChange, RecordFilter, RecordVersion};

use serde::Serialize;

use crate::context::{disclosed, Ctx};
use crate::error::{Result, ServiceError};
use crate::vigil::Vigil;

/// The least name score a record search returns: loose, since a person
/// searching reads the list, and no alert follows.
const SEARCH_THRESHOLD: f64 = 0.6;

/// A page of records and the cursor for the next one.
#[derive(Debug, Serialize)]
pub struct RecordPage {
    pub items: Vec<RecordView>,
    pub count: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

impl Vigil {
    /// Loads a record as the caller may see it: `None` when it does not
    /// exist *or* is hidden, so that both take the same path from here on.
    /// What the caller may see of a record. Access is decided on the
    /// record's owner, status and policy, read alone: a hidden record is
    /// refused without being read, in about the time an unknown id takes.
    fn visible(&self, ctx: &Ctx, id: RecordId) -> Result<Seen> {
        let Some(facts) = self.store.access_facts(id)? else {
            return Ok(Seen::Absent);
        };
        if access::hidden_from(&ctx.caller, &facts.owner, facts.status, &facts.policy) {
            return Ok(Seen::Hidden(facts.owner));
        }
        // Read again in whole: it may have changed in between.
        let Some(record) = self.store.record(id)? else {
            return Ok(Seen::Absent);
        };
        Ok(match view_for(&ctx.caller, &record) {
            Some(view) if may_see_retired(&ctx.caller, &record) => {
                Seen::Visible(Box::new(record), view)
            }
            _ => Seen::Hidden(facts.owner),
        })
    }

    pub fn create_record(&self, ctx: &Ctx, draft: RecordDraft) -> Result<Record> {
        let _under_way = self.foreground_started();
        let owner = ctx.caller.agency.clone();
        if !may_write(&ctx.caller, &owner) {
            self.audit(
                ctx,
                Action::RecordCreate,
                serde_json::Value::Null,
                vec![],
                Outcome::Denied,
            )?;
            return Err(ServiceError::Forbidden(
                "only an agency's contributors may create its records".into(),
            ));
        }
        let draft = self.valid(draft)?;
        let id = RecordId::new();
        let request = serde_json::json!({"reference": draft.reference});
        let event = ctx.event(
            Action::RecordCreate,
            request,
            vec![Disclosed {
                record: id,
                owner: owner.clone(),
                level: Access::Full,
            }],
            Outcome::Done,
        );
        let out = self
            .store
            .apply(vec![RecordChange::Create { id, owner, draft }], event)?;
        self.after_write(&out);
        the_one(out)
    }

    /// A draft checked as a whole: its own rules, and that every agency and
    /// peer organisation its policy names exists — a typo there would hide a record from the
    /// partner it was meant for, or show it to everyone else.
    fn valid(&self, draft: RecordDraft) -> Result<RecordDraft> {
        let draft = draft.validate().map_err(ServiceError::Invalid)?;
        let mut unknown = Vec::new();
        for (path, agency) in draft.policy.named_agencies() {
            if self.store.agency(agency)?.is_none() {
                unknown.push(FieldError {
                    path: format!("policy.{path}"),
                    message: format!("agency {agency} does not exist"),
                });
            }
        }
        for (i, rule) in draft.policy.release.iter().enumerate() {
            if self.store.peer(&rule.org)?.is_none() {
                unknown.push(FieldError {
                    path: format!("policy.release[{i}].org"),
                    message: format!("{} is not a registered peer organisation", rule.org),
                });
            }
        }
        if unknown.is_empty() {
            Ok(draft)
        } else {
            Err(ServiceError::Invalid(unknown))
        }
    }

    /// The checks shared by update and retire: a hidden record is "not
    /// found", a visible one owned by someone else is "forbidden".
    fn writable(&self, ctx: &Ctx, id: RecordId, action: Action) -> Result<Record> {
        let request = serde_json::json!({"id": id});
        match self.visible(ctx, id)? {
            Seen::Visible(r, _) if may_write(&ctx.caller, &r.owner) => Ok(*r),
            Seen::Visible(r, _) => {
                self.audit(
                    ctx,
                    action,
                    request,
                    vec![disclosed(&r, Access::Hidden)],
                    Outcome::Denied,
                )?;
                Err(ServiceError::Forbidden(
                    "only the owner's contributors may change a record".into(),
                ))
            }
            seen => self.absent(ctx, action, request, id, seen),
        }
    }

    /// Answers as if the record did not exist: audited (naming the record
    /// when there is one, so its owner sees the attempt), then not found.
    fn absent<T>(
        &self,
        ctx: &Ctx,
        action: Action,
        request: serde_json::Value,
        id: RecordId,
        seen: Seen,
    ) -> Result<T> {
        let touched = match seen {
            Seen::Absent => Vec::new(),
            Seen::Hidden(owner) => vec![Disclosed {
                record: id,
                owner,
                level: Access::Hidden,
            }],
            Seen::Visible(r, _) => vec![disclosed(&r, Access::Hidden)],
        };
        self.audit(ctx, action, request, touched, Outcome::NotFound)?;
        Err(ServiceError::NotFound("record"))
    }

    pub fn update_record(
        &self,
        ctx: &Ctx,
        id: RecordId,
        draft: RecordDraft,
        expected_version: Option<u32>,
    ) -> Result<Record> {
        let _under_way = self.foreground_started();
        let current = self.writable(ctx, id, Action::RecordUpdate)?;
        let draft = self.valid(draft)?;
        let event = ctx.event(
            Action::RecordUpdate,
            serde_json::json!({"id": id, "expected_version": expected_version}),
            vec![disclosed(&current, Access::Full)],
            Outcome::Done,
        );
        let out = self.store.apply(
            vec![RecordChange::Update {
                id,
                draft,
                expected_version,
            }],
            event,
        )?;
        self.after_write(&out);
        the_one(out)
    }

    pub fn retire_record(&self, ctx: &Ctx, id: RecordId) -> Result<Record> {
        let _under_way = self.foreground_started();
        let current = self.writable(ctx, id, Action::RecordRetire)?;
        if current.status == RecordStatus::Retired {
            return Ok(current);
        }
        let event = ctx.event(
            Action::RecordRetire,
            serde_json::json!({"id": id}),
            vec![disclosed(&current, Access::Full)],
            Outcome::Done,
        );
        let out = self.store.apply(
            vec![RecordChange::SetStatus {
                id,
                status: RecordStatus::Retired,
                expected_version: None,
            }],
            event,
        )?;
        self.after_write(&out);
        the_one(out)
    }

    pub fn get_record(&self, ctx: &Ctx, id: RecordId) -> Result<RecordView> {
        let request = serde_json::json!({"id": id});
        match self.visible(ctx, id)? {
            Seen::Visible(r, v) => {
                let level = access::record_access(&ctx.caller, &r);
                self.audit(
                    ctx,
                    Action::RecordGet,
                    request,
                    vec![disclosed(&r, level)],
                    Outcome::Done,
                )?;
                Ok(v)
            }
            seen => self.absent(ctx, Action::RecordGet, request, id, seen),
        }
    }

    /// Lists what the caller may see, less the hit-only records of others
    /// (see `access::listed_view`). Hidden records are skipped *before*
    /// the page is cut, and the cursor is the last item returned, so pages
    /// and counts are exactly what they would be without those records.
    pub fn list_records(
        &self,
        ctx: &Ctx,
        filter: &RecordFilter,
        cursor: Option<RecordId>,
        limit: usize,
    ) -> Result<RecordPage> {
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
                if let Some(v) = listed_view(&ctx.caller, &r) {
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
        let next_cursor = if more {
            items.last().map(|(r, _)| r.id.to_string())
        } else {
            None
        };
        let request = serde_json::json!({
            "owner": filter.owner, "status": filter.status.map(|s| s.as_str()),
            "category": filter.category, "cursor": cursor, "limit": limit,
        });
        self.listed(ctx, request, items, next_cursor)
    }

    /// A page of listed records, audited as a list with what each disclosed.
    fn listed(
        &self,
        ctx: &Ctx,
        request: serde_json::Value,
        items: Vec<(Record, RecordView)>,
        next_cursor: Option<String>,
    ) -> Result<RecordPage> {
        let disclosed_list = items
            .iter()
            .map(|(r, _)| disclosed(r, access::record_access(&ctx.caller, r)))
            .collect();
        self.audit(
            ctx,
            Action::RecordList,
            request,
            disclosed_list,
            Outcome::Done,
        )?;
        let items: Vec<RecordView> = items.into_iter().map(|(_, v)| v).collect();
        Ok(RecordPage {
            count: items.len(),
            items,
            next_cursor,
        })
    }

    /// Records whose names resemble `text` (in any script, order or
    /// spelling: the screening engine's retrieval), as [`Vigil::list_records`]
    /// would list them: no hit-only record of another agency, no hidden one,
    /// only those `filter` takes (its owner, status and category; the
    /// filter is applied to the candidates before they are cut to `limit`).
    /// Raises no hit: a search is not a screening.
    pub fn search_records(
        &self,
        ctx: &Ctx,
        text: &str,
        filter: &RecordFilter,
        limit: usize,
    ) -> Result<RecordPage> {
        let text = text.trim();
        if !text.chars().any(char::is_alphanumeric) || text.len() > 500 {
            return Err(ServiceError::field(
                "q",
                "a name to search for: at least one letter, at most 500 bytes",
            ));
        }
        let limit = limit.clamp(1, 100);
        let index = self.screening();
        index.sync_if_few(self.store.as_ref())?;
        let traveller = vigil_core::Traveller {
            names: vec![text.to_string()],
            ..Default::default()
        };
        let filtered =
            filter.owner.is_some() || filter.status.is_some() || filter.category.is_some();
        let opts = vigil_match::SearchOptions {
            limit: limit * if filtered { 20 } else { 2 },
            threshold: SEARCH_THRESHOLD,
        };
        let found = index.search(
            &crate::engine_map::traveller_query(&traveller),
            &opts,
            crate::index::Reach::VisibleTo(&ctx.caller.agency),
        );
        let mut items: Vec<(Record, RecordView)> = Vec::new();
        for f in found {
            if filter.owner.as_ref().is_some_and(|o| o != &f.record.owner) || items.len() == limit {
                continue;
            }
            let Some(r) = self.store.record(f.record.id)? else {
                continue;
            };
            if !may_see_retired(&ctx.caller, &r)
                || filter.status.is_some_and(|s| s != r.status)
                || filter.category.is_some_and(|c| c != r.draft.category)
            {
                continue;
            }
            if let Some(v) = listed_view(&ctx.caller, &r) {
                items.push((r, v));
            }
        }
        let request = serde_json::json!({
            "search": text, "owner": filter.owner, "status": filter.status.map(|s| s.as_str()),
            "category": filter.category, "limit": limit,
        });
        self.listed(ctx, request, items, None)
    }

    pub fn record_history(&self, ctx: &Ctx, id: RecordId) -> Result<Vec<RecordVersion>> {
        let request = serde_json::json!({"id": id});
        match self.visible(ctx, id)? {
            Seen::Visible(r, _) if may_read_history(&ctx.caller, &r.owner) => {
                let history = self.store.record_history(id)?;
                self.audit(
                    ctx,
                    Action::RecordHistory,
                    request,
                    vec![disclosed(&r, Access::Full)],
                    Outcome::Done,
                )?;
                Ok(history)
            }
            Seen::Visible(r, _) => {
                self.audit(
                    ctx,
                    Action::RecordHistory,
                    request,
                    vec![disclosed(&r, Access::Hidden)],
                    Outcome::Denied,
                )?;
                Err(ServiceError::Forbidden(
                    "only the owner and auditors may read a record's history".into(),
                ))
            }
            seen => self.absent(ctx, Action::RecordHistory, request, id, seen),
        }
    }
}

/// What a caller may see of a record, by id.
enum Seen {
    /// No such record.
    Absent,
    /// A record hidden from the caller: only its owner is kept, for the
    /// audit entry its owner reads.
    Hidden(AgencyCode),
    Visible(Box<Record>, RecordView),
}

/// The record a one-change write returns.
fn the_one(mut written: Vec<Record>) -> Result<Record> {
    written
        .pop()
        .ok_or_else(|| ServiceError::Internal("store returned no record".into()))
}
