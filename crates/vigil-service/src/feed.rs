//! Following the store's change feed (one event per record version): the
//! screening index is built once, then every change reaches it, and recent
//! manifests are screened again against the records that changed.
//!
//! Why a feed and not "update the index where we write": records are also
//! written by other processes on the same database (a CLI import while the
//! server runs). Every screening first applies the changes it has not seen,
//! which costs one indexed query when there are none, and the server also
//! follows the feed every second.

use std::sync::atomic::Ordering;

use vigil_core::RecordId;

use crate::error::Result;
use crate::index::ScreeningIndex;
use crate::vigil::Vigil;

/// The store's cursor of re-screening in the change feed.
const RESCREEN_CURSOR: &str = "rescreen";

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
        // Re-screening follows the feed from its own cursor, kept in the
        // store: changes made while no server ran, or before this process
        // built its index, are re-screened too. Looked at when the feed
        // moved, and once at start.
        let first = !self.rescreen_started.swap(true, Ordering::AcqRel);
        if first || !changed.is_empty() {
            self.rescreen_from_cursor()?;
        }
        Ok(())
    }

    /// Re-screens the changes after the persisted cursor, page by page,
    /// moving the cursor after each page.
    fn rescreen_from_cursor(&self) -> Result<()> {
        const PAGE: usize = 5000;
        // One re-screening at a time in this process: two would store the
        // same hits twice.
        let _turn = self.rescreen_turn.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            let after = self.store.feed_cursor(RESCREEN_CURSOR)?;
            let events = self.store.changes_since(after, PAGE)?;
            let Some(last) = events.last().map(|e| e.seq) else {
                return Ok(());
            };
            let mut changed: Vec<RecordId> = events.iter().map(|e| e.record).collect();
            changed.sort();
            changed.dedup();
            self.rescreen(&changed)?;
            self.store.advance_feed_cursor(RESCREEN_CURSOR, last)?;
            if events.len() < PAGE {
                return Ok(());
            }
        }
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
