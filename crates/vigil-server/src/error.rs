//! The one HTTP error type. Each variant maps to one status code, and the
//! service's errors become HTTP errors here and nowhere else; internal
//! errors are logged with their detail and answered with a generic message,
//! so nothing about the database or the code leaks to clients.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use vigil_core::FieldError;
use vigil_service::ServiceError;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("malformed request: {message}")]
    BadRequest {
        message: String,
        fields: Vec<FieldError>,
    },
    #[error("invalid input")]
    Invalid(Vec<FieldError>),
    #[error("missing or invalid bearer token")]
    Unauthorized,
    #[error("{0}")]
    Forbidden(String),
    /// Also what a hidden record looks like: the same body for both.
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("{0}")]
    Conflict(String),
    #[error("request body is larger than the limit of {0} bytes")]
    PayloadTooLarge(usize),
    #[error("internal error")]
    Internal(String),
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    error: ErrorDetail<'a>,
    /// The message again where FastAPI services put it (yente's clients
    /// read `detail`).
    detail: &'a str,
}

#[derive(Serialize)]
struct ErrorDetail<'a> {
    code: &'static str,
    message: String,
    #[serde(skip_serializing_if = "<[FieldError]>::is_empty")]
    fields: &'a [FieldError],
}

impl ApiError {
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            ApiError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Unauthorized => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            ApiError::BadRequest { .. } => "bad_request",
            ApiError::Invalid(_) => "invalid",
            ApiError::Unauthorized => "unauthorized",
            ApiError::Forbidden(_) => "forbidden",
            ApiError::NotFound(_) => "not_found",
            ApiError::Conflict(_) => "conflict",
            ApiError::PayloadTooLarge(_) => "payload_too_large",
            ApiError::Internal(_) => "internal",
        }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        ApiError::BadRequest {
            message: message.into(),
            fields: Vec::new(),
        }
    }

    pub fn field(path: &str, message: impl Into<String>) -> Self {
        ApiError::Invalid(vec![FieldError {
            path: path.to_string(),
            message: message.into(),
        }])
    }
}

impl From<ServiceError> for ApiError {
    fn from(e: ServiceError) -> Self {
        match e {
            ServiceError::Malformed { message, fields } => ApiError::BadRequest { message, fields },
            ServiceError::Invalid(fields) => ApiError::Invalid(fields),
            ServiceError::Forbidden(m) => ApiError::Forbidden(m),
            ServiceError::NotFound(what) => ApiError::NotFound(what),
            ServiceError::Conflict(m) => ApiError::Conflict(m),
            // `ServiceError` is non-exhaustive: anything new is internal
            // until it is given a status here.
            other => ApiError::Internal(other.to_string()),
        }
    }
}

impl From<FieldError> for ApiError {
    fn from(e: FieldError) -> Self {
        ApiError::Invalid(vec![e])
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let message = match &self {
            ApiError::Internal(detail) => {
                tracing::error!(%detail, "internal error");
                "internal error; the incident has been logged".to_string()
            }
            ApiError::Invalid(fields) => format!(
                "invalid input: {}",
                fields
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
            other => other.to_string(),
        };
        let fields: &[FieldError] = match &self {
            ApiError::Invalid(f) | ApiError::BadRequest { fields: f, .. } => f,
            _ => &[],
        };
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code(),
                message: message.clone(),
                fields,
            },
            detail: &message,
        };
        (self.status(), Json(body)).into_response()
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
