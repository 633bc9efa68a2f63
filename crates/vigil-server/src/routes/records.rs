//! `/v1/records`: create, read, update, retire, list and history.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use vigil_core::{AgencyCode, Category, RecordDraft, RecordId, RecordStatus};
use vigil_store::RecordFilter;

use vigil_service::{Ctx, ServiceError};

use super::blocking;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Authed, JsonBody, PathId, QueryParams};
use crate::AppState;

/// A malformed id cannot name a record: it is "not found", like any other.
fn record_id(raw: &str) -> vigil_service::Result<RecordId> {
    RecordId::parse(raw).ok_or(ServiceError::NotFound("record"))
}

pub async fn create(
    State(state): State<AppState>,
    auth: Authed,
    JsonBody(draft): JsonBody<RecordDraft>,
) -> ApiResult<impl IntoResponse> {
    let ctx = Ctx::from(auth);
    let record = blocking(&state, move |v| v.create_record(&ctx, draft)).await?;
    Ok((StatusCode::CREATED, Json(record)))
}

pub async fn get(
    State(state): State<AppState>,
    auth: Authed,
    PathId(id): PathId,
) -> ApiResult<impl IntoResponse> {
    let ctx = Ctx::from(auth);
    let id = record_id(&id);
    let view = blocking(&state, move |v| match id {
        Ok(id) => v.get_record(&ctx, id),
        Err(e) => Err(e),
    })
    .await?;
    Ok(Json(view))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateQuery {
    /// The version the client last saw; a mismatch is 409.
    expected_version: Option<u32>,
}

pub async fn update(
    State(state): State<AppState>,
    auth: Authed,
    PathId(id): PathId,
    QueryParams(q): QueryParams<UpdateQuery>,
    JsonBody(draft): JsonBody<RecordDraft>,
) -> ApiResult<impl IntoResponse> {
    let ctx = Ctx::from(auth);
    let id = record_id(&id)?;
    let record = blocking(&state, move |v| {
        v.update_record(&ctx, id, draft, q.expected_version)
    })
    .await?;
    Ok(Json(record))
}

pub async fn retire(
    State(state): State<AppState>,
    auth: Authed,
    PathId(id): PathId,
) -> ApiResult<impl IntoResponse> {
    let ctx = Ctx::from(auth);
    let id = record_id(&id)?;
    let record = blocking(&state, move |v| v.retire_record(&ctx, id)).await?;
    Ok(Json(record))
}

pub async fn history(
    State(state): State<AppState>,
    auth: Authed,
    PathId(id): PathId,
) -> ApiResult<impl IntoResponse> {
    let ctx = Ctx::from(auth);
    let id = record_id(&id)?;
    let versions = blocking(&state, move |v| v.record_history(&ctx, id)).await?;
    Ok(Json(serde_json::json!({ "versions": versions })))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    owner: Option<String>,
    status: Option<RecordStatus>,
    category: Option<Category>,
    updated_since: Option<DateTime<Utc>>,
    cursor: Option<String>,
    limit: Option<usize>,
}

pub async fn list(
    State(state): State<AppState>,
    auth: Authed,
    QueryParams(q): QueryParams<ListQuery>,
) -> ApiResult<impl IntoResponse> {
    let ctx = Ctx::from(auth);
    let owner = q
        .owner
        .as_deref()
        .map(AgencyCode::parse)
        .transpose()
        .map_err(|e| ApiError::BadRequest {
            message: "invalid query string".into(),
            fields: vec![vigil_core::FieldError {
                path: "owner".into(),
                message: e.message,
            }],
        })?;
    let cursor = q
        .cursor
        .as_deref()
        .map(|c| {
            RecordId::parse(c).ok_or_else(|| ApiError::BadRequest {
                message: "invalid query string".into(),
                fields: vec![vigil_core::FieldError {
                    path: "cursor".into(),
                    message: "is not a cursor returned by this API".into(),
                }],
            })
        })
        .transpose()?;
    let filter = RecordFilter {
        owner,
        status: q.status,
        category: q.category,
        updated_since: q.updated_since,
    };
    let limit = q.limit.unwrap_or(100);
    let page = blocking(&state, move |v| {
        v.list_records(&ctx, &filter, cursor, limit)
    })
    .await?;
    Ok(Json(page))
}
