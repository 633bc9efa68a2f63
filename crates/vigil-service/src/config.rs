//! The service's configuration: one struct, built by the CLI from flags.

use std::time::Duration;

#[derive(Debug, Clone)]
pub struct Config {
    /// How far back re-screening looks when a record changes.
    pub rescreen_window: Duration,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            rescreen_window: Duration::from_secs(72 * 3600),
        }
    }
}
