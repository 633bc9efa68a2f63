//! `/v1/manifests`: a whole flight (a PAXLST message, or travellers as
//! JSON) screened in one call and stored with its results.

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use serde::Deserialize;
use vigil_core::Traveller;
use vigil_service::flights::ManifestInput;
use vigil_service::screening::ScreenOptions;
use vigil_service::Ctx;

use super::blocking;
use crate::error::ApiResult;
use crate::extract::{parse_json, Authed, PathId, QueryParams, RawBody};
use crate::AppState;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManifestQuery {
    limit: Option<usize>,
    threshold: Option<f64>,
}

/// The JSON form of a flight.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Travellers {
    pub travellers: Vec<Traveller>,
}

/// A flight: PAXLST text, or `{"travellers": [...]}` as JSON.
pub async fn create(
    State(state): State<AppState>,
    auth: Authed,
    headers: HeaderMap,
    QueryParams(q): QueryParams<ManifestQuery>,
    RawBody(body): RawBody,
) -> ApiResult<impl IntoResponse> {
    let ctx = Ctx::from(auth);
    let opts = ScreenOptions::from_request(q.limit, q.threshold)?;
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    let input = if is_json {
        ManifestInput::Travellers(parse_json::<Travellers>(&body)?.travellers)
    } else {
        ManifestInput::Paxlst(body.to_vec())
    };
    let (summary, _) = blocking(&state, move |v| v.screen_manifest(&ctx, input, opts)).await?;
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, summary.link.clone())],
        Json(summary),
    ))
}

pub async fn get(
    State(state): State<AppState>,
    auth: Authed,
    PathId(id): PathId,
) -> ApiResult<impl IntoResponse> {
    let ctx = Ctx::from(auth);
    Ok(Json(
        blocking(&state, move |v| v.get_manifest(&ctx, &id)).await?,
    ))
}
