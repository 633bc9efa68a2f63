//! Who asks and why ([`Ctx`]), and the audit events made from it: every
//! operation takes a context, and every audit entry names its caller and
//! stated purpose.

use vigil_core::audit::{AuditEvent, Disclosed};
use vigil_core::{Access, Action, Caller, Outcome, Record};

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
