//! `/v1/agencies` and `/v1/tokens`: identity administration (admin role).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use serde::Deserialize;
use vigil_core::{AgencyCode, AgencyKind, Role};

use vigil_service::Ctx;
use vigil_store::TokenOptions;

use super::blocking;
use crate::error::ApiResult;
use crate::extract::{Authed, JsonBody, PathId, QueryParams};
use crate::AppState;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewAgency {
    code: AgencyCode,
    name: String,
    #[serde(default)]
    kind: Option<AgencyKind>,
}

pub async fn create_agency(
    State(state): State<AppState>,
    auth: Authed,
    JsonBody(body): JsonBody<NewAgency>,
) -> ApiResult<impl IntoResponse> {
    let ctx = Ctx::from(auth);
    let agency = blocking(&state, move |v| {
        v.create_agency(&ctx, &body.code, &body.name, body.kind)
    })
    .await?;
    Ok((StatusCode::CREATED, Json(agency)))
}

pub async fn list_agencies(
    State(state): State<AppState>,
    auth: Authed,
) -> ApiResult<impl IntoResponse> {
    let ctx = Ctx::from(auth);
    let list = blocking(&state, move |v| v.agencies(&ctx)).await?;
    Ok(Json(serde_json::json!({ "agencies": list })))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewToken {
    agency: AgencyCode,
    role: Role,
    #[serde(default)]
    label: Option<String>,
    /// Audited as the purpose of requests made with the token that state
    /// none (yente's clients send no `X-Vigil-Purpose`).
    #[serde(default)]
    default_purpose: Option<String>,
}

pub async fn create_token(
    State(state): State<AppState>,
    auth: Authed,
    JsonBody(body): JsonBody<NewToken>,
) -> ApiResult<impl IntoResponse> {
    let ctx = Ctx::from(auth);
    let (info, secret) = blocking(&state, move |v| {
        let options = TokenOptions {
            label: body.label,
            default_purpose: body.default_purpose,
        };
        v.create_token(&ctx, &body.agency, body.role, &options)
    })
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(
            serde_json::json!({ "token": info, "secret": secret, "note": "the secret is shown once and cannot be retrieved again" }),
        ),
    ))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenQuery {
    agency: Option<AgencyCode>,
}

pub async fn list_tokens(
    State(state): State<AppState>,
    auth: Authed,
    QueryParams(q): QueryParams<TokenQuery>,
) -> ApiResult<impl IntoResponse> {
    let ctx = Ctx::from(auth);
    let list = blocking(&state, move |v| v.tokens(&ctx, q.agency.as_ref())).await?;
    Ok(Json(serde_json::json!({ "tokens": list })))
}

pub async fn revoke_token(
    State(state): State<AppState>,
    auth: Authed,
    PathId(id): PathId,
) -> ApiResult<impl IntoResponse> {
    let ctx = Ctx::from(auth);
    blocking(&state, move |v| v.revoke_token(&ctx, &id)).await?;
    Ok(StatusCode::NO_CONTENT)
}
