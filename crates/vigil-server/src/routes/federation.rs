//! `/v1/federation/feed` (a peer pulls its release feed, signed with its
//! key), `/v1/federation/hits` (a peer sends hits on copies home),
//! `/v1/federation/screen` (a peer's screening, forwarded),
//! `/v1/org` (this instance's organisation), `/v1/peers` and
//! `/v1/sync` (the operator registers peers, reads their status, runs a
//! sync round).

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use serde::Deserialize;
use vigil_core::AgencyCode;
use vigil_federation::request::BATCH_SIGNATURE_HEADER;
use vigil_service::federation::MAX_BATCH;
use vigil_service::{Ctx, ServiceError};

use super::blocking;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Authed, JsonBody, PathId, PeerAuthed, PeerSigned, QueryParams};
use crate::{peer_sync, AppState};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeedQuery {
    #[serde(default)]
    after: i64,
    #[serde(default)]
    limit: Option<usize>,
    #[serde(default)]
    epoch: Option<String>,
    #[serde(default)]
    digest: Option<String>,
}

/// The next batch of the calling peer's release feed: the batch's exact
/// bytes, and their signature in `Vigil-Batch-Signature`.
pub async fn feed(
    State(state): State<AppState>,
    peer: PeerAuthed,
    QueryParams(q): QueryParams<FeedQuery>,
) -> ApiResult<impl IntoResponse> {
    let sealed = blocking(&state, move |v| {
        v.serve_feed(
            &peer.caller,
            q.after,
            q.epoch.as_deref(),
            q.digest.as_deref(),
            q.limit.unwrap_or(MAX_BATCH),
        )
    })
    .await?;
    Ok((
        StatusCode::OK,
        [
            (
                header::CONTENT_TYPE.as_str(),
                "application/json".to_string(),
            ),
            (BATCH_SIGNATURE_HEADER, sealed.signature),
        ],
        sealed.body,
    ))
}

/// Notices of hits at the calling peer on copies of this instance's
/// records: each becomes a hit in its owner's inbox, once per key.
pub async fn hit_notices(
    State(state): State<AppState>,
    signed: PeerSigned,
) -> ApiResult<impl IntoResponse> {
    let received = blocking(&state, move |v| {
        v.receive_hit_notices(&signed.caller, &signed.body)
    })
    .await?;
    Ok(Json(serde_json::json!({ "received": received })))
}

/// A screening forwarded by the calling peer, answered hit/no-hit from
/// the records it may query here.
pub async fn forwarded_query(
    State(state): State<AppState>,
    signed: PeerSigned,
) -> ApiResult<impl IntoResponse> {
    let answer = blocking(&state, move |v| {
        v.answer_query(&signed.caller, &signed.body)
    })
    .await?;
    Ok(Json(answer))
}

pub async fn org(State(state): State<AppState>, _auth: Authed) -> ApiResult<impl IntoResponse> {
    let org = blocking(&state, |v| v.org()).await?;
    org.map(|o| Json(serde_json::json!({ "org": o })))
        .ok_or(ApiError::NotFound("organisation identity"))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewPeer {
    code: String,
    url: String,
    key: String,
}

pub async fn add_peer(
    State(state): State<AppState>,
    auth: Authed,
    JsonBody(body): JsonBody<NewPeer>,
) -> ApiResult<impl IntoResponse> {
    let ctx = Ctx::from(auth);
    let peer = blocking(&state, move |v| {
        v.add_peer(&ctx, &body.code, &body.url, &body.key)
    })
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(serde_json::json!({ "peer": peer })),
    ))
}

pub async fn list_peers(
    State(state): State<AppState>,
    auth: Authed,
) -> ApiResult<impl IntoResponse> {
    let ctx = Ctx::from(auth);
    let peers = blocking(&state, move |v| v.peer_status(&ctx, None)).await?;
    Ok(Json(serde_json::json!({ "peers": peers })))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuarantineQuery {
    #[serde(default)]
    limit: Option<usize>,
}

/// The operations from a peer held in quarantine, with their diagnostics.
pub async fn quarantine(
    State(state): State<AppState>,
    auth: Authed,
    PathId(code): PathId,
    QueryParams(q): QueryParams<QuarantineQuery>,
) -> ApiResult<impl IntoResponse> {
    let ctx = Ctx::from(auth);
    let peer = AgencyCode::parse_org(&code).map_err(|e| {
        ApiError::Invalid(vec![vigil_core::FieldError {
            path: "code".into(),
            message: e.message,
        }])
    })?;
    let list = blocking(&state, move |v| {
        v.quarantine(&ctx, &peer, q.limit.unwrap_or(100))
    })
    .await?;
    Ok(Json(serde_json::json!({ "quarantine": list })))
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SyncRequest {
    #[serde(default)]
    peer: Option<AgencyCode>,
}

/// One sync round with every peer (or the named one), now.
pub async fn sync(
    State(state): State<AppState>,
    auth: Authed,
    JsonBody(body): JsonBody<SyncRequest>,
) -> ApiResult<impl IntoResponse> {
    let ctx = Ctx::from(auth);
    let timeout = state.config.peer_timeout;
    let rounds = blocking(&state, move |v| {
        // The status read is the permission check (the operator's) and
        // says whether the named peer exists.
        v.peer_status(&ctx, body.peer.as_ref())?;
        let client = peer_sync::client(timeout)
            .map_err(|e| ServiceError::Internal(format!("HTTP client: {e}")))?;
        Ok(peer_sync::sync_all(v, body.peer.as_ref(), &client))
    })
    .await?;
    let results: Vec<serde_json::Value> = rounds
        .into_iter()
        .map(|(peer, outcome)| match outcome {
            Ok(round) => serde_json::json!({"peer": peer, "ok": true, "round": round}),
            Err(error) => serde_json::json!({"peer": peer, "ok": false, "error": error}),
        })
        .collect();
    Ok(Json(serde_json::json!({ "results": results })))
}
