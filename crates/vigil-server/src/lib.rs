//! Vigil's HTTP JSON API. Only this crate knows HTTP and JSON-over-the-wire.
//!
//! Layout:
//! - [`app`] builds the router (tests call it directly, without a socket);
//!   [`serve`] runs it on a listener until a shutdown future resolves.
//! - [`service`]: the operations, with access rules and auditing applied;
//!   shared with the CLI.
//! - [`routes`]: thin handlers, one module per resource.
//! - [`extract`]: the authenticated caller (bearer token + stated purpose)
//!   and JSON bodies whose errors name the field.
//! - [`error`]: the one HTTP error type.
//! - [`openapi`]: the OpenAPI 3 document served at `/v1/openapi.json`.

pub mod border;
pub mod config;
pub mod error;
pub mod exchange;
pub mod extract;
pub mod hits;
pub mod notify;
pub mod openapi;
pub mod rescreen;
pub mod routes;
pub mod screen;
pub mod screening;
pub mod service;

use std::future::Future;
use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use axum::{Json, Router};

pub use config::Config;
pub use error::ApiError;
pub use service::{Ctx, Vigil};

#[derive(Clone)]
pub struct AppState {
    pub vigil: Arc<Vigil>,
}

/// The whole API as a router.
pub fn app(state: AppState) -> Router {
    let limit = state.vigil.config().body_limit;
    let v1 = Router::new()
        .route(
            "/records",
            post(routes::records::create).get(routes::records::list),
        )
        .route(
            "/records/:id",
            get(routes::records::get).put(routes::records::update),
        )
        .route("/records/:id/retire", post(routes::records::retire))
        .route("/records/:id/history", get(routes::records::history))
        .route(
            "/agencies",
            get(routes::admin::list_agencies).post(routes::admin::create_agency),
        )
        .route(
            "/tokens",
            get(routes::admin::list_tokens).post(routes::admin::create_token),
        )
        .route(
            "/tokens/:id",
            axum::routing::delete(routes::admin::revoke_token),
        )
        .route("/audit", get(routes::audit::list))
        .route("/audit/verify", get(routes::audit::verify))
        .route("/screen", post(routes::screening::screen))
        .route("/screen/mrz", post(routes::screening::screen_mrz))
        .route("/match", post(routes::screening::match_entities))
        .route("/match/:dataset", post(routes::screening::match_entities))
        .route("/manifests", post(routes::screening::create_manifest))
        .route("/manifests/:id", get(routes::screening::get_manifest))
        .route("/import", post(routes::screening::import))
        .route("/export", get(routes::screening::export))
        .route("/hits", get(routes::hits::list))
        .route("/hits/stream", get(routes::hits::stream))
        .route("/hits/:id", get(routes::hits::get))
        .route("/hits/:id/decision", post(routes::hits::decide))
        .route(
            "/webhooks",
            get(routes::hits::list_webhooks).post(routes::hits::create_webhook),
        )
        .route(
            "/webhooks/:id",
            axum::routing::delete(routes::hits::delete_webhook),
        )
        .route("/openapi.json", get(openapi::document));
    Router::new()
        .route("/health", get(health))
        .nest("/v1", v1)
        .fallback(no_route)
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
            serde_json::json!({"error": {"code": "no_route", "message": "no such endpoint; see /v1/openapi.json"}}),
        ),
    )
}

/// Serves the API on `listener` until `shutdown` resolves.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let worker = tokio::spawn(notify::run_webhook_worker(state.vigil.clone()));
    let feed = tokio::spawn(follow_changes(state.vigil.clone()));
    let result = axum::serve(listener, app(state))
        .with_graceful_shutdown(shutdown)
        .await;
    worker.abort();
    feed.abort();
    result
}

/// Builds the screening index, then follows the store's change feed every
/// second: records written by other processes (a CLI import) reach the index
/// and trigger re-screening without waiting for the next screening call.
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
