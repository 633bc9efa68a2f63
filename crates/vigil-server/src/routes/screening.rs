//! `/v1/screen` (one traveller) and `/v1/screen/mrz` (a passport's holder).

use std::collections::BTreeMap;

use axum::extract::State;
use axum::response::IntoResponse;
use axum::Json;
use serde::Deserialize;
use vigil_core::{HitContext, Traveller};
use vigil_service::flights::traveller_from_mrz;
use vigil_service::screening::ScreenOptions;
use vigil_service::{Ctx, ServiceError};

use super::blocking;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Authed, JsonBody};
use crate::AppState;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScreenRequest {
    traveller: Traveller,
    #[serde(default)]
    limit: Option<usize>,
    #[serde(default)]
    threshold: Option<f64>,
    /// Where and why, in the screener's words: border post, officer, ...
    /// (stored with any hit).
    #[serde(default)]
    context: BTreeMap<String, serde_json::Value>,
}

pub async fn screen(
    State(state): State<AppState>,
    auth: Authed,
    JsonBody(req): JsonBody<ScreenRequest>,
) -> ApiResult<impl IntoResponse> {
    let ctx = Ctx::from(auth);
    req.traveller.validate("traveller")?;
    let opts = ScreenOptions {
        with_records: true,
        ..ScreenOptions::from_request(req.limit, req.threshold)?
    };
    let context = HitContext::labelled(req.context, "context")?;
    let outcome = blocking(&state, move |v| {
        v.screen(&ctx, &[req.traveller], opts, context)?
            .pop()
            .ok_or_else(|| ServiceError::Internal("no outcome".into()))
    })
    .await?;
    Ok(Json(
        serde_json::json!({"results": outcome.results, "hits": outcome.hits, "threshold": opts.threshold}),
    ))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MrzRequest {
    /// The MRZ lines, separated by newlines.
    mrz: String,
    #[serde(default)]
    limit: Option<usize>,
    #[serde(default)]
    threshold: Option<f64>,
    #[serde(default)]
    context: BTreeMap<String, serde_json::Value>,
}

pub async fn screen_mrz(
    State(state): State<AppState>,
    auth: Authed,
    JsonBody(req): JsonBody<MrzRequest>,
) -> ApiResult<impl IntoResponse> {
    let ctx = Ctx::from(auth);
    let today = chrono::Utc::now().date_naive();
    let parsed = vigil_formats::mrz::parse(&req.mrz, today)
        .map_err(|e| ApiError::field(&format!("mrz.{}", e.field()), e.to_string()))?;
    let traveller = traveller_from_mrz(&parsed);
    let opts = ScreenOptions {
        with_records: true,
        ..ScreenOptions::from_request(req.limit, req.threshold)?
    };
    let context = HitContext::labelled(req.context, "context")?;
    let outcome = blocking(&state, move |v| {
        v.screen(&ctx, &[traveller], opts, context)?
            .pop()
            .ok_or_else(|| ServiceError::Internal("no outcome".into()))
    })
    .await?;
    Ok(Json(
        serde_json::json!({"mrz": parsed, "results": outcome.results, "hits": outcome.hits, "threshold": opts.threshold}),
    ))
}
