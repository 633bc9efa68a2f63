//! The auditor's screens: the audit log newest first with filters (agency,
//! action, record, time), the hash chain's verification, and "who saw this
//! record": every disclosure of one record, by whom, when, why and at what
//! level.

use axum::extract::{Query, State};
use axum::response::IntoResponse;
use chrono::{DateTime, NaiveDate, Utc};
use maud::html;
use serde::Deserialize;
use strum::VariantArray;
use vigil_core::{Action, AgencyCode, RecordId};
use vigil_store::AuditFilter;

use super::page::{call, href, json_block, page, plain, when, ConsoleError, ConsoleResult};
use super::session::Officer;
use crate::error::ApiError;
use crate::AppState;

const PAGE: usize = 100;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AuditQuery {
    agency: String,
    action: String,
    record: String,
    since: String,
    until: String,
    before: Option<i64>,
    verify: String,
}

/// A day's start (`since`) or end (`until`), or a full RFC 3339 time.
fn time(text: &str, path: &str, end_of_day: bool) -> Result<Option<DateTime<Utc>>, ConsoleError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Ok(Some(t.with_timezone(&Utc)));
    }
    let day = NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|_| ApiError::field(path, "a date (YYYY-MM-DD) or an RFC 3339 time"))?;
    let t = if end_of_day {
        day.and_hms_opt(23, 59, 59)
    } else {
        day.and_hms_opt(0, 0, 0)
    };
    Ok(t.map(|t| t.and_utc()))
}

pub async fn log(
    State(state): State<AppState>,
    officer: Officer,
    Query(q): Query<AuditQuery>,
) -> ConsoleResult {
    let agency = match q.agency.trim() {
        "" => None,
        a => Some(AgencyCode::parse(a).map_err(|e| ApiError::field("agency", e.to_string()))?),
    };
    let action = match q.action.as_str() {
        "" => None,
        a => Some(
            a.parse::<Action>()
                .map_err(|_| ApiError::field("action", "not an audited action"))?,
        ),
    };
    let record = match q.record.trim() {
        "" => None,
        r => Some(RecordId::parse(r).ok_or_else(|| ApiError::field("record", "not a record id"))?),
    };
    let filter = AuditFilter {
        agency,
        action,
        record,
        since: time(&q.since, "since", false)?,
        until: time(&q.until, "until", true)?,
        after: q.before,
        newest_first: true,
        limit: PAGE,
        ..AuditFilter::default()
    };
    let ctx = officer.ctx();
    let verify = q.verify == "1";
    let (entries, chain) = call(&state, move |v| {
        let chain = if verify {
            Some(v.verify_audit(&ctx)?)
        } else {
            None
        };
        Ok((v.audit_log(&ctx, filter)?, chain))
    })
    .await?;
    let older = entries
        .last()
        .filter(|_| entries.len() == PAGE)
        .map(|e| e.seq);
    let body = html! {
        @match &chain {
            Some(Ok(report)) => p.verdict.nohit role="status" { "Chain verified: " (report.entries) " entries, unbroken. Head " code { (report.head) } },
            Some(Err(broken)) => p.verdict.hit role="alert" { "Chain broken at entry " (broken.seq) ": " (broken.problem) },
            None => p { a href="/console/audit?verify=1" { "Verify the whole chain" } },
        }
        form.filters method="get" action="/console/audit" {
            label for="agency" { "Agency" } input #agency name="agency" value=(q.agency) size="10";
            label for="action" { "Action" }
            select #action name="action" {
                option value="" { "any" }
                @for a in Action::VARIANTS { option value=(a.as_str()) selected[q.action == a.as_str()] { (a.as_str()) } }
            }
            label for="record" { "Record" } input #record name="record" value=(q.record) size="36";
            label for="since" { "From" } input #since name="since" value=(q.since) placeholder="YYYY-MM-DD" size="12";
            label for="until" { "To" } input #until name="until" value=(q.until) placeholder="YYYY-MM-DD" size="12";
            button type="submit" { "Show" }
        }
        @if let Some(r) = &record {
            section.who-saw {
                h2 { "Who saw record " (r.to_string()) }
                table {
                    thead { tr { th { "When" } th { "Agency" } th { "Role" } th { "Action" } th { "Level" } th { "Purpose" } } }
                    tbody { @for e in &entries {
                        @for d in e.event.disclosed.iter().filter(|d| d.record == *r) {
                            tr { td { (when(&e.at)) } td { (e.event.agency) } td { (e.event.role.as_str()) } td { (e.event.action.as_str()) }
                                 td { (plain(&serde_json::to_value(d.level).unwrap_or_default())) } td { (e.event.purpose) } }
                        }
                    } }
                }
            }
        }
        table.audit {
            thead { tr { th { "#" } th { "When" } th { "Agency" } th { "Role" } th { "Action" } th { "Outcome" } th { "Purpose" } th { "Records" } th { "Request" } } }
            tbody {
                @for e in &entries {
                    tr {
                        td { (e.seq) }
                        td { (when(&e.at)) }
                        td { (e.event.agency) }
                        td { (e.event.role.as_str()) }
                        td { (e.event.action.as_str()) }
                        td { (plain(&serde_json::to_value(e.event.outcome).unwrap_or_default())) }
                        td { (e.event.purpose) }
                        td { @for d in &e.event.disclosed { a href=(format!("/console/records/{}", d.record)) { (d.owner) } " " } }
                        td { @if !e.event.request.is_null() { details { summary { "request" } (json_block(&e.event.request)) } } }
                    }
                }
            }
        }
        @if entries.is_empty() { p.empty { "No entries." } }
        @if let Some(seq) = older {
            p { a href=(href("/console/audit", &[("agency", &q.agency), ("action", &q.action), ("record", &q.record), ("since", &q.since), ("until", &q.until), ("before", &seq.to_string())])) { "Older entries" } }
        }
    };
    Ok(page(Some(&officer), "Audit log", body).into_response())
}
