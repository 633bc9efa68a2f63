//! The analyst's screens: identity-link review (two records side by side,
//! the facts that differ marked, the colour decided with a note), the gap
//! report between two organisations or agencies with its lists, and the
//! statistics dashboard. Every chart stands beside its number table, and
//! every table downloads as CSV.

use std::collections::BTreeMap;

use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{html, Markup};
use serde::Deserialize;
use serde_json::Value;
use vigil_core::{LinkState, RecordView};
use vigil_service::stats::Stats;
use vigil_store::LinkFilter;

use super::forms::Posted;
use super::page::{
    bar_chart, call, csrf_field, href, name, page, percent, plain, when, ConsoleError,
    ConsoleResult,
};
use super::reports::{gap, Gap};
use super::session::Officer;
use crate::error::ApiError;
use crate::AppState;

const STATES: [(LinkState, &str); 4] = [
    (LinkState::Yellow, "yellow — to review"),
    (LinkState::White, "white — not the same person"),
    (LinkState::Green, "green — the same person"),
    (LinkState::Red, "red — the same person, identity fraud"),
];

fn state_key(s: LinkState) -> String {
    plain(&serde_json::to_value(s).unwrap_or_default())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LinksQuery {
    state: String,
    after: Option<i64>,
}

pub async fn links(
    State(state): State<AppState>,
    officer: Officer,
    Query(q): Query<LinksQuery>,
) -> ConsoleResult {
    let wanted = match q.state.as_str() {
        "" => None,
        s => Some(
            serde_json::from_value::<LinkState>(Value::String(s.into()))
                .map_err(|_| ApiError::field("state", "one of yellow, white, green, red"))?,
        ),
    };
    let ctx = officer.ctx();
    let filter = LinkFilter {
        state: wanted,
        record: None,
        responsible: None,
        after: q.after,
        limit: 0,
    };
    let page_of = call(&state, move |v| v.list_links(&ctx, filter, 50)).await?;
    let body = html! {
        form.filters method="get" action="/console/links" {
            label for="state" { "Colour" }
            select #state name="state" {
                option value="" { "any" }
                @for (s, label) in STATES { option value=(state_key(s)) selected[wanted == Some(s)] { (label) } }
            }
            button type="submit" { "Show" }
        }
        table.links {
            thead { tr { th { "Link" } th { "Colour" } th { "Owners" } th { "Score" } th { "Responsible" } th { "Updated" } } }
            tbody {
                @for l in &page_of.items {
                    tr.(format!("link-{}", state_key(l.state))) {
                        td { a href=(format!("/console/links/{}", l.id)) { "#" (l.id) } }
                        td { (state_key(l.state)) @if l.decided { " (decided)" } }
                        td { (l.owners[0]) " · " (l.owners[1]) }
                        td { (percent(l.score)) }
                        td { (l.responsible) }
                        td { (when(&l.updated_at)) }
                    }
                }
            }
        }
        @if page_of.items.is_empty() { p.empty { "No links." } }
        @if let Some(next) = &page_of.next_cursor {
            p { a href=(href("/console/links", &[("state", &q.state), ("after", &next.to_string())])) { "Next page" } }
        }
    };
    Ok(page(Some(&officer), "Identity links", body).into_response())
}

/// The facts of a record the side-by-side view compares, as text.
fn facts(view: &RecordView) -> BTreeMap<&'static str, String> {
    let mut out = BTreeMap::new();
    match view {
        RecordView::Full(r) => {
            let d = &r.draft;
            out.insert("1 owner", r.owner.to_string());
            out.insert("2 reference", d.reference.clone());
            out.insert(
                "3 names",
                d.names
                    .iter()
                    .map(|n| n.full.clone())
                    .collect::<Vec<_>>()
                    .join("; "),
            );
            out.insert(
                "4 born",
                d.birth_dates
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", "),
            );
            out.insert(
                "5 nationalities",
                d.nationalities
                    .iter()
                    .map(|c| c.as_str().to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
            );
            out.insert(
                "6 documents",
                d.documents
                    .iter()
                    .map(|x| x.number.clone())
                    .collect::<Vec<_>>()
                    .join(", "),
            );
            out.insert(
                "7 gender",
                d.gender
                    .map(|g| plain(&serde_json::to_value(g).unwrap_or_default()))
                    .unwrap_or_default(),
            );
        }
        RecordView::HitOnly(v) => {
            out.insert("1 owner", v.owner.to_string());
            out.insert("2 reference", v.reference.clone());
            out.insert("8 disclosure", "hit/no-hit only: contact the owner".into());
        }
    }
    out
}

pub async fn link(
    State(state): State<AppState>,
    officer: Officer,
    Path(id): Path<String>,
) -> ConsoleResult {
    let id: i64 = id
        .parse()
        .map_err(|_| ConsoleError(ApiError::NotFound("link")))?;
    let ctx = officer.ctx();
    let detail = call(&state, move |v| v.get_link(&ctx, id)).await?;
    let sides: Vec<BTreeMap<&str, String>> = detail.records.iter().map(facts).collect();
    let keys: Vec<&str> = sides
        .iter()
        .flat_map(|s| s.keys().copied())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let l = &detail.link;
    let body = html! {
        p { "Colour " strong { (state_key(l.state)) } ", score " (percent(l.score)) ", responsible " (l.responsible)
            @if let Some(c) = l.cluster { ", cluster " (c) } }
        table.side-by-side {
            thead { tr { th { "" } @for r in &l.records { th { a href=(format!("/console/records/{r}")) { (r.to_string()) } } } } }
            tbody {
                @for k in &keys {
                    @let values: Vec<String> = sides.iter().map(|s| s.get(k).cloned().unwrap_or_default()).collect();
                    @let differ = values.windows(2).any(|w| w[0] != w[1]) && !k.starts_with('1') && !k.starts_with('2');
                    tr.(if differ { "differs" } else { "" }) {
                        th scope="row" { (k[2..].to_string()) @if differ { " ≠" } }
                        @for v in &values { td { (name(v)) } }
                    }
                }
            }
        }
        @if !detail.judgements.is_empty() {
            h2 { "Judgements" }
            ul { @for j in &detail.judgements { li { (plain(&serde_json::to_value(j).unwrap_or_default())) } } }
        }
        h2 { "Decide" }
        form method="post" action=(format!("/console/links/{}/decision", l.id)) {
            (csrf_field(&officer))
            label for="state" { "Colour" }
            select #state name="state" {
                @for (s, label) in STATES.iter().skip(1) { option value=(state_key(*s)) { (label) } }
            }
            label for="note" { "Why (required)" }
            input #note name="note" required maxlength="2000";
            button type="submit" { "Decide" }
        }
    };
    Ok(page(Some(&officer), &format!("Link #{id}"), body).into_response())
}

#[derive(Debug, Deserialize)]
pub struct LinkDecisionForm {
    state: String,
    #[serde(default)]
    note: String,
}

pub async fn decide_link(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Posted(officer, form): Posted<LinkDecisionForm>,
) -> ConsoleResult {
    let id: i64 = id
        .parse()
        .map_err(|_| ConsoleError(ApiError::NotFound("link")))?;
    let colour = serde_json::from_value::<LinkState>(Value::String(form.state.clone()))
        .map_err(|_| ApiError::field("state", "one of white, green, red"))?;
    let ctx = officer.ctx();
    let note = form.note;
    call(&state, move |v| v.decide_link(&ctx, id, colour, &note)).await?;
    Ok(Redirect::to(&format!("/console/links/{id}")).into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct GapQuery {
    a: String,
    b: String,
    list: String,
    /// Any value: compute the report anew rather than show the kept one.
    again: String,
}

/// Rows of a drill-down list shown on the page; the CSV holds them all.
const LIST_ROWS: usize = 200;

/// The page while the comparison runs: it asks again every two seconds.
fn computing(officer: &Officer, form: Markup, since: &chrono::DateTime<chrono::Utc>) -> Response {
    let body = html! {
        (form)
        p.computing role="status" aria-live="polite" {
            "Comparing every record of both sides (started " (when(since)) "). This page shows the report as soon as it is ready."
        }
    };
    (
        [(header::REFRESH, "2")],
        page(Some(officer), "Gap report", body),
    )
        .into_response()
}

pub async fn gaps(
    State(state): State<AppState>,
    officer: Officer,
    Query(q): Query<GapQuery>,
) -> ConsoleResult {
    let form = html! {
        form.filters method="get" action="/console/gaps" {
            label for="a" { "Side A" } input #a name="a" value=(q.a) placeholder="INTERPOL" required;
            label for="b" { "Side B" } input #b name="b" value=(q.b) placeholder="EUROPOL" required;
            button type="submit" { "Compare" }
        }
        p.hint { "A side is this organisation, a peer organisation, or one agency. Counts are of persons (linked records count once)." }
    };
    if q.a.trim().is_empty() || q.b.trim().is_empty() {
        return Ok(page(Some(&officer), "Gap report", form).into_response());
    }
    let (report, at, kept) = match gap(&state, &officer, &q.a, &q.b, !q.again.is_empty()).await? {
        Gap::Ready { report, at, kept } => (report, at, kept),
        Gap::Computing { since } => return Ok(computing(&officer, form, &since)),
    };
    let counts = [
        (
            format!("only in {}", report.a),
            report.only_in_a as u64,
            "only_in_a",
        ),
        (
            format!("only in {}", report.b),
            report.only_in_b as u64,
            "only_in_b",
        ),
        ("in both".to_string(), report.in_both as u64, "in_both"),
        (
            "in both, facts differ".to_string(),
            report.differing as u64,
            "differing",
        ),
    ];
    let lists = &report.lists;
    let list = match q.list.as_str() {
        "only_in_a" => Some(("only_in_a", &lists.only_in_a)),
        "only_in_b" => Some(("only_in_b", &lists.only_in_b)),
        "in_both" => Some(("in_both", &lists.in_both)),
        "differing" => Some(("differing", &lists.differing)),
        _ => None,
    };
    if kept {
        let shown: Vec<_> = list
            .map(|(_, persons)| persons.iter().take(LIST_ROWS).cloned().collect())
            .unwrap_or_default();
        let (ctx, seen) = (officer.ctx(), report.clone());
        call(&state, move |v| {
            v.gap_report_viewed(&ctx, &seen, &at, &shown.iter().collect::<Vec<_>>())
        })
        .await?;
    }
    let body = html! {
        (form)
        (bar_chart("Persons", &counts.iter().map(|(l, n, _)| (l.clone(), *n)).collect::<Vec<_>>()))
        table.numbers {
            thead { tr { th { "" } th { "Persons" } th { "" } } }
            tbody { @for (label, n, key) in &counts {
                tr { th scope="row" { (label) } td { (n) } td { a href=(href("/console/gaps", &[("a", &q.a), ("b", &q.b), ("list", key)])) { "list" } } }
            } }
        }
        h2 { "By country" }
        table.numbers {
            thead { tr { th { "Country" } th { "Only in A" } th { "Only in B" } th { "In both" } th { "Differing" } } }
            tbody { @for (country, c) in &report.by_country {
                tr { th scope="row" { (country) } td { (c.only_in_a) } td { (c.only_in_b) } td { (c.in_both) } td { (c.differing) } }
            } }
        }
        @if !report.differing_by_fact.is_empty() {
            h2 { "What differs" }
            table.numbers { tbody { @for (fact, n) in &report.differing_by_fact {
                tr { th scope="row" { (plain(&serde_json::to_value(fact).unwrap_or_default())) } td { (n) } }
            } } }
        }
        p {
            a href=(href("/console/gaps.csv", &[("a", &q.a), ("b", &q.b)])) { "Download as CSV" }
            " · computed " (when(&at)) " · "
            a href=(href("/console/gaps", &[("a", &q.a), ("b", &q.b), ("again", "1")])) { "compute again" }
        }
        @if let Some((key, persons)) = list {
            h2 { (key.replace('_', " ")) }
            @if persons.len() > LIST_ROWS {
                p.hint { "The first " (LIST_ROWS) " of " (persons.len()) "; the CSV holds them all." }
            }
            table {
                thead { tr { th { "A" } th { "B" } th { "Country" } th { "Category" } th { "Differs in" } } }
                tbody { @for p in persons.iter().take(LIST_ROWS) {
                    tr {
                        td { @for r in &p.a { a href=(format!("/console/records/{}", r.id)) { (r.owner) " " (r.reference) } " " } }
                        td { @for r in &p.b { a href=(format!("/console/records/{}", r.id)) { (r.owner) " " (r.reference) } " " } }
                        td { (p.country) }
                        td { (p.category) }
                        td { (p.differs.iter().map(|f| plain(&serde_json::to_value(f).unwrap_or_default())).collect::<Vec<_>>().join(", ")) }
                    }
                } }
            }
        }
    };
    Ok(page(Some(&officer), "Gap report", body).into_response())
}

pub async fn gaps_csv(
    State(state): State<AppState>,
    officer: Officer,
    Query(q): Query<GapQuery>,
) -> ConsoleResult {
    // A download waits for the report, however long it takes.
    let report = loop {
        match gap(&state, &officer, &q.a, &q.b, false).await? {
            Gap::Ready { report, at, kept } => {
                if kept {
                    let (ctx, seen) = (officer.ctx(), report.clone());
                    call(&state, move |v| {
                        let lists = &seen.lists;
                        let every: Vec<_> = lists
                            .only_in_a
                            .iter()
                            .chain(&lists.only_in_b)
                            .chain(&lists.in_both)
                            .collect();
                        v.gap_report_viewed(&ctx, &seen, &at, &every)
                    })
                    .await?;
                }
                break report;
            }
            Gap::Computing { .. } => {
                tokio::time::sleep(std::time::Duration::from_millis(500)).await
            }
        }
    };
    Ok(csv_download("gaps.csv", report.to_csv()))
}

fn csv_download(file: &str, body: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file}\""),
            ),
        ],
        body,
    )
        .into_response()
}

fn cell(v: &Value) -> String {
    if v.is_null() {
        "withheld".into()
    } else {
        plain(v)
    }
}

/// The dashboard's tables: a name, its column headings, its rows.
type Table = (&'static str, Vec<String>, Vec<Vec<String>>);

fn tables(stats: &Stats) -> Vec<Table> {
    let v = serde_json::to_value(stats).unwrap_or_default();
    let mut out = Vec::new();
    let records: Vec<Vec<String>> = v["records"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(who, f)| vec![who.clone(), cell(&f["active"]), cell(&f["retired"])])
        .collect();
    out.push((
        "contributions",
        vec![
            "Agency or country".into(),
            "Active records".into(),
            "Retired".into(),
        ],
        records,
    ));
    let mut activity = Vec::new();
    for (day, subjects) in v["activity"].as_object().into_iter().flatten() {
        for (who, f) in subjects.as_object().into_iter().flatten() {
            activity.push(vec![
                day.clone(),
                who.clone(),
                cell(&f["screenings"]),
                cell(&f["travellers"]),
                cell(&f["hits_received"]),
                cell(&f["hits_made"]),
            ]);
        }
    }
    out.push((
        "activity",
        [
            "Day",
            "Agency or country",
            "Screenings",
            "Travellers",
            "Hits received",
            "Hits made",
        ]
        .map(String::from)
        .to_vec(),
        activity,
    ));
    let outcomes = v["hit_outcomes"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(k, n)| vec![k.clone(), cell(n)])
        .collect();
    out.push((
        "hit-outcomes",
        vec!["Outcome".into(), "Hits".into()],
        outcomes,
    ));
    let links = v["links"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(k, n)| vec![k.clone(), cell(n)])
        .collect();
    out.push(("links", vec!["Colour".into(), "Links".into()], links));
    let lag = stats
        .federation
        .iter()
        .map(|p| {
            vec![
                p.peer.to_string(),
                p.lag.to_string(),
                p.last_success.as_ref().map(when).unwrap_or_default(),
            ]
        })
        .collect();
    out.push((
        "federation",
        vec![
            "Peer".into(),
            "Operations behind".into(),
            "Last success".into(),
        ],
        lag,
    ));
    out
}

fn chart_rows(rows: &[Vec<String>], label: usize, value: usize) -> Vec<(String, u64)> {
    rows.iter()
        .filter_map(|r| Some((r.get(label)?.clone(), r.get(value)?.parse().ok()?)))
        .collect()
}

pub async fn stats(State(state): State<AppState>, officer: Officer) -> ConsoleResult {
    let ctx = officer.ctx();
    let stats = call(&state, move |v| v.stats(&ctx)).await?;
    let all = tables(&stats);
    let body = html! {
        p.hint { "Generated " (when(&stats.generated_at)) ". Other agencies' figures are added up per country; a count under "
            (stats.min_cell_size) " is withheld, since a small number about others singles out a case." }
        @for (key, heads, rows) in &all {
            section.stat {
                h2 { (title_of(key)) }
                @match *key {
                    "contributions" => (bar_chart("Active records", &chart_rows(rows, 0, 1))),
                    "hit-outcomes" => (bar_chart("Hits by outcome", &chart_rows(rows, 0, 1))),
                    "links" => (bar_chart("Links by colour", &chart_rows(rows, 0, 1))),
                    "activity" => (activity_chart(rows)),
                    _ => {}
                }
                (table(heads, rows))
                p { a href=(format!("/console/stats/{key}.csv")) { "Download as CSV" } }
            }
        }
    };
    Ok(page(Some(&officer), "Statistics", body).into_response())
}

/// A dashboard table's heading.
fn title_of(key: &str) -> &'static str {
    match key {
        "contributions" => "Contributions per agency or country",
        "activity" => "Screenings and hits over time",
        "hit-outcomes" => "Hit outcomes",
        "links" => "Identity links by colour",
        "federation" => "Federation lag",
        _ => "Figures",
    }
}

/// Screenings and hits per day, added up over the subjects shown.
fn activity_chart(rows: &[Vec<String>]) -> Markup {
    let mut per_day: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    for r in rows {
        let e = per_day.entry(r[0].clone()).or_default();
        e.0 += r[2].parse::<u64>().unwrap_or(0);
        e.1 += r[4].parse::<u64>().unwrap_or(0);
    }
    let screenings: Vec<(String, u64)> =
        per_day.iter().map(|(d, (s, _))| (d.clone(), *s)).collect();
    let hits: Vec<(String, u64)> = per_day.iter().map(|(d, (_, h))| (d.clone(), *h)).collect();
    html! { (bar_chart("Screenings per day", &screenings)) (bar_chart("Hits received per day", &hits)) }
}

fn table(heads: &[String], rows: &[Vec<String>]) -> Markup {
    html! {
        table.numbers {
            thead { tr { @for h in heads { th scope="col" { (h) } } } }
            tbody { @for r in rows { tr { @for c in r { td { (c) } } } } }
        }
        @if rows.is_empty() { p.empty { "Nothing to count yet." } }
    }
}

pub async fn stats_csv(
    State(state): State<AppState>,
    officer: Officer,
    Path(file): Path<String>,
) -> ConsoleResult {
    let key = file.strip_suffix(".csv").unwrap_or(&file).to_string();
    let ctx = officer.ctx();
    let stats = call(&state, move |v| v.stats(&ctx)).await?;
    let (_, heads, rows) = tables(&stats)
        .into_iter()
        .find(|t| t.0 == key)
        .ok_or(ConsoleError(ApiError::NotFound("table")))?;
    let mut out = csv_line(&heads);
    for r in &rows {
        out.push_str(&csv_line(r));
    }
    Ok(csv_download(&format!("{key}.csv"), out))
}

fn csv_line(fields: &[String]) -> String {
    fields
        .iter()
        .map(|f| {
            // A leading formula character is neutralised: spreadsheets run it.
            let f = if f.starts_with(['=', '+', '-', '@']) {
                format!("'{f}")
            } else {
                f.clone()
            };
            if f.contains([',', '"', '\n']) {
                format!("\"{}\"", f.replace('"', "\"\""))
            } else {
                f
            }
        })
        .collect::<Vec<_>>()
        .join(",")
        + "\n"
}
