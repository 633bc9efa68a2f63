//! The HTTP server's configuration: one struct, built by the CLI from flags.

use std::time::Duration;

#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Largest request body accepted, in bytes (larger: 413).
    pub body_limit: usize,
    /// First retry delay of a failed webhook delivery; doubles each time.
    pub webhook_retry_base: Duration,
    /// How long a webhook receiver may take to answer.
    pub webhook_timeout: Duration,
    /// How often to pull every peer's release feed; `None`: never (only
    /// `vigil sync` and `POST /v1/sync`).
    pub sync_interval: Option<Duration>,
    /// How long a peer may take to answer one request.
    pub peer_timeout: Duration,
    /// How long a screening waits for a peer to answer a forwarded query.
    pub query_timeout: Duration,
    /// The console's session cookie is `Secure` on every answer, not only
    /// when the request says it came over TLS (`X-Forwarded-Proto`).
    pub secure_cookies: bool,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            body_limit: 16 * 1024 * 1024,
            webhook_retry_base: Duration::from_secs(2),
            webhook_timeout: Duration::from_secs(10),
            sync_interval: Some(Duration::from_secs(5)),
            peer_timeout: Duration::from_secs(30),
            query_timeout: Duration::from_secs(3),
            secure_cookies: false,
        }
    }
}
