//! HTTP handlers, one module per resource. Handlers are thin: they extract,
//! call the [`vigil_service::Vigil`] service on a blocking thread, and shape
//! JSON.

pub mod admin;
pub mod audit;
pub mod exchange;
pub mod federation;
pub mod hits;
pub mod links;
pub mod manifests;
pub mod records;
pub mod screening;
pub mod webhooks;
pub mod yente;

use std::sync::Arc;

use vigil_service::{Ctx, Vigil};

use crate::error::{ApiError, ApiResult};
use crate::extract::Authed;
use crate::AppState;

/// Runs a service call on the blocking pool: the store is synchronous.
pub(crate) async fn blocking<T: Send + 'static>(
    state: &AppState,
    f: impl FnOnce(&Vigil) -> vigil_service::Result<T> + Send + 'static,
) -> ApiResult<T> {
    let vigil: Arc<Vigil> = state.vigil.clone();
    tokio::task::spawn_blocking(move || f(&vigil))
        .await
        .map_err(|e| ApiError::Internal(format!("task failed: {e}")))?
        .map_err(ApiError::from)
}

impl From<Authed> for Ctx {
    fn from(auth: Authed) -> Self {
        Ctx::new(auth.caller, auth.purpose)
    }
}
