//! `/v1/audit`: the audit log for oversight, and accesses to one's own records.

use axum::extract::State;
use axum::response::IntoResponse;
use axum::Json;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use vigil_core::{Action, AgencyCode, RecordId};
use vigil_store::AuditFilter;

use vigil_service::Ctx;

use super::blocking;
use crate::error::ApiResult;
use crate::extract::{Authed, QueryParams};
use crate::AppState;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    agency: Option<AgencyCode>,
    action: Option<Action>,
    record_owner: Option<AgencyCode>,
    record: Option<RecordId>,
    since: Option<DateTime<Utc>>,
    until: Option<DateTime<Utc>>,
    after: Option<i64>,
    limit: Option<usize>,
}

pub async fn list(
    State(state): State<AppState>,
    auth: Authed,
    QueryParams(q): QueryParams<AuditQuery>,
) -> ApiResult<impl IntoResponse> {
    let ctx = Ctx::from(auth);
    let filter = AuditFilter {
        agency: q.agency,
        action: q.action,
        record_owner: q.record_owner,
        record: q.record,
        since: q.since,
        until: q.until,
        after: q.after,
        limit: q.limit.unwrap_or(100),
        ..AuditFilter::default()
    };
    let entries = blocking(&state, move |v| v.audit_log(&ctx, filter)).await?;
    let next_after = entries.last().map(|e| e.seq);
    Ok(Json(
        serde_json::json!({ "entries": entries, "next_after": next_after }),
    ))
}

pub async fn verify(State(state): State<AppState>, auth: Authed) -> ApiResult<impl IntoResponse> {
    let ctx = Ctx::from(auth);
    let report = blocking(&state, move |v| v.verify_audit(&ctx)).await?;
    Ok(Json(match report {
        Ok(r) => serde_json::json!({"valid": true, "entries": r.entries, "head": r.head}),
        Err(b) => serde_json::json!({"valid": false, "broken_at": b.seq, "problem": b.problem}),
    }))
}
