//! Administration: member agencies (the operator's), API tokens (create
//! with the secret shown once, revoke), webhooks, and peer organisations
//! with their sync status (the operator's). Each section is shown to the
//! roles that may use it; the service decides and audits every action.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{html, Markup, PreEscaped};
use serde::Deserialize;
use vigil_core::access::{
    may_create_agencies, may_manage_federation, may_manage_webhooks, token_scope,
};
use vigil_core::{AgencyCode, AgencyKind, Role};
use vigil_store::TokenOptions;

use super::forms::{NoFields, Posted};
use super::page::{call, csrf_field, page, when, ConsoleResult};
use super::session::Officer;
use crate::error::ApiError;
use crate::AppState;

async fn sections(state: &AppState, officer: &Officer, notice: Markup) -> ConsoleResult {
    let ctx = officer.ctx();
    let caller = officer.caller.clone();
    let (agencies, tokens, webhooks, peers) = call(state, move |v| {
        let agencies = if may_create_agencies(&caller) {
            Some(v.agencies(&ctx)?)
        } else {
            None
        };
        let tokens = match token_scope(&caller) {
            Some(scope) => Some(v.tokens(&ctx, scope)?),
            None => None,
        };
        let webhooks = if may_manage_webhooks(&caller) {
            Some(v.webhooks(&ctx)?)
        } else {
            None
        };
        let peers = if may_manage_federation(&caller) {
            Some(v.peer_status(&ctx, None)?)
        } else {
            None
        };
        Ok((agencies, tokens, webhooks, peers))
    })
    .await?;
    let csrf = csrf_field(officer);
    let body = html! {
        (notice)
        @if let Some(agencies) = &agencies {
            section {
                h2 { "Agencies" }
                table { thead { tr { th { "Code" } th { "Name" } th { "Kind" } th { "Since" } } }
                    tbody { @for a in agencies { tr { td { (a.code) } td { (a.name) } td { (a.kind.as_str()) } td { (when(&a.created_at)) } } } } }
                form.inline method="post" action="/console/admin/agencies" {
                    (csrf)
                    label for="agency-code" { "Code" } input #agency-code name="code" required size="10" placeholder="DEU";
                    label for="agency-name" { "Name" } input #agency-name name="name" required placeholder="NCB Wiesbaden";
                    button type="submit" { "Add agency" }
                }
            }
        }
        @if let Some(tokens) = &tokens {
            section {
                h2 { "Tokens" }
                table { thead { tr { th { "Id" } th { "Agency" } th { "Role" } th { "Label" } th { "Created" } th { "" } } }
                    tbody { @for t in tokens { tr {
                        td { code { (t.id) } } td { (t.agency) } td { (t.role.as_str()) } td { (t.label.clone().unwrap_or_default()) } td { (when(&t.created_at)) }
                        td { @if let Some(r) = t.revoked_at { "revoked " (when(&r)) } @else {
                            form method="post" action=(format!("/console/admin/tokens/{}/revoke", t.id)) { (csrf) button.danger type="submit" { "Revoke" } }
                        } }
                    } } } }
                form.inline method="post" action="/console/admin/tokens" {
                    (csrf)
                    label for="token-agency" { "Agency" } input #token-agency name="agency" required size="10" value=(officer.caller.agency);
                    label for="token-role" { "Role" }
                    select #token-role name="role" { @for r in Role::ALL { option value=(r.as_str()) { (r.as_str()) } } }
                    label for="token-label" { "Label" } input #token-label name="label" placeholder="who holds it";
                    label for="token-purpose" { "Default purpose" } input #token-purpose name="default_purpose";
                    button type="submit" { "Create token" }
                }
            }
        }
        @if let Some(webhooks) = &webhooks {
            section {
                h2 { "Webhooks" }
                p.hint { "Every hit on your agency's records is posted to each, signed with HMAC-SHA256." }
                table { thead { tr { th { "Id" } th { "URL" } th { "Created" } th { "" } } }
                    tbody { @for w in webhooks { tr { td { code { (w.id) } } td { (w.url) } td { (when(&w.created_at)) }
                        td { form method="post" action=(format!("/console/admin/webhooks/{}/delete", w.id)) { (csrf) button.danger type="submit" { "Delete" } } } } } } }
                form.inline method="post" action="/console/admin/webhooks" {
                    (csrf)
                    label for="webhook-url" { "URL" } input #webhook-url name="url" type="url" required size="40";
                    button type="submit" { "Add webhook" }
                }
            }
        }
        @if let Some(peers) = &peers {
            section {
                h2 { "Peer organisations" }
                table { thead { tr { th { "Peer" } th { "URL" } th { "Behind by" } th { "Last success" } th { "Last error" } } }
                    tbody { @for p in peers { tr { td { (p.peer) } td { (p.url) } td { (p.lag) }
                        td { (p.last_success.as_ref().map(when).unwrap_or_else(|| "never".into())) } td { (p.last_error.clone().unwrap_or_default()) } } } } }
                form.inline method="post" action="/console/admin/peers" {
                    (csrf)
                    label for="peer-code" { "Code" } input #peer-code name="code" required size="10" placeholder="EUROPOL";
                    label for="peer-url" { "URL" } input #peer-url name="url" type="url" required;
                    label for="peer-key" { "Public key (hex)" } input #peer-key name="key" required size="64";
                    button type="submit" { "Add peer" }
                }
            }
        }
    };
    Ok(page(Some(officer), "Administration", body).into_response())
}

pub async fn overview(State(state): State<AppState>, officer: Officer) -> ConsoleResult {
    // A secret just made, rendered by this module, shown this once.
    let notice = state
        .sessions
        .take_shown_once(&officer.session)
        .map(PreEscaped)
        .unwrap_or_default();
    sections(&state, &officer, html! { (notice) }).await
}

/// Shows `notice` on the next administration page, once, and goes there:
/// reloading that page makes nothing again and shows the secret no more.
fn then_show(state: &AppState, officer: &Officer, notice: Markup) -> Response {
    state
        .sessions
        .show_once(&officer.session, notice.into_string());
    back()
}

#[derive(Debug, Deserialize)]
pub struct TokenForm {
    agency: String,
    role: String,
    #[serde(default)]
    label: String,
    #[serde(default)]
    default_purpose: String,
}

fn some(text: &str) -> Option<String> {
    Some(text.trim().to_string()).filter(|t| !t.is_empty())
}

pub async fn create_token(
    State(state): State<AppState>,
    Posted(officer, form): Posted<TokenForm>,
) -> ConsoleResult {
    let agency = AgencyCode::parse(form.agency.trim())
        .map_err(|e| ApiError::field("agency", e.to_string()))?;
    let role = Role::parse(&form.role).map_err(|e| ApiError::field("role", e.to_string()))?;
    let options = TokenOptions {
        label: some(&form.label),
        default_purpose: some(&form.default_purpose),
    };
    let ctx = officer.ctx();
    let (info, secret) = call(&state, move |v| {
        v.create_token(&ctx, &agency, role, &options)
    })
    .await?;
    let notice = html! {
        div.secret role="alert" {
            p { "Token " code { (info.id) } " for " (info.agency) " (" (info.role.as_str()) "). Its secret is shown this once: hand it over now." }
            p { code.secret-value { (secret) } }
        }
    };
    Ok(then_show(&state, &officer, notice))
}

pub async fn revoke_token(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Posted(officer, NoFields {}): Posted<NoFields>,
) -> ConsoleResult {
    let ctx = officer.ctx();
    call(&state, move |v| v.revoke_token(&ctx, &id)).await?;
    Ok(back())
}

fn back() -> Response {
    Redirect::to("/console/admin").into_response()
}

#[derive(Debug, Deserialize)]
pub struct WebhookForm {
    url: String,
}

pub async fn create_webhook(
    State(state): State<AppState>,
    Posted(officer, form): Posted<WebhookForm>,
) -> ConsoleResult {
    let ctx = officer.ctx();
    let url = form.url.trim().to_string();
    let hook = call(&state, move |v| v.create_webhook(&ctx, &url, None)).await?;
    let notice = html! {
        div.secret role="alert" {
            p { "Webhook " code { (hook.id) } " added. Its signing secret is shown this once:" }
            p { code.secret-value { (hook.secret) } }
        }
    };
    Ok(then_show(&state, &officer, notice))
}

pub async fn delete_webhook(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Posted(officer, NoFields {}): Posted<NoFields>,
) -> ConsoleResult {
    let ctx = officer.ctx();
    call(&state, move |v| v.delete_webhook(&ctx, &id)).await?;
    Ok(back())
}

#[derive(Debug, Deserialize)]
pub struct AgencyForm {
    code: String,
    name: String,
}

pub async fn create_agency(
    State(state): State<AppState>,
    Posted(officer, form): Posted<AgencyForm>,
) -> ConsoleResult {
    let code =
        AgencyCode::parse(form.code.trim()).map_err(|e| ApiError::field("code", e.to_string()))?;
    let ctx = officer.ctx();
    let name = form.name.trim().to_string();
    call(&state, move |v| {
        v.create_agency(&ctx, &code, &name, Some(AgencyKind::guess(&code)))
    })
    .await?;
    Ok(back())
}

#[derive(Debug, Deserialize)]
pub struct PeerForm {
    code: String,
    url: String,
    key: String,
}

pub async fn add_peer(
    State(state): State<AppState>,
    Posted(officer, form): Posted<PeerForm>,
) -> ConsoleResult {
    let ctx = officer.ctx();
    call(&state, move |v| {
        v.add_peer(&ctx, form.code.trim(), form.url.trim(), form.key.trim())
    })
    .await?;
    Ok(back())
}
