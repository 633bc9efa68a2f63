//! JSON input documents (a request body, a record file): parsed into typed
//! values with errors that name the field at fault, by its JSON path.

use serde::de::DeserializeOwned;
use vigil_core::FieldError;

use crate::error::{Result, ServiceError};

/// Parses JSON: bad syntax is [`ServiceError::Malformed`] (with line and
/// column); values that do not fit the type (unknown fields, bad codes,
/// impossible dates) are [`ServiceError::Invalid`] with the JSON path.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if inner.is_syntax() || inner.is_eof() || inner.is_io() {
            ServiceError::malformed(format!("body is not valid JSON: {inner}"))
        } else {
            ServiceError::Invalid(vec![FieldError {
                path: if path == "." { "$".into() } else { path },
                message: strip_position(&inner.to_string()),
            }])
        }
    })?;
    de.end()
        .map_err(|e| ServiceError::malformed(format!("body is not valid JSON: {e}")))?;
    Ok(value)
}

/// serde_json appends "at line L column C" to value errors; the path
/// already says where.
fn strip_position(message: &str) -> String {
    match message.find(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)] // only deserialised, to provoke errors
    struct Doc {
        items: Vec<Item>,
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Item {
        n: u8,
    }

    #[test]
    fn errors_name_the_field_or_the_syntax() {
        match parse_json::<Doc>(br#"{"items": [{"n": 1}, {"n": 300}]}"#) {
            Err(ServiceError::Invalid(f)) => assert_eq!(f[0].path, "items[1].n"),
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            parse_json::<Doc>(b"{\"items\": ["),
            Err(ServiceError::Malformed { .. })
        ));
        assert!(matches!(
            parse_json::<Doc>(br#"{"items": []} trailing"#),
            Err(ServiceError::Malformed { .. })
        ));
    }
}
