//! Forms posted to the console: [`Posted`] reads one only after checking
//! that it carries the session's CSRF token, so no handler can act on a
//! forged form. (Multipart uploads carry the token as a field and are
//! checked with [`Officer::csrf_refusal`] once read.)

use std::collections::BTreeMap;

use axum::async_trait;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Multipart, Request};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde::Deserialize;

use super::page::ConsoleError;
use super::session::Officer;
use crate::error::ApiError;
use crate::AppState;

/// A form posted by a signed-in officer whose CSRF token (the `csrf` field)
/// is the session's: checked before the handler runs, so no handler that
/// takes a `Posted` can forget it. A forged form gets 403 and nothing is
/// done; a form that does not parse gets the field at fault.
pub struct Posted<T>(pub Officer, pub T);

/// The fields of a form that holds nothing but its CSRF token (a button).
#[derive(Debug, Deserialize)]
pub struct NoFields {}

#[derive(Deserialize)]
struct CsrfField {
    #[serde(default)]
    csrf: String,
}

#[async_trait]
impl<T: DeserializeOwned> FromRequest<AppState> for Posted<T> {
    type Rejection = Response;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Response> {
        let (mut parts, body) = request.into_parts();
        let officer = Officer::from_request_parts(&mut parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let bytes = Bytes::from_request(Request::from_parts(parts, body), state)
            .await
            .map_err(IntoResponse::into_response)?;
        let sent = serde_html_form::from_bytes::<CsrfField>(&bytes)
            .map(|f| f.csrf)
            .unwrap_or_default();
        if let Some(refused) = officer.csrf_refusal(&sent) {
            return Err(refused);
        }
        let form = serde_html_form::from_bytes::<T>(&bytes).map_err(|e| {
            ConsoleError(ApiError::bad_request(format!("the form: {e}"))).into_response()
        })?;
        Ok(Posted(officer, form))
    }
}

/// A multipart form: its CSRF token, its one file, its other fields.
pub struct Upload {
    pub csrf: String,
    pub file: Vec<u8>,
    pub file_name: Option<String>,
    pub fields: BTreeMap<String, String>,
}

/// Reads a multipart form whose file is `file_field`.
pub async fn read_upload(
    mut multipart: Multipart,
    file_field: &str,
) -> Result<Upload, ConsoleError> {
    let mut upload = Upload {
        csrf: String::new(),
        file: Vec::new(),
        file_name: None,
        fields: BTreeMap::new(),
    };
    loop {
        let field = multipart
            .next_field()
            .await
            .map_err(|e| ApiError::bad_request(format!("cannot read the form: {e}")))?;
        let Some(field) = field else { break };
        let field_name = field.name().unwrap_or_default().to_string();
        if field_name == file_field {
            upload.file_name = field.file_name().map(str::to_string);
            upload.file = field
                .bytes()
                .await
                .map_err(|e| ApiError::bad_request(format!("{file_field}: {e}")))?
                .to_vec();
        } else {
            let text = field
                .text()
                .await
                .map_err(|e| ApiError::bad_request(format!("{field_name}: {e}")))?;
            if field_name == "csrf" {
                upload.csrf = text;
            } else {
                upload.fields.insert(field_name, text);
            }
        }
    }
    if upload.file.is_empty() {
        return Err(ConsoleError(ApiError::field(
            file_field,
            "choose a file to upload",
        )));
    }
    Ok(upload)
}
