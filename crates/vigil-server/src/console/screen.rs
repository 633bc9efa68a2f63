//! The border officer's screens: check one traveller by name and birth
//! date or by a passport's MRZ, and screen a whole flight from its PAXLST
//! passenger list. Every answer says *hit* or *no hit* first; a hit-only
//! record shows its owner, reference and instruction, nothing more.

use std::collections::BTreeMap;

use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{html, Markup};
use serde::Deserialize;
use serde_json::Value;
use vigil_core::{
    CountryCode, Document, DocumentKind, FieldError, HitContext, PartialDate, Traveller,
};
use vigil_service::flights::{traveller_from_mrz, ManifestInput};
use vigil_service::screening::ScreenOptions;
use vigil_service::ServiceError;

use super::forms::{read_upload, Posted};
use super::page::{
    call, csrf_field, explanation, field_errors, name, page, percent, plain, ConsoleResult,
};
use super::session::Officer;
use crate::AppState;

/// What the officer typed, kept to show the form again.
#[derive(Debug, Default, Deserialize)]
pub struct NameForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    birth_date: String,
    #[serde(default)]
    nationality: String,
    #[serde(default)]
    document: String,
    #[serde(default)]
    post: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct MrzForm {
    #[serde(default)]
    mrz: String,
    #[serde(default)]
    post: String,
}

fn forms(officer: &Officer, by_name: &NameForm, mrz: &MrzForm) -> Markup {
    html! {
        div.columns {
            form.card method="post" action="/console/screen" {
                h2 { "By name" }
                (csrf_field(officer))
                label for="name" { "Name (any script, any order)" }
                input #name name="name" value=(by_name.name) dir="auto" autofocus;
                label for="birth_date" { "Birth date (YYYY, YYYY-MM or YYYY-MM-DD)" }
                input #birth_date name="birth_date" value=(by_name.birth_date) inputmode="numeric";
                label for="nationality" { "Nationality (ISO code or country name)" }
                input #nationality name="nationality" value=(by_name.nationality);
                label for="document" { "Passport number" }
                input #document name="document" value=(by_name.document);
                label for="post" { "Border post (kept with any hit)" }
                input #post name="post" value=(by_name.post);
                button type="submit" { "Screen" }
            }
            form.card method="post" action="/console/screen/mrz" {
                h2 { "By MRZ" }
                (csrf_field(officer))
                label for="mrz" { "Machine-readable zone (paste the 2 or 3 lines)" }
                textarea #mrz name="mrz" rows="3" cols="46" spellcheck="false" { (mrz.mrz) }
                label for="mrz-post" { "Border post (kept with any hit)" }
                input #mrz-post name="post" value=(mrz.post);
                button type="submit" { "Screen" }
            }
        }
    }
}

pub async fn form(officer: Officer) -> Response {
    let body = forms(&officer, &NameForm::default(), &MrzForm::default());
    page(Some(&officer), "Screen a traveller", body).into_response()
}

fn context(post: &str) -> HitContext {
    let mut labels = BTreeMap::new();
    if !post.trim().is_empty() {
        labels.insert(
            "border_post".to_string(),
            Value::String(post.trim().to_string()),
        );
    }
    labels.insert("interface".to_string(), Value::String("console".into()));
    HitContext {
        labels,
        ..HitContext::default()
    }
}

/// The traveller the name form describes, or every field at fault.
fn traveller_of(form: &NameForm) -> Result<Traveller, Vec<FieldError>> {
    let mut errors = Vec::new();
    let birth_date = match form.birth_date.trim() {
        "" => None,
        text => PartialDate::parse(text)
            .map_err(|e| {
                errors.push(FieldError {
                    path: "birth_date".into(),
                    message: e.to_string(),
                })
            })
            .ok(),
    };
    let nationalities = match form.nationality.trim() {
        "" => Vec::new(),
        text => match CountryCode::parse(text)
            .ok()
            .or_else(|| CountryCode::from_name(text))
        {
            Some(code) => vec![code],
            None => {
                errors.push(FieldError {
                    path: "nationality".into(),
                    message: format!("{text:?} is not a country code or a country's name"),
                });
                Vec::new()
            }
        },
    };
    let documents = match form.document.trim() {
        "" => Vec::new(),
        number => vec![Document {
            kind: DocumentKind::Passport,
            number: number.to_string(),
            country: None,
            expiry: None,
            only_one: false,
        }],
    };
    let traveller = Traveller {
        names: Some(form.name.trim().to_string())
            .filter(|n| !n.is_empty())
            .into_iter()
            .collect(),
        given_names: None,
        surname: None,
        birth_date,
        nationalities,
        gender: None,
        documents,
    };
    if let Err(e) = traveller.validate("name") {
        errors.push(e);
    }
    if errors.is_empty() {
        Ok(traveller)
    } else {
        Err(errors)
    }
}

async fn screen_one(
    state: &AppState,
    officer: &Officer,
    traveller: Traveller,
    post: &str,
) -> ConsoleResult<(Vec<Value>, usize)> {
    let ctx = officer.ctx();
    let opts = ScreenOptions {
        with_records: true,
        ..ScreenOptions::from_request(None, None)?
    };
    let context = context(post);
    let outcome = call(state, move |v| {
        v.screen(&ctx, &[traveller], opts, context)?
            .pop()
            .ok_or_else(|| ServiceError::Internal("no outcome".into()))
    })
    .await?;
    let results = outcome
        .results
        .iter()
        .filter_map(|r| serde_json::to_value(r).ok())
        .collect();
    Ok((results, outcome.hits))
}

pub async fn by_name(
    State(state): State<AppState>,
    Posted(officer, form): Posted<NameForm>,
) -> ConsoleResult {
    let traveller = match traveller_of(&form) {
        Ok(t) => t,
        Err(fields) => {
            let body = html! {
                (field_errors("The traveller could not be screened", &fields))
                (forms(&officer, &form, &MrzForm::default()))
            };
            return Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                page(Some(&officer), "Screen a traveller", body),
            )
                .into_response());
        }
    };
    let (results, _) = screen_one(&state, &officer, traveller, &form.post).await?;
    let body = html! {
        (verdict(&results))
        (results_list(&results))
        (forms(&officer, &NameForm { ..form }, &MrzForm::default()))
    };
    Ok(page(Some(&officer), "Screen a traveller", body).into_response())
}

pub async fn by_mrz(
    State(state): State<AppState>,
    Posted(officer, form): Posted<MrzForm>,
) -> ConsoleResult {
    let today = chrono::Utc::now().date_naive();
    let parsed = match vigil_formats::mrz::parse(&form.mrz, today) {
        Ok(parsed) => parsed,
        Err(e) => {
            let fields = [FieldError {
                path: format!("mrz.{}", e.field()),
                message: e.to_string(),
            }];
            let body = html! {
                (field_errors("This MRZ cannot be read: nothing was screened", &fields))
                (forms(&officer, &NameForm::default(), &form))
            };
            return Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                page(Some(&officer), "Screen a traveller", body),
            )
                .into_response());
        }
    };
    let traveller = traveller_from_mrz(&parsed);
    let (results, _) = screen_one(&state, &officer, traveller, &form.post).await?;
    let body = html! {
        (verdict(&results))
        section.mrz {
            h2 { "The zone reads" }
            dl {
                dt { "Document" } dd { (parsed.document_type) " " (parsed.document_number) " issued by " (parsed.issuing_state) }
                dt { "Surname" } dd { (parsed.surname) }
                dt { "Given names" } dd { (parsed.given_names) }
                dt { "Nationality" } dd { (parsed.nationality) }
                dt { "Birth date" } dd { (parsed.birth_date.map(|d| d.to_string()).unwrap_or_else(|| "unknown".into())) }
                dt { "Expiry" } dd { (parsed.expiry_date.map(|d| d.to_string()).unwrap_or_else(|| "unknown".into())) }
            }
            @for r in &parsed.repairs {
                p.warning { "Repaired: " (plain(&serde_json::to_value(r).unwrap_or_default())) }
            }
            @for w in &parsed.warnings {
                p.warning { code { (w.field) } ": " (w.message) }
            }
        }
        (results_list(&results))
        (forms(&officer, &NameForm::default(), &MrzForm { ..form }))
    };
    Ok(page(Some(&officer), "Screen a traveller", body).into_response())
}

fn is_hit(result: &Value) -> bool {
    result
        .get("match")
        .and_then(Value::as_bool)
        .unwrap_or(false)
}

/// HIT or NO HIT, before anything else.
fn verdict(results: &[Value]) -> Markup {
    let hits = results.iter().filter(|r| is_hit(r)).count();
    html! {
        @if hits > 0 {
            p.verdict.hit role="status" { "HIT" span { " — " (hits) " record(s) match. Follow each owner's instruction." } }
        } @else {
            p.verdict.nohit role="status" { "NO HIT" span { " — no record you may see matches." } }
        }
    }
}

/// One screening result, at the disclosure the screener has.
fn result_item(r: &Value) -> Markup {
    let owner = plain(&r["owner"]);
    let reference = plain(&r["reference"]);
    let disclosure = plain(&r["disclosure"]);
    let hit = is_hit(r);
    html! {
        li.result.(if hit { "is-hit" } else { "is-near" }) {
            @match disclosure.as_str() {
                "full" => {
                    p { strong { (if hit { "Match" } else { "Below the alert threshold" }) }
                        " · " (percent(r["score"].as_f64().unwrap_or(0.0)))
                        " · record " a href=(format!("/console/records/{}", plain(&r["id"]))) { (reference) } " of " (owner) }
                    @if let Some(names) = r["record"]["names"].as_array() {
                        p { "Names: "
                            @for (i, n) in names.iter().enumerate() {
                                @if i > 0 { ", " }
                                (name(&plain(&n["full"])))
                            }
                        }
                    }
                    @if let Some(dates) = r["record"]["birth_dates"].as_array() {
                        p { "Born: " (dates.iter().map(plain).collect::<Vec<_>>().join(", ")) }
                    }
                    @if let Some(why) = r.get("suppressed_by").filter(|s| !s.is_null()) {
                        p.hint { "The owner judged this traveller a false positive before (" (plain(why)) "): no alert." }
                    }
                    @if let Ok(e) = serde_json::from_value::<vigil_core::Explanation>(r["explanation"].clone()) {
                        details { summary { "Why" } (explanation(&e)) }
                    }
                }
                "hit_only" => {
                    p { strong { "Hit/no-hit record" } " of " (owner) ", reference " (reference) }
                    p.instruction { (plain(&r["instruction"])) }
                }
                _ => {
                    p { strong { "Withdrawn" } " by " (owner) }
                    p.instruction { (plain(&r["instruction"])) }
                }
            }
        }
    }
}

fn results_list(results: &[Value]) -> Markup {
    html! {
        @if !results.is_empty() {
            ol.results {
                @for r in results.iter().filter(|r| is_hit(r)) { (result_item(r)) }
                @for r in results.iter().filter(|r| !is_hit(r)) { (result_item(r)) }
            }
        }
    }
}

fn flight_form(officer: &Officer) -> Markup {
    html! {
        form.card method="post" action="/console/flights" enctype="multipart/form-data" data-upload="true" {
            (csrf_field(officer))
            label for="paxlst" { "PAXLST passenger list (UN/EDIFACT)" }
            input #paxlst type="file" name="paxlst" required;
            progress.upload hidden max="100" value="0" {}
            p.upload-status role="status" {}
            button type="submit" { "Screen the flight" }
        }
    }
}

pub async fn flights_form(officer: Officer) -> Response {
    page(Some(&officer), "Screen a flight", flight_form(&officer)).into_response()
}

pub async fn upload_flight(
    State(state): State<AppState>,
    officer: Officer,
    multipart: Multipart,
) -> ConsoleResult {
    let upload = read_upload(multipart, "paxlst").await?;
    let bytes = upload.file;
    if let Some(refused) = officer.csrf_refusal(&upload.csrf) {
        return Ok(refused);
    }
    let ctx = officer.ctx();
    let opts = ScreenOptions::from_request(None, None)?;
    let (summary, _) = call(&state, move |v| {
        v.screen_manifest(&ctx, ManifestInput::Paxlst(bytes), opts)
    })
    .await?;
    Ok(Redirect::to(&format!("/console/flights/{}", summary.id)).into_response())
}

pub async fn flight(
    State(state): State<AppState>,
    officer: Officer,
    Path(id): Path<String>,
) -> ConsoleResult {
    let ctx = officer.ctx();
    let m = call(&state, move |v| v.get_manifest(&ctx, &id)).await?;
    let summary = &m["summary"];
    let empty = Vec::new();
    let travellers = m["travellers"].as_array().unwrap_or(&empty);
    let results = m["results"].as_array().unwrap_or(&empty);
    let mut order: Vec<usize> = (0..travellers.len()).collect();
    let hits_of = |i: usize| {
        results
            .get(i)
            .and_then(|o| o["results"].as_array())
            .map_or(0, |rs| rs.iter().filter(|r| is_hit(r)).count())
    };
    // Hits first, then the list's own order.
    order.sort_by_key(|&i| (hits_of(i) == 0, i));
    let flight = &summary["flight"];
    let title = match plain(&flight["flight"]).as_str() {
        "" => "Flight".to_string(),
        number => format!("Flight {} {number}", plain(&flight["carrier"])),
    };
    let body = html! {
        p.summary {
            (plain(&flight["departure_airport"])) " → " (plain(&flight["arrival_airport"]))
            @if !flight["departure_time"].is_null() { " · departs " (plain(&flight["departure_time"]).replace('T', " ")) }
            @if !flight["arrival_time"].is_null() { " · arrives " (plain(&flight["arrival_time"]).replace('T', " ")) }
            " · " (plain(&summary["travellers"])) " travellers, " (plain(&summary["screened"])) " screened"
            " · " strong { (plain(&summary["hits"])) " hit(s)" }
        }
        @if let Some(diagnostics) = summary["diagnostics"].as_array().filter(|d| !d.is_empty()) {
            details.diagnostics open {
                summary { (diagnostics.len()) " problem(s) in the list" }
                ul { @for d in diagnostics {
                    li { (plain(&d["severity"])) ": "
                        @if !d["traveller"].is_null() { "traveller " (plain(&d["traveller"])) ": " }
                        (plain(&d["message"])) }
                } }
            }
        }
        table.travellers {
            thead { tr { th { "#" } th { "Traveller" } th { "Born" } th { "Documents" } th { "Result" } } }
            tbody {
                @for i in order {
                    @let t = &travellers[i];
                    @let rs = results.get(i).and_then(|o| o["results"].as_array()).cloned().unwrap_or_default();
                    tr.(if hits_of(i) > 0 { "is-hit" } else { "" }) {
                        td { (i + 1) }
                        td { (name(&format!("{} {}", plain(&t["surname"]), plain(&t["given_names"])))) }
                        td { (plain(&t["birth_date"])) }
                        td { @if let Some(docs) = t["documents"].as_array() { (docs.iter().map(|d| plain(&d["number"])).collect::<Vec<_>>().join(", ")) } }
                        td {
                            @if hits_of(i) > 0 { strong.hit { "HIT" } (results_list(&rs)) } @else { "no hit" }
                        }
                    }
                }
            }
        }
        p { a href="/console/flights" { "Screen another flight" } }
    };
    Ok(page(Some(&officer), &title, body).into_response())
}
