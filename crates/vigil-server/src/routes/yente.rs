//! `/v1/match` and `/v1/match/{dataset}`: yente's matching API (FtM queries
//! keyed by id, ranked FtM results), so that yente clients can switch.
//! Results render from the screening results, so a hit-only record gives
//! its hit-only entity and nothing more.

use std::collections::BTreeMap;

use axum::extract::{Path, State};
use axum::response::IntoResponse;
use axum::Json;
use serde::Deserialize;
use vigil_core::HitContext;
use vigil_formats::ftm::{hit_only_entity, record_to_entity};
use vigil_service::exchange::traveller_from_entity;
use vigil_service::screening::{ScreenOptions, ScreenResult};
use vigil_service::Ctx;

use super::blocking;
use crate::error::ApiResult;
use crate::extract::{Authed, JsonBody, QueryParams};
use crate::AppState;

/// yente's default number of results per query.
const DEFAULT_LIMIT: usize = 5;

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

pub async fn match_entities(
    State(state): State<AppState>,
    auth: Authed,
    dataset: Option<Path<String>>,
    QueryParams(q): QueryParams<MatchQuery>,
    JsonBody(req): JsonBody<MatchRequest>,
) -> ApiResult<impl IntoResponse> {
    let ctx = Ctx::from(auth);
    let opts = ScreenOptions {
        with_records: true,
        ..ScreenOptions::from_request(q.limit.or(Some(DEFAULT_LIMIT)), q.threshold)?
    };
    let mut ids = Vec::new();
    let mut travellers = Vec::new();
    let mut bad = BTreeMap::new();
    for (id, entity) in req.queries {
        match traveller_from_entity(&entity) {
            Ok(t) => {
                ids.push(id);
                travellers.push(t);
            }
            Err(message) => {
                bad.insert(id, message);
            }
        }
    }
    let context = HitContext {
        api: Some("match".into()),
        dataset: dataset.map(|d| d.0),
        ..HitContext::default()
    };
    let outcomes = blocking(&state, move |v| v.screen(&ctx, &travellers, opts, context)).await?;
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

/// One screening result as a yente result: an FtM entity with score,
/// match flag and explanation.
fn ftm_result(r: &ScreenResult) -> serde_json::Value {
    let (mut entity, extra) = match r {
        ScreenResult::Full(full) => {
            let entity = match &full.record {
                Some(record) => record_to_entity(record),
                None => {
                    serde_json::json!({"id": full.reference, "schema": "Person", "properties": {}})
                }
            };
            let caption = full
                .record
                .as_ref()
                .map(|r| r.draft.display_name().to_string())
                .unwrap_or_default();
            let extra = serde_json::json!({
                "caption": caption,
                "score": full.score,
                "match": full.is_match,
                "explanations": full.explanation,
                "vigil_id": full.id,
            });
            (entity, extra)
        }
        ScreenResult::HitOnly { view, is_match, .. } => {
            let extra = serde_json::json!({
                "caption": view.reference,
                "score": null,
                "match": is_match,
                "vigil_id": view.id,
                "explanations": {"disclosure": view.disclosure, "instruction": view.instruction},
            });
            (hit_only_entity(view), extra)
        }
    };
    if let (Some(object), serde_json::Value::Object(extra)) = (entity.as_object_mut(), extra) {
        object.extend(extra);
    }
    entity
}
