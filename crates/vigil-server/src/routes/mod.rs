//! HTTP handlers, one module per resource. Handlers are thin: they extract,
//! call the [`crate::Vigil`] service on a blocking thread, and shape JSON.

pub mod admin;
pub mod audit;
pub mod hits;
pub mod records;
pub mod screening;

use std::sync::Arc;

use crate::error::{ApiError, ApiResult};
use crate::service::Vigil;
use crate::AppState;

/// Runs a service call on the blocking pool: the store is synchronous.
pub(crate) async fn blocking<T: Send + 'static>(
    state: &AppState,
    f: impl FnOnce(&Vigil) -> ApiResult<T> + Send + 'static,
) -> ApiResult<T> {
    let vigil: Arc<Vigil> = state.vigil.clone();
    tokio::task::spawn_blocking(move || f(&vigil))
        .await
        .map_err(|e| ApiError::Internal(format!("task failed: {e}")))?
}
