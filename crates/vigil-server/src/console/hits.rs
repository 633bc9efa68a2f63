//! The owner's hit queue, live: hits on the agency's records, new and
//! soonest flights first, each with the traveller, the match explained
//! feature by feature and the decision (confirmed, false positive, action
//! taken) with a note. New hits arrive over the server-sent event stream
//! (`/console/hits/stream`) without a reload. The screening agency's side
//! lists the hits its own screenings raised, as it may see them.

use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{html, Markup};
use serde::Deserialize;
use vigil_core::{Hit, HitStatus};
use vigil_service::hits::{Decision, HitSide, HitView};

use super::forms::Posted;
use super::page::{
    call, csrf_field, explanation, href, name, page, percent, plain, when, ConsoleError,
    ConsoleResult,
};
use super::session::Officer;
use crate::error::ApiError;
use crate::routes::hits::{hit_events, last_event_id};
use crate::AppState;

const PAGE: usize = 50;

#[derive(Debug, Default, Deserialize)]
pub struct QueueQuery {
    status: Option<String>,
    side: Option<String>,
    before: Option<i64>,
}

const STATUSES: [(HitStatus, &str); 4] = [
    (HitStatus::New, "new"),
    (HitStatus::Confirmed, "confirmed"),
    (HitStatus::FalsePositive, "false positive"),
    (HitStatus::ActionTaken, "action taken"),
];

fn status_key(s: HitStatus) -> String {
    plain(&serde_json::to_value(s).unwrap_or_default())
}

fn status_label(s: HitStatus) -> &'static str {
    STATUSES
        .iter()
        .find(|(x, _)| *x == s)
        .map_or("", |(_, l)| l)
}

/// The flight time that makes a hit urgent: the arrival, else the departure.
fn flight_time(h: &Hit) -> Option<chrono::NaiveDateTime> {
    let f = h.context.flight.as_ref()?;
    f.arrival_time.or(f.departure_time)
}

fn traveller_name(h: &vigil_core::Traveller) -> String {
    let mut parts: Vec<String> = h.names.clone();
    let split = [h.surname.clone(), h.given_names.clone()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    if !split.trim().is_empty() {
        parts.push(split);
    }
    parts.join(" / ")
}

fn decision_form(officer: &Officer, id: &str) -> Markup {
    html! {
        form.decision method="post" action=(format!("/console/hits/{id}/decision")) {
            (csrf_field(officer))
            label for=(format!("status-{id}")) { "Decision" }
            select id=(format!("status-{id}")) name="status" {
                @for (s, label) in STATUSES.iter().skip(1) {
                    option value=(status_key(*s)) { (label) }
                }
            }
            label for=(format!("note-{id}")) { "Note" }
            input id=(format!("note-{id}")) name="note" maxlength="2000";
            button type="submit" { "Decide" }
        }
    }
}

fn owner_row(officer: &Officer, h: &Hit) -> Markup {
    html! {
        tr.(if h.status == HitStatus::New { "is-new" } else { "" }) data-seq=(h.seq) {
            td { a href=(format!("/console/hits/{}", h.id)) { (when(&h.created_at)) } }
            td { (name(&traveller_name(&h.traveller))) @if let Some(d) = &h.traveller.birth_date { br; "born " (d.to_string()) } }
            td { @if let Some(f) = &h.context.flight {
                    (f.carrier.clone().unwrap_or_default()) " " (f.flight.clone())
                    @if let Some(t) = flight_time(h) { br; (t.format("%Y-%m-%d %H:%M").to_string()) }
                } @else { "—" } }
            td { a href=(format!("/console/records/{}", h.record)) { (h.reference) } }
            td { (h.screening_agency) }
            td { (percent(h.score)) }
            td { (status_label(h.status)) }
            td { @if h.status == HitStatus::New { (decision_form(officer, &h.id)) } @else { (h.decision_note.clone().unwrap_or_default()) } }
        }
    }
}

pub async fn queue(
    State(state): State<AppState>,
    officer: Officer,
    Query(q): Query<QueueQuery>,
) -> ConsoleResult {
    let status = match q.status.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(
            serde_json::from_value::<HitStatus>(serde_json::Value::String(s.into())).map_err(
                |_| {
                    ApiError::field(
                        "status",
                        "one of new, confirmed, false_positive, action_taken",
                    )
                },
            )?,
        ),
    };
    // A screener's hits are those its screenings raised; everyone else
    // starts from the hits on the agency's records.
    let side = match q.side.as_deref() {
        Some("screener") => HitSide::Screener,
        Some("owner") => HitSide::Owner,
        _ if officer.role() == vigil_core::Role::Screener => HitSide::Screener,
        _ => HitSide::Owner,
    };
    let ctx = officer.ctx();
    let before = q.before;
    let views = call(&state, move |v| {
        v.latest_hits(&ctx, side, status, before, PAGE)
    })
    .await?;
    let mut owned: Vec<Hit> = Vec::new();
    let mut screened = Vec::new();
    for view in views {
        match view {
            HitView::Owner(h) => owned.push(*h),
            HitView::Screener(v) => screened.push(serde_json::to_value(&*v).unwrap_or_default()),
        }
    }
    let next = owned.last().map(|h| h.seq);
    // Only the unfiltered first page is live: it starts the stream after
    // the newest hit it shows, so none stored since the page was made is
    // missed.
    let live = status.is_none() && before.is_none();
    let newest = owned.iter().map(|h| h.seq).max().unwrap_or(0);
    // New hits first, soonest flights first among them; then the newest.
    owned.sort_by_key(|h| {
        (
            h.status != HitStatus::New,
            flight_time(h).is_none(),
            flight_time(h),
            std::cmp::Reverse(h.seq),
        )
    });
    let status_param = q.status.clone().unwrap_or_default();
    let body = html! {
        form.filters method="get" action="/console/hits" {
            label for="side" { "Hits" }
            select #side name="side" {
                option value="owner" selected[side == HitSide::Owner] { "on our records" }
                option value="screener" selected[side == HitSide::Screener] { "from our screenings" }
            }
            label for="status" { "Status" }
            select #status name="status" {
                option value="" { "any" }
                @for (s, label) in STATUSES {
                    option value=(status_key(s)) selected[status == Some(s)] { (label) }
                }
            }
            button type="submit" { "Show" }
        }
        @if side == HitSide::Owner {
            @if live {
                p.live role="status" aria-live="polite" data-live="hits" { "Live: new hits appear here as they happen." }
            }
            table.queue {
                thead { tr { th { "When" } th { "Traveller" } th { "Flight" } th { "Record" } th { "Screened by" } th { "Score" } th { "Status" } th { "Decision" } } }
                tbody #queue data-csrf=(officer.csrf) data-live=[live.then_some("on")] data-after=(newest) {
                    @for h in &owned { (owner_row(&officer, h)) }
                }
            }
            @if owned.is_empty() { p.empty { "No hits." } }
            @if let Some(next) = next.filter(|_| owned.len() == PAGE) {
                p { a href=(href("/console/hits", &[("side", "owner"), ("status", &status_param), ("before", &next.to_string())])) { "Older hits" } }
            }
        } @else {
            table {
                thead { tr { th { "When" } th { "Traveller" } th { "Owner" } th { "Reference" } th { "Status" } th { "What to do" } } }
                tbody {
                    @for v in &screened {
                        tr {
                            td { a href=(format!("/console/hits/{}", plain(&v["id"]))) { (plain(&v["created_at"])) } }
                            td { (name(&plain(&v["traveller"]["names"][0]))) " " (name(&plain(&v["traveller"]["surname"]))) }
                            td { (plain(&v["owner"])) }
                            td { (plain(&v["reference"])) }
                            td { (plain(&v["status"])) }
                            td { (plain(&v["instruction"])) }
                        }
                    }
                }
            }
            @if screened.is_empty() { p.empty { "No hits." } }
        }
    };
    Ok(page(Some(&officer), "Hit queue", body).into_response())
}

pub async fn detail(
    State(state): State<AppState>,
    officer: Officer,
    Path(id): Path<String>,
) -> ConsoleResult {
    let ctx = officer.ctx();
    let view = call(&state, move |v| v.get_hit(&ctx, &id)).await?;
    let body = match view {
        HitView::Owner(h) => html! {
            dl {
                dt { "Traveller" } dd { (name(&traveller_name(&h.traveller))) }
                @if let Some(d) = &h.traveller.birth_date { dt { "Born" } dd { (d.to_string()) } }
                @if !h.traveller.nationalities.is_empty() {
                    dt { "Nationality" } dd { (h.traveller.nationalities.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(", ")) }
                }
                @for d in &h.traveller.documents { dt { "Document" } dd { (d.number) } }
                dt { "Record" } dd { a href=(format!("/console/records/{}", h.record)) { (h.reference) } }
                dt { "Screened by" } dd { (h.screening_agency) ", purpose: " (h.purpose) }
                @if let Some(f) = &h.context.flight {
                    dt { "Flight" } dd { (plain(&serde_json::to_value(f).unwrap_or_default())) }
                }
                @for (k, v) in &h.context.labels { dt { (k) } dd { (plain(v)) } }
                dt { "When" } dd { (when(&h.created_at)) }
                dt { "Score" } dd { (percent(h.score)) }
                dt { "Status" } dd { (status_label(h.status))
                    @if let Some(n) = &h.decision_note { " — " (n) }
                    @if let (Some(by), Some(at)) = (&h.decided_by, &h.decided_at) { " (" (by) ", " (when(at)) ")" } }
            }
            (explanation(&h.explanation))
            h2 { @if h.status == HitStatus::New { "Decide" } @else { "Change the decision" } }
            (decision_form(&officer, &h.id))
        },
        HitView::Screener(v) => {
            let v = serde_json::to_value(&*v).unwrap_or_default();
            html! {
                dl {
                    dt { "Owner" } dd { (plain(&v["owner"])) }
                    dt { "Reference" } dd { (plain(&v["reference"])) }
                    dt { "Status" } dd { (plain(&v["status"])) }
                    @if !v["instruction"].is_null() { dt { "What to do" } dd.instruction { (plain(&v["instruction"])) } }
                }
            }
        }
    };
    Ok(page(Some(&officer), "Hit", body).into_response())
}

#[derive(Debug, Deserialize)]
pub struct DecisionForm {
    status: String,
    #[serde(default)]
    note: String,
}

pub async fn decide(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Posted(officer, form): Posted<DecisionForm>,
) -> ConsoleResult {
    let status =
        serde_json::from_value::<HitStatus>(serde_json::Value::String(form.status.clone()))
            .map_err(|_| {
                ConsoleError(ApiError::field(
                    "status",
                    "one of confirmed, false_positive, action_taken",
                ))
            })?;
    let decision = Decision {
        status,
        note: Some(form.note.trim().to_string()).filter(|n| !n.is_empty()),
    };
    let ctx = officer.ctx();
    let target = id.clone();
    call(&state, move |v| v.decide_hit(&ctx, &target, decision)).await?;
    Ok(Redirect::to(&format!("/console/hits/{id}")).into_response())
}

/// The queue's live feed: the API's stream, for the session's caller.
#[derive(Debug, Default, Deserialize)]
pub struct StreamQuery {
    /// The newest hit the page shows; a reconnecting browser's
    /// `Last-Event-ID` goes before it.
    after: Option<i64>,
}

pub async fn stream(
    State(state): State<AppState>,
    officer: Officer,
    headers: HeaderMap,
    Query(q): Query<StreamQuery>,
) -> Response {
    let (sessions, session) = (state.sessions.clone(), officer.session.clone());
    let still_open = move || sessions.is_open(&session);
    let last = last_event_id(&headers).or(q.after);
    match hit_events(&state, officer.ctx(), last, still_open).await {
        Ok(sse) => sse.into_response(),
        Err(e) => e.into_response(),
    }
}
