//! `/v1/import` (a list file as the caller's agency's records) and
//! `/v1/export` (what the caller may see, as FtM JSON lines).

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::Json;
use serde::Deserialize;
use vigil_core::{AgencyCode, FieldError};
use vigil_service::exchange::ImportFormat;
use vigil_service::Ctx;

use super::blocking;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Authed, QueryParams, RawBody};
use crate::AppState;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportQuery {
    format: String,
}

pub async fn import(
    State(state): State<AppState>,
    auth: Authed,
    QueryParams(q): QueryParams<ImportQuery>,
    RawBody(body): RawBody,
) -> ApiResult<impl IntoResponse> {
    let format: ImportFormat = q.format.parse().map_err(|m: String| ApiError::BadRequest {
        message: m.clone(),
        fields: vec![FieldError {
            path: "format".into(),
            message: m,
        }],
    })?;
    let ctx = Ctx::from(auth);
    let report = blocking(&state, move |v| v.import_file(&ctx, format, &body)).await?;
    Ok(Json(report))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportQuery {
    format: Option<String>,
    owner: Option<AgencyCode>,
}

pub async fn export(
    State(state): State<AppState>,
    auth: Authed,
    QueryParams(q): QueryParams<ExportQuery>,
) -> ApiResult<impl IntoResponse> {
    if q.format.as_deref().is_some_and(|f| f != "ftm") {
        return Err(ApiError::BadRequest {
            message: "only the ftm format is exported".into(),
            fields: vec![FieldError {
                path: "format".into(),
                message: "must be ftm".into(),
            }],
        });
    }
    let ctx = Ctx::from(auth);
    let body = blocking(&state, move |v| {
        let mut out = Vec::new();
        v.export_ftm(&ctx, q.owner.as_ref(), &mut |entity| {
            serde_json::to_writer(&mut out, entity)?;
            out.push(b'\n');
            Ok(())
        })?;
        Ok(out)
    })
    .await?;
    Ok(([(header::CONTENT_TYPE, "application/x-ndjson")], body))
}
