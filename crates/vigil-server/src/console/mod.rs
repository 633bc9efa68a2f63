//! The web console at `/console`: server-rendered HTML for the people who
//! use Vigil (border officers, bureaus, analysts, administrators,
//! auditors). It is one more client of the service layer: every screen
//! calls the same operations as the API, under the same access rules and
//! audit, with the purpose the officer stated at sign-in.
//!
//! - [`session`]: sign-in with a token, the session cookie, CSRF.
//! - [`forms`]: every posted form, its CSRF token checked first.
//! - [`page`]: the frame, navigation by role, errors, shared pieces.
//! - one module per kind of work: [`screen`] (a traveller, an MRZ, a
//!   flight), [`hits`] (the owner's queue, live), [`records`] and
//!   [`record_form`] (a bureau's records), [`import`], [`analysis`] (links,
//!   gaps, statistics), [`admin`], [`audit`]; [`reports`] computes the gap
//!   report off the request.
//!
//! Assets (one stylesheet, one script) are embedded in the binary; the
//! Content-Security-Policy allows nothing else: no inline script, no
//! inline style, nothing from another origin.

pub mod admin;
pub mod analysis;
pub mod audit;
pub mod forms;
pub mod hits;
pub mod import;
pub mod page;
pub mod record_form;
pub mod records;
pub mod reports;
pub mod screen;
pub mod session;

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use maud::html;
use serde::Deserialize;

use crate::AppState;
use forms::{NoFields, Posted};
use page::{csrf_field, page};
use session::{Officer, SignInRefused};

/// What the console allows a page to load and do.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

const STYLESHEET: &str = include_str!("assets/console.css");
const SCRIPT: &str = include_str!("assets/console.js");

/// The console's routes, under `/console`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/sign-in", get(sign_in_form).post(sign_in))
        .route("/sign-out", post(sign_out))
        .route("/purpose", post(change_purpose))
        .route("/assets/console.css", get(stylesheet))
        .route("/assets/console.js", get(script))
        .route("/screen", get(screen::form).post(screen::by_name))
        .route("/screen/mrz", post(screen::by_mrz))
        .route(
            "/flights",
            get(screen::flights_form).post(screen::upload_flight),
        )
        .route("/flights/:id", get(screen::flight))
        .route("/hits", get(hits::queue))
        .route("/hits/stream", get(hits::stream))
        .route("/hits/:id", get(hits::detail))
        .route("/hits/:id/decision", post(hits::decide))
        .route("/records", get(records::list))
        .route("/records/new", get(records::new_form).post(records::create))
        .route("/records/:id", get(records::detail))
        .route(
            "/records/:id/edit",
            get(records::edit_form).post(records::update),
        )
        .route("/records/:id/retire", post(records::retire))
        .route("/records/:id/history", get(records::history))
        .route("/import", get(import::form).post(import::upload))
        .route("/links", get(analysis::links))
        .route("/links/:id", get(analysis::link))
        .route("/links/:id/decision", post(analysis::decide_link))
        .route("/gaps", get(analysis::gaps))
        .route("/gaps.csv", get(analysis::gaps_csv))
        .route("/stats", get(analysis::stats))
        .route("/stats/:table", get(analysis::stats_csv))
        .route("/audit", get(audit::log))
        .route("/admin", get(admin::overview))
        .route("/admin/tokens", post(admin::create_token))
        .route("/admin/tokens/:id/revoke", post(admin::revoke_token))
        .route("/admin/webhooks", post(admin::create_webhook))
        .route("/admin/webhooks/:id/delete", post(admin::delete_webhook))
        .route("/admin/agencies", post(admin::create_agency))
        .route("/admin/peers", post(admin::add_peer))
        .layer(axum::middleware::map_response(secure_headers))
}

/// Headers on every console answer: the CSP, no framing, no sniffing, no
/// referrer, and no caching of pages that hold case data.
async fn secure_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        STYLESHEET,
    )
}

async fn script() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        SCRIPT,
    )
}

/// The start page: what the officer's role can do here.
async fn home(officer: Officer) -> Response {
    page(
        Some(&officer),
        "Vigil console",
        html! {
            p { "Signed in for " strong { (officer.caller.agency) } " as " (officer.role().as_str())
                ". Every action is audited with the purpose shown above." }
            ul.tasks {
                @for (href, label, what) in page::tasks(officer.role()) {
                    li { a href=(href) { (label) } " — " (what) }
                }
            }
        },
    )
    .into_response()
}

#[derive(Deserialize)]
struct SignInForm {
    token: String,
    #[serde(default)]
    purpose: String,
}

fn sign_in_page(problem: Option<&str>, purpose: &str) -> Response {
    let status = if problem.is_some() {
        StatusCode::UNAUTHORIZED
    } else {
        StatusCode::OK
    };
    let body = html! {
        @if let Some(problem) = problem {
            div.error role="alert" { p { (problem) } }
        }
        form.card method="post" action="/console/sign-in" {
            p { "Sign in with the API token your agency's administrator gave you. The browser keeps only a session cookie, never the token." }
            label for="token" { "API token" }
            input #token type="password" name="token" autocomplete="off" required autofocus;
            label for="purpose" { "Purpose of this session" }
            input #purpose name="purpose" value=(purpose) maxlength="200" placeholder="e.g. border check, Terminal 2";
            p.hint { "Stated with every action, as the API's X-Vigil-Purpose header. Leave empty to use the token's default purpose." }
            button type="submit" { "Sign in" }
        }
    };
    (status, page(None, "Sign in", body)).into_response()
}

async fn sign_in_form() -> Response {
    sign_in_page(None, "")
}

/// Whether a form was posted from another site (the browser says so).
fn cross_site(headers: &HeaderMap) -> bool {
    headers
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == "cross-site")
}

async fn sign_in(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<SignInForm>,
) -> Response {
    if cross_site(&headers) {
        return (StatusCode::FORBIDDEN, "sign-in from another site refused").into_response();
    }
    let sessions = state.sessions.clone();
    let vigil = state.vigil.clone();
    let (token, purpose) = (form.token.clone(), form.purpose.clone());
    let opened =
        tokio::task::spawn_blocking(move || sessions.sign_in(&vigil, &token, &purpose)).await;
    match opened {
        Ok(Ok(id)) => (
            [(header::SET_COOKIE, session::cookie(&headers, Some(&id), state.config.secure_cookies))],
            Redirect::to("/console"),
        )
            .into_response(),
        Ok(Err(SignInRefused::Token)) => {
            sign_in_page(Some("token: unknown or revoked"), &form.purpose)
        }
        Ok(Err(SignInRefused::Purpose)) => sign_in_page(
            Some("purpose: state why you are signing in (1-200 characters); this token has no default purpose"),
            &form.purpose,
        ),
        Ok(Err(SignInRefused::Full)) | Err(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            "too many open sessions; try again later",
        )
            .into_response(),
    }
}

async fn sign_out(
    State(state): State<AppState>,
    headers: HeaderMap,
    Posted(officer, NoFields {}): Posted<NoFields>,
) -> Response {
    state.sessions.sign_out(&officer.session);
    (
        [(
            header::SET_COOKIE,
            session::cookie(&headers, None, state.config.secure_cookies),
        )],
        Redirect::to("/console/sign-in"),
    )
        .into_response()
}

#[derive(Deserialize)]
struct PurposeForm {
    purpose: String,
}

async fn change_purpose(
    State(state): State<AppState>,
    Posted(officer, form): Posted<PurposeForm>,
) -> Response {
    if state.sessions.set_purpose(&officer.session, &form.purpose) {
        Redirect::to("/console").into_response()
    } else {
        let body = html! {
            (page::field_errors("purpose: 1-200 characters, stating why", &[]))
            form method="post" action="/console/purpose" {
                (csrf_field(&officer))
                label for="purpose" { "Purpose" }
                input #purpose name="purpose" value=(form.purpose) required maxlength="200";
                button type="submit" { "Change" }
            }
        };
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            page(Some(&officer), "Change the purpose", body),
        )
            .into_response()
    }
}
