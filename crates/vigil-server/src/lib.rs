//! Vigil's HTTP JSON API. Only this crate knows HTTP and JSON over the wire;
//! the operations themselves are `vigil-service`'s.
//!
//! Layout:
//! - [`app`] builds the router (tests call it directly, without a socket);
//!   [`serve`] runs it on a listener until a shutdown future resolves,
//!   with the webhook worker and the change-feed follower beside it.
//! - [`routes`]: thin handlers, one module per resource: extract, call the
//!   service on a blocking thread, shape JSON.
//! - [`extract`]: the authenticated caller (bearer token + stated purpose)
//!   and JSON bodies whose errors name the field.
//! - [`error`]: the one HTTP error type, and the one place where service
//!   errors get their status codes.
//! - [`notify`]: webhook delivery (signatures, backoff, retries).
//! - [`peer_sync`]: pulling peers' release feeds (`vigil sync`, and every
//!   interval beside `serve`).
//! - [`console`]: the web console at `/console`, HTML for people, over the
//!   same service calls.
//! - [`config`]: [`ServerConfig`]; [`openapi`]: the OpenAPI 3 document
//!   served at `/v1/openapi.json`.

pub mod config;
pub mod console;
pub mod error;
pub mod extract;
pub mod notify;
pub mod openapi;
pub mod peer_sync;
pub mod routes;

use std::future::Future;
use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use vigil_service::Vigil;

pub use config::ServerConfig;
pub use error::ApiError;

#[derive(Clone)]
pub struct AppState {
    pub vigil: Arc<Vigil>,
    pub config: Arc<ServerConfig>,
    /// The console's signed-in sessions.
    pub sessions: Arc<console::session::Sessions>,
    /// The console's gap reports, computed off the request.
    pub reports: Arc<console::reports::Reports>,
}

impl AppState {
    pub fn new(vigil: Arc<Vigil>, config: ServerConfig) -> Self {
        AppState {
            vigil,
            config: Arc::new(config),
            sessions: Arc::default(),
            reports: Arc::default(),
        }
    }
}

/// The whole API as a router.
pub fn app(state: AppState) -> Router {
    use routes::{
        admin, audit, exchange, federation, hits, links, manifests, records, screening, webhooks,
        yente,
    };
    let limit = state.config.body_limit;
    let v1 = Router::new()
        .route("/records", post(records::create).get(records::list))
        .route("/records/:id", get(records::get).put(records::update))
        .route("/records/:id/retire", post(records::retire))
        .route("/records/:id/history", get(records::history))
        .route(
            "/agencies",
            get(admin::list_agencies).post(admin::create_agency),
        )
        .route("/tokens", get(admin::list_tokens).post(admin::create_token))
        .route("/tokens/:id", delete(admin::revoke_token))
        .route("/audit", get(audit::list))
        .route("/audit/verify", get(audit::verify))
        .route("/screen", post(screening::screen))
        .route("/screen/mrz", post(screening::screen_mrz))
        .route("/match", post(yente::match_entities))
        .route("/match/:dataset", post(yente::match_entities))
        .route("/manifests", post(manifests::create))
        .route("/manifests/:id", get(manifests::get))
        .route("/import", post(exchange::import))
        .route("/export", get(exchange::export))
        .route("/hits", get(hits::list))
        .route("/hits/stream", get(hits::stream))
        .route("/hits/:id", get(hits::get))
        .route("/hits/:id/decision", post(hits::decide))
        .route("/webhooks", get(webhooks::list).post(webhooks::create))
        .route("/webhooks/:id", delete(webhooks::delete))
        .route("/org", get(federation::org))
        .route(
            "/peers",
            get(federation::list_peers).post(federation::add_peer),
        )
        .route("/peers/:code/quarantine", get(federation::quarantine))
        .route("/sync", post(federation::sync))
        .route("/federation/feed", get(federation::feed))
        .route("/federation/hits", post(federation::hit_notices))
        .route("/federation/screen", post(federation::forwarded_query))
        .route("/links", get(links::list))
        .route("/links/:id", get(links::get))
        .route("/links/:id/decision", post(links::decide))
        .route("/clusters/:id", get(links::cluster))
        .route("/gaps", get(links::gaps))
        .route("/stats", get(links::stats))
        .route("/openapi.json", get(openapi::document));
    Router::new()
        .route("/health", get(health))
        .route(
            "/",
            get(|| async { axum::response::Redirect::to("/console") }),
        )
        .nest("/v1", v1)
        .nest("/console", console::router())
        .fallback(no_route)
        .method_not_allowed_fallback(no_method)
        .layer(DefaultBodyLimit::max(limit))
        .with_state(state)
}

async fn health() -> Json<serde_json::Value> {
    Json(serde_json::json!({"status": "ok", "version": env!("CARGO_PKG_VERSION")}))
}

async fn no_route() -> (axum::http::StatusCode, Json<serde_json::Value>) {
    (
        axum::http::StatusCode::NOT_FOUND,
        Json(
            serde_json::json!({"error": {"code": "no_route", "message": "no such endpoint; see /v1/openapi.json"}, "detail": "no such endpoint; see /v1/openapi.json"}),
        ),
    )
}

async fn no_method() -> (axum::http::StatusCode, Json<serde_json::Value>) {
    (
        axum::http::StatusCode::METHOD_NOT_ALLOWED,
        Json(
            serde_json::json!({"error": {"code": "method_not_allowed", "message": "this endpoint does not take that method; see /v1/openapi.json"}, "detail": "this endpoint does not take that method; see /v1/openapi.json"}),
        ),
    )
}

/// Serves the API on `listener` until `shutdown` resolves.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let worker = tokio::spawn(notify::run_webhook_worker(
        state.vigil.clone(),
        state.config.clone(),
    ));
    let feed = tokio::spawn(follow_changes(state.vigil.clone()));
    match peer_sync::HttpForwarder::new(
        state.config.query_timeout,
        tokio::runtime::Handle::current(),
    ) {
        Ok(f) => state.vigil.set_query_forwarder(Arc::new(f)),
        Err(e) => tracing::error!(error = %e, "no HTTP client: screenings will not be forwarded"),
    }
    let home = tokio::spawn(peer_sync::run_home_delivery(
        state.vigil.clone(),
        state.config.peer_timeout,
    ));
    let sync = state.config.sync_interval.map(|interval| {
        tokio::spawn(peer_sync::run_sync_loop(
            state.vigil.clone(),
            interval,
            state.config.peer_timeout,
        ))
    });
    let result = axum::serve(listener, app(state))
        .with_graceful_shutdown(shutdown)
        .await;
    worker.abort();
    feed.abort();
    home.abort();
    if let Some(sync) = sync {
        sync.abort();
    }
    result
}

/// Follows the store's change feed every second: records written by other
/// processes (a CLI import) reach the screening index and trigger
/// re-screening without waiting for the next screening call.
async fn follow_changes(vigil: Arc<Vigil>) {
    loop {
        let v = vigil.clone();
        match tokio::task::spawn_blocking(move || v.catch_up()).await {
            Ok(Err(e)) => tracing::error!(error = %e, "following the change feed failed"),
            Err(e) => tracing::error!(error = %e, "change feed task failed"),
            Ok(Ok(())) => {}
        }
        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    }
}
