//! The service's configuration: one struct, built by the CLI from flags.

use std::time::Duration;

#[derive(Debug, Clone)]
pub struct Config {
    /// How far back re-screening looks when a record changes.
    pub rescreen_window: Duration,
    /// Whether webhooks may point at loopback, private, link-local or
    /// cloud-metadata addresses. Off: a webhook URL is a request Vigil
    /// makes from inside the operator's network, and such an address turns
    /// it into a probe of that network. An operator whose receivers live
    /// there turns it on.
    pub allow_private_webhooks: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            rescreen_window: Duration::from_secs(72 * 3600),
            allow_private_webhooks: false,
        }
    }
}
