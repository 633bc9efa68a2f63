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
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            body_limit: 16 * 1024 * 1024,
            webhook_retry_base: Duration::from_secs(2),
            webhook_timeout: Duration::from_secs(10),
        }
    }
}
