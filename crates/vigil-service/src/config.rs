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
    /// The linkage score at and above which detection proposes a yellow
    /// link (see docs/links.md).
    pub link_threshold: f64,
}

/// The default link threshold, set once on the FEBRL benchmark's
/// misclassified pairs (docs/links.md says how; docs/performance.md the
/// figures).
pub const DEFAULT_LINK_THRESHOLD: f64 = 0.6;

impl Default for Config {
    fn default() -> Self {
        Config {
            rescreen_window: Duration::from_secs(72 * 3600),
            allow_private_webhooks: false,
            link_threshold: DEFAULT_LINK_THRESHOLD,
        }
    }
}
