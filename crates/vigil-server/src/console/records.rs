//! A bureau's records: list and filter (in the store, a page at a time),
//! search by name (the screening engine's retrieval, in any script), read
//! one at the caller's access level, add, edit, retire, and read its
//! history. The owner sees, beside its record, what another agency sees of
//! it and what each peer organisation receives: the policy previewed.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{html, Markup};
use serde::Deserialize;
use vigil_core::access::{may_see_retired, release_to, view_for, Release};
use vigil_core::{AgencyCode, Caller, Category, Record, RecordId, RecordStatus, RecordView, Role};
use vigil_store::RecordFilter;

use super::forms::{NoFields, Posted};
use super::page::{
    call, csrf_field, field_errors, href, name, page, plain, when, ConsoleError, ConsoleResult,
};
use super::record_form::{editor, RecordForm};
use super::session::Officer;
use crate::error::ApiError;
use crate::AppState;

const PAGE: usize = 50;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ListQuery {
    q: String,
    owner: String,
    status: String,
    category: String,
    after: String,
}

fn record_id(text: &str) -> Result<RecordId, ConsoleError> {
    RecordId::parse(text).ok_or(ConsoleError(ApiError::NotFound("record")))
}

fn primary_name(r: &Record) -> &str {
    r.draft.names.first().map_or("", |n| n.full.as_str())
}

pub async fn list(
    State(state): State<AppState>,
    officer: Officer,
    Query(q): Query<ListQuery>,
) -> ConsoleResult {
    let owner = match q.owner.trim() {
        "" => None,
        o => Some(AgencyCode::parse(o).map_err(|e| ApiError::field("owner", e.to_string()))?),
    };
    let status = match q.status.as_str() {
        "" => None,
        s => Some(
            RecordStatus::parse(s).ok_or_else(|| ApiError::field("status", "active or retired"))?,
        ),
    };
    let category: Option<Category> = match q.category.as_str() {
        "" => None,
        c => Some(
            serde_json::from_value(serde_json::Value::String(c.into()))
                .map_err(|_| ApiError::field("category", "not a category"))?,
        ),
    };
    let ctx = officer.ctx();
    let text = q.q.trim().to_string();
    let after = match q.after.as_str() {
        "" => None,
        a => Some(record_id(a)?),
    };
    let filter = RecordFilter {
        owner: owner.clone(),
        status,
        category,
        updated_since: None,
    };
    let page_of = call(&state, move |v| {
        if text.is_empty() {
            v.list_records(&ctx, &filter, after, PAGE)
        } else {
            v.search_records(&ctx, &text, &filter, PAGE)
        }
    })
    .await?;
    let mine = officer.caller.agency.to_string();
    let next = page_of.next_cursor.as_ref().map(|c| {
        href(
            "/console/records",
            &[
                ("owner", &q.owner),
                ("status", &q.status),
                ("category", &q.category),
                ("after", c),
            ],
        )
    });
    let body = html! {
        form.filters method="get" action="/console/records" role="search" {
            label for="q" { "Name" }
            input #q name="q" value=(q.q) dir="auto" placeholder="any script, any order";
            label for="owner" { "Owner" }
            input #owner name="owner" value=(q.owner) size="10" placeholder=(mine);
            label for="status" { "Status" }
            select #status name="status" {
                option value="" { "any" }
                option value="active" selected[q.status == "active"] { "active" }
                option value="retired" selected[q.status == "retired"] { "retired" }
            }
            label for="category" { "Category" }
            select #category name="category" {
                option value="" { "any" }
                @for c in ["foreign_terrorist_fighter", "suspect", "associate", "missing", "sanctioned", "other"] {
                    option value=(c) selected[q.category == c] { (c.replace('_', " ")) }
                }
            }
            button type="submit" { "Show" }
        }
        @if officer.role() == Role::Contributor { p { a.button href="/console/records/new" { "Add a record" } } }
        table.records {
            thead { tr { th { "Reference" } th { "Name" } th { "Owner" } th { "Category" } th { "Born" } th { "Status" } th { "Updated" } } }
            tbody {
                @for item in &page_of.items {
                    @match item {
                        RecordView::Full(r) => tr {
                            td { a href=(format!("/console/records/{}", r.id)) { (r.draft.reference) } }
                            td { (name(primary_name(r))) }
                            td { (r.owner) }
                            td { (plain(&serde_json::to_value(r.draft.category).unwrap_or_default())) }
                            td { (r.draft.birth_dates.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")) }
                            td { (r.status.as_str()) }
                            td { (when(&r.updated_at)) }
                        },
                        RecordView::HitOnly(v) => tr {
                            td { a href=(format!("/console/records/{}", v.id)) { (v.reference) } }
                            td { "hit/no-hit" } td { (v.owner) } td {} td {} td {} td {}
                        },
                    }
                }
            }
        }
        @if page_of.items.is_empty() { p.empty { "No records." } }
        @if let Some(next) = next { p { a href=(next) { "Next page" } } }
    };
    Ok(page(Some(&officer), "Records", body).into_response())
}

/// What agency `viewer` (its screeners) would see of `record`, said of
/// `label` (the agency's code, or "any other agency").
fn preview_as(record: &Record, viewer: &AgencyCode, label: &str) -> Markup {
    let caller = Caller {
        agency: viewer.clone(),
        role: Role::Screener,
        token_id: String::new(),
    };
    let view = if may_see_retired(&caller, record) {
        view_for(&caller, record)
    } else {
        None
    };
    html! {
        @match view {
            None => p { strong { (label) " sees nothing" } ": to " (label) " this record looks exactly like no record." },
            Some(RecordView::HitOnly(v)) => p { strong { (label) " sees hit/no-hit only" } ": owner " (v.owner) ", reference " (v.reference) ", and the instruction: " q { (v.instruction) } },
            Some(RecordView::Full(_)) => p { strong { (label) " sees the whole record" } " (names, dates, documents, notes)." },
        }
    }
}

/// An agency no policy names, for the preview of what everyone else sees.
fn unnamed_agency() -> AgencyCode {
    AgencyCode::parse("ANY_OTHER_AGENCY").expect("a valid agency code")
}

/// What peer organisation `org` receives of `record`.
fn preview_release(record: &Record, org: &AgencyCode) -> Markup {
    html! {
        @match release_to(record, org) {
            Release::Withheld => p { strong { (org) " receives nothing" } "." },
            Release::Query => p { strong { (org) " receives no copy" } ": its screenings are asked here and answered hit/no-hit with your contact and instruction." },
            Release::Copy { level, agencies } => p { strong { (org) " receives a copy" } ", read "
                (plain(&serde_json::to_value(level).unwrap_or_default()).replace('_', "/"))
                @if agencies.is_empty() { " by all its agencies." } @else { " by " (agencies.iter().map(|a| a.to_string()).collect::<Vec<_>>().join(", ")) " only." } },
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PreviewQuery {
    r#as: String,
    org: String,
}

fn full_record(officer: &Officer, r: &Record, preview: &PreviewQuery) -> Markup {
    let d = &r.draft;
    let owner = officer.caller.agency == r.owner;
    let mut viewers: Vec<AgencyCode> = d.policy.hit_only_for.clone();
    match &d.policy.visibility {
        vigil_core::Visibility::Only(a) | vigil_core::Visibility::Except(a) => {
            viewers.extend(a.iter().cloned())
        }
        vigil_core::Visibility::All => {}
    }
    if let Ok(asked) = AgencyCode::parse(preview.r#as.trim()) {
        viewers.insert(0, asked);
    }
    viewers.sort();
    viewers.dedup();
    let mut orgs: Vec<AgencyCode> = d.policy.release.iter().map(|r| r.org.clone()).collect();
    if let Ok(asked) = AgencyCode::parse_org(preview.org.trim()) {
        orgs.insert(0, asked);
    }
    orgs.sort();
    orgs.dedup();
    html! {
        dl.record {
            dt { "Owner" } dd { (r.owner) }
            dt { "Reference" } dd { (d.reference) }
            dt { "Status" } dd { (r.status.as_str()) ", version " (r.version) ", review due " (r.review_due.to_string()) }
            dt { "Category" } dd { (plain(&serde_json::to_value(d.category).unwrap_or_default())) }
            dt { "Names" } dd { ul { @for n in &d.names { li { (name(&n.full)) " "
                span.kind { "(" (plain(&serde_json::to_value(n.kind).unwrap_or_default()).replace('_', " "))
                    @if let Some(s) = n.script { ", " (plain(&serde_json::to_value(s).unwrap_or_default())) } ")" } } } } }
            @if let Some(g) = d.gender { dt { "Gender" } dd { (plain(&serde_json::to_value(g).unwrap_or_default())) } }
            @if !d.birth_dates.is_empty() { dt { "Born" } dd { (d.birth_dates.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")) } }
            @if !d.birth_places.is_empty() { dt { "Birth places" } dd { (d.birth_places.join("; ")) } }
            @if !d.nationalities.is_empty() { dt { "Nationalities" } dd { (d.nationalities.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(", ")) } }
            @for doc in &d.documents { dt { "Document" } dd { (plain(&serde_json::to_value(doc.kind).unwrap_or_default())) " " (doc.number)
                @if let Some(c) = &doc.country { " " (c.as_str()) } @if let Some(e) = doc.expiry { ", expires " (e.to_string()) } } }
            @for note in &d.notes { dt { "Note" } dd { p.note dir="auto" { (note) } } }
            @if !d.topics.is_empty() { dt { "Topics" } dd { (d.topics.join(", ")) } }
            dt { "Handling" } dd { (plain(&serde_json::to_value(d.handling.code).unwrap_or_default())) @if let Some(t) = &d.handling.text { " — " (t) } }
            @if let Some(e) = d.evaluation { dt { "Evaluation" } dd { (plain(&serde_json::to_value(e.source).unwrap_or_default())) (e.information) } }
            @if let Some(i) = &d.policy.instruction { dt { "Instruction" } dd { (i) } }
        }
        @if owner {
            section.preview {
                h2 { "Who sees what" }
                @for v in &viewers { (preview_as(r, v, v.as_str())) }
                (preview_as(r, &unnamed_agency(), "Any other agency"))
                @for o in &orgs { (preview_release(r, o)) }
                form method="get" action=(format!("/console/records/{}", r.id)) {
                    label for="as" { "What does this agency see?" }
                    input #as name="as" value=(preview.r#as) size="10" placeholder="DEU";
                    label for="org" { "What does this organisation receive?" }
                    input #org name="org" value=(preview.org) size="10" placeholder="EUROPOL";
                    button type="submit" { "Preview" }
                }
            }
        }
        p.actions {
            a href=(format!("/console/records/{}/history", r.id)) { "History" }
            @if officer.role() == Role::Auditor { " · " a href=(href("/console/audit", &[("record", &r.id.to_string())])) { "Who saw this record" } }
            @if owner && officer.role() == Role::Contributor {
                " · " a href=(format!("/console/records/{}/edit", r.id)) { "Edit" }
            }
        }
        @if owner && officer.role() == Role::Contributor && r.status == RecordStatus::Active {
            form method="post" action=(format!("/console/records/{}/retire", r.id)) {
                (csrf_field(officer))
                button.danger type="submit" { "Retire this record" }
            }
        }
    }
}

pub async fn detail(
    State(state): State<AppState>,
    officer: Officer,
    Path(id): Path<String>,
    Query(preview): Query<PreviewQuery>,
) -> ConsoleResult {
    let id = record_id(&id)?;
    let ctx = officer.ctx();
    let view = call(&state, move |v| v.get_record(&ctx, id)).await?;
    let (title, body) = match &view {
        RecordView::Full(r) => (
            format!("Record {}", r.draft.reference),
            full_record(&officer, r, &preview),
        ),
        RecordView::HitOnly(v) => (
            format!("Record {}", v.reference),
            html! {
                p.verdict.hit { "Hit/no-hit record" }
                dl {
                    dt { "Owner" } dd { (v.owner) }
                    dt { "Reference" } dd { (v.reference) }
                    dt { "What to do" } dd.instruction { (v.instruction) }
                }
            },
        ),
    };
    Ok(page(Some(&officer), &title, body).into_response())
}

pub async fn new_form(officer: Officer) -> Response {
    let form = RecordForm {
        visibility: "all".into(),
        disclosure: "full".into(),
        handling_code: "H0".into(),
        category: "suspect".into(),
        ..RecordForm::default()
    };
    page(
        Some(&officer),
        "Add a record",
        editor(&officer, &form, "/console/records/new"),
    )
    .into_response()
}

fn form_again(
    officer: &Officer,
    title: &str,
    form: &RecordForm,
    action: &str,
    problems: Markup,
) -> Response {
    let body = html! { (problems) (editor(officer, form, action)) };
    (
        StatusCode::UNPROCESSABLE_ENTITY,
        page(Some(officer), title, body),
    )
        .into_response()
}

pub async fn create(
    State(state): State<AppState>,
    Posted(officer, form): Posted<RecordForm>,
) -> ConsoleResult {
    let action = "/console/records/new";
    let draft = match form.draft(None) {
        Ok(d) => d,
        Err(fields) => {
            return Ok(form_again(
                &officer,
                "Add a record",
                &form,
                action,
                field_errors("The record was not saved", &fields),
            ))
        }
    };
    let ctx = officer.ctx();
    match call(&state, move |v| v.create_record(&ctx, draft)).await {
        Ok(r) => Ok(Redirect::to(&format!("/console/records/{}", r.id)).into_response()),
        Err(
            e @ ConsoleError(
                ApiError::Invalid(_) | ApiError::BadRequest { .. } | ApiError::Conflict(_),
            ),
        ) => Ok(form_again(
            &officer,
            "Add a record",
            &form,
            action,
            e.shown(),
        )),
        Err(e) => Err(e),
    }
}

async fn own_record(state: &AppState, officer: &Officer, id: RecordId) -> ConsoleResult<Record> {
    let ctx = officer.ctx();
    match call(state, move |v| v.get_record(&ctx, id)).await? {
        RecordView::Full(r) if r.owner == officer.caller.agency => Ok(*r),
        _ => Err(ConsoleError(ApiError::Forbidden(
            "only the owner's contributors edit a record".into(),
        ))),
    }
}

pub async fn edit_form(
    State(state): State<AppState>,
    officer: Officer,
    Path(id): Path<String>,
) -> ConsoleResult {
    let id = record_id(&id)?;
    let r = own_record(&state, &officer, id).await?;
    let form = RecordForm::of(&r.draft, Some(r.version));
    let action = format!("/console/records/{id}/edit");
    Ok(page(
        Some(&officer),
        &format!("Edit {}", r.draft.reference),
        editor(&officer, &form, &action),
    )
    .into_response())
}

pub async fn update(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Posted(officer, form): Posted<RecordForm>,
) -> ConsoleResult {
    let id = record_id(&id)?;
    let current = own_record(&state, &officer, id).await?;
    let action = format!("/console/records/{id}/edit");
    let title = format!("Edit {}", current.draft.reference);
    let draft = match form.draft(Some(&current.draft)) {
        Ok(d) => d,
        Err(fields) => {
            return Ok(form_again(
                &officer,
                &title,
                &form,
                &action,
                field_errors("The record was not saved", &fields),
            ))
        }
    };
    let ctx = officer.ctx();
    let version = form.version;
    match call(&state, move |v| v.update_record(&ctx, id, draft, version)).await {
        Ok(r) => Ok(Redirect::to(&format!("/console/records/{}", r.id)).into_response()),
        Err(
            e @ ConsoleError(
                ApiError::Invalid(_) | ApiError::BadRequest { .. } | ApiError::Conflict(_),
            ),
        ) => Ok(form_again(&officer, &title, &form, &action, e.shown())),
        Err(e) => Err(e),
    }
}

pub async fn retire(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Posted(officer, NoFields {}): Posted<NoFields>,
) -> ConsoleResult {
    let id = record_id(&id)?;
    let ctx = officer.ctx();
    call(&state, move |v| v.retire_record(&ctx, id)).await?;
    Ok(Redirect::to(&format!("/console/records/{id}")).into_response())
}

pub async fn history(
    State(state): State<AppState>,
    officer: Officer,
    Path(id): Path<String>,
) -> ConsoleResult {
    let id = record_id(&id)?;
    let ctx = officer.ctx();
    let versions = call(&state, move |v| v.record_history(&ctx, id)).await?;
    let body = html! {
        p { "Every version, newest first. Why each was written is in the audit log, with the purpose the writer stated." }
        table.history {
            thead { tr { th { "Version" } th { "Change" } th { "When" } th { "Who" } th { "Names" } th { "Visible to" } } }
            tbody {
                @for v in versions.iter().rev() {
                    tr {
                        td { (v.record.version) }
                        td { (plain(&serde_json::to_value(v.change).unwrap_or_default())) }
                        td { (when(&v.changed_at)) }
                        td { (v.changed_by.as_ref().map(|a| plain(&serde_json::to_value(a).unwrap_or_default())).unwrap_or_default()) }
                        td { (v.record.draft.names.iter().map(|n| n.full.clone()).collect::<Vec<_>>().join("; ")) }
                        td { (plain(&serde_json::to_value(&v.record.draft.policy.visibility).unwrap_or_default())) " · "
                             (plain(&serde_json::to_value(v.record.draft.policy.disclosure).unwrap_or_default())) }
                    }
                }
            }
        }
        p { a href=(format!("/console/records/{id}")) { "Back to the record" } }
    };
    Ok(page(Some(&officer), "History", body).into_response())
}
