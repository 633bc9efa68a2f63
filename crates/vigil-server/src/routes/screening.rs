//! Screening endpoints (`/v1/screen`, `/v1/screen/mrz`, the yente-compatible
//! `/v1/match`), flights (`/v1/manifests`) and data exchange
//! (`/v1/import`, `/v1/export`).

use std::collections::BTreeMap;

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use serde::Deserialize;
use vigil_core::AgencyCode;

use super::blocking;
use crate::border::ManifestInput;
use crate::error::{ApiError, ApiResult};
use crate::exchange::ImportFormat;
use crate::extract::{parse_json, Authed, JsonBody, QueryParams, RawBody};
use crate::screen::{ScreenOptions, ScreenResult, Traveller};
use crate::service::Ctx;
use crate::AppState;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScreenRequest {
    traveller: Traveller,
    #[serde(default)]
    limit: Option<usize>,
    #[serde(default)]
    threshold: Option<f64>,
    /// Where and why: border post, flight, ... (stored with any hit).
    #[serde(default)]
    context: Option<serde_json::Value>,
}

pub async fn screen(
    State(state): State<AppState>,
    auth: Authed,
    JsonBody(req): JsonBody<ScreenRequest>,
) -> ApiResult<impl IntoResponse> {
    let ctx = Ctx::new(auth.caller, auth.purpose);
    req.traveller.validate("traveller")?;
    let opts = ScreenOptions::from_request(req.limit, req.threshold)?;
    let context = req.context.unwrap_or(serde_json::Value::Null);
    let mut outcome = blocking(&state, move |v| {
        v.screen(&ctx, &[req.traveller], opts, context, true)
    })
    .await?;
    let outcome = outcome
        .pop()
        .ok_or_else(|| ApiError::Internal("no outcome".into()))?;
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
    context: Option<serde_json::Value>,
}

pub async fn screen_mrz(
    State(state): State<AppState>,
    auth: Authed,
    JsonBody(req): JsonBody<MrzRequest>,
) -> ApiResult<impl IntoResponse> {
    let ctx = Ctx::new(auth.caller, auth.purpose);
    let today = chrono::Utc::now().date_naive();
    let parsed = vigil_formats::mrz::parse(&req.mrz, today)
        .map_err(|e| ApiError::field(&format!("mrz.{}", mrz_field(&e)), e.to_string()))?;
    let traveller = crate::border::traveller_from_mrz(&parsed);
    let opts = ScreenOptions::from_request(req.limit, req.threshold)?;
    let context = req.context.unwrap_or(serde_json::Value::Null);
    let mut outcome = blocking(&state, move |v| {
        v.screen(&ctx, &[traveller], opts, context, true)
    })
    .await?;
    let outcome = outcome
        .pop()
        .ok_or_else(|| ApiError::Internal("no outcome".into()))?;
    Ok(Json(
        serde_json::json!({"mrz": parsed, "results": outcome.results, "hits": outcome.hits, "threshold": opts.threshold}),
    ))
}

/// The field an MRZ error is about, for the error's path.
pub fn mrz_field(e: &vigil_formats::mrz::MrzError) -> String {
    use vigil_formats::mrz::MrzError;
    match e {
        MrzError::CheckDigit { field, .. } | MrzError::InvalidDate { field } => field.to_string(),
        MrzError::Length { line, .. } | MrzError::IllegalCharacter { line, .. } => {
            format!("line{line}")
        }
        _ => "lines".into(),
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MatchQuery {
    limit: Option<usize>,
    threshold: Option<f64>,
    algorithm: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct MatchRequest {
    queries: BTreeMap<String, serde_json::Value>,
    /// yente accepts weights and other tuning; Vigil ignores them.
    #[serde(flatten)]
    _rest: BTreeMap<String, serde_json::Value>,
}

/// yente's `/match/{dataset}`: FtM queries keyed by id, ranked FtM results.
pub async fn match_entities(
    State(state): State<AppState>,
    auth: Authed,
    dataset: Option<Path<String>>,
    QueryParams(q): QueryParams<MatchQuery>,
    JsonBody(req): JsonBody<MatchRequest>,
) -> ApiResult<impl IntoResponse> {
    let ctx = Ctx::new(auth.caller, auth.purpose);
    let opts = ScreenOptions::from_request(q.limit.or(Some(5)), q.threshold)?;
    let mut ids = Vec::new();
    let mut travellers = Vec::new();
    let mut bad = BTreeMap::new();
    for (id, entity) in req.queries {
        match crate::exchange::traveller_from_entity(&entity) {
            Ok(t) => {
                ids.push(id);
                travellers.push(t);
            }
            Err(message) => {
                bad.insert(id, message);
            }
        }
    }
    let context = serde_json::json!({"api": "match", "dataset": dataset.map(|d| d.0)});
    let outcomes = blocking(&state, move |v| {
        v.screen(&ctx, &travellers, opts, context, true)
    })
    .await?;
    let mut responses = serde_json::Map::new();
    for (id, outcome) in ids.into_iter().zip(outcomes) {
        let results: Vec<serde_json::Value> = outcome.results.iter().map(ftm_result).collect();
        responses.insert(id, serde_json::json!({"status": 200, "results": results, "total": {"value": results.len(), "relation": "eq"}}));
    }
    for (id, message) in bad {
        responses.insert(id, serde_json::json!({"status": 400, "results": [], "total": {"value": 0, "relation": "eq"}, "detail": message}));
    }
    Ok(Json(serde_json::json!({
        "responses": responses,
        "limit": opts.limit,
        "matcher": {"name": "vigil", "threshold": opts.threshold, "requested": q.algorithm},
    })))
}

fn ftm_result(r: &ScreenResult) -> serde_json::Value {
    match r {
        ScreenResult::Full {
            score,
            is_match,
            explanation,
            record,
            id,
            owner,
            reference,
            ..
        } => {
            let mut entity = match record {
                Some(rec) => vigil_formats::ftm::record_to_entity(rec),
                None => serde_json::json!({"id": reference, "schema": "Person", "properties": {}}),
            };
            let caption = record
                .as_ref()
                .map(|r| r.draft.display_name().to_string())
                .unwrap_or_default();
            if let Some(obj) = entity.as_object_mut() {
                obj.insert("caption".into(), caption.into());
                obj.insert("score".into(), (*score).into());
                obj.insert("match".into(), (*is_match).into());
                obj.insert("datasets".into(), serde_json::json!([owner]));
                obj.insert(
                    "explanations".into(),
                    serde_json::to_value(explanation).unwrap_or_default(),
                );
                obj.insert("vigil_id".into(), serde_json::json!(id));
            }
            entity
        }
        ScreenResult::HitOnly {
            id,
            owner,
            reference,
            instruction,
            ..
        } => serde_json::json!({
            "id": reference, "schema": "Person", "properties": {}, "caption": reference,
            "score": null, "match": true, "datasets": [owner], "vigil_id": id,
            "explanations": {"disclosure": "hit_only", "instruction": instruction},
        }),
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManifestQuery {
    limit: Option<usize>,
    threshold: Option<f64>,
}

/// A flight: PAXLST text, or `{"travellers": [...]}` as JSON.
pub async fn create_manifest(
    State(state): State<AppState>,
    auth: Authed,
    headers: HeaderMap,
    QueryParams(q): QueryParams<ManifestQuery>,
    RawBody(body): RawBody,
) -> ApiResult<impl IntoResponse> {
    let ctx = Ctx::new(auth.caller, auth.purpose);
    let opts = ScreenOptions::from_request(q.limit, q.threshold)?;
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    let input = if is_json {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Travellers {
            travellers: Vec<Traveller>,
        }
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

pub async fn get_manifest(
    State(state): State<AppState>,
    auth: Authed,
    Path(id): Path<String>,
) -> ApiResult<impl IntoResponse> {
    let ctx = Ctx::new(auth.caller, auth.purpose);
    Ok(Json(
        blocking(&state, move |v| v.get_manifest(&ctx, &id)).await?,
    ))
}

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
        fields: vec![vigil_core::FieldError {
            path: "format".into(),
            message: m,
        }],
    })?;
    let ctx = Ctx::new(auth.caller, auth.purpose);
    let report = blocking(&state, move |v| {
        let batch = format.parse(&body)?;
        v.import(&ctx, format, batch, None)
    })
    .await?;
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
            fields: vec![vigil_core::FieldError {
                path: "format".into(),
                message: "must be ftm".into(),
            }],
        });
    }
    let ctx = Ctx::new(auth.caller, auth.purpose);
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
