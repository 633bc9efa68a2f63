//! Oversight: reading the audit log (auditors everything; anyone else what
//! concerns its own agency) and verifying its hash chain.

use std::cell::RefCell;
use std::collections::HashMap;

use serde::Serialize;
use vigil_core::access;
use vigil_core::audit::{AuditBody, ChainBreak, ChainVerifier, Disclosed, StoredAuditEntry};
use vigil_core::{Access, Action, Caller, Outcome, RecordId};
use vigil_store::AuditFilter;

use crate::context::Ctx;
use crate::error::{Result, ServiceError};
use crate::vigil::Vigil;

/// Entries read at a time when verifying the chain.
const VERIFY_PAGE: usize = 10_000;

/// Result of verifying the chain.
#[derive(Debug, Serialize)]
pub struct ChainReport {
    pub entries: u64,
    pub head: String,
}

impl Vigil {
    /// Auditors read every entry. Anyone else reads what
    /// `vigil_core::access::audit_view` lets it: its own agency's actions,
    /// and who touched its records. The caller's filters apply to what it
    /// may read, so that asking about a record hidden from it answers as
    /// asking about one that does not exist.
    pub fn audit_log(&self, ctx: &Ctx, filter: AuditFilter) -> Result<Vec<AuditBody>> {
        let limit = filter.limit.clamp(1, 1000);
        let request = serde_json::json!({
            "agency": filter.agency, "action": filter.action, "record_owner": filter.record_owner,
            "record": filter.record, "after": filter.after,
        });
        let entries = if access::may_read_audit(&ctx.caller) {
            let filter = AuditFilter { limit, ..filter };
            self.store
                .audit_entries(&filter)?
                .iter()
                .map(parse_entry)
                .collect::<Result<Vec<_>>>()?
        } else {
            self.readable_entries(ctx, filter, limit)?
        };
        self.audit(ctx, Action::AuditRead, request, vec![], Outcome::Done)?;
        Ok(entries)
    }

    /// The entries a non-auditor may read, filtered after they are cut to
    /// what it may read, read from the store in pages until `limit` are found.
    fn readable_entries(
        &self,
        ctx: &Ctx,
        filter: AuditFilter,
        limit: usize,
    ) -> Result<Vec<AuditBody>> {
        const PAGE: usize = 500;
        let wanted = |e: &AuditBody| {
            filter.agency.as_ref().is_none_or(|a| &e.event.agency == a)
                && filter
                    .record_owner
                    .as_ref()
                    .is_none_or(|o| e.event.disclosed.iter().any(|d| &d.owner == o))
                && filter
                    .record
                    .is_none_or(|r| e.event.disclosed.iter().any(|d| d.record == r))
        };
        let mut page = AuditFilter {
            involving: Some(ctx.caller.agency.clone()),
            action: filter.action,
            since: filter.since,
            until: filter.until,
            after: filter.after,
            newest_first: filter.newest_first,
            limit: PAGE,
            ..AuditFilter::default()
        };
        let now = AccessNow::new(self, &ctx.caller);
        let mut out = Vec::new();
        loop {
            let batch = self.store.audit_entries(&page)?;
            let exhausted = batch.len() < PAGE;
            for stored in &batch {
                page.after = Some(stored.seq);
                let readable =
                    access::audit_view(&ctx.caller, parse_entry(stored)?, |d| now.access(d));
                if let Some(entry) = readable.filter(|e| wanted(e)) {
                    out.push(entry);
                    if out.len() == limit {
                        return Ok(out);
                    }
                }
            }
            if exhausted {
                return Ok(out);
            }
        }
    }

    /// The chain read page by page: memory stays constant however long it is.
    fn verify_in_pages_of(
        &self,
        page_size: usize,
    ) -> Result<std::result::Result<ChainReport, ChainBreak>> {
        let mut verifier = ChainVerifier::default();
        let mut after = 0;
        loop {
            let page = self.store.audit_chain_page(after, page_size)?;
            for entry in &page {
                if let Err(brk) = verifier.push(entry) {
                    return Ok(Err(brk));
                }
            }
            match page.last() {
                Some(last) if page.len() == page_size => after = last.seq,
                _ => break,
            }
        }
        let (entries, head) = verifier.finish();
        Ok(Ok(ChainReport { entries, head }))
    }

    /// Verifies the whole audit chain (oversight only). The verification is
    /// itself audited, after the chain it reports on.
    pub fn verify_audit(&self, ctx: &Ctx) -> Result<Result<ChainReport, ChainBreak>> {
        if !access::may_read_audit(&ctx.caller) {
            self.audit(
                ctx,
                Action::AuditVerify,
                serde_json::Value::Null,
                vec![],
                Outcome::Denied,
            )?;
            return Err(ServiceError::Forbidden(
                "verifying the audit chain needs an auditor token".into(),
            ));
        }
        let report = self.verify_in_pages_of(VERIFY_PAGE)?;
        self.audit(
            ctx,
            Action::AuditVerify,
            serde_json::json!({"valid": report.is_ok()}),
            vec![],
            Outcome::Done,
        )?;
        Ok(report)
    }
}

fn parse_entry(e: &StoredAuditEntry) -> Result<AuditBody> {
    serde_json::from_str(&e.body)
        .map_err(|err| ServiceError::Internal(format!("audit entry {}: {err}", e.seq)))
}

/// What a caller may see today of the records an audit entry disclosed,
/// looked up once per record.
struct AccessNow<'a> {
    vigil: &'a Vigil,
    caller: &'a Caller,
    seen: RefCell<HashMap<RecordId, Access>>,
}

impl<'a> AccessNow<'a> {
    fn new(vigil: &'a Vigil, caller: &'a Caller) -> Self {
        AccessNow {
            vigil,
            caller,
            seen: RefCell::new(HashMap::new()),
        }
    }

    fn access(&self, d: &Disclosed) -> Access {
        if let Some(a) = self.seen.borrow().get(&d.record) {
            return *a;
        }
        // A record that cannot be read now is treated as hidden: the entry
        // stays, without naming it.
        let access = match self.vigil.store.record(d.record) {
            Ok(Some(r)) => access::record_access(self.caller, &r),
            Ok(None) | Err(_) => Access::Hidden,
        };
        self.seen.borrow_mut().insert(d.record, access);
        access
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use vigil_core::{AgencyCode, Caller, Role};
    use vigil_store::SqliteStore;

    use crate::{Config, Ctx, Vigil};

    #[test]
    fn the_chain_verifies_the_same_in_pages_as_whole() {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(SqliteStore::open(dir.path()).unwrap());
        let vigil = Vigil::new(store.clone(), Config::default());
        let ctx = Ctx::new(
            Caller {
                agency: AgencyCode::parse("LOCAL").unwrap(),
                role: Role::Auditor,
                token_id: "t".into(),
            },
            "test",
        );
        for _ in 0..7 {
            vigil.agencies(&ctx).unwrap();
        }
        let whole = vigil.verify_in_pages_of(1000).unwrap().unwrap();
        for page in [1, 2, 3, 7] {
            let paged = vigil.verify_in_pages_of(page).unwrap().unwrap();
            assert_eq!(
                (paged.entries, &paged.head),
                (whole.entries, &whole.head),
                "{page}"
            );
        }
        assert_eq!(whole.entries, 7);
        store
            .execute_raw("UPDATE audit SET body = replace(body, 'test', 'fish') WHERE seq = 5")
            .unwrap();
        let broken = vigil.verify_in_pages_of(2).unwrap().unwrap_err();
        assert_eq!(broken.seq, 5);
    }
}
