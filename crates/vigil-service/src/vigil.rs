//! The [`Vigil`] service itself: the store, the in-memory indexes built from
//! it, and the hit feed. Its operations are spread over the modules named
//! after what they operate on (`records`, `screening`, `hits`, …); each of
//! them depends on this one, never the other way round.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use vigil_core::audit::{AuditEvent, Disclosed};
use vigil_core::{Action, Outcome};
use vigil_store::Store;

use crate::config::Config;
use crate::context::Ctx;
use crate::error::Result;
use crate::index::ScreeningIndex;
use crate::recent::RecentTravellers;
use crate::token_cache::TokenCache;

/// Sends a signed request to a peer and returns its answer's body.
/// (The server implements it with HTTP; see `forwarded`.)
pub trait QueryForwarder: Send + Sync {
    fn post(
        &self,
        url: &str,
        signed: &vigil_federation::request::SignedRequest,
        body: &[u8],
    ) -> std::result::Result<Vec<u8>, String>;
}

pub struct Vigil {
    pub(crate) store: Arc<dyn Store>,
    pub(crate) config: Config,
    /// Built on first use (or by `warm_up`) from the store.
    pub(crate) screening: OnceLock<ScreeningIndex>,
    pub(crate) recent: RecentTravellers,
    /// Held while re-screening from the cursor.
    pub(crate) rescreen_turn: Mutex<()>,
    /// The newest hit's sequence number: hit streams and the webhook worker
    /// wait on it.
    hit_feed: tokio::sync::watch::Sender<i64>,
    /// Bumped whenever a token is revoked, so that open hit streams check
    /// their own token at once.
    revocations: tokio::sync::watch::Sender<u64>,
    /// Tokens authenticated in the last second.
    pub(crate) tokens: TokenCache,
    /// Screenings and record writes running now: background work (link
    /// detection) gives way to them.
    foreground: AtomicUsize,
    /// The peers screenings are forwarded to, and when they were read.
    pub(crate) peers_to_ask: Mutex<Option<(std::time::Instant, Vec<vigil_store::Peer>)>>,
    /// How screenings are forwarded to peers (set by the server, which
    /// knows HTTP); without one, a screening says which peers it could not
    /// ask.
    pub(crate) forwarder: OnceLock<Arc<dyn QueryForwarder>>,
}

impl Vigil {
    pub fn new(store: Arc<dyn Store>, config: Config) -> Self {
        Vigil {
            store,
            config,
            screening: OnceLock::new(),
            recent: RecentTravellers::default(),
            rescreen_turn: Mutex::new(()),
            hit_feed: tokio::sync::watch::channel(0).0,
            revocations: tokio::sync::watch::channel(0).0,
            tokens: TokenCache::default(),
            foreground: AtomicUsize::new(0),
            peers_to_ask: Mutex::new(None),
            forwarder: OnceLock::new(),
        }
    }

    /// The store, for what is not an operation on behalf of a caller: the
    /// webhook worker's outbox, authentication.
    pub fn store(&self) -> &dyn Store {
        self.store.as_ref()
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    /// A receiver that changes whenever new hits are stored.
    pub fn hit_feed(&self) -> tokio::sync::watch::Receiver<i64> {
        self.hit_feed.subscribe()
    }

    /// A receiver that changes whenever a token is revoked in this process.
    pub fn revocations(&self) -> tokio::sync::watch::Receiver<u64> {
        self.revocations.subscribe()
    }

    /// Counts a screening or a record write as under way until the guard
    /// is dropped.
    pub(crate) fn foreground_started(&self) -> ForegroundWork<'_> {
        self.foreground.fetch_add(1, Ordering::Relaxed);
        ForegroundWork(&self.foreground)
    }

    /// Whether a screening or a record write is running now.
    pub(crate) fn foreground_under_way(&self) -> bool {
        self.foreground.load(Ordering::Relaxed) > 0
    }

    pub(crate) fn announce_revocation(&self) {
        self.tokens.clear();
        self.revocations.send_modify(|n| *n += 1);
    }

    pub(crate) fn announce_hit(&self, seq: i64) {
        self.hit_feed.send_if_modified(|last| {
            let newer = seq > *last;
            if newer {
                *last = seq;
            }
            newer
        });
    }

    /// Appends an audit entry for what `ctx` did (reads, refusals: writes
    /// hand their event to the store with the write itself).
    pub(crate) fn audit(
        &self,
        ctx: &Ctx,
        action: Action,
        request: serde_json::Value,
        disclosed: Vec<Disclosed>,
        outcome: Outcome,
    ) -> Result<()> {
        self.append(ctx.event(action, request, disclosed, outcome))
    }

    pub(crate) fn append(&self, event: AuditEvent) -> Result<()> {
        self.store.append_audit(event)?;
        Ok(())
    }
}

/// A screening or record write in progress (see
/// [`Vigil::foreground_started`]).
pub(crate) struct ForegroundWork<'a>(&'a AtomicUsize);

impl Drop for ForegroundWork<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}
