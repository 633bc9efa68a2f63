//! A test harness around the real router and a real SQLite store in a
//! temporary directory: requests go through `oneshot`, no socket needed.

#![allow(dead_code)] // each test binary uses a different part of the harness

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use futures_util::StreamExt;
use tower::ServiceExt;
use vigil_core::audit::AuditEvent;
use vigil_core::{Action, AgencyCode, AgencyKind, Outcome, Role};
use vigil_server::{app, AppState, ServerConfig};
use vigil_service::Vigil;
use vigil_store::prelude::*;
use vigil_store::SqliteStore;

pub struct Harness {
    pub dir: tempfile::TempDir,
    pub store: Arc<SqliteStore>,
    pub state: AppState,
    /// "AGENCY:role" → token secret.
    pub tokens: HashMap<String, String>,
    /// Token id → "AGENCY:role".
    pub token_labels: HashMap<String, String>,
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or(serde_json::Value::Null)
    }
}

/// The audit event of the harness's own set-up (agencies, tokens, records
/// written behind the API).
pub fn setup_event(action: Action) -> AuditEvent {
    AuditEvent {
        agency: AgencyCode::parse("LOCAL").unwrap(),
        role: Role::Admin,
        token_id: "test".into(),
        purpose: "test set-up".into(),
        action,
        request: serde_json::Value::Null,
        disclosed: vec![],
        outcome: Outcome::Done,
    }
}

/// One server-sent event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SseEvent {
    pub event: String,
    pub id: String,
    pub data: String,
}

/// ICAO 9303's specimen passport (TD3): Anna Maria Eriksson of Utopia.
pub const TD3: &str =
    "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10";

pub const AGENCIES: &[&str] = &["INTERPOL", "EUROPOL", "FRA", "DEU", "ITA"];

impl Harness {
    pub fn new() -> Self {
        Self::with_config(ServerConfig::default())
    }

    pub fn with_config(config: ServerConfig) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(SqliteStore::open(dir.path()).unwrap());
        let mut tokens = HashMap::new();
        let mut token_labels = HashMap::new();
        for code in AGENCIES {
            let code = AgencyCode::parse(code).unwrap();
            store
                .create_agency(
                    &code,
                    code.as_str(),
                    AgencyKind::guess(&code),
                    setup_event(Action::AgencyCreate),
                )
                .unwrap();
            for role in Role::ALL {
                let id = vigil_store::new_token_id();
                let (_, secret) = store
                    .create_token(
                        &id,
                        &code,
                        role,
                        &vigil_store::TokenOptions::default(),
                        setup_event(Action::TokenCreate),
                    )
                    .unwrap();
                tokens.insert(format!("{code}:{role}"), secret);
                token_labels.insert(id, format!("{code}:{role}"));
            }
        }
        // Tests' webhook receivers listen on loopback.
        let service = vigil_service::Config {
            allow_private_webhooks: true,
            ..vigil_service::Config::default()
        };
        let vigil = Arc::new(Vigil::new(store.clone(), service));
        Harness {
            dir,
            store,
            state: AppState::new(vigil, config),
            tokens,
            token_labels,
        }
    }

    pub fn token(&self, agency: &str, role: &str) -> String {
        self.tokens[&format!("{agency}:{role}")].clone()
    }

    pub async fn call(
        &self,
        method: &str,
        uri: &str,
        token: Option<&str>,
        body: Option<&str>,
    ) -> Reply {
        self.call_as(method, uri, token, body, "application/json")
            .await
    }

    pub async fn call_as(
        &self,
        method: &str,
        uri: &str,
        token: Option<&str>,
        body: Option<&str>,
        content_type: &str,
    ) -> Reply {
        let mut req = Request::builder().method(method).uri(uri);
        if let Some(t) = token {
            req = req
                .header("authorization", format!("Bearer {t}"))
                .header("x-vigil-purpose", "test");
        }
        if body.is_some() {
            req = req.header("content-type", content_type);
        }
        let req = req
            .body(Body::from(body.unwrap_or("").to_string()))
            .unwrap();
        let resp = app(self.state.clone()).oneshot(req).await.unwrap();
        let status = resp.status();
        let headers = resp.headers().clone();
        let streaming = headers
            .get("content-type")
            .is_some_and(|v| v.as_bytes().starts_with(b"text/event-stream"));
        // An event stream never ends: its body is not read here.
        let body = if streaming {
            Vec::new()
        } else {
            axum::body::to_bytes(resp.into_body(), usize::MAX)
                .await
                .unwrap()
                .to_vec()
        };
        Reply {
            status,
            headers,
            body,
        }
    }

    /// Opens an event stream (with `Last-Event-ID` when given) and reads it
    /// until `want` events have come, then for `quiet` longer to catch any
    /// event beyond them, and drops it. Fails if the `want` events do not
    /// all come within ten seconds. A reply that is not an event stream is
    /// returned whole, with no events.
    pub async fn events(
        &self,
        uri: &str,
        token: &str,
        last_event_id: Option<&str>,
        want: usize,
        quiet: Duration,
    ) -> (Reply, Vec<SseEvent>) {
        let mut req = Request::builder()
            .method("GET")
            .uri(uri)
            .header("authorization", format!("Bearer {token}"))
            .header("x-vigil-purpose", "test");
        if let Some(id) = last_event_id {
            req = req.header("last-event-id", id);
        }
        let req = req.body(Body::empty()).unwrap();
        let resp = app(self.state.clone()).oneshot(req).await.unwrap();
        let status = resp.status();
        let headers = resp.headers().clone();
        let streaming = headers
            .get("content-type")
            .is_some_and(|v| v.as_bytes().starts_with(b"text/event-stream"));
        if !streaming {
            let body = axum::body::to_bytes(resp.into_body(), usize::MAX)
                .await
                .unwrap()
                .to_vec();
            return (
                Reply {
                    status,
                    headers,
                    body,
                },
                Vec::new(),
            );
        }
        let mut body = resp.into_body().into_data_stream();
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        let mut text = String::new();
        let mut events = Vec::new();
        loop {
            let wait = if events.len() >= want {
                quiet
            } else {
                deadline.saturating_duration_since(tokio::time::Instant::now())
            };
            match tokio::time::timeout(wait, body.next()).await {
                Ok(Some(chunk)) => text.push_str(&String::from_utf8_lossy(&chunk.unwrap())),
                Ok(None) => break,
                Err(_) if events.len() >= want => break,
                Err(_) => panic!(
                    "{uri}: {} of {want} events within ten seconds: {text}",
                    events.len()
                ),
            }
            // Complete events end with a blank line.
            while let Some(end) = text.find("\n\n") {
                let block: String = text.drain(..end + 2).collect();
                let mut event = SseEvent {
                    event: String::new(),
                    id: String::new(),
                    data: String::new(),
                };
                let mut fields = 0;
                for line in block.lines() {
                    let (name, value) = line.split_once(':').unwrap_or((line, ""));
                    let value = value.strip_prefix(' ').unwrap_or(value).to_string();
                    fields += 1;
                    match name {
                        "event" => event.event = value,
                        "id" => event.id = value,
                        "data" if event.data.is_empty() => event.data = value,
                        "data" => event.data = format!("{}\n{value}", event.data),
                        // A comment: the keep-alive.
                        _ => fields -= 1,
                    }
                }
                if fields > 0 {
                    events.push(event);
                }
            }
        }
        (
            Reply {
                status,
                headers,
                body: Vec::new(),
            },
            events,
        )
    }

    /// Creates a record as `agency`'s contributor; returns its id.
    pub async fn create(&self, agency: &str, draft: serde_json::Value) -> String {
        let r = self
            .call(
                "POST",
                "/v1/records",
                Some(&self.token(agency, "contributor")),
                Some(&draft.to_string()),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::CREATED,
            "{}",
            String::from_utf8_lossy(&r.body)
        );
        r.json()["id"].as_str().unwrap().to_string()
    }
}
