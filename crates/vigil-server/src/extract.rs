//! Request extractors: the authenticated caller with its stated purpose, and
//! JSON bodies whose errors name the field at fault.

use axum::async_trait;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;
use vigil_core::{Caller, FieldError};
use vigil_service::context::is_stated_purpose;

use crate::error::ApiError;
use crate::AppState;

/// The header in which every request states why it is made.
pub const PURPOSE_HEADER: &str = "x-vigil-purpose";

/// A peer organisation's instance, verified by the signature of its request
/// against the public key registered for it (no token, no shared secret).
#[derive(Debug, Clone)]
pub struct PeerAuthed {
    pub caller: Caller,
}

/// The peer a signed request comes from, verified over the method, the
/// path with its query, the time and `body`.
async fn verify_peer(parts: &Parts, state: &AppState, body: Vec<u8>) -> Result<Caller, ApiError> {
    use vigil_federation::request::{SignedRequest, PEER_HEADER, SIGNATURE_HEADER, TIME_HEADER};
    let header = |name: &str| {
        parts
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
            .ok_or(ApiError::Unauthorized)
    };
    let signed = SignedRequest {
        peer: header(PEER_HEADER)?,
        time: header(TIME_HEADER)?,
        signature: header(SIGNATURE_HEADER)?,
    };
    let method = parts.method.as_str().to_string();
    // The URI as sent: inside `/v1`, axum's nesting strips the prefix from
    // `parts.uri`, and the signature covers the whole path.
    let uri = parts
        .extensions
        .get::<axum::extract::OriginalUri>()
        .map_or(&parts.uri, |o| &o.0);
    let path = uri
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_default();
    let vigil = state.vigil.clone();
    tokio::task::spawn_blocking(move || {
        vigil.authenticate_peer(&vigil_service::federation::PeerRequest {
            signed,
            method: &method,
            path: &path,
            body: &body,
        })
    })
    .await
    .map_err(|e| ApiError::Internal(e.to_string()))??
    .ok_or(ApiError::Unauthorized)
}

#[async_trait]
impl FromRequestParts<AppState> for PeerAuthed {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let caller = verify_peer(parts, state, Vec::new()).await?;
        Ok(PeerAuthed { caller })
    }
}

/// A peer's signed request with a body: the signature covers the body.
pub struct PeerSigned {
    pub caller: Caller,
    pub body: Bytes,
}

#[async_trait]
impl FromRequest<AppState> for PeerSigned {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, ApiError> {
        let (parts, body) = req.into_parts();
        let RawBody(body) =
            RawBody::from_request(Request::from_parts(parts.clone(), body), state).await?;
        let caller = verify_peer(&parts, state, body.to_vec()).await?;
        Ok(PeerSigned { caller, body })
    }
}

/// A verified caller and the purpose it stated.
#[derive(Debug, Clone)]
pub struct Authed {
    pub caller: Caller,
    pub purpose: String,
}

#[async_trait]
impl FromRequestParts<AppState> for Authed {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        // The scheme is case-insensitive (RFC 9110 §11.1). `ApiKey` is how
        // yente's clients (yente-client, nomenklatura) send a key.
        let secret = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split_once(' '))
            .filter(|(scheme, _)| {
                scheme.eq_ignore_ascii_case("bearer") || scheme.eq_ignore_ascii_case("apikey")
            })
            .map(|(_, secret)| secret.trim().to_string())
            .ok_or(ApiError::Unauthorized)?;
        let holder = match state.vigil.authenticated_recently(&secret) {
            Some(holder) => holder,
            None => {
                let vigil = state.vigil.clone();
                tokio::task::spawn_blocking(move || vigil.authenticate(&secret))
                    .await
                    .map_err(|e| ApiError::Internal(e.to_string()))??
                    .ok_or(ApiError::Unauthorized)?
            }
        };
        // A purpose is written in the officer's language: UTF-8, not only
        // ASCII. A request that states none is audited under its token's
        // default purpose, if the token has one.
        let stated = parts
            .headers
            .get(PURPOSE_HEADER)
            .and_then(|v| std::str::from_utf8(v.as_bytes()).ok())
            .map(str::trim)
            .filter(|p| !p.is_empty());
        let purpose = stated
            .or(holder.default_purpose.as_deref())
            .unwrap_or("")
            .trim();
        if !is_stated_purpose(purpose) {
            return Err(ApiError::BadRequest {
                message: "every request must state its purpose".into(),
                fields: vec![FieldError {
                    path: "X-Vigil-Purpose".into(),
                    message: "header is required (1-200 characters), e.g. 'border check'".into(),
                }],
            });
        }
        Ok(Authed {
            caller: holder.caller,
            purpose: purpose.to_string(),
        })
    }
}

/// A raw body (a PAXLST message, an import file); over the limit is 413.
pub struct RawBody(pub Bytes);

#[async_trait]
impl FromRequest<AppState> for RawBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, ApiError> {
        let limit = state.config.body_limit;
        Bytes::from_request(req, state)
            .await
            .map(RawBody)
            .map_err(|rejection| {
                if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError::PayloadTooLarge(limit)
                } else {
                    ApiError::bad_request(format!("cannot read the body: {rejection}"))
                }
            })
    }
}

/// A JSON body. Syntax errors are 400 with line and column; values that do
/// not fit the schema (unknown fields, bad codes, impossible dates) are 422
/// with the JSON path of the field; bodies over the limit are 413.
pub struct JsonBody<T>(pub T);

#[async_trait]
impl<T: DeserializeOwned> FromRequest<AppState> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, ApiError> {
        let RawBody(bytes) = RawBody::from_request(req, state).await?;
        parse_json(&bytes).map(JsonBody)
    }
}

/// Parses JSON with the error rules of [`JsonBody`].
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    Ok(vigil_service::json_input::parse_json(bytes)?)
}

/// The one parameter of a route's path (an id); one that is not UTF-8 once
/// percent-decoded is 400 in JSON like every other error.
pub struct PathId(pub String);

#[async_trait]
impl<S: Send + Sync> FromRequestParts<S> for PathId {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        axum::extract::Path::<String>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path(id)| PathId(id))
            .map_err(|rejection| ApiError::BadRequest {
                message: format!("invalid path: {rejection}"),
                fields: vec![FieldError {
                    path: "path".into(),
                    message: rejection.body_text(),
                }],
            })
    }
}

/// Query-string parameters; unknown or malformed ones are 400 naming them.
pub struct QueryParams<T>(pub T);

#[async_trait]
impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for QueryParams<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        let query = parts.uri.query().unwrap_or("");
        // serde_html_form reads repeated keys (`topics=a&topics=b`) into a list.
        serde_html_form::from_str(query)
            .map(QueryParams)
            .map_err(|e| ApiError::BadRequest {
                message: format!("invalid query string: {e}"),
                fields: vec![FieldError {
                    path: "query".into(),
                    message: e.to_string(),
                }],
            })
    }
}
