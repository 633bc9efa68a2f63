//! `/v1/webhooks`: where an agency's hits are delivered.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use serde::Deserialize;
use vigil_service::Ctx;

use super::blocking;
use crate::error::ApiResult;
use crate::extract::{Authed, JsonBody, PathId};
use crate::AppState;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewWebhook {
    url: String,
    #[serde(default)]
    secret: Option<String>,
}

pub async fn create(
    State(state): State<AppState>,
    auth: Authed,
    JsonBody(body): JsonBody<NewWebhook>,
) -> ApiResult<impl IntoResponse> {
    let ctx = Ctx::from(auth);
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

pub async fn list(State(state): State<AppState>, auth: Authed) -> ApiResult<impl IntoResponse> {
    let ctx = Ctx::from(auth);
    let hooks = blocking(&state, move |v| v.webhooks(&ctx)).await?;
    Ok(Json(serde_json::json!({ "webhooks": hooks })))
}

pub async fn delete(
    State(state): State<AppState>,
    auth: Authed,
    PathId(id): PathId,
) -> ApiResult<impl IntoResponse> {
    let ctx = Ctx::from(auth);
    blocking(&state, move |v| v.delete_webhook(&ctx, &id)).await?;
    Ok(StatusCode::NO_CONTENT)
}
