//! Server configuration: one struct, built by the CLI from flags.

use std::time::Duration;

#[derive(Debug, Clone)]
pub struct Config {
    /// Largest request body accepted, in bytes (larger: 413).
    pub body_limit: usize,
    /// How far back re-screening looks when a record changes.
    pub rescreen_window: Duration,
    /// First retry delay of a failed webhook delivery; doubles each time.
    pub webhook_retry_base: Duration,
    /// How long a webhook receiver may take to answer.
    pub webhook_timeout: Duration,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            body_limit: 16 * 1024 * 1024,
            rescreen_window: Duration::from_secs(72 * 3600),
            webhook_retry_base: Duration::from_secs(2),
            webhook_timeout: Duration::from_secs(10),
        }
    }
}
