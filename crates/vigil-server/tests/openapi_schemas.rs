//! The OpenAPI document describes what Vigil sends: real bodies, made by
//! the real router and store (records, screenings as a full-disclosure and
//! a hit-only agency, a flight, hits from both sides, a decision, webhook
//! deliveries, the hit stream's data, the audit log), are checked against
//! the schemas their paths document. The checker is stricter than OpenAPI:
//! a key that a schema's `properties` do not declare fails unless
//! `additionalProperties` allows it, so a field added to a type without
//! being documented fails here.

mod common;

use axum::http::StatusCode;
use chrono::{NaiveDate, NaiveDateTime};
use common::Harness;
use serde::de::DeserializeOwned;
use serde_json::{json, Value};
use vigil_core::explanation::{Basis, DateVerdict, DocumentVerdict, Verdict};
use vigil_core::record::NameKind;
use vigil_core::{Access, Action, HitStatus, Outcome, RecordId, Role};
use vigil_formats::paxlst;
use vigil_service::Ctx;
use vigil_store::prelude::*;

fn document() -> Value {
    serde_json::from_str(vigil_server::openapi::DOCUMENT).unwrap()
}

/// `schema` with its `$ref`s followed (JSON pointers into `doc`).
fn resolve<'a>(doc: &'a Value, mut schema: &'a Value) -> &'a Value {
    while let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        schema = r
            .strip_prefix('#')
            .and_then(|p| doc.pointer(p))
            .unwrap_or_else(|| panic!("$ref {r} does not resolve"));
    }
    schema
}

/// Checks `value` against `schema`: `$ref`, `nullable`, `oneOf`/`anyOf`
/// (some branch fits), `allOf`, `type`, `enum`, `format` (date, date-time,
/// uuid), `items`, `required`, and that every key is declared.
fn check(doc: &Value, schema: &Value, value: &Value, at: &str) -> Result<(), String> {
    let s = resolve(doc, schema);
    if value.is_null() && s["nullable"] == true {
        return Ok(());
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(branches) = s.get(key).and_then(Value::as_array) {
            let errors: Vec<String> = branches
                .iter()
                .filter_map(|b| check(doc, b, value, at).err())
                .collect();
            if errors.len() == branches.len() {
                return Err(format!(
                    "{at}: fits no {key} branch [{}]",
                    errors.join(" | ")
                ));
            }
        }
    }
    for branch in s
        .get("allOf")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        check(doc, branch, value, at)?;
    }
    if let Some(t) = s.get("type").and_then(Value::as_str) {
        let fits = match t {
            "object" => value.is_object(),
            "array" => value.is_array(),
            "string" => value.is_string(),
            "integer" => value.is_i64() || value.is_u64(),
            "number" => value.is_number(),
            "boolean" => value.is_boolean(),
            other => return Err(format!("{at}: unknown type {other}")),
        };
        if !fits {
            return Err(format!("{at}: {value} is not of type {t}"));
        }
    }
    if let Some(allowed) = s.get("enum").and_then(Value::as_array) {
        if !allowed.contains(value) {
            return Err(format!("{at}: {value} is not one of {allowed:?}"));
        }
    }
    if let (Some(format), Some(text)) = (s.get("format").and_then(Value::as_str), value.as_str()) {
        let fits = match format {
            "date-time" => chrono::DateTime::parse_from_rfc3339(text).is_ok(),
            "date" => NaiveDate::parse_from_str(text, "%Y-%m-%d").is_ok(),
            "uuid" => RecordId::parse(text).is_some(),
            _ => true,
        };
        if !fits {
            return Err(format!("{at}: {value} is not a {format}"));
        }
    }
    if let (Some(items), Some(schema)) = (value.as_array(), s.get("items")) {
        for (i, item) in items.iter().enumerate() {
            check(doc, schema, item, &format!("{at}[{i}]"))?;
        }
    }
    if let Some(object) = value.as_object() {
        for name in s
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let name = name.as_str().unwrap_or_default();
            if !object.contains_key(name) {
                return Err(format!("{at}: required {name} is missing"));
            }
        }
        let declared = s.get("properties");
        for (key, v) in object {
            let at = format!("{at}.{key}");
            match (
                declared.and_then(|p| p.get(key)),
                s.get("additionalProperties"),
            ) {
                (Some(property), _) => check(doc, property, v, &at)?,
                (None, Some(Value::Bool(true))) => {}
                (None, Some(extra @ Value::Object(_))) => check(doc, extra, v, &at)?,
                (None, None) if declared.is_none() => {} // a free-form object
                (None, _) => return Err(format!("{at}: not documented")),
            }
        }
    }
    Ok(())
}

/// The schema at a path of the document, given as unescaped segments.
fn at<'a>(doc: &'a Value, segments: &[&str]) -> &'a Value {
    let pointer: String = segments
        .iter()
        .map(|s| format!("/{}", s.replace('~', "~0").replace('/', "~1")))
        .collect();
    doc.pointer(&pointer)
        .unwrap_or_else(|| panic!("the document has nothing at {segments:?}"))
}

/// The JSON body schema `method path` documents for `status`.
fn response<'a>(doc: &'a Value, method: &str, path: &str, status: &str) -> &'a Value {
    let json = "application/json";
    at(
        doc,
        &[
            "paths",
            path,
            method,
            "responses",
            status,
            "content",
            json,
            "schema",
        ],
    )
}

#[track_caller]
fn assert_fits(doc: &Value, schema: &Value, value: &Value) {
    if let Err(e) = check(doc, schema, value, "$") {
        panic!("{e}\nin {value:#}");
    }
}

/// The API through the harness, every answer checked against the document.
struct Api<'a> {
    h: &'a Harness,
    doc: &'a Value,
}

impl Api<'_> {
    /// Calls `method uri` (documented as `template`) with the token of `by`
    /// ("AGENCY:role"), expects the operation's documented success (201 if
    /// it has one, else 200), checks the body against its schema and
    /// returns it.
    async fn send(
        &self,
        method: &str,
        template: &str,
        uri: &str,
        by: &str,
        body: Option<&str>,
        content_type: &str,
    ) -> Value {
        let token = &self.h.tokens[by];
        let r = self
            .h
            .call_as(method, uri, Some(token), body, content_type)
            .await;
        let op = at(self.doc, &["paths", template, &method.to_lowercase()]);
        let status = if op["responses"].get("201").is_some() {
            "201"
        } else {
            "200"
        };
        let body = String::from_utf8_lossy(&r.body);
        assert_eq!(r.status.as_str(), status, "{method} {uri}: {body}");
        let v = r.json();
        assert_fits(
            self.doc,
            response(self.doc, &method.to_lowercase(), template, status),
            &v,
        );
        v
    }

    async fn post(&self, template: &str, uri: &str, by: &str, body: Option<Value>) -> Value {
        let body = body.map(|b| b.to_string());
        self.send(
            "POST",
            template,
            uri,
            by,
            body.as_deref(),
            "application/json",
        )
        .await
    }

    async fn get(&self, template: &str, uri: &str, by: &str) -> Value {
        self.send("GET", template, uri, by, None, "application/json")
            .await
    }
}

const TD3: &str =
    "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10";

/// A record with every optional part filled in, so that each is checked.
fn mueller() -> Value {
    json!({
        "reference": "DE-MUELLER",
        "category": "foreign_terrorist_fighter",
        "names": [
            {"full": "Jürgen Oemer Müller-Lüdenscheidt", "given": "Jürgen Oemer", "family": "Müller-Lüdenscheidt", "lang": "de"},
            {"full": "Juergen Mueller", "kind": "alias"}
        ],
        "gender": "male",
        "birth_dates": ["1985-08-12", "1984..1986"],
        "birth_places": ["Ankara"],
        "nationalities": ["UTO"],
        "documents": [{"kind": "passport", "number": "C01X00T47", "country": "UTO", "expiry": "2031-03-14"}],
        "notes": ["Travelled to the conflict zone in 2014."],
        "links": [{"kind": "associate", "reference": "DE-OTHER"}],
        "topics": ["crime.terror"],
        "handling": {"code": "H2", "text": "Not for onward sharing."},
        "evaluation": {"source": "B", "information": 2},
        "policy": {"visibility": {"except": ["EUROPOL"]}, "hit_only_for": ["ITA"], "instruction": "Detain for questioning."},
        "listed_on": "2015-01-01",
        "confirmed_on": "2024-01-01",
        "extra": {"phone": ["+49 30 1234"]}
    })
}

fn eriksson() -> Value {
    json!({
        "reference": "FR-ERIKSSON",
        "names": [{"full": "Anna Maria Eriksson"}],
        "birth_dates": ["1974-08-12"],
        "nationalities": ["UTO"],
        "documents": [{"kind": "passport", "number": "L898902C3", "country": "UTO"}],
        "policy": {"disclosure": "hit_only"}
    })
}

/// A flight with Müller on board, a crew member of no known country (a
/// warning) and a passenger with neither name nor document (an error).
fn flight() -> String {
    let time = |s| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
    let leg = paxlst::Leg::new(
        "XY",
        "XY123",
        ("IST", time("2016-04-05 10:30")),
        ("CDG", time("2016-04-05 14:00")),
    );
    let mut m = paxlst::Manifest::new_flight(
        paxlst::ManifestKind::PassengerList,
        leg,
        time("2016-04-05 09:00"),
    );
    let mut mueller = paxlst::Traveller::new(
        paxlst::Role::Passenger,
        "MUELLER-LUEDENSCHEIDT",
        &["JUERGEN", "OEMER"],
    );
    mueller.birth_date = NaiveDate::from_ymd_opt(1985, 8, 12);
    mueller.nationality = Some("UTO".into());
    let mut crew = paxlst::Traveller::new(paxlst::Role::Crew, "SMITH", &["JOHN"]);
    crew.nationality = Some("QQ9".into());
    let nobody = paxlst::Traveller::new(paxlst::Role::Passenger, "", &[]);
    m.travellers = vec![mueller, crew, nobody];
    paxlst::emit(&m, &paxlst::Delimiters::default())
}

#[tokio::test]
async fn every_body_vigil_sends_fits_its_documented_schema() {
    let doc = document();
    let h = Harness::new();
    let api = Api { h: &h, doc: &doc };
    let hook = json!({"url": "http://127.0.0.1:9/hits"});
    for by in ["DEU:analyst", "FRA:analyst"] {
        let r = h
            .call(
                "POST",
                "/v1/webhooks",
                Some(&h.tokens[by]),
                Some(&hook.to_string()),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED);
    }

    // Records: written, read in full and hit-only, listed, retired, history.
    let created = api
        .post(
            "/v1/records",
            "/v1/records",
            "DEU:contributor",
            Some(mueller()),
        )
        .await;
    let deu = created["id"].as_str().unwrap().to_string();
    let fra = h.create("FRA", eriksson()).await;
    let gone = h
        .create(
            "FRA",
            json!({"reference": "FR-GONE", "names": [{"full": "Jean Dupont"}]}),
        )
        .await;
    let one = "/v1/records/{id}";
    let mut draft = mueller();
    draft["notes"] = json!(["Seen in Istanbul in 2016."]);
    let uri = format!("/v1/records/{deu}?expected_version=1");
    let body = draft.to_string();
    api.send(
        "PUT",
        one,
        &uri,
        "DEU:contributor",
        Some(&body),
        "application/json",
    )
    .await;
    let uri = format!("/v1/records/{gone}/retire");
    let retired = api
        .post("/v1/records/{id}/retire", &uri, "FRA:contributor", None)
        .await;
    assert_eq!(retired["status"], "retired");
    let full = api
        .get(one, &format!("/v1/records/{deu}"), "FRA:screener")
        .await;
    assert_eq!(full["policy"]["instruction"], "Detain for questioning.");
    let hit_only = api
        .get(one, &format!("/v1/records/{fra}"), "ITA:screener")
        .await;
    assert_eq!(hit_only["disclosure"], "hit_only");
    // Lists hold no hit-only record: FRA, which reads both, pages through them.
    let page = api
        .get("/v1/records", "/v1/records?limit=1", "FRA:screener")
        .await;
    assert!(page["next_cursor"].is_string());
    api.get("/v1/records", "/v1/records", "ITA:screener").await;
    let uri = format!("/v1/records/{deu}/history");
    let history = api
        .get("/v1/records/{id}/history", &uri, "DEU:analyst")
        .await;
    assert_eq!(history["versions"].as_array().unwrap().len(), 2);

    // Screening: FRA reads Müller in full, ITA hit-only; DEU's MRZ check
    // hits FRA's hit-only record; ITA screens a whole flight.
    let traveller = json!({"surname": "MUELLER LUEDENSCHEIDT", "given_names": "JUERGEN OEMER", "birth_date": "1985-08-12", "nationalities": ["UTO"]});
    // The screener's own labels; the known context fields (flight, manifest, ...) are Vigil's.
    let context = json!({"border_post": "CDG T2", "officer": 17, "flight_number": "XY123"});
    let body = json!({"traveller": traveller, "context": context});
    let by_fra = api
        .post(
            "/v1/screen",
            "/v1/screen",
            "FRA:screener",
            Some(body.clone()),
        )
        .await;
    let full = &by_fra["results"][0];
    assert_eq!(
        (&full["disclosure"], full["record"].is_object()),
        (&json!("full"), true)
    );
    let fra_hit = full["hit_id"].as_str().unwrap().to_string();
    let by_ita = api
        .post("/v1/screen", "/v1/screen", "ITA:screener", Some(body))
        .await;
    assert_eq!(by_ita["results"][0]["disclosure"], "hit_only");
    let mrz = Some(json!({"mrz": TD3}));
    let by_deu = api
        .post("/v1/screen/mrz", "/v1/screen/mrz", "DEU:screener", mrz)
        .await;
    assert_eq!(by_deu["results"][0]["disclosure"], "hit_only");
    let paxlst = flight();
    let summary = api
        .send(
            "POST",
            "/v1/manifests",
            "/v1/manifests",
            "ITA:screener",
            Some(&paxlst),
            "text/plain",
        )
        .await;
    assert!(summary["flight"].is_object() && summary["hits"] == 1);
    let diagnostics = summary["diagnostics"].as_array().unwrap();
    for severity in ["warning", "error"] {
        assert!(
            diagnostics.iter().any(|d| d["severity"] == severity),
            "{summary:#}"
        );
    }
    api.get(
        "/v1/manifests/{id}",
        summary["link"].as_str().unwrap(),
        "ITA:screener",
    )
    .await;

    // Hits: the owners' inboxes, a decision, the screeners' side.
    let deu_inbox = api.get("/v1/hits", "/v1/hits", "DEU:analyst").await;
    assert_eq!(deu_inbox["hits"].as_array().unwrap().len(), 3);
    api.get("/v1/hits", "/v1/hits", "FRA:analyst").await;
    let uri = format!("/v1/hits/{fra_hit}/decision");
    let decision = json!({"status": "confirmed", "note": "Seen at the gate."});
    let decided = api
        .post(
            "/v1/hits/{id}/decision",
            &uri,
            "DEU:analyst",
            Some(decision),
        )
        .await;
    assert!(decided["decided_at"].is_string());
    let uri = format!("/v1/hits/{fra_hit}");
    api.get("/v1/hits/{id}", &uri, "DEU:analyst").await;
    let seen = api.get("/v1/hits/{id}", &uri, "FRA:screener").await;
    assert_eq!(
        (&seen["disclosure"], seen["score"].is_number()),
        (&json!("full"), true)
    );
    api.get("/v1/hits", "/v1/hits?side=screener", "FRA:screener")
        .await;
    let ita = api
        .get("/v1/hits", "/v1/hits?side=screener", "ITA:screener")
        .await;
    assert!(ita["hits"]
        .as_array()
        .unwrap()
        .iter()
        .any(|h| h["instruction"].is_string()));

    // What reaches owners without being asked: webhook deliveries and the
    // hit stream's events.
    let later = chrono::Utc::now() + chrono::Duration::hours(1);
    let deliveries = h.store.due_deliveries(later, 100).unwrap();
    assert_eq!(deliveries.len(), 4);
    let callback = at(
        &doc,
        &[
            "paths",
            "/v1/webhooks",
            "post",
            "callbacks",
            "hit",
            "{$request.body#/url}",
            "post",
            "requestBody",
            "content",
            "application/json",
            "schema",
        ],
    );
    for d in &deliveries {
        assert_fits(&doc, callback, &serde_json::from_str(&d.payload).unwrap());
    }
    let vigil = &h.state.vigil;
    let caller = vigil
        .authenticate(&h.token("DEU", "analyst"))
        .unwrap()
        .unwrap()
        .caller;
    let mut stream = vigil
        .open_hit_stream(&Ctx::new(caller, "test"), Some(0))
        .unwrap();
    let events = vigil.next_hits(&mut stream).unwrap().unwrap();
    assert_eq!(events.len(), 3);
    let data = at(
        &doc,
        &[
            "paths",
            "/v1/hits/stream",
            "get",
            "responses",
            "200",
            "content",
            "text/event-stream",
            "x-event-data",
        ],
    );
    for hit in &events {
        assert_fits(&doc, data, &serde_json::to_value(hit).unwrap());
    }

    // DEU hides its record from ITA: ITA's past hit and stored flight keep
    // only that the hit happened and whom to contact.
    let mut hidden = mueller();
    hidden["policy"]["visibility"] = json!({"except": ["EUROPOL", "ITA"]});
    let r = h
        .call(
            "PUT",
            &format!("/v1/records/{deu}"),
            Some(&h.tokens["DEU:contributor"]),
            Some(&hidden.to_string()),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let ita = api
        .get("/v1/hits", "/v1/hits?side=screener", "ITA:screener")
        .await;
    assert!(ita["hits"]
        .as_array()
        .unwrap()
        .iter()
        .any(|h| h["disclosure"] == "withdrawn"));
    let stored = api
        .get(
            "/v1/manifests/{id}",
            summary["link"].as_str().unwrap(),
            "ITA:screener",
        )
        .await;
    assert!(stored.to_string().contains("withdrawn"), "{stored}");

    // The audit log of all this, an empty page, and the chain.
    let log = api
        .get("/v1/audit", "/v1/audit?limit=1000", "EUROPOL:auditor")
        .await;
    assert!(log["entries"].as_array().unwrap().len() > 20);
    let empty = api
        .get("/v1/audit", "/v1/audit?after=1000000", "EUROPOL:auditor")
        .await;
    assert!(empty["next_after"].is_null());
    api.get("/v1/audit/verify", "/v1/audit/verify", "EUROPOL:auditor")
        .await;
}

/// Every `$ref` in `value`, with where it stands.
fn refs<'a>(value: &'a Value, at: String, out: &mut Vec<(String, &'a str)>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                match (k.as_str(), v) {
                    ("$ref", Value::String(r)) => out.push((at.clone(), r)),
                    _ => refs(v, format!("{at}/{k}"), out),
                }
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                refs(v, format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

#[test]
fn every_ref_resolves_and_every_schema_is_used() {
    let doc = document();
    let mut found = Vec::new();
    refs(&doc, String::new(), &mut found);
    for (at, r) in &found {
        let target = r.strip_prefix('#').and_then(|p| doc.pointer(p));
        assert!(target.is_some(), "{at}: $ref {r} does not resolve");
    }
    for name in doc["components"]["schemas"].as_object().unwrap().keys() {
        let prefix = format!("#/components/schemas/{name}");
        let used = found
            .iter()
            .any(|(_, r)| *r == prefix || r.starts_with(&format!("{prefix}/")));
        assert!(used, "schema {name} is referenced nowhere");
    }
}

/// The variants a derived `Deserialize` enum accepts, from its error for an
/// unknown one ("unknown variant `?`, expected one of `a`, `b`").
fn variants<T: DeserializeOwned>() -> Vec<String> {
    let error = serde_json::from_str::<T>("\"?\"")
        .err()
        .unwrap()
        .to_string();
    let (_, expected) = error.split_once("expected").unwrap();
    expected
        .split('`')
        .skip(1)
        .step_by(2)
        .map(String::from)
        .collect()
}

/// The variants of `pub enum {name}` in `source`: its strum names when it
/// has them, else its snake_cased identifiers.
fn source_variants(source: &str, name: &str) -> Vec<String> {
    let (_, body) = source.split_once(&format!("pub enum {name} {{")).unwrap();
    let (body, _) = body.split_once("\n}").unwrap();
    let named: Vec<String> = body
        .lines()
        .filter_map(|l| l.trim().strip_prefix("#[strum(serialize = \""))
        .filter_map(|l| l.split_once('"').map(|(n, _)| n.to_string()))
        .collect();
    if !named.is_empty() {
        return named;
    }
    let ident = |l: &str| l.trim().strip_suffix(',').map(str::to_string);
    let snake = |id: String| {
        id.chars().enumerate().fold(String::new(), |mut s, (i, c)| {
            if c.is_uppercase() && i > 0 {
                s.push('_');
            }
            s.push(c.to_ascii_lowercase());
            s
        })
    };
    body.lines()
        .filter(|l| !l.trim_start().starts_with(['/', '#']))
        .filter_map(ident)
        .map(snake)
        .collect()
}

fn documented_enum(doc: &Value, segments: &[&str]) -> Vec<String> {
    let schema = resolve(doc, at(doc, segments));
    let values = schema["enum"].as_array().unwrap();
    values
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect()
}

#[test]
fn documented_enums_name_every_variant() {
    let doc = document();
    let schemas = ["components", "schemas"];
    let enum_of = |name: &str| documented_enum(&doc, &[schemas[0], schemas[1], name]);
    assert_eq!(enum_of("Basis"), variants::<Basis>());
    assert_eq!(enum_of("DateVerdict"), variants::<DateVerdict>());
    assert_eq!(enum_of("Verdict"), variants::<Verdict>());
    assert_eq!(enum_of("DocumentVerdict"), variants::<DocumentVerdict>());
    assert_eq!(enum_of("HitStatus"), variants::<HitStatus>());
    assert_eq!(enum_of("Access"), variants::<Access>());
    let state = documented_enum(
        &doc,
        &[
            "components",
            "schemas",
            "IdentityLink",
            "properties",
            "state",
        ],
    );
    assert_eq!(state, variants::<vigil_core::LinkState>());
    let kind = documented_enum(
        &doc,
        &[
            "components",
            "schemas",
            "Explanation",
            "properties",
            "matched_kind",
        ],
    );
    assert_eq!(kind, variants::<NameKind>());
    let role = documented_enum(
        &doc,
        &["components", "schemas", "AuditEntry", "properties", "role"],
    );
    assert_eq!(role, variants::<Role>());
    // Action and Outcome have hand-written serde: read their declarations.
    let audit_source = include_str!("../../vigil-core/src/audit.rs");
    let entry = ["components", "schemas", "AuditEntry", "properties"];
    let actions = documented_enum(&doc, &[entry[0], entry[1], entry[2], entry[3], "action"]);
    assert_eq!(actions, source_variants(audit_source, "Action"));
    for name in &actions {
        let action: Action = serde_json::from_value(json!(name)).unwrap();
        assert_eq!(action.as_str(), name);
    }
    let outcomes = documented_enum(&doc, &[entry[0], entry[1], entry[2], entry[3], "outcome"]);
    assert_eq!(outcomes, source_variants(audit_source, "Outcome"));
    for name in &outcomes {
        let outcome: Outcome = serde_json::from_value(json!(name)).unwrap();
        assert_eq!(serde_json::to_value(outcome).unwrap(), json!(name));
    }
}

#[test]
fn the_checker_rejects_what_the_document_does_not_say() {
    let doc = document();
    let adjustment = json!({"$ref": "#/components/schemas/Adjustment"});
    let fits = |v: Value| check(&doc, &adjustment, &v, "$");
    assert!(fits(json!({"reason": "birth date agrees", "delta": 0.05})).is_ok());
    assert!(
        fits(json!({"reason": "r", "delta": 0.05, "weight": 1})).is_err(),
        "undocumented key"
    );
    assert!(
        fits(json!({"reason": "r"})).is_err(),
        "missing required key"
    );
    assert!(
        fits(json!({"reason": "r", "delta": "0.05"})).is_err(),
        "wrong type"
    );
    let context = json!({"$ref": "#/components/schemas/HitContext"});
    assert!(check(
        &doc,
        &context,
        &json!({"border_post": "X", "traveller": 2}),
        "$"
    )
    .is_ok());
    assert!(check(&doc, &context, &json!({"traveller": "2"}), "$").is_err());
    let view = json!({"$ref": "#/components/schemas/RecordView"});
    let hit_only = json!({"id": "01900000-0000-7000-8000-000000000000", "owner": "FRA", "reference": "R", "disclosure": "hit_only", "instruction": "Call."});
    assert!(check(&doc, &view, &hit_only, "$").is_ok());
    let mut leaky = hit_only.clone();
    leaky["names"] = json!([{"full": "Anna"}]);
    assert!(check(&doc, &view, &leaky, "$").is_err(), "no branch fits");
    let diagnostic = json!({"$ref": "#/components/schemas/TravellerDiagnostic"});
    let whole_list =
        json!({"traveller": null, "severity": "error", "code": "count_mismatch", "message": "m"});
    assert!(
        check(&doc, &diagnostic, &whole_list, "$").is_ok(),
        "nullable"
    );
    let mut bad = whole_list.clone();
    bad["severity"] = json!("fatal");
    assert!(check(&doc, &diagnostic, &bad, "$").is_err(), "enum");
}

#[tokio::test]
async fn federation_bodies_fit_their_documented_schemas() {
    let doc = document();
    let h = Harness::new();
    let api = Api { h: &h, doc: &doc };
    let operator = vigil_service::Ctx::new(
        vigil_core::Caller {
            agency: vigil_core::AgencyCode::parse("INTERPOL").unwrap(),
            role: vigil_core::Role::Operator,
            token_id: "t".into(),
        },
        "test",
    );
    h.state
        .vigil
        .org_init(
            &operator,
            &vigil_core::AgencyCode::parse("INTERPOL").unwrap(),
            "INTERPOL",
        )
        .unwrap();
    let europol = vigil_federation::OrgKeys::generate();
    let peer = json!({"code": "EUROPOL", "url": "http://127.0.0.1:9", "key": europol.public().to_string()});
    api.post("/v1/peers", "/v1/peers", "INTERPOL:operator", Some(peer))
        .await;
    api.get("/v1/org", "/v1/org", "FRA:screener").await;
    h.create(
        "FRA",
        json!({"reference": "R-1", "names": [{"full": "Ivan Example"}],
        "policy": {"release": [{"org": "EUROPOL", "level": "full"}]}}),
    )
    .await;
    // Nothing listens on the peer's URL: the round fails, documented.
    let sync = api
        .post(
            "/v1/sync",
            "/v1/sync",
            "INTERPOL:operator",
            Some(json!({"peer": "EUROPOL"})),
        )
        .await;
    assert_eq!(sync["results"][0]["ok"], false);
    let peers = api.get("/v1/peers", "/v1/peers", "INTERPOL:operator").await;
    assert!(peers["peers"][0]["last_error"].is_string(), "{peers}");
    api.get(
        "/v1/peers/{code}/quarantine",
        "/v1/peers/EUROPOL/quarantine",
        "INTERPOL:operator",
    )
    .await;
    // The feed, as the peer reads it.
    let path = "/v1/federation/feed?after=0";
    let me = vigil_core::AgencyCode::parse("EUROPOL").unwrap();
    let s = vigil_federation::request::sign(&europol, &me, "GET", path, b"", chrono::Utc::now());
    let req = axum::http::Request::builder()
        .uri(path)
        .header("vigil-peer", s.peer)
        .header("vigil-time", s.time)
        .header("vigil-signature", s.signature)
        .body(axum::body::Body::empty())
        .unwrap();
    let resp = tower::ServiceExt::oneshot(vigil_server::app(h.state.clone()), req)
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let body = axum::body::to_bytes(resp.into_body(), usize::MAX)
        .await
        .unwrap();
    let batch: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(batch["ops"].as_array().unwrap().len(), 1);
    assert_fits(
        &doc,
        response(&doc, "get", "/v1/federation/feed", "200"),
        &batch,
    );
}

#[tokio::test]
async fn link_gap_and_statistics_bodies_fit_their_documented_schemas() {
    let doc = document();
    let h = Harness::new();
    let api = Api { h: &h, doc: &doc };
    let person = |reference: &str, name: &str| {
        json!({"reference": reference, "names": [{"full": name}], "birth_dates": ["1984-06-01"],
               "documents": [{"number": "N1234567"}], "nationalities": ["SYR"]})
    };
    h.create("FRA", person("F-1", "Khaled Mansour")).await;
    h.create("DEU", person("D-1", "Chaled Mansur")).await;
    h.create(
        "ITA",
        json!({"reference": "I-1", "names": [{"full": "Khaled Mansour"}], "birth_dates": ["1984-06-01"]}),
    )
    .await;
    h.state.vigil.catch_up().unwrap();
    let page = api.get("/v1/links", "/v1/links", "FRA:analyst").await;
    assert!(page["count"].as_u64().unwrap() >= 2, "{page}");
    let yellow = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["state"] == "yellow")
        .unwrap_or_else(|| panic!("{page}"))
        .clone();
    let id = yellow["id"].to_string();
    api.get("/v1/links/{id}", &format!("/v1/links/{id}"), "FRA:analyst")
        .await;
    let decided = api
        .post(
            "/v1/links/{id}/decision",
            &format!("/v1/links/{id}/decision"),
            "ITA:analyst",
            Some(json!({"state": "white", "note": "same fingerprints on file"})),
        )
        .await;
    let cluster = decided["cluster"].as_i64().unwrap();
    api.get(
        "/v1/clusters/{id}",
        &format!("/v1/clusters/{cluster}"),
        "FRA:analyst",
    )
    .await;
    let gaps = api
        .get("/v1/gaps", "/v1/gaps?a=FRA&b=ITA", "FRA:analyst")
        .await;
    assert_eq!(gaps["in_both"], 1, "{gaps}");
    assert_eq!(gaps["differing"], 1, "{gaps}");
    let stats = api.get("/v1/stats", "/v1/stats", "FRA:analyst").await;
    assert_eq!(stats["records"]["FRA"]["active"], 1, "{stats}");
    // Undoing the white link is a judgement like any other.
    let green = h
        .call_as(
            "POST",
            &format!("/v1/links/{id}/decision"),
            Some(&h.tokens["ITA:analyst"]),
            Some(r#"{"state": "green", "note": "x"}"#),
            "application/json",
        )
        .await;
    assert_eq!(green.status, axum::http::StatusCode::OK);
}

/// The document itself: every response of every operation says what its
/// body is (a 204 has none).
#[test]
fn every_response_documents_its_body() {
    let doc = document();
    let mut missing = Vec::new();
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for (method, op) in ops.as_object().unwrap() {
            let Some(responses) = op.get("responses").and_then(Value::as_object) else {
                continue;
            };
            for (status, r) in responses {
                let documented = r["content"].as_object().is_some_and(|c| {
                    !c.is_empty() && c.values().all(|m| m.get("schema").is_some())
                });
                if status != "204" && !documented {
                    missing.push(format!("{method} {path} {status}"));
                }
            }
        }
    }
    assert!(missing.is_empty(), "no body documented: {missing:#?}");
}

/// The administration bodies, yente's `/match`, an import report and the
/// error body on each error status, checked against the document.
#[tokio::test]
async fn administration_match_import_and_error_bodies_fit_their_schemas() {
    let doc = document();
    let h = Harness::new();
    let api = Api { h: &h, doc: &doc };
    let health = h.call("GET", "/health", None, None).await;
    assert_fits(
        &doc,
        response(&doc, "get", "/health", "200"),
        &health.json(),
    );

    api.get("/v1/agencies", "/v1/agencies", "FRA:operator")
        .await;
    api.post(
        "/v1/agencies",
        "/v1/agencies",
        "FRA:operator",
        Some(json!({"code": "ESP", "name": "Spain", "kind": "country_bureau"})),
    )
    .await;
    let made = api
        .post(
            "/v1/tokens",
            "/v1/tokens",
            "FRA:admin",
            Some(json!({"agency": "FRA", "role": "screener", "label": "gate 4", "default_purpose": "border check"})),
        )
        .await;
    assert_eq!(made["token"]["default_purpose"], "border check");
    api.get("/v1/tokens", "/v1/tokens", "FRA:admin").await;
    api.post(
        "/v1/webhooks",
        "/v1/webhooks",
        "FRA:analyst",
        Some(json!({"url": "http://127.0.0.1:9/hits"})),
    )
    .await;
    api.get("/v1/webhooks", "/v1/webhooks", "FRA:analyst").await;

    let ftm = json!({"id": "p1", "schema": "Person", "properties": {"name": ["Anna Maria Eriksson"], "birthDate": ["1974-08-12"]}});
    let import = h
        .call_as(
            "POST",
            "/v1/import?format=ftm",
            Some(&h.tokens["FRA:contributor"]),
            Some(&format!("{ftm}\n{{\"schema\": \"Person\"}}\n")),
            "application/x-ndjson",
        )
        .await;
    assert_eq!(
        import.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&import.body)
    );
    let report = import.json();
    assert_eq!(report["rejected"], 1, "{report}");
    assert_fits(&doc, response(&doc, "post", "/v1/import", "200"), &report);

    // `/match`: DEU reads FRA's import in full; a hit-only record answers
    // ITA with its hit-only result.
    h.create("DEU", mueller()).await;
    let queries = json!({"queries": {
        "a": {"schema": "Person", "properties": {"name": ["Anna Maria Eriksson"], "nationality": ["Utopia"]}},
        "b": {"schema": "Person", "properties": {"name": ["Juergen Mueller"], "birthDate": ["1985-08-12"]}},
        "c": {"schema": "Company", "properties": {"name": ["Acme"]}},
        "d": null,
    }});
    for by in ["DEU:screener", "ITA:screener"] {
        let answer = api
            .post(
                "/v1/match/{dataset}",
                "/v1/match/default?limit=3&topics=crime.terror&topics=sanction",
                by,
                Some(queries.clone()),
            )
            .await;
        assert_eq!(
            answer["responses"].as_object().unwrap().len(),
            3,
            "{answer}"
        );
    }
    let ita = api
        .post(
            "/v1/match",
            "/v1/match?threshold=0.5",
            "ITA:screener",
            Some(queries.clone()),
        )
        .await;
    let hit_only = &ita["responses"]["b"]["results"][0];
    assert_eq!(hit_only["properties"], json!({}), "{ita}");
    assert!(
        hit_only["explanations"]["hit_only"]["detail"].is_string(),
        "{ita}"
    );

    // Errors, each status with the one error body.
    let error = |method: &str, path: &str, status: &str, r: &common::Reply| {
        assert_eq!(
            r.status.as_str(),
            status,
            "{}",
            String::from_utf8_lossy(&r.body)
        );
        let body = r.json();
        assert_eq!(body["detail"], body["error"]["message"], "{body}");
        assert_fits(&doc, response(&doc, method, path, status), &body);
    };
    let screener = &h.tokens["DEU:screener"];
    let q = Some(r#"{"queries": {"x": {"schema": "Person", "properties": {"name": ["x"]}}}}"#);
    let r = h.call("POST", "/v1/match/nowhere", Some(screener), q).await;
    error("post", "/v1/match/{dataset}", "404", &r);
    let r = h
        .call(
            "POST",
            "/v1/match/default",
            Some(screener),
            Some(r#"{"queries": {}}"#),
        )
        .await;
    error("post", "/v1/match/{dataset}", "400", &r);
    let r = h
        .call("POST", "/v1/match/default?limit=501", Some(screener), q)
        .await;
    error("post", "/v1/match/{dataset}", "400", &r);
    let r = h.call("GET", "/v1/records", Some("vgl_wrong"), None).await;
    error("get", "/v1/records", "401", &r);
    let r = h.call("GET", "/v1/tokens", Some(screener), None).await;
    error("get", "/v1/tokens", "403", &r);
    let bad = json!({"reference": "", "names": []}).to_string();
    let r = h
        .call(
            "POST",
            "/v1/records",
            Some(&h.tokens["DEU:contributor"]),
            Some(&bad),
        )
        .await;
    error("post", "/v1/records", "422", &r);
}
