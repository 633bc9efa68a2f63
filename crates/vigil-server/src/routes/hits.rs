//! `/v1/hits`: the owner's inbox, detail, decisions and live stream, and
//! the screening agency's view of its own hits.

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::IntoResponse;
use axum::Json;
use futures_util::stream::{self, StreamExt};
use serde::Deserialize;
use tokio_stream::wrappers::{IntervalStream, WatchStream};
use vigil_core::HitStatus;
use vigil_service::hits::{Decision, HitSide};

use vigil_service::Ctx;

use super::blocking;
use crate::error::ApiResult;
use crate::extract::{Authed, JsonBody, PathId, QueryParams};
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
    let ctx = Ctx::from(auth);
    let hits = blocking(&state, move |v| {
        v.list_hits(&ctx, q.side, q.status, q.after, q.limit.unwrap_or(100))
    })
    .await?;
    Ok(Json(serde_json::json!({ "hits": hits })))
}

pub async fn get(
    State(state): State<AppState>,
    auth: Authed,
    PathId(id): PathId,
) -> ApiResult<impl IntoResponse> {
    let ctx = Ctx::from(auth);
    Ok(Json(blocking(&state, move |v| v.get_hit(&ctx, &id)).await?))
}

pub async fn decide(
    State(state): State<AppState>,
    auth: Authed,
    PathId(id): PathId,
    JsonBody(decision): JsonBody<Decision>,
) -> ApiResult<impl IntoResponse> {
    let ctx = Ctx::from(auth);
    Ok(Json(
        blocking(&state, move |v| v.decide_hit(&ctx, &id, decision)).await?,
    ))
}

/// Server-sent events: every hit on the caller's agency's records as it is
/// stored. The event id is the hit's sequence number, so a client that
/// reconnects with `Last-Event-ID` gets exactly what it missed; without one
/// the stream starts with the next hit (the inbox holds the earlier ones).
pub async fn stream(
    State(state): State<AppState>,
    auth: Authed,
    headers: HeaderMap,
) -> ApiResult<impl IntoResponse> {
    let last = last_event_id(&headers);
    // An API stream lasts as long as its token: revocation ends it.
    hit_events(&state, Ctx::from(auth), last, || true).await
}

/// The `Last-Event-ID` a reconnecting stream sends.
pub(crate) fn last_event_id(headers: &HeaderMap) -> Option<i64> {
    headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse().ok())
}

/// The live stream of `ctx`'s agency's hits after `last` (from now when
/// `None`), as server-sent events: the API's and the console's.
/// `still_open` is asked at every wake (at least every second): when it
/// says no (the console session behind the stream has ended), the stream
/// ends.
pub(crate) async fn hit_events(
    state: &AppState,
    ctx: Ctx,
    last: Option<i64>,
    still_open: impl Fn() -> bool + Send + 'static,
) -> ApiResult<Sse<impl futures_util::Stream<Item = Result<Event, Infallible>>>> {
    let hits = blocking(state, move |v| v.open_hit_stream(&ctx, last)).await?;
    // Woken by every new hit and every revocation of this process, and every
    // second for what another process did; each wake checks the token and
    // reads what is new for this owner.
    let wakes = stream::select(
        stream::select(
            WatchStream::new(state.vigil.hit_feed()).map(|_| ()),
            WatchStream::new(state.vigil.revocations()).map(|_| ()),
        ),
        IntervalStream::new(tokio::time::interval(POLL_EVERY)).map(|_| ()),
    );
    let vigil = state.vigil.clone();
    let events = stream::unfold(
        (vigil, hits, wakes, still_open),
        |(vigil, mut hits, mut wakes, still_open)| async move {
            // Catching up runs at full speed; a caught-up stream waits.
            if hits.caught_up() {
                wakes.next().await?;
            }
            if !still_open() {
                return None;
            }
            let v = vigil.clone();
            let (batch, hits) = tokio::task::spawn_blocking(move || (v.next_hits(&mut hits), hits))
                .await
                .inspect_err(|e| tracing::error!(error = %e, "hit stream task failed"))
                .ok()?;
            // `None`: the token was revoked, and the stream ends.
            let batch = batch
                .inspect_err(|e| tracing::error!(error = %e, "reading hits for a stream failed"))
                .ok()??;
            Some((stream::iter(batch), (vigil, hits, wakes, still_open)))
        },
    )
    .flatten()
    .map(|hit| {
        Ok::<_, Infallible>(
            Event::default()
                .id(hit.seq.to_string())
                .event("hit")
                .json_data(&hit)
                .unwrap_or_else(|_| Event::default().comment("unserialisable hit")),
        )
    });
    Ok(Sse::new(events).keep_alive(KeepAlive::default()))
}

/// How often an open stream looks for what other processes did: hits they
/// stored, tokens they revoked.
const POLL_EVERY: Duration = Duration::from_secs(1);
