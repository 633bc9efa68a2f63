//! Who asks and why ([`Ctx`]), and the audit events made from it: every
//! operation takes a context, and every audit entry names its caller and
//! stated purpose.

use vigil_core::access;
use vigil_core::audit::{AuditEvent, Disclosed};
use vigil_core::{Access, Action, Caller, Outcome, Record};

use crate::error::{Result, ServiceError};

/// Whether `purpose` can stand in the audit log as a stated purpose: some
/// text, at most 200 bytes (it is written in the officer's language).
pub fn is_stated_purpose(purpose: &str) -> bool {
    let purpose = purpose.trim();
    !purpose.is_empty() && purpose.len() <= 200
}

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

    /// Refuses the operator, who runs the instance and reads no case:
    /// hits, manifests, hit streams.
    pub(crate) fn require_case_reader(&self) -> Result<()> {
        if access::may_read_cases(&self.caller) {
            Ok(())
        } else {
            Err(ServiceError::Forbidden(
                "the operator's tokens read no hits or manifests".into(),
            ))
        }
    }

    /// The audit event for an action of this caller.
    pub fn event(
        &self,
        action: Action,
        request: serde_json::Value,
        disclosed: Vec<Disclosed>,
        outcome: Outcome,
    ) -> AuditEvent {
        AuditEvent {
            agency: self.caller.agency.clone(),
            role: self.caller.role,
            token_id: self.caller.token_id.clone(),
            purpose: self.purpose.clone(),
            action,
            request,
            disclosed,
            outcome,
        }
    }
}

/// A record disclosed (or touched) at `level`, for an audit entry.
pub fn disclosed(record: &Record, level: Access) -> Disclosed {
    Disclosed {
        record: record.id,
        owner: record.owner.clone(),
        level,
    }
}
