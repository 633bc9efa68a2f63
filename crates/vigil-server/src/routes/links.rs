//! `/v1/links`, `/v1/clusters`, `/v1/gaps` and `/v1/stats`: identity links
//! and their review, the gap report and statistics. What a caller sees of
//! each is decided by the service; these handlers only shape HTTP.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use vigil_core::{AgencyCode, LinkState, RecordId};
use vigil_service::{Ctx, ServiceError};
use vigil_store::LinkFilter;

use super::blocking;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Authed, JsonBody, PathId, QueryParams};
use crate::AppState;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinkQuery {
    state: Option<LinkState>,
    responsible: Option<AgencyCode>,
    record: Option<RecordId>,
    after: Option<i64>,
    limit: Option<usize>,
}

/// A numeric id; anything else is an id that names nothing.
fn numeric(id: &str, what: &'static str) -> ApiResult<i64> {
    id.parse()
        .map_err(|_| ApiError::from(ServiceError::NotFound(what)))
}

pub async fn list(
    State(state): State<AppState>,
    auth: Authed,
    QueryParams(q): QueryParams<LinkQuery>,
) -> ApiResult<impl IntoResponse> {
    let ctx = Ctx::from(auth);
    let filter = LinkFilter {
        state: q.state,
        record: q.record,
        responsible: q.responsible,
        after: q.after,
        limit: 0,
    };
    let limit = q.limit.unwrap_or(100);
    Ok(Json(
        blocking(&state, move |v| v.list_links(&ctx, filter, limit)).await?,
    ))
}

pub async fn get(
    State(state): State<AppState>,
    auth: Authed,
    PathId(id): PathId,
) -> ApiResult<impl IntoResponse> {
    let id = numeric(&id, "link")?;
    let ctx = Ctx::from(auth);
    Ok(Json(blocking(&state, move |v| v.get_link(&ctx, id)).await?))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinkDecision {
    state: LinkState,
    note: String,
}

pub async fn decide(
    State(state): State<AppState>,
    auth: Authed,
    PathId(id): PathId,
    JsonBody(decision): JsonBody<LinkDecision>,
) -> ApiResult<impl IntoResponse> {
    let id = numeric(&id, "link")?;
    let ctx = Ctx::from(auth);
    Ok(Json(
        blocking(&state, move |v| {
            v.decide_link(&ctx, id, decision.state, &decision.note)
        })
        .await?,
    ))
}

pub async fn cluster(
    State(state): State<AppState>,
    auth: Authed,
    PathId(id): PathId,
) -> ApiResult<impl IntoResponse> {
    let id = numeric(&id, "cluster")?;
    let ctx = Ctx::from(auth);
    Ok(Json(
        blocking(&state, move |v| v.get_cluster(&ctx, id)).await?,
    ))
}

#[derive(Debug, Deserialize, Default, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum GapFormat {
    #[default]
    Json,
    Csv,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GapQuery {
    a: String,
    b: String,
    #[serde(default)]
    format: GapFormat,
}

pub async fn gaps(
    State(state): State<AppState>,
    auth: Authed,
    QueryParams(q): QueryParams<GapQuery>,
) -> ApiResult<Response> {
    let ctx = Ctx::from(auth);
    let format = q.format;
    let report = blocking(&state, move |v| {
        let (a, b) = (v.gap_side(&q.a, "a")?, v.gap_side(&q.b, "b")?);
        v.gap_report(&ctx, &a, &b)
    })
    .await?;
    Ok(match format {
        GapFormat::Json => Json(report).into_response(),
        GapFormat::Csv => (
            [(header::CONTENT_TYPE, "text/csv; charset=utf-8")],
            report.to_csv(),
        )
            .into_response(),
    })
}

pub async fn stats(State(state): State<AppState>, auth: Authed) -> ApiResult<impl IntoResponse> {
    let ctx = Ctx::from(auth);
    Ok(Json(blocking(&state, move |v| v.stats(&ctx)).await?))
}
