//! `/v1/match` and `/v1/match/{dataset}`: yente's matching API, so that
//! yente's own clients (yente-client, nomenklatura's `YenteEnricher`) work
//! against Vigil unchanged. The request, its query parameters and the
//! response follow yente's models field for field; what Vigil cannot mean
//! the same way is documented in docs/yente.md.
//!
//! Results render from the screening results, so a hit-only record gives
//! its hit-only entity and nothing more, and filters never look at what a
//! record does not disclose.

use std::collections::BTreeMap;

use axum::extract::{Path, State};
use axum::http::HeaderValue;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde::Deserialize;
use serde_json::{json, Map, Value};
use vigil_core::explanation::{DateVerdict, DocumentVerdict, Verdict};
use vigil_core::{AgencyCode, CountryCode, Explanation, FieldError, HitContext};
use vigil_formats::ftm::{entity_id, hit_only_entity, is_schema, record_to_entity, topics};
use vigil_service::exchange::traveller_from_entity;
use vigil_service::screening::{ScreenOptions, ScreenResult};
use vigil_service::Ctx;

use super::blocking;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Authed, JsonBody, QueryParams};
use crate::AppState;

/// yente's defaults and bounds (`yente/settings.py`).
const DEFAULT_LIMIT: usize = 5;
const MAX_LIMIT: usize = 500;
const DEFAULT_THRESHOLD: f64 = 0.7;
const MAX_BATCH: usize = 100;
/// yente scores at least this many candidates per query, whatever the limit.
const MIN_CANDIDATES: usize = 20;

/// The algorithms yente offers. Vigil scores with its own matcher whichever
/// is named (there is one), but refuses a name yente would refuse.
const ALGORITHMS: &[&str] = &[
    "best",
    "logic-v2",
    "logic-v1",
    "name-based",
    "name-qualified",
    "ofac",
    "regression-v1",
];

/// Schemata whose queries Vigil screens: its records are persons, and
/// yente matches a `LegalEntity` query against persons too. Any other FtM
/// schema is a valid query with no candidates in Vigil (an empty result, as
/// yente gives for a dataset without them).
const PERSON_SCHEMATA: &[&str] = &["Person", "LegalEntity"];

/// Properties of FtM's country type: yente cleans their values to
/// lower-case ISO alpha-2 codes, from codes or English names.
const COUNTRY_PROPERTIES: &[&str] = &[
    "nationality",
    "citizenship",
    "country",
    "birthCountry",
    "jurisdiction",
    "mainCountry",
];

/// `/match`'s query parameters, as yente takes them (repeated keys for
/// lists: `topics=a&topics=b`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MatchQuery {
    limit: Option<usize>,
    threshold: Option<f64>,
    /// Deprecated in yente: results at or below it are not returned.
    cutoff: Option<f64>,
    algorithm: Option<String>,
    #[serde(default)]
    topics: Vec<String>,
    #[serde(default)]
    include_dataset: Vec<String>,
    #[serde(default)]
    exclude_dataset: Vec<String>,
    #[serde(default)]
    exclude_schema: Vec<String>,
    changed_since: Option<String>,
    #[serde(default)]
    exclude_entity_ids: Vec<String>,
    /// Taken by yente's `/search` only; `/match` accepts and ignores it, and
    /// so does Vigil (nomenklatura sends it).
    fuzzy: Option<String>,
}

/// The body. yente's `weights` and `config` (scoring weights, algorithm
/// settings) are accepted and change nothing: Vigil's matcher has neither,
/// so they are not read.
#[derive(Debug, Deserialize)]
pub struct MatchRequest {
    queries: Option<BTreeMap<String, Value>>,
}

/// A query parameter that is out of range, named as yente names it.
fn bad_param(param: &str, message: impl Into<String>) -> ApiError {
    let message = message.into();
    ApiError::BadRequest {
        message: format!("{param}: {message}"),
        fields: vec![FieldError {
            path: param.into(),
            message,
        }],
    }
}

/// The request's options, checked the way yente checks them.
struct Options {
    limit: usize,
    threshold: f64,
    cutoff: f64,
    topics: Vec<String>,
    include_dataset: Vec<String>,
    exclude_dataset: Vec<String>,
    exclude_schema: Vec<String>,
    changed_since: Option<DateTime<Utc>>,
    exclude_entity_ids: Vec<String>,
}

impl Options {
    fn from_query(q: MatchQuery) -> Result<Options, ApiError> {
        let limit = q.limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(bad_param(
                "limit",
                format!("must be between 1 and {MAX_LIMIT}"),
            ));
        }
        let unit = |name: &str, value: Option<f64>, default: f64| match value {
            Some(v) if !(0.0..=1.0).contains(&v) || v.is_nan() => {
                Err(bad_param(name, "must be between 0 and 1"))
            }
            v => Ok(v.unwrap_or(default)),
        };
        let threshold = unit("threshold", q.threshold, DEFAULT_THRESHOLD)?;
        // yente: the cutoff defaults to the threshold and never exceeds it.
        let cutoff = unit("cutoff", q.cutoff, threshold)?.min(threshold);
        if let Some(name) = &q.algorithm {
            if !ALGORITHMS.contains(&name.trim().to_lowercase().as_str()) {
                return Err(bad_param(
                    "algorithm",
                    format!(
                        "invalid algorithm {name:?}; one of: {}",
                        ALGORITHMS.join(", ")
                    ),
                ));
            }
        }
        if let Some(fuzzy) = &q.fuzzy {
            if !matches!(
                fuzzy.to_lowercase().as_str(),
                "true" | "false" | "1" | "0" | "yes" | "no" | "on" | "off"
            ) {
                return Err(bad_param("fuzzy", "must be true or false"));
            }
        }
        if q.exclude_entity_ids.len() > 50 {
            return Err(bad_param("exclude_entity_ids", "at most 50 ids"));
        }
        let changed_since = q
            .changed_since
            .as_deref()
            .map(|text| {
                parse_timestamp(text).ok_or_else(|| {
                    bad_param(
                        "changed_since",
                        "must be YYYY-MM-DD, optionally with THH, THH:MM or THH:MM:SS",
                    )
                })
            })
            .transpose()?;
        Ok(Options {
            limit,
            threshold,
            cutoff,
            topics: q.topics,
            include_dataset: q.include_dataset,
            exclude_dataset: q.exclude_dataset,
            exclude_schema: q.exclude_schema,
            changed_since,
            exclude_entity_ids: q.exclude_entity_ids,
        })
    }

    /// Whether a result passes the request's filters. A hit-only result is
    /// judged only by what it shows (its owner and id): filtering it by
    /// topics or dates it does not disclose would disclose them.
    fn keeps(&self, dataset_owner: Option<&AgencyCode>, result: &ScreenResult) -> bool {
        let (owner, reference, record) = match result {
            ScreenResult::Full(full) => (&full.owner, &full.reference, full.record.as_deref()),
            ScreenResult::HitOnly { view, .. } => (&view.owner, &view.reference, None),
        };
        let datasets = [owner.as_str()];
        let id = entity_id(owner, reference);
        let named = |list: &[String]| list.iter().any(|d| datasets.contains(&d.as_str()));
        if dataset_owner.is_some_and(|o| o != owner)
            || (!self.include_dataset.is_empty() && !named(&self.include_dataset))
            || named(&self.exclude_dataset)
            || self.exclude_schema.iter().any(|s| s == "Person")
            || self
                .exclude_entity_ids
                .iter()
                .any(|e| *e == id || e == reference)
        {
            return false;
        }
        let Some(record) = record else {
            return true;
        };
        let topics_ok = self.topics.is_empty()
            || topics(&record.draft)
                .iter()
                .any(|t| self.topics.contains(t));
        let changed_ok = self
            .changed_since
            .is_none_or(|since| record.updated_at >= since);
        topics_ok && changed_ok
    }
}

/// yente's `changed_since` pattern: a date, optionally with hours, minutes
/// and seconds (UTC).
fn parse_timestamp(text: &str) -> Option<DateTime<Utc>> {
    let (date, time) = match text.split_once('T') {
        Some((date, time)) => (date, Some(time)),
        None => (text, None),
    };
    if date.len() != 10 {
        return None;
    }
    let date = NaiveDate::parse_from_str(date, "%Y-%m-%d").ok()?;
    let time = match time {
        None => chrono::NaiveTime::MIN,
        Some(t) => {
            let parts: Vec<&str> = t.split(':').collect();
            if parts.is_empty()
                || parts.len() > 3
                || parts
                    .iter()
                    .any(|p| p.len() != 2 || !p.bytes().all(|b| b.is_ascii_digit()))
            {
                return None;
            }
            let num = |i: usize| parts.get(i).map_or(Some(0), |p| p.parse::<u32>().ok());
            chrono::NaiveTime::from_hms_opt(num(0)?, num(1)?, num(2)?)?
        }
    };
    Some(NaiveDateTime::new(date, time).and_utc())
}

/// One query as yente echoes it: its id, schema and cleaned properties.
#[derive(Debug)]
struct Example {
    id: Option<String>,
    schema: String,
    properties: BTreeMap<String, Vec<String>>,
}

impl Example {
    /// Reads a query entity, or says what is wrong with it (yente answers
    /// 400 for the whole request: a query it cannot read is not silently
    /// answered "no match").
    fn parse(key: &str, value: &Value) -> Result<Example, ApiError> {
        let bad = |path: &str, message: &str| ApiError::BadRequest {
            message: format!("cannot parse example entity {key:?}: {message}"),
            fields: vec![FieldError {
                path: format!("queries.{key}{path}"),
                message: message.into(),
            }],
        };
        let Some(object) = value.as_object() else {
            return Err(bad("", "must be an object with schema and properties"));
        };
        let schema = object
            .get("schema")
            .and_then(Value::as_str)
            .ok_or_else(|| bad(".schema", "is required"))?;
        if !is_schema(schema) {
            return Err(bad(
                ".schema",
                &format!("{schema:?} is not a FollowTheMoney schema"),
            ));
        }
        let id = match object.get("id") {
            None | Some(Value::Null) => None,
            Some(Value::String(id)) => Some(id.clone()),
            Some(_) => return Err(bad(".id", "must be a string")),
        };
        let mut properties = BTreeMap::new();
        let given = match object.get("properties") {
            None | Some(Value::Null) => Map::new(),
            Some(Value::Object(p)) => p.clone(),
            Some(_) => return Err(bad(".properties", "must be an object")),
        };
        for (name, values) in given {
            let list = match values {
                Value::Array(list) => list,
                Value::Null => Vec::new(),
                single => vec![single],
            };
            let mut cleaned = Vec::new();
            for value in list {
                let text = match value {
                    Value::String(s) => s,
                    Value::Number(n) => n.to_string(),
                    Value::Null => continue,
                    _ => {
                        return Err(bad(
                            &format!(".properties.{name}"),
                            "values must be strings",
                        ))
                    }
                };
                let text = text.trim();
                if text.is_empty() {
                    continue;
                }
                if COUNTRY_PROPERTIES.contains(&name.as_str()) {
                    // As yente does: a value that is no country is dropped.
                    cleaned.extend(clean_country(text));
                } else {
                    cleaned.push(text.to_string());
                }
            }
            if !cleaned.is_empty() {
                properties.insert(name, cleaned);
            }
        }
        Ok(Example {
            id,
            schema: schema.to_string(),
            properties,
        })
    }

    fn echo(&self) -> Value {
        json!({"id": self.id, "schema": self.schema, "properties": self.properties})
    }

    /// The example as a Person entity for Vigil's FtM reader.
    fn as_person(&self) -> Value {
        json!({"id": self.id.as_deref().unwrap_or("query"), "schema": "Person", "properties": self.properties})
    }
}

/// A country as FtM writes it (`de`), from a code (`DE`, `DEU`, `de`) or an
/// English name (`Germany`). Codes without an alpha-2 form (ICAO's `XXA`)
/// are not FtM countries.
fn clean_country(text: &str) -> Option<String> {
    CountryCode::parse(text)
        .ok()
        .or_else(|| CountryCode::from_name(text))
        .and_then(|code| code.alpha2_lower())
}

pub async fn match_entities(
    State(state): State<AppState>,
    auth: Authed,
    dataset: Option<Path<String>>,
    QueryParams(q): QueryParams<MatchQuery>,
    JsonBody(req): JsonBody<MatchRequest>,
) -> ApiResult<Response> {
    let ctx = Ctx::from(auth);
    let options = Options::from_query(q)?;
    let dataset = dataset.map_or_else(|| "default".to_string(), |d| d.0);
    let owner = dataset_owner(&state, &dataset).await?;

    let queries = req.queries.unwrap_or_default();
    if queries.len() > MAX_BATCH {
        return Err(bad_param(
            "queries",
            format!("too many queries in one batch (limit: {MAX_BATCH})"),
        ));
    }
    let mut examples = Vec::new();
    for (key, value) in &queries {
        if value.is_null() {
            continue;
        }
        examples.push((key.clone(), Example::parse(key, value)?));
    }
    if examples.is_empty() {
        return Err(bad_param("queries", "no queries provided"));
    }
    let mut screened = Vec::new();
    let mut travellers = Vec::new();
    for (key, example) in &examples {
        if PERSON_SCHEMATA.contains(&example.schema.as_str()) {
            let traveller = traveller_from_entity(&example.as_person()).map_err(|message| {
                ApiError::BadRequest {
                    message: format!("cannot parse example entity {key:?}: {message}"),
                    fields: vec![FieldError {
                        path: format!("queries.{key}.properties"),
                        message,
                    }],
                }
            })?;
            screened.push(key.clone());
            travellers.push(traveller);
        }
    }

    // The search goes down to the cutoff; the owner is alerted at the
    // system's threshold whatever the client asks for.
    let opts = ScreenOptions {
        limit: options.limit.clamp(MIN_CANDIDATES, MAX_LIMIT),
        threshold: options.cutoff,
        with_records: true,
        ..ScreenOptions::default()
    };
    let context = HitContext {
        api: Some("match".into()),
        dataset: Some(dataset),
        ..HitContext::default()
    };
    let outcomes = if travellers.is_empty() {
        Vec::new()
    } else {
        blocking(&state, move |v| v.screen(&ctx, &travellers, opts, context)).await?
    };
    let mut by_key: BTreeMap<String, Vec<ScreenResult>> = screened
        .into_iter()
        .zip(outcomes)
        .map(|(key, outcome)| (key, outcome.results))
        .collect();

    let mut responses = Map::new();
    for (key, example) in &examples {
        let results = by_key.remove(key).unwrap_or_default();
        let mut shown: Vec<Value> = results
            .iter()
            .filter(|r| options.keeps(owner.as_ref(), r))
            .map(|r| yente_result(r, options.threshold))
            .collect();
        shown.sort_by(|a, b| score_of(b).total_cmp(&score_of(a)));
        // yente's total counts the matches among the scored candidates.
        let total = shown.iter().filter(|r| r["match"] == true).count();
        shown.truncate(options.limit);
        responses.insert(
            key.clone(),
            json!({
                "status": 200,
                "results": shown,
                "total": {"value": total, "relation": "eq"},
                "query": example.echo(),
            }),
        );
    }
    let batch = responses.len();
    let mut response =
        Json(json!({"responses": responses, "limit": options.limit})).into_response();
    response
        .headers_mut()
        .insert("x-batch-size", HeaderValue::from(batch));
    Ok(response)
}

/// The owner a dataset stands for: `default` is every record Vigil may
/// show; an agency's code its records. Any other name is yente's 404.
async fn dataset_owner(state: &AppState, dataset: &str) -> Result<Option<AgencyCode>, ApiError> {
    if dataset == "default" {
        return Ok(None);
    }
    // yente's "No such dataset."; datasets are `default` and agency codes.
    let not_found = || ApiError::NotFound("dataset");
    let code = AgencyCode::parse(dataset).map_err(|_| not_found())?;
    let lookup = code.clone();
    if blocking(state, move |v| v.agency_exists(&lookup)).await? {
        Ok(Some(code))
    } else {
        Err(not_found())
    }
}

fn score_of(result: &Value) -> f64 {
    result["score"].as_f64().unwrap_or(0.0)
}

/// One screening result as yente's `ScoredEntityResponse`.
fn yente_result(r: &ScreenResult, threshold: f64) -> Value {
    let mut entity = match r {
        ScreenResult::Full(full) => {
            let mut entity = match &full.record {
                Some(record) => record_to_entity(record),
                None => {
                    json!({"id": entity_id(&full.owner, &full.reference), "schema": "Person", "properties": {}})
                }
            };
            let record = full.record.as_deref();
            let extra = json!({
                "caption": record.map(|r| r.draft.display_name().to_string()).unwrap_or_else(|| full.reference.clone()),
                "score": full.score,
                "match": full.is_match && full.score >= threshold,
                "explanations": features(&full.explanation),
                "target": true,
                "first_seen": record.map(|r| timestamp(&r.created_at)),
                "last_seen": record.map(|r| timestamp(&r.updated_at)),
                "last_change": record.map(|r| timestamp(&r.updated_at)),
                "vigil_id": full.id,
            });
            merge(&mut entity, extra);
            entity
        }
        ScreenResult::HitOnly { view, .. } => {
            // The owner discloses no score: a hit-only result appears only on
            // a hit, so its score is given as the hit threshold it reached.
            let at_least = ScreenOptions::default().threshold;
            let mut entity = hit_only_entity(view);
            merge(
                &mut entity,
                json!({
                    "caption": view.reference,
                    "score": at_least,
                    "match": true,
                    "target": true,
                    "first_seen": null,
                    "last_seen": null,
                    "last_change": null,
                    "vigil_id": view.id,
                    "explanations": {"hit_only": {
                        "score": at_least,
                        "detail": format!("the owner discloses only that this record exists: {}", view.instruction),
                        "query": null,
                        "candidate": null,
                    }},
                }),
            );
            entity
        }
    };
    if let Some(object) = entity.as_object_mut() {
        object.remove("origin");
    }
    entity
}

fn merge(entity: &mut Value, extra: Value) {
    if let (Some(object), Value::Object(extra)) = (entity.as_object_mut(), extra) {
        object.extend(extra);
    }
}

/// yente writes timestamps as ISO 8601 to the second, without a zone.
fn timestamp(at: &DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S").to_string()
}

/// Vigil's explanation as yente's per-feature `FeatureResult`s: the name,
/// then each piece of evidence with the verdict as its detail.
fn features(e: &Explanation) -> Value {
    let feature = |score: f64, detail: String, query: Option<&str>, candidate: Option<&str>| json!({"score": score, "detail": detail, "query": query, "candidate": candidate});
    let mut out = Map::new();
    let parts: Vec<String> = e
        .name
        .parts
        .iter()
        .map(|p| {
            format!(
                "{} ~ {} ({:?}, {:.2})",
                p.query, p.matched, p.basis, p.similarity
            )
        })
        .collect();
    out.insert(
        "name".into(),
        feature(
            e.name_score,
            format!("{:?} name; {}", e.matched_kind, parts.join("; ")),
            Some(&e.query_name),
            Some(&e.matched_name),
        ),
    );
    let date = match e.birth_date {
        DateVerdict::Exact => 1.0,
        DateVerdict::Compatible => 0.75,
        DateVerdict::Close => 0.5,
        DateVerdict::Unknown | DateVerdict::Mismatch => 0.0,
    };
    out.insert(
        "birth_date".into(),
        feature(
            date,
            format!("{:?}", e.birth_date).to_lowercase(),
            None,
            None,
        ),
    );
    let verdict = |v: Verdict| f64::from(u8::from(v == Verdict::Agree));
    for (name, v) in [("nationality", e.nationality), ("gender", e.gender)] {
        out.insert(
            name.into(),
            feature(verdict(v), format!("{v:?}").to_lowercase(), None, None),
        );
    }
    let document = f64::from(u8::from(e.document == DocumentVerdict::SameNumber));
    out.insert(
        "document".into(),
        feature(
            document,
            format!("{:?}", e.document).to_lowercase(),
            None,
            None,
        ),
    );
    for (i, adjustment) in e.adjustments.iter().enumerate() {
        out.insert(
            format!("adjustment_{}", i + 1),
            feature(adjustment.delta, adjustment.reason.clone(), None, None),
        );
    }
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changed_since_takes_yentes_forms() {
        for (text, want) in [
            ("2024-05-01", "2024-05-01T00:00:00"),
            ("2024-05-01T13", "2024-05-01T13:00:00"),
            ("2024-05-01T13:45", "2024-05-01T13:45:00"),
            ("2024-05-01T13:45:07", "2024-05-01T13:45:07"),
        ] {
            let at = parse_timestamp(text).expect(text);
            assert_eq!(timestamp(&at), want);
        }
        for bad in ["2024-5-1", "2024-05-01T1", "2024-05-01T25", "yesterday", ""] {
            assert!(parse_timestamp(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn countries_are_cleaned_as_ftm_writes_them() {
        for (text, want) in [
            ("Germany", Some("de")),
            ("DEU", Some("de")),
            ("de", Some("de")),
            ("Iraq", Some("iq")),
            ("Atlantis", None),
            ("XXA", None),
        ] {
            assert_eq!(clean_country(text).as_deref(), want, "{text}");
        }
    }

    #[test]
    fn a_query_names_its_faults() {
        let err = |v: Value| match Example::parse("q1", &v) {
            Err(ApiError::BadRequest { fields, .. }) => fields[0].path.clone(),
            other => panic!("{other:?}"),
        };
        assert_eq!(err(json!("x")), "queries.q1");
        assert_eq!(err(json!({"properties": {}})), "queries.q1.schema");
        assert_eq!(err(json!({"schema": "Persn"})), "queries.q1.schema");
        assert_eq!(
            err(json!({"schema": "Person", "properties": {"name": [{"a": 1}]}})),
            "queries.q1.properties.name"
        );
        let ok = Example::parse(
            "q1",
            &json!({"schema": "Person", "properties": {"name": "Ali", "nationality": ["Iraq", "nowhere"]}}),
        )
        .unwrap();
        assert_eq!(
            ok.echo(),
            json!({"id": null, "schema": "Person", "properties": {"name": ["Ali"], "nationality": ["iq"]}})
        );
    }
}
