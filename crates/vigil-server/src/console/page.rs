//! The console's page frame and the pieces every screen shares: the layout
//! with role-aware navigation, the CSRF field, field errors, and the one
//! HTML error page (built from [`ApiError`], so the console says exactly
//! what the API would, and leaks no more).
//!
//! Every value reaches the page through maud, which escapes it: a record
//! named `<script>` is shown as text. Names are wrapped with `dir="auto"`
//! so that right-to-left scripts read correctly inside left-to-right pages.

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::{DateTime, Utc};
use maud::{html, Markup, DOCTYPE};
use vigil_core::{FieldError, Role};
use vigil_service::{ServiceError, Vigil};

use super::session::Officer;
use crate::error::ApiError;
use crate::AppState;

/// One entry of the navigation, shown to the roles that can use it.
struct NavItem {
    href: &'static str,
    label: &'static str,
    /// What it is for, on the start page.
    what: &'static str,
    roles: &'static [Role],
}

use Role::{Admin, Analyst, Auditor, Contributor, Operator, Screener};

const NAV: &[NavItem] = &[
    NavItem {
        href: "/console/screen",
        label: "Screen a traveller",
        what: "by name and birth date, or by a passport's MRZ",
        roles: &[Screener, Analyst, Contributor, Admin],
    },
    NavItem {
        href: "/console/flights",
        label: "Flights",
        what: "upload a PAXLST passenger list; hits first",
        roles: &[Screener, Analyst, Contributor, Admin],
    },
    NavItem {
        href: "/console/hits",
        label: "Hit queue",
        what: "hits on your agency's records, live; or those your screenings raised",
        roles: &[Contributor, Analyst, Admin, Auditor, Screener],
    },
    NavItem {
        href: "/console/records",
        label: "Records",
        what: "search, read, edit and retire; the history, and who saw each one",
        roles: &[Contributor, Analyst, Admin, Auditor, Screener],
    },
    NavItem {
        href: "/console/import",
        label: "Import a list",
        what: "UN, OFAC or FtM files, with a report of rejected rows",
        roles: &[Contributor],
    },
    NavItem {
        href: "/console/links",
        label: "Identity links",
        what: "review records that may be one person",
        roles: &[Analyst, Contributor, Admin, Auditor],
    },
    NavItem {
        href: "/console/gaps",
        label: "Gap report",
        what: "what one organisation knows and another lacks",
        roles: &[Analyst, Contributor, Admin, Auditor, Operator],
    },
    NavItem {
        href: "/console/stats",
        label: "Statistics",
        what: "contributions, screenings, hits, links, federation lag",
        roles: &[Analyst, Contributor, Admin, Auditor, Operator, Screener],
    },
    NavItem {
        href: "/console/audit",
        label: "Audit log",
        what: "every read and write, the chain's verification",
        roles: &[Auditor],
    },
    NavItem {
        href: "/console/admin",
        label: "Administration",
        what: "agencies, tokens, webhooks, peers",
        roles: &[Admin, Operator],
    },
];

/// What `role` can do in the console: (link, label, what it is for).
pub fn tasks(role: Role) -> impl Iterator<Item = (&'static str, &'static str, &'static str)> {
    NAV.iter()
        .filter(move |i| i.roles.contains(&role))
        .map(|i| (i.href, i.label, i.what))
}

/// A whole page: the frame, the navigation for `officer`'s role, `body`.
pub fn page(officer: Option<&Officer>, title: &str, body: Markup) -> Html<String> {
    let markup = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · Vigil" }
                link rel="stylesheet" href="/console/assets/console.css";
                script src="/console/assets/console.js" defer {}
            }
            body {
                a.skip href="#main" { "Skip to content" }
                header.top {
                    a.brand href="/console" { "Vigil" }
                    @if let Some(o) = officer {
                        span.who {
                            strong { (o.caller.agency) } " · " (o.role().as_str())
                        }
                        form.purpose method="post" action="/console/purpose" {
                            (csrf_field(o))
                            label for="session-purpose" { "Purpose" }
                            input #session-purpose name="purpose" value=(o.purpose) required maxlength="200";
                            button type="submit" { "Change" }
                        }
                        form method="post" action="/console/sign-out" {
                            (csrf_field(o))
                            button type="submit" { "Sign out" }
                        }
                    }
                }
                @if let Some(o) = officer {
                    nav aria-label="Main" {
                        ul {
                            @for (href, label, _) in tasks(o.role()) {
                                li { a href=(href) { (label) } }
                            }
                        }
                    }
                }
                main #main {
                    h1 { (title) }
                    (body)
                }
            }
        }
    };
    Html(markup.into_string())
}

/// The hidden field every form carries.
pub fn csrf_field(officer: &Officer) -> Markup {
    html! { input type="hidden" name="csrf" value=(officer.csrf); }
}

/// Problems with the fields of a form, each with its field's path.
pub fn field_errors(message: &str, fields: &[FieldError]) -> Markup {
    html! {
        div.error role="alert" {
            p { strong { (message) } }
            @if !fields.is_empty() {
                ul {
                    @for f in fields {
                        li { code { (f.path) } ": " (f.message) }
                    }
                }
            }
        }
    }
}

/// A name in any script, laid out in its own direction.
pub fn name(text: &str) -> Markup {
    html! { bdi dir="auto" { (text) } }
}

/// A time as officers read it.
/// A console link with its query, every value encoded: a filter typed by
/// the officer stays one parameter, whatever it holds.
pub fn href(path: &str, query: &[(&str, &str)]) -> String {
    let query: Vec<(&str, &str)> = query
        .iter()
        .copied()
        .filter(|(_, v)| !v.is_empty())
        .collect();
    match serde_html_form::to_string(&query) {
        Ok(q) if !q.is_empty() => format!("{path}?{q}"),
        _ => path.to_string(),
    }
}

pub fn when(t: &DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M:%S UTC").to_string()
}

/// Pretty JSON, shown as text.
pub fn json_block(value: &serde_json::Value) -> Markup {
    html! { pre.json { (serde_json::to_string_pretty(value).unwrap_or_default()) } }
}

/// A value the console shows as one line of text: strings bare, other JSON
/// compact.
pub fn plain(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// A score as a percentage.
pub fn percent(score: f64) -> String {
    format!("{:.0} %", score * 100.0)
}

/// An SVG bar chart of labelled counts (drawn on the server: no script,
/// and the same numbers as the table beside it).
pub fn bar_chart(title: &str, rows: &[(String, u64)]) -> Markup {
    let max = rows.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1);
    let bar_h = 22;
    let height = rows.len() * bar_h + 10;
    html! {
        figure.chart {
            figcaption { (title) }
            svg role="img" aria-label=(title) width="640" height=(height) viewBox=(format!("0 0 640 {height}")) {
                @for (i, (label, n)) in rows.iter().enumerate() {
                    @let y = i * bar_h + 5;
                    @let w = (*n as f64 / max as f64 * 400.0).round().max(1.0);
                    text x="0" y=(y + 15) font-size="13" { (label) }
                    rect x="180" y=(y) width=(w) height=(bar_h - 6) fill="#2f5d8a" {}
                    text x=(186.0 + w) y=(y + 15) font-size="13" { (n) }
                }
            }
        }
    }
}

/// An error of a console action, as a page.
pub struct ConsoleError(pub ApiError);

impl From<ApiError> for ConsoleError {
    fn from(e: ApiError) -> Self {
        ConsoleError(e)
    }
}

impl From<ServiceError> for ConsoleError {
    fn from(e: ServiceError) -> Self {
        ConsoleError(ApiError::from(e))
    }
}

impl ConsoleError {
    /// What the person is told: the API's message, never internals.
    pub fn message(&self) -> String {
        match &self.0 {
            ApiError::Internal(detail) => {
                tracing::error!(%detail, "internal error in the console");
                "internal error; the incident has been logged".into()
            }
            ApiError::Invalid(_) => "some fields are not valid".into(),
            other => other.to_string(),
        }
    }

    pub fn fields(&self) -> &[FieldError] {
        match &self.0 {
            ApiError::Invalid(f) | ApiError::BadRequest { fields: f, .. } => f,
            _ => &[],
        }
    }

    /// The problems, for a form shown again with what was typed.
    pub fn shown(&self) -> Markup {
        field_errors(&self.message(), self.fields())
    }
}

impl IntoResponse for ConsoleError {
    fn into_response(self) -> Response {
        if matches!(self.0, ApiError::Unauthorized) {
            return Redirect::to("/console/sign-in").into_response();
        }
        let status = self.0.status();
        let body = html! {
            (self.shown())
            p { a href="/console" { "Back to the console" } }
        };
        (status, page(None, status_title(status), body)).into_response()
    }
}

fn status_title(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 | 422 => "Cannot do that",
        403 => "Not allowed",
        404 => "Not found",
        409 => "Conflict",
        413 => "Too large",
        _ => "Something went wrong",
    }
}

/// What a console handler answers.
pub type ConsoleResult<T = Response> = Result<T, ConsoleError>;

/// Runs a service call on the blocking pool, as the API's handlers do.
pub async fn call<T: Send + 'static>(
    state: &AppState,
    f: impl FnOnce(&Vigil) -> vigil_service::Result<T> + Send + 'static,
) -> ConsoleResult<T> {
    crate::routes::blocking(state, f)
        .await
        .map_err(ConsoleError)
}

/// A unit enum's name as serialised (`same_number`), for people.
pub fn verdict<T: serde::Serialize>(value: &T) -> String {
    plain(&serde_json::to_value(value).unwrap_or_default()).replace('_', " ")
}

/// Why a traveller matched, feature by feature, as a person reads it.
pub fn explanation(e: &vigil_core::Explanation) -> Markup {
    html! {
        table.explanation {
            caption { "Why this matched" }
            tbody {
                tr { th scope="row" { "Name" } td { (name(&e.query_name)) " ≈ " (name(&e.matched_name))
                    " (" (verdict(&e.matched_kind)) ", " (percent(e.name_score)) "; about one person in 10^" (format!("{:.1}", e.name.rarity)) " bears it)" } }
                tr { th scope="row" { "Birth date" } td { (verdict(&e.birth_date)) } }
                tr { th scope="row" { "Nationality" } td { (verdict(&e.nationality)) } }
                tr { th scope="row" { "Gender" } td { (verdict(&e.gender)) } }
                tr { th scope="row" { "Document" } td { (verdict(&e.document)) } }
            }
        }
        @if !e.name.parts.is_empty() {
            table.parts {
                caption { "Name parts" }
                thead { tr { th { "Traveller" } th { "Record" } th { "Similarity" } th { "Basis" } } }
                tbody {
                    @for p in &e.name.parts {
                        tr { td { (name(&p.query)) } td { (name(&p.matched)) } td { (percent(p.similarity)) } td { (verdict(&p.basis)) } }
                    }
                    @for q in &e.name.unmatched_query {
                        tr { td { (name(q)) } td { "—" } td { "" } td { "no counterpart" } }
                    }
                    @for m in &e.name.unmatched_matched {
                        tr { td { "—" } td { (name(m)) } td { "" } td { "no counterpart" } }
                    }
                }
            }
        }
        @if !e.adjustments.is_empty() {
            ul.adjustments {
                @for a in &e.adjustments {
                    li { (a.reason) ": " (format!("{:+.2}", a.delta)) }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_keeps_each_value_one_parameter() {
        assert_eq!(href("/console/audit", &[]), "/console/audit");
        assert_eq!(
            href("/console/audit", &[("agency", "FRA"), ("record", "")]),
            "/console/audit?agency=FRA"
        );
        let link = href("/console/audit", &[("since", "x&agency=DEU #1")]);
        assert_eq!(link, "/console/audit?since=x%26agency%3DDEU+%231");
    }
}
