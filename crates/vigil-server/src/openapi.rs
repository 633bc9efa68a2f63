//! The OpenAPI 3 document, kept as a JSON file beside this module so that it
//! reads like the contract it is. A test walks it against the real router.

use axum::Json;

pub const DOCUMENT: &str = include_str!("openapi.json");

pub async fn document() -> Json<serde_json::Value> {
    Json(serde_json::from_str(DOCUMENT).unwrap_or_default())
}
