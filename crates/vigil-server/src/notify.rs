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

use std::collections::{BTreeMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hmac::{Hmac, Mac};
use sha2::Sha256;

use vigil_service::Vigil;
use vigil_store::Delivery;

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

/// Deliveries fetched per receiver at a time.
const PER_RECEIVER: usize = 50;

/// Delivers due webhook calls until the process ends. Wakes when a hit is
/// stored, and at least every second for retries. Each receiver has its own
/// task and its own backoff: a slow or failing receiver delays only its own
/// deliveries, never another agency's.
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
    let busy: Arc<Mutex<HashSet<String>>> = Arc::default();
    let mut feed = vigil.hit_feed();
    loop {
        let v = vigil.clone();
        let due = tokio::task::spawn_blocking(move || {
            v.store().due_deliveries(chrono::Utc::now(), PER_RECEIVER)
        })
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
        let mut by_receiver: BTreeMap<String, Vec<Delivery>> = BTreeMap::new();
        for d in due {
            by_receiver.entry(d.webhook_id.clone()).or_default().push(d);
        }
        for (webhook, deliveries) in by_receiver {
            // A receiver still busy with earlier deliveries keeps them.
            if !lock(&busy).insert(webhook.clone()) {
                continue;
            }
            let (vigil, config, client, busy) =
                (vigil.clone(), config.clone(), client.clone(), busy.clone());
            tokio::spawn(async move {
                deliver_in_order(&vigil, &config, &client, &webhook, deliveries).await;
                lock(&busy).remove(&webhook);
            });
        }
        let _ = tokio::time::timeout(Duration::from_secs(1), feed.changed()).await;
    }
}

fn lock(busy: &Mutex<HashSet<String>>) -> std::sync::MutexGuard<'_, HashSet<String>> {
    // The set is only inserted into and removed from: a panic cannot leave
    // it half-changed.
    busy.lock().unwrap_or_else(|e| e.into_inner())
}

/// One receiver's due deliveries, oldest first. The first failure backs
/// off the whole receiver: its later deliveries wait as long as the one
/// that failed.
async fn deliver_in_order(
    vigil: &Arc<Vigil>,
    config: &ServerConfig,
    client: &reqwest::Client,
    webhook: &str,
    deliveries: Vec<Delivery>,
) {
    for d in deliveries {
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
        let failed = outcome.is_err();
        let v = vigil.clone();
        let (id, attempts, webhook) = (d.id, d.attempts, webhook.to_string());
        let base = config.webhook_retry_base;
        let stored = tokio::task::spawn_blocking(move || match outcome {
            Ok(()) => v.store().delivery_succeeded(id),
            Err(error) => {
                let wait = chrono::Duration::from_std(backoff(base, attempts)).unwrap_or_default();
                let retry_at = chrono::Utc::now() + wait;
                v.store().delivery_failed(id, &error, retry_at)?;
                v.store().postpone_deliveries(&webhook, retry_at)
            }
        })
        .await;
        if let Ok(Err(e)) = stored {
            tracing::error!(error = %e, delivery = id, "recording a delivery outcome failed");
        }
        if failed {
            return;
        }
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
