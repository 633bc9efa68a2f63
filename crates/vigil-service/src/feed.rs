//! Following the store's change feed (one event per record version): the
//! screening index is built once, then every change reaches it, and recent
//! manifests are screened again against the records that changed.
//!
//! Why a feed and not "update the index where we write": records are also
//! written by other processes on the same database (a CLI import while the
//! server runs). Every screening first applies the changes it has not seen,
//! which costs one indexed query when there are none, and the server also
//! follows the feed every second.

use crate::error::Result;
use crate::index::ScreeningIndex;
use crate::vigil::Vigil;

impl Vigil {
    /// Builds the screening index now rather than on the first screening;
    /// returns how many records it holds.
    pub fn warm_up(&self) -> Result<usize> {
        self.catch_up()?;
        Ok(self.screening().len())
    }

    pub(crate) fn screening(&self) -> &ScreeningIndex {
        self.screening.get_or_init(|| {
            ScreeningIndex::build(self.store.as_ref()).unwrap_or_else(|e| {
                tracing::error!(error = %e, "building the screening index failed; starting empty and catching up from the change feed");
                ScreeningIndex::default()
            })
        })
    }

    /// Brings the screening index up to date with the change feed and
    /// re-screens recent manifests against the records that changed. Every
    /// path that consumes the feed goes through here, so no change escapes
    /// re-screening, whichever process wrote it.
    pub fn catch_up(&self) -> Result<()> {
        let changed = self.screening().sync(self.store.as_ref())?;
        if !changed.is_empty() {
            self.rescreen(&changed)?;
        }
        Ok(())
    }

    /// Called after every write. A process that has not built the index (a
    /// CLI command that only writes) leaves the changes to the feed: the
    /// server catches up within a second.
    pub(crate) fn after_write(&self) {
        if self.screening.get().is_some() {
            if let Err(e) = self.catch_up() {
                tracing::error!(error = %e, "screening index update or re-screening failed");
            }
        }
    }
}
