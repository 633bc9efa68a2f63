//! Oversight: reading the audit log (auditors everything; anyone else what
//! concerns its own agency) and verifying its hash chain.

use serde::Serialize;
use vigil_core::access;
use vigil_core::audit::{verify_chain, AuditBody, ChainBreak};
use vigil_core::{Action, Outcome};
use vigil_store::AuditFilter;

use crate::context::Ctx;
use crate::error::{Result, ServiceError};
use crate::vigil::Vigil;

/// Result of verifying the chain.
#[derive(Debug, Serialize)]
pub struct ChainReport {
    pub entries: u64,
    pub head: String,
}

impl Vigil {
    /// Auditors read everything; anyone else reads the accesses to its own
    /// agency's records.
    pub fn audit_log(&self, ctx: &Ctx, mut filter: AuditFilter) -> Result<Vec<AuditBody>> {
        if !access::may_read_audit(&ctx.caller) {
            filter.record_owner = Some(ctx.caller.agency.clone());
        }
        filter.limit = filter.limit.clamp(1, 1000);
        let entries = self.store.audit_entries(&filter)?;
        self.audit(
            ctx,
            Action::AuditRead,
            serde_json::json!({"agency": filter.agency, "action": filter.action, "record_owner": filter.record_owner, "after": filter.after}),
            vec![],
            Outcome::Done,
        )?;
        entries
            .into_iter()
            .map(|e| {
                serde_json::from_str(&e.body)
                    .map_err(|err| ServiceError::Internal(format!("audit entry {}: {err}", e.seq)))
            })
            .collect()
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
        let chain = self.store.audit_chain()?;
        let report = verify_chain(&chain).map(|(entries, head)| ChainReport { entries, head });
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
