//! `/v1/hits` (inbox, detail, decisions, live stream) and `/v1/webhooks`.

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::IntoResponse;
use axum::Json;
use futures_util::stream::Stream;
use serde::Deserialize;
use vigil_store::HitStatus;

use super::blocking;
use crate::error::ApiResult;
use crate::extract::{Authed, JsonBody, QueryParams};
use crate::hits::{Decision, HitSide};
use crate::service::Ctx;
use crate::AppState;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HitQuery {
    status: Option<HitStatus>,
    #[serde(default)]
    side: HitSide,
    after: Option<i64>,
    limit: Option<usize>,
}

pub async fn list(
    State(state): State<AppState>,
    auth: Authed,
    QueryParams(q): QueryParams<HitQuery>,
) -> ApiResult<impl IntoResponse> {
    let ctx = Ctx::new(auth.caller, auth.purpose);
    let hits = blocking(&state, move |v| {
        v.list_hits(&ctx, q.side, q.status, q.after, q.limit.unwrap_or(100))
    })
    .await?;
    Ok(Json(serde_json::json!({ "hits": hits })))
}

pub async fn get(
    State(state): State<AppState>,
    auth: Authed,
    Path(id): Path<String>,
) -> ApiResult<impl IntoResponse> {
    let ctx = Ctx::new(auth.caller, auth.purpose);
    Ok(Json(blocking(&state, move |v| v.get_hit(&ctx, &id)).await?))
}

pub async fn decide(
    State(state): State<AppState>,
    auth: Authed,
    Path(id): Path<String>,
    JsonBody(decision): JsonBody<Decision>,
) -> ApiResult<impl IntoResponse> {
    let ctx = Ctx::new(auth.caller, auth.purpose);
    Ok(Json(
        blocking(&state, move |v| v.decide_hit(&ctx, &id, decision)).await?,
    ))
}

/// Server-sent events: every hit on the caller's agency's records as it is
/// stored. The event id is the hit's sequence number, so a client that
/// reconnects with `Last-Event-ID` gets exactly what it missed.
pub async fn stream(
    State(state): State<AppState>,
    auth: Authed,
    headers: HeaderMap,
) -> ApiResult<impl IntoResponse> {
    let owner = auth.caller.agency.clone();
    let mut last: i64 = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    let ctx = Ctx::new(auth.caller, auth.purpose);
    blocking(&state, move |v| {
        v.store()
            .append_audit(ctx.event_for(
                "hit.stream",
                serde_json::json!({"last_event_id": last}),
                vec![],
                200,
            ))
            .map_err(Into::into)
    })
    .await?;
    let vigil = state.vigil.clone();
    let mut feed = vigil.hit_feed();
    let events = async_stream(move |tx| async move {
        loop {
            let (v, o) = (vigil.clone(), owner.clone());
            let batch = tokio::task::spawn_blocking(move || v.owner_hits_after(&o, last)).await;
            let Ok(Ok(batch)) = batch else { break };
            for hit in batch {
                last = hit.seq;
                let event = Event::default()
                    .id(hit.seq.to_string())
                    .event("hit")
                    .json_data(&hit)
                    .unwrap_or_else(|_| Event::default().comment("unserialisable hit"));
                if tx.send(event).await.is_err() {
                    return;
                }
            }
            if tokio::time::timeout(Duration::from_secs(5), feed.changed())
                .await
                .is_ok_and(|r| r.is_err())
            {
                break;
            }
        }
    });
    Ok(Sse::new(events).keep_alive(KeepAlive::default()))
}

/// A stream fed by a task through a small channel.
fn async_stream<F, Fut>(producer: F) -> impl Stream<Item = Result<Event, Infallible>>
where
    F: FnOnce(tokio::sync::mpsc::Sender<Event>) -> Fut,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let (tx, rx) = tokio::sync::mpsc::channel(64);
    tokio::spawn(producer(tx));
    futures_util::stream::unfold(
        rx,
        |mut rx| async move { rx.recv().await.map(|e| (Ok(e), rx)) },
    )
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewWebhook {
    url: String,
    #[serde(default)]
    secret: Option<String>,
}

pub async fn create_webhook(
    State(state): State<AppState>,
    auth: Authed,
    JsonBody(body): JsonBody<NewWebhook>,
) -> ApiResult<impl IntoResponse> {
    let ctx = Ctx::new(auth.caller, auth.purpose);
    let hook = blocking(&state, move |v| {
        v.create_webhook(&ctx, &body.url, body.secret)
    })
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(
            serde_json::json!({"webhook": hook, "secret": hook.secret, "note": "the secret signs every delivery (X-Vigil-Signature: sha256=HMAC); it is shown once"}),
        ),
    ))
}

pub async fn list_webhooks(
    State(state): State<AppState>,
    auth: Authed,
) -> ApiResult<impl IntoResponse> {
    let ctx = Ctx::new(auth.caller, auth.purpose);
    let hooks = blocking(&state, move |v| v.webhooks(&ctx)).await?;
    Ok(Json(serde_json::json!({ "webhooks": hooks })))
}

pub async fn delete_webhook(
    State(state): State<AppState>,
    auth: Authed,
    Path(id): Path<String>,
) -> ApiResult<impl IntoResponse> {
    let ctx = Ctx::new(auth.caller, auth.purpose);
    blocking(&state, move |v| v.delete_webhook(&ctx, &id)).await?;
    Ok(StatusCode::NO_CONTENT)
}
