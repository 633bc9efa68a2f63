//! Owner notification: hits reach the agency that owns the record through
//! its webhooks (this module's worker), the live SSE stream and the inbox
//! (both in `routes::hits`). The delivery body is the stored
//! `HitNotification` (documented in the OpenAPI document).
//!
//! Delivery is at least once and survives restarts: hits and their
//! deliveries are written to the outbox in the same transaction, and the
//! worker only marks a delivery done after a 2xx answer. Each delivery
//! carries an idempotency key (stable across retries) so that receivers can
//! drop duplicates, and an HMAC-SHA256 signature of the body with the
//! webhook's secret so that they can trust it.

use std::sync::Arc;
use std::time::Duration;

use hmac::{Hmac, Mac};
use sha2::Sha256;

use vigil_service::Vigil;

use crate::config::ServerConfig;

/// Header carrying `sha256=<hex HMAC-SHA256(secret, body)>`.
pub const SIGNATURE_HEADER: &str = "x-vigil-signature";
/// Header carrying the delivery's idempotency key.
pub const IDEMPOTENCY_HEADER: &str = "idempotency-key";

pub fn signature(secret: &str, body: &[u8]) -> String {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| unreachable_hmac());
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

fn unreachable_hmac() -> Hmac<Sha256> {
    panic!("HMAC-SHA256 rejected a key; it accepts any length")
}

/// Exponential backoff: base × 2^attempts, capped at one hour.
pub fn backoff(base: Duration, attempts: u32) -> Duration {
    let factor = 2u32.saturating_pow(attempts.min(20));
    (base * factor).min(Duration::from_secs(3600))
}

/// Delivers due webhook calls until the process ends. Wakes when a hit is
/// stored, and at least every second for retries.
pub async fn run_webhook_worker(vigil: Arc<Vigil>, config: Arc<ServerConfig>) {
    let client = match reqwest::Client::builder()
        .timeout(config.webhook_timeout)
        .build()
    {
        Ok(c) => c,
        Err(e) => {
            tracing::error!(error = %e, "cannot build the webhook HTTP client; webhooks are not delivered");
            return;
        }
    };
    let mut feed = vigil.hit_feed();
    loop {
        let v = vigil.clone();
        let due =
            tokio::task::spawn_blocking(move || v.store().due_deliveries(chrono::Utc::now(), 100))
                .await;
        let due = match due {
            Ok(Ok(d)) => d,
            Ok(Err(e)) => {
                tracing::error!(error = %e, "reading the outbox failed");
                Vec::new()
            }
            Err(e) => {
                tracing::error!(error = %e, "outbox task failed");
                Vec::new()
            }
        };
        for d in &due {
            let result = client
                .post(&d.url)
                .header("content-type", "application/json")
                .header(SIGNATURE_HEADER, signature(&d.secret, d.payload.as_bytes()))
                .header(IDEMPOTENCY_HEADER, &d.idempotency_key)
                .body(d.payload.clone())
                .send()
                .await;
            let outcome = match result {
                Ok(r) if r.status().is_success() => Ok(()),
                Ok(r) => Err(format!("receiver answered {}", r.status())),
                Err(e) => Err(format!("request failed: {e}")),
            };
            let v = vigil.clone();
            let (id, attempts) = (d.id, d.attempts);
            let base = config.webhook_retry_base;
            let stored = tokio::task::spawn_blocking(move || match outcome {
                Ok(()) => v.store().delivery_succeeded(id),
                Err(error) => {
                    let wait =
                        chrono::Duration::from_std(backoff(base, attempts)).unwrap_or_default();
                    v.store()
                        .delivery_failed(id, &error, chrono::Utc::now() + wait)
                }
            })
            .await;
            if let Ok(Err(e)) = stored {
                tracing::error!(error = %e, delivery = id, "recording a delivery outcome failed");
            }
        }
        if due.len() == 100 {
            continue;
        }
        let _ = tokio::time::timeout(Duration::from_secs(1), feed.changed()).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_is_hmac_sha256_hex() {
        // RFC 4231 test case 2.
        assert_eq!(
            signature("Jefe", b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn backoff_doubles_and_caps() {
        let base = Duration::from_secs(1);
        assert_eq!(backoff(base, 0), Duration::from_secs(1));
        assert_eq!(backoff(base, 3), Duration::from_secs(8));
        assert_eq!(backoff(base, 40), Duration::from_secs(3600));
    }
}
