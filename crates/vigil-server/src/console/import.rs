//! Importing a list file (UN, OFAC, FtM) as the agency's records, from the
//! console: the upload shows its progress, and the report names every
//! rejected row and why (the rest of the file is imported).

use axum::extract::{Multipart, State};
use axum::response::{IntoResponse, Response};
use maud::html;
use vigil_service::exchange::ImportFormat;

use super::forms::read_upload;
use super::page::{call, csrf_field, page, plain, ConsoleResult};
use super::session::Officer;
use crate::error::ApiError;
use crate::AppState;

fn upload_form(officer: &Officer) -> maud::Markup {
    html! {
        form.card method="post" action="/console/import" enctype="multipart/form-data" data-upload="true" {
            (csrf_field(officer))
            label for="format" { "Format" }
            select #format name="format" {
                option value="un-xml" { "UN Security Council consolidated list (XML)" }
                option value="ofac-xml" { "US OFAC SDN list (XML)" }
                option value="ftm" { "FollowTheMoney entities (JSON lines)" }
            }
            label for="file" { "File" }
            input #file type="file" name="file" required;
            progress.upload hidden max="100" value="0" {}
            p.upload-status role="status" {}
            p.hint { "A list edition replaces the previous one: records missing from it are retired. Rows that cannot be read are reported; the rest is imported." }
            button type="submit" { "Import" }
        }
    }
}

pub async fn form(officer: Officer) -> Response {
    page(Some(&officer), "Import a list", upload_form(&officer)).into_response()
}

pub async fn upload(
    State(state): State<AppState>,
    officer: Officer,
    multipart: Multipart,
) -> ConsoleResult {
    let upload = read_upload(multipart, "file").await?;
    if let Some(refused) = officer.csrf_refusal(&upload.csrf) {
        return Ok(refused);
    }
    let format: ImportFormat = upload
        .fields
        .get("format")
        .map(String::as_str)
        .unwrap_or_default()
        .parse()
        .map_err(|m: String| ApiError::field("format", m))?;
    let ctx = officer.ctx();
    let bytes = upload.file;
    let report = call(&state, move |v| v.import_file(&ctx, format, &bytes)).await?;
    let body = html! {
        p.summary role="status" {
            (upload.file_name.unwrap_or_default()) ": "
            strong { (report.added) } " added, " (report.changed) " changed, " (report.unchanged) " unchanged, "
            (report.retired) " retired, " strong { (report.rejected) } " rejected, " (report.repaired) " repaired."
        }
        @if !report.skipped.is_empty() {
            p { "Skipped: " @for (why, n) in &report.skipped { (why) " " (n) "; " } }
        }
        @if !report.diagnostics.is_empty() {
            table.diagnostics {
                caption { "Rows with problems" }
                thead { tr { th { "Where" } th { "Reference" } th { "Kind" } th { "Problem" } } }
                tbody {
                    @for d in &report.diagnostics {
                        tr { td { (d.position.to_string()) } td { (d.reference.clone().unwrap_or_default()) }
                             td { (plain(&serde_json::to_value(&d.kind).unwrap_or_default())) } td { (d.message) } }
                    }
                }
            }
        }
        p { a href="/console/records" { "See the records" } " · " a href="/console/import" { "Import another file" } }
    };
    Ok(page(Some(&officer), "Import report", body).into_response())
}
