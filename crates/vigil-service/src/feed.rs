//! Following the store's change feed (one event per record version): the
//! screening index is built once, then every change reaches it, identity
//! links are detected for it, and recent manifests are screened again
//! against the records that changed.
//!
//! Why a feed and not "update the index where we write": records are also
//! written by other processes on the same database (a CLI import while the
//! server runs). The server follows the feed every second; a screening
//! applies the few changes it has not seen itself (one indexed query when
//! there are none) and leaves a backlog to the follower, so an import beside
//! the server never stalls screening.

use vigil_core::{Record, RecordId};

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

    /// Brings the screening index up to date with the change feed, then
    /// re-screens recent manifests against every change after the
    /// re-screening cursor, then detects identity links for the next page
    /// of changes after the links cursor. The server's follower calls this every second;
    /// every change reaches re-screening through here, whichever process
    /// wrote it.
    pub fn catch_up(&self) -> Result<()> {
        self.screening().sync(self.store.as_ref())?;
        // Re-screening follows the feed from its own cursor, kept in the
        // store: changes made while no server ran, or before this process
        // built its index, are re-screened too.
        self.rescreen_from_cursor()?;
        // Then identity links, a page a round (see `detect_from_cursor`).
        self.detect_from_cursor()?;
        Ok(())
    }

    /// Re-screens the changes after the persisted cursor, page by page,
    /// moving the cursor after each page. A page is small, so a write that
    /// re-screens its own records waits for one page at most.
    fn rescreen_from_cursor(&self) -> Result<()> {
        const PAGE: usize = 500;
        loop {
            let events = {
                // One re-screening at a time in this process: two would
                // store the same hits twice.
                let _turn = self.rescreen_turn.lock().unwrap_or_else(|e| e.into_inner());
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
                events.len()
            };
            if events < PAGE {
                return Ok(());
            }
        }
    }

    /// Called after every write with the records as written. A process that
    /// has not built the index (a CLI command that only writes) leaves them
    /// to the feed: the server's follower picks them up within a second. One
    /// that has puts them in its index and re-screens them at once, whatever
    /// backlog the feed holds; the follower re-screens them again from the
    /// cursor later, which finds the hits already stored.
    pub(crate) fn after_write(&self, written: &[Record]) {
        let Some(index) = self.screening.get() else {
            return;
        };
        index.apply_written(written);
        if let Err(e) = self.detect_links(written) {
            tracing::error!(error = %e, "link detection on written records failed");
        }
        let ids: Vec<RecordId> = written.iter().map(|r| r.id).collect();
        let _turn = self.rescreen_turn.lock().unwrap_or_else(|e| e.into_inner());
        if let Err(e) = self.rescreen(&ids) {
            tracing::error!(error = %e, "re-screening written records failed");
        }
    }
}
